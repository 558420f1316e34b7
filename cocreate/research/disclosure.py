"""Disclosure control for published counts: pure functions, no Flask, no database.

Everyone but the study's researchers sees survey results through these rules, so
that nobody can learn how a small group (say, the three people born outside the
EU who live in the centre) answered.

Tables come in two shapes:

- a **one-way** table is a list of counts and their total — one equation,
  "the cells add up to the total";
- a **two-way** table (question × breakdown group) is given as its *extended*
  ``(R+1) × (C+1)`` grid: ``R`` category rows and ``C`` group columns, the last
  row holding the column totals, the last column the row totals, the corner the
  grand total. Every cell, margins included, lies in exactly one row equation
  and one column equation.

Primary suppression hides every count ``1 ≤ n < k`` (zeros are shown).
Complementary suppression then makes sure no hidden count can be worked out
from what is visible: in a two-way table the hidden cells are the edges of a
bipartite graph between row nodes and column nodes, and a hidden cell is
exactly determined by the visible cells and the equations iff its edge is a
*bridge* of that graph (it lies on no cycle). So while a bridge exists, the
cheapest path of further cells that closes a cycle through it is hidden too.
Costs favour small interior counts; zeros (which give little protection once
one knows counts are never negative) and above all margins are used only when
nothing else can close the cycle.

Where the columns do not really add up (multiple choice, overlapping groups)
the same rules are applied anyway: the protection is then stronger than needed.

``k=None`` means "no suppression" — the researchers' view.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable, Sequence


class Status(enum.StrEnum):
    SHOWN = "shown"
    #: Primary suppression: a count from 1 to k − 1.
    SMALL = "small"
    #: Complementary suppression: hidden so that a small count cannot be worked out.
    HIDDEN = "hidden"


#: Costs of hiding a further cell (besides its count, for interior cells).
ZERO_COST = 10_000
MARGIN_COST = 1_000_000
GRAND_TOTAL_COST = 100_000_000


def is_small(count: int, k: int | None) -> bool:
    return k is not None and 1 <= count < k


def is_visible(status: Status) -> bool:
    return status is Status.SHOWN


def percent_allowed(base: int, base_status: Status, k: int | None) -> bool:
    """A percentage needs a visible base of at least k (any non-zero base without k)."""
    return base_status is Status.SHOWN and base > 0 and (k is None or base >= k)


# -- One-way tables -------------------------------------------------------------


def protect_one_way(cells: Sequence[int], total: int, k: int | None) -> tuple[list[Status], Status]:
    """Statuses of ``cells`` and of ``total`` under the single equation sum(cells) = total.

    One hidden value among cells and total could be computed from the others, so
    it is always zero or at least two: when primary suppression hides exactly one,
    the cheapest further cell is hidden (the smallest non-zero count, else a zero,
    else the total).
    """
    if k is None:
        return [Status.SHOWN] * len(cells), Status.SHOWN
    statuses = [Status.SMALL if is_small(n, k) else Status.SHOWN for n in cells]
    total_status = Status.SMALL if is_small(total, k) else Status.SHOWN
    hidden = sum(s is not Status.SHOWN for s in statuses) + (total_status is not Status.SHOWN)
    if hidden == 1:
        candidates = [(n if n else ZERO_COST, index) for index, n in enumerate(cells)
                      if statuses[index] is Status.SHOWN]
        if total_status is Status.SHOWN:
            candidates.append((MARGIN_COST + total, -1))
        if candidates:
            _cost, index = min(candidates)
            if index == -1:
                total_status = Status.HIDDEN
            else:
                statuses[index] = Status.HIDDEN
    return statuses, total_status


# -- Two-way tables -------------------------------------------------------------


def protect_two_way(grid: Sequence[Sequence[int]], k: int | None) -> list[list[Status]]:
    """Statuses for every cell of an extended ``(R+1) × (C+1)`` grid (margins last).

    Terminates: each round hides at least one more cell (a bridge's endpoints are
    connected by no hidden path, so the closing path contains a visible cell).
    """
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    if k is None or rows == 0 or cols == 0:
        return [[Status.SHOWN] * cols for _ in range(rows)]
    status = [[Status.SMALL if is_small(grid[i][j], k) else Status.SHOWN for j in range(cols)]
              for i in range(rows)]
    if rows < 2 or cols < 2:
        # Not an extended grid (no margins): nothing can close a cycle; hide all that is small.
        return status
    for _round in range(rows * cols + 1):
        hidden = {(i, j) for i in range(rows) for j in range(cols) if status[i][j] is not Status.SHOWN}
        bridges = find_bridges(hidden, rows, cols)
        if not bridges:
            return status
        path = _cheapest_closing_path(grid, hidden, min(bridges), rows, cols)
        if not path:  # cannot happen in a grid of at least 2 × 2; hide everything to be safe
            break
        for i, j in path:
            if status[i][j] is Status.SHOWN:
                status[i][j] = Status.HIDDEN
    return [[s if s is not Status.SHOWN else Status.HIDDEN for s in row] for row in status]


def _cell_cost(grid, i: int, j: int, rows: int, cols: int) -> int:
    count = grid[i][j]
    if i == rows - 1 and j == cols - 1:
        return GRAND_TOTAL_COST
    if i == rows - 1 or j == cols - 1:
        return MARGIN_COST + count
    return count + 1 if count else ZERO_COST


def _cheapest_closing_path(grid, hidden: set[tuple[int, int]], bridge: tuple[int, int],
                           rows: int, cols: int) -> list[tuple[int, int]]:
    """The cells of the cheapest path from the bridge's row to its column that does not
    use the bridge itself (already hidden cells cost nothing): with the bridge it
    forms a cycle. Dijkstra on the complete bipartite graph, which is small."""
    start, goal = bridge[0], rows + bridge[1]
    nodes = rows + cols
    infinity = sys.maxsize
    distance = [infinity] * nodes
    previous: list[int | None] = [None] * nodes
    done = [False] * nodes
    distance[start] = 0
    while True:
        node = min((n for n in range(nodes) if not done[n]), key=lambda n: distance[n], default=None)
        if node is None or distance[node] == infinity:
            return []
        if node == goal:
            break
        done[node] = True
        if node < rows:
            neighbours = ((rows + j, (node, j)) for j in range(cols))
        else:
            neighbours = ((i, (i, node - rows)) for i in range(rows))
        for other, cell in neighbours:
            if done[other] or cell == bridge:
                continue
            step = 0 if cell in hidden else _cell_cost(grid, *cell, rows, cols)
            if distance[node] + step < distance[other]:
                distance[other] = distance[node] + step
                previous[other] = node
    path = []
    node = goal
    while node != start:
        before = previous[node]
        path.append((before, node - rows) if before < rows else (node, before - rows))
        node = before
    return path


def find_bridges(edges: Iterable[tuple[int, int]], rows: int, cols: int) -> set[tuple[int, int]]:
    """Bridges of the bipartite graph whose edge ``(i, j)`` joins row node ``i`` to column
    node ``j`` (Tarjan's low-link, iterative so deep tables cannot hit the recursion limit)."""
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, j in edges:
        adjacency.setdefault(i, []).append((rows + j, (i, j)))
        adjacency.setdefault(rows + j, []).append((i, (i, j)))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    bridges: set[tuple[int, int]] = set()
    counter = 0
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for other, edge in neighbours:
                if edge == via:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = counter
                    counter += 1
                    stack.append((other, edge, iter(adjacency[other])))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    bridges.add(via)
    return bridges


# -- Filters --------------------------------------------------------------------


class FilterRefusal(enum.StrEnum):
    #: Fewer than k people match the filter.
    TOO_FEW = "too_few"
    #: Fewer than k people do not match it (the difference with the whole would show them).
    TOO_FEW_OUTSIDE = "too_few_outside"
    #: Another offered filter selects almost the same people (the difference would show them).
    TOO_CLOSE = "too_close"


def filter_refusal(everyone: int, size: int, others: Iterable[tuple[int, int]],
                   k: int | None) -> FilterRefusal | None:
    """Why a filter with ``size`` of ``everyone`` people may not be applied, or None.

    ``others`` gives, for every other filter on offer, its size and the number of
    people matching both: the symmetric difference is ``|F| + |G| − 2|F ∩ G|``
    and must be 0 (the same people) or at least k.
    """
    if k is None:
        return None
    if size < k:
        return FilterRefusal.TOO_FEW
    if everyone - size < k:
        return FilterRefusal.TOO_FEW_OUTSIDE
    for other_size, both in others:
        if 0 < size + other_size - 2 * both < k:
            return FilterRefusal.TOO_CLOSE
    return None
