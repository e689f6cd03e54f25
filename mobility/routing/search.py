"""The quickest-path search, its alternatives and its messages, behind :func:`route`."""

from __future__ import annotations

import heapq
import math
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from mobility._errors import InfeasibleError, MobilityError
from mobility.movement import ROAD
from mobility.routing.graph import (
    DEFAULT_CACHE,
    END,
    INF,
    ROAD_END,
    START,
    RoutingCache,
    _Base,
    _EdgeArc,
    _gauge_of,
    _mode_of,
    _TransferArc,
)
from mobility.routing.places import MAX_SNAP_KM, _arcs_of, _avoid, _Element, _place
from mobility.routing.profiles import _Core, _series_h, core_for
from mobility.routing.result import BorderCrossing, Leg, Place, Route, Transfer
from mobility.scenario import Scenario
from mobility.schema import DATA_MODES, LAND_MODES, LONG_HAUL_MODES, MODE_UNIT, Mode
from mobility.unit_profiles import UnitProfile, unit_profile

DEFAULT_UNIT = "tank-company"
MODES = ("any", *map(str, DATA_MODES))

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
    cache: RoutingCache | None = None,
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
    cache
        Where the movement graph and per-unit routing graphs are kept between calls; default
        :data:`mobility.routing.graph.DEFAULT_CACHE` (one per process).

    Returns
    -------
    Route
        The fastest move: total hours and days, legs by mode (km, hours), transfers (dwell and
        handling hours), border crossings (clearance hours), lifts needed (trains, vehicles,
        sailings, flights), alternatives and the assumptions used.

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
    base = (cache or DEFAULT_CACHE).base(graph, scenario, day)
    core = core_for(base, profile, mode)
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

    The calls share a :class:`~mobility.routing.graph.RoutingCache` of their own, so the first
    is cold whatever was routed before; for ``mobility bench``.

    Parameters
    ----------
    graph, from_, to, kwargs
        As for :func:`route` (``cache`` is this function's own).
    repeat
        Warm calls to time (at least one).

    Returns
    -------
    dict
        ``cold_ms``, ``warm_median_ms``, ``warm_min_ms`` (milliseconds) and ``repeat``.
    """
    kwargs = {**kwargs, "cache": RoutingCache()}
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
        first = self._dijkstra(bans, INF)
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
            bound = best.total - theta if best is not None else INF
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

    def _dijkstra(self, bans: frozenset[int], theta: float, bound: float = INF
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
                if d < dist.get(nxt, INF):
                    dist[nxt] = d
                    pred[nxt] = (state, -1)
                    heapq.heappush(heap, (d, nxt))
            offset = stage * n
            for a in out[v]:
                if lag[a] > theta or a in bans:
                    continue
                nd = d + weight[a]
                nxt = head[a] + offset
                if nd < dist.get(nxt, INF) and nd < bound:
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
                if info.mode in LAND_MODES and \
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
                if cu != cv and info.mode in LAND_MODES:  # land borders (movement.py)
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
            unit = MODE_UNIT[Mode(info.mode)]
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
    if mode in LONG_HAUL_MODES:
        reasons.append(f"road is used only to reach the first and leave the last {mode} "
                       "terminal; try `mode` any")
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


