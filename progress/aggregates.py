"""The one aggregation service: every figure that pages, exports, the monthly report and the API show
passes through here, so small groups are hidden the same way everywhere.

A figure is a ``Table``: rows by columns of counts, with the row totals, the column totals and the
grand total as the figure shows them. ``protect(table, below)`` hides, for someone who sees aggregates
only (the municipality):

1. *primary*: every count from 1 to ``below - 1`` (a zero says nothing about a person and stays),
   shown as "< 10";
2. *secondary*: wherever a total is shown with exactly one hidden member (a cell of its row or column,
   or the total itself), one more member is hidden, the smallest, so that the total minus the other
   cells cannot reveal the hidden one; shown as "x" (it need not be small). This repeats until no row,
   column or total line has a single hidden member.

Shares, medians and other derived values of a hidden group are hidden with it (``share``, ``Figure``'s
``protected`` helpers). Someone who works with the dwellings themselves (the lead party, the heat
company) sees the exact counts: ``Viewer.exact``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from progress.cells import Suppressed, is_suppressed


@dataclass
class Row:
    key: str
    label: str
    cells: dict[str, object]
    total: object = None


@dataclass
class Table:
    """Counts by row and column. ``totals`` holds the column totals (and ``grand`` their sum) when the
    figure shows them; ``Row.total`` the row's total when ``row_totals``."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[Row]
    row_totals: bool = True
    column_totals: bool = True
    totals: dict[str, object] = field(default_factory=dict)
    grand: object = None

    @classmethod
    def of_counts(
        cls,
        key: str,
        title: str,
        columns: list[tuple[str, str]],
        rows: Iterable[tuple[str, str, dict[str, int]]],
        *,
        row_totals: bool = True,
        column_totals: bool = True,
    ) -> Table:
        """A table of exact counts; the totals are summed here, so they always add up."""
        made = []
        for row_key, label, counts in rows:
            cells = {column: int(counts.get(column, 0) or 0) for column, _label in columns}
            made.append(Row(row_key, label, cells, sum(cells.values()) if row_totals else None))
        table = cls(key, title, columns, made, row_totals=row_totals, column_totals=column_totals)
        if column_totals:
            table.totals = {column: sum(row.cells[column] for row in made) for column, _label in columns}
            table.grand = sum(table.totals.values())
        return table

    def column_labels(self) -> list[str]:
        return [str(label) for _key, label in self.columns]


def protect(table: Table, below: int | None = None) -> Table:
    """Hide small counts and what would reveal them, in place; returns the table."""
    below = settings.PROGRESS_SMALL_CELL if below is None else below
    if below <= 1:
        return table
    small, protecting = Suppressed(below), Suppressed(below, small=False)
    columns = [column for column, _label in table.columns]

    # Every shown count by its place: ("cell", row, column), ("row", row), ("column", column), ("grand",).
    values: dict[tuple, object] = {}
    for index, row in enumerate(table.rows):
        for column in columns:
            values["cell", index, column] = row.cells[column]
        if table.row_totals:
            values["row", index] = row.total
    if table.column_totals:
        for column in columns:
            values["column", column] = table.totals[column]
        values["grand",] = table.grand

    # The lines whose total is shown, as (total, members): each row, each column, and the totals.
    lines: list[tuple[tuple, list[tuple]]] = []
    if table.row_totals:
        for index in range(len(table.rows)):
            lines.append((("row", index), [("cell", index, column) for column in columns]))
    if table.column_totals:
        for column in columns:
            lines.append((("column", column), [("cell", index, column) for index in range(len(table.rows))]))
        lines.append((("grand",), [("column", column) for column in columns]))
        if table.row_totals:
            lines.append((("grand",), [("row", index) for index in range(len(table.rows))]))

    # 1. primary: the small counts themselves.
    for place, value in values.items():
        if isinstance(value, int) and 0 < value < below:
            values[place] = small

    # 2. secondary: no line may have exactly one hidden member (counting its total).
    changed = True
    while changed:
        changed = False
        for total, members in lines:
            everyone = [total, *members]
            hidden = [place for place in everyone if is_suppressed(values[place])]
            if len(hidden) != 1:
                continue
            shown = [place for place in everyone if not is_suppressed(values[place])]
            if not shown:
                continue
            # The smallest shown member, a non-zero one first: hiding a zero protects as well, but
            # only when nothing else is left.
            shown.sort(key=lambda place: (values[place] == 0, values[place]))
            values[shown[0]] = protecting
            changed = True

    for index, row in enumerate(table.rows):
        for column in columns:
            row.cells[column] = values["cell", index, column]
        if table.row_totals:
            row.total = values["row", index]
    if table.column_totals:
        for column in columns:
            table.totals[column] = values["column", column]
        table.grand = values["grand",]
    return table


def share(part, whole) -> object:
    """A percentage (0-100, rounded), hidden when either count is hidden, None without a whole."""
    if is_suppressed(part) or is_suppressed(whole):
        below = part.below if is_suppressed(part) else whole.below
        return Suppressed(below, small=False)
    if not whole:
        return None
    return round(100 * part / whole)


def protect_value(value, group_size, viewer: Viewer):
    """A value derived from a group (a median, an average): hidden with a group too small to show."""
    if viewer.exact or group_size is None:
        return value
    if 0 < group_size < viewer.below:
        return Suppressed(viewer.below, small=False)
    return value


def protect_count(value: int, viewer: Viewer):
    """One count on its own (no table around it)."""
    if viewer.exact or not isinstance(value, int):
        return value
    return Suppressed(viewer.below) if 0 < value < viewer.below else value


def coarse(value: int, viewer: Viewer) -> int:
    """A running total for someone who sees aggregates only, rounded down to a multiple of the
    threshold: the step from one point to the next must not tell a small group's count."""
    if viewer.exact or not isinstance(value, int):
        return value
    return value // viewer.below * viewer.below


@dataclass(frozen=True)
class Viewer:
    """How a person sees a set of projects: ``exact`` when they work with the dwellings of every one
    of them (otherwise aggregates only, with small groups hidden), ``prices`` when they may see the
    money (budget, estimate, actual)."""

    exact: bool
    prices: bool
    below: int

    def table(self, table: Table) -> Table:
        return table if self.exact else protect(table, self.below)
