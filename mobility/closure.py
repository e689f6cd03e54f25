"""Closure: how many troops reach their assembly areas by each day, and what holds them back.

The scenario is applied to the network's movement graph (:mod:`mobility.movement`): every
capacity is converted to troops per hour with the scenario's planning factors, a super source
feeds the origins and a super sink drains the destinations. The earliest-arrival curve is
then computed exactly with OR-Tools (:func:`mobility.flows.earliest_arrival_curve`,
temporally repeated flows, Ford & Fulkerson 1958; Wilkinson 1971; Minieka 1973). Scenarios
whose capacities change after day 0 are solved with the time-expanded LP instead
(:func:`mobility.flows.time_expanded_lp`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from mobility._errors import InfeasibleError, MobilityError, ScenarioError, UnknownNodeError
from mobility.flows import FlowProblem, earliest_arrival_curve, min_cut
from mobility.movement import GATE_IN, ROAD, MovementGraph, movement_graph
from mobility.names import resolve_node
from mobility.network import load_network
from mobility.result import Bottleneck, ClosureResult, TargetOutcome
from mobility.scenario import Scenario, load_scenario

BALTIC_STATES = frozenset({"LT", "LV", "EE"})
SATURATED = 0.995
KIND_LABEL = {
    "gauge_transfer": "gauge transfer",
    "port": "port",
    "airport": "airport",
    "air_base": "air base",
    "rail_terminal": "rail terminal",
    "loading_site": "military loading site",
    "origin": "loading",
    "base": "unloading",
}

Progress = Callable[[str], None]


@dataclass
class ClosureModel:
    """A scenario applied to a network: the flow problem and how to read its arcs back.

    Arcs ``0 … n_movement-1`` are the movement graph's; then one arc per origin (super source
    → origin) and one per destination (destination → super sink).
    """

    graph: nx.MultiDiGraph
    scenario: Scenario
    movement: MovementGraph
    problem: FlowProblem
    troops_per_unit: dict[str, float]
    arc_troops_per_unit: np.ndarray  # troops per natural unit on each arc (nan for links)
    origin_ids: list[str]
    destination_ids: list[str]
    later_changes: list[tuple[int, float, float]]  # (arc, from_h, factor) after day 0

    @property
    def n_movement(self) -> int:
        return self.movement.n_arcs

    def arc_label(self, arc: int) -> tuple[str, str, str]:
        """(name, kind, element id) of an arc in a planner's words."""
        nodes = self.graph.nodes
        if arc >= self.n_movement:
            index = arc - self.n_movement
            if index < len(self.origin_ids):
                node = self.origin_ids[index]
                return f"dispatch from {nodes[node]['name']}", "origin", node
            node = self.destination_ids[index - len(self.origin_ids)]
            return f"reception at {nodes[node]['name']}", "destination", node
        mg = self.movement
        if mg.kind[arc] == "gate":
            node = mg.ref[arc]
            kind = str(nodes[node]["kind"])
            name, label = nodes[node]["name"], KIND_LABEL.get(kind, kind)
            return (name if label.casefold() in name.casefold() else f"{name} {label}"), kind, node
        data = self.graph.edges[mg.u[arc], mg.v[arc], mg.ref[arc]]
        gauge = {"1435": " 1435 mm", "1520": " 1520 mm", "dual": " dual gauge"}.get(
            str(data.get("gauge")), "")
        ends = f"{nodes[mg.u[arc]]['name']}→{nodes[mg.v[arc]]['name']}"
        label = f"{data['name']} ({mg.mode[arc]}{gauge}, {ends})" if data.get("name") else \
            f"{ends} {mg.mode[arc]}{gauge}"
        return label, mg.mode[arc], mg.ref[arc]


def build_model(graph: nx.MultiDiGraph, scenario: Scenario) -> ClosureModel:
    """Apply a scenario to a network (validating its node names) and build the flow problem."""
    placed = _place(graph, scenario)
    where, origin_ids, destination_ids = placed.where, placed.origin_ids, placed.destination_ids
    movement, later = placed.movement, placed.later
    origin_vertices, destination_vertices = placed.origin_vertices, placed.destination_vertices
    for field, entries, ids, vertices in (
            ("origins", scenario.origins, origin_ids, origin_vertices),
            ("destinations", scenario.destinations, destination_ids, destination_vertices)):
        for i, (entry, node, vertex) in enumerate(zip(entries, ids, vertices, strict=True)):
            if vertex is None:
                how = ("'road' in its modes or a node that loads "
                       f"{'/'.join(entry.modes)}") if field == "origins" \
                    else "a node on the road network"
                msg = (f"{where}: field '{field}.{i}.node' = {entry.node!r}: node '{node}' "
                       f"cannot be used here; it needs {how}")
                raise ScenarioError(msg)
    reached = _reached(movement, origin_vertices)
    for i, (node, vertex) in enumerate(zip(destination_ids, destination_vertices, strict=True)):
        if vertex not in reached:
            name = graph.nodes[node]["name"]
            msg = (f"{where}: field 'destinations.{i}.node' = {node!r}: {name} cannot be reached "
                   "from any origin on this network (check closures, phases and origins)")
            raise InfeasibleError(msg)
    troops_per_unit = scenario.troops_per_unit()
    arrays = movement.arrays()
    per_unit = np.array([troops_per_unit.get(unit, np.nan) for unit in movement.unit])
    supply_per_h = sum(o.troops_per_day for o in scenario.origins) / 24
    unlimited = 4 * supply_per_h  # no arc can carry more than everything dispatched
    capacity_per_h = np.where(
        np.isfinite(arrays["capacity_per_day"]),
        arrays["capacity_per_day"] * np.nan_to_num(per_unit, nan=1.0) / 24,
        unlimited,
    )
    capacity_per_h = np.minimum(capacity_per_h, unlimited)
    n_vertices = len(movement.vertices)
    source, sink = n_vertices, n_vertices + 1
    tails, heads = [arrays["tail"]], [arrays["head"]]
    caps, transits = [capacity_per_h], [arrays["transit_h"]]
    for is_origin, entries, vertices in ((True, scenario.origins, origin_vertices),
                                         (False, scenario.destinations, destination_vertices)):
        for entry, vertex in zip(entries, vertices, strict=True):
            rate = entry.troops_per_day if is_origin else entry.reception_troops_per_day
            tails.append(np.array([source if is_origin else vertex]))
            heads.append(np.array([vertex if is_origin else sink]))
            caps.append(np.array([rate / 24]))
            transits.append(np.zeros(1))
    problem = FlowProblem(
        n_nodes=n_vertices + 2,
        tail=np.concatenate(tails).astype(np.int64),
        head=np.concatenate(heads).astype(np.int64),
        capacity_per_h=np.concatenate(caps),
        transit_h=np.concatenate(transits),
        source=source,
        sink=sink,
    )
    n_ends = len(origin_ids) + len(destination_ids)
    arc_per_unit = np.concatenate([per_unit, np.full(n_ends, np.nan)])
    model = ClosureModel(graph, scenario, movement, problem, troops_per_unit, arc_per_unit,
                         origin_ids, destination_ids, [])
    model.later_changes = _later_arc_changes(model, later)
    return model


def cut_off_entries(graph: nx.MultiDiGraph, scenario: Scenario) -> tuple[list[int], list[int]]:
    """Indices of the scenario's origins and destinations that are cut off.

    An origin is cut off when it has no way into the network (e.g. its node is closed); a
    destination when it has no road or no remaining origin can reach it. Tools that disrupt
    the network (criticality, sweeps) drop these and solve for the rest; :func:`build_model`
    raises for the first one instead.
    """
    placed = _place(graph, scenario)
    lost_origins = [i for i, vertex in enumerate(placed.origin_vertices) if vertex is None]
    reached = _reached(placed.movement, placed.origin_vertices)
    lost_destinations = [i for i, vertex in enumerate(placed.destination_vertices)
                         if vertex is None or vertex not in reached]
    return lost_origins, lost_destinations


@dataclass(frozen=True)
class _Placement:
    """A scenario's origins and destinations placed on its movement graph."""

    where: str
    origin_ids: list[str]
    destination_ids: list[str]
    later: list[tuple[str, str, float, float]]
    movement: MovementGraph
    origin_vertices: list[int | None]
    destination_vertices: list[int | None]


def _place(graph: nx.MultiDiGraph, scenario: Scenario) -> _Placement:
    """Resolve names, apply day-0 changes, build the movement graph, find entry vertices."""
    where = scenario.source_file or f"scenario '{scenario.name}'"
    origin_ids = [_node(graph, o.node, where, f"origins.{i}.node")
                  for i, o in enumerate(scenario.origins)]
    destination_ids = [_node(graph, d.node, where, f"destinations.{i}.node")
                       for i, d in enumerate(scenario.destinations)]
    static, later = capacity_changes(graph, scenario, where)
    movement = _scenario_movement(graph, scenario, origin_ids, static)
    origin_vertices, destination_vertices = _entry_vertices(
        movement, scenario, origin_ids, destination_ids)
    return _Placement(where, origin_ids, destination_ids, later, movement, origin_vertices,
                      destination_vertices)


def _scenario_movement(graph: nx.MultiDiGraph, scenario: Scenario, origin_ids: list[str],
                       static: dict[tuple[str, str], float]) -> MovementGraph:
    return movement_graph(
        graph,
        border_delay_h=lambda a, b, _data: scenario.border_delays.hours(a, b),
        capacity_factor=lambda kind, ref: static.get((kind, ref), 1.0),
        road_march_hours_per_day=scenario.road_march_hours_per_day,
        gate_exit_modes={node: frozenset(o.modes) for node, o in
                         zip(origin_ids, scenario.origins, strict=True) if "road" not in o.modes},
    )


def _entry_vertices(movement: MovementGraph, scenario: Scenario, origin_ids: list[str],
                    destination_ids: list[str]) -> tuple[list[int | None], list[int | None]]:
    """Where each origin's forces enter, and each destination's leave, the movement graph."""
    origins = [movement.index.get((node, ROAD if "road" in o.modes else GATE_IN))
               for node, o in zip(origin_ids, scenario.origins, strict=True)]
    destinations = [movement.index.get((node, ROAD)) for node in destination_ids]
    return origins, destinations


def _reached(movement: MovementGraph, start: list[int | None]) -> set[int]:
    """Vertices reachable from ``start`` (every movement arc has positive capacity)."""
    reach = nx.DiGraph()
    reach.add_edges_from(zip(movement.tail, movement.head, strict=True))
    origin = -1  # a virtual vertex feeding every start, so one search covers them all
    reach.add_node(origin)
    reach.add_edges_from((origin, v) for v in start if v is not None)
    return nx.descendants(reach, origin)


def closure(
    network: nx.MultiDiGraph | None = None,
    scenario: Scenario | str | None = None,
    *,
    progress: Progress | None = None,
    detail: bool = True,
) -> ClosureResult:
    """Compute the closure of a scenario: the arrival curve, targets, bottlenecks, flows.

    Parameters
    ----------
    network
        A network from :func:`mobility.load_network`; ``None`` loads the one the scenario
        names (its ``network`` field: path, year, phases).
    scenario
        A :class:`~mobility.scenario.Scenario`, a shipped scenario's name or a YAML path;
        ``None`` runs the embedded ``baseline``.
    progress
        Called with a short message at each stage (the CLI shows it).
    detail
        ``False`` skips what many-run tools (criticality, sweeps) do not need: per-day edge
        flows and destination arrivals, and the whole-unit rounding re-solve (about 5 times
        faster). The curve, targets, troops by day, bottlenecks and mode split remain.
    """
    say = progress or (lambda _msg: None)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if network is None:
        say("loading network")
        network = network_for(scenario)
    say("building the movement graph")
    model = build_model(network, scenario)
    method = scenario.method
    if method == "auto":
        method = "lp" if model.later_changes else "exact"
    if method == "exact" and model.later_changes:
        msg = (f"{scenario.source_file}: field 'method' = 'exact': capacity changes after day 0 "
               "need the time-expanded LP; use method 'lp' or 'auto'")
        raise ScenarioError(msg)
    if method == "lp":
        from mobility.closure_lp import solve_lp

        say("solving the time-expanded LP")
        return solve_lp(model, progress=say, detail=detail)
    say("solving flows over time (OR-Tools)")
    return solve_exact(model, detail=detail)


def network_for(scenario: Scenario) -> nx.MultiDiGraph:
    choice = scenario.network
    path = choice.path
    if path is not None and scenario.source_file:
        from pathlib import Path

        candidate = Path(scenario.source_file).parent / path
        path = str(candidate) if candidate.exists() else path
    try:
        return load_network(path, year=choice.year, phases=choice.phases)
    except MobilityError as error:
        where = scenario.source_file or scenario.name
        raise ScenarioError(f"{where}: field 'network': {error}") from None


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
    days = _report_days(scenario)
    day_ends = range(1, math.ceil(scenario.horizon_days) + 1) if detail else ()
    flows_by_day = {d: curve.static_flow(min(d * 24, horizon_h)) for d in day_ends}
    final_flow = curve.static_flow(horizon_h)
    first_use = curve.first_use_h(horizon_h)
    rounding = _rounding_effect(model, days, curve) if detail else {}
    return ClosureResult(
        scenario=scenario.name,
        description=scenario.description,
        method="exact",
        targets_reading=scenario.targets.reading if not scenario.targets.custom else "custom",
        horizon_days=scenario.horizon_days,
        curve=curve_frame,
        targets=_targets(scenario, curve_frame),
        troops_by_day={d: float(curve.arrivals(np.array([d * 24.0]))[0]) for d in days},
        bottlenecks=bottlenecks(model, final_flow, first_use, in_cut=min_cut(model.problem)),
        edge_flows=edge_flows(model, flows_by_day),
        node_arrivals=node_arrivals(model, flows_by_day),
        mode_split=mode_split(model, final_flow),
        rounding=rounding,
        notes=_notes(model),
        source_file=scenario.source_file,
    )


# --- reading a solution back ------------------------------------------------------------


def _report_days(scenario: Scenario) -> list[int]:
    wanted = {10, 30, 180} | {int(t.deadline_day) for t in scenario.targets.resolved()}
    return sorted(d for d in wanted if d <= scenario.horizon_days)


def _targets(scenario: Scenario, curve: pd.DataFrame) -> list[TargetOutcome]:
    days, troops = curve["day"].to_numpy(), curve["troops"].to_numpy()
    outcomes = []
    for target in scenario.targets.resolved():
        at_deadline = float(np.interp(min(target.deadline_day, days[-1]), days, troops))
        reached = reached_day(days, troops, target.troops)
        if target.deadline_day > days[-1]:
            at_deadline = float("nan")
        outcomes.append(TargetOutcome(
            troops=target.troops, deadline_day=target.deadline_day, reached_day=reached,
            troops_at_deadline=at_deadline,
            shortfall=max(0.0, target.troops - at_deadline) if at_deadline == at_deadline
            else float("nan"),
        ))
    return outcomes


def reached_day(days: np.ndarray, troops: np.ndarray, wanted: float) -> float | None:
    """First day the monotone curve reaches ``wanted`` (linear within a step), or None."""
    index = int(np.searchsorted(troops, wanted, side="left"))
    if index >= len(troops):
        return None
    if index == 0:
        return float(days[0])
    t0, t1, y0, y1 = days[index - 1], days[index], troops[index - 1], troops[index]
    return float(t0 + (t1 - t0) * (wanted - y0) / (y1 - y0)) if y1 > y0 else float(t1)


def bottlenecks(model: ClosureModel, flow_per_h: np.ndarray, first_use_h: np.ndarray,
                in_cut: np.ndarray, limit: int = 10) -> list[Bottleneck]:
    """Saturated capacities at the horizon, the minimum cut first."""
    cap = model.problem.capacity_per_h
    utilisation = np.divide(flow_per_h, cap, out=np.zeros_like(cap), where=cap > 0)
    best: dict[tuple[str, str], Bottleneck] = {}
    for arc in np.flatnonzero((utilisation >= SATURATED) | in_cut):
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


def edge_flows(model: ClosureModel, flows_by_day: dict[int, np.ndarray]) -> pd.DataFrame:
    """Per directed network edge and day: flow, capacity and utilisation (troops and units)."""
    mg = model.movement
    cap = model.problem.capacity_per_h
    edge_arcs = [a for a in range(mg.n_arcs) if mg.kind[a] == "edge"]
    rows = []
    for day, flow in flows_by_day.items():
        grouped: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for arc in edge_arcs:
            if flow[arc] > 1e-9:
                grouped[(mg.ref[arc], mg.u[arc], mg.v[arc])].append(arc)
        for (edge_id, u, v), arcs in sorted(grouped.items()):
            per_unit = float(model.arc_troops_per_unit[arcs[0]])
            flow_day = float(sum(flow[a] for a in arcs) * 24)
            cap_day = float(cap[arcs[0]] * 24)
            rows.append({
                "edge_id": edge_id, "u": u, "v": v, "mode": mg.mode[arcs[0]], "day": day,
                "flow_troops_per_day": flow_day, "capacity_troops_per_day": cap_day,
                "utilisation": flow_day / cap_day if cap_day else 0.0,
                "flow_units_per_day": flow_day / per_unit,
                "capacity_units_per_day": cap_day / per_unit, "unit": mg.unit[arcs[0]],
            })
    columns = ["edge_id", "u", "v", "mode", "day", "flow_troops_per_day",
               "capacity_troops_per_day", "utilisation", "flow_units_per_day",
               "capacity_units_per_day", "unit"]
    return pd.DataFrame(rows, columns=columns)


def node_arrivals(model: ClosureModel, flows_by_day: dict[int, np.ndarray]) -> pd.DataFrame:
    """Cumulative troops arrived at each destination by the end of each day.

    For the temporally repeated flow of horizon T, a destination receives
    Σ_P x_P (T − τ_P) over the paths P ending there; the flow-weighted path lengths come from
    a proportional path decomposition (any decomposition gives the same total).
    """
    first_dest_arc = model.n_movement + len(model.origin_ids)
    rows = []
    for day, flow in flows_by_day.items():
        weighted = _path_time_weights(model.problem, flow)
        horizon_h = day * 24
        for i, node in enumerate(model.destination_ids):
            arc = first_dest_arc + i
            troops = max(0.0, float(flow[arc] * horizon_h - weighted[arc]))
            rows.append({"node": node, "name": model.graph.nodes[node]["name"], "day": day,
                         "troops": troops})
    return pd.DataFrame(rows, columns=["node", "name", "day", "troops"])


def _path_time_weights(problem: FlowProblem, flow: np.ndarray) -> np.ndarray:
    """Σ_P x_P·τ_P(up to the arc's head) per arc, by proportional decomposition."""
    used = np.flatnonzero(flow > 1e-12)
    dag = nx.DiGraph()
    for arc in used:
        dag.add_edge(int(problem.tail[arc]), int(problem.head[arc]))
    weight = np.zeros_like(flow)
    inflow_weight: dict[int, float] = defaultdict(float)
    out_arcs: dict[int, list[int]] = defaultdict(list)
    for arc in used:
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


# --- scenario elements ------------------------------------------------------------------


def _node(graph: nx.MultiDiGraph, text: str, where: str, field: str) -> str:
    try:
        return resolve_node(graph, text)
    except UnknownNodeError as error:
        raise UnknownNodeError(f"{where}: field '{field}': {error}") from None


def capacity_changes(graph: nx.MultiDiGraph, scenario: Scenario, where: str):
    """Split the scenario's changes into static factors (day 0) and later ones.

    Returns ``({(kind, ref): factor}, [(kind, ref, from_day, factor), …])`` with ``kind``
    ``edge`` or ``node``; shared by closure and routing so both read changes alike.
    """
    edge_ids = {key for _, _, key in graph.edges(keys=True)}
    corridors = {tag for *_, tags in graph.edges(data="corridors") for tag in (tags or ())}
    static: dict[tuple[str, str], float] = {}
    later: list[tuple[str, str, float, float]] = []
    for i, change in enumerate(scenario.capacity_changes):
        if change.corridor is not None:
            if change.corridor not in corridors:
                msg = (f"{where}: field 'capacity_changes.{i}.corridor' = {change.corridor!r}; "
                       f"valid corridors in this network: {', '.join(sorted(corridors))}")
                raise ScenarioError(msg)
            tagged = graph.edges(keys=True, data="corridors")
            targets = sorted({("edge", key) for _, _, key, tags in tagged
                              if change.corridor in (tags or ())})
        elif change.element in edge_ids:
            targets = [("edge", change.element)]
        else:
            node = _node(graph, change.element, where, f"capacity_changes.{i}.element")
            targets = [("node", node)]
        for kind, ref in targets:
            if change.from_day <= 0:
                static[(kind, ref)] = static.get((kind, ref), 1.0) * change.factor
            else:
                later.append((kind, ref, change.from_day, change.factor))
    return static, later


def _later_arc_changes(model: ClosureModel, later) -> list[tuple[int, float, float]]:
    mg = model.movement
    changes = []
    for kind, ref, from_day, factor in later:
        for arc in range(mg.n_arcs):
            hit = (mg.kind[arc] == "edge" and mg.ref[arc] == ref) if kind == "edge" else (
                (mg.kind[arc] == "gate" and mg.ref[arc] == ref)
                or (mg.kind[arc] == "edge" and ref in (mg.u[arc], mg.v[arc])))
            if hit:
                changes.append((arc, from_day * 24, factor))
    return changes
