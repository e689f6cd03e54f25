"""Time-expanded (discrete-time) flow models: the naive baseline and a multi-commodity LP.

Discrete model (Ford & Fulkerson 1958, ch. III; Fleischer & Tardos 1998). Time is cut into
``K = floor(horizon_h / step_h)`` steps ``[k*step_h, (k+1)*step_h)``. Node ``v`` has one copy
per step; flow entering arc ``e`` during step ``k`` (at most ``capacity_per_h * step_h`` units)
leaves it during step ``k + lag_e`` with ``lag_e = ceil(transit_h / step_h)`` (zero-transit
arcs stay in the step); flow may wait at nodes (holdover arcs). Only flow that reaches the sink
in a step ``<= K - 1``, i.e. by ``K * step_h``, counts.

Agreement with the exact continuous curve ``V`` of `mobility.flows.earliest_arrival`:
rounding transit up only delays flow, so for ``T = K * step_h``

    V(T - k * step_h) <= discrete(T) <= V(T),

where ``k`` is the largest number of arcs with a transit time that is not a multiple of
``step_h`` on a flow-carrying path (each such arc is delayed by less than one step). When every
transit time is a multiple of ``step_h`` (e.g. integer hours with ``step_h = 1``) the two models
agree exactly at every ``T`` that is a multiple of the step (Fleischer & Tardos 1998).

Memory grows with ``K * (n_arcs + n_nodes)``: see `time_expanded_size` before building one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow
from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]  # not in its stubs

from mobility.flows.earliest_arrival import FlowSolverError
from mobility.flows.problem import FlowProblem, _pow2_scale, _scaled_capacities

__all__ = [
    "ArcCapacityChange",
    "Commodity",
    "TimeExpandedFlow",
    "TimeExpandedResult",
    "TimeExpandedSize",
    "time_expanded_flow",
    "time_expanded_lp",
    "time_expanded_max_flow",
    "time_expanded_size",
]

_INT_BUDGET_TOTAL = 2.0**50  # scaled upper bound on the total flow of the expanded network
_BYTES_PER_ARC = 80  # OR-Tools max flow (forward + reverse arc) plus the numpy build arrays
_BYTES_PER_NODE = 40


def _n_steps(horizon_h: float, step_h: float) -> int:
    if not (math.isfinite(step_h) and step_h > 0):
        msg = f"step_h must be finite and > 0, got {step_h!r}"
        raise ValueError(msg)
    if not (math.isfinite(horizon_h) and horizon_h >= 0):
        msg = f"horizon_h must be finite and >= 0, got {horizon_h!r}"
        raise ValueError(msg)
    return math.floor(horizon_h / step_h * (1 + 1e-12) + 1e-9)


def _lags(problem: FlowProblem, step_h: float) -> np.ndarray:
    """Transit in whole steps, rounded up (a 1e-9 relative slack absorbs float noise)."""
    return np.ceil(problem.transit_h / step_h * (1 - 1e-12) - 1e-9).clip(min=0).astype(np.int64)


@dataclass(frozen=True)
class TimeExpandedSize:
    """Size of a time-expanded network and a rough estimate of the memory to solve it."""

    n_steps: int
    n_nodes: int
    n_arcs: int
    approx_bytes: int


def time_expanded_size(problem: FlowProblem, horizon_h: float, step_h: float) -> TimeExpandedSize:
    """Nodes, arcs and approximate peak memory of `time_expanded_max_flow` (no solve).

    The memory estimate is ``80 B`` per arc and ``40 B`` per node (OR-Tools stores each arc
    and its reverse; the numpy arrays used to build it are alive at the same time); it is
    meant to refuse sizes that cannot fit, not to be precise.
    """
    k = _n_steps(horizon_h, step_h)
    lags = _lags(problem, step_h)
    n_arc_copies = int(np.clip(k - lags, 0, None).sum())
    n_holdover = problem.n_nodes * max(k - 1, 0)
    n_nodes = problem.n_nodes * k
    n_arcs = n_arc_copies + n_holdover
    return TimeExpandedSize(
        n_steps=k,
        n_nodes=n_nodes,
        n_arcs=n_arcs,
        approx_bytes=_BYTES_PER_ARC * n_arcs + _BYTES_PER_NODE * n_nodes,
    )


@dataclass(frozen=True, eq=False)
class TimeExpandedFlow:
    """A maximum flow in the time-expanded network.

    Attributes
    ----------
    value
        Flow units that reach the sink by ``n_steps * step_h`` hours.
    arc_flow
        ``(n_arcs, n_steps)``: flow units entering each arc during each step.
    step_h, n_steps
        The discretisation.
    """

    value: float
    arc_flow: np.ndarray
    step_h: float
    n_steps: int


def time_expanded_flow(problem: FlowProblem, horizon_h: float, step_h: float) -> TimeExpandedFlow:
    """Maximum flow by ``horizon_h`` in the discrete time-expanded network, with arc flows.

    The naive baseline: builds every node and arc copy (see the module docstring for the
    model and its agreement with the exact curve) and solves one OR-Tools ``SimpleMaxFlow``
    from the source's first copy to the sink's last copy (holdover arcs of unbounded capacity
    let flow leave the source later and wait at the sink). Capacities per step
    (``capacity_per_h * step_h``) are scaled by a power of two and rounded down.
    """
    k_steps = _n_steps(horizon_h, step_h)
    n, m = problem.n_nodes, problem.n_arcs
    arc_flow = np.zeros((m, k_steps))
    if k_steps == 0:
        return TimeExpandedFlow(0.0, arc_flow, float(step_h), 0)
    lags = _lags(problem, step_h)
    per_step = problem.capacity_per_h * step_h
    total = float(per_step[problem.tail == problem.source].sum()) * k_steps
    scale = _pow2_scale(total, _INT_BUDGET_TOTAL)
    cap = _scaled_capacities(per_step, total, scale)
    unbounded = math.ceil(total * scale) + 1

    copies = np.clip(k_steps - lags, 0, None)  # steps at which arc e can be entered
    arc_of_copy = np.repeat(np.arange(m), copies)
    first = np.cumsum(copies) - copies
    step_of_copy = np.arange(arc_of_copy.shape[0]) - np.repeat(first, copies)
    tails = step_of_copy * n + problem.tail[arc_of_copy]
    heads = (step_of_copy + lags[arc_of_copy]) * n + problem.head[arc_of_copy]
    hold_from = np.arange(n * (k_steps - 1), dtype=np.int64)

    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(tails, heads, cap[arc_of_copy])
    solver.add_arcs_with_capacity(hold_from, hold_from + n, np.full(hold_from.shape, unbounded))
    source, sink = problem.source, (k_steps - 1) * n + problem.sink
    solver.add_arc_with_capacity(source, sink, 0)  # both terminals exist even if isolated
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL:
        msg = f"OR-Tools SimpleMaxFlow returned status {status!r} on the time-expanded network"
        raise FlowSolverError(msg)
    flows = np.asarray(solver.flows(np.arange(arc_of_copy.shape[0])), dtype=np.float64)
    arc_flow[arc_of_copy, step_of_copy] = flows / scale
    return TimeExpandedFlow(solver.optimal_flow() / scale, arc_flow, float(step_h), k_steps)


def time_expanded_max_flow(problem: FlowProblem, horizon_h: float, step_h: float) -> float:
    """Flow units that reach the sink by ``horizon_h`` in the discrete model (see
    `time_expanded_flow`)."""
    return time_expanded_flow(problem, horizon_h, step_h).value


# --------------------------------------------------------------------------------------------
# Multi-commodity LP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Commodity:
    """One kind of unit moved through the network (e.g. heavy armour, light infantry).

    Attributes
    ----------
    name
        Label used in results.
    supply_per_h
        Upper bound on this commodity's rate (flow units per hour) on each arc leaving
        ``problem.source``: either one entry per arc of the problem (entries of arcs that do
        not leave the source are ignored) or one entry per source arc, in the order of
        ``problem.source_arcs()``. ``inf`` = limited only by the arc capacity.
    allowed_arcs
        bool mask over arcs: the arcs this commodity may use.
    units_per_troop
        Optional per-arc capacity consumed by one flow unit (default 1), e.g. heavy armour
        uses more rail capacity per troop than light infantry.
    total_supply
        Total flow units of this commodity available over the whole horizon (default ``inf``).
    """

    name: str
    supply_per_h: np.ndarray
    allowed_arcs: np.ndarray
    units_per_troop: np.ndarray | None = None
    total_supply: float = math.inf


@dataclass(frozen=True)
class ArcCapacityChange:
    """Capacity of ``arc`` multiplied by ``factor`` from ``from_h`` on (0 = closed).

    Several changes of one arc compose multiplicatively.
    """

    arc: int
    from_h: float
    factor: float


@dataclass(frozen=True, eq=False)
class TimeExpandedResult:
    """Solution of `time_expanded_lp`.

    Attributes
    ----------
    step_h, n_steps
        The discretisation; step ``k`` is ``[k*step_h, (k+1)*step_h)``.
    step_end_h
        ``(n_steps,)`` end of each step, hours.
    commodity_names
        Names, in the order of the commodity axis.
    cumulative_arrivals
        ``(n_commodities, n_steps)`` flow units of each commodity arrived by the end of each
        step.
    arc_flow
        ``(n_arcs, n_steps)`` flow units (all commodities) entering each arc in each step.
    arc_flow_by_commodity
        ``(n_commodities, n_arcs, n_steps)``.
    capacity_dual
        ``(n_arcs,)`` shadow price of capacity: increase of the objective per extra flow unit
        per hour of capacity on the arc over the whole horizon (sum over steps of the dual of
        the capacity rows times ``step_h``). 0 for arcs without a capacity row.
    capacity_dual_per_step
        ``(n_arcs, n_steps)`` dual of each capacity row (objective per flow unit of capacity
        in that step).
    objective_value
        Objective value of the LP (in the units of the weights times flow units).
    status, solver
        LP status name (always ``"OPTIMAL"``) and the backend used.
    wall_time_s, n_rows, n_cols
        Solve time (build + solve) and LP size.
    """

    step_h: float
    n_steps: int
    step_end_h: np.ndarray
    commodity_names: tuple[str, ...]
    cumulative_arrivals: np.ndarray
    arc_flow: np.ndarray
    arc_flow_by_commodity: np.ndarray
    capacity_dual: np.ndarray
    capacity_dual_per_step: np.ndarray
    objective_value: float
    status: str
    solver: str
    wall_time_s: float
    n_rows: int
    n_cols: int

    @property
    def total_arrivals(self) -> np.ndarray:
        """``(n_steps,)`` flow units of all commodities arrived by the end of each step."""
        return self.cumulative_arrivals.sum(axis=0)


def _capacity_per_step(
    problem: FlowProblem,
    n_steps: int,
    step_h: float,
    changes: Sequence[ArcCapacityChange],
) -> np.ndarray:
    """``(n_arcs, n_steps)`` flow units that may enter each arc in each step.

    A capacity change inside a step counts for the part of the step after it (the time
    average of the capacity over the step).
    """
    cap = np.repeat((problem.capacity_per_h * step_h)[:, None], n_steps, axis=1)
    by_arc: dict[int, list[ArcCapacityChange]] = {}
    for change in changes:
        if not 0 <= change.arc < problem.n_arcs:
            msg = f"ArcCapacityChange.arc = {change.arc} is not an arc (0 .. {problem.n_arcs - 1})"
            raise ValueError(msg)
        if not (math.isfinite(change.factor) and change.factor >= 0):
            msg = f"ArcCapacityChange.factor = {change.factor} must be finite and >= 0"
            raise ValueError(msg)
        if not math.isfinite(change.from_h):
            msg = f"ArcCapacityChange.from_h = {change.from_h} must be finite"
            raise ValueError(msg)
        by_arc.setdefault(int(change.arc), []).append(change)
    starts = np.arange(n_steps) * step_h
    for arc, arc_changes in sorted(by_arc.items()):
        factor = np.ones(n_steps)
        for change in sorted(arc_changes, key=lambda c: c.from_h):
            # Fraction of each step at or after from_h.
            after = np.clip((starts + step_h - change.from_h) / step_h, 0.0, 1.0)
            factor *= 1.0 - after + after * change.factor
        cap[arc] *= factor
    return cap


def _commodity_arrays(
    problem: FlowProblem, commodities: Sequence[Commodity] | None
) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, float]]:
    m = problem.n_arcs
    src_arcs = problem.source_arcs()
    if commodities is None:
        return [("all", np.full(m, np.inf), np.ones(m, dtype=bool), np.ones(m), math.inf)]
    if len(commodities) == 0:
        msg = "commodities must be None or a non-empty sequence of Commodity"
        raise ValueError(msg)
    out = []
    for c in commodities:
        supply = np.asarray(c.supply_per_h, dtype=np.float64).ravel()
        if supply.shape[0] == src_arcs.shape[0] and supply.shape[0] != m:
            full = np.full(m, np.inf)
            full[src_arcs] = supply
            supply = full
        elif supply.shape[0] != m:
            msg = (
                f"Commodity {c.name!r}: supply_per_h has {supply.shape[0]} entries; expected "
                f"{m} (one per arc) or {src_arcs.shape[0]} (one per source arc)"
            )
            raise ValueError(msg)
        if np.any(np.isnan(supply) | (supply < 0)):
            msg = f"Commodity {c.name!r}: supply_per_h must be >= 0 (inf for unlimited)"
            raise ValueError(msg)
        allowed = np.asarray(c.allowed_arcs)
        if allowed.shape != (m,) or allowed.dtype != np.bool_:
            msg = (
                f"Commodity {c.name!r}: allowed_arcs must be a bool mask of shape ({m},), got "
                f"dtype {allowed.dtype} shape {allowed.shape}"
            )
            raise ValueError(msg)
        units = np.ones(m) if c.units_per_troop is None else np.asarray(c.units_per_troop, float)
        if units.shape != (m,) or not np.all(np.isfinite(units) & (units > 0)):
            msg = f"Commodity {c.name!r}: units_per_troop must be finite, > 0, shape ({m},)"
            raise ValueError(msg)
        if math.isnan(c.total_supply) or c.total_supply < 0:
            msg = f"Commodity {c.name!r}: total_supply must be >= 0, got {c.total_supply}"
            raise ValueError(msg)
        out.append((str(c.name), supply, allowed.copy(), units, float(c.total_supply)))
    return out


def _arrival_weights(weights: str | np.ndarray, n_steps: int) -> np.ndarray:
    if isinstance(weights, str):
        if weights == "cumulative":
            return (n_steps - np.arange(n_steps)).astype(np.float64)
        if weights == "final":
            return np.ones(n_steps)
        msg = f"weights = {weights!r} is not valid (options: 'cumulative', 'final', an array)"
        raise ValueError(msg)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n_steps,) or not np.all(np.isfinite(w)):
        msg = f"weights array must be finite with shape ({n_steps},), got shape {w.shape}"
        raise ValueError(msg)
    return w


_SOLVERS = {"GLOP": "GLOP", "PDLP": "PDLP"}


def time_expanded_lp(
    problem: FlowProblem,
    horizon_h: float,
    step_h: float,
    *,
    commodities: Sequence[Commodity] | None = None,
    capacity_changes: Sequence[ArcCapacityChange] = (),
    holdover_nodes: np.ndarray | None = None,
    solver: str = "GLOP",
    weights: str | np.ndarray = "cumulative",
) -> TimeExpandedResult:
    """Multi-commodity flow over time as an LP on the time-expanded network.

    Parameters
    ----------
    problem
        Network (transit rounded up to whole steps; see the module docstring: a path of ``k``
        arcs may be delayed by less than ``k * step_h``; contract chains first with
        `mobility.flows.contraction.contract_chains` to keep ``k`` and the LP small).
    horizon_h, step_h
        ``n_steps = floor(horizon_h / step_h)``; flow counts if it arrives by
        ``n_steps * step_h``.
    commodities
        Default: one commodity that may use every arc.
    capacity_changes
        Time-varying capacities (closures, repairs); within a step the capacity is averaged.
    holdover_nodes
        bool mask of the nodes where flow may wait (default all). The source and sink need no
        holdover: supply is available at every step and arrivals stay arrived.
    solver
        ``"GLOP"`` (simplex, exact) or ``"PDLP"`` (first order, ~1e-6 relative accuracy).
    weights
        Objective weight of flow arriving in step ``j``. ``"cumulative"`` (default):
        ``n_steps - j``, i.e. maximise the sum over steps of cumulative arrivals; for a single
        commodity this is an earliest-arrival flow (Minieka 1973), which also maximises the
        total by the horizon. For several commodities an earliest-arrival flow need not exist
        and this objective may trade some of the final total for earlier arrivals; use
        ``"final"`` (all weights 1) to maximise the total by the horizon. An array of length
        ``n_steps`` gives custom weights.

    Returns
    -------
    TimeExpandedResult

    Raises
    ------
    FlowSolverError
        If the LP is not solved to optimality.

    Notes
    -----
    Variables ``x[c, e, k]`` (flow of commodity ``c`` entering arc ``e`` in step ``k``, only
    for allowed arcs and ``k + lag_e < n_steps``) and holdovers ``h[c, v, k]``; rows are
    per-commodity conservation at every (node, step) other than source and sink and one shared
    capacity row per (arc, step): ``sum_c units_per_troop[c, e] * x[c, e, k] <= cap_e(k) *
    step_h`` (Ford & Fulkerson 1958; Aronson 1989 survey of dynamic network flows).
    """
    t0 = time.perf_counter()
    if solver not in _SOLVERS:
        msg = f"solver = {solver!r} is not valid (options: {', '.join(sorted(_SOLVERS))})"
        raise ValueError(msg)
    k_steps = _n_steps(horizon_h, step_h)
    if k_steps == 0:
        msg = f"horizon_h = {horizon_h} is shorter than one step of {step_h} h"
        raise ValueError(msg)
    n, m = problem.n_nodes, problem.n_arcs
    src, snk = problem.source, problem.sink
    if holdover_nodes is None:
        hold = np.ones(n, dtype=bool)
    else:
        hold = np.asarray(holdover_nodes)
        if hold.shape != (n,) or hold.dtype != np.bool_:
            msg = f"holdover_nodes must be a bool mask of shape ({n},), got {hold.shape}"
            raise ValueError(msg)
    hold = hold.copy()
    hold[[src, snk]] = False
    comms = _commodity_arrays(problem, commodities)
    w = _arrival_weights(weights, k_steps)
    cap = _capacity_per_step(problem, k_steps, step_h, capacity_changes)
    lags = _lags(problem, step_h)
    usable = (problem.head != src) & (problem.tail != snk) & (lags < k_steps)

    lp = pywraplp.Solver.CreateSolver(_SOLVERS[solver])
    if lp is None:
        msg = f"OR-Tools linear solver {solver!r} is not available in this build"
        raise FlowSolverError(msg)
    infinity = lp.infinity()
    objective = lp.Objective()
    objective.SetMaximization()

    # Capacity rows, shared by all commodities, for (arc, step) pairs some commodity can use.
    used_by_any = np.zeros(m, dtype=bool)
    for _, _, allowed, _, _ in comms:
        used_by_any |= allowed & usable
    cap_rows: dict[tuple[int, int], pywraplp.Constraint] = {}
    for e in np.flatnonzero(used_by_any).tolist():
        for k in range(k_steps - int(lags[e])):
            cap_rows[e, k] = lp.Constraint(-infinity, float(cap[e, k]), f"cap_{e}_{k}")

    variables: list[list[tuple[int, int, pywraplp.Variable]]] = []
    for ci, (_, supply, allowed, units, total) in enumerate(comms):
        cons: dict[tuple[int, int], pywraplp.Constraint] = {}

        def balance(v: int, k: int, ci: int = ci, cons: dict = cons) -> pywraplp.Constraint:
            row = cons.get((v, k))
            if row is None:
                row = cons[v, k] = lp.Constraint(0.0, 0.0, f"bal_{ci}_{v}_{k}")
            return row

        total_row = None
        if math.isfinite(total):
            total_row = lp.Constraint(-infinity, total, f"total_{ci}")
        xs: list[tuple[int, int, pywraplp.Variable]] = []
        for e in np.flatnonzero(allowed & usable).tolist():
            tail, head, lag = int(problem.tail[e]), int(problem.head[e]), int(lags[e])
            upper = infinity
            if tail == src and math.isfinite(supply[e]):
                upper = float(supply[e] * step_h)
            for k in range(k_steps - lag):
                x = lp.NumVar(0.0, upper, f"x_{ci}_{e}_{k}")
                xs.append((e, k, x))
                cap_rows[e, k].SetCoefficient(x, float(units[e]))
                if tail == src:
                    if total_row is not None:
                        total_row.SetCoefficient(x, 1.0)
                else:
                    balance(tail, k).SetCoefficient(x, -1.0)
                if head == snk:
                    objective.SetCoefficient(x, float(w[k + lag]))
                else:
                    balance(head, k + lag).SetCoefficient(x, 1.0)
        steps_at: dict[int, list[int]] = {}
        for v, k in cons:
            steps_at.setdefault(v, []).append(k)
        for v in np.flatnonzero(hold).tolist():
            ks = steps_at.get(v)
            if not ks:
                continue
            # Waiting only matters between the first and the last step the node is touched.
            for k in range(min(ks), max(ks)):
                h = lp.NumVar(0.0, infinity, f"h_{ci}_{v}_{k}")
                balance(v, k).SetCoefficient(h, -1.0)
                balance(v, k + 1).SetCoefficient(h, 1.0)
        variables.append(xs)

    status = lp.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        names = {
            pywraplp.Solver.FEASIBLE: "FEASIBLE (not proven optimal)",
            pywraplp.Solver.INFEASIBLE: "INFEASIBLE",
            pywraplp.Solver.UNBOUNDED: "UNBOUNDED",
            pywraplp.Solver.ABNORMAL: "ABNORMAL",
            pywraplp.Solver.NOT_SOLVED: "NOT_SOLVED",
        }
        msg = (
            f"time_expanded_lp: {solver} returned {names.get(status, status)} for "
            f"{lp.NumConstraints()} rows x {lp.NumVariables()} columns; try solver='GLOP', a "
            "coarser step or a contracted network"
        )
        raise FlowSolverError(msg)

    n_comm = len(comms)
    by_comm = np.zeros((n_comm, m, k_steps))
    arrivals = np.zeros((n_comm, k_steps))
    for ci, xs in enumerate(variables):
        for e, k, x in xs:
            value = x.solution_value()
            by_comm[ci, e, k] = value
            if problem.head[e] == snk:
                arrivals[ci, k + lags[e]] += value
    by_comm = np.clip(by_comm, 0.0, None)  # solver round-off
    dual_per_step = np.zeros((m, k_steps))
    for (e, k), row in cap_rows.items():
        dual_per_step[e, k] = row.dual_value()
    # <= rows of a maximisation: OR-Tools reports their shadow prices as >= 0.
    return TimeExpandedResult(
        step_h=float(step_h),
        n_steps=k_steps,
        step_end_h=(np.arange(k_steps) + 1) * float(step_h),
        commodity_names=tuple(c[0] for c in comms),
        cumulative_arrivals=np.cumsum(arrivals, axis=1),
        arc_flow=by_comm.sum(axis=0),
        arc_flow_by_commodity=by_comm,
        capacity_dual=dual_per_step.sum(axis=1) * float(step_h),
        capacity_dual_per_step=dual_per_step,
        objective_value=float(objective.Value()),
        status="OPTIMAL",
        solver=solver,
        wall_time_s=time.perf_counter() - t0,
        n_rows=int(lp.NumConstraints()),
        n_cols=int(lp.NumVariables()),
    )
