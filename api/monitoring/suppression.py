"""k-anonymity for tables of counts of distinct pupils, with complementary suppression.

A table is a set of cells (row, column) with counts and a list of additive constraints: a total
cell and the cells it is the sum of (a field's row over the municipalities of a Samtgemeinde, the
fields of one area, ...). The rules:

1. Primary suppression: a cell with 0 < count < k is not published (0 is published: it describes
   nobody).
2. Complementary suppression, repeated until nothing changes, for every constraint:
   - the unknowns of a constraint (its suppressed parts, and its total when suppressed) are never
     exactly one, else subtraction would give it back;
   - when the total is published, the suppressed parts together hold at least k pupils, else their
     sum (which subtraction gives) would describe fewer than k.
   A constraint that breaks a rule gets its smallest published non-zero part suppressed as well
   (ties: the first in the constraint's order), or, when there is none, its total.

Counts of distinct pupils are at most additive (a pupil interested in two fields counts once in
the total); the rules treat them as exactly additive, which is the cautious side.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Cell = tuple[Hashable, Hashable]


class Suppressed(StrEnum):
    PRIMARY = "primary"  # fewer than k pupils
    COMPLEMENTARY = "complementary"  # hidden so that a primary one cannot be recovered


@dataclass(frozen=True)
class Constraint:
    total: Cell
    parts: tuple[Cell, ...]


def hierarchy_constraints(
    rows: Mapping[Any, Sequence[Any]],
    columns: Mapping[Any, Sequence[Any]],
    all_rows: Iterable[Any],
    all_columns: Iterable[Any],
) -> list[Constraint]:
    """Constraints of a two-way table whose rows and columns each form a hierarchy.

    `rows` / `columns` map a parent to its children (e.g. 'all' -> fields; a Samtgemeinde -> its
    municipalities; the district -> its towns and Samtgemeinden).
    """
    row_list, column_list = list(all_rows), list(all_columns)
    constraints = [
        Constraint((row, parent), tuple((row, child) for child in children))
        for row in row_list
        for parent, children in columns.items()
        if children
    ]
    constraints += [
        Constraint((parent, column), tuple((child, column) for child in children))
        for column in column_list
        for parent, children in rows.items()
        if children
    ]
    return constraints


def suppress(counts: Mapping[Cell, int], constraints: Sequence[Constraint], k: int) -> dict[Cell, Suppressed]:
    """The cells not to publish, and why. Cells missing from `counts` count as 0."""
    hidden: dict[Cell, Suppressed] = {
        cell: Suppressed.PRIMARY for cell, count in counts.items() if 0 < count < k
    }

    def value(cell: Cell) -> int:
        return counts.get(cell, 0)

    changed = True
    while changed:
        changed = False
        for constraint in constraints:
            extra = _one_more(constraint, hidden, value, k)
            if extra is not None:
                hidden[extra] = Suppressed.COMPLEMENTARY
                changed = True
    return hidden


def _one_more(
    constraint: Constraint, hidden: Mapping[Cell, Suppressed], count: Callable[[Cell], int], k: int
) -> Cell | None:
    """The cell to suppress next for this constraint, or None when it is safe."""
    hidden_parts = [part for part in constraint.parts if part in hidden]
    total_hidden = constraint.total in hidden
    unknowns = len(hidden_parts) + int(total_hidden)
    if unknowns == 0:
        return None
    too_few = unknowns == 1 or (not total_hidden and 0 < sum(count(part) for part in hidden_parts) < k)
    if not too_few:
        return None
    candidates = [part for part in constraint.parts if part not in hidden and count(part) > 0]
    if candidates:
        return min(candidates, key=count)
    if not total_hidden and count(constraint.total) > 0:
        return constraint.total
    return None


def recoverable_cells(
    published: Mapping[Any, int], constraints: Sequence[Constraint], hidden: Iterable[Cell]
) -> dict[Cell, int]:
    """What an attacker gets back by subtraction: repeatedly solves every constraint that has
    exactly one unknown, using what was published and what was already solved (for tests and for
    the documentation of the method)."""
    known = dict(published)
    unknown = set(hidden)
    solved: dict[Cell, int] = {}
    progress = True
    while progress:
        progress = False
        for constraint in constraints:
            cells = [constraint.total, *constraint.parts]
            missing = [cell for cell in cells if cell in unknown]
            if len(missing) != 1:
                continue
            cell = missing[0]
            parts_sum = sum(known.get(part, 0) for part in constraint.parts if part != cell)
            solved_value = (
                parts_sum if cell == constraint.total else known.get(constraint.total, 0) - parts_sum
            )
            known[cell] = solved_value
            solved[cell] = solved_value
            unknown.discard(cell)
            progress = True
    return solved
