"""The fastest feasible military move of one unit between two places, and real alternatives.

A route is searched on the movement graph (:mod:`mobility.movement`), so the gauge is physics:
a 1435 mm train reaches 1520 mm track only through a ``gauge_transfer`` node. Each node's gate
is expanded into one *transfer arc* per pair of layers it joins, so that loading
(road → rail/sea/air), unloading (→ road), gauge transfer (rail-1435 ↔ rail-1520) and
transshipment (e.g. rail → sea) each cost the node's dwell plus the unit's own handling time
(:mod:`mobility.unit_profiles`). Every query starts on the road layer of its origin (the unit
is on its own wheels or tracks) and ends on the road layer of its destination.

Move time
---------
The time a move takes is the time until the *whole unit* has arrived:

``hours = first_arrival_h + closing_h``

* ``first_arrival_h``: the first element (first train, first ship, head of the road column)
  — loading and marshalling, the legs at military speeds (the network's ``speed_kph`` are
  military averages; road marches count whole march days of ``road_march_hours_per_day``
  with the night's rest between them), terminal and gauge-transfer dwell, border clearance
  (the scenario's ``border_delays``) and unloading;
* ``closing_h``: how long the rest of the unit follows the first element. Moving a unit of
  ``n`` identical loads through stages in series, the last load arrives ``(n - 1) x h`` after
  the first, where ``h`` is the time the slowest stage needs per load (the makespan of
  identical jobs in a flow shop). A stage of capacity ``c`` loads/day takes ``24 / c`` h per
  load; a road column takes its pass time (FM 3-21.8 densities, :meth:`UnitProfile.column_pass_h`).

Minimising ``l(P) + max_a p_a`` over paths ``P`` (``l`` additive, ``p`` the closing time
each arc imposes) is the *quickest path problem* (Chen & Chin 1990, "The quickest path
problem", Computers & Operations Research 17(2); Rosen, Sun & Xue 1991). It is solved exactly
by running Dijkstra's algorithm (1959) on the arcs with ``p_a ≤ θ`` for each distinct ``θ``,
pruned by the unrestricted shortest path. During the search a road march is stretched
evenly by ``24 / road_march_hours_per_day`` (as the closure model does); the reported legs then
count whole march days, so a short march is not charged a night's rest.

Alternatives (``alternatives=k``) are found by forbidding the elements that characterise
earlier routes — corridor tags, transfer sites, border-crossing edges and modes — one more at
a time (a Lawler-style search tree, Lawler 1972) and keeping only routes whose set of such
elements is new; each reports what distinguishes it from the fastest route.

The movement graph and the per-unit arc weights are cached per (network, scenario, day) and
per (unit, mode); treat a network as read-only once you route on it.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import statistics
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import networkx as nx

from mobility._data import scenarios_dir
from mobility._errors import InfeasibleError, MobilityError, UnknownNodeError
from mobility.movement import GATE_IN, ROAD, movement_graph
from mobility.names import normalise, suggestions
from mobility.scenario import DEFAULT_SCENARIO, BorderDelays, Scenario, load_scenario
from mobility.schema import MODE_UNIT
from mobility.settings import CALIBRATED_MARCH_HOURS_PER_DAY
from mobility.unit_profiles import UnitProfile, unit_profile

__all__ = [
    "DEFAULT_UNIT",
    "MODES",
    "BorderCrossing",
    "Leg",
    "Place",
    "Route",
    "Transfer",
    "route",
    "route_network",
    "route_timing",
]

DEFAULT_UNIT = "tank-company"
MODES = ("any", "road", "rail", "sea", "air")
EARTH_RADIUS_KM = 6371.0088

ROAD_END = "road-end"  # second road layer when a main mode is forced: road only at the ends
START, END = "start", "end"
BOARDED = "/boarded"
#: With a main mode forced, an hour on the access road weighs this much in the search.
ACCESS_ROAD_WEIGHT = 100.0
#: Farthest (km) a typed 'lat,lon' may lie from the node it snaps to: a town's railway
#: station or road junction is within a few km; hundreds of km means wrong coordinates.
MAX_SNAP_KM = 25.0
_COORDS = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$")
_INF = math.inf


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A route end or waypoint: what the user typed and the node it resolved to."""

    query: str
    node: str
    name: str
    country: str
    snap_km: float | None = None  # distance from the typed lat,lon to the node


@dataclass(frozen=True)
class Leg:
    """A run of edges in one mode on one track gauge; ``hours`` is the elapsed moving time.

    Road legs also give ``driving_h`` (at the column's rate of march), ``halts_h`` (short
    halts), ``rest_h`` (nights between march days) and ``march_days``.
    """

    mode: str
    gauge: str | None
    from_node: str
    to_node: str
    from_name: str
    to_name: str
    km: float
    hours: float
    speed_kph: float
    edges: tuple[str, ...]
    corridors: tuple[str, ...]
    driving_h: float | None = None
    halts_h: float | None = None
    rest_h: float | None = None
    march_days: int | None = None


@dataclass(frozen=True)
class Transfer:
    """Loading, unloading, a gauge transfer or a transshipment at a node.

    ``hours = dwell_h + handling_h``: the node's terminal dwell (network data) plus the
    unit's own loading/unloading time (unit profile).
    """

    node: str
    name: str
    action: str  # load, unload, gauge_transfer, transship
    from_mode: str | None
    to_mode: str | None
    from_gauge: str | None
    to_gauge: str | None
    dwell_h: float
    handling_h: float
    hours: float


@dataclass(frozen=True)
class BorderCrossing:
    """A road or rail edge that crosses a land border, with the scenario's clearance delay."""

    edge: str
    name: str
    mode: str
    from_node: str
    to_node: str
    from_country: str
    to_country: str
    delay_h: float


@dataclass(frozen=True)
class Route:
    """The move of one unit; ``hours = first_arrival_h + closing_h``.

    ``first_arrival_h`` equals the sum of the legs' hours, the transfers' hours and the
    border delays.
    """

    from_: Place
    to: Place
    via: tuple[Place, ...]
    unit: str
    unit_kind: str
    mode: str
    scenario: str
    hours: float
    km: float
    first_arrival_h: float
    closing_h: float
    closing_bottleneck: str
    legs: tuple[Leg, ...]
    transfers: tuple[Transfer, ...]
    border_crossings: tuple[BorderCrossing, ...]
    corridors: tuple[str, ...]
    avoided: tuple[str, ...] = ()
    distinguished_by: tuple[str, ...] = ()
    alternatives: tuple[Route, ...] = ()
    assumptions: tuple[str, ...] = ()

    @property
    def days(self) -> float:
        return self.hours / 24

    @property
    def gauge_transfers(self) -> tuple[Transfer, ...]:
        return tuple(t for t in self.transfers if t.action == "gauge_transfer")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``from`` instead of ``from_``); hours and km unrounded."""
        return {
            "from": asdict(self.from_),
            "to": asdict(self.to),
            "via": [asdict(p) for p in self.via],
            "unit": self.unit,
            "unit_kind": self.unit_kind,
            "mode": self.mode,
            "scenario": self.scenario,
            "hours": self.hours,
            "days": self.days,
            "km": self.km,
            "first_arrival_h": self.first_arrival_h,
            "closing_h": self.closing_h,
            "closing_bottleneck": self.closing_bottleneck,
            "legs": [asdict(leg) for leg in self.legs],
            "transfers": [asdict(t) for t in self.transfers],
            "gauge_transfers": [asdict(t) for t in self.gauge_transfers],
            "border_crossings": [asdict(b) for b in self.border_crossings],
            "corridors": list(self.corridors),
            "avoided": list(self.avoided),
            "distinguished_by": list(self.distinguished_by),
            "alternatives": [alt.to_dict() for alt in self.alternatives],
            "assumptions": list(self.assumptions),
        }


# --- the public functions -------------------------------------------------------------------


def route(
    graph: nx.MultiDiGraph,
    from_: str,
    to: str,
    *,
    mode: str = "any",
    unit: str | UnitProfile = DEFAULT_UNIT,
    scenario: Scenario | str | None = None,
    avoid: Iterable[str] = (),
    via: Iterable[str] = (),
    alternatives: int = 0,
    day: float = 0.0,
    profiles: str | None = None,
    max_snap_km: float = MAX_SNAP_KM,
) -> Route:
    """The fastest feasible move of one unit from ``from_`` to ``to``.

    Parameters
    ----------
    graph
        A network from :func:`mobility.network.load_network`.
    from_, to
        A node name or id (case and diacritics ignored: "sestokai" finds Šeštokai), or
        ``"lat,lon"`` in degrees, snapped to the nearest node where a unit can start or end
        (``Place.snap_km`` gives the distance).
    mode
        ``any``, or the main mode: ``rail``, ``sea`` or ``air`` (road allowed only before
        the first and after the last leg in that mode), or ``road`` (road only).
    unit
        A profile name or alias from ``data/unit_profiles.yaml`` (e.g. ``tank-company``,
        ``armoured-brigade``, ``wheeled-battalion``, ``infantry-battalion``) or a
        :class:`~mobility.unit_profiles.UnitProfile`.
    scenario
        A :class:`~mobility.scenario.Scenario`, a shipped name or a YAML path: its
        ``border_delays``, ``capacity_changes`` (those in force on ``day``) and
        ``road_march_hours_per_day`` apply. ``None``: ``baseline``.
    avoid
        Elements the move must not use: an edge id, a corridor tag, or a node name/id. A
        node with a terminal (a gauge transfer, port, loading site …) loses its terminal —
        nothing is loaded, unloaded or transferred there — while through traffic still
        passes; a node without one is bypassed. Prefix ``node:`` to bypass a node entirely,
        ``edge:`` or ``corridor:`` to be explicit.
    via
        Waypoints (names, ids or ``lat,lon``) the move must pass, in order.
    alternatives
        How many alternative routes over different corridors to add.
    day
        Departure day (capacity changes from a later day are not in force).
    profiles
        A unit-profile YAML file instead of the shipped one.
    max_snap_km
        Farthest a ``"lat,lon"`` may lie from the node it snaps to (km); farther raises
        :class:`InfeasibleError` naming the nearest node, its distance, and whether the
        coordinates swapped (``lon,lat``) would fit.

    Raises
    ------
    UnknownNodeError
        A name matches no node (the message lists the closest names).
    InfeasibleError
        No route exists for this unit, mode and set of avoided elements.
    """
    if mode not in MODES:
        raise MobilityError(f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
    if alternatives < 0:
        raise MobilityError(f"alternatives must be 0 or more, not {alternatives}")
    profile = unit_profile(unit, profiles)
    base = _base(graph, scenario, day)
    core = base.core(profile, mode)
    origin = _place(core, from_, START, max_snap_km)
    destination = _place(core, to, END, max_snap_km)
    if origin.node == destination.node:
        raise MobilityError(f"from {from_!r} to {to!r}: both are {origin.name} "
                            f"({origin.node}), the same place; give two different places")
    waypoints = tuple(_place(core, text, "via", max_snap_km) for text in via)
    bans, avoided, avoid_notes = _avoid(core, list(avoid), origin.node, destination.node)
    query = _Query(core, origin, destination, waypoints, frozenset(bans))
    found = query.quickest(frozenset())
    if found is None:
        raise InfeasibleError(_why_infeasible(query, profile, mode, avoided))
    notes = (*_assumptions(base, core), *avoid_notes)
    first = query.build(found, avoided=avoided, notes=notes)
    if not alternatives:
        return first
    alts = query.alternatives(found, first, alternatives)
    ranked = sorted([first, *alts], key=lambda r: (r.hours, r.km))
    best = ranked[0]
    if best is not first:  # the search stretches road rest evenly; reports count march days
        ranked = [best, *(_relabel(r, best) for r in ranked[1:])]
    return _with_alternatives(ranked[0], tuple(ranked[1:]))


def route_timing(
    graph: nx.MultiDiGraph, from_: str, to: str, *, repeat: int = 50, **kwargs: Any
) -> dict[str, float]:
    """Time :func:`route` in milliseconds: the first call (builds the caches) and warm calls.

    Returns ``cold_ms``, ``warm_median_ms``, ``warm_min_ms`` and ``repeat``; for
    ``mobility bench``.
    """
    _BASES.pop(graph, None)
    start = time.perf_counter()
    route(graph, from_, to, **kwargs)
    cold = (time.perf_counter() - start) * 1000
    warm = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        route(graph, from_, to, **kwargs)
        warm.append((time.perf_counter() - start) * 1000)
    return {"cold_ms": cold, "warm_median_ms": statistics.median(warm),
            "warm_min_ms": min(warm), "repeat": float(len(warm))}


# --- scenario settings and the cached movement graph -------------------------------------


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


#: Per network: the settings read for each scenario asked for, and the _Base of each setting.
_BASES: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[str, _Base | _Settings]] = (
    weakref.WeakKeyDictionary()
)


def _base(graph: nx.MultiDiGraph, scenario: Scenario | str | None, day: float) -> _Base:
    per_graph = _BASES.setdefault(graph, {})
    if isinstance(scenario, Scenario):
        asked = f"scenario:{scenario.model_dump_json()}:{day!r}"
    else:
        asked = f"name:{scenario}:{day!r}"
    settings = per_graph.get(asked)
    if not isinstance(settings, _Settings):
        settings = per_graph[asked] = _settings(graph, scenario, day)
    key = settings.key()
    if key not in per_graph:
        per_graph[key] = _Base(graph, settings)
    return per_graph[key]


def _settings(graph: nx.MultiDiGraph, scenario: Scenario | str | None, day: float) -> _Settings:
    notes = []
    if scenario is None and not (scenarios_dir() / f"{DEFAULT_SCENARIO}.yaml").exists():
        notes.append(f"no '{DEFAULT_SCENARIO}' scenario is shipped: no border delays, no "
                     f"closures, road columns move {CALIBRATED_MARCH_HOURS_PER_DAY:g} h a day")
        return _Settings("(none)", BorderDelays(), (), CALIBRATED_MARCH_HOURS_PER_DAY, day,
                         tuple(notes))
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    from mobility.closure import capacity_changes  # the closure model's reading of changes

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
    return _Settings(scenario.name, scenario.border_delays, tuple(sorted(factors.items())),
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
        self._cores: dict[tuple[UnitProfile, str], _Core] = {}
        self._names: dict[str, str] | None = None
        self.edge_ids = frozenset(key for _, _, key in graph.edges(keys=True))

    def find_node(self, text: str) -> str:
        """:func:`mobility.names.resolve_node` with the names folded once per network."""
        if text in self.graph.nodes:
            return text
        if self._names is None:
            names: dict[str, str] = {}
            for node_id in sorted(self.graph.nodes):
                names.setdefault(normalise(node_id), node_id)
            for node_id, data in sorted(self.graph.nodes(data=True)):
                names.setdefault(normalise(data.get("name", node_id)), node_id)
            self._names = names
        found = self._names.get(normalise(text))
        if found is not None:
            return found
        # Suggest display names (with their ids), which is what a user recognises.
        ids_by_name = {d.get("name", n): n for n, d in sorted(self.graph.nodes(data=True))}
        close = suggestions(text, sorted(ids_by_name)) or [
            self.graph.nodes[n].get("name", n) for n in suggestions(text, sorted(self.graph))]
        hint = ", ".join(f"{name!r} (id {ids_by_name[name]})" for name in close)
        raise UnknownNodeError(f"unknown node {text!r}" + (f"; did you mean {hint}?" if hint
                                                           else "; no similar name or id"))

    def core(self, profile: UnitProfile, mode: str) -> _Core:
        key = (profile, mode)
        if key not in self._cores:
            self._cores[key] = _Core(self, profile, mode)
        return self._cores[key]


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


class _Core:
    """The routing graph of one unit profile and mode: vertices, arcs, weights, lags."""

    def __init__(self, base: _Base, profile: UnitProfile, mode: str) -> None:
        self.base, self.profile, self.mode = base, profile, mode
        graph, mg = base.graph, base.movement
        hours_a_day = base.settings.march_hours_per_day
        halt = profile.road_march.short_halt_min_per_h / 60
        if hours_a_day * (1 + halt) > 24:
            msg = (f"road columns cannot move {hours_a_day:g} h a day with "
                   f"{profile.road_march.short_halt_min_per_h:g} min of halts per hour")
            raise MobilityError(msg)
        self.hours_a_day = hours_a_day
        if mode not in ("any", ROAD) and mode not in profile.modes:
            msg = (f"unit {profile.name!r} ({profile.kind.description}) cannot move by {mode}; "
                   f"its modes: {', '.join(profile.modes)} ({profile.source})")
            raise InfeasibleError(msg)
        allowed = set(profile.modes) if mode == "any" else {mode, ROAD}
        self.restricted = mode not in ("any", ROAD)
        self.lots = profile.lots()
        self.vertices: list[tuple[str, str]] = []
        self.index: dict[tuple[str, str], int] = {}
        self.out: list[list[int]] = []
        self.head: list[int] = []
        self.tail: list[int] = []
        self.weight: list[float] = []
        self.lag: list[float] = []
        self.info: list[_EdgeArc | _TransferArc] = []
        self.skipped: dict[str, int] = defaultdict(int)
        kind = profile.kind
        for a in base.edge_arcs:
            edge_mode = mg.mode[a]
            if edge_mode not in allowed:
                continue
            data = graph.edges[mg.u[a], mg.v[a], mg.ref[a]]
            if edge_mode == ROAD and kind.min_mlc and (data.get("mlc") or _INF) < kind.min_mlc:
                self.skipped["mlc"] += 1
                continue
            if edge_mode == "rail" and kind.min_axle_load_t and \
                    (data.get("axle_load_t") or _INF) < kind.min_axle_load_t:
                self.skipped["axle_load"] += 1
                continue
            lots = self.lots[MODE_UNIT[edge_mode]]
            if lots == 0:
                continue
            capacity = mg.capacity_per_day[a]
            lag = _series_h(lots, capacity)
            speed = data["speed_kph"]
            if edge_mode == ROAD:
                speed = min(speed, kind.road_speed_kph)
                lag = max(lag, profile.column_pass_h(speed))
                moving_h = data["length_km"] / speed * 24 / hours_a_day
            else:
                moving_h = data["length_km"] / speed
            arc = _EdgeArc(mg.ref[a], data.get("name") or "", edge_mode, mg.layer[a], mg.u[a],
                           mg.v[a], data["length_km"], speed, mg.border_h[a], capacity,
                           tuple(data.get("corridors") or ()))
            layer = mg.layer[a]
            pairs = [(layer, layer)]
            if self.restricted:
                # Road only before the first and after the last leg in the main mode, and that
                # main mode must really be used: a unit that has just loaded must move on it.
                pairs = ([(ROAD, ROAD), (ROAD_END, ROAD_END)] if edge_mode == ROAD
                         else [(layer, layer), (_boarded(layer), layer)])
            if self.restricted and edge_mode == ROAD:
                # By rail (sea, air) as far as it goes: the search takes the road only where
                # the main mode cannot reach; reported hours are the true ones.
                moving_h *= ACCESS_ROAD_WEIGHT
            for tail_layer, head_layer in pairs:
                self._add((mg.u[a], tail_layer), (mg.v[a], head_layer),
                          moving_h + mg.border_h[a], lag, arc)
        for node in sorted(base.gates):
            self._add_transfers(node, allowed)
        self._add_road_ends()

    def _vertex(self, key: tuple[str, str]) -> int:
        if key not in self.index:
            self.index[key] = len(self.vertices)
            self.vertices.append(key)
            self.out.append([])
        return self.index[key]

    def _add(self, tail: tuple[str, str], head: tuple[str, str], weight: float, lag: float,
             info: _EdgeArc | _TransferArc) -> None:
        t, h = self._vertex(tail), self._vertex(head)
        self.out[t].append(len(self.head))
        self.tail.append(t)
        self.head.append(h)
        self.weight.append(weight)
        self.lag.append(lag)
        self.info.append(info)

    def _add_transfers(self, node: str, allowed: set[str]) -> None:
        capacity, dwell, unit = self.base.gates[node]
        lots = self.lots.get(unit, 0)
        layers = [layer for layer in self.base.gate_layers[node] if _mode_of(layer) in allowed]
        if self.mode == ROAD or ROAD not in layers or not lots:
            return
        lag = _series_h(lots, capacity)
        for a in layers:
            for b in layers:
                if a == b:
                    continue
                head_layer = b
                if self.restricted and b == ROAD:
                    head_layer = ROAD_END
                elif self.restricted and a == ROAD:
                    head_layer = _boarded(b)
                handling = self._handling(a, b)
                info = _TransferArc(node, a, b, dwell, handling, capacity, unit)
                self._add((node, a), (node, head_layer), dwell + handling, lag, info)
                # A move may begin with this loading or end with this unloading.
                if a == ROAD:
                    start = _TransferArc(node, None, b, dwell, handling, capacity, unit)
                    self._add((node, START), (node, head_layer), dwell + handling, lag, start)
                if b == ROAD:
                    end = _TransferArc(node, a, None, dwell, handling, capacity, unit)
                    self._add((node, a), (node, END), dwell + handling, lag, end)

    def _handling(self, a: str, b: str) -> float:
        ma, mb = _mode_of(a), _mode_of(b)
        profile = self.profile
        if ma == ROAD:
            return profile.handling(mb).load_h
        if mb == ROAD:
            return profile.handling(ma).unload_h
        if ma == mb:  # rail-1435 <-> rail-1520
            return profile.kind.gauge_transfer_h
        return profile.handling(ma).unload_h + profile.handling(mb).load_h

    def _add_road_ends(self) -> None:
        """Let a move begin or end on the road at every node with a road (own column)."""
        road = self.profile.kind.handling.road
        end_layer = ROAD_END if self.restricted else ROAD
        for node, layer in list(self.vertices):
            if layer == ROAD:
                info = _TransferArc(node, None, ROAD, 0.0, road.load_h, _INF, "vehicle",
                                    terminal=False)
                self._add((node, START), (node, ROAD), road.load_h, 0.0, info)
            if layer == end_layer:
                info = _TransferArc(node, ROAD, None, 0.0, road.unload_h, _INF, "vehicle",
                                    terminal=False)
                self._add((node, end_layer), (node, END), road.unload_h, 0.0, info)
        self.thresholds = sorted(set(self.lag))
        self.nodes_with = {
            role: {n for n, layer in self.vertices if layer == role} for role in (START, END)
        }
        self.node_vertices: dict[str, list[int]] = defaultdict(list)
        for i, (n, layer) in enumerate(self.vertices):
            if layer not in (START, END):
                self.node_vertices[n].append(i)


def _series_h(lots: int, capacity_per_day: float) -> float:
    """Hours between the first and last of ``lots`` loads through ``capacity_per_day``."""
    if lots <= 1 or not math.isfinite(capacity_per_day):
        return 0.0
    return (lots - 1) * 24 / capacity_per_day



# --- places and avoided elements -----------------------------------------------------------


def _place(core: _Core, text: str, role: str, max_snap_km: float = MAX_SNAP_KM) -> Place:
    graph = core.base.graph
    match = _COORDS.match(text)
    if match:
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise MobilityError(f"{text!r}: latitude must be in [-90, 90] and longitude in "
                                "[-180, 180] (give 'lat,lon')")
        candidates = core.nodes_with[role] if role in (START, END) else set(core.node_vertices)
        if not candidates:
            raise InfeasibleError(f"no node of this network can serve as {role} for this unit")
        node, distance = _nearest(graph, candidates, lat, lon)
        if distance > max_snap_km:
            data = graph.nodes[node]
            msg = (f"{text!r} is {distance:,.1f} km from the nearest node where a "
                   f"{core.profile.name} can {_ROLE_VERB[role]}, {data['name']} ({node}); "
                   f"the limit is {max_snap_km:g} km (--snap-km)")
            if -90 <= lon <= 90:
                swapped, swapped_km = _nearest(graph, candidates, lon, lat)
                if swapped_km <= max_snap_km:
                    msg += (f"; did you give lon,lat? '{lon:g},{lat:g}' is {swapped_km:,.1f} km "
                            f"from {graph.nodes[swapped]['name']} (give 'lat,lon')")
            raise InfeasibleError(msg)
        return _make_place(graph, text, node, distance)
    node = core.base.find_node(text)
    usable = core.nodes_with[role] if role in (START, END) else set(core.node_vertices)
    if node not in usable:
        data = graph.nodes[node]
        what = {START: "start from", END: "end at", "via": "pass"}[role]
        msg = (f"{data['name']} ({data['kind']}) is not a place a {core.profile.name} can "
               f"{what} by {core.mode if core.mode != 'any' else 'any mode'}: it has no road "
               "or terminal for this unit; choose a nearby town, terminal or base")
        raise InfeasibleError(msg)
    return _make_place(graph, text, node, None)


_ROLE_VERB = {START: "start", END: "end", "via": "pass"}


def _nearest(graph: nx.MultiDiGraph, candidates: Iterable[str], lat: float,
             lon: float) -> tuple[str, float]:
    """The candidate node nearest to (lat, lon) and its great-circle distance (km)."""
    node = min(sorted(candidates), key=lambda n: _haversine_km(
        lat, lon, graph.nodes[n]["y"], graph.nodes[n]["x"]))
    return node, _haversine_km(lat, lon, graph.nodes[node]["y"], graph.nodes[node]["x"])


def _make_place(graph: nx.MultiDiGraph, text: str, node: str, snap_km: float | None) -> Place:
    data = graph.nodes[node]
    return Place(text, node, data["name"], data["country"], snap_km)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


# ("corridor", tag), ("edge", id), ("node", id), ("facility", id) or ("mode", mode)
_Element = tuple[str, str]


def _avoid(core: _Core, texts: list[str], origin: str, destination: str
           ) -> tuple[set[int], tuple[str, ...], tuple[str, ...]]:
    graph = core.base.graph
    edge_ids = core.base.edge_ids
    elements: list[_Element] = []
    for text in texts:
        prefix, _, rest = text.partition(":")
        if rest and prefix in ("node", "edge", "corridor", "facility"):
            kind, value = prefix, rest.strip()
        else:
            kind, value = "", text.strip()
        if kind in ("", "edge") and value in edge_ids:
            elements.append(("edge", value))
        elif kind in ("", "corridor") and value.lower() in core.base.corridors:
            elements.append(("corridor", value.lower()))
        elif kind in ("", "node", "facility"):
            try:
                node = core.base.find_node(value)
            except UnknownNodeError:
                raise UnknownNodeError(_unknown_avoid(core, text)) from None
            whole = kind == "node" or (kind == "" and node not in core.base.gates)
            elements.append(("node" if whole else "facility", node))
        else:
            raise UnknownNodeError(_unknown_avoid(core, text))
    for kind, ref in elements:
        if kind == "node" and ref in (origin, destination):
            name = graph.nodes[ref]["name"]
            raise InfeasibleError(f"avoid {name!r}: it is the start or the end of the move")
    bans: set[int] = set()
    for element in elements:
        bans |= _arcs_of(core, element)
    labels = tuple(_label(core, e) for e in elements)
    notes = tuple(f"avoided: {label}" for label in labels)
    return bans, labels, notes


def _unknown_avoid(core: _Core, text: str) -> str:
    graph = core.base.graph
    names = [d["name"] for _, d in graph.nodes(data=True)]
    # Display names last: where a name and an id fold alike, the suggestion shows the name.
    candidates = [*sorted(graph.nodes), *sorted(core.base.corridors),
                  *sorted(core.base.edge_ids), *names]
    close = list(dict.fromkeys(suggestions(text.partition(":")[2] or text, candidates)))
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return (f"avoid {text!r}: not a node name or id, edge id or corridor tag{hint} "
            f"(corridors here: {', '.join(sorted(core.base.corridors)) or 'none'})")


def _arcs_of(core: _Core, element: _Element) -> set[int]:
    kind, ref = element
    found = set()
    for a, info in enumerate(core.info):
        if isinstance(info, _EdgeArc):
            hit = ((kind == "edge" and info.ref == ref)
                   or (kind == "corridor" and ref in info.corridors)
                   or (kind == "node" and ref in (info.u, info.v))
                   or (kind == "mode" and info.mode == ref))
        else:
            hit = ((kind == "node" and info.node == ref)
                   or (kind == "facility" and info.node == ref and info.terminal))
        if hit:
            found.add(a)
    return found


def _label(core: _Core, element: _Element) -> str:
    kind, ref = element
    graph = core.base.graph
    if kind == "corridor":
        return f"corridor {ref}"
    if kind == "mode":
        return f"{ref} mode"
    if kind == "edge":
        u, v, data = next((u, v, d) for u, v, k, d in graph.edges(keys=True, data=True)
                          if k == ref)
        name = f"{data['name']} " if data.get("name") else ""
        return f"{name}{graph.nodes[u]['name']}-{graph.nodes[v]['name']} {data['mode']} ({ref})"
    data = graph.nodes[ref]
    if kind == "node":
        return f"{data['name']} (bypassed)"
    return f"{data['name']} {str(data['kind']).replace('_', ' ')} (closed)"


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    cost: float  # search weight of the path (road rest spread evenly)
    closing_h: float
    arcs: tuple[int, ...]
    forbidden: frozenset[_Element] = frozenset()

    @property
    def total(self) -> float:
        return self.cost + self.closing_h


@dataclass
class _Query:
    core: _Core
    origin: Place
    destination: Place
    via: tuple[Place, ...]
    bans: frozenset[int]
    _ban_cache: dict[frozenset[_Element], frozenset[int]] = field(default_factory=dict)

    def quickest(self, forbidden: frozenset[_Element]) -> _Found | None:
        """Exact minimum of path weight + largest closing time on the path (Chen & Chin)."""
        bans = self.bans | self._bans(forbidden)
        first = self._dijkstra(bans, _INF)
        if first is None:
            return None
        shortest = first[0]
        unrestricted = _Found(first[0], self._closing(first[1]), first[1], forbidden)
        best = unrestricted if self._useful(unrestricted) else None
        for theta in self.core.thresholds:
            # Every path costs at least `shortest`; from theta = the unrestricted path's
            # closing time on, that path is optimal.
            if best is not None and (theta >= unrestricted.closing_h
                                     or shortest + theta >= best.total - 1e-9):
                break
            bound = best.total - theta if best is not None else _INF
            found = self._dijkstra(bans, theta, bound)
            if found is None:
                continue
            candidate = _Found(found[0], self._closing(found[1]), found[1], forbidden)
            if (best is None or candidate.total < best.total - 1e-9) and self._useful(candidate):
                best = candidate
        return best

    def _useful(self, found: _Found) -> bool:
        """With a main mode forced, the move must get somewhere in it (no out-and-back)."""
        if not self.core.restricted:
            return True
        main = [info for a in found.arcs
                if isinstance(info := self.core.info[a], _EdgeArc) and info.mode != ROAD]
        return bool(main) and main[0].u != main[-1].v

    def _bans(self, forbidden: frozenset[_Element]) -> frozenset[int]:
        if forbidden not in self._ban_cache:
            arcs: set[int] = set()
            for element in forbidden:
                arcs |= _arcs_of(self.core, element)
            self._ban_cache[forbidden] = frozenset(arcs)
        return self._ban_cache[forbidden]

    def _closing(self, arcs: tuple[int, ...]) -> float:
        return max((self.core.lag[a] for a in arcs), default=0.0)

    def _dijkstra(self, bans: frozenset[int], theta: float, bound: float = _INF
                  ) -> tuple[float, tuple[int, ...]] | None:
        """Dijkstra (1959) over (vertex, waypoints passed) with arcs of lag <= theta.

        Paths of weight ``bound`` or more are not followed.
        """
        core = self.core
        n = len(core.vertices)
        out, head, weight, lag = core.out, core.head, core.weight, core.lag
        via_vertices = [frozenset(core.node_vertices[p.node]) for p in self.via]
        stages = len(via_vertices)
        source = core.index[(self.origin.node, START)]
        target = core.index[(self.destination.node, END)] + stages * n
        dist = {source: 0.0}
        pred: dict[int, tuple[int, int]] = {}
        heap = [(0.0, source)]
        while heap:
            d, state = heapq.heappop(heap)
            if d > dist[state]:
                continue
            if state == target:
                arcs = []
                while state != source:
                    state, arc = pred[state]
                    if arc >= 0:
                        arcs.append(arc)
                return d, tuple(reversed(arcs))
            stage, v = divmod(state, n)
            if stage < stages and v in via_vertices[stage]:
                nxt = state + n
                if d < dist.get(nxt, _INF):
                    dist[nxt] = d
                    pred[nxt] = (state, -1)
                    heapq.heappush(heap, (d, nxt))
            offset = stage * n
            for a in out[v]:
                if lag[a] > theta or a in bans:
                    continue
                nd = d + weight[a]
                nxt = head[a] + offset
                if nd < dist.get(nxt, _INF) and nd < bound:
                    dist[nxt] = nd
                    pred[nxt] = (state, a)
                    heapq.heappush(heap, (nd, nxt))
        return None

    # --- alternatives -----------------------------------------------------------------

    def elements(self, found: _Found) -> frozenset[_Element]:
        """What characterises a route: corridors, transfer sites, border crossings, modes."""
        core = self.core
        graph = core.base.graph
        elements: set[_Element] = set()
        edges: set[_Element] = set()
        for a in found.arcs:
            info = core.info[a]
            if isinstance(info, _EdgeArc):
                elements |= {("corridor", tag) for tag in info.corridors}
                edges.add(("edge", info.ref))
                if info.mode in (ROAD, "rail") and \
                        graph.nodes[info.u]["country"] != graph.nodes[info.v]["country"]:
                    elements.add(("edge", info.ref))
                if info.mode != ROAD:
                    elements.add(("mode", info.mode))
            elif info.terminal:
                elements.add(("facility", info.node))
        return frozenset(elements or edges)

    def alternatives(self, found: _Found, first: Route, k: int) -> list[Route]:
        """Up to ``k`` routes over new sets of corridors/sites (Lawler-style branching)."""
        seen = {self.elements(found)}
        tried: set[frozenset[_Element]] = {frozenset()}
        pool: list[tuple[float, int, _Found]] = []
        counter = 0
        budget = 60 + 30 * k  # searches; each is a few Dijkstra runs on a small graph

        def expand(parent: _Found) -> None:
            nonlocal counter, budget
            for element in sorted(self.elements(parent)):
                forbidden = parent.forbidden | {element}
                if forbidden in tried or budget <= 0:
                    continue
                tried.add(forbidden)
                budget -= 1
                child = self.quickest(forbidden)
                if child is not None:
                    counter += 1
                    heapq.heappush(pool, (child.total, counter, child))

        expand(found)
        routes: list[Route] = []
        while pool and len(routes) < k:
            _, _, candidate = heapq.heappop(pool)
            signature = self.elements(candidate)
            if signature not in seen:
                seen.add(signature)
                built = self.build(candidate, avoided=first.avoided, notes=())
                routes.append(_relabel(built, first))
            expand(candidate)
        return routes

    # --- reporting ----------------------------------------------------------------------

    def build(self, found: _Found, *, avoided: tuple[str, ...], notes: tuple[str, ...]
              ) -> Route:
        core = self.core
        graph = core.base.graph
        nodes = graph.nodes
        legs: list[Leg] = []
        transfers: list[Transfer] = []
        borders: list[BorderCrossing] = []
        run: list[_EdgeArc] = []
        for a in found.arcs:
            info = core.info[a]
            if isinstance(info, _EdgeArc):
                if run and (run[-1].layer != info.layer or run[-1].v != info.u):
                    legs.append(self._leg(run))
                    run = []
                run.append(info)
                cu, cv = nodes[info.u]["country"], nodes[info.v]["country"]
                if cu != cv and info.mode in (ROAD, "rail"):  # land borders (movement.py)
                    borders.append(BorderCrossing(info.ref, info.name, info.mode, info.u, info.v,
                                                  cu, cv, info.border_h))
                continue
            if run:
                legs.append(self._leg(run))
                run = []
            transfers.append(_transfer(graph, info))
        if run:
            legs.append(self._leg(run))
        first_arrival = (sum(leg.hours for leg in legs) + sum(t.hours for t in transfers)
                         + sum(b.delay_h for b in borders))
        closing, bottleneck = self._bottleneck(found.arcs)
        corridors = tuple(sorted({c for leg in legs for c in leg.corridors}))
        return Route(
            from_=self.origin, to=self.destination, via=self.via, unit=core.profile.name,
            unit_kind=core.profile.kind_name, mode=core.mode, scenario=core.base.settings.name,
            hours=first_arrival + closing, km=sum(leg.km for leg in legs),
            first_arrival_h=first_arrival, closing_h=closing, closing_bottleneck=bottleneck,
            legs=tuple(legs), transfers=tuple(transfers), border_crossings=tuple(borders),
            corridors=corridors, avoided=avoided, assumptions=notes,
        )

    def _leg(self, run: list[_EdgeArc]) -> Leg:
        nodes = self.core.base.graph.nodes
        km = sum(e.km for e in run)
        driving = sum(e.km / e.speed_kph for e in run)
        corridors = tuple(sorted({c for e in run for c in e.corridors}))
        common = {
            "mode": run[0].mode, "gauge": _gauge_of(run[0].layer),
            "from_node": run[0].u, "to_node": run[-1].v,
            "from_name": nodes[run[0].u]["name"], "to_name": nodes[run[-1].v]["name"],
            "km": km, "speed_kph": km / driving if driving else 0.0,
            "edges": tuple(e.ref for e in run), "corridors": corridors,
        }
        if run[0].mode != ROAD:
            return Leg(hours=driving, **common)
        per_day = self.core.hours_a_day
        halt = self.core.profile.road_march.short_halt_min_per_h / 60
        days = max(1, math.ceil(driving / per_day - 1e-9))
        last_day = driving - (days - 1) * per_day
        elapsed = (days - 1) * 24 + last_day * (1 + halt)
        halts = driving * halt
        return Leg(hours=elapsed, driving_h=driving, halts_h=halts,
                   rest_h=elapsed - driving - halts, march_days=days, **common)

    def _bottleneck(self, arcs: tuple[int, ...]) -> tuple[float, str]:
        core = self.core
        if not arcs:
            return 0.0, "none"
        worst = max(arcs, key=lambda a: (core.lag[a], -a))
        lag = core.lag[worst]
        if lag <= 0:
            return 0.0, "none: the unit fits in one load at every stage"
        info = core.info[worst]
        nodes = core.base.graph.nodes
        if isinstance(info, _EdgeArc):
            unit = MODE_UNIT[info.mode]
            lots = core.lots[unit]
            where = (f"{info.name + ' ' if info.name else ''}{nodes[info.u]['name']}-"
                     f"{nodes[info.v]['name']}")
            if info.mode == ROAD and lag > _series_h(lots, info.capacity_per_day):
                return lag, (f"road column of {lots} vehicles passes {where} in {lag:.1f} h "
                             f"at {info.speed_kph:g} km/h")
            return lag, (f"{lots} {unit}s over {where} at {info.capacity_per_day:g} "
                         f"{unit}s/day")
        lots = core.lots[info.unit]
        action = _action(info)
        return lag, (f"{lots} {info.unit}s through {nodes[info.node]['name']} "
                     f"({action.replace('_', ' ')}) at {info.capacity_per_day:g} "
                     f"{info.unit}s/day")


def _action(info: _TransferArc) -> str:
    a, b = info.from_layer, info.to_layer
    if a is None or (a == ROAD and b not in (None, ROAD)):
        return "load"
    if b is None or b in (ROAD, ROAD_END):
        return "unload"
    if _mode_of(a) == _mode_of(b) == "rail":
        return "gauge_transfer"
    return "transship"


def _transfer(graph: nx.MultiDiGraph, info: _TransferArc) -> Transfer:
    action = _action(info)
    from_layer = info.from_layer if info.from_layer not in (None,) else None
    to_layer = info.to_layer
    if action == "load" and from_layer is None:
        from_layer = ROAD if to_layer != ROAD else None
    if action == "unload" and to_layer is None:
        to_layer = ROAD if from_layer != ROAD else None
    return Transfer(
        node=info.node, name=graph.nodes[info.node]["name"], action=action,
        from_mode=_mode_of(from_layer) if from_layer else None,
        to_mode=_mode_of(to_layer) if to_layer else None,
        from_gauge=_gauge_of(from_layer), to_gauge=_gauge_of(to_layer),
        dwell_h=info.dwell_h, handling_h=info.handling_h, hours=info.dwell_h + info.handling_h,
    )


def _relabel(alt: Route, first: Route) -> Route:
    """Say what distinguishes ``alt`` from ``first``, most telling difference first.

    Differences are taken by category - modes, gauge-transfer and transshipment sites,
    loading and unloading sites, corridors, border crossings - from the first two categories
    that differ.
    """
    words: list[str] = []
    categories = 0
    for mine, theirs in zip(_signature(alt), _signature(first), strict=True):
        if mine == theirs:
            continue
        words += [f"uses {label}" for label in sorted(mine - theirs)]
        words += [f"avoids {label}" for label in sorted(theirs - mine)]
        categories += 1
        if categories == 2:
            break
    return replace(alt, distinguished_by=tuple(words) or ("a different sequence of edges",),
                   alternatives=())


def _signature(r: Route) -> tuple[set[str], ...]:
    modes = {f"{leg.mode}" for leg in r.legs if leg.mode != ROAD}
    sites = {f"{t.action.replace('_', ' ')} at {t.name}" for t in r.transfers
             if t.action in ("gauge_transfer", "transship")}
    corridors = {f"corridor {c}" for c in r.corridors}
    borders = {f"border crossing {b.from_country}-{b.to_country} on {b.name or b.edge}"
               for b in r.border_crossings}
    terminals = {f"{t.action}ing {mode} at {t.name}" for t in r.transfers
                 if t.action in ("load", "unload")
                 and (mode := t.to_mode if t.action == "load" else t.from_mode) != ROAD}
    return modes, sites, terminals, corridors, borders


def _with_alternatives(first: Route, alternatives: tuple[Route, ...]) -> Route:
    return replace(first, distinguished_by=(), alternatives=alternatives)


# --- messages -------------------------------------------------------------------------------


def _why_infeasible(query: _Query, profile: UnitProfile, mode: str,
                    avoided: tuple[str, ...]) -> str:
    a, b = query.origin.name, query.destination.name
    by = f"by {mode}" if mode != "any" else f"by {', '.join(profile.modes)}"
    msg = f"no route from {a} to {b} for a {profile.name} {by}"
    if query.via:
        msg += f" via {', '.join(p.name for p in query.via)}"
    if avoided:
        unconstrained = _Query(query.core, query.origin, query.destination, query.via,
                               frozenset()).quickest(frozenset())
        if unconstrained is not None:
            return msg + f" while avoiding {'; '.join(avoided)} (a route exists without that)"
        msg += f" (avoiding {'; '.join(avoided)})"
    reasons = []
    if mode in ("rail", "sea", "air"):
        reasons.append(f"road is used only to reach the first and leave the last {mode} "
                       "terminal; try --mode any")
    if query.core.base.settings.factors:
        reasons.append("scenario closures are in force")
    skipped = query.core.skipped
    if skipped:
        reasons.append("edges unfit for this unit: " + ", ".join(
            f"{n} ({why.replace('_', ' ')})" for why, n in sorted(skipped.items())))
    return msg + (": " + "; ".join(reasons) if reasons else "")


def _assumptions(base: _Base, core: _Core) -> tuple[str, ...]:
    profile = core.profile
    lots = core.lots
    settings = base.settings
    border = settings.border
    pairs = ", ".join(f"{k} {v:g} h" for k, v in sorted(border.pairs_h.items()))
    column = profile.road_vehicles
    notes = [
        f"unit: {profile.summary()} — {profile.description}; needs {lots['train']} trains, "
        f"{lots['vehicle']} road vehicles, {lots['sailing']} sailing(s)"
        + (f", {lots['flight']} flight(s)" if "air" in profile.modes else "")
        + f" (profiles: {profile.source})",
        f"road: {profile.kind.road_carrier} at up to {profile.kind.road_speed_kph:g} km/h or the "
        f"road's convoy speed if lower; columns move {core.hours_a_day:g} h a day; a column of "
        f"{column} vehicles at {profile.kind.road_vehicles_per_km:g} per km is "
        f"{(column - 1) / profile.kind.road_vehicles_per_km:.1f} km long "
        f"(FM 3-21.8 open column, march units of {profile.road_march.march_unit_vehicles})",
        f"rail: the network's class speeds x {base.graph.graph.get('rail_speed_factor', 1.0):g} "
        "(calibrated average of a military train incl. waits for paths and crew changes; the "
        "network folder's frictions.yaml)",
        f"scenario: {settings.name}; border clearance {border.default_h:g} h at any land border"
        + (f", {pairs}" if pairs else ""),
        "move time = first arrival (loading, legs, terminal and gauge-transfer dwell, border "
        "clearance, unloading) + closing time (the rest of the unit follows through the slowest "
        "stage: (loads - 1) x 24 h / capacity per day, or a road column's pass time); the route "
        "minimises it exactly (quickest path, Chen & Chin 1990)",
        "terminal dwell is the node's transfer_dwell_h (network data); loading and unloading "
        "times are the unit profile's",
        *settings.notes,
    ]
    if profile.kind.min_mlc:
        notes.append(f"roads must carry MLC {profile.kind.min_mlc:g}; roads with no stated MLC "
                     f"are assumed to ({core.skipped.get('mlc', 0)} road arcs excluded)")
    if profile.kind.min_axle_load_t:
        notes.append(f"rail must carry {profile.kind.min_axle_load_t:g} t per axle; lines with no "
                     f"stated axle load are assumed to ({core.skipped.get('axle_load', 0)} "
                     "rail arcs excluded)")
    return tuple(notes)


def route_network(scenario: Scenario | str | None = None) -> nx.MultiDiGraph:
    """The network a scenario names (path, year, phases); the curated one without a scenario."""
    from mobility.network import load_network

    if scenario is None and not (scenarios_dir() / f"{DEFAULT_SCENARIO}.yaml").exists():
        return load_network()
    from mobility.closure import network_for

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return network_for(scenario)
