"""From an :class:`~mobility.osm.read.OsmExtract` to validated node and edge records.

Stages, in order (each a function below):

1. :func:`resolve_ways` — tags to schema attributes (:mod:`mobility.osm.tags`), gauge by tag
   or, when the tag is missing, by country.
2. :func:`split_gauge_breaks` — an OSM node shared by 1435 and 1520 track (without dual
   track) is a gauge break. It becomes a ``gauge_transfer`` node if the data says a transfer
   happens there (``railway=gauge_conveyance``, or a curated gauge-transfer site within the
   snap distance); otherwise it is split into one node per gauge, so no plain junction
   joins the gauges, and the split is reported.
3. :func:`snap_curated` — curated terminals, ports, bases … and those found by their OSM
   tags (:mod:`mobility.osm.sites`) are snapped to the nearest imported node of each mode
   they handle (rail: of the gauge they load), which is kept.
4. :func:`contract_chains` — chains of degree-2 nodes are merged into one edge with the
   real geometry; junctions, gauge and road-class changes, towns and snapped nodes are kept.
   Merged attributes: length summed (geodesic, WGS84), speed so that travel time adds up
   (length-weighted harmonic mean), capacity/tracks/lanes the minimum (the bottleneck),
   electrified only if every part is.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from shapely import STRtree
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from mobility._errors import NetworkDataError
from mobility._progress import Progress
from mobility.osm import tags as osm_tags
from mobility.osm.index import GEOD, PointIndex
from mobility.osm.read import BBox, OsmExtract
from mobility.osm.sites import SiteDefaults, site_records
from mobility.schema import EdgeRecord, Gauge, Mode, NodeKind, NodeRecord

logger = logging.getLogger(__name__)

#: Curated kinds attached to an imported network.
ATTACH_KINDS = frozenset({NodeKind.gauge_transfer, NodeKind.rail_terminal,
                          NodeKind.loading_site, NodeKind.port, NodeKind.airport,
                          NodeKind.air_base, NodeKind.base, NodeKind.origin})
#: A ``place=city|town`` node names the nearest imported node within this distance.
PLACE_SNAP_M = 1000.0
#: At most this many provenance notes in an edge's ``source`` text.
NOTE_LIMIT = 8


@dataclass
class Part:
    """One OSM way's attributes and the segments of it that were imported."""

    way_id: int
    attributes: osm_tags.WayAttributes


@dataclass
class Built:
    """Records ready for the two tables, geometry by edge id, and what was reported."""

    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    edges: dict[str, EdgeRecord] = field(default_factory=dict)
    geometries: dict[str, LineString] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    #: The connectors made, one per curated site, mode and gauge.
    snaps: list[Snap] = field(default_factory=list)
    #: Curated gauge transfers placed on an OSM gauge break: id → (OSM node, metres moved).
    placed: dict[str, tuple[str, float]] = field(default_factory=dict)


# --- countries --------------------------------------------------------------------------


class CountryLocator:
    """ISO country of a point from the shipped Natural Earth boundaries (or one fixed code).

    The detailed regional basemap (``countries.geojson``, 1:50m, lon 5-33° E, lat 50-61° N)
    answers first; anywhere else the shipped world map (``world.geojson``, Natural Earth
    1:110m admin-0, public domain) does. A point outside every polygon (coast, border
    simplification) takes the nearest country within ``max_km``; beyond that the caller
    must say (``country``).
    """

    def __init__(self, fixed: str | None = None, *, max_km: float = 25.0) -> None:
        self.fixed = fixed
        self.max_deg = max_km / 111.0
        self._cache: dict[tuple[float, float], str] = {}
        self._maps: list[tuple[list[str], list[BaseGeometry], STRtree]] | None = None

    def _load(self) -> list[tuple[list[str], list[BaseGeometry], STRtree]]:
        import geopandas as gpd

        from mobility._data import basemap_dir

        maps = []
        for name in ("countries.geojson", "world.geojson"):
            frame = gpd.read_file(basemap_dir() / name, engine="pyogrio")
            a3 = frame["ADM0_A3"] if "ADM0_A3" in frame else [""] * len(frame)
            codes = [iso if len(str(iso)) == 2 and str(iso).isalpha() else
                     _A3_TO_A2.get(code, "") for iso, code in zip(frame["ISO_A2"], a3,
                                                                   strict=True)]
            keep = [i for i, code in enumerate(codes) if code]
            geoms = [frame.geometry.iloc[i] for i in keep]
            maps.append(([codes[i] for i in keep], geoms, STRtree(geoms)))
        return maps

    def __call__(self, lon: float, lat: float, what: str) -> str:
        if self.fixed:
            return self.fixed
        key = (round(lon, 4), round(lat, 4))
        if key in self._cache:
            return self._cache[key]
        if self._maps is None:
            self._maps = self._load()
        point = Point(lon, lat)
        code = None
        for codes, geoms, tree in self._maps:
            hits = tree.query(point, predicate="within")
            if len(hits):
                code = codes[int(min(hits))]
                break
            nearest = tree.nearest(point)
            if geoms[nearest].distance(point) <= self.max_deg:
                code = codes[int(nearest)]
                break
        if code is None:
            msg = (f"{what} at lon {lon:.5f}, lat {lat:.5f} lies in no country of the "
                   "shipped Natural Earth boundaries (at sea?); pass `country` with its ISO "
                   "code, e.g. `country` LT")
            raise NetworkDataError(msg)
        self._cache[key] = code
        return code


_A3_TO_A2 = {"NOR": "NO", "FRA": "FR"}


# --- stage 1: ways to attributes ----------------------------------------------------------


def resolve_ways(extract: OsmExtract, locate: CountryLocator, report: list[str],
                 *, secondary: bool, service_tracks: bool) -> dict[int, Part]:
    """Attributes of every imported way; ways of other gauges are dropped and counted."""
    first_node: dict[int, int] = {}
    for way_id, u, _ in extract.segments:
        first_node.setdefault(way_id, u)
    parts: dict[int, Part] = {}
    other_gauges: dict[str, int] = defaultdict(int)
    for way_id in sorted(extract.way_tags):
        tags = extract.way_tags[way_id]
        mode = osm_tags.way_kind(tags, secondary=secondary, service_tracks=service_tracks)
        if mode == Mode.rail:
            gauge = osm_tags.parse_gauge(tags.get("gauge"))
            note = None
            if isinstance(gauge, str) and gauge not in tuple(Gauge):
                other_gauges[gauge] += 1
                continue
            if gauge is not None:
                note = osm_tags.gauge_note(tags["gauge"], Gauge(gauge))
            if gauge is None:
                lon, lat = extract.coords[first_node[way_id]]
                country = locate(lon, lat, f"OSM way {way_id}")
                gauge = (Gauge.broad if country in osm_tags.BROAD_GAUGE_COUNTRIES
                         else Gauge.standard)
                note = f"gauge {gauge} assumed: gauge tag missing, main-line gauge of {country}"
            attributes = osm_tags.rail_attributes(way_id, tags, Gauge(gauge), note)
        elif mode == Mode.road:
            attributes = osm_tags.road_attributes(way_id, tags, oneway=osm_tags.is_oneway(tags))
        else:
            continue
        parts[way_id] = Part(way_id, attributes)
    for gauge, count in sorted(other_gauges.items()):
        report.append(f"dropped {count} rail way(s) of gauge {gauge!r} (only 1435, 1520 and "
                      "dual 1435;1520 are modelled)")
    return parts


def build_graphs(extract: OsmExtract, parts: dict[int, Part]) -> dict[Mode, nx.MultiGraph]:
    """One undirected multigraph per mode; nodes ``osm-<id>``, one edge per segment."""
    graphs = {Mode.rail: nx.MultiGraph(), Mode.road: nx.MultiGraph()}
    for way_id, u, v in extract.segments:
        part = parts.get(way_id)
        if part is None:
            continue
        graph = graphs[part.attributes.mode]
        for node in (u, v):
            if f"osm-{node}" not in graph:
                lon, lat = extract.coords[node]
                graph.add_node(f"osm-{node}", osm_id=node, x=lon, y=lat)
        graph.add_edge(f"osm-{u}", f"osm-{v}", way=way_id, a=f"osm-{u}")
    return graphs


def node_gauges(rail: nx.MultiGraph, node: str,
                parts: dict[int, Part]) -> set[Gauge | None]:
    return {parts[d["way"]].attributes.gauge for *_, d in rail.edges(node, data=True)}


# --- stage 2: gauge breaks ----------------------------------------------------------------


@dataclass
class Special:
    """Nodes that survive contraction, with what they are."""

    kind: dict[str, NodeKind] = field(default_factory=dict)
    name: dict[str, str] = field(default_factory=dict)
    record: dict[str, NodeRecord] = field(default_factory=dict)  # curated, placed on OSM
    notes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    snapped: set[str] = field(default_factory=set)
    #: Curated gauge transfers placed on an OSM break: id → (OSM node, metres moved).
    moved: dict[str, tuple[str, float]] = field(default_factory=dict)


def split_gauge_breaks(extract: OsmExtract, rail: nx.MultiGraph, parts: dict[int, Part],
                       curated_transfers: list[NodeRecord], snap_m: float, special: Special,
                       report: list[str]) -> set[str]:
    """Make gauge breaks transfer sites or split them; return the curated ids placed here."""
    breaks = sorted(n for n in rail if node_gauges(rail, n, parts) == {Gauge.standard,
                                                                       Gauge.broad})
    conveyances = {f"osm-{node}" for node, tags in extract.node_tags.items()
                   if tags.get("railway") in osm_tags.GAUGE_TRANSFER_TAGS}
    placed: set[str] = set()
    if breaks and curated_transfers:
        index = PointIndex([rail.nodes[n]["x"] for n in breaks],
                           [rail.nodes[n]["y"] for n in breaks])
        claims: dict[str, tuple[float, NodeRecord]] = {}
        for site in curated_transfers:
            hit = index.nearest(site.lon, site.lat, snap_m)
            if hit is not None and (breaks[hit[1]] not in claims
                                    or hit[0] < claims[breaks[hit[1]]][0]):
                claims[breaks[hit[1]]] = (hit[0], site)
        for node, (distance_m, site) in sorted(claims.items()):
            special.kind[node] = NodeKind.gauge_transfer
            special.record[node] = site
            special.notes[node].append(f"placed at the OSM gauge break, node "
                                       f"{rail.nodes[node]['osm_id']}, {distance_m:.0f} m from "
                                       "the curated point")
            placed.add(site.id)
            special.moved[site.id] = (node, distance_m)
            report.append(f"gauge break at OSM node {rail.nodes[node]['osm_id']}: curated "
                          f"gauge transfer '{site.id}' ({distance_m:.0f} m away) placed there")
    for node in sorted(conveyances & set(rail)):
        if node not in special.kind:
            special.kind[node] = NodeKind.gauge_transfer
            special.name[node] = extract.node_tags[rail.nodes[node]["osm_id"]].get(
                "name", f"Gauge change (OSM node {rail.nodes[node]['osm_id']})")
            report.append(f"OSM node {rail.nodes[node]['osm_id']} is tagged railway="
                          "gauge_conveyance: gauge_transfer with default capacity "
                          f"{osm_tags.GAUGE_CONVEYANCE_CAPACITY_TRAINS_PER_DAY:g} trains/day "
                          "(assumption)")
    for node in breaks:
        if node in special.kind:
            continue
        data = dict(rail.nodes[node])
        incident = list(rail.edges(node, keys=True, data=True))
        rail.remove_node(node)
        for side in (Gauge.standard, Gauge.broad):
            rail.add_node(f"{node}-{side}", **data)
            special.notes[f"{node}-{side}"].append(
                f"{side} side of a gauge break with no transfer site (split)")
        for a, b, _, d in incident:
            gauge = parts[d["way"]].attributes.gauge
            other = b if a == node else a
            other = f"{node}-{gauge}" if other == node else other  # a loop at the break
            rail.add_edge(f"{node}-{gauge}", other, way=d["way"],
                          a=f"{node}-{gauge}" if d["a"] == node else d["a"])
        report.append(f"gauge break at OSM node {data['osm_id']} (lon {data['x']:.5f}, lat "
                      f"{data['y']:.5f}) has no gauge-transfer site: split into {node}-1435 "
                      f"and {node}-1520, which are not connected")
    return placed


# --- stage 3: curated sites -----------------------------------------------------------------


@dataclass
class Snap:
    site: NodeRecord
    mode: Mode
    node: str
    distance_m: float
    gauge: Gauge | None


def snap_curated(graphs: dict[Mode, nx.MultiGraph], parts: dict[int, Part],
                 sites: list[NodeRecord], snap_m: float, special: Special,
                 report: list[str],
                 wants: dict[str, list[tuple[Mode, Gauge | None]]] | None = None) -> list[Snap]:
    """The connector each curated site needs, to the nearest suitable imported node.

    A site wants the modes it handles (rail: of the gauge it loads); ``wants`` may instead
    give, per site id, the ``(mode, gauge)`` pairs it needs (``gauge`` ``None``: any), as the
    conflation does for towns and junctions from the curated edges that meet there.
    """
    index = {}
    for mode, graph in graphs.items():
        names = sorted(graph)
        gauges = [node_gauges(graph, n, parts) if mode == Mode.rail else set() for n in names]
        index[mode] = (names, PointIndex([graph.nodes[n]["x"] for n in names],
                                         [graph.nodes[n]["y"] for n in names]), gauges)
    snaps: list[Snap] = []
    for site in sites:
        wanted = wants[site.id] if wants is not None and site.id in wants \
            else wanted_modes(site)
        found: list[Snap] = []
        for mode, gauge in wanted:
            names, points, gauges = index[mode]
            hit = next(((d, i) for d, i in points.within(site.lon, site.lat, snap_m)
                        if gauge is None or gauge in gauges[i] or Gauge.dual in gauges[i]),
                       None)
            if hit is None:
                continue
            node, present = names[hit[1]], gauges[hit[1]]
            if mode == Mode.rail:
                single = present - {Gauge.dual}
                if gauge is None:
                    if len(single) != 1:
                        report.append(f"curated '{site.id}' not joined to rail at {node}: the "
                                      "track there is dual or mixed and the site states no "
                                      "loading gauge")
                        continue
                    gauge = single.pop()
                elif (site.kind == NodeKind.gauge_transfer or gauge == Gauge.dual) \
                        and present == {Gauge.dual}:
                    gauge = Gauge.dual
            found.append(Snap(site, mode, node, hit[0], gauge))
        # A gauge transfer next to dual track needs one dual connector, not two.
        unique = {(s.mode, s.node, s.gauge): s for s in found}
        found = sorted(unique.values(), key=lambda s: (s.mode, str(s.gauge), s.node))
        if not found:
            modes = sorted({str(mode) for mode, _ in wanted})
            report.append(f"curated '{site.id}' ({site.kind}) not attached: no imported "
                          f"{'/'.join(modes)} node within {snap_m / 1000:g} km")
            continue
        missing = [f"{mode}{'' if gauge is None else ' ' + str(gauge)}" for mode, gauge in wanted
                   if not any(s.mode == mode and (gauge is None or s.gauge in (gauge, Gauge.dual))
                              for s in found)]
        if missing:
            report.append(f"curated '{site.id}' ({site.kind}) has no imported {', '.join(missing)} "
                          f"node within {snap_m / 1000:g} km; joined to the rest only")
        for snap in found:
            special.snapped.add(snap.node)
        snaps += found
    return snaps


def wanted_modes(site: NodeRecord) -> list[tuple[Mode, Gauge | None]]:
    """The ``(mode, gauge)`` pairs a curated site handles (rail: the gauge it loads)."""
    wanted: list[tuple[Mode, Gauge | None]] = []
    if "road" in site.transfer_modes:
        wanted.append((Mode.road, None))
    if "rail" in site.transfer_modes:
        if site.kind == NodeKind.gauge_transfer:
            wanted += [(Mode.rail, Gauge.standard), (Mode.rail, Gauge.broad)]
        elif site.gauge in (Gauge.standard, Gauge.broad):
            wanted.append((Mode.rail, site.gauge))
        else:
            wanted.append((Mode.rail, None))
    return wanted


def name_towns(extract: OsmExtract, graphs: dict[Mode, nx.MultiGraph], special: Special) -> None:
    """``place=city|town`` nodes name the nearest imported node within :data:`PLACE_SNAP_M`."""
    candidates = [(n, g.nodes[n]["x"], g.nodes[n]["y"]) for g in graphs.values() for n in g
                  if n not in special.kind]
    if not candidates:
        return
    names = [c[0] for c in candidates]
    index = PointIndex([c[1] for c in candidates], [c[2] for c in candidates])
    for osm_id in sorted(extract.node_tags):
        tags = extract.node_tags[osm_id]
        if tags.get("place") not in osm_tags.PLACE_CITY or not tags.get("name"):
            continue
        hit = index.nearest(*extract.coords[osm_id], PLACE_SNAP_M)
        if hit is not None and names[hit[1]] not in special.kind:
            node = names[hit[1]]
            special.kind[node] = NodeKind.city
            special.name[node] = tags["name"]
            special.notes[node].append(f"named after OSM place node {osm_id} "
                                       f"({tags['place']}, {hit[0]:.0f} m)")


# --- stage 4: chains --------------------------------------------------------------------


@dataclass
class Chain:
    mode: Mode
    nodes: list[str]
    ways: list[int]  # one per segment


def contract_chains(graph: nx.MultiGraph, parts: dict[int, Part], keep: set[str],
                    mode: Mode) -> list[Chain]:
    """Merge runs of degree-2 nodes into chains between kept nodes (junctions, ends, …)."""

    def breaks_here(node: str) -> bool:
        if node in keep or graph.degree(node) != 2 or graph.has_edge(node, node):
            return True
        a, b = (parts[d["way"]].attributes for *_, d in graph.edges(node, data=True))
        return (a.gauge, a.road_class) != (b.gauge, b.road_class)

    kept = {node for node in graph if breaks_here(node)}
    visited: set[tuple[str, str, int]] = set()
    chains: list[Chain] = []

    def walk(start: str, first: tuple[str, str, int]) -> Chain:
        nodes, ways, edge = [start], [], first
        while True:
            a, b, key = edge
            visited.add((min(a, b), max(a, b), key))
            nxt = b if a == nodes[-1] else a
            ways.append(graph.edges[a, b, key]["way"])
            nodes.append(nxt)
            if nxt in kept:
                return Chain(mode, nodes, ways)
            edge = next((x, y, k) for x, y, k in graph.edges(nxt, keys=True)
                        if (min(x, y), max(x, y), k) not in visited)

    def starts(node: str) -> Iterable[tuple[str, str, int]]:
        return sorted(((node, b, k) for _, b, k in graph.edges(node, keys=True)),
                      key=lambda e: (e[1], e[2]))

    for node in sorted(kept):
        for edge in starts(node):
            if (min(edge[0], edge[1]), max(edge[0], edge[1]), edge[2]) not in visited:
                chains.append(walk(node, edge))
    for node in sorted(graph):  # closed loops with no kept node at all
        for edge in starts(node):
            if (min(edge[0], edge[1]), max(edge[0], edge[1]), edge[2]) not in visited:
                kept.add(node)
                chains.append(walk(node, edge))
    result: list[Chain] = []
    for chain in chains:  # an edge joins two different nodes: cut loops in the middle
        if chain.nodes[0] == chain.nodes[-1]:
            if len(chain.ways) < 2:
                continue
            mid = len(chain.ways) // 2
            result += [Chain(mode, chain.nodes[: mid + 1], chain.ways[:mid]),
                       Chain(mode, chain.nodes[mid:], chain.ways[mid:])]
        else:
            result.append(chain)
    return result


def edge_from_chain(chain: Chain, edge_id: str, graph: nx.MultiGraph,
                    parts: dict[int, Part]) -> tuple[EdgeRecord, LineString]:
    """One edge record for a chain, with the merge rules of the module docstring."""
    lon = [graph.nodes[n]["x"] for n in chain.nodes]
    lat = [graph.nodes[n]["y"] for n in chain.nodes]
    _, _, lengths = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    lengths = np.maximum(np.asarray(lengths, dtype=float), 0.01)
    attrs = [parts[w].attributes for w in chain.ways]
    length_m = float(lengths.sum())
    hours = float(sum(m / 1000 / a.speed_kph for m, a in zip(lengths, attrs, strict=True)))
    by_way: dict[int, float] = defaultdict(float)
    for way, metres in zip(chain.ways, lengths, strict=True):
        by_way[way] += metres
    main_way = max(sorted(by_way), key=lambda w: by_way[w])
    tracks = [a.tracks for a in attrs]
    lanes = [a.lanes for a in attrs]
    electrified = {a.electrified for a in attrs}
    ways = list(dict.fromkeys(chain.ways))
    notes = _grouped_notes(ways, parts)
    where = f"OSM way {ways[0]}" if len(ways) == 1 else (
        f"OSM ways {', '.join(map(str, ways[:4]))}" + (f" +{len(ways) - 4} more"
                                                       if len(ways) > 4 else ""))
    if len(notes) > NOTE_LIMIT:
        notes = [*notes[:NOTE_LIMIT], f"+{len(notes) - NOTE_LIMIT} more notes"]
    record = EdgeRecord(
        id=edge_id, u=chain.nodes[0], v=chain.nodes[-1], mode=chain.mode,
        name=parts[main_way].attributes.name,
        length_km=round(length_m / 1000, 3),
        speed_kph=round(length_m / 1000 / hours, 2),
        capacity_per_day=min(a.capacity_per_day for a in attrs),
        gauge=attrs[0].gauge,
        tracks=min(t for t in tracks if t is not None) if None not in tracks else None,
        electrified=(False if False in electrified else True if electrified == {True}
                     else None),
        road_class=attrs[0].road_class,
        lanes=min(n for n in lanes if n is not None) if None not in lanes else None,
        source="; ".join([where, *notes]),
    )
    return record, LineString(list(zip(lon, lat, strict=True)))


def _grouped_notes(ways: list[int], parts: dict[int, Part]) -> list[str]:
    """Notes true of every way stay plain; others are prefixed with the ways they are about."""
    holders: dict[str, list[int]] = {}
    for way in ways:
        for note in parts[way].attributes.notes:
            holders.setdefault(note, []).append(way)
    return [note if len(owners) == len(ways) else
            f"way{'s' if len(owners) > 1 else ''} {', '.join(map(str, owners[:3]))}"
            f"{'…' if len(owners) > 3 else ''}: {note}"
            for note, owners in holders.items()]


# --- the whole build -------------------------------------------------------------------------


def build(extract: OsmExtract, *, curated: list[NodeRecord], country: str | None,
          secondary: bool, service_tracks: bool, snap_m: float, progress: Progress,
          wants: dict[str, list[tuple[Mode, Gauge | None]]] | None = None,
          site_defaults: SiteDefaults | None = None) -> Built:
    """Run the stages of the module docstring on an extract (``wants``: see
    :func:`snap_curated`; ``site_defaults``: :mod:`mobility.osm.sites`)."""
    built = Built()
    locate = CountryLocator(country)
    progress("mapping tags to attributes", 0.2, 1.0)
    parts = resolve_ways(extract, locate, built.report, secondary=secondary,
                         service_tracks=service_tracks)
    graphs = build_graphs(extract, parts)
    special = Special()
    progress("resolving gauge breaks", 0.35, 1.0)
    transfers = [s for s in curated if s.kind == NodeKind.gauge_transfer]
    placed = split_gauge_breaks(extract, graphs[Mode.rail], parts, transfers, snap_m, special,
                                built.report)
    progress("snapping curated sites", 0.45, 1.0)
    sites = [s for s in curated if s.id not in placed]
    if wants is not None:  # merging: a placed transfer is still joined to the roads, from
        # where it now lies (and its rail is the break itself)
        rail = graphs[Mode.rail]
        wants = {**wants, **{cid: [w for w in wants.get(cid, []) if w[0] != Mode.rail]
                             for cid in placed}}
        sites += [s.model_copy(update={"lon": rail.nodes[node]["x"], "lat": rail.nodes[node]["y"]})
                  for cid, (node, _) in sorted(special.moved.items())
                  for s in curated if s.id == cid]
    sites += site_records(extract, locate, curated, snap_m, site_defaults, built.report)
    snaps = snap_curated(graphs, parts, sites, snap_m, special, built.report, wants)
    built.snaps = snaps
    built.placed = dict(special.moved)
    name_towns(extract, graphs, special)
    progress("merging chains into edges", 0.6, 1.0)
    counters: dict[str, int] = defaultdict(int)
    used: set[str] = set()
    for mode in (Mode.rail, Mode.road):
        graph = graphs[mode]
        keep = set(special.kind) | special.snapped
        for chain in contract_chains(graph, parts, keep, mode):
            stem = f"osm-{mode}-{chain.ways[0]}"
            counters[stem] += 1
            edge, line = edge_from_chain(chain, f"{stem}-{counters[stem]}", graph, parts)
            built.edges[edge.id], built.geometries[edge.id] = edge, line
            used.update((edge.u, edge.v))
    progress("placing nodes in countries", 0.8, 1.0)
    for node in sorted(used):
        graph = graphs[Mode.rail] if node in graphs[Mode.rail] else graphs[Mode.road]
        built.nodes[node] = _node_record(node, graph.nodes[node], special, locate)
    _attach(snaps, built, graphs)
    _relabel_placed(built, special)
    return built


def _node_record(node: str, data: dict, special: Special, locate: CountryLocator) -> NodeRecord:
    osm_id = data["osm_id"]
    notes = "; ".join(special.notes.get(node, []))
    if node in special.record:
        site = special.record[node]
        return site.model_copy(update={
            "id": node, "lon": data["x"], "lat": data["y"],
            "source": f"{site.source}; {notes}",
        })
    kind = special.kind.get(node, NodeKind.junction)
    extra: dict = {}
    if kind == NodeKind.gauge_transfer:
        extra = {
            "gauge": Gauge.dual,
            "transfer_capacity_per_day": osm_tags.GAUGE_CONVEYANCE_CAPACITY_TRAINS_PER_DAY,
            "transfer_dwell_h": osm_tags.GAUGE_CONVEYANCE_DWELL_H,
        }
        notes = "; ".join(filter(None, [notes, (
            f"railway=gauge_conveyance; capacity "
            f"{osm_tags.GAUGE_CONVEYANCE_CAPACITY_TRAINS_PER_DAY:g} trains/day and dwell "
            f"{osm_tags.GAUGE_CONVEYANCE_DWELL_H:g} h default (assumption, cf. A2)")]))
    name = special.name.get(node, f"OSM node {osm_id}")
    return NodeRecord(
        id=node, name=name, kind=kind, lon=data["x"], lat=data["y"],
        country=locate(data["x"], data["y"], f"OSM node {osm_id}"),
        source="; ".join(filter(None, [f"OSM node {osm_id}", notes])), **extra,
    )


def _relabel_placed(built: Built, special: Special) -> None:
    """A curated gauge transfer placed on an OSM break keeps its curated id."""
    renames = {node: special.record[node].id for node in special.record if node in built.nodes}
    if not renames:
        return
    for old, new in renames.items():
        built.nodes[new] = built.nodes.pop(old).model_copy(update={"id": new})
    for eid, edge in list(built.edges.items()):
        if edge.u in renames or edge.v in renames:
            built.edges[eid] = edge.model_copy(update={"u": renames.get(edge.u, edge.u),
                                                       "v": renames.get(edge.v, edge.v)})


def _attach(snaps: list[Snap], built: Built, graphs: dict[Mode, nx.MultiGraph]) -> None:
    """Add the snapped curated sites and one connector edge per (site, mode, gauge)."""
    touching: dict[str, list[EdgeRecord]] = defaultdict(list)
    for edge in built.edges.values():
        touching[edge.u].append(edge)
        touching[edge.v].append(edge)
    for snap in snaps:
        site = snap.site
        built.nodes.setdefault(site.id, site.model_copy(update={
            "source": f"{site.source}; attached to the OSM import by snapping"}))
        target = built.nodes[snap.node]
        joined = [e for e in touching[snap.node] if e.mode == snap.mode and (
            snap.gauge is None or e.gauge in (snap.gauge, Gauge.dual) or snap.gauge == Gauge.dual)]
        widest = max(joined, key=lambda e: (e.capacity_per_day, e.id))
        distance_m = max(snap.distance_m, 1.0)
        suffix = f"-{snap.gauge}" if snap.mode == Mode.rail and snap.gauge else ""
        edge_id = f"osm-link-{site.id}-{snap.mode}{suffix}"
        start = (site.lon, site.lat)
        if (site.lon, site.lat) == (target.lon, target.lat):
            start = (site.lon, site.lat + 1e-5)  # a zero-length line is not a valid geometry
        unit = "trains" if snap.mode == Mode.rail else "vehicles"
        built.edges[edge_id] = EdgeRecord(
            id=edge_id, u=site.id, v=snap.node, mode=snap.mode,
            name=f"{site.name} access", length_km=round(distance_m / 1000, 3),
            speed_kph=osm_tags.CONNECTOR_SPEED_KPH,
            capacity_per_day=widest.capacity_per_day,
            gauge=snap.gauge if snap.mode == Mode.rail else None,
            road_class=widest.road_class if snap.mode == Mode.road else None,
            source=(f"connector: curated '{site.id}' snapped to {snap.node} at "
                    f"{snap.distance_m:.0f} m; speed {osm_tags.CONNECTOR_SPEED_KPH:g} km/h "
                    f"access (assumption); capacity {widest.capacity_per_day:g} {unit}/day as "
                    f"{widest.id}" + (f"; gauge {snap.gauge} of the track it joins"
                                      if snap.mode == Mode.rail else "")),
        )
        built.geometries[edge_id] = LineString([start, (target.lon, target.lat)])


def curated_sites(bbox: BBox) -> list[NodeRecord]:
    """The curated nodes of :data:`ATTACH_KINDS` inside ``bbox``, sorted by id."""
    from mobility.network import read_network_tables

    west, south, east, north = bbox
    tables = read_network_tables(None)
    return [node for _, node in sorted(tables.nodes.items())
            if node.kind in ATTACH_KINDS and west <= node.lon <= east
            and south <= node.lat <= north]
