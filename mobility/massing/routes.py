"""The flashpoint area on the network, and each unit's candidate moves into it.

A unit's moves are the routing's own fastest routes (:func:`mobility.routing.route`, the
quickest-path search with the calibrated frictions: rail speed factor, march hours a day,
terminal dwell, handling, border clearance of the scenario named by ``rules``), one per main
mode (road; rail with road at the ends) and area node, kept inside the Baltic states (every
node outside Estonia, Latvia and Lithuania that is not in the area is avoided) and away from
the scenario's closed elements; and, for each of those, the fastest way round the first of
its tightest edges (least capacity per load) that has one, so that the LP can share a unit's
load between two paths. Each move is read into the times, after it leaves, at which
it enters every capacitated element it uses — road and rail edges (vehicles or trains a day
in each direction) and the gates where trains are loaded, unloaded or change gauge (trains a
day) — which is what the LP (:mod:`mobility.massing.model`) shares between the units.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
from shapely.geometry import Point, Polygon

from mobility._errors import InfeasibleError, MobilityError, UnknownNodeError
from mobility.massing.scenario import Area, FlashpointError, FlashpointScenario, Unit
from mobility.routing import DEFAULT_CACHE, route
from mobility.routing.result import Route, Transfer
from mobility.scenario import Scenario
from mobility.unit_profiles import UnitProfile, unit_profile

__all__ = ["BALTIC", "Move", "Resource", "area_nodes", "candidate_moves", "resources"]

BALTIC = frozenset({"EE", "LV", "LT"})
EARTH_KM = 6371.0088
#: Edges of a move (its tightest first) avoided in turn to find one way round them.
ALTERNATIVE_SEARCHES = 4


@dataclass(frozen=True)
class Resource:
    """A capacitated element: a road or rail edge in one direction, or a node's gate."""

    key: str  # "edge:<id>:<from node>" or "gate:<node>"
    kind: str  # road, rail or gate
    element: str  # edge id or node id
    name: str
    capacity_per_day: float
    unit: str  # vehicle or train


@dataclass(frozen=True)
class Move:
    """One way a unit can reach the area: the routing's route and what it uses when."""

    unit: str
    mode: str
    target: str
    hours: float  # first arrival after departure (the routing's first_arrival_h)
    alone_h: float  # the whole unit alone (the routing's hours: first arrival + closing)
    crosses_border: bool
    uses: tuple[tuple[str, float, float], ...]  # (resource key, hours after leaving, loads)
    route: Route | None  # None: the unit starts inside the area


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(min(1.0, a)))


def find_node(graph: nx.MultiDiGraph, rules: Scenario, text: str, where: str) -> str:
    try:
        return DEFAULT_CACHE.base(graph, rules, 0.0).find_node(text)
    except UnknownNodeError as error:
        raise FlashpointError(f"{where} = {text!r}: {error}") from None


def area_centre(graph: nx.MultiDiGraph, rules: Scenario, area: Area, where: str
                ) -> tuple[float, float]:
    if area.polygon is not None:
        c = Polygon(area.polygon).centroid
        return float(c.x), float(c.y)
    if area.node is not None:
        node = graph.nodes[find_node(graph, rules, area.node, f"{where}: field 'area.node'")]
        return float(node["x"]), float(node["y"])
    assert area.lon is not None and area.lat is not None
    return area.lon, area.lat


def area_nodes(graph: nx.MultiDiGraph, rules: Scenario, area: Area, where: str
               ) -> tuple[str, ...]:
    """The network nodes inside the area (a circle or a polygon), sorted."""
    lon, lat = area_centre(graph, rules, area, where)
    if area.polygon is not None:
        shape = Polygon(area.polygon)
        inside = [n for n, d in graph.nodes(data=True) if shape.covers(Point(d["x"], d["y"]))]
    else:
        assert area.radius_km is not None
        inside = [n for n, d in graph.nodes(data=True)
                  if haversine_km(lon, lat, d["x"], d["y"]) <= area.radius_km]
    if not inside:
        nearest = min(graph.nodes, key=lambda n: haversine_km(
            lon, lat, graph.nodes[n]["x"], graph.nodes[n]["y"]))
        km = haversine_km(lon, lat, graph.nodes[nearest]["x"], graph.nodes[nearest]["y"])
        fix = (f"give a radius_km of at least {math.ceil(km)} or a larger polygon"
               if km <= 500 else "give an area in or near the Baltic states")
        raise FlashpointError(f"{where}: field 'area': no network node lies inside it; the "
                              f"nearest is {graph.nodes[nearest]['name']!r} (id {nearest}) "
                              f"{km:.0f} km from its centre: {fix}")
    return tuple(sorted(inside))


def resources(graph: nx.MultiDiGraph, rules: Scenario) -> dict[str, Resource]:
    """Every capacitated road/rail edge direction and train gate, with the rules' capacity
    changes applied (the movement graph the routing searches)."""
    mg = DEFAULT_CACHE.base(graph, rules, 0.0).movement
    found: dict[str, Resource] = {}
    for a in range(mg.n_arcs):
        if mg.kind[a] == "edge" and mg.mode[a] in ("road", "rail"):
            key = f"edge:{mg.ref[a]}:{mg.u[a]}"
            name = next((d.get("name", mg.ref[a]) for _, _, k, d in
                         graph.out_edges(mg.u[a], keys=True, data=True) if k == mg.ref[a]),
                        mg.ref[a])
            found[key] = Resource(key, mg.mode[a], mg.ref[a], str(name),
                                  float(mg.capacity_per_day[a]), mg.unit[a])
        elif mg.kind[a] == "gate" and mg.unit[a] == "train":
            key = f"gate:{mg.ref[a]}"
            found[key] = Resource(key, "gate", mg.ref[a], str(graph.nodes[mg.ref[a]]["name"]),
                                  float(mg.capacity_per_day[a]), "train")
    return found


def _profile(unit: Unit, where: str) -> UnitProfile:
    try:
        return unit_profile(unit.profile)
    except MobilityError as error:
        raise FlashpointError(f"{where}.profile' = {unit.profile!r}: {error}") from None


def check_closed(graph: nx.MultiDiGraph, rules: Scenario, scenario: FlashpointScenario
                 ) -> None:
    edges = {k for _, _, k in graph.edges(keys=True)}
    corridors = DEFAULT_CACHE.base(graph, rules, 0.0).corridors
    for n, text in enumerate(scenario.closed):
        value = text.partition(":")[2].strip() if ":" in text else text
        if value in edges or value.lower() in corridors:
            continue
        find_node(graph, rules, value, f"{scenario.source_file}: field 'closed[{n}]'")


def candidate_moves(graph: nx.MultiDiGraph, rules: Scenario, scenario: FlashpointScenario,
                    units: list[tuple[Unit, str]], targets: tuple[str, ...],
                    known: dict[str, Resource]) -> dict[str, list[Move]]:
    """Each unit's moves into the area (the fastest first; empty: it cannot get there).

    ``units`` pairs each unit with where it was given (``"file: field 'units[3]"``, the
    field's quote left open for the sub-field) for error messages.
    """
    allowed, avoid = _inside(graph, scenario, targets)
    moves: dict[str, list[Move]] = {}
    for unit, where in units:
        profile = _profile(unit, where)
        home = find_node(graph, rules, unit.home, f"{where}.home'")
        if home not in allowed:
            country = graph.nodes[home].get("country")
            raise FlashpointError(f"{where}.home' = {unit.home!r}: {home} is in "
                                  f"{country}, outside the Baltic states and the area; units "
                                  "move inside Estonia, Latvia and Lithuania (give a Baltic "
                                  "node, e.g. where a reinforcement arrives)")
        if home in targets:
            moves[unit.id] = [Move(unit.id, "in place", home, 0.0, 0.0, False, (), None)]
            continue
        found: dict[tuple, Move] = {}
        for mode, target, r in _routes(graph, rules, scenario, home, targets, profile, avoid):
            first = _keep(found, _move(graph, unit, profile, mode, target, r, known))
            # one way round the first move's tightest edges, for the LP to share the load
            tight = sorted((known[key].capacity_per_day / max(loads, 1e-9), key)
                           for key, _, loads in first.uses if key.startswith("edge:"))
            for _, key in tight[:ALTERNATIVE_SEARCHES]:
                edge = key.split(":")[1]
                other = next(_routes(graph, rules, scenario, home, (target,), profile,
                                     [*avoid, edge], (mode,)), None)
                if other is not None and _signature(other[2]) not in found:
                    _keep(found, _move(graph, unit, profile, mode, target, other[2], known))
                    break
        moves[unit.id] = sorted(found.values(), key=lambda m: (m.hours, m.target, m.mode))
    return moves


def _inside(graph: nx.MultiDiGraph, scenario: FlashpointScenario, targets: tuple[str, ...]
            ) -> tuple[set[str], list[str]]:
    """The nodes units may use (Baltic states and the area) and what a route avoids."""
    allowed = {n for n, d in graph.nodes(data=True) if d.get("country") in BALTIC}
    allowed |= set(targets)
    return allowed, [*(f"node:{n}" for n in sorted(set(graph.nodes) - allowed)),
                     *scenario.closed]


def _signature(r: Route) -> tuple[str, ...]:
    return tuple(e for leg in r.legs for e in leg.edges)


def _keep(found: dict[tuple, Move], move: Move) -> Move:
    """Keep ``move`` unless a move over the same edges is as fast; return the kept one."""
    assert move.route is not None
    signature = _signature(move.route)
    if signature not in found or found[signature].hours > move.hours:
        found[signature] = move
    return found[signature]


def _routes(graph: nx.MultiDiGraph, rules: Scenario, scenario: FlashpointScenario, start: str,
            targets: tuple[str, ...], profile: UnitProfile, avoid: list[str],
            modes: tuple[str, ...] | None = None) -> Iterator[tuple[str, str, Route]]:
    """(mode, target, the routing's fastest route) for each mode and area node reached."""
    for mode in modes or scenario.modes:
        for target in targets:
            try:
                yield mode, target, route(graph, start, target, mode=mode, unit=profile,
                                          scenario=rules, avoid=avoid)
            except InfeasibleError:  # no route, or the start is a closed node
                continue


def _move(graph: nx.MultiDiGraph, unit: Unit, profile: UnitProfile, mode: str, target: str,
          r: Route, known: dict[str, Resource]) -> Move:
    lots = profile.lots()
    loads = {"vehicle": float(lots["vehicle"] * unit.count),
             "train": float(lots["train"] * unit.count)}
    border = {b.edge: b.delay_h for b in r.border_crossings}
    uses: list[tuple[str, float, float]] = []
    t = 0.0
    transfers: list[Transfer | None] = list(r.transfers)
    if len(transfers) != len(r.legs) + 1:  # not the routing's shape: times spread evenly
        transfers = [*transfers[:1], *([None] * (len(r.legs) - 1)), *transfers[-1:]]
    for n, leg in enumerate(r.legs):
        step = transfers[n]
        if step is not None:
            if "rail" in (step.from_mode, step.to_mode):
                _use(uses, known, f"gate:{step.node}", t, loads)
            t += step.hours
        walk, node = [], leg.from_node
        for edge in leg.edges:
            km, head = _edge(graph, node, edge)
            walk.append((edge, node, km))
            node = head
        total_km = sum(km for *_, km in walk) or 1.0
        for edge, tail, km in walk:
            t += border.get(edge, 0.0)
            _use(uses, known, f"edge:{edge}:{tail}", t, loads)
            t += leg.hours * km / total_km
    last = transfers[-1]
    if last is not None and "rail" in (last.from_mode, last.to_mode):
        _use(uses, known, f"gate:{last.node}", t, loads)
    return Move(unit.id, mode, target, r.first_arrival_h, r.hours, bool(r.border_crossings),
                tuple(uses), r)


def _edge(graph: nx.MultiDiGraph, node: str, edge: str) -> tuple[float, str]:
    for _, head, key, data in graph.out_edges(node, keys=True, data=True):
        if key == edge:
            return float(data["length_km"]), head
    raise MobilityError(f"route edge {edge!r} does not leave node {node!r}")  # a bug


def _use(uses: list, known: dict[str, Resource], key: str, t: float,
         loads: dict[str, float]) -> None:
    resource = known.get(key)
    if resource is not None and math.isfinite(resource.capacity_per_day):
        uses.append((key, t, float(loads[resource.unit])))


def isochrones(graph: nx.MultiDiGraph, rules: Scenario, scenario: FlashpointScenario,
               targets: tuple[str, ...], profile: str = "wheeled-battalion"
               ) -> dict[str, float]:
    """Hours a ``profile`` unit ready at hour 0 needs from each Baltic node to the area (its
    fastest move's first arrival, no permission clock): the map's arrival isochrones."""
    allowed, avoid = _inside(graph, scenario, targets)
    unit = unit_profile(profile)
    hours: dict[str, float] = {}
    for node in sorted(allowed):
        if node in targets:
            hours[node] = 0.0
            continue
        best = min((r.first_arrival_h for *_, r in _routes(graph, rules, scenario, node,
                                                            targets, unit, avoid)),
                   default=math.inf)
        if math.isfinite(best):
            hours[node] = best
    return hours
