"""The movement graph: the physical network expanded into layers a solver cannot cheat.

Each node becomes one vertex per way of travelling through it: ``road``, ``rail-1435``,
``rail-1520``, ``sea`` and ``air``. An edge joins vertices of its own layer only; dual-gauge
track joins both rail layers, each train keeping its gauge. A movement changes layer only
through the node's *gate* (``gate-in`` → ``gate-out``), which exists where the node's kind
can load, unload or tranship (:data:`mobility.schema.KIND_TRANSFER_MODES`) and carries the
node's transfer capacity and dwell time. Only a ``gauge_transfer`` gate connects both rail
gauges, so a train passes from 1435 mm to 1520 mm track only through one — no path around it
exists for any solver.

Capacities here are per day in each arc's natural unit (``unit``: train, vehicle, sailing,
flight); callers convert them to troops with their planning factors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from mobility.schema import (
    DATA_MODES,
    KIND_TRANSFER_UNIT,
    LAND_MODES,
    Mode,
    track_gauges,
    transfer_modes,
)

ROAD = str(Mode.road)
GATE_IN, GATE_OUT = "gate-in", "gate-out"
UNLIMITED = float("inf")


def rail_layer(gauge: str) -> str:
    return f"rail-{gauge}"


def edge_layers(data: Mapping) -> tuple[str, ...]:
    """The layers a directed network edge connects."""
    mode = data["mode"]
    if mode == Mode.rail:
        return tuple(rail_layer(g) for g in track_gauges(data["gauge"]))
    return (str(mode),)


def gate_layers(graph: nx.MultiDiGraph, node_id: str) -> tuple[str, ...]:
    """Layers a node's gate connects (empty when the node cannot transfer)."""
    data = graph.nodes[node_id]
    modes = transfer_modes(data["kind"])
    present = {layer for _, _, d in graph.out_edges(node_id, data=True) for layer in edge_layers(d)}
    # The road layer is always a gate layer where roads are handled: forces enter at an
    # origin and leave at a destination on the road layer.
    layers = [str(m) for m in DATA_MODES if m != Mode.rail and m in modes
              and (m in present or m == ROAD)]
    if "rail" in modes:
        layers += [rail_layer(g) for g in data.get("loading_gauges", ())
                   if rail_layer(g) in present]
    return tuple(layers)


@dataclass
class MovementGraph:
    """Arrays of the layered graph.

    Arc ``i`` runs from ``vertices[tail[i]]`` to ``vertices[head[i]]``.

    ``kind`` is ``edge`` (a network edge, ``ref`` its id), ``gate`` (a node's transfer,
    ``ref`` the node id) or ``link`` (a free connection between a layer and its gate).
    ``border_h`` is the part of ``transit_h`` spent on border clearance.
    """

    vertices: list[tuple[str, str]] = field(default_factory=list)
    index: dict[tuple[str, str], int] = field(default_factory=dict)
    tail: list[int] = field(default_factory=list)
    head: list[int] = field(default_factory=list)
    capacity_per_day: list[float] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)
    transit_h: list[float] = field(default_factory=list)
    border_h: list[float] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    ref: list[str] = field(default_factory=list)
    mode: list[str] = field(default_factory=list)
    layer: list[str] = field(default_factory=list)
    u: list[str] = field(default_factory=list)
    v: list[str] = field(default_factory=list)

    def vertex(self, node_id: str, layer: str) -> int:
        key = (node_id, layer)
        if key not in self.index:
            self.index[key] = len(self.vertices)
            self.vertices.append(key)
        return self.index[key]

    def add_arc(self, tail: tuple[str, str], head: tuple[str, str], *, capacity_per_day: float,
                unit: str, transit_h: float, kind: str, ref: str, mode: str, layer: str,
                u: str, v: str, border_h: float = 0.0) -> int:
        self.tail.append(self.vertex(*tail))
        self.head.append(self.vertex(*head))
        self.capacity_per_day.append(capacity_per_day)
        self.unit.append(unit)
        self.transit_h.append(transit_h)
        self.border_h.append(border_h)
        self.kind.append(kind)
        self.ref.append(ref)
        self.mode.append(mode)
        self.layer.append(layer)
        self.u.append(u)
        self.v.append(v)
        return len(self.tail) - 1

    @property
    def n_arcs(self) -> int:
        return len(self.tail)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "tail": np.asarray(self.tail, dtype=np.int64),
            "head": np.asarray(self.head, dtype=np.int64),
            "capacity_per_day": np.asarray(self.capacity_per_day, dtype=float),
            "transit_h": np.asarray(self.transit_h, dtype=float),
        }


BorderDelay = Callable[[str, str, Mapping], float]
CapacityFactor = Callable[[str, str], float]


def movement_graph(
    graph: nx.MultiDiGraph,
    *,
    border_delay_h: BorderDelay | None = None,
    capacity_factor: CapacityFactor | None = None,
    dwell_h: Callable[[str, Mapping], float] | None = None,
    road_march_hours_per_day: float = 24.0,
    gate_exit_modes: Mapping[str, frozenset[str]] | None = None,
) -> MovementGraph:
    """Expand a network into its movement graph.

    Parameters
    ----------
    graph
        A network from :func:`mobility.load_network`.
    border_delay_h
        ``f(country_from, country_to, edge_data) -> hours`` added to road and rail edges
        that cross a border (red tape: clearance, permits, hand-over). Default none.
    capacity_factor
        ``f(kind, ref) -> factor`` multiplying the capacity of an edge (``kind='edge'``,
        ``ref`` its id) or node gate (``kind='node'``); 0 removes it. Default 1.
    dwell_h
        ``f(node_id, node_data) -> hours`` for the gate dwell; default the node's
        ``transfer_dwell_h`` (0 when not stated).
    road_march_hours_per_day
        Hours a day road columns move; road transit is stretched by ``24 / hours`` to
        account for halts and rest (a column at 50 km/h for 10 h covers 500 km a day).
    gate_exit_modes
        For the nodes named, the only modes (road, rail, sea, air) a movement may leave the
        gate into: an origin whose forces must be loaded onto trains, ships or aircraft.
    """
    mg = MovementGraph()
    factor = capacity_factor or (lambda kind, ref: 1.0)
    nodes = graph.nodes
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[2], e[0])):
        scale = factor("edge", key) * factor("node", u) * factor("node", v)
        if scale <= 0:
            continue
        crosses_land_border = (data["mode"] in LAND_MODES
                               and nodes[u]["country"] != nodes[v]["country"])
        delay = 0.0
        if crosses_land_border and border_delay_h is not None:
            delay = border_delay_h(nodes[u]["country"], nodes[v]["country"], data)
        moving_h = data["transit_h"]
        if data["mode"] == Mode.road:
            moving_h *= 24.0 / road_march_hours_per_day
        for layer in edge_layers(data):
            mg.add_arc((u, layer), (v, layer), capacity_per_day=data["capacity_per_day"] * scale,
                       unit=data["unit"], transit_h=moving_h + delay, border_h=delay,
                       kind="edge", ref=key, mode=str(data["mode"]), layer=layer, u=u, v=v)
    for node_id in sorted(nodes):
        data = nodes[node_id]
        layers = gate_layers(graph, node_id)
        scale = factor("node", node_id)
        if len(layers) < 2 or scale <= 0:
            continue
        capacity = data.get("transfer_capacity_per_day")
        capacity = UNLIMITED if capacity is None else capacity * scale
        dwell = dwell_h(node_id, data) if dwell_h else (data.get("transfer_dwell_h") or 0.0)
        mg.add_arc((node_id, GATE_IN), (node_id, GATE_OUT), capacity_per_day=capacity,
                   unit=KIND_TRANSFER_UNIT[data["kind"]], transit_h=dwell, kind="gate",
                   ref=node_id, mode=str(Mode.transfer), layer="gate", u=node_id, v=node_id)
        for layer in layers:
            common = {"capacity_per_day": UNLIMITED, "unit": "troop", "transit_h": 0.0,
                      "kind": "link", "ref": node_id, "mode": str(Mode.transfer),
                      "layer": layer, "u": node_id, "v": node_id}
            mg.add_arc((node_id, layer), (node_id, GATE_IN), **common)
            exits = (gate_exit_modes or {}).get(node_id)
            if exits is None or layer.split("-")[0] in exits:
                mg.add_arc((node_id, GATE_OUT), (node_id, layer), **common)
    return mg
