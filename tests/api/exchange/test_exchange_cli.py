"""The admin commands, run as `python -m api.cli ...` would, against a database of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from api import cli
from api.core.config import Environment, Settings
from api.core.db import engine_for, session_factory_for
from api.knowledge_sync.service import KnowledgeSnapshot, sync_knowledge
from api.main import create_app
from knowledge import schema
from tests.api.exchange.support import bearer, region_municipalities

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def cli_settings(
    empty_database_url: str, catalogue: list[schema.Profession], vocab: schema.Vocab
) -> Iterator[Settings]:
    settings = Settings(
        environment=Environment.TEST,
        database_url=empty_database_url,
        api_admin_token=SecretStr("t"),
        service_token=SecretStr("s"),
        api_key_pepper=SecretStr("p"),
    )
    assert cli.main(["migrate"], settings=settings) == 0
    snapshot = KnowledgeSnapshot(
        professions=catalogue,
        vocab=vocab,
        municipalities=region_municipalities(),
        minimum_pay=[],
        agreed_pay=[],
        knowledge_hash="cli",
    )
    with session_factory_for(empty_database_url)() as session, session.begin():
        sync_knowledge(session, snapshot)
    yield settings
    engine_for(empty_database_url).dispose()  # the database is dropped after the test


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), settings=settings)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def company_offers(settings: Settings, key: str) -> int:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/v1/company/offers", headers=bearer(key))
    return response.status_code


async def test_company_keys_are_created_printed_once_and_revoked(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        cli_settings, capsys, "company", "create", "--name", "Alpha GmbH", "--email", "a@alpha.example",
        "--municipality", "Bramsch", "--size", "small",
    )  # fmt: skip
    assert code == 0
    company_id = out.strip()
    code, out, err = run(cli_settings, capsys, "company", "create-key", company_id)
    assert code == 0 and "shown only now" in err
    key = out.strip()
    assert key.startswith("blk_")
    assert await company_offers(cli_settings, key) == 200
    prefix = key.split("_")[1]
    code, out, _ = run(cli_settings, capsys, "company", "revoke-key", prefix)
    assert code == 0 and f"key {prefix} of company {company_id} revoked" in out
    assert await company_offers(cli_settings, key) == 401

    assert run(cli_settings, capsys, "company", "create-key", "9999")[0] == 1
    assert run(cli_settings, capsys, "company", "revoke-key", "nothere")[0] == 1
    code, _, err = run(cli_settings, capsys, "company", "create", "--name", "X", "--municipality", "Berlin")
    assert code == 1 and "not a municipality of the region" in err


def test_import_ba_reports_and_is_idempotent(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(cli_settings, capsys, "import-ba", str(DATA / "ba_ausbildung_osnabrueck.json"))
    assert code == 0
    assert "offers: 5 new, 0 changed, 0 unchanged, 5 skipped; companies: 4 new" in out
    assert "unknown occupations (not imported):\n     2  Bäcker/in" in out
    assert "outside the region: 10001-1001000004-S (Münster)" in out
    code, out, _ = run(cli_settings, capsys, "import-ba", str(DATA / "ba_ausbildung_osnabrueck.json"))
    assert "offers: 0 new, 0 changed, 5 unchanged" in out
    code, out, _ = run(
        cli_settings,
        capsys,
        "import-ba",
        str(DATA / "ba_ausbildung_osnabrueck_update.json"),
        "--angebotsart",
        "4",
    )
    assert "offers: 1 new, 1 changed, 1 unchanged, 0 skipped; companies: 0 new" in out
    code, _, err = run(cli_settings, capsys, "import-ba", str(DATA / "missing.json"))
    assert code == 1 and "cannot read JSON" in err


def test_seed_demo_and_purge(cli_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        cli_settings, capsys, "seed-demo", "--seed", "5", "--companies", "12", "--offers", "30"
    )
    assert code == 0 and out.startswith("demo data: 12 companies, 30 offers,")
    code, out, _ = run(cli_settings, capsys, "seed-demo", "--if-empty")
    assert "demo data not loaded" in out
    code, out, _ = run(
        cli_settings, capsys, "seed-demo", "--seed", "5", "--companies", "12", "--offers", "30"
    )
    assert "(replaced 12 companies, 30 offers)" in out
    code, out, _ = run(cli_settings, capsys, "purge")
    assert code == 0
    assert out.strip() == (
        "contact requests older than 180 days deleted: 0; offers marked expired: 0; "
        "ended sessions deleted: 0; used or expired sign-in links deleted: 0; "
        "class sessions ended more than 30 days ago deleted: 0; "
        "hand-offs past their time deleted: 0; expired result links deleted: 0; "
        "monitoring signals older than 395 days folded: 0 (into 0 cells of at least 10 pupils), "
        "checks anonymised: 0\n"
        "saved searches older than 90 days deleted: 0"
    )
