"""A synthetic OSM XML extract laid along a curated network's own edges (tests, bench).

Not real OpenStreetMap data: each chosen curated road or rail edge becomes one OSM way that
follows the edge's curated line with a node every ``step_km`` (shifted sideways by up to
``wiggle_m`` and at most a tenth of the spacing, so the OSM path is a little longer than the
curated line, as real ones are),
tagged so that the importer's class defaults give the edge's own speed and capacity where the
curated edge uses them. Curated nodes become OSM nodes ``offset_m`` away (so snapping has a
distance to measure and report); edges that meet at a curated node share its OSM node. Every
``branch_every``-th node of a road has a 2 km side road, the detail OSM adds (junctions on
the way, so a curated edge is replaced by a path of several OSM edges).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from xml.sax.saxutils import quoteattr

from pyproj import Geod

from mobility.network import read_network_tables
from mobility.schema import EdgeRecord, Gauge, Mode, RoadClass

GEOD = Geod(ellps="WGS84")
GAUGE_TAG = {Gauge.standard: "1435", Gauge.broad: "1520", Gauge.dual: "1435;1520"}


def write_extract_along(network: str | Path | None, edge_ids: list[str], path: Path, *,
                        step_km: float = 3.0, wiggle_m: float = 150.0,
                        offset_m: float = 400.0, branch_every: int = 4) -> Path:
    """Write the extract described above for the edges ``edge_ids`` of ``network`` (a
    network folder or GeoPackage; ``None``: the shipped one) to ``path`` and return it."""
    tables = read_network_tables(network)
    nodes: dict[str, tuple[int, float, float]] = {}
    lines: list[str] = []
    ways: list[str] = []
    branches: list[tuple[int, int]] = []
    counter = iter(range(1, 10**9))

    def osm_node(lon: float, lat: float) -> int:
        nid = next(counter)
        lines.append(f'  <node id="{nid}" lat="{lat:.7f}" lon="{lon:.7f}" version="1"/>')
        return nid

    def at_curated(node_id: str, gauge: str) -> int:
        key = f"{node_id}/{gauge}"
        if key not in nodes:
            node = tables.nodes[node_id]
            lon, lat, _ = GEOD.fwd(node.lon, node.lat, 45.0, offset_m)
            nodes[key] = (osm_node(lon, lat), lon, lat)
        return nodes[key][0]

    for way_id, eid in enumerate(edge_ids, start=1000):
        edge = tables.edges[eid]
        # a gauge transfer is where its two gauges meet: one OSM node for both
        gauge = "any" if edge.mode == Mode.road else "rail"
        refs = [at_curated(edge.u, gauge)]
        coords = list(tables.geometries[eid].coords)
        for (ax, ay), (bx, by) in itertools.pairwise(coords):
            azimuth, _, metres = GEOD.inv(ax, ay, bx, by)
            steps = max(1, int(metres / 1000 / step_km))
            for i in range(1, steps):
                lon, lat, _ = GEOD.fwd(ax, ay, azimuth, metres * i / steps)
                # at most a tenth of the spacing: a path, not a zigzag, however fine the step
                side = min(wiggle_m, 100.0 * step_km) * math.sin(i * 1.3)
                lon, lat, _ = GEOD.fwd(lon, lat, azimuth + 90.0, side)
                refs.append(osm_node(lon, lat))
                if edge.mode == Mode.road and branch_every and i % branch_every == 0:
                    # detail: a 2 km side road, so the OSM path has junctions on the way
                    end = GEOD.fwd(lon, lat, azimuth - 90.0, 2000.0)
                    branches.append((refs[-1], osm_node(end[0], end[1])))
            if (bx, by) != coords[-1]:
                refs.append(osm_node(bx, by))
        refs.append(at_curated(edge.v, gauge))
        ways.append(f'  <way id="{way_id}" version="1">')
        ways.append("    " + "".join(f'<nd ref="{r}"/>' for r in refs))
        for key, value in _tags(edge).items():
            ways.append(f"    <tag k={quoteattr(key)} v={quoteattr(value)}/>")
        ways.append("  </way>")
    for way_id, (a, b) in enumerate(branches, start=5000):
        ways += [f'  <way id="{way_id}" version="1">', f'    <nd ref="{a}"/><nd ref="{b}"/>',
                 '    <tag k="highway" v="primary"/>', "  </way>"]
    text = "\n".join(['<?xml version="1.0" encoding="UTF-8"?>',
                      '<!-- synthetic: laid along curated edges by mobility.osm.along -->',
                      '<osm version="0.6" generator="baltic-mobility tests (synthetic)">',
                      *lines, *ways, "</osm>", ""])
    path.write_text(text, encoding="utf-8")
    return path


def _tags(edge: EdgeRecord) -> dict[str, str]:
    tags = {"name": edge.name or edge.id}
    if edge.mode == Mode.rail:
        assert edge.gauge is not None  # the schema requires one on rail
        tags.update({"railway": "rail", "usage": "main", "gauge": GAUGE_TAG[Gauge(edge.gauge)]})
        if edge.tracks:
            tags["tracks"] = str(edge.tracks)
        return tags
    road_class = RoadClass(edge.road_class or RoadClass.primary)
    if road_class == RoadClass.expressway:
        tags.update({"highway": "trunk", "motorroad": "yes"})
    else:
        tags["highway"] = str(road_class)
    if edge.lanes:
        tags["lanes"] = str(edge.lanes)
    return tags


def to_pbf(source: Path, target: Path) -> Path:
    """Write the OSM data of ``source`` (any format libosmium reads) as PBF at ``target``."""
    import osmium

    writer = osmium.SimpleWriter(str(target))
    for item in osmium.FileProcessor(str(source)):
        writer.add(item)
    writer.close()
    return target
