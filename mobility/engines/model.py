"""A scenario placed on its network: the movement graph, entry points, capacity changes.

Shared by every closure method (:mod:`mobility.engines.exact`,
:mod:`mobility.engines.fleet`) and by the analyses that disrupt the network. The scenario's
day-0 capacity changes are applied to the movement graph (:mod:`mobility.movement`); later
ones are kept as ``(arc, from_h, factor)`` for the methods that model time-varying capacity.
For the unlimited stress case (scenario ``origins``), :func:`build_model` also builds the
single-commodity flow problem: every capacity converted to troops per hour with the planning
factors, a super source feeding the origins and a super sink draining the destinations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from mobility._errors import InfeasibleError, MobilityError, ScenarioError, UnknownNodeError
from mobility.flows import FlowProblem
from mobility.forces import load_force_list
from mobility.movement import GATE_IN, ROAD, MovementGraph, movement_graph
from mobility.names import resolve_node, suggestions
from mobility.network import load_network
from mobility.scenario import Origin, Scenario, load_scenario
from mobility.schema import DATA_MODES
from mobility.unit_profiles import load_unit_profiles

BALTIC_STATES = frozenset({"LT", "LV", "EE"})
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
        return movement_arc_label(self.graph, self.movement, arc)


def movement_arc_label(graph: nx.MultiDiGraph, mg: MovementGraph,
                       arc: int) -> tuple[str, str, str]:
    """(name, kind, element id) of a movement arc in a planner's words."""
    nodes = graph.nodes
    if mg.kind[arc] == "gate":
        node = mg.ref[arc]
        kind = str(nodes[node]["kind"])
        name, label = nodes[node]["name"], KIND_LABEL.get(kind, kind)
        return (name if label.casefold() in name.casefold() else f"{name} {label}"), kind, node
    data = graph.edges[mg.u[arc], mg.v[arc], mg.ref[arc]]
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
    entry: Any  # an Origin or a Destination
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
    end: Any  # an Origin or a Destination
    for is_origin, entries, vertices in ((True, scenario.origins, origin_vertices),
                                         (False, scenario.destinations, destination_vertices)):
        for end, vertex in zip(entries, vertices, strict=True):
            rate = end.troops_per_day if is_origin else end.reception_troops_per_day
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
    model.later_changes = later_arc_changes(movement, later)
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
    origin_ids, destination_ids = resolve_ends(graph, scenario, where)
    static, later = capacity_changes(graph, scenario, where)
    movement = scenario_movement(graph, scenario, origin_ids, static)
    origin_vertices, destination_vertices = _entry_vertices(
        movement, scenario, origin_ids, destination_ids)
    return _Placement(where, origin_ids, destination_ids, later, movement, origin_vertices,
                      destination_vertices)


def scenario_movement(graph: nx.MultiDiGraph, scenario: Scenario, origin_ids: list[str],
                       static: dict[tuple[str, str], float]) -> MovementGraph:
    crossings = scenario.crossings()
    return movement_graph(
        graph,
        border_delay_h=lambda a, b, _data: crossings.hours(a, b),
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



def network_for(scenario: Scenario) -> nx.MultiDiGraph:
    choice = scenario.network
    path = scenario.network_path()
    where = scenario.source_file or scenario.name
    try:
        graph = load_network(path, year=choice.year, phases=choice.phases)
    except MobilityError as error:
        raise ScenarioError(f"{where}: field 'network': {error}") from None
    countries = {str(c) for _, c in graph.nodes(data="country")}
    for pair in sorted(scenario.border_delays.pairs_h):
        unknown = [c for c in pair.split("-") if c not in countries]
        if unknown:
            msg = (f"{where}: field 'border_delays.pairs_h.{pair}': no country {unknown[0]!r} "
                   f"in this network; its countries: {', '.join(sorted(countries))}")
            raise ScenarioError(msg)
    return graph



# --- scenario elements ------------------------------------------------------------------


def resolve_entry(graph: nx.MultiDiGraph, text: str, where: str, field: str) -> str:
    try:
        return resolve_node(graph, text)
    except UnknownNodeError as error:
        raise UnknownNodeError(f"{where}: field '{field}': {error}") from None


def resolve_ends(graph: nx.MultiDiGraph, scenario: Scenario,
                 where: str) -> tuple[list[str], list[str]]:
    """Node ids of the scenario's origins and destinations; an origin that is also a
    destination is refused (its troops would "arrive" without moving)."""
    origins = [resolve_entry(graph, o.node, where, f"origins.{i}.node")
               for i, o in enumerate(scenario.origins)]
    destinations = [resolve_entry(graph, d.node, where, f"destinations.{i}.node")
                    for i, d in enumerate(scenario.destinations)]
    for i, node in enumerate(origins):
        if node in destinations:
            j = destinations.index(node)
            msg = (f"{where}: field 'origins.{i}.node' = {scenario.origins[i].node!r} is also "
                   f"'destinations.{j}.node' ({graph.nodes[node].get('name', node)}); an "
                   "origin must not be a destination")
            raise ScenarioError(msg)
    return origins, destinations


def capacity_changes(graph: nx.MultiDiGraph, scenario: Scenario, where: str):
    """Split the scenario's changes into static factors (day 0) and later ones.

    Returns ``({(kind, ref): factor}, [(kind, ref, from_day, factor), …])`` with ``kind``
    ``edge`` or ``node``; shared by closure and routing so both read changes alike.
    """
    edge_ids = {key for _, _, key in graph.edges(keys=True)}
    corridors = {tag for *_, tags in graph.edges(data="corridors") for tag in (tags or ())}
    carried: dict[str, set[str]] = defaultdict(set)  # curated edge id -> OSM edges
    for *_, key, ids in graph.edges(keys=True, data="carries"):
        for curated in ids or ():
            carried[curated].add(key)
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
        elif change.element in carried:  # a curated edge an OSM path replaced (conflation)
            targets = [("edge", key) for key in sorted(carried[change.element])]
        else:
            field = f"capacity_changes.{i}.element"
            element = change.element or ""  # given: the model requires element or corridor
            try:
                node = resolve_entry(graph, element, where, field)
            except UnknownNodeError:
                close = suggestions(element, sorted(edge_ids | carried.keys()))
                if not close:
                    raise
                msg = (f"{where}: field '{field}' = {change.element!r} is neither a node nor "
                       f"an edge id; did you mean edge {close[0]!r}?")
                raise UnknownNodeError(msg) from None
            targets = [("node", node)]
        for kind, ref in targets:
            if change.from_day <= 0:
                static[(kind, ref)] = static.get((kind, ref), 1.0) * change.factor
            else:
                later.append((kind, ref, change.from_day, change.factor))
    return static, later


def later_arc_changes(mg: MovementGraph, later) -> list[tuple[int, float, float]]:
    """The movement arcs each later change scales: ``[(arc, from_h, factor), …]``."""
    changes = []
    for kind, ref, from_day, factor in later:
        for arc in range(mg.n_arcs):
            hit = (mg.kind[arc] == "edge" and mg.ref[arc] == ref) if kind == "edge" else (
                (mg.kind[arc] == "gate" and mg.ref[arc] == ref)
                or (mg.kind[arc] == "edge" and ref in (mg.u[arc], mg.v[arc])))
            if hit:
                changes.append((arc, from_day * 24, factor))
    return changes


def stress_case(scenario: Scenario) -> Scenario:
    """The unlimited stress case of a scenario: its network, changes, delays and assembly
    areas, with origins in place of a force list: on the shipped network those of the
    shipped ``unlimited`` scenario, on another network each home of the force list, sending
    its whole force in a day by the modes its formations may use.

    The network questions (interdiction's long-run throughput, investments' shadow prices)
    are asked of this case; a scenario that already has origins is returned unchanged.
    """
    if scenario.forces is None:
        return scenario
    if scenario.network.path is None:
        unlimited = load_scenario("unlimited")
        origins, force, note = unlimited.origins, unlimited.force, "origins of 'unlimited'"
    else:
        forces = load_force_list(scenario.forces, relative_to=scenario.source_file)
        profiles = load_unit_profiles()
        homes: dict[str, tuple[set[str], float]] = {}
        for f in forces.formations:
            modes, troops = homes.get(f.home, (set(), 0.0))
            homes[f.home] = (modes | set(f.modes), troops + profiles[f.profile].size.troops
                             * f.count)
        origins = tuple(Origin(node=home, troops_per_day=max(troops, 1.0),
                               modes=tuple(str(m) for m in DATA_MODES if m in modes))
                        for home, (modes, troops) in homes.items())
        force, note = scenario.force, "the force list's homes, each sending its whole force a day"
    return scenario.model_copy(update={
        "forces": None, "origins": origins, "force": force, "permissions": None,
        "sustainment": None,
        "description": f"{scenario.description} (stress case: {note})"})
