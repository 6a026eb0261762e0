"""load-knowledge: mirrors knowledge/ into the database, idempotently, and refuses invalid data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import cli
from api.core.config import Environment, Settings
from api.core.models import Base
from api.knowledge_sync.meta import KNOWLEDGE_HASH, SEARCH_HASH, read_meta
from api.knowledge_sync.service import KnowledgeSnapshot, sync_knowledge
from api.pay.models import MinimumPay
from api.professions.models import Profession, VocabularyTerm
from knowledge import schema
from knowledge.loader import KnowledgeError
from knowledge.validate import Problem

SnapshotFactory = Callable[..., KnowledgeSnapshot]
MinimumPayFactory = Callable[[int, tuple[int, ...]], list[schema.MinimumPay]]


@pytest.fixture
def snapshot(
    catalogue: list[schema.Profession],
    vocab: schema.Vocab,
    make_municipality: Callable[..., schema.Municipality],
    make_minimum_pay: MinimumPayFactory,
) -> SnapshotFactory:
    def snapshot(**overrides: Any) -> KnowledgeSnapshot:
        base = KnowledgeSnapshot(
            professions=catalogue,
            vocab=vocab,
            municipalities=[make_municipality("melle", "Melle"), make_municipality("belm", "Belm")],
            minimum_pay=make_minimum_pay(2026, (724, 854, 977, 1014)),
            agreed_pay=[
                schema.AgreedPay("fachinformatiker", 2024, 1100, "Beruf (gesamt)", "Informatiker", "u")
            ],
            knowledge_hash="hash-1",
        )
        return replace(base, **overrides)

    return snapshot


def count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_load_inserts_everything(session: Session, snapshot: SnapshotFactory) -> None:
    report = sync_knowledge(session, snapshot())
    assert report.tables["professions"].inserted == 7
    assert report.tables["municipalities"].inserted == 2
    assert report.tables["minimum_pay"].inserted == 4
    assert report.tables["vocabulary_terms"].inserted == 4 + 2 + 4 + 4 + 6
    assert count(session, Profession) == 7
    assert read_meta(session, KNOWLEDGE_HASH) == "hash-1"
    informatiker = session.get(Profession, "fachinformatiker")
    assert informatiker is not None
    assert informatiker.document.agreed_pay[0].eur_per_month == 1100
    certificate = session.get(VocabularyTerm, ("certificate", "realschule"))
    assert certificate is not None and certificate.rank == 2


def test_second_load_of_the_same_knowledge_changes_nothing(
    session: Session, snapshot: SnapshotFactory
) -> None:
    sync_knowledge(session, snapshot())
    key = read_meta(session, SEARCH_HASH)
    stamps = session.scalars(select(Profession.updated_at).order_by(Profession.slug)).all()
    report = sync_knowledge(session, snapshot())
    assert not report.changed
    assert all(changes.unchanged == changes.total for changes in report.tables.values())
    assert read_meta(session, SEARCH_HASH) == key
    assert session.scalars(select(Profession.updated_at).order_by(Profession.slug)).all() == stamps


def test_changed_and_removed_profiles_are_updated_and_deleted(
    session: Session,
    snapshot: SnapshotFactory,
    catalogue: list[schema.Profession],
    make_minimum_pay: MinimumPayFactory,
) -> None:
    sync_knowledge(session, snapshot())
    key = read_meta(session, SEARCH_HASH)
    changed = [replace(p, duration_months=24) if p.slug == "industriemechaniker" else p for p in catalogue]
    without_nurse = [p for p in changed if p.slug != "pflegefachmann"]
    report = sync_knowledge(
        session, snapshot(professions=without_nurse, minimum_pay=make_minimum_pay(2026, (724, 854, 977)))
    )
    assert report.tables["professions"].updated == 1
    assert report.tables["professions"].deleted == 1
    assert report.tables["professions"].unchanged == 5
    assert report.tables["minimum_pay"].deleted == 1
    assert session.get(Profession, "pflegefachmann") is None
    mechanic = session.get(Profession, "industriemechaniker")
    assert mechanic is not None and mechanic.duration_months == 24
    assert count(session, MinimumPay) == 3
    assert read_meta(session, SEARCH_HASH) != key


def test_timestamps_are_timezone_aware(session: Session, snapshot: SnapshotFactory) -> None:
    sync_knowledge(session, snapshot())
    session.expire_all()
    row = session.get(Profession, "fachinformatiker")
    assert row is not None
    assert row.created_at.utcoffset() is not None and row.updated_at.utcoffset() is not None


def test_cli_refuses_invalid_knowledge_and_loads_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> KnowledgeSnapshot:
        raise KnowledgeError([Problem(Path("professions/x.yaml"), "riasec: 'XYZ' is not a RIASEC code")])

    monkeypatch.setattr(cli, "read_knowledge", broken)
    settings = Settings(environment=Environment.DEVELOPMENT, database_url="sqlite://")
    assert cli.main(["load-knowledge"], settings=settings) == 1
    error = capsys.readouterr().err
    assert "knowledge/ is not valid; nothing was loaded." in error
    assert "riasec" in error
