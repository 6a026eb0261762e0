"""Demo signals: deterministic, marked, never touching real signals, and counted through the same
k-anonymous statistics as real ones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.dashboard.demo import generate_demo_signals, remove_demo_signals, seed_demo_signals
from api.dashboard.view import today_local
from api.monitoring.models import CheckSignal, InterestSignal
from api.monitoring.periods import school_year_of, school_year_period
from api.monitoring.schemas import DemoFilter
from api.monitoring.service import interest_supply

PLACES = [("osnabrueck", 165.0), ("melle", 47.0), ("bippen", 3.0)]
BY_FIELD = {"2": ["industriemechaniker"], "8": ["pflegefachmann"], "9": ["mediengestalter"]}
TODAY = date(2026, 12, 6)


def test_the_same_seed_gives_the_same_rows() -> None:
    first = generate_demo_signals(7, 300, PLACES, BY_FIELD, TODAY)
    second = generate_demo_signals(7, 300, PLACES, BY_FIELD, TODAY)
    other = generate_demo_signals(8, 300, PLACES, BY_FIELD, TODAY)
    assert first == second
    assert first != other


def test_every_row_is_demo_and_holds_nothing_personal() -> None:
    data = generate_demo_signals(7, 500, PLACES, BY_FIELD, TODAY)
    assert len(data.checks) == 500
    for row in [*data.checks, *data.interests, *data.handoffs]:
        assert row["is_demo"] is True
        assert row["month"].day == 1 and row["month"] <= TODAY
    for row in data.checks:
        assert all(row[f"score_{c}"] is None or row[f"score_{c}"] % 10 == 0 for c in "riasec")
        assert len(row["contributor"]) == 64
    for row in data.interests:
        assert row["field"] in BY_FIELD or row["profession_slug"] is None
        assert row["topic"] is None


def test_the_population_shows_the_patterns_the_dashboard_is_for() -> None:
    data = generate_demo_signals(13, 4000, PLACES, {}, TODAY)
    fields = Counter(row["field"] for row in data.interests)
    # health and social work draws the most pupils; production fewer than health
    assert fields.most_common(1)[0][0] == "8"
    assert fields["2"] < fields["8"]
    # the school's orientation months outweigh the summer holidays
    months = Counter(row["month"].month for row in data.checks)
    assert months[11] > 3 * months[7]
    # the social type gains over the months
    early = [r["score_s"] for r in data.checks if r["month"] < date(2025, 12, 1) and r["score_s"] is not None]
    late = [r["score_s"] for r in data.checks if r["month"] >= date(2026, 9, 1) and r["score_s"] is not None]
    assert sum(late) / len(late) > sum(early) / len(early)


@pytest.fixture
def rolled_back(dashboard_engine: Engine) -> Iterator[Session]:
    connection = dashboard_engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def test_reseeding_replaces_demo_rows_and_keeps_real_ones(rolled_back: Session) -> None:
    session = rolled_back
    real = CheckSignal(
        contributor="a" * 64, month=date(2026, 11, 1), variant="quick", score_r=50, is_demo=False
    )
    session.add(real)
    session.flush()
    demo_before = session.scalar(select(func.count()).select_from(CheckSignal).where(CheckSignal.is_demo))
    report = seed_demo_signals(session, seed=99, pupils=50, today=TODAY)
    assert report.removed >= (demo_before or 0)
    assert session.scalar(select(func.count()).select_from(CheckSignal).where(CheckSignal.is_demo)) == 50
    assert session.get(CheckSignal, real.id) is not None
    skipped = seed_demo_signals(session, seed=99, pupils=50, only_if_empty=True)
    assert skipped.skipped
    remove_demo_signals(session)
    remaining = session.scalars(select(CheckSignal.is_demo)).all()
    assert remaining == [False]
    assert not session.scalars(select(InterestSignal).where(InterestSignal.is_demo)).all()


def test_demo_signals_go_through_the_same_k_anonymity(
    dashboard_engine: Engine, dashboard_settings: Settings
) -> None:
    with Session(dashboard_engine) as session:
        period = school_year_period(int(school_year_of(today_local())[:4]))
        demo = interest_supply(session, dashboard_settings, period=period, demo=DemoFilter.ONLY)
        real = interest_supply(session, dashboard_settings, period=period, demo=DemoFilter.EXCLUDE)
    published = [cell.interested for cell in demo.cells if cell.interested is not None]
    assert published and all(n == 0 or n >= demo.k for n in published)
    assert any(cell.suppressed for cell in demo.cells)  # small municipalities stay hidden
    # without the demo flag, no demo pupil is counted anywhere
    assert {cell.interested for cell in real.cells if cell.interested is not None} <= {0}


def test_the_command_of_make_run_keeps_existing_demo_signals(
    dashboard_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from api import cli

    assert cli.main(["seed-demo-signals", "--if-empty"], settings=dashboard_settings) == 0
    assert "there are demo signals already" in capsys.readouterr().out
