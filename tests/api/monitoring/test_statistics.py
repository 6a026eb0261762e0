"""The statistics against a seeded synthetic population whose true figures are known."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.monitoring import service
from api.monitoring.areas import DISTRICT, REGION, UNKNOWN, AreaTree
from api.monitoring.models import InterestSignal
from api.monitoring.periods import month_period, parse_period
from api.monitoring.schemas import DemoFilter, InterestSupplyReport, Mismatch
from api.monitoring.signals import score_bucket
from api.monitoring.suppression import hierarchy_constraints, recoverable_cells
from api.monitoring.synthetic import SyntheticPupil
from api.offers.models import Offer
from tests.api.monitoring.conftest import FIELDS, FIRST_MONTH, K

SCHOOL_YEAR = parse_period("2025/26")


def true_counts(tree: AreaTree, pupils: list[SyntheticPupil]) -> Counter[tuple[str, str]]:
    """What the table must say: each synthetic pupil is one field in one municipality."""
    counts: Counter[tuple[str, str]] = Counter()
    for pupil in pupils:
        for area in tree.ancestors(tree.leaf_of(pupil.municipality)):
            counts[(pupil.field, area)] += 1
            counts[("all", area)] += 1
    return counts


def cells_of(report: InterestSupplyReport) -> dict[tuple[str, str], int | None]:
    return {(cell.field, cell.area): cell.interested for cell in report.cells}


def test_published_numbers_are_the_true_ones_and_small_ones_are_hidden(
    session: Session, settings: Settings, recorded: list[SyntheticPupil]
) -> None:
    report = service.interest_supply(session, settings, period=SCHOOL_YEAR)
    tree = AreaTree.load(session)
    truth = true_counts(tree, recorded)
    published = cells_of(report)

    assert report.k == K and report.period.label == "2025/26"
    assert published[("all", REGION)] == 900  # every synthetic pupil, once
    assert len(published) == len(tree.areas) * (len(FIELDS) + 1)
    for cell, value in published.items():
        if value is not None:
            assert value == truth.get(cell, 0), cell  # exactly the true figure
            assert value == 0 or value >= K, cell  # and never fewer than k pupils
        if 0 < truth.get(cell, 0) < K:
            assert value is None, cell  # every small cell hidden
    hidden = [cell for cell, value in published.items() if value is None]
    assert hidden, "the skewed population has small cells"
    assert [cell for cell in hidden if truth[cell] >= K], "complementary suppression hides some large cells"
    # the rural villages are small, the city is not
    assert published[("2", "osnabrueck")] == truth[("2", "osnabrueck")] >= K


def test_no_hidden_cell_comes_back_by_subtraction(
    session: Session, settings: Settings, recorded: list[SyntheticPupil]
) -> None:
    """Tries every single-cell subtraction of every row and column total (areas over their parts,
    'all fields' over the fields), repeated with what it finds, on the published table."""
    report = service.interest_supply(session, settings, period=SCHOOL_YEAR)
    tree = AreaTree.load(session)
    published = {cell: value for cell, value in cells_of(report).items() if value is not None}
    hidden = [cell for cell, value in cells_of(report).items() if value is None]
    constraints = hierarchy_constraints({"all": FIELDS}, tree.children, ["all", *FIELDS], list(tree.areas))
    assert recoverable_cells(published, constraints, hidden) == {}


def test_filters_return_the_same_cells_as_the_whole_table(
    session: Session, settings: Settings, recorded: list[SyntheticPupil]
) -> None:
    whole = cells_of(service.interest_supply(session, settings, period=SCHOOL_YEAR))
    only_area = service.interest_supply(session, settings, period=SCHOOL_YEAR, area="samtgemeinde-artland")
    assert {cell.area for cell in only_area.cells} == {"samtgemeinde-artland"}
    assert cells_of(only_area).items() <= whole.items()
    only_field = service.interest_supply(session, settings, period=SCHOOL_YEAR, field="2")
    assert {cell.field for cell in only_field.cells} == {"2"}
    assert cells_of(only_field).items() <= whole.items()


def test_a_month_counts_that_months_pupils_only(
    session: Session, settings: Settings, recorded: list[SyntheticPupil]
) -> None:
    month = FIRST_MONTH.replace(month=11)
    report = service.interest_supply(session, settings, period=month_period(month))
    tree = AreaTree.load(session)
    truth = true_counts(tree, [pupil for pupil in recorded if pupil.month == month])
    assert cells_of(report)[("all", REGION)] == truth[("all", REGION)] > K
    for cell, value in cells_of(report).items():
        assert value is None or value == truth.get(cell, 0)
    # outside the school year: nothing
    empty = service.interest_supply(session, settings, period=parse_period("2024/25"))
    assert {cell.interested for cell in empty.cells} == {0}


def test_supply_ratio_and_mismatches(
    session: Session,
    settings: Settings,
    recorded: list[SyntheticPupil],
    make_offer: Callable[..., Offer],
) -> None:
    tree = AreaTree.load(session)
    truth = true_counts(tree, recorded)
    for _ in range(3):
        make_offer("2", "melle", places_count=5)  # field 2 in Melle: 3 offers, 15 places
    make_offer("8", "osnabrueck", places_count=200)  # a big surplus in field 8
    make_offer("2", "melle", places_count=7, status="withdrawn")  # never counted
    long_ago = datetime(2024, 1, 1, tzinfo=UTC)
    make_offer("2", "melle", places_count=9, published_at=long_ago, expires_at=long_ago + timedelta(days=30))
    make_offer("2", "melle", places_count=11, is_demo=True)

    report = service.interest_supply(session, settings, period=SCHOOL_YEAR)
    cells = {(cell.field, cell.area): cell for cell in report.cells}
    melle = cells[("2", "melle")]
    assert (melle.offers, melle.places) == (3, 15)
    assert cells[("2", DISTRICT)].places == 15 and cells[("2", REGION)].places == 15
    assert cells[("all", REGION)].places == 215 and cells[("all", REGION)].offers == 4
    assert melle.interested == truth[("2", "melle")]
    assert melle.ratio == round(15 * 100 / truth[("2", "melle")], 1)

    region_all = cells[("all", REGION)]
    assert region_all.ratio == round(215 * 100 / 900, 1)
    field_8 = cells[("8", REGION)]
    assert field_8.ratio == round(200 * 100 / truth[("8", REGION)], 1)
    assert field_8.relative_ratio == round(field_8.ratio / region_all.ratio, 2)
    assert field_8.mismatch is Mismatch.FEW_INTERESTED_MANY_PLACES
    field_2 = cells[("2", REGION)]  # the most interested field, 15 places
    assert field_2.mismatch is Mismatch.MANY_INTERESTED_FEW_PLACES
    # a hidden count has no ratio and no flag (they would give it back)
    for cell in report.cells:
        if cell.suppressed:
            assert cell.ratio is None and cell.mismatch is None and cell.relative_ratio is None

    demo_only = service.interest_supply(session, settings, period=SCHOOL_YEAR, demo=DemoFilter.ONLY)
    demo_cells = {(cell.field, cell.area): cell for cell in demo_only.cells}
    assert demo_cells[("2", "melle")].places == 11 and demo_cells[("all", REGION)].interested == 0


def test_the_interest_profile_is_the_mean_of_the_rounded_scores(
    session: Session, settings: Settings, recorded: list[SyntheticPupil]
) -> None:
    report = service.interest_profile(session, settings, start=FIRST_MONTH, end=date(2026, 7, 1))
    assert [month.month for month in report.months][:2] == ["2025-08", "2025-09"]
    assert len(report.months) == 12 and report.area.id == REGION
    for month in report.months:
        pupils = [pupil for pupil in recorded if pupil.month.strftime("%Y-%m") == month.month]
        assert month.contributors == len(pupils) >= K
        for code in "RIASEC":
            expected = sum(score_bucket(pupil.scores[code]) or 0 for pupil in pupils) / len(pupils)
            assert month.mean_scores[code] == round(expected, 1)

    # a village: fewer than k pupils a month, so nothing is shown
    village = service.interest_profile(session, settings, start=FIRST_MONTH, end=FIRST_MONTH, area="gehrde")
    assert village.months[0].contributors is None
    assert set(village.months[0].mean_scores.values()) == {None}


def test_top_interests_only_with_k_pupils(
    session: Session, settings: Settings, recorded: list[SyntheticPupil]
) -> None:
    report = service.top_interests(session, settings, period=SCHOOL_YEAR)
    truth = Counter(pupil.profession_slug for pupil in recorded)
    assert [(item.code, item.contributors) for item in report.items] == sorted(
        ((slug, count) for slug, count in truth.items() if count >= K), key=lambda pair: (-pair[1], pair[0])
    )


def test_unknown_places_count_in_the_region_only(
    session: Session, settings: Settings, region: object
) -> None:
    from api.monitoring.models import InterestSource
    from api.monitoring.signals import record_interest

    for number in range(12):
        record_interest(
            session,
            settings,
            pupil_ref=f"ohne-ort-{number}",
            source=InterestSource.LOOKUP,
            profession_slug="beruf-im-feld-4",
            today=date(2025, 9, 3),
        )
    assert session.query(InterestSignal).count() == 12
    cells = cells_of(service.interest_supply(session, settings, period=SCHOOL_YEAR))
    assert cells[("4", UNKNOWN)] == 12 and cells[("4", REGION)] == 12 and cells[("4", DISTRICT)] == 0


def test_market_figures_are_labelled_as_another_source() -> None:
    figures = service.market_figures()
    assert "another source" in figures.source_label
    assert "Angebots-Nachfrage-Relation" in figures.definitions["anr_bibb"]
    assert figures.places_per_100_applicants["2022/23"] == round(4063 * 100 / 2570, 1)
    assert {row.report_year for row in service.market_figures("2023/24").figures} == {"2023/24"}


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2026-11", "2026-11", date(2026, 11, 1), date(2026, 12, 1)),
        ("2026-12", "2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026/27", "2026/27", date(2026, 8, 1), date(2027, 8, 1)),
        ("1999/00", "1999/00", date(1999, 8, 1), date(2000, 8, 1)),
    ],
)
def test_periods(text: str, label: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026/28", "26/27", "last year", ""])
def test_unknown_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_period(text)
