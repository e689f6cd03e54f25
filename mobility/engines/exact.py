"""Exact closure of the unlimited stress case: earliest-arrival flows over time.

Every capacity is converted to troops per hour with the scenario's planning factors, a super
source feeds the origins (each dispatching ``troops_per_day`` for ever) and a super sink
drains the destinations. The earliest-arrival curve is computed exactly with OR-Tools
(:func:`mobility.flows.earliest_arrival_curve`, temporally repeated flows, Ford & Fulkerson
1958; Wilkinson 1971; Minieka 1973). Static capacities only: it answers "what can the pipes
carry", not "when does a finite force close" (:mod:`mobility.engines.fleet`).
"""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx
import numpy as np
import pandas as pd

from mobility.engines.model import BALTIC_STATES, ClosureModel
from mobility.engines.readback import report_days, targets, targets_reading
from mobility.flows import FlowProblem, earliest_arrival_curve, min_cut
from mobility.result import TRANSFER_USE_COLUMNS, Bottleneck, ClosureResult
from mobility.settings import SATURATED_SHARE


def solve_exact(model: ClosureModel, *, detail: bool = True) -> ClosureResult:
    """Exact earliest-arrival closure (single commodity, static capacities)."""
    scenario = model.scenario
    horizon_h = scenario.horizon_days * 24
    curve = earliest_arrival_curve(model.problem, horizon_h)
    hours = np.arange(0, math.floor(horizon_h) + 1, dtype=float)
    if hours[-1] < horizon_h:
        hours = np.append(hours, horizon_h)
    troops = curve.arrivals(hours)
    curve_frame = pd.DataFrame({"day": hours / 24, "troops": troops})
    days = report_days(scenario)
    day_ends = range(1, math.ceil(scenario.horizon_days) + 1) if detail else ()
    flows_by_day = {d: curve.static_flow(min(d * 24, horizon_h)) for d in day_ends}
    final_flow = curve.static_flow(horizon_h)
    first_use = curve.first_use_h(horizon_h)
    rounding = _rounding_effect(model, days, curve) if detail else {}
    return ClosureResult(
        scenario=scenario.name,
        description=scenario.description,
        method="exact",
        targets_reading=targets_reading(scenario),
        horizon_days=scenario.horizon_days,
        curve=curve_frame,
        targets=targets(scenario, curve_frame),
        troops_by_day={d: float(np.asarray(curve.arrivals(np.array([d * 24.0])))[0])
                       for d in days},
        bottlenecks=bottlenecks(model, final_flow, first_use, in_cut=min_cut(model.problem)),
        edge_flows=edge_flows(model, flows_by_day),
        node_arrivals=node_arrivals(model, flows_by_day),
        transfer_use=transfer_use(model, flows_by_day),
        mode_split=mode_split(model, final_flow),
        rounding=rounding,
        notes=_notes(model),
        source_file=scenario.source_file,
    )



def bottlenecks(model: ClosureModel, flow_per_h: np.ndarray, first_use_h: np.ndarray,
                in_cut: np.ndarray, limit: int = 10) -> list[Bottleneck]:
    """Saturated capacities at the horizon, the minimum cut first."""
    cap = model.problem.capacity_per_h
    utilisation = np.divide(flow_per_h, cap, out=np.zeros_like(cap), where=cap > 0)
    best: dict[tuple[str, str], Bottleneck] = {}
    for arc in np.flatnonzero((utilisation >= SATURATED_SHARE) | in_cut):
        if arc < model.n_movement and model.movement.kind[arc] == "link":
            continue
        name, kind, element = model.arc_label(int(arc))
        unit, per_unit = _arc_unit(model, int(arc))
        from_h = first_use_h[arc]
        candidate = Bottleneck(
            name=name, kind=kind, element_id=element,
            utilisation=float(min(utilisation[arc], 1.0)),
            capacity_per_day=float(cap[arc] * 24 / per_unit), unit=unit,
            from_day=None if np.isnan(from_h) else float(from_h / 24),
            in_min_cut=bool(in_cut[arc]),
        )
        key = (element, name)
        if key not in best or _rank(candidate) < _rank(best[key]):
            best[key] = candidate
    return sorted(best.values(), key=_rank)[:limit]


def _rank(b: Bottleneck) -> tuple:
    return (not b.in_min_cut, -round(b.utilisation, 3),
            b.from_day if b.from_day is not None else math.inf, b.name)


def _arc_unit(model: ClosureModel, arc: int) -> tuple[str, float]:
    if arc >= model.n_movement:
        return "troop", 1.0
    return model.movement.unit[arc], float(model.arc_troops_per_unit[arc])


EDGE_FLOW_COLUMNS = ["edge_id", "u", "v", "mode", "day", "flow_troops_per_day",
                     "capacity_troops_per_day", "utilisation", "flow_units_per_day",
                     "capacity_units_per_day", "unit"]


def _by_distinct_flow(flows_by_day: dict[int, np.ndarray]) -> list[tuple[np.ndarray, list[int]]]:
    """The days grouped by their flow: a temporally repeated flow changes only at the curve's
    breakpoints, so 180 days share a handful of distinct flows (first-seen order)."""
    groups: dict[bytes, tuple[np.ndarray, list[int]]] = {}
    for day, flow in flows_by_day.items():
        groups.setdefault(flow.tobytes(), (flow, []))[1].append(day)
    return list(groups.values())


def _per_day(pieces: list[tuple[pd.DataFrame, list[int]]], flows_by_day: dict[int, np.ndarray],
             columns: list[str]) -> pd.DataFrame:
    """Rows of each distinct flow's table repeated for its days, in the order of the days."""
    pieces = [(frame, days) for frame, days in pieces if len(frame)]
    if not pieces:
        return pd.DataFrame([], columns=columns)
    stacked = pd.concat([frame for frame, _ in pieces], ignore_index=True)
    starts = np.cumsum([0] + [len(frame) for frame, _ in pieces])
    piece_of = {day: i for i, (_, days) in enumerate(pieces) for day in days}
    order = [day for day in flows_by_day if day in piece_of]
    index = np.concatenate([np.arange(starts[piece_of[d]], starts[piece_of[d] + 1])
                            for d in order])
    out = stacked.iloc[index].reset_index(drop=True)
    sizes = np.diff(starts)[[piece_of[d] for d in order]]
    out["day"] = np.repeat(np.asarray(order, dtype=np.int64), sizes)
    return out[columns]


def edge_flows(model: ClosureModel, flows_by_day: dict[int, np.ndarray],
               kind: str = "edge") -> pd.DataFrame:
    """Per directed network edge and day: flow, capacity and utilisation (troops and units).
    ``kind="gate"``: the same per node transfer gate (``edge_id`` the node; capacity 0 where
    unlimited).

    Built once per distinct flow (a few per horizon), then repeated for the days it holds.
    """
    mg = model.movement
    cap = model.problem.capacity_per_h
    edge_arcs = [a for a in range(mg.n_arcs) if mg.kind[a] == kind]
    pieces = []
    for flow, days in _by_distinct_flow(flows_by_day):
        grouped: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for arc in edge_arcs:
            if flow[arc] > 1e-9:
                grouped[(mg.ref[arc], mg.u[arc], mg.v[arc])].append(arc)
        rows = []
        for (edge_id, u, v), arcs in sorted(grouped.items()):
            per_unit = float(model.arc_troops_per_unit[arcs[0]])
            flow_day = float(sum(flow[a] for a in arcs) * 24)
            cap_day = float(cap[arcs[0]] * 24) if np.isfinite(cap[arcs[0]]) else 0.0
            rows.append({
                "edge_id": edge_id, "u": u, "v": v, "mode": mg.mode[arcs[0]],
                "flow_troops_per_day": flow_day, "capacity_troops_per_day": cap_day,
                "utilisation": flow_day / cap_day if cap_day else 0.0,
                "flow_units_per_day": flow_day / per_unit,
                "capacity_units_per_day": cap_day / per_unit, "unit": mg.unit[arcs[0]],
            })
        pieces.append((pd.DataFrame(rows), days))
    return _per_day(pieces, flows_by_day, EDGE_FLOW_COLUMNS)


def transfer_use(model: ClosureModel, flows_by_day: dict[int, np.ndarray]) -> pd.DataFrame:
    """Per node transfer gate and day with use (``ClosureResult.transfer_use``)."""
    frame = edge_flows(model, flows_by_day, kind="gate").rename(columns={"edge_id": "node"})
    return frame[list(TRANSFER_USE_COLUMNS)].reset_index(drop=True)


def node_arrivals(model: ClosureModel, flows_by_day: dict[int, np.ndarray]) -> pd.DataFrame:
    """Cumulative troops arrived at each destination by the end of each day.

    For the temporally repeated flow of horizon T, a destination receives
    Σ_P x_P (T − τ_P) over the paths P ending there; the flow-weighted path lengths come from
    a proportional path decomposition (any decomposition gives the same total), computed once
    per distinct flow.
    """
    first_dest_arc = model.n_movement + len(model.origin_ids)
    dest_arcs = first_dest_arc + np.arange(len(model.destination_ids))
    names = [model.graph.nodes[node]["name"] for node in model.destination_ids]
    days = list(flows_by_day)
    if not days:
        return pd.DataFrame([], columns=["node", "name", "day", "troops"])
    per_day: dict[int, np.ndarray] = {}
    for flow, same_flow_days in _by_distinct_flow(flows_by_day):
        weighted = _path_time_weights(model.problem, flow)
        for day in same_flow_days:
            per_day[day] = np.maximum(0.0, flow[dest_arcs] * (day * 24) - weighted[dest_arcs])
    return pd.DataFrame({
        "node": list(model.destination_ids) * len(days),
        "name": names * len(days),
        "day": np.repeat(np.asarray(days, dtype=np.int64), len(names)),
        "troops": np.concatenate([per_day[d] for d in days]),
    }, columns=["node", "name", "day", "troops"])


def _path_time_weights(problem: FlowProblem, flow: np.ndarray) -> np.ndarray:
    """Σ_P x_P·τ_P(up to the arc's head) per arc, by proportional decomposition."""
    used = np.flatnonzero(flow > 1e-12)
    dag = nx.DiGraph()
    for arc in used.tolist():
        dag.add_edge(int(problem.tail[arc]), int(problem.head[arc]))
    weight = np.zeros_like(flow)
    inflow_weight: dict[int, float] = defaultdict(float)
    out_arcs: dict[int, list[int]] = defaultdict(list)
    for arc in used.tolist():
        out_arcs[int(problem.tail[arc])].append(int(arc))
    try:
        order = list(nx.topological_sort(dag))
    except nx.NetworkXUnfeasible:
        order = sorted(dag.nodes)  # zero-length cycles only; proportions stay approximate
    for vertex in order:
        arcs = out_arcs.get(vertex, [])
        total = sum(flow[a] for a in arcs)
        for arc in arcs:
            share = flow[arc] / total if total > 0 else 0.0
            weight[arc] = share * inflow_weight[vertex] + flow[arc] * problem.transit_h[arc]
            inflow_weight[int(problem.head[arc])] += weight[arc]
    return weight


def mode_split(model: ClosureModel, flow_per_h: np.ndarray) -> dict[str, float]:
    """Share of the troops entering the Baltic states by the mode that carries them in."""
    mg = model.movement
    nodes = model.graph.nodes
    by_mode: dict[str, float] = defaultdict(float)
    for arc in range(mg.n_arcs):
        if mg.kind[arc] != "edge" or flow_per_h[arc] <= 0:
            continue
        if nodes[mg.u[arc]]["country"] not in BALTIC_STATES and \
                nodes[mg.v[arc]]["country"] in BALTIC_STATES:
            by_mode[mg.mode[arc]] += float(flow_per_h[arc])
    total = sum(by_mode.values())
    return {mode: by_mode[mode] / total for mode in sorted(by_mode)} if total else {}


def _rounding_effect(model: ClosureModel, days: list[int], curve) -> dict:
    """What moving whole trains, vehicles, sailings and flights costs.

    For each reported day the optimal flow pattern is floored, arc by arc, to whole units
    per day; the troops that pattern can still deliver by that day (max flow over time with
    the floored flows as capacities) are compared with the fractional optimum.
    """
    from mobility.flows import max_flow_over_time

    problem = model.problem
    per_unit = model.arc_troops_per_unit
    counted = ~np.isnan(per_unit)
    result = {}
    for day in days:
        horizon_h = day * 24.0
        flow = curve.static_flow(horizon_h)
        whole = problem.capacity_per_h.copy()
        units_per_day = flow[counted] * 24 / per_unit[counted]
        whole[counted] = np.floor(units_per_day + 1e-6) * per_unit[counted] / 24
        keep = whole > 0
        rounded = FlowProblem(
            n_nodes=problem.n_nodes, tail=problem.tail[keep], head=problem.head[keep],
            capacity_per_h=whole[keep], transit_h=problem.transit_h[keep],
            source=problem.source, sink=problem.sink,
        )
        exact = float(curve.arrivals(np.array([horizon_h]))[0])
        whole_units = float(max_flow_over_time(rounded, horizon_h)) if keep.any() else 0.0
        result[str(day)] = {"troops_whole_units": whole_units,
                            "change_troops": whole_units - exact,
                            "change_percent": 100 * (whole_units - exact) / exact if exact else 0.0}
    return {"method": "optimal flow floored to whole units per day on every arc, re-solved",
            "by_day": result}


def _notes(model: ClosureModel) -> list[str]:
    scenario = model.scenario
    tpu = model.troops_per_unit
    return [
        f"targets: {scenario.targets.reading} reading"
        + (" (LaSER report 2025)" if scenario.targets.reading == "cumulative" else " (NATO tiers)"),
        "planning factors (troops with equipment per unit, heavy share "
        f"{scenario.force.heavy_share:.0%}): " + ", ".join(f"{u} {v:.0f}" for u, v in tpu.items()),
        "dual-gauge track gives each gauge the full capacity of the track (not shared)",
    ]


