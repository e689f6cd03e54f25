"""The routing graph of one unit profile and mode: vertices, arcs, weights and closing lags."""

from __future__ import annotations

import math
from collections import defaultdict

from mobility._errors import InfeasibleError, MobilityError
from mobility.movement import ROAD
from mobility.routing.graph import (
    END,
    INF,
    ROAD_END,
    START,
    _Base,
    _boarded,
    _EdgeArc,
    _mode_of,
    _TransferArc,
)
from mobility.schema import MODE_UNIT, Mode
from mobility.unit_profiles import UnitProfile

#: With a main mode forced, an hour on the access road weighs this much in the search.
ACCESS_ROAD_WEIGHT = 100.0

def core_for(base: _Base, profile: UnitProfile, mode: str) -> _Core:
    """The routing graph of one unit profile and mode on ``base``, built once per base."""
    key = (profile, mode)
    if key not in base.cores:
        base.cores[key] = _Core(base, profile, mode)
    return base.cores[key]


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
            if edge_mode == ROAD and kind.min_mlc and (data.get("mlc") or INF) < kind.min_mlc:
                self.skipped["mlc"] += 1
                continue
            if edge_mode == "rail" and kind.min_axle_load_t and \
                    (data.get("axle_load_t") or INF) < kind.min_axle_load_t:
                self.skipped["axle_load"] += 1
                continue
            lots = self.lots[MODE_UNIT[Mode(edge_mode)]]
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
        road = self.profile.kind.handling.of(ROAD)
        assert road is not None  # every kind has road handling (unit_profiles.Kind)
        end_layer = ROAD_END if self.restricted else ROAD
        for node, layer in list(self.vertices):
            if layer == ROAD:
                info = _TransferArc(node, None, ROAD, 0.0, road.load_h, INF, "vehicle",
                                    terminal=False)
                self._add((node, START), (node, ROAD), road.load_h, 0.0, info)
            if layer == end_layer:
                info = _TransferArc(node, ROAD, None, 0.0, road.unload_h, INF, "vehicle",
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



