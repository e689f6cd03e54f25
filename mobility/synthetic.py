"""Synthetic road/rail-shaped flow problems of a chosen size, for benchmarks and tests.

The curated network has about 700 arcs; an OpenStreetMap import of the Baltic road and rail
network has 50,000-100,000+. `synthetic_problem` builds a network of that shape and size
without any data: a jittered square grid of towns (``cell_km`` apart) joined by two-way roads,
a few percent of two-way rail links that skip several cells at a higher speed, origins
(ports, railheads) on the west edge and assembly areas on the east edge, a super source and a
super sink. Everything comes from one seeded ``numpy`` generator, so the same arguments give
the same problem, array for array.

`country_mesh` lays a road grid of that density over one country of the curated network, so
that the closure engine (routes, fleets, capacity changes) can be timed at country scale.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mobility.flows import FlowProblem
from mobility.network import NetworkTables

__all__ = ["country_mesh", "synthetic_problem"]

_ROAD_SPEED_KPH = 35.0  # road march of a mixed column
_RAIL_SPEED_KPH = 60.0
_RAIL_HANDLING_H = 2.0  # loading and unloading at both ends of a rail link
_RAIL_SHARE = 0.05  # fraction of the arcs that are rail links
_GRID_KEEP = 0.9  # fraction of the grid's road pairs kept (the rest: rivers, no road)


def _side_for(n_road_pairs: int) -> int:
    """Smallest grid side whose 4-neighbour pairs, thinned by ``_GRID_KEEP``, hold enough."""
    side = 2
    while _GRID_KEEP * 2 * side * (side - 1) < n_road_pairs:
        side += 1
    return side


def synthetic_problem(
    n_arcs: int,
    *,
    seed: int = 0,
    integer_transit: bool = True,
    n_origins: int = 4,
    n_destinations: int = 4,
    cell_km: float = 25.0,
    supply_troops_per_day: float = 30_000.0,
) -> FlowProblem:
    """A road/rail-shaped `FlowProblem` with ``n_arcs`` arcs (exact up to one arc).

    Parameters
    ----------
    n_arcs
        Number of arcs wanted (>= 40), counting the super source and super sink arcs.
    seed
        Seed of the ``numpy`` generator; the same arguments give the same problem.
    integer_transit
        True (default): transit times rounded up to whole hours, so an hourly time-expanded
        network represents them exactly and agrees with the exact curve. False: fractional
        hours (distance / speed).
    n_origins, n_destinations
        Origins on the west edge of the grid (each dispatching ``supply_troops_per_day``) and
        assembly areas on the east edge (each receiving as much).
    cell_km
        Distance between neighbouring towns, km.
    supply_troops_per_day
        Dispatch rate of each origin and reception rate of each destination.

    Returns
    -------
    FlowProblem
        Capacities in troops per hour (drawn per day: roads 2,000-12,000, rail 4,000-16,000
        troops per day), transit in hours. Nodes ``0 .. side**2 - 1`` are the grid, then the
        super source and the super sink.

    Raises
    ------
    ValueError
        If ``n_arcs`` is too small for the requested origins and destinations.
    """
    n_terminal = n_origins + n_destinations
    if n_origins < 1 or n_destinations < 1:
        msg = f"need at least one origin and one destination, got {n_origins}, {n_destinations}"
        raise ValueError(msg)
    if n_arcs < max(40, 5 * n_terminal):
        msg = f"n_arcs = {n_arcs} is too small (at least {max(40, 5 * n_terminal)})"
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    n_rail_pairs = int(_RAIL_SHARE * n_arcs) // 2
    n_road_pairs = (n_arcs - n_terminal - 2 * n_rail_pairs) // 2
    side = _side_for(n_road_pairs)
    n_grid = side * side
    xy_km = (
        np.stack(np.divmod(np.arange(n_grid), side), axis=1)[:, ::-1] * cell_km
        + rng.uniform(-0.3, 0.3, size=(n_grid, 2)) * cell_km
    )  # column 0 = x (west -> east), column 1 = y

    # Road pairs: a random subset of the grid's horizontal and vertical neighbours.
    node = np.arange(n_grid).reshape(side, side)
    pairs = np.concatenate([
        np.stack([node[:, :-1].ravel(), node[:, 1:].ravel()], axis=1),
        np.stack([node[:-1, :].ravel(), node[1:, :].ravel()], axis=1),
    ])
    pairs = pairs[np.sort(rng.choice(pairs.shape[0], size=n_road_pairs, replace=False))]
    road_km = np.hypot(*(xy_km[pairs[:, 0]] - xy_km[pairs[:, 1]]).T) * rng.uniform(
        1.1, 1.4, size=n_road_pairs
    )  # roads wind
    road_h = road_km / _ROAD_SPEED_KPH
    road_cap = rng.uniform(2_000, 12_000, size=n_road_pairs)

    # Rail links: from a random town to one 3-8 cells away, faster but with handling time.
    a = rng.integers(0, n_grid, size=n_rail_pairs)
    dx = rng.integers(3, 9, size=n_rail_pairs) * rng.choice([-1, 1], size=n_rail_pairs)
    dy = rng.integers(-2, 3, size=n_rail_pairs)
    row = np.clip(a // side + dy, 0, side - 1)
    col = np.clip(a % side + dx, 0, side - 1)
    b = row * side + col
    b = np.where(b == a, (a + 1) % n_grid, b)
    rail_km = np.hypot(*(xy_km[a] - xy_km[b]).T) * 1.1
    rail_h = rail_km / _RAIL_SPEED_KPH + _RAIL_HANDLING_H
    rail_cap = rng.uniform(4_000, 16_000, size=n_rail_pairs)

    u = np.concatenate([pairs[:, 0], a])
    v = np.concatenate([pairs[:, 1], b])
    pair_h = np.concatenate([road_h, rail_h])
    pair_cap = np.concatenate([road_cap, rail_cap])
    source, sink = n_grid, n_grid + 1
    origins = np.sort(rng.choice(side, size=min(n_origins, side), replace=False)) * side
    dests = np.sort(rng.choice(side, size=min(n_destinations, side), replace=False)) * side
    dests = dests + side - 1
    tail = np.concatenate([u, v, np.full(origins.size, source), dests])
    head = np.concatenate([v, u, origins, np.full(dests.size, sink)])
    transit_h = np.concatenate([pair_h, pair_h, np.zeros(origins.size + dests.size)])
    if integer_transit:
        transit_h = np.ceil(transit_h)
    cap_per_day = np.concatenate([
        pair_cap,
        pair_cap,
        np.full(origins.size + dests.size, float(supply_troops_per_day)),
    ])
    return FlowProblem(
        n_nodes=n_grid + 2,
        tail=tail.astype(np.int64),
        head=head.astype(np.int64),
        capacity_per_h=np.round(cap_per_day) / 24,
        transit_h=transit_h,
        source=source,
        sink=sink,
    )



#: The synthetic country road mesh: road class, speed and capacity of its grid roads (a
#: secondary road's class defaults would be read from the OSM import's; these are round
#: stand-ins, the mesh times the engine, it is no finding).
MESH_SPEED_KPH = 40.0
MESH_CAPACITY_PER_DAY = 2000.0


def country_mesh(tables: NetworkTables, country: str = "LT", *, spacing_km: float = 2.0
                 ) -> NetworkTables:
    """``tables`` with a square grid of two-way secondary roads ``spacing_km`` apart laid
    over ``country`` (the grid points inside its shipped Natural Earth boundary), each of
    the country's curated nodes joined to its nearest grid point by a road.

    Not real roads: the size of a national OpenStreetMap road network (Lithuania at 2 km:
    about 16,000 grid points and 32,000 roads), for timing and sizing the closure engine at
    country scale (`mobility bench`). Its answers are no finding about the country.
    """
    import geopandas as gpd
    import shapely
    from shapely.geometry import LineString

    from mobility._data import basemap_dir
    from mobility.schema import EdgeRecord, Mode, NodeKind, NodeRecord, RoadClass

    borders = gpd.read_file(basemap_dir() / "countries.geojson", engine="pyogrio")
    shape = borders[borders["ISO_A2"] == country].geometry.union_all()
    if shape.is_empty:
        raise ValueError(f"country {country!r} is not in the shipped regional basemap")
    west, south, east, north = shape.bounds
    lat_step = spacing_km / 110.57
    lon_step = spacing_km / (111.32 * np.cos(np.radians((south + north) / 2)))
    lons, lats = np.arange(west, east, lon_step), np.arange(south, north, lat_step)
    grid_lon, grid_lat = np.meshgrid(lons, lats, indexing="ij")
    inside = shapely.contains_xy(shape, grid_lon, grid_lat)
    source = f"synthetic {spacing_km:g} km road mesh over {country} (bench; not real roads)"
    nodes = dict(tables.nodes)
    for i, j in zip(*np.nonzero(inside), strict=True):
        nodes[f"mesh-{i}-{j}"] = NodeRecord(
            id=f"mesh-{i}-{j}", name=f"mesh {i},{j}", country=country, kind=NodeKind.junction,
            lon=float(lons[i]), lat=float(lats[j]), source=source)
    edges, geometries = dict(tables.edges), dict(tables.geometries)

    def road(u: str, v: str) -> None:  # its length is its line's (graph_from_tables)
        a, b = nodes[u], nodes[v]
        eid = f"mesh-road-{u}-{v}"
        edges[eid] = EdgeRecord(id=eid, u=u, v=v, mode=Mode.road, speed_kph=MESH_SPEED_KPH,
                                capacity_per_day=MESH_CAPACITY_PER_DAY,
                                road_class=RoadClass.secondary, lanes=2, source=source)
        geometries[eid] = LineString([(a.lon, a.lat), (b.lon, b.lat)])

    for i, j in zip(*np.nonzero(inside), strict=True):
        if i + 1 < len(lons) and inside[i + 1, j]:
            road(f"mesh-{i}-{j}", f"mesh-{i + 1}-{j}")
        if j + 1 < len(lats) and inside[i, j + 1]:
            road(f"mesh-{i}-{j}", f"mesh-{i}-{j + 1}")
    points, point_lon, point_lat = np.argwhere(inside), grid_lon[inside], grid_lat[inside]
    for node in tables.nodes.values():
        if node.country == country and not node.hostile:
            far = (((point_lon - node.lon) * np.cos(np.radians(node.lat))) ** 2
                   + (point_lat - node.lat) ** 2)
            i, j = points[int(np.argmin(far))]
            road(node.id, f"mesh-{i}-{j}")
    return replace(tables, nodes=nodes, edges=edges, geometries=geometries,
                   source=f"{tables.source} + {source}")
