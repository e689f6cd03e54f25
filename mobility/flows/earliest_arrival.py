"""Exact single-commodity flows over time: the earliest-arrival curve.

Continuous-time model (Ford & Fulkerson 1958): flow enters arc ``e`` at a rate of at most
``capacity_per_h[e]`` and leaves it ``transit_h[e]`` hours later; nodes do not store flow.
The maximum amount that can reach the sink by time ``T`` is

    V(T) = max over static s-t flows x of  T*|x| - sum_e transit_h[e] * x_e,

attained by sending ``x`` repeatedly along the paths of its decomposition (a *temporally
repeated* flow). ``V`` is convex and piecewise linear in ``T``; its breakpoints are the lengths
``d_i`` of the successive shortest augmenting paths and its slope after ``d_i`` is the value of
the min-cost flow of the first ``i`` phases, so ``V(T) = sum_i max(0, T - d_i) * delta_i``.
One flow over time attains ``V(T)`` for every ``T`` simultaneously, the earliest-arrival flow
(Gale 1959; Wilkinson 1971; Minieka 1973), so ``V`` is the earliest-arrival curve.

Computation: every solve is one OR-Tools min-cost circulation on the static network plus a
return arc sink -> source of cost ``-T``; it returns a line tangent to ``V`` at ``T``. The
breakpoints up to the horizon are found by Eisner & Severance (1976) style parametric search:
intersect the tangent lines at the ends of an interval, solve at the intersection, and either
confirm a single breakpoint there or split the interval at the new line. It takes at most
about two solves per linear piece of ``V``. The default method instead runs the primal-dual
successive-shortest-path phases directly (one shortest-path search over numpy arrays and one
OR-Tools max flow per piece; see `_phase_lines`), which is several times faster.

Discretisation (documented once, used by every function here):

* transit times are rounded to the nearest multiple of ``time_resolution_h`` for the
  optimisation only; every curve and value returned evaluates the chosen static flows with the
  *unrounded* transit times, so it is attainable (a lower bound on the exact optimum). When
  all transit times are multiples of the resolution it is exact. Otherwise, for a network whose
  flow-carrying paths have at most ``k`` arcs, the loss is at most
  ``k * time_resolution_h * max_static_flow_per_h`` flow units.
* capacities are multiplied by a power of two ``scale`` (about ``2**36 / max static flow``)
  and rounded down, so integer capacities below about ``2**36 / max flow`` are exact and any
  rounding loses less than ``1/scale`` flow units per hour per arc.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from mobility._errors import FlowSolverError
from mobility.flows.problem import (
    _INT_BUDGET_STATIC,
    FlowProblem,
    _pow2_scale,
    _scaled_capacities,
)

__all__ = [
    "ArrivalCurve",
    "FlowSolverError",
    "earliest_arrival_curve",
    "max_flow_over_time",
    "max_static_flow",
    "min_cut",
]

EXACT_METHODS = ("parametric", "phases")  # options of earliest_arrival_curve(method=...)
_INT_BUDGET_FLOW = 2.0**36  # scaled max static flow; keeps total costs far inside int64
_REL_TOL = 1e-9


# --------------------------------------------------------------------------------------------
# Static max flow and min cut
# --------------------------------------------------------------------------------------------


def _solve_static_max_flow(problem: FlowProblem) -> tuple[max_flow.SimpleMaxFlow, float]:
    out_cap = float(problem.capacity_per_h[problem.tail == problem.source].sum())
    scale = _pow2_scale(out_cap, _INT_BUDGET_STATIC)
    cap = _scaled_capacities(problem.capacity_per_h, out_cap, scale)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(problem.tail, problem.head, cap)
    # Make sure both terminals exist as nodes even when isolated.
    solver.add_arc_with_capacity(problem.source, problem.sink, 0)
    status = solver.solve(problem.source, problem.sink)
    if status != solver.OPTIMAL:
        msg = f"OR-Tools SimpleMaxFlow returned status {status!r} on the static network"
        raise FlowSolverError(msg)
    return solver, scale


def max_static_flow(problem: FlowProblem) -> float:
    """Maximum static s-t flow, flow units per hour (the long-run throughput).

    Computed with OR-Tools ``SimpleMaxFlow`` (push-relabel, Goldberg & Tarjan 1988) on
    capacities scaled to integers and rounded down (see the module docstring).
    """
    solver, scale = _solve_static_max_flow(problem)
    return solver.optimal_flow() / scale


def min_cut(problem: FlowProblem) -> np.ndarray:
    """Arcs of a minimum s-t cut of the static network: the binding long-run bottleneck.

    Returns
    -------
    numpy.ndarray
        bool mask over arcs, True for arcs leaving the source side of the cut (the set of
        nodes still reachable from the source in the residual network of a maximum flow,
        OR-Tools ``GetSourceSideMinCut``). Removing these arcs disconnects the sink from the
        source, and their capacities add up to `max_static_flow` (Ford & Fulkerson 1956).
    """
    solver, _ = _solve_static_max_flow(problem)
    side = np.zeros(problem.n_nodes, dtype=bool)
    side[np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)] = True
    return side[problem.tail] & ~side[problem.head]


# --------------------------------------------------------------------------------------------
# Parametric min-cost circulation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Circulation:
    """The static network in OR-Tools integer form, costs in ticks of half a resolution."""

    arcs: np.ndarray  # indices of the problem arcs kept
    tail: np.ndarray
    head: np.ndarray
    capacity: np.ndarray  # int64, scaled
    cost_ticks: np.ndarray  # int64, 2 * round(transit / resolution)
    return_capacity: int
    source: int
    sink: int
    scale: float  # flow units per hour = integer flow / scale
    tick_h: float
    horizon_ticks: int
    max_static_flow_per_h: float

    def solve(self, t_ticks: int) -> tuple[int, int, np.ndarray]:
        """Min-cost circulation with return arc cost ``-t_ticks``.

        Returns the static flow value ``v``, its cost ``c`` in ticks (so the tangent line is
        ``V(T) >= T*v - c`` with equality at ``t_ticks``) and the integer arc flows.
        """
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(
            self.tail, self.head, self.capacity, self.cost_ticks
        )
        ret = solver.add_arc_with_capacity_and_unit_cost(
            self.sink, self.source, self.return_capacity, -int(t_ticks)
        )
        status = solver.solve()
        if status != solver.OPTIMAL:
            msg = (
                f"OR-Tools SimpleMinCostFlow returned status {status!r} at T = "
                f"{t_ticks * self.tick_h:g} h (capacity scale {self.scale:g}); "
                "capacities or transit times may be out of range"
            )
            raise FlowSolverError(msg)
        flows = np.asarray(solver.flows(np.arange(self.tail.shape[0])), dtype=np.int64)
        value = int(solver.flow(ret))
        cost = int(np.dot(flows, self.cost_ticks))
        return value, cost, flows


def _circulation(problem: FlowProblem, horizon_h: float, time_resolution_h: float) -> _Circulation:
    if not (math.isfinite(horizon_h) and horizon_h >= 0):
        msg = f"horizon_h must be finite and >= 0, got {horizon_h!r}"
        raise ValueError(msg)
    if not (math.isfinite(time_resolution_h) and time_resolution_h > 0):
        msg = f"time_resolution_h must be finite and > 0, got {time_resolution_h!r}"
        raise ValueError(msg)
    horizon_units = math.floor(horizon_h / time_resolution_h * (1 + 1e-12) + 1e-9)
    cost_units = np.rint(problem.transit_h / time_resolution_h)
    static_flow_per_h = max_static_flow(problem)
    # Arcs that cannot lie on a path of length <= horizon, arcs into the source and arcs out
    # of the sink never carry flow in an optimal solution; dropping them keeps solves small.
    keep = (
        (cost_units <= horizon_units)
        & (problem.head != problem.source)
        & (problem.tail != problem.sink)
    )
    arcs = np.flatnonzero(keep)
    scale = _pow2_scale(static_flow_per_h, _INT_BUDGET_FLOW)
    # No arc of an optimal (cycle-free) flow carries more than the max flow, so clip there.
    clip = static_flow_per_h * (1 + 1e-9) + 1.0 / scale
    return _Circulation(
        arcs=arcs,
        tail=problem.tail[arcs],
        head=problem.head[arcs],
        capacity=_scaled_capacities(problem.capacity_per_h[arcs], clip, scale),
        cost_ticks=2 * cost_units[arcs].astype(np.int64),
        return_capacity=math.ceil(static_flow_per_h * scale * (1 + 1e-9)) + 1,
        source=problem.source,
        sink=problem.sink,
        scale=scale,
        tick_h=time_resolution_h / 2,
        horizon_ticks=2 * horizon_units,
        max_static_flow_per_h=static_flow_per_h,
    )


def _tangent_lines(
    circ: _Circulation, tolerance_scaled: float
) -> tuple[dict[int, tuple[int, np.ndarray]], float]:
    """Linear pieces of the (integer) value function on [0, horizon], by slope.

    Eisner & Severance (1976) parametric search. Breakpoints are path lengths, hence even
    ticks; solving at odd ticks gives the unique piece there, solving at an even tick gives
    some supporting line, and exact integer arithmetic decides whether an interval holds a
    single breakpoint. An interval is not refined further when the chord between its two
    tangent points lies within ``tolerance_scaled`` of the tangent lines (convexity: the true
    function lies between them). Returns the lines and the largest gap left unrefined.
    """
    lines: dict[int, tuple[int, np.ndarray]] = {0: (0, np.zeros(circ.tail.shape[0], np.int64))}
    if circ.max_static_flow_per_h <= 0:
        return lines, 0.0
    t_hi = circ.horizon_ticks + 1
    v_hi, c_hi, x_hi = circ.solve(t_hi)
    lines[v_hi] = (c_hi, x_hi)
    max_gap = 0.0
    # (tangent point, slope, cost) at both ends of each interval still to examine
    stack = [((0, 0, 0), (t_hi, v_hi, c_hi))]
    while stack:
        (t_a, v_a, c_a), (t_b, v_b, c_b) = stack.pop()
        if v_a == v_b:
            continue
        t_star = Fraction(c_b - c_a, v_b - v_a)
        if tolerance_scaled > 0:
            y_a, y_b = t_a * v_a - c_a, t_b * v_b - c_b
            chord = y_a + (y_b - y_a) * (t_star - t_a) / (t_b - t_a)
            gap = float(chord - (t_star * v_a - c_a))
            if gap <= tolerance_scaled:
                max_gap = max(max_gap, gap)
                continue
        if t_star.denominator == 1 and t_star.numerator % 2 == 0:
            t_m = t_star.numerator
            v_m, c_m, x_m = circ.solve(t_m)
            if t_m * v_m - c_m == t_m * v_a - c_a:
                continue  # V = max(L_a, L_b) on the interval: a single breakpoint at t_star
        else:
            # Several breakpoints (even ticks) lie in [first, last] around t_star; the odd tick
            # just above the largest even tick <= t_star lies strictly between two of them.
            t_m = 2 * math.floor(t_star / 2) + 1
            v_m, c_m, x_m = circ.solve(t_m)
        if v_m in (v_a, v_b):  # cannot happen in exact arithmetic; guard against loops
            continue
        if v_m not in lines or c_m < lines[v_m][0]:
            lines[v_m] = (c_m, x_m)
        stack.append(((t_m, v_m, c_m), (t_b, v_b, c_b)))
        stack.append(((t_a, v_a, c_a), (t_m, v_m, c_m)))
    return lines, max_gap


_INF = np.int64(2**62)


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(starts[i], starts[i] + counts[i])`` (vectorised)."""
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total, dtype=np.int64)


@dataclass(frozen=True)
class _ResidualCSR:
    """The residual network of `_phase_lines` in CSR form, sorted by tail then head, so the
    parallel arcs of one node pair (a forward arc beside the reverse of its opposite) are
    adjacent: ``pair_start`` indexes the first arc of each pair."""

    n_nodes: int
    order: np.ndarray  # residual arc of each CSR position
    indptr: np.ndarray
    head: np.ndarray
    pair_start: np.ndarray
    pair_tail: np.ndarray
    pair_head: np.ndarray

    @classmethod
    def of(cls, tail: np.ndarray, head: np.ndarray, n_nodes: int) -> _ResidualCSR:
        order = np.lexsort((head, tail))
        csr_tail, csr_head = tail[order], head[order]
        indptr = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail, minlength=n_nodes), out=indptr[1:])
        new_pair = np.ones(order.shape[0], dtype=bool)
        new_pair[1:] = (csr_tail[1:] != csr_tail[:-1]) | (csr_head[1:] != csr_head[:-1])
        pair_start = np.flatnonzero(new_pair)
        return cls(n_nodes, order, indptr, csr_head, pair_start, csr_tail[pair_start],
                   csr_head[pair_start])


# Distances below this are exact in float64 (scipy's Dijkstra): integer sums up to 2**53.
_EXACT_FLOAT = 2**53


def _capped_distances(
    graph: _ResidualCSR,
    csr_cost: np.ndarray,
    source: int,
    sink: int,
) -> np.ndarray:
    """Shortest distances from ``source`` over arcs of non-negative integer cost (``_INF``:
    no arc), capped at the sink's distance (``_INF`` everywhere unreachable if the sink is
    unreachable).

    Every node at least as far as the sink gets the sink's distance, which keeps the reduced
    costs of the primal-dual method non-negative (its admissible arcs are then exactly those
    on shortest source-sink paths). Dijkstra (1959) over CSR arrays (scipy.sparse.csgraph, in
    compiled code) on the cheapest arc of each node pair; the costs are integers and every
    distance is below 2**53, so float64 holds them exactly. Where a path could be longer, the
    vectorised label-correcting rounds (`_capped_distances_rounds`) give the same answer in
    integers.
    """
    cost = np.minimum.reduceat(csr_cost, graph.pair_start) if csr_cost.size else csr_cost
    keep = cost < _INF
    n = graph.n_nodes
    if not keep.any() or int(cost[keep].max()) >= _EXACT_FLOAT // max(n, 1):
        return _capped_distances_rounds(graph.indptr, graph.head, csr_cost, n, source, sink)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(graph.pair_tail[keep], minlength=n), out=indptr[1:])
    # Explicit zeros are arcs of cost zero for csgraph (it reads the stored entries).
    matrix = csr_array((cost[keep].astype(np.float64), graph.pair_head[keep], indptr),
                       shape=(n, n))
    found = dijkstra(matrix, directed=True, indices=source)
    reached = np.isfinite(found)
    dist = np.full(n, _INF, dtype=np.int64)
    dist[reached] = found[reached].astype(np.int64)
    if dist[sink] >= _INF:
        return dist
    return np.minimum(dist, dist[sink])


def _capped_distances_rounds(
    indptr: np.ndarray,
    csr_head: np.ndarray,
    csr_cost: np.ndarray,
    n_nodes: int,
    source: int,
    sink: int,
) -> np.ndarray:
    """`_capped_distances` in integers, for any path length: a vectorised label-correcting
    search (synchronous Bellman-Ford rounds over the nodes whose
    label improved). Labels at or above the sink's current label are pruned: every node at
    least as far as the sink gets the sink's distance, which keeps the reduced costs of the
    primal-dual method non-negative (its admissible arcs are then exactly those on shortest
    source-sink paths).
    """
    dist = np.full(n_nodes, _INF, dtype=np.int64)
    dist[source] = 0
    frontier = np.array([source], dtype=np.int64)
    owner = np.zeros(n_nodes, dtype=np.int64)  # scratch for de-duplicating the frontier
    while frontier.size:
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        idx = _ranges(starts, counts)
        cand = np.repeat(dist[frontier], counts) + csr_cost[idx]
        heads = csr_head[idx]
        better = cand < np.minimum(dist[heads], dist[sink])
        heads, cand = heads[better], cand[better]
        if not heads.size:
            break
        np.minimum.at(dist, heads, cand)
        position = np.arange(heads.shape[0])
        owner[heads] = position  # one write per node survives: keeps one copy of each head
        frontier = heads[owner[heads] == position]
    if dist[sink] >= _INF:
        return dist
    return np.minimum(dist, dist[sink])


def _phase_lines(circ: _Circulation) -> dict[int, tuple[int, np.ndarray]]:
    """Linear pieces of the (integer) value function, one per successive-shortest-path phase.

    Primal-dual min-cost flow (Ford & Fulkerson 1962, ch. III; the "phases" of the
    successive-shortest-path method): node potentials make all residual reduced costs
    non-negative; each phase computes shortest distances with reduced costs
    (`_capped_distances`), raises the potentials, and sends a maximum flow (OR-Tools
    ``SimpleMaxFlow``) through the admissible arcs (zero reduced cost), i.e. along *all*
    shortest augmenting paths of the current length at once. Phase ``i`` adds one breakpoint
    at that length ``d_i`` with slope increment ``delta_i`` (Minieka 1973; Wilkinson 1971).
    Stops when the sink is unreachable or the length exceeds the horizon.
    """
    m = circ.tail.shape[0]
    lines: dict[int, tuple[int, np.ndarray]] = {0: (0, np.zeros(m, np.int64))}
    if circ.max_static_flow_per_h <= 0 or m == 0:
        return lines
    s, t = circ.source, circ.sink
    n = int(max(circ.tail.max(), circ.head.max(), s, t)) + 1
    # Residual arcs: 0..m-1 forward (residual cap - x), m..2m-1 backward (residual x).
    tail2 = np.concatenate([circ.tail, circ.head])
    head2 = np.concatenate([circ.head, circ.tail])
    cost2 = np.concatenate([circ.cost_ticks, -circ.cost_ticks])
    graph = _ResidualCSR.of(tail2, head2, n)
    order = graph.order
    # Residual capacities (forward: capacity - x, backward: x) and reduced costs, both updated
    # in place phase by phase; the reduced costs that pick the admissible arcs of one phase
    # are those the next phase's shortest-path search starts from.
    residual = np.concatenate([circ.capacity, np.zeros(m, dtype=np.int64)])
    reduced = cost2.copy()
    pi = np.zeros(n, dtype=np.int64)
    value, cost = 0, 0
    while True:
        csr_cost = np.where(residual > 0, reduced, _INF)[order]
        dist = _capped_distances(graph, csr_cost, s, t)
        if dist[t] >= _INF:
            break
        pi += dist
        length = int(pi[t] - pi[s])
        if length > circ.horizon_ticks:
            break
        reduced = cost2 + pi[tail2] - pi[head2]
        admissible = np.flatnonzero((residual > 0) & (reduced == 0))
        solver = max_flow.SimpleMaxFlow()
        solver.add_arcs_with_capacity(tail2[admissible], head2[admissible], residual[admissible])
        solver.add_arc_with_capacity(s, t, 0)
        status = solver.solve(s, t)
        if status != solver.OPTIMAL:
            msg = f"OR-Tools SimpleMaxFlow returned status {status!r} in a primal-dual phase"
            raise FlowSolverError(msg)
        delta = int(solver.optimal_flow())
        if delta <= 0:  # cannot happen: the sink is reachable along admissible arcs
            break
        pushed = np.asarray(solver.flows(np.arange(admissible.shape[0])), dtype=np.int64)
        # Each index appears once in admissible and once in its twins: plain fancy updates.
        residual[admissible] -= pushed
        residual[np.where(admissible < m, admissible + m, admissible - m)] += pushed
        value += delta
        cost += delta * length
        lines[value] = (cost, residual[m:].copy())  # the backward residuals are the flow x
    return lines


# --------------------------------------------------------------------------------------------
# The curve
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ArrivalCurve:
    """Earliest-arrival curve of a `FlowProblem` up to a horizon.

    Attributes
    ----------
    breakpoints_h
        Sorted times ``d_i`` (hours) at which the arrival rate increases: the lengths of the
        successive shortest paths (only those with a positive rate increment).
    rates_per_h
        Arrival rate (flow units per hour) after each breakpoint, i.e. the value of the
        optimal static flow that is temporally repeated; the slope of the curve after ``d_i``.
    horizon_h
        The curve is valid on ``[0, horizon_h]``.
    max_static_flow_per_h
        Maximum static s-t flow (long-run throughput), flow units per hour; the slope the curve
        would reach eventually, which may exceed ``rates_per_h[-1]`` if the horizon is short.
    max_error
        Proven bound (flow units) on how far `arrivals` may lie below the optimum at any time
        because of the ``tolerance`` of `earliest_arrival_curve` (0 when exact); transit-time
        rounding (module docstring) comes on top when transit times are not multiples of the
        resolution.
    problem
        The problem the curve was computed for.
    """

    breakpoints_h: np.ndarray
    rates_per_h: np.ndarray
    horizon_h: float
    max_static_flow_per_h: float
    max_error: float
    problem: FlowProblem
    _flow_arcs: tuple[np.ndarray, ...]  # per piece: indices of flow-carrying arcs
    _flow_per_h: tuple[np.ndarray, ...]  # per piece: their flow, units per hour
    _offsets: np.ndarray  # sum_{j<=i} delta_j * d_j, so arrivals = rate_i * t - offset_i

    def _check_times(self, t_h: np.ndarray) -> None:
        if np.any(~np.isfinite(t_h)) or np.any(t_h > self.horizon_h * (1 + 1e-12) + 1e-12):
            bad = t_h[~(np.isfinite(t_h) & (t_h <= self.horizon_h * (1 + 1e-12) + 1e-12))]
            msg = (
                f"time {bad.flat[0]!r} h is outside the curve's range (-inf, {self.horizon_h:g}] "
                "h; recompute the curve with a longer horizon_h"
            )
            raise ValueError(msg)

    def arrivals(self, t_h: float | np.ndarray) -> float | np.ndarray:
        """Cumulative flow units arrived at the sink by time ``t_h`` (hours), vectorised.

        ``sum_i max(0, t - d_i) * delta_i``; 0 for ``t <= breakpoints_h[0]``.
        """
        t = np.asarray(t_h, dtype=np.float64)
        self._check_times(t)
        k = np.searchsorted(self.breakpoints_h, t, side="right")  # pieces started by t
        rate = np.concatenate(([0.0], self.rates_per_h))[k]
        off = np.concatenate(([0.0], self._offsets))[k]
        out = np.maximum(rate * t - off, 0.0)
        return float(out) if out.ndim == 0 else out

    def _piece(self, t_h: float) -> int:
        t = np.asarray(float(t_h))
        self._check_times(t)
        # Left piece at a breakpoint: at t = d_i the new path would carry nothing.
        return int(np.searchsorted(self.breakpoints_h, t, side="left")) - 1

    def static_flow(self, t_h: float) -> np.ndarray:
        """Static arc flows (flow units per hour, one per arc) whose temporal repetition
        attains the maximum flow over time by ``t_h``; respects capacities and conservation.
        """
        x = np.zeros(self.problem.n_arcs)
        k = self._piece(t_h)
        if k >= 0:
            x[self._flow_arcs[k]] = self._flow_per_h[k]
        return x

    def first_use_h(self, t_h: float) -> np.ndarray:
        """For each arc, the earliest time (hours) flow enters it in the temporally repeated
        flow for horizon ``t_h``: the shortest transit time from the source to the arc's tail
        along flow-carrying arcs (Dijkstra). NaN for arcs that carry no flow.
        """
        p = self.problem
        out = np.full(p.n_arcs, np.nan)
        k = self._piece(t_h)
        if k < 0:
            return out
        arcs = self._flow_arcs[k]
        adjacency: dict[int, list[tuple[int, float]]] = {}
        for e in arcs.tolist():
            adjacency.setdefault(int(p.tail[e]), []).append((int(p.head[e]), float(p.transit_h[e])))
        dist = {p.source: 0.0}
        heap = [(0.0, p.source)]
        while heap:
            d, v = heapq.heappop(heap)
            if d > dist[v]:
                continue
            for w, tau in adjacency.get(v, ()):
                nd = d + tau
                if nd < dist.get(w, math.inf):
                    dist[w] = nd
                    heapq.heappush(heap, (nd, w))
        out[arcs] = [dist.get(int(v), np.nan) for v in p.tail[arcs].tolist()]
        return out

    def time_to_deliver_h(self, amount: float) -> float:
        """Earliest time (hours) by which ``amount`` flow units have arrived; NaN if that is
        later than the horizon."""
        if amount <= 0:
            return 0.0
        for i in range(self.breakpoints_h.shape[0]):
            end = self.breakpoints_h[i + 1] if i + 1 < self.breakpoints_h.shape[0] else None
            end_h = self.horizon_h if end is None else float(end)
            if self.rates_per_h[i] * end_h - self._offsets[i] >= amount or end is None:
                t = (amount + self._offsets[i]) / self.rates_per_h[i]
                return float(t) if t <= self.horizon_h * (1 + 1e-12) else math.nan
        return math.nan


def _upper_envelope(slopes: list[float], intercepts: list[float]) -> tuple[list[int], list[float]]:
    """Upper envelope of the lines ``y = s*t - c`` (convex hull trick).

    Returns the indices of the lines on the envelope by increasing slope and, for each, the
    time from which it is the maximum (``-inf`` for the first).
    """
    order = sorted(range(len(slopes)), key=lambda i: (slopes[i], intercepts[i]))
    hull: list[int] = []
    starts: list[float] = []
    for i in order:
        if hull and slopes[hull[-1]] == slopes[i]:
            continue  # same slope and a higher cost (sorted): dominated everywhere
        while True:
            if not hull:
                start = -math.inf
                break
            j = hull[-1]
            start = (intercepts[i] - intercepts[j]) / (slopes[i] - slopes[j])
            if start <= starts[-1]:
                hull.pop()
                starts.pop()
            else:
                break
        hull.append(i)
        starts.append(start)
    return hull, starts


def earliest_arrival_curve(
    problem: FlowProblem,
    horizon_h: float,
    *,
    time_resolution_h: float = 1 / 60,
    tolerance: float = 0.0,
    method: str | None = None,
) -> ArrivalCurve:
    """Exact earliest-arrival curve (maximum flow over time for every T <= horizon_h).

    Parameters
    ----------
    problem
        The network.
    horizon_h
        Latest time of interest, hours.
    time_resolution_h
        Transit times are rounded to multiples of this for the optimisation (default one
        minute); see the module docstring for the resulting (small, one-sided) error.
    tolerance
        Flow units. 0 (default) finds every linear piece (exact). A positive value stops
        refining an interval once the curve is proven within ``tolerance`` flow units of the
        optimum there, which saves most solves on large networks with many short pieces; the
        bound actually left is reported as ``ArrivalCurve.max_error``. The curve is always
        attainable (a lower bound on the optimum). Only used by ``method="parametric"``.
    method
        ``"phases"`` (the default when ``tolerance`` is 0): primal-dual successive-shortest-path
        phases, one vectorised shortest-path search and one OR-Tools max flow per piece
        (always exact). ``"parametric"`` (the default when ``tolerance`` > 0): Eisner &
        Severance parametric search over OR-Tools min-cost circulations, about two solves per
        piece. Both give the same curve of the
        rounded problem; with transit times that are not multiples of the resolution they may
        pick different optimal flows among ties, hence slightly different (both attainable)
        curves. ``mobility bench`` times both.

    Returns
    -------
    ArrivalCurve

    Notes
    -----
    Temporally repeated flows (Ford & Fulkerson 1958) are optimal for every horizon; the curve
    ``sum_i max(0, T - d_i) * delta_i`` over the successive-shortest-path phases is attained by
    one earliest-arrival flow (Gale 1959; Wilkinson 1971; Minieka 1973). Each linear piece is
    found by parametric search over T (Eisner & Severance 1976) with OR-Tools min-cost
    circulations; about two solves per piece.
    """
    if not (math.isfinite(tolerance) and tolerance >= 0):
        msg = f"tolerance must be finite and >= 0 flow units, got {tolerance!r}"
        raise ValueError(msg)
    if method is None:
        method = "parametric" if tolerance > 0 else "phases"
    if method not in EXACT_METHODS:
        msg = f"method = {method!r} is not valid (options: {', '.join(EXACT_METHODS)})"
        raise ValueError(msg)
    circ = _circulation(problem, horizon_h, time_resolution_h)
    if method == "phases":
        lines, gap = _phase_lines(circ), 0.0
    else:
        # Lines are in ticks x scaled flow: one flow unit by the horizon is tick_h^-1 * scale.
        lines, gap = _tangent_lines(circ, tolerance * circ.scale / circ.tick_h)
    # Evaluate every found flow with the unrounded transit times: the curve is then attainable.
    transit = problem.transit_h[circ.arcs]
    slopes, intercepts, flows = [], [], []
    for value, (_, x) in sorted(lines.items()):
        slopes.append(value / circ.scale)
        intercepts.append(_flow_time(x, transit) / circ.scale)
        flows.append(x)
    hull, starts = _upper_envelope(slopes, intercepts)
    breakpoints, rates, offsets, arc_sets, values = [], [], [], [], []
    for i, start in zip(hull, starts, strict=True):
        if slopes[i] <= 0:
            continue
        if start > horizon_h:
            break
        x = flows[i]
        nz = np.flatnonzero(x)
        breakpoints.append(max(start, 0.0))
        rates.append(slopes[i])
        offsets.append(intercepts[i])
        arc_sets.append(circ.arcs[nz])
        values.append(x[nz] / circ.scale)
    return ArrivalCurve(
        breakpoints_h=np.asarray(breakpoints, dtype=np.float64),
        rates_per_h=np.asarray(rates, dtype=np.float64),
        horizon_h=float(horizon_h),
        max_static_flow_per_h=circ.max_static_flow_per_h,
        max_error=gap * circ.tick_h / circ.scale,
        problem=problem,
        _flow_arcs=tuple(arc_sets),
        _flow_per_h=tuple(values),
        _offsets=np.asarray(offsets, dtype=np.float64),
    )


def _flow_time(x: np.ndarray, transit_h: np.ndarray) -> float:
    """``sum_e x_e * transit_h[e]`` by numpy's pairwise summation, not BLAS: a threaded
    OpenBLAS dot of 100k elements took 7 ms instead of 0.1 on a 2-core machine kept busy by
    other work (its threads wait for cores), and pairwise summation does not depend on the
    thread count."""
    return float(np.add.reduce(x * transit_h))


def max_flow_over_time(
    problem: FlowProblem, horizon_h: float, *, time_resolution_h: float = 1 / 60
) -> float:
    """Maximum flow units that can reach the sink by ``horizon_h`` (hours).

    One OR-Tools min-cost circulation with return arc cost ``-horizon_h``; the optimal static
    flow is temporally repeated (Ford & Fulkerson 1958). Transit times are rounded to
    ``time_resolution_h`` for the optimisation and the value is evaluated with the true ones.
    """
    circ = _circulation(problem, horizon_h, time_resolution_h)
    if circ.max_static_flow_per_h <= 0:
        return 0.0
    value, _, x = circ.solve(circ.horizon_ticks)
    cost_h = _flow_time(x, problem.transit_h[circ.arcs])
    return max(0.0, (horizon_h * value - cost_h) / circ.scale)
