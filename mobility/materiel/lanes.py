"""Transport lanes of a materiel plan and their cycle times over the network.

A *lane* is one way of moving an item from a plant to a storage area:

* ``road``: a truck or low-loader loads at the plant, drives the road network to the area's
  access node and its last mile, unloads, and drives back empty;
* ``rail``: a 1520 mm wagon loads at the plant's siding, runs to the area's railhead and back
  empty; from the railhead a road vehicle carries the pieces to the area (its own cycle).

Routes are the shortest (km) over the network's edges a vehicle may use: a loaded road vehicle
whose load is *oversize* (wider or higher than :class:`~mobility.materiel.plan.RoadLimits`, or
heavier in gross) only uses the listed road classes and no edge whose ``mlc`` is below its
gross weight; the empty return may use any road. Wagons use 1520 mm and dual-gauge track at
the network's calibrated train speeds (``speed_kph`` of the rail edges: the average of a
military train including waits, data/SOURCES.md A10). Road time is distance over the
vehicle's own average speed (the network's road speeds are convoy march speeds).

The cycle time of a vehicle over a lane (hours), by Little's law, turns a fleet into a
throughput: ``loads a week = vehicles x hours available a week / cycle hours``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import networkx as nx

from mobility.materiel.plan import FleetType, Item, MaterielPlan, MaterielPlanError, StorageArea
from mobility.names import suggestions
from mobility.network import rail_gauges_at
from mobility.schema import Gauge, Mode

__all__ = ["Lane", "Leg", "check_plan", "pieces_per_load", "plan_lanes"]

ROAD_KINDS = ("truck", "low_loader")


@dataclass(frozen=True)
class Leg:
    """One loaded leg: the network edges it uses (ids, in order) and its length."""

    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    km: float
    hours: float


@dataclass(frozen=True)
class Lane:
    """A way from ``plant`` to ``area`` for ``item``.

    ``road_vehicle`` carries the item on the road (the whole way for ``mode == "road"``, from
    the railhead for ``"rail"``); ``wagon`` is the rail wagon type of a rail lane.
    ``road_cycle_h`` is the road vehicle's cycle per load (load, loaded leg, unload, empty
    return), ``wagon_cycle_h`` the wagon's. ``*_pieces_per_load`` are what one vehicle
    carries. ``oversize`` says the loaded road leg obeys the oversize rules.
    """

    id: str
    plant: str
    area: str
    item: str
    mode: str
    road_vehicle: str
    wagon: str | None
    road_pieces_per_load: int
    wagon_pieces_per_load: int
    road_cycle_h: float
    wagon_cycle_h: float
    oversize: bool
    road_leg: Leg
    rail_leg: Leg | None
    km: float

    @property
    def label(self) -> str:
        how = (f"{self.road_vehicle}" if self.mode == "road"
               else f"{self.wagon} + {self.road_vehicle}")
        return f"{self.plant} → {self.area} ({how})"


def pieces_per_load(item: Item, vehicle: FleetType) -> int:
    """Pieces of ``item`` one ``vehicle`` carries: bound by payload and by deck length.

    Pieces lie one deep along the deck; a piece wider than the deck overhangs it (which the
    oversize rules then govern on the road, and the loading gauge on rail).
    """
    by_weight = math.floor(vehicle.payload_t / item.piece_weight_t + 1e-9)
    by_length = math.floor(vehicle.deck_length_m / item.piece_length_m + 1e-9)
    return max(0, min(by_weight, by_length))


def is_oversize(item: Item, vehicle: FleetType, pieces: int, plan: MaterielPlan) -> bool:
    """Whether a road vehicle loaded with ``pieces`` of ``item`` exceeds the road limits."""
    limits = plan.road_limits
    width = max(item.piece_width_m, vehicle.deck_width_m)
    height = vehicle.deck_height_m + item.piece_height_m
    gross = vehicle.tare_t + pieces * item.piece_weight_t
    return width > limits.width_m + 1e-9 or height > limits.height_m + 1e-9 or \
        gross > limits.gross_weight_t + 1e-9


def check_plan(plan: MaterielPlan, graph: nx.MultiDiGraph) -> None:
    """Check the plan's nodes against the network; raise :class:`MaterielPlanError`."""
    where = plan.source_file or plan.name
    road_nodes = {u for u, _, d in graph.edges(data=True) if d["mode"] == Mode.road}

    def node(field: str, value: str, *, rail: bool = False) -> None:
        if value not in graph.nodes:
            close = suggestions(value, list(graph.nodes))
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise MaterielPlanError(f"{where}: field '{field}' = {value!r}: not a node of the "
                                    f"network{hint} (node ids: data/network/nodes.csv)")
        if not rail and value not in road_nodes:
            raise MaterielPlanError(f"{where}: field '{field}' = {value!r}: no road reaches "
                                    "this node; give a node on the road network")
        if rail and Gauge.broad not in rail_gauges_at(graph, value):
            with_1520 = sorted(n for n in graph.nodes if Gauge.broad in rail_gauges_at(graph, n)
                               and graph.nodes[n].get("country") in ("EE", "LV", "LT"))
            raise MaterielPlanError(f"{where}: field '{field}' = {value!r}: no 1520 mm track "
                                    f"at this node; Baltic nodes with 1520 mm track: "
                                    f"{', '.join(with_1520)}")

    for n, site in enumerate(plan.production):
        node(f"production[{n}].node", site.node)
        if site.rail_siding:
            node(f"production[{n}].node", site.node, rail=True)
    for n, area in enumerate(plan.storage_areas):
        node(f"storage_areas[{n}].access_node", area.access_node)
        if area.railhead is not None:
            node(f"storage_areas[{n}].railhead", area.railhead)
            node(f"storage_areas[{n}].railhead", area.railhead, rail=True)


def _shortest(graph: nx.MultiDiGraph, source: str, target: str, allowed, speed_of
              ) -> Leg | None:
    """Shortest (km) path over edges ``allowed(data)``; hours by ``speed_of(data)``."""
    if source == target:
        return Leg((source,), (), 0.0, 0.0)
    best: dict[tuple[str, str], tuple[float, str, dict]] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        if not allowed(data):
            continue
        length = float(data["length_km"])
        if (u, v) not in best or (length, key) < best[(u, v)][:2]:
            best[(u, v)] = (length, key, data)
    simple = nx.DiGraph()
    for (u, v), (length, key, data) in sorted(best.items()):
        simple.add_edge(u, v, km=length, key=key, hours=length / speed_of(data))
    if source not in simple or target not in simple:
        return None
    try:
        path = nx.dijkstra_path(simple, source, target, weight="km")
    except nx.NetworkXNoPath:
        return None
    hops = [simple.edges[a, b] for a, b in itertools.pairwise(path)]
    return Leg(tuple(path), tuple(h["key"] for h in hops), sum(h["km"] for h in hops),
               sum(h["hours"] for h in hops))


def _road_ok(plan: MaterielPlan, oversize: bool, gross_t: float):
    classes = set(plan.road_limits.oversize_road_classes)

    def allowed(data: dict) -> bool:
        if data["mode"] != Mode.road:
            return False
        if not oversize:
            return True
        if data.get("road_class") is None or str(data["road_class"]) not in classes:
            return False
        mlc = data.get("mlc")
        return mlc is None or float(mlc) >= gross_t
    return allowed


def _rail_ok(data: dict) -> bool:
    return data["mode"] == Mode.rail and data["gauge"] in (Gauge.broad, Gauge.dual)


def _road_leg(plan: MaterielPlan, graph: nx.MultiDiGraph, source: str, area: StorageArea,
              vehicle: FleetType, item: Item, pieces: int) -> tuple[float, Leg, bool] | None:
    """Cycle hours of ``vehicle`` from ``source`` to ``area`` and back, the loaded leg, and
    whether the load is oversize; ``None`` if the load cannot legally reach the area."""
    oversize = is_oversize(item, vehicle, pieces, plan)
    gross = vehicle.tare_t + pieces * item.piece_weight_t
    if oversize and area.last_mile_road_class not in plan.road_limits.oversize_road_classes:
        return None
    loaded_kph = (min(plan.road_limits.oversize_speed_kph, vehicle.loaded_speed_kph or 0)
                  if oversize else vehicle.loaded_speed_kph)
    assert loaded_kph and vehicle.empty_speed_kph  # validated: road vehicles have speeds
    loaded = _shortest(graph, source, area.access_node, _road_ok(plan, oversize, gross),
                       lambda _d: loaded_kph)
    empty = _shortest(graph, area.access_node, source, _road_ok(plan, False, 0.0),
                      lambda _d: vehicle.empty_speed_kph)
    if loaded is None or empty is None:
        return None
    loaded_h = loaded.hours + area.last_mile_km / loaded_kph
    empty_h = empty.hours + area.last_mile_km / vehicle.empty_speed_kph
    leg = Leg(loaded.nodes, loaded.edges, loaded.km + area.last_mile_km, loaded_h)
    return vehicle.load_h + loaded_h + vehicle.unload_h + empty_h, leg, oversize


def plan_lanes(plan: MaterielPlan, graph: nx.MultiDiGraph) -> list[Lane]:
    """Every feasible lane of the plan (sorted by id); see the module docstring.

    Raises
    ------
    MaterielPlanError
        A storage area needs an item that no vehicle can legally bring from any plant.
    """
    check_plan(plan, graph)
    where = plan.source_file or plan.name
    lanes: list[Lane] = []
    road = [f for f in plan.fleet if f.kind in ROAD_KINDS and f.count > 0]
    wagons = [f for f in plan.fleet if f.kind == "rail_wagon" and f.count > 0]
    for area in plan.storage_areas:
        for item_id in sorted(area.demand_units):
            if plan.remaining_units(area, item_id) <= 0:
                continue
            item = plan.item(item_id)
            found = 0
            for site in plan.production:
                if item_id not in site.output_units_per_week and item_id not in site.stock_units:
                    continue
                for vehicle in road:
                    pieces = pieces_per_load(item, vehicle)
                    if pieces == 0:
                        continue
                    direct = _road_leg(plan, graph, site.node, area, vehicle, item, pieces)
                    if direct is not None:
                        cycle, leg, oversize = direct
                        lanes.append(Lane(f"{site.id}>{area.id}:{item_id}:road:{vehicle.id}",
                                          site.id, area.id, item_id, "road", vehicle.id, None,
                                          pieces, 0, cycle, 0.0, oversize, leg, None, leg.km))
                        found += 1
                    # a rail lane needs a siding at the plant and a railhead elsewhere
                    if not site.rail_siding or area.railhead in (None, site.node):
                        continue
                    last = _road_leg(plan, graph, area.railhead, area, vehicle, item, pieces)
                    if last is None:
                        continue
                    cycle, leg, oversize = last
                    for wagon in wagons:
                        on_wagon = pieces_per_load(item, wagon)
                        if on_wagon == 0 or (wagon.max_load_width_m is not None and
                                             item.piece_width_m > wagon.max_load_width_m):
                            continue
                        rail = _shortest(graph, site.node, area.railhead, _rail_ok,
                                         lambda d: float(d["speed_kph"]))
                        if rail is None:
                            continue
                        wagon_cycle = (wagon.load_h + wagon.unload_h + wagon.turnaround_h
                                       + 2 * rail.hours)
                        lanes.append(Lane(
                            f"{site.id}>{area.id}:{item_id}:rail:{wagon.id}+{vehicle.id}",
                            site.id, area.id, item_id, "rail", vehicle.id, wagon.id, pieces,
                            on_wagon, cycle, wagon_cycle, oversize, leg, rail,
                            rail.km + leg.km))
                        found += 1
            if not found:
                raise MaterielPlanError(
                    f"{where}: storage area {area.id!r}: no vehicle of the fleet can carry "
                    f"{item_id!r} there from any production site (payload and deck length, "
                    "oversize road classes incl. its last_mile_road_class, loading gauge); "
                    "check the fleet, road_limits.oversize_road_classes or the area's nodes")
    return sorted(lanes, key=lambda lane: lane.id)
