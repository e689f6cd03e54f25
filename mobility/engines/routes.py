"""Candidate routes for the fleet-constrained closure: paths per cargo class on the movement graph.

A formation's cargo is split into two classes that move separately and close together (the
TPFDD split of cargo and passengers): its ``vehicles`` (tracked and wheeled, loaded together;
tracked vehicles never fly and ride heavy equipment transporters on roads) and its
``personnel`` (buses on roads; may fly). The stress case moves one blended class, ``troops``,
with the scenario's planning factors.

For each home, class and set of allowed modes, routes are fastest paths (Dijkstra) on the
movement graph with the class's handling times at every load and unload, computed with each
combination of the modes (road, sea, rail, air; not all at once) switched off and with each
capacitated gate and border crossing of the routes found avoided in turn (breadth first, a
bounded number of searches). Kept: the fastest route of every sequence of modes, then up to
``MAX_ROUTES`` in all, one per distinct set of gates and crossings — a small set of
genuinely different ways (by sea through Rostock, by rail through Šeštokai, by road through
the Suwałki gap, …) among which the LP (:mod:`mobility.engines.fleet`) splits the flow. A
route fixes when each arc is entered after dispatch (no waiting on the way) and which fleets
carry it on which legs.

Routes are searched on the scenario's own movement graph (closures removed, delays added).
Less lift, later readiness or a lower (non-zero) capacity never change the routes, so they
never let more close by any day (property-tested). A network's phases (new and upgraded
lines) never displace a route either: the routes chosen as the network stood before its
phases (new lines closed, upgraded ones at their old hours) are candidates too, timed on the
upgraded lines, so a phase only adds ways (tested; this removed Rail Baltica 2030 closing
fewer troops than today's network). A closure or a longer delay changes the graph and so
can re-rank the routes kept; keeping every mode sequence's fastest route and searching with
each mode off (roads too) makes that rare, but with a bounded set of routes it is not
excluded.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse
from scipy.sparse.csgraph import dijkstra

from mobility.movement import GATE_IN, ROAD, MovementGraph
from mobility.schema import DATA_MODES, LIFT_UNITS, LONG_HAUL_MODES, MODES, Mode
from mobility.unit_profiles import UnitProfile

#: Routes kept per home, class and destination, and path searches spent finding them.
#: The LP can only split flow among the routes kept, so a low cap makes closure late: 3
#: against 16 routes cost the baseline 1.2 days to 200,000 troops and Suwałki closed 3.3
#: days to 100,000; 8 are within 0.4 days and 1.5 % of 16 at 2-3 times the solve time
#: (data/VALIDATION.md, "How much the figures depend on the method").
MAX_ROUTES = 8
MAX_SEARCHES = 24
#: A route slower than the fastest by more than this factor plus 48 h is not kept.
SLACK_FACTOR = 2.0


def layer_mode(layer: str) -> str:
    return "rail" if layer.startswith("rail") else layer


def carrier_of(layer: str) -> str | None:
    """The fleet type that carries loads on an edge of ``layer`` (road: see CargoRules)."""
    if layer.startswith("rail-"):
        return f"train-{layer.removeprefix('rail-')}"
    spec = MODES.get(Mode(layer)) if layer in MODES else None
    return spec.carrier if spec else None


def _handling(kind, units: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Load and unload hours by mode of a vehicle kind; drops from ``units`` the lifts
    of modes the kind cannot be handled by."""
    load, unload = {}, {}
    for mode in DATA_MODES:
        found = kind.handling.of(mode)
        if found is not None:
            load[str(mode)], unload[str(mode)] = found.load_h, found.unload_h
    for mode in LONG_HAUL_MODES:
        if mode not in load:
            units.pop(MODES[mode].unit, None)
    return load, unload


@dataclass(frozen=True)
class CargoRules:
    """How one item of a cargo class uses the movement graph.

    An item is one instance of a unit profile's vehicles (``vehicles``: its tracked and
    wheeled vehicles together, as a unit's vehicles are loaded together) or of its troops
    (``personnel``), or one troop of the stress case's blended class (``troops``).
    ``units`` maps an arc's unit (train, sailing, flight, vehicle) to the units one item
    fills (absent: this class cannot use such arcs); ``road_fleet`` the carriers one item
    needs on roads (heavy equipment transporters for tracked vehicles, buses for troops);
    ``load_h``/``unload_h`` map a mode to the class's own handling hours.
    """

    cargo: str
    units: tuple[tuple[str, float], ...]
    road_fleet: tuple[tuple[str, float], ...]
    load_h: tuple[tuple[str, float], ...]
    unload_h: tuple[tuple[str, float], ...]

    def uses(self, unit: str) -> float:
        return dict(self.units).get(unit, 0.0)

    @classmethod
    def for_profile(cls, profile: UnitProfile, cargo: str, kinds: dict) -> CargoRules | None:
        """Rules for the vehicles or the troops of one instance of ``profile`` (None: it
        has none)."""
        size, carriers = profile.size, profile.carriers
        units: dict[str, float] = {}
        road: dict[str, float] = {}
        if cargo == "vehicles":
            if not size.tracked and not size.wheeled:
                return None
            for unit in LIFT_UNITS:
                carrier = carriers.lift(unit)
                need = 0.0
                for count, per in ((size.tracked, carrier.tracked),
                                   (size.wheeled, carrier.wheeled)):
                    if count and not per:
                        need = math.inf
                    elif count:
                        need += count / per
                if math.isfinite(need):
                    units[unit] = need
            units["vehicle"] = float(size.tracked + size.wheeled)
            if size.tracked:
                road["het"] = float(size.tracked)
            kind = kinds["tracked_heavy" if size.tracked else "wheeled"]
        else:
            if not size.troops:
                return None
            for unit in LIFT_UNITS:
                per = carriers.lift(unit).troops
                if per:
                    units[unit] = size.troops / per
            units["vehicle"] = road["bus"] = size.troops / carriers.bus_troops
            kind = kinds["personnel"]
        load, unload = _handling(kind, units)
        return cls(cargo, tuple(sorted(units.items())), tuple(sorted(road.items())),
                   tuple(sorted(load.items())), tuple(sorted(unload.items())))

    @classmethod
    def supply(cls, tonnes_per: dict[str, float], kind, item_t: float) -> CargoRules:
        """Supplies, one item ``item_t`` tonnes: ``tonnes_per`` standard carrier (train,
        sailing, vehicle; a road vehicle is a truck, its own carrier), handled like ``kind``."""
        units = {unit: item_t / tonnes for unit, tonnes in tonnes_per.items()}
        load, unload = _handling(kind, units)
        return cls("supply", tuple(sorted(units.items())),
                   (("truck", units["vehicle"]),) if "vehicle" in units else (),
                   tuple(sorted(load.items())), tuple(sorted(unload.items())))

    @classmethod
    def blended(cls, troops_per_unit: dict[str, float]) -> CargoRules:
        """The stress case's single class: troops with their equipment, planning factors."""
        units = tuple(sorted((unit, 1.0 / tpu) for unit, tpu in troops_per_unit.items()))
        zero = tuple((str(m), 0.0) for m in sorted(DATA_MODES))
        return cls("troops", units, (), zero, zero)


@dataclass(frozen=True)
class Leg:
    """A stretch of a route carried by one fleet type (e.g. the ro-ro leg Rostock → Klaipėda).

    A carrier is busy from ``start_h`` after dispatch for ``busy_h``: loading, the loaded
    journey, unloading and the empty return over the same lines (``return_h``).
    """

    carrier: str
    start_h: float
    busy_h: float
    return_h: float
    carriers_per_item: float


@dataclass(frozen=True)
class Route:
    cargo: str
    home: str
    destination: str
    arcs: np.ndarray  # movement arcs in order
    enter_h: np.ndarray  # hours after dispatch each arc is entered
    use: np.ndarray  # natural units (trains, sailings, …) per item on each arc
    lead_h: float  # dispatch to arrival at the destination, handling included
    legs: tuple[Leg, ...]
    modes: tuple[str, ...]  # modes used, in order, e.g. ("rail", "road")
    entry_mode: str  # mode of the edge that enters the Baltic states ("" if none)
    embarkation: str  # node where the first long-haul leg loads ("" if by road)


class RoutePlanner:
    """Fastest paths per cargo class on one movement graph (shared by many solves)."""

    def __init__(self, movement: MovementGraph, countries: dict[str, str],
                 baltic: frozenset[str], search_transit: np.ndarray | None = None,
                 transfers: frozenset[str] = frozenset(),
                 before_phases: np.ndarray | None = None):
        """``search_transit``: hours per arc that choose the routes (default: the movement
        graph's own); the routes' timing always uses the movement graph's. Choosing routes
        without the scenario's border delays makes the routes kept the same whatever the
        delays, so a longer delay can only slow a route, never swap it for another.
        ``transfers``: gauge-transfer nodes; the fastest way through each is always a
        candidate (so a through line on one gauge never hides the transshipment routes).
        ``before_phases``: hours per arc as the network stood before its phases (inf on a
        new line, the old line's hours on an upgraded one); the routes chosen by them are
        candidates too, so a phase never displaces a route the network had without it."""
        self.mg = movement
        arrays = movement.arrays()
        self.tail, self.head = arrays["tail"], arrays["head"]
        self.transit = arrays["transit_h"]
        self.search_transit = self.transit if search_transit is None else search_transit
        self._transit_arc = np.asarray(movement.kind) != "link"
        self.capacity = arrays["capacity_per_day"]
        self.n_vertices = len(movement.vertices)
        # Per arc: its kind and mode (a layer's, "rail" for every gauge); edges' alone.
        self._kind = np.asarray(movement.kind)
        self._mode = np.array([layer_mode(layer) for layer in movement.layer])
        self.edge_mode = np.where(self._kind == "edge", self._mode, "")
        self.crosses_in = np.array([
            kind == "edge" and countries[u] not in baltic and countries[v] in baltic
            for kind, u, v in zip(movement.kind, movement.u, movement.v, strict=True)])
        # Network elements (an edge, a node's gate) as integers, to avoid them by mask.
        elements: dict[tuple[str, str], int] = {}
        self.element = np.array([elements.setdefault((kind, ref), len(elements))
                                 for kind, ref in zip(movement.kind, movement.ref, strict=True)])
        self.key_arc = ((self._kind == "gate") & np.isfinite(self.capacity)) | (
            (self._kind == "edge") & self.crosses_in)
        # Parallel arcs share one (tail, head) pair: a search uses the lightest of each pair.
        self._by_pair = np.lexsort((np.arange(movement.n_arcs), self.head, self.tail))
        tail, head = self.tail[self._by_pair], self.head[self._by_pair]
        first = np.flatnonzero(np.r_[True, (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])])
        self._pair_start = first
        self._pair_head = head[first]
        self._indptr = np.searchsorted(tail[first], np.arange(self.n_vertices + 1))
        self._pair_arcs = {(int(t), int(h)): self._by_pair[a:b] for t, h, a, b in zip(
            tail[first], head[first], first, np.r_[first[1:], len(tail)], strict=True)}
        # Per arc, what the classes' weights are also read from (_weights).
        self._unit = np.asarray(movement.unit)
        self._ref = np.asarray(movement.ref)
        self._into_gate = np.array([movement.vertices[int(h)][1] == GATE_IN for h in self.head])
        self._through = [("mode", np.flatnonzero(self.edge_mode == m)) for m in LONG_HAUL_MODES]
        self._through += [("gate", np.flatnonzero((self._kind == "gate") & (self._ref == node)))
                          for node in sorted(transfers)]
        self._before_phases = before_phases
        self._cache: dict[tuple, list[Route]] = {}

    def routes(self, home: str, destinations: tuple[str, ...], rules: CargoRules,
               modes: tuple[str, ...], *, start_layer: str = ROAD,
               exit_modes: tuple[str, ...] | None = None) -> list[Route]:
        """Candidate routes from ``home`` to each destination (fastest first, per destination).

        ``exit_modes`` restricts the modes a movement may leave the home's gate into (the
        stress case's origins that load onto trains, ships or aircraft).
        """
        key = (home, destinations, rules, modes, start_layer, exit_modes)
        if key not in self._cache:
            found = self._routes(home, destinations, rules, modes, start_layer, exit_modes,
                                 self.search_transit)
            if self._before_phases is not None:
                known = {(r.destination, tuple(r.arcs)) for r in found}
                found += [r for r in self._routes(home, destinations, rules, modes,
                                                  start_layer, exit_modes, self._before_phases)
                          if (r.destination, tuple(r.arcs)) not in known]
                order = {d: i for i, d in enumerate(destinations)}
                found.sort(key=lambda r: order[r.destination])  # stable: fastest first
            self._cache[key] = found
        return self._cache[key]

    def _weights(self, rules: CargoRules, modes: tuple[str, ...], home: str,
                 exit_modes: tuple[str, ...] | None, transit: np.ndarray) -> np.ndarray:
        """Hours per arc for this class that choose its routes (inf: not allowed), with
        ``transit`` on edges and gates."""
        weight = np.full(self.mg.n_arcs, np.inf)
        carried = np.isin(self._unit, [unit for unit, per in rules.units if per > 0])
        in_modes = np.isin(self._mode, modes)
        moving = ((self._kind == "edge") & in_modes | (self._kind == "gate")) & carried
        weight[moving] = transit[moving]
        # links between a layer and the node's gate: the class's own handling
        link = (self._kind == "link") & (in_modes | (self._mode == ROAD))
        if exit_modes is not None:
            link &= ~(~self._into_gate & (self._ref == home) & ~np.isin(self._mode, exit_modes))
        for into, hours in ((True, rules.unload_h), (False, rules.load_h)):
            for mode, h in hours:
                weight[link & (self._into_gate == into) & (self._mode == mode)] = h
        return weight

    def _routes(self, home, destinations, rules, modes, start_layer, exit_modes,
                search: np.ndarray) -> list[Route]:
        mg = self.mg
        start = mg.index.get((home, start_layer))
        targets = {d: mg.index.get((d, ROAD)) for d in destinations}
        if start is None:
            return []
        base = self._weights(rules, modes, home, exit_modes, search)
        # The routes' timing: the movement graph's own hours on the arcs the search weighed
        # by ``search`` (edges and gates; links carry the class's handling).
        timing = np.where(np.isfinite(base) & self._transit_arc, self.transit, base)
        # Each mode, roads too, switched off in every combination (but not all at once): so
        # a way by one mode alone is found even where a shortcut by another is faster.
        switchable = [m for m in (ROAD, *LONG_HAUL_MODES) if m in modes]
        hours, via = self._search(start, base)
        found: dict[str, dict[tuple[int, ...], None]] = {d: {} for d in destinations}
        fastest: dict[str, float] = {}
        for n_off in range(len(switchable)):
            for off in itertools.combinations(switchable, n_off):
                if off:
                    weight = base.copy()
                    weight[np.isin(self.edge_mode, off)] = np.inf
                    paths = self._dijkstra(start, weight)
                else:  # every mode allowed: the search above, done once
                    paths = self._paths(start, hours, via, base)
                for dest, vertex in targets.items():
                    path = paths(vertex) if vertex is not None else None
                    if path is not None:
                        found[dest].setdefault(tuple(path))
        # The fastest way through each long-haul mode at least once (a sea leg, a rail leg,
        # a flight) and through each gauge-transfer site, whatever is faster without it: so
        # no way goes missing because another got faster (a Rail Baltica phase hiding the
        # sea route or the transshipment at Šeštokai).
        for dest, vertex in targets.items():
            if vertex is None or not np.isfinite(hours[vertex]):
                continue
            back, towards = self._search(vertex, base, backwards=True)
            for _kind, arcs in self._through:
                through = arcs[np.isfinite(base[arcs])]
                if not len(through):
                    continue
                total = hours[self.tail[through]] + base[through] + back[self.head[through]]
                best = int(np.argmin(total))
                if np.isfinite(total[best]):
                    arc = int(through[best])
                    path = (*self._walk(start, int(self.tail[arc]), via, base), arc,
                            *self._walk_back(int(self.head[arc]), vertex, towards, base))
                    visits = [int(self.tail[a]) for a in path]
                    if len(set(visits)) == len(visits):  # not a walk that loops
                        found[dest].setdefault(path)
        # Avoid each capacitated gate and border crossing of each route found, in turn (one
        # at a time, breadth first, a bounded number of searches per destination).
        for dest, vertex in targets.items():
            if not found[dest] or vertex is None:
                continue
            fastest[dest] = min(float(base[list(p)].sum()) for p in found[dest])
            queue: list[tuple[tuple, frozenset]] = [(p, frozenset()) for p in found[dest]]
            seen: set[frozenset] = {frozenset()}
            searches = 0
            while queue and searches < MAX_SEARCHES:
                path, avoided = queue.pop(0)
                for arc in path:
                    avoid = avoided | {int(self.element[arc])}
                    if not self.key_arc[arc] or avoid in seen or searches >= MAX_SEARCHES:
                        continue
                    seen.add(avoid)
                    weight = base.copy()
                    weight[np.isin(self.element, list(avoid))] = np.inf
                    searches += 1
                    alternative = self._dijkstra(start, weight)(vertex)
                    if alternative is not None:
                        found[dest].setdefault(tuple(alternative))
                        queue.append((tuple(alternative), avoid))
        routes = []
        for dest in destinations:
            if dest not in fastest:
                continue
            ranked = sorted(found[dest], key=lambda p: (base[list(p)].sum(), p))
            by_modes: dict[tuple[str, ...], tuple[int, ...]] = {}
            for p in ranked:
                by_modes.setdefault(self._modes(p), p)
            first = list(by_modes.values())
            kept: list[tuple] = []
            signatures: set[tuple] = set()
            for p in first + [p for p in ranked if p not in set(first)]:
                # The fastest route of every sequence of modes, then (up to MAX_ROUTES in
                # all) one per distinct set of gates and crossings: so a new way (a Rail
                # Baltica phase) never displaces the only way by another mode.
                signature = self._signature(p)
                too_slow = base[list(p)].sum() > SLACK_FACTOR * fastest[dest] + 48
                if signature in signatures or too_slow:
                    continue
                if p not in by_modes.values() and len(kept) >= MAX_ROUTES:
                    break
                signatures.add(signature)
                kept.append(p)
            routes += [self._route(home, dest, np.array(p, dtype=np.int64), timing, rules)
                       for p in kept]
        return routes

    def _modes(self, path) -> tuple[str, ...]:
        """The modes a path uses, in order, e.g. ("road", "sea", "road")."""
        modes: list[str] = []
        for arc in path:
            mode = self.edge_mode[arc]
            if mode and (not modes or modes[-1] != mode):
                modes.append(str(mode))
        return tuple(modes)

    def _signature(self, path: tuple[int, ...]) -> tuple:
        mg = self.mg
        gates = tuple(mg.ref[a] for a in path
                      if mg.kind[a] == "gate" and np.isfinite(self.capacity[a]))
        crossings = tuple(mg.ref[a] for a in path if self.crosses_in[a])
        return gates, crossings

    def fastest_h(self, home: str, destinations: tuple[str, ...], rules: CargoRules,
                  modes: tuple[str, ...]) -> dict[str, float]:
        """Hours from dispatch to arrival by the fastest path, per reachable destination."""
        start = self.mg.index.get((home, ROAD))
        if start is None:
            return {}
        dist, _ = self._search(start, self._weights(rules, modes, home, None,
                                                    self.search_transit))
        handling = dict(rules.load_h).get(ROAD, 0.0) + dict(rules.unload_h).get(ROAD, 0.0)
        found = {}
        for dest in destinations:
            vertex = self.mg.index.get((dest, ROAD))
            if vertex is not None and np.isfinite(dist[vertex]):
                found[dest] = float(dist[vertex]) + handling
        return found

    def _search(self, start: int, weight: np.ndarray, *, backwards: bool = False
                ) -> tuple[np.ndarray, np.ndarray]:
        """Hours and predecessor vertices of the fastest paths from ``start`` (``backwards``:
        to ``start``, with the next vertex instead), by scipy's Dijkstra on the lightest arc
        of each pair of vertices."""
        lightest = np.minimum.reduceat(weight[self._by_pair], self._pair_start)
        matrix = sparse.csr_matrix((lightest, self._pair_head, self._indptr),
                                   shape=(self.n_vertices, self.n_vertices))
        if backwards:
            matrix = matrix.T.tocsr()
        return dijkstra(matrix, indices=start, return_predecessors=True)

    def _arc(self, tail: int, head: int, weight: np.ndarray) -> int:
        pair = self._pair_arcs[(tail, head)]
        return int(pair[np.argmin(weight[pair])])

    def _walk(self, start: int, vertex: int, via: np.ndarray, weight: np.ndarray) -> list[int]:
        """Arcs of the fastest path from ``start`` to ``vertex`` (``via``: predecessors)."""
        arcs = []
        while vertex != start:
            tail = int(via[vertex])
            arcs.append(self._arc(tail, vertex, weight))
            vertex = tail
        return arcs[::-1]

    def _walk_back(self, vertex: int, target: int, towards: np.ndarray,
                   weight: np.ndarray) -> list[int]:
        """Arcs of the fastest path from ``vertex`` to ``target`` (``towards``: next
        vertices, from a backwards search)."""
        arcs = []
        while vertex != target:
            head = int(towards[vertex])
            arcs.append(self._arc(vertex, head, weight))
            vertex = head
        return arcs

    def _dijkstra(self, start: int, weight: np.ndarray):
        """The fastest path from ``start`` to a vertex, as a function of the vertex giving
        its arcs (None: unreachable)."""
        return self._paths(start, *self._search(start, weight), weight)

    def _paths(self, start: int, dist: np.ndarray, via: np.ndarray, weight: np.ndarray):
        def path_to(vertex: int) -> list[int] | None:
            return self._walk(start, vertex, via, weight) if np.isfinite(dist[vertex]) else None

        return path_to

    def _route(self, home: str, dest: str, arcs: np.ndarray, weight: np.ndarray,
               rules: CargoRules) -> Route:
        mg = self.mg
        hours = weight[arcs]
        start_h = dict(rules.load_h).get(ROAD, 0.0)  # marshalling at home
        enter = start_h + np.concatenate([[0.0], np.cumsum(hours)[:-1]])
        lead = float(start_h + hours.sum() + dict(rules.unload_h).get(ROAD, 0.0))
        use = np.array([rules.uses(mg.unit[arc]) if mg.kind[arc] != "link" else 0.0
                        for arc in arcs])
        modes = self._modes(arcs)
        entry = next((self.edge_mode[a] for a in arcs if self.crosses_in[a]), "")
        embarkation = next((mg.u[a] for a in arcs if self.edge_mode[a] in LONG_HAUL_MODES), "")
        return Route(rules.cargo, home, dest, arcs, enter, use, lead,
                     self._legs(arcs, enter, hours, rules), modes, entry, embarkation)

    def _legs(self, arcs: np.ndarray, enter: np.ndarray, hours: np.ndarray,
              rules: CargoRules) -> tuple[Leg, ...]:
        """Maximal runs of edges of one layer, with the gates at their ends, and the fleets
        that carry the item on each (train sets, ships, aircraft; on roads HETs or buses)."""
        mg = self.mg
        legs = []
        i, n = 0, len(arcs)
        while i < n:
            arc = int(arcs[i])
            if mg.kind[arc] != "edge":
                i += 1
                continue
            j = i
            while j + 1 < n and mg.kind[int(arcs[j + 1])] == "edge" and \
                    mg.layer[int(arcs[j + 1])] == mg.layer[arc]:
                j += 1
            layer = mg.layer[arc]
            if layer == ROAD:
                fleets = list(rules.road_fleet)
            else:
                carrier = carrier_of(layer)
                fleets = [(carrier, rules.uses(mg.unit[arc]))] if carrier else []
            before = _neighbour_gate(mg, arcs, i, -1)
            after = _neighbour_gate(mg, arcs, j, +1)
            start = enter[before] if before is not None else enter[i]
            finish = (enter[after] + hours[after]) if after is not None else enter[j] + hours[j]
            return_h = float(hours[i:j + 1].sum())
            legs += [Leg(carrier, float(start), float(finish - start + return_h), return_h,
                         float(per_item)) for carrier, per_item in fleets if per_item > 0]
            i = j + 1
        return tuple(legs)


def _neighbour_gate(mg: MovementGraph, arcs: np.ndarray, i: int, step: int) -> int | None:
    """Index of the gate arc next to position ``i`` (across link arcs), if any."""
    k = i + step
    while 0 <= k < len(arcs) and mg.kind[int(arcs[k])] == "link":
        k += step
    if 0 <= k < len(arcs) and mg.kind[int(arcs[k])] == "gate":
        return k
    return None


__all__ = ["CargoRules", "Leg", "Route", "RoutePlanner", "carrier_of"]
