"""The movement graph read for routing, per network and scenario setting, and its cache.

:class:`RoutingCache` holds, per network, the settings read for each scenario asked for and
the movement graph of each setting (and, through it, the per-unit routing graphs), so repeated
routes on one network do not rebuild them; treat a network as read-only once you route on it.
"""

from __future__ import annotations

import json
import math
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from mobility._data import scenarios_dir
from mobility.movement import GATE_IN, ROAD, movement_graph
from mobility.names import NodeIndex
from mobility.scenario import DEFAULT_SCENARIO, BorderDelays, Scenario, load_scenario
from mobility.settings import CALIBRATED_MARCH_HOURS_PER_DAY
from mobility.unit_profiles import UnitProfile

ROAD_END = "road-end"  # second road layer when a main mode is forced: road only at the ends
START, END = "start", "end"
BOARDED = "/boarded"
INF = math.inf





@dataclass(frozen=True)
class _Settings:
    name: str
    border: BorderDelays
    factors: tuple[tuple[tuple[str, str], float], ...]
    march_hours_per_day: float
    day: float
    notes: tuple[str, ...]

    def key(self) -> str:
        return json.dumps([self.name, self.border.model_dump(mode="json"), self.factors,
                           self.march_hours_per_day, self.day], sort_keys=True, default=str)


class RoutingCache:
    """Per network: the settings read for each scenario asked for, and the movement graph
    read for routing (:class:`_Base`) of each setting.

    Networks are held weakly: a network that is no longer used elsewhere drops out.
    """

    def __init__(self) -> None:
        self._bases: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[str, _Base | _Settings]] = (
            weakref.WeakKeyDictionary())

    def base(self, graph: nx.MultiDiGraph, scenario: Scenario | str | None, day: float) -> _Base:
        """The routing tables of ``graph`` under ``scenario`` on departure ``day``."""
        per_graph = self._bases.setdefault(graph, {})
        if isinstance(scenario, Scenario):
            asked = f"scenario:{scenario.model_dump_json()}:{day!r}"
        else:
            asked = f"name:{scenario}:{day!r}"
        settings = per_graph.get(asked)
        if not isinstance(settings, _Settings):
            settings = per_graph[asked] = _settings(graph, scenario, day)
        key = settings.key()
        found = per_graph.get(key)
        if not isinstance(found, _Base):
            found = per_graph[key] = _Base(graph, settings)
        return found

    def forget(self, graph: nx.MultiDiGraph) -> None:
        """Drop what is held for ``graph`` (after changing it, or to time a cold search)."""
        self._bases.pop(graph, None)


#: The cache :func:`mobility.routing.route` uses unless it is given one (``cache=``).
DEFAULT_CACHE = RoutingCache()


def _settings(graph: nx.MultiDiGraph, scenario: Scenario | str | None, day: float) -> _Settings:
    notes = []
    if scenario is None and not (scenarios_dir() / f"{DEFAULT_SCENARIO}.yaml").exists():
        notes.append(f"no '{DEFAULT_SCENARIO}' scenario is shipped: no border delays, no "
                     f"closures, road columns move {CALIBRATED_MARCH_HOURS_PER_DAY:g} h a day")
        return _Settings("(none)", BorderDelays(), (), CALIBRATED_MARCH_HOURS_PER_DAY, day,
                         tuple(notes))
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    from mobility.engines import capacity_changes  # the closure model's reading of changes

    where = scenario.source_file or f"scenario '{scenario.name}'"
    static, later = capacity_changes(graph, scenario, where)
    factors = dict(static)
    for kind, ref, from_day, factor in later:
        if from_day <= day:
            factors[(kind, ref)] = factors.get((kind, ref), 1.0) * factor
        else:
            notes.append(f"capacity change on {kind} '{ref}' from day {from_day:g} (x{factor:g}) "
                         f"is not in force on departure day {day:g}")
    for (kind, ref), factor in sorted(factors.items()):
        notes.append(f"scenario capacity change in force: {kind} '{ref}' x{factor:g}")
    return _Settings(scenario.name, scenario.crossings(), tuple(sorted(factors.items())),
                     scenario.road_march_hours_per_day, day, tuple(notes))


@dataclass
class _EdgeArc:
    ref: str
    name: str
    mode: str
    layer: str
    u: str
    v: str
    km: float
    speed_kph: float  # the speed the unit moves at (road: capped by its carrier)
    border_h: float
    capacity_per_day: float
    corridors: tuple[str, ...]


@dataclass
class _TransferArc:
    node: str
    from_layer: str | None  # None: the start of the move
    to_layer: str | None  # None: the end of the move
    dwell_h: float
    handling_h: float
    capacity_per_day: float
    unit: str
    terminal: bool = True  # False: the unit's own road column forming up or dispersing


class _Base:
    """A network with a scenario applied: the movement graph read into plain tables."""

    def __init__(self, graph: nx.MultiDiGraph, settings: _Settings) -> None:
        self.graph = graph
        self.settings = settings
        factors = dict(settings.factors)
        self.movement = mg = movement_graph(
            graph,
            border_delay_h=lambda a, b, _data: settings.border.hours(a, b),
            capacity_factor=lambda kind, ref: factors.get((kind, ref), 1.0),
            road_march_hours_per_day=24.0,  # routing applies the march day itself
        )
        self.edge_arcs = [a for a in range(mg.n_arcs) if mg.kind[a] == "edge"]
        self.gates: dict[str, tuple[float, float, str]] = {}
        layers_in: dict[str, set[str]] = defaultdict(set)
        layers_out: dict[str, set[str]] = defaultdict(set)
        for a in range(mg.n_arcs):
            if mg.kind[a] == "gate":
                self.gates[mg.ref[a]] = (mg.capacity_per_day[a], mg.transit_h[a], mg.unit[a])
            elif mg.kind[a] == "link":
                side = layers_in if mg.vertices[mg.head[a]][1] == GATE_IN else layers_out
                side[mg.ref[a]].add(mg.layer[a])
        self.gate_layers = {n: sorted(layers_in[n] & layers_out[n]) for n in self.gates}
        self.corridors = frozenset(tag for *_, tags in graph.edges(data="corridors")
                                   for tag in (tags or ()))
        #: The routing graph of each (unit profile, mode) asked for (routing.profiles).
        self.cores: dict[tuple[UnitProfile, str], Any] = {}
        self._names: NodeIndex | None = None
        self.edge_ids = frozenset(key for _, _, key in graph.edges(keys=True))

    def find_node(self, text: str) -> str:
        """:class:`mobility.names.NodeIndex` of this network, built once."""
        if self._names is None:
            self._names = NodeIndex(self.graph)
        return self._names.find(text)


def _boarded(layer: str) -> str:
    """The layer of a unit that has just loaded onto ``layer`` and must now move on it."""
    return f"{layer}{BOARDED}"


def _mode_of(layer: str) -> str:
    layer = layer.removesuffix(BOARDED)
    if layer.startswith("rail-"):
        return "rail"
    return ROAD if layer == ROAD_END else layer


def _gauge_of(layer: str | None) -> str | None:
    if not layer or not layer.startswith("rail-"):
        return None
    return layer.removeprefix("rail-").removesuffix(BOARDED)



def route_network(scenario: Scenario | str | None = None) -> nx.MultiDiGraph:
    """The network a scenario names (path, year, phases); the curated one without a scenario."""
    from mobility.network import load_network

    if scenario is None and not (scenarios_dir() / f"{DEFAULT_SCENARIO}.yaml").exists():
        return load_network()
    from mobility.engines import network_for

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return network_for(scenario)
