"""The adversary's view: which K edges or nodes, if lost, cut the flow most.

Network interdiction (Wood 1993, "Deterministic network interdiction", *Mathematical and
Computer Modelling* 17(2)): choose at most K elements to remove so that the maximum static
flow from the super source to the super sink — the long-run troops per hour the network can
deliver — is smallest. Removing an element removes all of its arcs (an edge: both
directions in every gauge layer; a node: its transfer gate and every edge touching it). By
max-flow/min-cut duality the inner maximisation becomes a minimum cut in which removed arcs
cut for free, which gives one mixed-integer programme:

    minimise    sum_a c_a beta_a
    subject to  beta_a + gamma_a >= pi_u - pi_v        for every arc a = (u, v)
                gamma_a <= sum of x_k over the elements k that contain a
                sum_k x_k <= K,  pi_source = 1,  pi_sink = 0
                0 <= pi <= 1,  beta, gamma >= 0,  x_k in {0, 1}

(pi marks the source side of the cut; for fixed x the rest is a min-cut LP, which is
integral). It is solved with CP-SAT (or SCIP, CBC) through OR-Tools' ``pywraplp``. The
chosen removals are then evaluated with the full closure curve
(:func:`mobility.analysis.criticality.outcome_with_changes`), which accounts for transit times,
so the days lost to each Force Model target are reported.
The super source/sink and the origins' dispatch arcs cannot be interdicted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]  # not in its stubs

from mobility._errors import MobilityError
from mobility.analysis.compare import Comparison, comparison_of
from mobility.analysis.criticality import (
    Element,
    Outcome,
    closure_with_changes,
    element_arcs,
    list_elements,
    outcome_with_changes,
)
from mobility.engines import build_model, closure, network_for, stress_case
from mobility.flows import FlowProblem, max_static_flow
from mobility.result import _clean
from mobility.scenario import Scenario, load_scenario

__all__ = ["InterdictionResult", "interdict", "max_flow_interdiction", "max_flow_without",
           "rerouting"]

_SOLVERS = ("SCIP", "CBC", "CP-SAT")


@dataclass(frozen=True)
class InterdictionResult:
    """The K removals that cut the long-run throughput most, and what they do to closure."""

    scenario: str
    cuts: int
    removed: tuple[Element, ...]  # sorted by kind and id
    throughput_before_troops_per_day: float  # maximum static flow x 24
    throughput_after_troops_per_day: float
    solver: str
    optimal: bool  # proven optimal by the MIP solver
    target_labels: tuple[str, ...]
    baseline: Outcome
    after: Outcome
    horizon_days: float
    notes: tuple[str, ...] = ()

    @property
    def days_lost(self) -> tuple[float | None, ...]:
        """Per target, days later than the baseline (the horizon if no longer reached)."""
        lost: list[float | None] = []
        for before, after in zip(self.baseline.reached_day, self.after.reached_day, strict=True):
            if before is None:
                lost.append(None)
            elif after is None:
                lost.append(max(0.0, self.horizon_days - before))
            else:
                lost.append(max(0.0, after - before))
        return tuple(lost)

    def scores(self) -> list[dict[str, Any]]:
        """Plain data for a map layer: the removed elements (score 1)."""
        return [{"element_id": e.id, "kind": e.kind, "name": e.name, "score": 1.0}
                for e in self.removed]

    def to_dict(self) -> dict[str, Any]:
        return _clean({
            "scenario": self.scenario,
            "cuts": self.cuts,
            "removed": [{"element_id": e.id, "kind": e.kind, "name": e.name}
                        for e in self.removed],
            "throughput_before_troops_per_day": self.throughput_before_troops_per_day,
            "throughput_after_troops_per_day": self.throughput_after_troops_per_day,
            "solver": self.solver,
            "optimal": self.optimal,
            "targets": list(self.target_labels),
            "reached_day_before": list(self.baseline.reached_day),
            "reached_day_after": list(self.after.reached_day),
            "days_lost": list(self.days_lost),
            "troops_by_day_before": {str(d): v for d, v in self.baseline.troops_by_day.items()},
            "troops_by_day_after": {str(d): v for d, v in self.after.troops_by_day.items()},
            "cuts_off": list(self.after.cuts_off),
            "notes": list(self.notes),
        })


def rerouting(graph: nx.MultiDiGraph, scenario: Scenario | str,
              result: InterdictionResult) -> Comparison | None:
    """The scenario's closure before and after the plan's removals, with their flows by day
    (what the interdiction map draws as flows gained and lost).

    Returns
    -------
    Comparison or None
        The closure before (first) and after the removals, solved in full (edge flows by
        day, marginal values); ``None`` when nothing can arrive after them.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    before = closure(graph, scenario)
    after, _ = closure_with_changes(graph, scenario, [(e.id, 0.0) for e in result.removed])
    if after is None:
        return None
    return comparison_of([before, after])


def max_flow_without(problem: FlowProblem, removed_arcs: Sequence[int] | np.ndarray) -> float:
    """Maximum static flow (units per hour) after removing the given arcs."""
    keep = np.ones(problem.n_arcs, dtype=bool)
    keep[np.asarray(removed_arcs, dtype=np.int64)] = False
    if not keep.any():
        return 0.0
    reduced = FlowProblem(n_nodes=problem.n_nodes, tail=problem.tail[keep],
                          head=problem.head[keep], capacity_per_h=problem.capacity_per_h[keep],
                          transit_h=problem.transit_h[keep], source=problem.source,
                          sink=problem.sink)
    return max_static_flow(reduced)


def max_flow_interdiction(
    problem: FlowProblem,
    element_arcs: Mapping[str, np.ndarray],
    cuts: int,
    *,
    solver: str = "CP-SAT",
    time_limit_s: float | None = 120.0,
) -> tuple[tuple[str, ...], float, bool]:
    """Wood's (1993) max-flow interdiction MIP on a static network (module docstring).

    Parameters
    ----------
    problem
        The network; capacities in flow units per hour (transit times are ignored).
    element_arcs
        For each interdictable element, the arcs its removal deletes (they may overlap).
    cuts
        K, the most elements to remove.
    solver
        ``"CP-SAT"`` (default; one worker, fixed seed, so runs repeat exactly), ``"SCIP"`` or
        ``"CBC"``, all through ``pywraplp``. CP-SAT scales the continuous coefficients to
        integers; the flow returned is recomputed exactly for the chosen removal.
    time_limit_s
        Wall-clock limit of the MIP; the best removal found so far is returned.

    Returns
    -------
    (removed element ids sorted, max flow after removal per hour, proven optimal)
    """
    if cuts < 0:
        raise MobilityError(f"interdiction: cuts = {cuts} is not valid (need >= 0)")
    if solver not in _SOLVERS:
        raise MobilityError(f"interdiction: solver {solver!r} is not valid "
                            f"(options: {', '.join(_SOLVERS)})")
    mip = pywraplp.Solver.CreateSolver(solver)
    if mip is None:  # pragma: no cover - depends on the OR-Tools build
        raise MobilityError(f"interdiction: solver {solver!r} is not available in this OR-Tools")
    if time_limit_s is not None:
        mip.SetTimeLimit(int(time_limit_s * 1000))
    if solver == "CP-SAT":  # one worker and a fixed seed: the same answer on every run
        mip.SetSolverSpecificParametersAsString("num_workers: 1 random_seed: 0")
    ids = sorted(element_arcs)
    x = {k: mip.BoolVar(f"x[{k}]") for k in ids}
    covering: dict[int, list[str]] = {}
    for k in ids:
        for arc in np.asarray(element_arcs[k]).tolist():
            covering.setdefault(int(arc), []).append(k)
    pi = [mip.NumVar(0.0, 1.0, f"pi[{v}]") for v in range(problem.n_nodes)]
    pi[problem.source].SetBounds(1.0, 1.0)
    pi[problem.sink].SetBounds(0.0, 0.0)
    cap = problem.capacity_per_h
    scale = float(np.max(cap)) if cap.size else 1.0  # keep coefficients near 1 for the solver
    objective = mip.Objective()
    for a in range(problem.n_arcs):
        u, v = int(problem.tail[a]), int(problem.head[a])
        beta = mip.NumVar(0.0, 1.0, f"beta[{a}]")
        objective.SetCoefficient(beta, float(cap[a]) / scale)
        row = mip.Constraint(0.0, math.inf)  # beta + gamma - pi_u + pi_v >= 0
        row.SetCoefficient(beta, 1.0)
        row.SetCoefficient(pi[u], -1.0)
        row.SetCoefficient(pi[v], 1.0)
        if a in covering:
            gamma = mip.NumVar(0.0, 1.0, f"gamma[{a}]")
            row.SetCoefficient(gamma, 1.0)
            link = mip.Constraint(-math.inf, 0.0)  # gamma <= sum of x
            link.SetCoefficient(gamma, 1.0)
            for k in covering[a]:
                link.SetCoefficient(x[k], -1.0)
    budget = mip.Constraint(0.0, float(cuts))
    for k in ids:
        budget.SetCoefficient(x[k], 1.0)
    objective.SetMinimization()
    status = mip.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise MobilityError(f"interdiction: the {solver} MIP found no solution (status {status})")
    chosen = tuple(k for k in ids if x[k].solution_value() > 0.5)
    removed_arcs = sorted({a for k in chosen for a in np.asarray(element_arcs[k]).tolist()})
    # Report the exact max flow of the chosen removal (not the MIP's scaled objective).
    return chosen, max_flow_without(problem, removed_arcs), status == pywraplp.Solver.OPTIMAL


def interdict(
    network: nx.MultiDiGraph | None = None,
    scenario: Scenario | str | None = None,
    *,
    cuts: int = 1,
    elements: str | Sequence[str] = "all",
    protect: Sequence[str] = (),
    endpoints: bool = False,
    solver: str = "CP-SAT",
    time_limit_s: float | None = 120.0,
) -> InterdictionResult:
    """The ``cuts`` edges or nodes whose loss delays closure most, and by how much.

    Parameters
    ----------
    network, scenario
        As for :func:`mobility.closure`.
    cuts
        K, the number of elements the adversary removes.
    elements
        Interdictable elements: ``"edges"``, ``"nodes"``, ``"all"`` or ids/names.
    protect
        Elements the adversary cannot touch (ids or node names).
    endpoints
        Also let the adversary remove the scenario's origin and destination nodes (off by
        default: destroying a home garrison, embarkation port or assembly area is not a
        question about the network between them; edges touching them stay interdictable).
    solver, time_limit_s
        See :func:`max_flow_interdiction`.

    Returns
    -------
    InterdictionResult
        The ``cuts`` removed elements, the long-run throughput before and after (troops a
        day), and the days each target is reached later with them removed.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    # The adversary's choice is a network question (the stress case's long-run throughput);
    # what it costs is the scenario's own closure (a force list: the fleet engine).
    network_question = stress_case(scenario)
    graph = network if network is not None else network_for(scenario)
    candidates = list_elements(graph, elements)
    if protect:
        shielded = {e.id for e in list_elements(graph, list(protect))}
        candidates = [e for e in candidates if e.id not in shielded]
    model = build_model(graph, network_question)
    if not endpoints:
        ends = {*model.origin_ids, *model.destination_ids}
        candidates = [e for e in candidates if not (e.kind == "node" and e.id in ends)]
    arcs = {e.id: element_arcs(model, e) for e in candidates}
    arcs = {k: a for k, a in arcs.items() if a.size}  # e.g. a phase node with nothing open
    by_id = {e.id: e for e in candidates}
    before = max_static_flow(model.problem)
    chosen, after, optimal = max_flow_interdiction(model.problem, arcs, cuts, solver=solver,
                                                   time_limit_s=time_limit_s)
    baseline = outcome_with_changes(graph, scenario, [])
    hit = outcome_with_changes(graph, scenario, [(k, 0.0) for k in chosen])
    labels = tuple(f"{t.troops:,.0f} by day {t.deadline_day:g}"
                   for t in scenario.targets.resolved())
    notes = (
        "objective: long-run throughput (maximum static flow, Wood 1993) of the stress case; "
        "days lost are from the scenario's own closure (" + (
            "its force list and fleets" if scenario.forces is not None else "flows over time")
        + ") with the chosen elements removed",
        "a removed node loses its transfer gate and every edge touching it",
        "origin and destination nodes " + ("may be removed" if endpoints else
                                           "are protected (unless endpoints are allowed)"),
    )
    return InterdictionResult(
        scenario=scenario.name, cuts=cuts, removed=tuple(sorted(by_id[k] for k in chosen)),
        throughput_before_troops_per_day=before * 24, throughput_after_troops_per_day=after * 24,
        solver=solver, optimal=optimal, target_labels=labels, baseline=baseline, after=hit,
        horizon_days=scenario.horizon_days, notes=notes,
    )
