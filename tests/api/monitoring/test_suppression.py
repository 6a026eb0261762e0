"""k-anonymity with complementary suppression, on hand-made and on random tables (no database)."""

from __future__ import annotations

import random
from collections.abc import Hashable

import pytest

from api.geo.models import Municipality
from api.monitoring.areas import DISTRICT, REGION, UNKNOWN, AreaTree
from api.monitoring.suppression import (
    Cell,
    Constraint,
    Suppressed,
    hierarchy_constraints,
    recoverable_cells,
    suppress,
)
from knowledge.loader import load_municipalities

K = 10
FIELDS = [str(code) for code in range(1, 10)]


def one_row(values: dict[str, int]) -> tuple[dict[Cell, int], list[Constraint]]:
    """A row 'r' with parts and its total 't' (the sum)."""
    counts: dict[Cell, int] = {("r", name): value for name, value in values.items()}
    counts[("r", "t")] = sum(values.values())
    constraints = [Constraint(("r", "t"), tuple(("r", name) for name in values))]
    return counts, constraints


def single_subtractions(
    counts: dict[Cell, int], constraints: list[Constraint], hidden: set[Cell]
) -> list[Cell]:
    """Every hidden cell that one subtraction gives back: a constraint whose other cells are all
    published (the total minus the other parts, or the parts added up)."""
    found = []
    for constraint in constraints:
        cells = [constraint.total, *constraint.parts]
        missing = [cell for cell in cells if cell in hidden]
        if len(missing) == 1:
            found.append(missing[0])
    return found


def test_cells_under_k_are_hidden_and_zero_is_published() -> None:
    counts, constraints = one_row({"a": 0, "b": 3, "c": 25, "d": 40})
    hidden = suppress(counts, constraints, K)
    assert hidden[("r", "b")] is Suppressed.PRIMARY
    assert ("r", "a") not in hidden  # nobody: nothing to protect, and nothing to subtract with
    # b alone would be total - c - d: the smallest other non-zero part goes too
    assert hidden[("r", "c")] is Suppressed.COMPLEMENTARY
    assert ("r", "d") not in hidden and ("r", "t") not in hidden
    assert single_subtractions(counts, constraints, set(hidden)) == []


def test_two_small_cells_that_add_up_to_under_k_take_a_third() -> None:
    # 3 + 4 = 7 < k: the total minus the rest would give the group of 7
    counts, constraints = one_row({"a": 3, "b": 4, "c": 12, "d": 50})
    hidden = suppress(counts, constraints, K)
    assert set(hidden) == {("r", "a"), ("r", "b"), ("r", "c")}
    assert sum(counts[cell] for cell in hidden) >= K


def test_when_no_part_can_go_the_total_goes() -> None:
    counts, constraints = one_row({"a": 4, "b": 0})
    hidden = suppress(counts, constraints, K)
    assert set(hidden) == {("r", "a"), ("r", "t")}


def test_a_row_without_small_cells_is_published_whole() -> None:
    counts, constraints = one_row({"a": 10, "b": 0, "c": 11})
    assert suppress(counts, constraints, K) == {}


def test_suppression_follows_the_hierarchy() -> None:
    """A municipality under k inside a Samtgemeinde: a sibling goes too, and the Samtgemeinde's
    cell, which sits in the district's sum, is not left as the one unknown there."""
    tree = AreaTree.from_municipalities(list(_real_places()))
    counts: dict[Cell, int] = {}
    for leaf in tree.leaves_under(REGION):
        counts[("all", leaf)] = 20
    counts[("all", "badbergen")] = 4
    _fill_totals(counts, tree, ["all"])
    constraints = hierarchy_constraints({}, tree.children, ["all"], list(tree.areas))
    hidden = suppress(counts, constraints, K)
    assert ("all", "badbergen") in hidden
    assert [cell for cell in hidden if cell[1] in tree.children["samtgemeinde-artland"]] != [
        ("all", "badbergen")
    ]
    assert recoverable_cells(_published(counts, hidden), constraints, hidden) == {}


def _real_places() -> list[Municipality]:
    return [
        Municipality(
            slug=place.slug,
            name=place.name,
            kind=place.kind,
            samtgemeinde=place.samtgemeinde,
            postcodes=list(place.postcodes),
            lat=place.lat,
            lon=place.lon,
        )
        for place in load_municipalities()
    ]


def _fill_totals(counts: dict[Cell, int], tree: AreaTree, rows: list[Hashable]) -> None:
    """Parents as the sums of their children, bottom-up (the tree's order reversed)."""
    for area in reversed(tree.ordered()):
        children = tree.children.get(area)
        if children:
            for row in rows:
                counts[(row, area)] = sum(counts.get((row, child), 0) for child in children)


def _published(counts: dict[Cell, int], hidden: dict[Cell, Suppressed]) -> dict[Cell, int]:
    return {cell: value for cell, value in counts.items() if cell not in hidden}


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_publish_no_cell_under_k_and_give_nothing_back(seed: int) -> None:
    """Random sparse tables of fields x the real area tree (district, Samtgemeinden, towns, the
    city): no published cell under k, no hidden cell recovered by any chain of subtractions, and
    every constraint with hidden parts and a published total hides at least k pupils."""
    rng = random.Random(seed)
    tree = AreaTree.from_municipalities(_real_places())
    counts: dict[Cell, int] = {}
    for field in FIELDS:
        for leaf in tree.leaves_under(REGION):
            roll = rng.random()
            counts[(field, leaf)] = (
                0 if roll < 0.35 else rng.randint(1, 9) if roll < 0.7 else rng.randint(10, 60)
            )
    for leaf in tree.leaves_under(REGION):
        counts[("all", leaf)] = sum(counts[(field, leaf)] for field in FIELDS)
    _fill_totals(counts, tree, ["all", *FIELDS])
    constraints = hierarchy_constraints({"all": FIELDS}, tree.children, ["all", *FIELDS], list(tree.areas))
    hidden = suppress(counts, constraints, K)

    published = _published(counts, hidden)
    assert all(value == 0 or value >= K for value in published.values())
    assert single_subtractions(counts, constraints, set(hidden)) == []
    assert recoverable_cells(published, constraints, hidden) == {}
    for constraint in constraints:
        parts = [part for part in constraint.parts if part in hidden]
        if parts and constraint.total not in hidden:
            assert sum(counts[part] for part in parts) >= K
    # the method hides what it must and not everything
    assert any(cell[1] in (DISTRICT, REGION) for cell in published)
    assert (("all", UNKNOWN) in counts) and len(hidden) < len(counts)
