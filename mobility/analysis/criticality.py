"""Criticality: what losing (or halving) each edge and node does to closure.

A scenario with a force list is re-solved with its own engine, the fleet-constrained closure
(:mod:`mobility.engines.fleet`); elements its plan does not use are not re-solved when all
edges or nodes are asked for (losing them leaves the plan feasible; name elements to solve
them anyway). A scenario with origins (the unlimited stress case) is re-solved with the
exact flows-over-time method, as follows.

Every element of the network — a data edge (both directions, every gauge layer) or a node
(its transfer gate and every edge that touches it) — is removed (capacity factor 0) or
halved (factor 0.5) in turn, and the closure is re-solved with the exact flows-over-time
method (:func:`mobility.engines.closure` with ``detail=False``). The change is a scenario
capacity change from day 0, so it means exactly what ``capacity_changes`` means in a
scenario file.

Shortcut (exact, not a heuristic). The earliest-arrival value at time ``T`` is
``V(T) = max_x T*|x| - sum_e tau_e x_e`` over static flows ``x`` (Ford & Fulkerson 1958). If the
optimal static flow of every piece of the baseline curve up to the horizon puts at most
``factor * capacity`` on each arc of an element, that flow stays feasible after the change,
and no change can *increase* ``V``; so ``V`` is unchanged on the whole horizon. Such
elements are not re-solved, *unless* removing them disconnects a destination from every
origin (a destination that receives nothing in the baseline still must stay reachable, or
the closure is undefined): that is checked by a graph search on the baseline problem.

Runs are independent, so they can be farmed out with Dask (:mod:`dask.distributed`): an
existing scheduler by address, or a ``LocalCluster`` of processes when the first re-solves,
timed in this process, say it would finish sooner (:mod:`mobility._parallel`; a stress-case
re-solve takes tens of milliseconds, so a few hundred of them stay in this process). Results
do not depend on where or in which order runs finish: elements are sorted before and after.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np

from mobility import _parallel, disruption
from mobility._errors import InfeasibleError, MobilityError
from mobility._progress import Progress, silent
from mobility.engines import (
    ClosureModel,
    build_model,
    closure,
    network_for,
    report_days,
)
from mobility.flows import earliest_arrival_curve
from mobility.movement import ROAD
from mobility.names import resolve_node, suggestions
from mobility.result import ClosureResult, _clean
from mobility.scenario import Scenario, load_scenario

__all__ = [
    "CriticalityResult",
    "Element",
    "ElementImpact",
    "Outcome",
    "criticality",
    "element_arcs",
    "list_elements",
    "outcome_with_changes",
]

#: ``progress(done, total, message)``: the CLI turns it into a progress bar.
ElementKind = Literal["edge", "node"]
#: With a force list, elements re-solved by default: those carrying the most troops.
FLEET_CANDIDATES = 40
_CHANGE_LABEL = {0.0: "removed", 0.5: "halved"}


@dataclass(frozen=True, order=True)
class Element:
    """An edge (``kind='edge'``, ``id`` the data edge id) or a node of the network."""

    kind: ElementKind
    id: str
    name: str = field(compare=False)


@dataclass(frozen=True)
class Outcome:
    """Closure with some capacity changes: what arrives, and what is cut off.

    ``reached_day`` follows the scenario's targets (``None``: not reached within the
    horizon); ``troops_by_day`` the scenario's report days (10, 30, 180 and deadlines).
    """

    reached_day: tuple[float | None, ...]
    troops_by_day: dict[int, float]
    cuts_off: tuple[str, ...] = ()  # names of destinations or origins left unconnected

    @classmethod
    def from_result(cls, result: ClosureResult, cuts_off: Iterable[str] = ()) -> Outcome:
        return cls(tuple(t.reached_day for t in result.targets),
                   {int(d): float(v) for d, v in result.troops_by_day.items()},
                   tuple(cuts_off))


@dataclass(frozen=True)
class ElementImpact:
    """The effect of one change (removal or halving) of one element on closure.

    Attributes
    ----------
    days_lost
        Per target, days later than the baseline it is reached. When the target is no longer
        reached within the horizon it is the lower bound ``horizon - baseline day`` and the
        target is listed in ``targets_missed``. ``None`` when the baseline misses it too.
    troops_lost
        Per report day, troops delivered fewer than in the baseline.
    score
        Criticality in [0, 1]: the mean over the report days of the share of the baseline's
        troops that no longer arrive (1 = nothing arrives; a route with a twin in parallel
        scores about half of what it scores alone).
    skipped
        True if the change was not re-solved: with origins because it provably changes
        nothing, with a force list because the plan does not use the element (module
        docstring); the outcome is then the baseline's.
    """

    element: Element
    factor: float
    outcome: Outcome
    days_lost: tuple[float | None, ...]
    targets_missed: tuple[int, ...]  # indices of targets met in the baseline but not now
    troops_lost: dict[int, float]
    score: float
    skipped: bool = False

    @property
    def change(self) -> str:
        return _CHANGE_LABEL.get(self.factor, f"x{self.factor:g}")

    @property
    def single_point_of_failure(self) -> bool:
        """Cuts off a destination or origin, or makes a target unreachable in the horizon."""
        return bool(self.outcome.cuts_off or self.targets_missed)

    @property
    def total_days_lost(self) -> float:
        return float(sum(d for d in self.days_lost if d is not None))

    def verdict(self, target_labels: Sequence[str]) -> str:
        parts = [f"cuts off {name}" for name in self.outcome.cuts_off]
        parts += [f"misses {target_labels[i]}" for i in self.targets_missed]
        return "; ".join(parts)

    def rank_key(self) -> tuple:
        return (not self.single_point_of_failure, -round(self.score, 9),
                -round(self.total_days_lost, 6), self.element.kind, self.element.id, self.factor)


@dataclass(frozen=True)
class CriticalityResult:
    """Every change evaluated, ranked: single points of failure first, then by score."""

    scenario: str
    horizon_days: float
    target_labels: tuple[str, ...]  # e.g. "100,000 by day 10"
    baseline: Outcome
    impacts: tuple[ElementImpact, ...]  # ranked
    factors: tuple[float, ...]
    n_elements: int
    n_solved: int
    n_skipped: int
    executor: str  # "in-process" or the Dask scheduler's description
    notes: tuple[str, ...] = ()

    def ranked(self, factor: float | None = None, top: int | None = None) -> list[ElementImpact]:
        rows = [i for i in self.impacts if factor is None or i.factor == factor]
        return rows[:top] if top else rows

    def single_points_of_failure(self) -> list[ElementImpact]:
        return [i for i in self.impacts if i.single_point_of_failure]

    def scores(self, factor: float = 0.0) -> list[dict[str, Any]]:
        """Plain data for a map layer: one row per element, ``score`` in [0, 1]."""
        return [{"element_id": i.element.id, "kind": i.element.kind, "name": i.element.name,
                 "score": round(i.score, 6), "single_point_of_failure": i.single_point_of_failure}
                for i in self.ranked(factor)]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        def row(i: ElementImpact) -> dict[str, Any]:
            return _clean({
                "element_id": i.element.id, "kind": i.element.kind, "name": i.element.name,
                "change": i.change, "factor": i.factor, "score": i.score,
                "single_point_of_failure": i.single_point_of_failure,
                "verdict": i.verdict(self.target_labels),
                "cuts_off": list(i.outcome.cuts_off),
                "reached_day": list(i.outcome.reached_day),
                "days_lost": list(i.days_lost),
                "troops_by_day": {str(d): v for d, v in i.outcome.troops_by_day.items()},
                "troops_lost": {str(d): v for d, v in i.troops_lost.items()},
                "skipped_unchanged": i.skipped,
            })

        return {
            "scenario": self.scenario,
            "horizon_days": self.horizon_days,
            "targets": list(self.target_labels),
            "baseline": _clean({"reached_day": list(self.baseline.reached_day),
                                "troops_by_day": {str(d): v for d, v in
                                                  self.baseline.troops_by_day.items()}}),
            "elements": self.n_elements,
            "runs_solved": self.n_solved,
            "runs_skipped_unchanged": self.n_skipped,
            "single_points_of_failure": [row(i) for i in self.single_points_of_failure()],
            "ranked": {_CHANGE_LABEL.get(f, f"x{f:g}"): [row(i) for i in self.ranked(f, top)]
                       for f in self.factors},
            "notes": list(self.notes),
        }


# --- elements -------------------------------------------------------------------------------


def list_elements(graph: nx.MultiDiGraph, which: str | Sequence[str] = "all") -> list[Element]:
    """The elements named by ``which``: ``"edges"``, ``"nodes"``, ``"all"`` or ids/names.

    Raises
    ------
    MobilityError
        For an unknown element, naming the closest ids.
    """
    edges: dict[str, str] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        if key not in edges:
            ends = f"{graph.nodes[u]['name']}–{graph.nodes[v]['name']}"
            edges[key] = f"{data['name']} ({ends})" if data.get("name") else ends
    all_edges = [Element("edge", key, name) for key, name in sorted(edges.items())]
    all_nodes = [Element("node", node, str(graph.nodes[node]["name"]))
                 for node in sorted(graph.nodes)]
    if isinstance(which, str):
        which = [which]
    chosen: set[Element] = set()
    for item in which:
        if item == "all":
            chosen |= {*all_edges, *all_nodes}
        elif item == "edges":
            chosen |= set(all_edges)
        elif item == "nodes":
            chosen |= set(all_nodes)
        elif item in edges:
            chosen.add(Element("edge", item, edges[item]))
        else:
            try:
                node = resolve_node(graph, item, what="element")
            except MobilityError:
                close = suggestions(item, list(edges) + list(graph.nodes))
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                msg = (f"unknown element {item!r}{hint} Valid: edges, nodes, all, or edge/node "
                       "ids (see 'mobility network info')")
                raise MobilityError(msg) from None
            chosen.add(Element("node", node, str(graph.nodes[node]["name"])))
    return sorted(chosen)


def element_arcs(model: ClosureModel, element: Element) -> np.ndarray:
    """Arcs of the model's flow problem that a change of ``element`` scales
    (:func:`mobility.disruption.element_arcs`)."""
    return disruption.element_arcs(model.movement, element.kind, element.id)


# --- one run --------------------------------------------------------------------------------


def outcome_with_changes(graph: nx.MultiDiGraph, scenario: Scenario,
                         changes: Sequence[tuple[str, float]]) -> Outcome:
    """Closure after scaling elements (``(element id, factor)``, factor 0 removes).

    Origins on a removed node are dropped and named in ``cuts_off``; so is every destination
    no origin can reach any more; the remaining ones are solved. With a force list (the
    fleet engine), the formations that can no longer arrive are named instead. Pure: no
    printing.
    """
    result, cut = closure_with_changes(graph, scenario, changes, detail=False)
    if result is None:
        return Outcome(tuple(None for _ in scenario.targets.resolved()),
                       {d: 0.0 for d in report_days(scenario)}, cut)
    return Outcome.from_result(result, cut)


def closure_with_changes(graph: nx.MultiDiGraph, scenario: Scenario,
                         changes: Sequence[tuple[str, float]], *, detail: bool = True,
                         ) -> tuple[ClosureResult | None, tuple[str, ...]]:
    """The closure after the changes, solved as :func:`outcome_with_changes` solves it.

    Returns
    -------
    tuple
        The :class:`~mobility.result.ClosureResult` (``detail``: with the flows and marginal
        values, see :func:`mobility.closure`), or ``None`` when nothing can arrive any more;
        and the names of what the changes cut off.
    """
    if scenario.forces is not None:
        return _force_closure(graph, scenario, changes, detail=detail)
    removed = {element for element, factor in changes if factor == 0 and element in graph.nodes}
    names = graph.nodes
    reachable = disruption.without_cut_off(graph, _with_changes(scenario, changes), removed)
    cut = [f"origin {names[node]['name']}" if role == "origin" else str(names[node]["name"])
           for role, node in reachable.cut_off]
    kept = reachable.scenario
    if not kept.origins:  # nothing can reach the destinations that are left
        cut += [str(names[resolve_node(graph, d.node)]["name"]) for d in kept.destinations]
    if not kept.origins or not kept.destinations:
        return None, tuple(dict.fromkeys(cut))
    return closure(graph, kept, detail=detail), tuple(dict.fromkeys(cut))


def _with_changes(scenario: Scenario, changes: Sequence[tuple[str, float]]) -> Scenario:
    return disruption.scale_elements(scenario, changes, reason="criticality")


def _force_closure(graph: nx.MultiDiGraph, scenario: Scenario,
                   changes: Sequence[tuple[str, float]], *, detail: bool,
                   ) -> tuple[ClosureResult | None, tuple[str, ...]]:
    """A force list's closure after the changes; cut off: formations that cannot arrive."""
    try:
        result = closure(graph, _with_changes(scenario, changes), detail=detail)
    except InfeasibleError:  # no formation can reach an assembly area any more
        return None, ("every formation",)
    table = result.formations
    cut = table.loc[table["closed_day"].isna() & table["modes"].str.startswith("cut off"),
                    "formation"] if not table.empty else []
    return result, tuple(f"formation {f}" for f in cut)


def troops_carried(result: ClosureResult) -> dict[str, float]:
    """Troops that enter each edge over the horizon, and each node's touching edges."""
    flows = result.edge_flows
    if flows.empty:
        return {}
    carried: dict[str, float] = {}
    for row in flows.itertuples():
        for element in (row.edge_id, row.u, row.v):
            carried[element] = carried.get(element, 0.0) + float(row.flow_troops_per_day)
    return carried


def _plan_screen(graph, result: ClosureResult, chosen: Sequence[Element],
                 factors: Sequence[float], candidates: int | None) -> set[tuple[str, float]]:
    """(element id, factor) pairs a force list's plan stays feasible under, or outside the
    ``candidates`` elements carrying most troops."""
    carried = troops_carried(result)
    ranked = sorted((e for e in chosen if carried.get(e.id, 0.0) > 1e-9),
                    key=lambda e: (-carried[e.id], e.id))
    kept = {e.id for e in (ranked if candidates is None else ranked[:candidates])}
    flows = result.edge_flows
    peak = {} if flows.empty else (flows["flow_units_per_day"]
                                   / flows["capacity_units_per_day"].where(
                                       flows["capacity_units_per_day"] > 0)
                                   ).groupby(flows["edge_id"]).max().fillna(0.0).to_dict()
    skip = set()
    for e in chosen:
        for f in factors:
            if e.id not in kept or (e.kind == "edge" and f > 0 and peak.get(e.id, 0.0) <= f):
                skip.add((e.id, f))
    return skip


def _run_one(graph: nx.MultiDiGraph, scenario: Scenario, element_id: str, factor: float) -> Outcome:
    return outcome_with_changes(graph, scenario, [(element_id, factor)])


# --- the sweep ------------------------------------------------------------------------------


def criticality(
    network: nx.MultiDiGraph | None = None,
    scenario: Scenario | str | None = None,
    *,
    elements: str | Sequence[str] = "all",
    factors: Sequence[float] = (0.0, 0.5),
    workers: int | None = None,
    scheduler: str | None = None,
    shortcut: bool = True,
    candidates: int | None = FLEET_CANDIDATES,
    progress: Progress | None = None,
) -> CriticalityResult:
    """Rank the network's elements by what removing or halving each does to closure.

    Parameters
    ----------
    network, scenario
        As for :func:`mobility.closure`; ``None`` loads the scenario's network / ``baseline``.
    elements
        ``"edges"``, ``"nodes"``, ``"all"`` or a list of edge/node ids or node names.
    factors
        Capacity factors to try on each element: 0 removes it, 0.5 halves it.
    workers
        Dask worker processes of a ``LocalCluster`` at most (default: the CPU count). ``1``
        runs in this process; otherwise the first re-solves are timed here and a cluster is
        started for the rest only if it finishes sooner, its start-up included
        (:func:`mobility._parallel.cluster_pays`); ``CriticalityResult.executor`` says which.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``) instead of a local cluster.
    shortcut
        Skip changes that provably leave closure unchanged (module docstring); with a force
        list, changes that leave the plan feasible (an unused element, or halving an edge
        the plan never fills beyond half).
    candidates
        With a force list and all edges/nodes asked for: re-solve only this many elements,
        those that carry the most troops in the plan (``None``: every used one). Each
        re-solve is an LP of seconds.
    progress
        ``progress(done, total, message)`` after each run.

    Returns
    -------
    CriticalityResult
    """
    say = progress or silent
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    graph = network if network is not None else network_for(scenario)
    chosen = list_elements(graph, elements)
    screen_unused = scenario.forces is not None and shortcut and all(
        item in ("all", "edges", "nodes") for item in ([elements] if isinstance(elements, str)
                                                       else elements))
    factors = tuple(sorted({float(f) for f in factors}))
    for f in factors:
        if not 0 <= f < 1:
            raise MobilityError(f"criticality: factor {f:g} is not valid (0 <= factor < 1)")
    say("solving the baseline", 0, 1)
    base_result = closure(graph, scenario, detail=False)
    baseline = Outcome.from_result(base_result)
    if scenario.forces is not None:
        unchanged = (_plan_screen(graph, base_result, chosen, factors, candidates)
                     if screen_unused else set())
        skip_note = ("changes not re-solved: the force list's plan stays feasible with them "
                     "(an unused element, or an edge halved that the plan fills to half at "
                     "most)" + ("" if candidates is None else f", or the element is not among "
                                f"the {candidates} that carry the most troops in the plan")
                     + " (fleet engine)")
    else:
        model = build_model(graph, scenario)
        unchanged = (_unchanged_changes(model, chosen, factors)
                     if shortcut and not model.later_changes else set())
        skip_note = ("changes skipped: the baseline's optimal flows stay feasible, so closure "
                     "cannot change (exact)")
    runs = [(e, f) for e in chosen for f in factors if (e.id, f) not in unchanged]
    outcomes, executor = _map_runs(graph, scenario, runs, workers=workers, scheduler=scheduler,
                                   progress=say)
    targets = scenario.targets.resolved()
    labels = tuple(f"{t.troops:,.0f} by day {t.deadline_day:g}" for t in targets)
    impacts = []
    for e in chosen:
        for f in factors:
            skipped = (e.id, f) in unchanged
            outcome = baseline if skipped else outcomes[(e.id, f)]
            impacts.append(_impact(e, f, outcome, baseline, scenario.horizon_days, skipped))
    impacts.sort(key=ElementImpact.rank_key)
    notes = (
        "score: mean over the report days of the share of baseline troops that no longer arrive",
        "a node change scales its transfer gate and every edge touching it",
        f"{len(unchanged)} of {len(chosen) * len(factors)} {skip_note}",
        "closure: " + ("the force list with its fleets (fleet engine)" if scenario.forces
                       is not None else "flows over time from the scenario's origins (exact)"),
    )
    return CriticalityResult(
        scenario=scenario.name, horizon_days=scenario.horizon_days, target_labels=labels,
        baseline=baseline, impacts=tuple(impacts), factors=factors, n_elements=len(chosen),
        n_solved=len(runs), n_skipped=len(unchanged), executor=executor, notes=notes,
    )


def _impact(element: Element, factor: float, outcome: Outcome, baseline: Outcome,
            horizon_days: float, skipped: bool) -> ElementImpact:
    days_lost: list[float | None] = []
    missed = []
    for i, (before, after) in enumerate(zip(baseline.reached_day, outcome.reached_day,
                                            strict=True)):
        if before is None:
            days_lost.append(None)
        elif after is None:
            days_lost.append(max(0.0, horizon_days - before))
            missed.append(i)
        else:
            days_lost.append(max(0.0, after - before))
    lost = {d: max(0.0, baseline.troops_by_day[d] - outcome.troops_by_day.get(d, 0.0))
            for d in baseline.troops_by_day}
    shares = [lost[d] / baseline.troops_by_day[d] for d in lost if baseline.troops_by_day[d] > 0]
    score = float(np.mean(shares)) if shares else 0.0
    return ElementImpact(element, factor, outcome, tuple(days_lost), tuple(missed), lost,
                         round(score, 12), skipped)


def _unchanged_changes(model: ClosureModel, elements: Sequence[Element],
                       factors: Sequence[float]) -> set[tuple[str, float]]:
    """(element id, factor) pairs that provably leave the closure curve unchanged."""
    problem = model.problem
    horizon_h = model.scenario.horizon_days * 24
    curve = earliest_arrival_curve(problem, horizon_h)
    times = [float(t) for t in curve.breakpoints_h[1:] if t <= horizon_h] + [horizon_h]
    peak = np.zeros(problem.n_arcs)
    for t in times:
        peak = np.maximum(peak, curve.static_flow(t))
    cap = problem.capacity_per_h
    skip = set()
    for element in elements:
        arcs = element_arcs(model, element)
        for f in factors:
            limit = cap[arcs] * f * (1 - 1e-9)
            fits = bool(np.all(peak[arcs] <= (limit if f > 0 else 1e-12)))
            if fits and (f > 0 or _keeps_destinations(model, arcs)):
                skip.add((element.id, f))
    return skip


def _keeps_destinations(model: ClosureModel, removed_arcs: np.ndarray) -> bool:
    """Whether every destination stays reachable from the source without these arcs."""
    problem = model.problem
    alive = np.ones(problem.n_arcs, dtype=bool)
    alive[removed_arcs] = False
    out: dict[int, list[int]] = {}
    for tail, head in zip(problem.tail[alive].tolist(), problem.head[alive].tolist(), strict=True):
        out.setdefault(tail, []).append(head)
    seen = {problem.source}
    stack = [problem.source]
    while stack:
        for w in out.get(stack.pop(), ()):
            if w not in seen:
                seen.add(w)
                stack.append(w)
    return all(model.movement.index[(node, ROAD)] in seen for node in model.destination_ids)


def _map_runs(graph: nx.MultiDiGraph, scenario: Scenario, runs: list[tuple[Element, float]], *,
              workers: int | None, scheduler: str | None,
              progress: Progress) -> tuple[dict[tuple[str, float], Outcome], str]:
    """Evaluate runs in this process or on Dask (:mod:`mobility._parallel`); keyed by
    (element id, factor). Without a scheduler the first runs are timed here and a local
    cluster is started for the rest only if it finishes sooner, its start-up included."""
    total = len(runs)
    results: dict[tuple[str, float], Outcome] = {}

    def record(element: Element, f: float, outcome: Outcome) -> None:
        results[(element.id, f)] = outcome
        progress(f"{element.name} {_CHANGE_LABEL.get(f, f'x{f:g}')}", len(results), total)

    left = list(runs)
    n = workers or os.cpu_count() or 1
    spent, timed = 0.0, 0
    if scheduler is None:
        while left and (n == 1 or spent < _parallel.PROBE_S):
            element, f = left.pop(0)
            started = time.perf_counter()
            record(element, f, _run_one(graph, scenario, element.id, f))
            spent, timed = spent + time.perf_counter() - started, timed + 1
        per_run = spent / max(timed, 1)
        if not left:
            return results, "in-process"
        if not _parallel.cluster_pays(per_run, len(left), n):
            for element, f in left:
                record(element, f, _run_one(graph, scenario, element.id, f))
            return results, (f"in-process ({1000 * per_run:.0f} ms a re-solve: a cluster of "
                             f"{n} would not pay for {total - timed} re-solves)")
    from dask.distributed import Client, as_completed

    if scheduler is None:
        client = _parallel.local_client(n)
        executor = f"Dask LocalCluster, {n} worker processes"
    else:
        client = Client(scheduler)
        executor = f"Dask scheduler {scheduler}"
    try:
        # The network goes to every worker once; each task is a batch of re-solves.
        graph_f, scenario_f = client.scatter([graph, scenario], broadcast=True)
        workers_now = max(1, len(client.scheduler_info().get("workers", {})))
        per_run = spent / timed if timed else 0.05
        futures = {}
        for batch in _parallel.batches(left, per_run, workers_now):
            future = client.submit(_run_batch, graph_f, scenario_f,
                                   [(element.id, f) for element, f in batch], pure=False)
            futures[future] = batch
        for future in as_completed(futures):
            for (element, f), outcome in zip(futures[future], future.result(), strict=True):
                record(element, f, outcome)
    finally:
        if scheduler is None:
            _parallel.close(client)
        else:
            client.close()
    return results, executor


def _run_batch(graph: nx.MultiDiGraph, scenario: Scenario,
               batch: list[tuple[str, float]]) -> list[Outcome]:
    return [_run_one(graph, scenario, element_id, f) for element_id, f in batch]


def describe_days(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if math.isfinite(value) else "∞"
