"""Small-cell suppression: no shown total minus the shown cells may reveal a hidden count, in any row,
column or line of totals, for many random tables (hypothesis); zeros stay, exact viewers see all."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from progress.aggregates import Table, Viewer, protect, share
from progress.cells import Suppressed, is_suppressed

COLUMNS = [("a", "A"), ("b", "B"), ("c", "C")]


def table(rows, **kwargs):
    return Table.of_counts(
        "t",
        "T",
        COLUMNS,
        [(f"r{i}", f"R{i}", dict(zip("abc", row, strict=True))) for i, row in enumerate(rows)],
        **kwargs,
    )


def lines(t: Table):
    """Every (total, members) the table shows: the sums a reader could subtract."""
    columns = [key for key, _label in t.columns]
    for row in t.rows:
        yield row.total, [row.cells[c] for c in columns]
    for c in columns:
        yield t.totals[c], [row.cells[c] for row in t.rows]
    yield t.grand, [t.totals[c] for c in columns]
    yield t.grand, [row.total for row in t.rows]


def test_a_small_cell_and_its_partner_are_hidden_and_zeros_stay():
    t = protect(table([[25, 3, 0], [40, 30, 12]]), below=10)
    first = t.rows[0]
    assert first.cells["c"] == 0
    assert first.cells["b"] == Suppressed(10) and str(first.cells["b"]) == "< 10"
    # Row 0 had one hidden cell: its total (28) would reveal it, so another cell is hidden too, shown
    # as "x" (it is not small); column b likewise (the 30 below it or the column total).
    assert str(first.cells["a"]) == "x" and first.cells["a"] == Suppressed(10, small=False)
    for total, members in lines(t):
        hidden = [m for m in [total, *members] if is_suppressed(m)]
        assert len(hidden) != 1


def test_the_totals_add_up_for_an_exact_viewer():
    t = table([[1, 2, 3], [4, 5, 6]])
    viewer = Viewer(exact=True, prices=True, below=10)
    assert viewer.table(t) is t
    assert (t.rows[0].total, t.totals["b"], t.grand) == (6, 7, 21)


def test_nothing_hidden_when_every_count_is_large_or_zero():
    t = protect(table([[10, 0, 50], [0, 11, 99]]), below=10)
    assert not any(is_suppressed(v) for row in t.rows for v in [*row.cells.values(), row.total])
    assert t.grand == 170


def test_a_share_of_a_hidden_count_is_hidden():
    assert share(Suppressed(10), 50) == Suppressed(10, small=False)
    assert str(share(Suppressed(10), 50)) == "x"
    assert share(25, 50) == 50 and share(3, 0) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(min_value=0, max_value=40), min_size=3, max_size=3), min_size=1, max_size=6)
)
def test_no_shown_line_reveals_a_hidden_count(rows):
    original = table(rows)
    truth = [[row.cells[c] for c, _l in COLUMNS] for row in original.rows]
    t = protect(table(rows), below=10)
    for total, members in lines(t):
        hidden = [m for m in [total, *members] if is_suppressed(m)]
        assert len(hidden) != 1, (rows, total, members)
    # Every count below the threshold, and above zero, shows "< 10"; what else is hidden shows "x"
    # (never "< 10" for a count that is not small); every shown count is true.
    for (i, row), (j, column) in itertools.product(enumerate(t.rows), enumerate("abc")):
        value = row.cells[column]
        if 0 < truth[i][j] < 10:
            assert is_suppressed(value) and value.small
        elif is_suppressed(value):
            assert not value.small and str(value) == "x"
        else:
            assert value == truth[i][j]
