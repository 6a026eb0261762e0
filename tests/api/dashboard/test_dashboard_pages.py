"""The dashboard pages: who may open them, what they show, the filters and the downloads."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.dashboard.view import FIELDS, today_local
from api.monitoring.models import CheckSignal
from api.monitoring.periods import school_year_of
from tests.api.dashboard.conftest import sign_in

HTML = {"Accept": "text/html,application/xhtml+xml"}
PATHS = ("/district", "/district/export.csv", "/district/export.json", "/district/report.pdf")
SCHOOL_YEAR = school_year_of(today_local())


@pytest.mark.parametrize("path", PATHS)
async def test_nobody_signed_in_gets_401_or_the_login_page(anonymous: httpx.AsyncClient, path: str) -> None:
    response = await anonymous.get(path)
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/sign-in-required"
    page = await anonymous.get(path, headers=HTML)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["advisor", "company", "admin"])
@pytest.mark.parametrize("path", PATHS)
async def test_other_roles_get_403(anonymous: httpx.AsyncClient, role: str, path: str) -> None:
    assert (await sign_in(anonymous, role)).status_code == 303
    response = await anonymous.get(path)
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/forbidden"
    assert "Interessierte" not in response.text


async def test_the_district_sees_its_dashboard_in_german(district: httpx.AsyncClient) -> None:
    response = await district.get("/district", params={"data": "only", "period": SCHOOL_YEAR})
    assert response.status_code == 200
    page = response.text
    assert '<html lang="de">' in page
    assert "Bildungsmonitoring: Interessen und Angebot" in page
    assert response.headers["cache-control"] == "no-store"
    assert "script-src" not in response.headers["content-security-policy"]
    # three charts, each named and described, each with its table
    assert page.count('role="img"') == 3
    for chart in ("chart-profile", "chart-fields", "chart-map"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page
    for table in ("profile-table", "fields-table", "map-table", "market-table"):
        assert f'id="{table}"' in page
    # the demo data says so, at the top
    assert "DEMO-DATEN" in page and "erfundenen Demo-Daten" in page
    # the official figures, labelled as another source
    assert "Andere Quelle:" in page and "Bundesagentur für Arbeit" in page
    assert "2.860" in page  # registered applicants 2024/25, German number format


async def test_english(district: httpx.AsyncClient) -> None:
    response = await district.get("/district", params={"lang": "en", "data": "only"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Education monitoring: interests and supply" in response.text
    assert "DEMO DATA" in response.text
    assert 'name="lang" value="en"' in response.text  # the filter form keeps the language


async def test_without_real_data_the_page_says_so_and_shows_no_demo_figure(
    district: httpx.AsyncClient,
) -> None:
    response = await district.get("/district", params={"data": "exclude", "period": SCHOOL_YEAR})
    page = response.text
    assert "nur auf echten Daten" in page
    assert "Es gibt noch keine echten Daten" in page
    assert "DEMO-DATEN" not in page
    key = re.search(r'<dd id="key-interested">([^<]*)</dd>', page)
    assert key and key.group(1) == "0"  # nobody real yet: zero pupils, no demo pupil counted


async def test_the_default_shows_demo_data_when_there_is_no_real_data(district: httpx.AsyncClient) -> None:
    page = (await district.get("/district")).text
    assert re.search(r'<option value="only" selected>', page)
    assert "DEMO-DATEN" in page


def _fields_table(page: str) -> dict[str, list[str]]:
    table = page.split('id="fields-table"', 1)[1].split("</table>", 1)[0]
    rows: dict[str, list[str]] = {}
    for code, cells in re.findall(r'<tr data-field="(\d)">(.*?)</tr>', table, flags=re.S):
        rows[code] = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", cells, re.S)
        ]
    return rows


async def test_the_field_filter_narrows_the_fields_and_the_map(district: httpx.AsyncClient) -> None:
    everything = _fields_table((await district.get("/district", params={"data": "only"})).text)
    assert set(everything) == set(FIELDS)
    response = await district.get("/district", params={"data": "only", "field": "8"})
    page = response.text
    assert set(_fields_table(page)) == {"8"}
    assert '<option value="8" selected>' in page
    assert "Städte und Gemeinden: Gesundheit, Soziales und Erziehung" in page


async def test_the_area_filter(district: httpx.AsyncClient) -> None:
    page = (await district.get("/district", params={"data": "only", "area": "melle"})).text
    assert '<option value="melle" selected>' in page
    assert "Überblick: Melle" in page


async def test_unknown_filter_values_fall_back(district: httpx.AsyncClient) -> None:
    response = await district.get("/district", params={"period": "gestern", "field": "x", "data": "?"})
    assert response.status_code == 200


async def test_csv_export(district: httpx.AsyncClient) -> None:
    response = await district.get("/district/export.csv", params={"data": "only", "period": SCHOOL_YEAR})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert "demo-only" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {row["data"] for row in rows} == {"only"}
    for row in rows:
        if row["interested"]:
            assert int(row["interested"]) in (0, *range(10, 100_000))  # nobody, or at least k
        else:
            assert row["suppressed"] == "yes"
    district_all = next(r for r in rows if r["field"] == "all" and r["area"] == "landkreis-osnabrueck")
    page = (await district.get("/district", params={"data": "only", "period": SCHOOL_YEAR})).text
    shown = re.search(r'<dd id="key-interested">([^<]*)</dd>', page)
    assert shown and shown.group(1).replace(".", "") == district_all["interested"]


async def test_json_export(district: httpx.AsyncClient) -> None:
    response = await district.get("/district/export.json", params={"data": "include", "field": "2"})
    assert response.status_code == 200
    document = json.loads(response.text)
    assert document["selection"]["demo_data_included"] is True
    assert document["selection"]["k"] == 10
    assert document["market"]["source_is_different"] is True
    assert document["interest_supply"]["cells"]
    assert document["interest_profile"]["months"]


async def test_the_dashboard_reads_only_what_the_statistics_publish(
    district: httpx.AsyncClient, dashboard_engine: object
) -> None:
    """Every count of pupils on the page is at least k (or a dash)."""
    page = (await district.get("/district", params={"data": "only", "period": SCHOOL_YEAR})).text
    for row in _fields_table(page).values():
        interested = row[1].replace(".", "")
        assert interested == "–" or int(interested) == 0 or int(interested) >= 10
    map_table = page.split('id="map-table"', 1)[1].split("</table>", 1)[0]
    for cells in re.findall(r"<tr data-slug=[^>]+>(.*?)</tr>", map_table, flags=re.S):
        interested = re.findall(r"<td[^>]*>(.*?)</td>", cells)[1].replace(".", "")
        assert interested == "–" or int(interested) == 0 or int(interested) >= 10


def test_demo_signals_are_marked(dashboard_engine: object) -> None:
    with Session(dashboard_engine) as session:  # type: ignore[arg-type]
        flags = set(session.scalars(select(CheckSignal.is_demo)))
    assert flags == {True}
