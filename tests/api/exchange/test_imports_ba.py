"""Import from the Bundesagentur für Arbeit's job search format (tests/api/data/ba_*.json)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.companies.models import Company
from api.imports.service import ImportFileError, import_ba, read_ba_file
from api.offers.models import Offer
from api.offers.service import OfferFilters, search_offers
from tests.api.exchange.support import PLACES

DATA = Path(__file__).resolve().parents[1] / "data"
FIRST = DATA / "ba_ausbildung_osnabrueck.json"
UPDATE = DATA / "ba_ausbildung_osnabrueck_update.json"


def offers_by_ref(session: Session) -> dict[str, Offer]:
    return {offer.external_ref or "": offer for offer in session.scalars(select(Offer))}


def count(session: Session, model: type[Offer] | type[Company]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_maps_occupations_places_kinds_and_companies(session: Session, region: object) -> None:
    report = import_ba(session, read_ba_file(FIRST))
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert report.unknown_occupations == {"Bäcker/in": 2}
    assert report.outside_region == ["10001-1001000004-S (Münster)"]
    assert report.invalid == ["without refnr"]
    assert report.other_kind == ["10001-1001000010-S"]
    assert report.skipped == 5
    assert report.companies_created == 4  # Alpha's two offers share one company

    offers = offers_by_ref(session)
    apprenticeship = offers["10001-1001000001-S"]
    assert apprenticeship.profession_slug == "industriemechaniker"
    assert apprenticeship.kind == "apprenticeship"
    assert apprenticeship.municipality_slug == "osnabrueck"
    assert (apprenticeship.lat, apprenticeship.lon) == (52.2799, 8.0712)  # the BA's own point, it is nearby
    assert apprenticeship.start_date == date(2030, 8, 1)
    assert apprenticeship.source == "ba" and apprenticeship.is_demo is False
    assert apprenticeship.apply_url == "https://www.arbeitsagentur.de/jobsuche/jobdetail/10001-1001000001-S"
    assert apprenticeship.status == "active"
    # The part before " - " names the occupation when the whole string is too specific.
    assert offers["10001-1001000002-S"].profession_slug == "kraftfahrzeugmechatroniker"
    assert offers["10001-1001000002-S"].municipality_slug == "bramsche"
    # Coordinates in Munich for a place in Quakenbrück: the place's point is used.
    medical = offers["10001-1001000005-S"]
    assert (medical.lat, medical.lon) == (PLACES["quakenbrueck"]["lat"], PLACES["quakenbrueck"]["lon"])
    assert offers["10001-1001000006-S"].kind == "internship"
    assert offers["10001-1001000007-S"].kind == "dual_study"
    assert offers["10001-1001000007-S"].municipality_slug == "georgsmarienhuette"

    alpha = session.scalars(select(Company).where(Company.name == "Alpha Maschinenbau GmbH")).one()
    assert (alpha.municipality_slug, alpha.postcode, alpha.street) == (
        "osnabrueck",
        "49084",
        "Hafenringstraße 10",
    )
    assert alpha.email is None and alpha.is_demo is False
    assert {offers["10001-1001000001-S"].company_id, offers["10001-1001000006-S"].company_id} == {alpha.id}


def test_importing_the_same_file_again_changes_nothing(session: Session, region: object) -> None:
    import_ba(session, read_ba_file(FIRST))
    before = {ref: (offer.id, offer.updated_at) for ref, offer in offers_by_ref(session).items()}
    companies = count(session, Company)
    again = import_ba(session, read_ba_file(FIRST))
    assert (again.created, again.updated, again.unchanged, again.companies_created) == (0, 0, 5, 0)
    after = {ref: (offer.id, offer.updated_at) for ref, offer in offers_by_ref(session).items()}
    assert after == before
    assert count(session, Company) == companies


def test_a_changed_offer_is_updated_not_duplicated(session: Session, region: object) -> None:
    import_ba(session, read_ba_file(FIRST))
    first_id = offers_by_ref(session)["10001-1001000001-S"].id
    report = import_ba(session, read_ba_file(UPDATE), default_offer_type=4)
    assert (report.created, report.updated, report.unchanged, report.companies_created) == (1, 1, 1, 0)
    offers = offers_by_ref(session)
    assert len(offers) == 6
    changed = offers["10001-1001000001-S"]
    assert changed.id == first_id
    assert changed.title == "Ausbildung Industriemechaniker (m/w/d) – noch 2 Plätze frei"
    new = offers["10001-1001000011-S"]
    assert new.profession_slug == "fachinformatiker"
    assert new.company_id == changed.company_id  # same employer, same municipality


def test_without_an_offer_type_nothing_is_imported(session: Session, region: object) -> None:
    report = import_ba(session, read_ba_file(UPDATE))
    assert report.created == 0
    assert len(report.other_kind) == 3


def test_imported_offers_are_found_by_the_search_with_the_company_name(
    session: Session, region: object
) -> None:
    import_ba(session, read_ba_file(FIRST))
    page = search_offers(session, OfferFilters(near="Bramsche", radius_km=5), limit=10, offset=0)
    assert [(item.company_name, item.contactable) for item in page.items] == [("Autohaus Beta KG", False)]


@pytest.mark.parametrize("content", ["not json", "[]", '{"stellenangebote": {}}', '{"ergebnisse": []}'])
def test_files_of_another_shape_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "ba.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError):
        read_ba_file(path)
