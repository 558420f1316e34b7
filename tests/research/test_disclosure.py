"""Disclosure control, checked by property: for random tables no small count is shown,
no percentage rests on a small base, and no hidden count can be worked out by linear
algebra from what is shown and the table's equations."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cocreate.research.disclosure import (
    FilterRefusal,
    Status,
    filter_refusal,
    find_bridges,
    percent_allowed,
    protect_one_way,
    protect_two_way,
)

COUNT = st.integers(min_value=0, max_value=40)
K = st.integers(min_value=2, max_value=12)


@st.composite
def tables(draw):
    rows = draw(st.integers(min_value=1, max_value=8))
    cols = draw(st.integers(min_value=1, max_value=6))
    return [[draw(COUNT) for _ in range(cols)] for _ in range(rows)]


def extend(cells):
    """The table with row totals, column totals and the grand total as cells."""
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def equations(rows, cols):
    """Row and column equations of an extended grid, one matrix row each (cells flattened)."""
    matrix = []
    for i in range(rows):
        eq = np.zeros(rows * cols)
        eq[i * cols:(i + 1) * cols] = 1
        eq[i * cols + cols - 1] = -1
        matrix.append(eq)
    for j in range(cols):
        eq = np.zeros(rows * cols)
        eq[j::cols] = 1
        eq[(rows - 1) * cols + j] = -1
        matrix.append(eq)
    return np.array(matrix)


def determined(matrix, hidden):
    """Hidden variables (column indices) whose value follows from the visible ones:
    those whose unit vector lies in the row space of the equations restricted to the
    hidden variables."""
    if not hidden:
        return []
    restricted = matrix[:, hidden]
    rank = np.linalg.matrix_rank(restricted)
    found = []
    for position, variable in enumerate(hidden):
        unit = np.zeros(len(hidden))
        unit[position] = 1
        if np.linalg.matrix_rank(np.vstack([restricted, unit])) == rank:
            found.append(variable)
    return found


@settings(max_examples=300, deadline=None)
@given(cells=tables(), k=K)
def test_two_way_tables_disclose_nothing(cells, k):
    grid = extend(cells)
    rows, cols = len(grid), len(grid[0])
    status = protect_two_way(grid, k)

    for i in range(rows):
        for j in range(cols):
            if status[i][j] is Status.SHOWN:
                assert not 1 <= grid[i][j] < k, (i, j, grid[i][j])
            if status[i][j] is Status.SMALL:
                assert 1 <= grid[i][j] < k
            # A percentage of the column's total only when that total is shown and ≥ k.
            if percent_allowed(grid[rows - 1][j], status[rows - 1][j], k):
                assert grid[rows - 1][j] >= k and status[rows - 1][j] is Status.SHOWN

    hidden = [i * cols + j for i in range(rows) for j in range(cols) if status[i][j] is not Status.SHOWN]
    assert determined(equations(rows, cols), hidden) == []
    edges = {(v // cols, v % cols) for v in hidden}
    assert find_bridges(edges, rows, cols) == set()


@settings(max_examples=200, deadline=None)
@given(cells=tables())
def test_researchers_see_the_raw_table(cells):
    grid = extend(cells)
    status = protect_two_way(grid, None)
    assert all(s is Status.SHOWN for row in status for s in row)
    statuses, total_status = protect_one_way(cells[0], sum(cells[0]), None)
    assert total_status is Status.SHOWN and set(statuses) <= {Status.SHOWN}


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(COUNT, min_size=1, max_size=12), k=K)
def test_one_way_tables_disclose_nothing(cells, k):
    total = sum(cells)
    statuses, total_status = protect_one_way(cells, total, k)
    everything = [*statuses, total_status]
    values = [*cells, total]
    for status, value in zip(everything, values, strict=True):
        if status is Status.SHOWN:
            assert not 1 <= value < k
    hidden = [i for i, s in enumerate(everything) if s is not Status.SHOWN]
    assert len(hidden) != 1
    matrix = np.array([[1.0] * len(cells) + [-1.0]])
    assert determined(matrix, hidden) == []
    if percent_allowed(total, total_status, k):
        assert total >= k and total_status is Status.SHOWN


def test_a_single_small_cell_takes_the_smallest_other_with_it():
    statuses, total_status = protect_one_way([3, 20, 12, 0], 35, 5)
    assert statuses == [Status.SMALL, Status.SHOWN, Status.HIDDEN, Status.SHOWN]
    assert total_status is Status.SHOWN


def test_a_small_cell_in_a_cross_table_is_hidden_with_a_rectangle():
    grid = extend([[20, 3], [30, 40]])
    status = protect_two_way(grid, 5)
    assert status[0][1] is Status.SMALL
    hidden = {(i, j) for i in range(3) for j in range(3) if status[i][j] is not Status.SHOWN}
    # The cheapest cycle through the small cell uses the other three interior cells.
    assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_nothing_small_hides_nothing():
    grid = extend([[0, 12], [30, 40]])
    assert all(s is Status.SHOWN for row in protect_two_way(grid, 10) for s in row)


# -- Filters --------------------------------------------------------------------

PEOPLE = 60


@st.composite
def populations(draw):
    everyone = draw(st.integers(min_value=0, max_value=PEOPLE))
    subset = st.frozensets(st.integers(min_value=0, max_value=max(everyone - 1, 0)), max_size=everyone) \
        if everyone else st.just(frozenset())
    chosen = draw(subset)
    others = draw(st.lists(subset, max_size=8))
    return everyone, chosen, others


@settings(max_examples=300, deadline=None)
@given(data=populations(), k=K)
def test_filter_rule_matches_its_definition(data, k):
    everyone, chosen, others = data
    refusal = filter_refusal(everyone, len(chosen), [(len(g), len(chosen & g)) for g in others], k)
    too_close = any(0 < len(chosen ^ g) < k for g in others)
    if len(chosen) < k:
        assert refusal is FilterRefusal.TOO_FEW
    elif everyone - len(chosen) < k:
        assert refusal is FilterRefusal.TOO_FEW_OUTSIDE
    elif too_close:
        assert refusal is FilterRefusal.TOO_CLOSE
    else:
        assert refusal is None
    if refusal is None:
        # What an allowed filter guarantees: its people, the rest, and every difference
        # with another filter on offer are either nobody or at least k people.
        assert len(chosen) >= k and everyone - len(chosen) >= k
        assert all(len(chosen ^ g) == 0 or len(chosen ^ g) >= k for g in others)


@given(data=populations())
def test_researchers_may_filter_freely(data):
    everyone, chosen, others = data
    assert filter_refusal(everyone, len(chosen), [(len(g), len(chosen & g)) for g in others], None) is None
