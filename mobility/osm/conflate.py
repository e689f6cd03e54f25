"""Conflation: one network from the curated strategic layer and an OSM import.

The curated network (``data/network/`` or any network folder/GeoPackage) keeps every node
id, so scenarios that name curated nodes (``rukla``, ``sestokai``) run unchanged on the
merged network. Inside the extract's area:

1. **Nodes.** Each curated node wants the modes (and rail gauges) of the curated road and
   rail edges that meet there, plus those its kind handles. It is snapped, through a spatial
   index, to the nearest imported node of each within ``snap_km`` and joined to it by a
   connector edge (:func:`mobility.osm.build.snap_curated`); a curated gauge transfer lying
   near an OSM gauge break is placed on it. Every node is reported matched (mode, gauge, OSM
   node, metres), partly matched or missed.
2. **Edges.** A curated road or rail edge whose two ends were matched in its mode (rail: in
   its gauge) is looked up in the import: the shortest OSM path (networkx, by length)
   between the two snapped nodes over the OSM edges of that mode and a compatible gauge that
   lie within ``corridor_km`` of the curated line (an STRtree query). Its **coverage** is the
   share of the curated line's length within ``corridor_km`` of that path. With coverage at
   least ``min_coverage`` and the path's length within :data:`LENGTH_RATIO` of the curated
   length, the curated edge is **replaced**: it is dropped and the path's OSM edges take its
   corridor tags (so a corridor closure still closes it) and a note in their ``source``. The
   others stay as curated, each with the reason. Edges of a dated phase (or replaced by one)
   always stay: their opening year is curated knowledge OSM does not hold; the OSM path that
   covers an edge a phase replaces still takes its corridor tags, so that a corridor closure
   closes every route along the corridor (a limit: the curated edge and its OSM twin both
   carry traffic, so such a stretch has their capacities added).
3. **Hostile territory.** Imported nodes in :data:`HOSTILE_COUNTRIES` are dropped with their
   edges: the curated network ends at its hostile border crossings and nothing may route
   through Kaliningrad or Belarus.
4. **Unused parts.** Unless ``keep_unused``, parts of the import joined to no curated node
   are dropped (no scenario that names curated nodes can reach them), and so are dead-end
   spurs, repeatedly, down to a named node (an OSM junction at the end of a single edge is
   on no path between two other nodes, so no flow can use it); the bends they leave are
   contracted (:mod:`mobility.osm.contract`).

Sea and air edges, nodes and edges outside the area, phases and the calibrated frictions
are the curated ones, unchanged.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

import geopandas as gpd
import networkx as nx
from shapely import STRtree, unary_union
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from mobility._progress import Progress
from mobility.network import NetworkTables
from mobility.osm.build import Built, Snap, wanted_modes
from mobility.osm.contract import CONNECTOR_PREFIX, contract_degree_two
from mobility.osm.read import BBox
from mobility.schema import EdgeRecord, Gauge, Mode, NodeKind, NodeRecord
from mobility.settings import CRS, METRIC_CRS

#: Countries whose imported nodes are dropped from a merged network (the curated network
#: ends at its hostile border crossings, ``hostile: true``).
HOSTILE_COUNTRIES = frozenset({"RU", "BY"})
#: The OSM path's length over the curated edge's length must lie in this range for the
#: path to replace the edge (a longer path is a detour, a much shorter one another line).
LENGTH_RATIO = (0.67, 1.5)
#: Defaults of :func:`mobility.osm_import.merged_network_from_osm`.
CORRIDOR_KM = 5.0
MIN_COVERAGE = 0.8
#: Rail gauges an OSM track may have to carry a curated edge's trains.
COMPATIBLE_GAUGES: dict[Gauge, frozenset[Gauge]] = {
    Gauge.standard: frozenset({Gauge.standard, Gauge.dual}),
    Gauge.broad: frozenset({Gauge.broad, Gauge.dual}),
    Gauge.dual: frozenset({Gauge.dual}),
}
ROUTED_MODES = (Mode.road, Mode.rail)
#: Why a curated edge that a dated phase replaces stays (its OSM path still takes its tags).
PHASE_REPLACED = "replaced by a dated phase (curated)"


@dataclass(frozen=True)
class Join:
    """A curated node joined to the import in one mode (and gauge)."""

    mode: str
    gauge: str | None
    osm_node: str
    distance_m: float


@dataclass(frozen=True)
class NodeMatch:
    """How one curated node inside the area met the import."""

    node: str
    kind: str
    #: ``matched`` (every mode it needs), ``partial``, ``missed`` or ``placed`` (a gauge
    #: transfer moved onto the OSM gauge break, ``distance_m`` away).
    status: str
    joins: tuple[Join, ...] = ()
    missing: tuple[str, ...] = ()
    distance_m: float | None = None


@dataclass(frozen=True)
class EdgeCoverage:
    """How one curated road/rail edge touching the area is covered by the import."""

    edge: str
    mode: str
    curated_km: float
    #: Share of the curated line within ``corridor_km`` of the OSM path (0 without a path).
    coverage: float
    osm_km: float | None
    replaced: bool
    osm_edges: tuple[str, ...]
    reason: str
    #: The OSM path takes the curated edge's corridor tags although the edge stays (it is
    #: replaced by a dated phase): a corridor closure closes both.
    carried: bool = False

    @property
    def length_ratio(self) -> float | None:
        return None if self.osm_km is None else self.osm_km / self.curated_km


@dataclass
class Conflation:
    """The merged records and what the merge did."""

    nodes: dict[str, NodeRecord]
    edges: dict[str, EdgeRecord]
    geometries: dict[str, LineString]
    matches: list[NodeMatch] = field(default_factory=list)
    coverage: list[EdgeCoverage] = field(default_factory=list)
    report: list[str] = field(default_factory=list)


def inside(node: NodeRecord, area: BBox) -> bool:
    west, south, east, north = area
    return west <= node.lon <= east and south <= node.lat <= north


def grown(area: BBox, km: float) -> BBox:
    """``area`` grown by ``km`` on every side: curated nodes that close can still snap."""
    west, south, east, north = area
    dlat = km / 110.0
    dlon = km / (110.0 * max(math.cos(math.radians(max(abs(south), abs(north)))), 0.01))
    return west - dlon, south - dlat, east + dlon, north + dlat


def curated_wants(tables: NetworkTables, area: BBox,
                  ) -> dict[str, list[tuple[Mode, Gauge | None]]]:
    """Per curated node in ``area``: the ``(mode, gauge)`` pairs it must be joined in:
    what its kind handles (the plain import's rule) and the modes and gauges of the
    curated road/rail edges that meet there (but for dated phases, which stay curated)."""
    wants = {nid: wanted_modes(node) for nid, node in tables.nodes.items()
             if inside(node, area)}
    for edge in sorted(tables.edges.values(), key=lambda e: e.id):
        if edge.mode not in ROUTED_MODES or edge.phase is not None:
            continue  # a dated phase stays curated: it needs no join
        pair = (Mode(edge.mode), None if edge.mode == Mode.road else _gauge(edge))
        for end in (edge.u, edge.v):
            if end in wants and pair not in wants[end] and not (
                    pair[0] == Mode.rail and (Mode.rail, None) in wants[end]):
                wants[end].append(pair)
    return wants


def conflate(built: Built, tables: NetworkTables, area: BBox,
             wants: dict[str, list[tuple[Mode, Gauge | None]]], *, snap_m: float,
             corridor_m: float, min_coverage: float, progress: Progress,
             keep_unused: bool = False) -> Conflation:
    """Merge an import built with every curated node of ``area`` snapped (see module doc)."""
    report: list[str] = []
    osm_nodes, osm_edges, geometries = _drop_hostile(built, tables, report)
    renames = {osm: cid for cid, (osm, _) in built.placed.items()}
    progress("conflating curated nodes", 0.85, 1.0)
    matches = _node_matches(built, tables, wants, renames)
    by_end: dict[tuple[str, Mode], list[Snap]] = defaultdict(list)
    for snap in built.snaps:
        if snap.node not in osm_nodes and renames.get(snap.node) not in osm_nodes:
            continue
        by_end[(snap.site.id, snap.mode)].append(snap)
    progress("conflating curated edges", 0.9, 1.0)
    finder = _PathFinder(osm_edges, geometries)
    coverage: list[EdgeCoverage] = []
    fixed = {e.replaces for e in tables.edges.values() if e.replaces is not None}
    curated_lines = gpd.GeoSeries(tables.geometries, crs=CRS).to_crs(METRIC_CRS)
    for eid, edge in sorted(tables.edges.items()):
        if edge.mode not in ROUTED_MODES or not (
                inside(tables.nodes[edge.u], area) or inside(tables.nodes[edge.v], area)):
            continue
        line = curated_lines[eid]
        curated_km = edge.length_km or line.length / 1000
        kept = _why_kept(edge, tables, area, fixed)
        source, target = (_end(edge, node, by_end, built.placed) for node in (edge.u, edge.v))
        if kept in (None, PHASE_REPLACED) and (source is None or target is None):
            missing = edge.u if source is None else edge.v
            kept = f"'{missing}' has no {edge.mode} match" + (
                f" of gauge {edge.gauge}" if edge.mode == Mode.rail else "")
        if kept not in (None, PHASE_REPLACED) or source is None or target is None:
            coverage.append(EdgeCoverage(eid, str(edge.mode), curated_km, 0.0, None, False,
                                         (), kept or "no match"))
            continue
        found = finder.path(edge, source, target, line, max(corridor_m, snap_m))
        coverage.append(_covered(eid, edge, found, line, curated_km, kept, corridor_m,
                                 min_coverage))
    edges = dict(osm_edges)
    replaced_ids = {c.edge for c in coverage if c.replaced}
    _carry_corridors(edges, coverage, tables)
    nodes = dict(osm_nodes)
    for nid, node in tables.nodes.items():
        nodes.setdefault(nid, node)
    for eid, edge in tables.edges.items():
        if eid not in replaced_ids:
            edges[eid] = edge
            geometries[eid] = tables.geometries[eid]
    if not keep_unused:
        _drop_unconnected(nodes, edges, geometries, tables, report)
        _drop_dead_ends(nodes, edges, geometries, report)
        before = len(edges)
        alias = contract_degree_two(nodes, edges, geometries)
        coverage = [replace(c, osm_edges=tuple(dict.fromkeys(alias.get(e, e)
                                                             for e in c.osm_edges)))
                    for c in coverage]
        if alias:
            report.append(f"joined {before - len(edges)} pair(s) of imported edges at bends "
                          "left by the dropped spurs (lengths, times and bottlenecks kept)")
    _summarise(matches, coverage, report)
    return Conflation(nodes, edges, geometries, matches, coverage, report)


def _drop_dead_ends(nodes: dict[str, NodeRecord], edges: dict[str, EdgeRecord],
                    geometries: dict[str, LineString], report: list[str]) -> None:
    """Drop imported junctions at the end of one edge, and that edge, until none is left
    (in place); towns, sites and curated nodes stay."""
    touching: dict[str, set[str]] = defaultdict(set)
    for eid, edge in edges.items():
        touching[edge.u].add(eid)
        touching[edge.v].add(eid)

    def dead(node: str) -> bool:
        record = nodes.get(node)
        return (record is not None and node.startswith("osm-")
                and record.kind == NodeKind.junction and len(touching[node]) == 1)

    queue = sorted(n for n in nodes if dead(n))
    count, km = 0, 0.0
    while queue:
        node = queue.pop()
        if not dead(node):
            continue
        (eid,) = touching.pop(node)
        edge = edges.pop(eid)
        geometries.pop(eid, None)
        del nodes[node]
        count, km = count + 1, km + (edge.length_km or 0)
        other = edge.v if edge.u == node else edge.u
        touching[other].discard(eid)
        if dead(other):
            queue.append(other)
    if count:
        report.append(f"dropped {count} dead-end spur(s) of the import ({km:.1f} km) ending "
                      "at no named node: no flow can use them (`keep_unused` keeps them)")


def _drop_unconnected(nodes: dict[str, NodeRecord], edges: dict[str, EdgeRecord],
                      geometries: dict[str, LineString], tables: NetworkTables,
                      report: list[str]) -> None:
    """Drop the parts of the import that touch no curated node (in place): a scenario that
    names curated nodes can reach none of them, and they would only cost memory."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((e.u, e.v) for e in edges.values())
    dropped = [part for part in nx.connected_components(graph)
               if not any(n in tables.nodes for n in part)]
    gone = set().union(*dropped) if dropped else set()
    km = sum(e.length_km or 0 for e in edges.values() if e.u in gone)
    for eid in [eid for eid, e in edges.items() if e.u in gone]:
        del edges[eid]
        geometries.pop(eid, None)
    for nid in gone:
        del nodes[nid]
    if dropped:
        report.append(f"dropped {len(dropped)} part(s) of the import ({len(gone)} nodes, "
                      f"{km:.1f} km) that touch no curated node: no scenario naming curated "
                      "nodes reaches them (`keep_unused` keeps them)")


def _covered(eid: str, edge: EdgeRecord, found: tuple[list[str], float, BaseGeometry] | None,
             line: LineString, curated_km: float, kept: str | None, corridor_m: float,
             min_coverage: float) -> EdgeCoverage:
    """The coverage of one curated edge by the OSM path found for it (if any)."""
    if found is None:
        return EdgeCoverage(eid, str(edge.mode), curated_km, 0.0, None, False, (), kept or (
            f"no OSM {_what(edge)} path within {corridor_m / 1000:g} km of the curated line"))
    path, osm_km, union = found
    # the path simplified to a twentieth of the corridor first: buffering every bend of a
    # detailed OSM path costs far more and moves the corridor's edge by less than that
    corridor = union.simplify(corridor_m / 20).buffer(corridor_m, quad_segs=4)
    share = float(line.intersection(corridor).length / line.length) if line.length > 0 else 1.0
    ratio = osm_km / curated_km
    covers = share >= min_coverage and LENGTH_RATIO[0] <= ratio <= LENGTH_RATIO[1]
    if kept is not None:  # replaced by a dated phase: it stays, its OSM twin takes its tags
        return EdgeCoverage(eid, str(edge.mode), curated_km, share, osm_km, False, tuple(path),
                            kept + ("; its OSM path takes its corridor tags" if covers else ""),
                            carried=covers)
    reason = ("replaced" if covers else
              f"coverage {share:.0%} below `min_coverage` {min_coverage:.0%}"
              if share < min_coverage else
              f"OSM path {ratio:.2f} times the curated length (outside "
              f"{LENGTH_RATIO[0]:g}-{LENGTH_RATIO[1]:g})")
    return EdgeCoverage(eid, str(edge.mode), curated_km, share, osm_km, covers, tuple(path),
                        reason)


def _gauge(edge: EdgeRecord) -> Gauge:
    """A rail edge's gauge (the schema requires one)."""
    assert edge.gauge is not None, edge.id
    return Gauge(edge.gauge)


def _what(edge: EdgeRecord) -> str:
    return f"rail {edge.gauge}" if edge.mode == Mode.rail else "road"


def _why_kept(edge: EdgeRecord, tables: NetworkTables, area: BBox,
              fixed: set[str]) -> str | None:
    if edge.phase is not None:
        return f"dated phase '{edge.phase}' (curated)"
    if edge.id in fixed:
        return PHASE_REPLACED
    for end in (edge.u, edge.v):
        if not inside(tables.nodes[end], area):
            return f"'{end}' lies outside the extract"
    return None


def _end(edge: EdgeRecord, node: str, by_end: dict[tuple[str, Mode], list[Snap]],
         placed: dict[str, tuple[str, float]]) -> str | None:
    """The OSM node (id after relabelling) a curated edge's end is joined to, if any."""
    if edge.mode == Mode.rail and node in placed:
        return node  # the curated gauge transfer sits on the OSM break itself
    wanted = None if edge.mode == Mode.road else COMPATIBLE_GAUGES[_gauge(edge)]
    renamed = {osm: cid for cid, (osm, _) in placed.items()}
    for snap in by_end.get((node, Mode(edge.mode)), []):
        if wanted is None or snap.gauge in wanted:
            return renamed.get(snap.node, snap.node)
    return None


class _PathFinder:
    """Shortest OSM paths near a curated line: an STRtree over the OSM edges (metric CRS)."""

    def __init__(self, edges: dict[str, EdgeRecord], geometries: dict[str, LineString]) -> None:
        self.ids = sorted(eid for eid in edges if not eid.startswith(CONNECTOR_PREFIX))
        self.edges = edges
        series = gpd.GeoSeries([geometries[eid] for eid in self.ids], crs=CRS)
        self.metric = list(series.to_crs(METRIC_CRS)) if self.ids else []
        self.tree = STRtree(self.metric) if self.ids else None

    def path(self, edge: EdgeRecord, source: str, target: str, line: LineString,
             width_m: float) -> tuple[list[str], float, BaseGeometry] | None:
        """OSM edge ids from ``source`` to ``target``, their km and their union (metric)."""
        if self.tree is None:
            return None
        graph = nx.MultiGraph()
        compatible = None if edge.mode == Mode.road else COMPATIBLE_GAUGES[_gauge(edge)]
        for position in self.tree.query(line.buffer(width_m), predicate="intersects"):
            eid = self.ids[int(position)]
            osm = self.edges[eid]
            if osm.mode != edge.mode or (compatible is not None
                                         and _gauge(osm) not in compatible):
                continue
            graph.add_edge(osm.u, osm.v, key=eid, length=osm.length_km or 0.001,
                           position=int(position))
        if source not in graph or target not in graph:
            return None
        try:
            nodes = nx.shortest_path(graph, source, target, weight="length")
        except nx.NetworkXNoPath:
            return None
        ids: list[str] = []
        km = 0.0
        parts = []
        for a, b in itertools.pairwise(nodes):
            key, data = min(graph[a][b].items(), key=lambda item: (item[1]["length"], item[0]))
            ids.append(key)
            km += data["length"]
            parts.append(self.metric[data["position"]])
        return ids, km, unary_union(parts)


def _carry_corridors(edges: dict[str, EdgeRecord], coverage: list[EdgeCoverage],
                     tables: NetworkTables) -> None:
    """OSM edges on a replacing path take the curated edge's corridors and a source note."""
    carried: dict[str, list[str]] = defaultdict(list)
    for item in coverage:
        if item.replaced or item.carried:
            for eid in item.osm_edges:
                carried[eid].append(item.edge)
    for eid, curated_ids in sorted(carried.items()):
        osm = edges[eid]
        corridors = sorted(set(osm.corridors).union(
            *(tables.edges[c].corridors for c in curated_ids)))
        note = f"carries curated edge{'s' if len(curated_ids) > 1 else ''} " + ", ".join(
            f"'{c}'" for c in curated_ids)
        edges[eid] = osm.model_copy(update={
            "corridors": tuple(corridors), "source": f"{osm.source}; {note}",
            "carries": tuple(sorted(set(osm.carries).union(curated_ids)))})


def _node_matches(built: Built, tables: NetworkTables,
                  wants: dict[str, list[tuple[Mode, Gauge | None]]],
                  renames: dict[str, str]) -> list[NodeMatch]:
    joins: dict[str, list[Join]] = defaultdict(list)
    for snap in built.snaps:
        joins[snap.site.id].append(Join(str(snap.mode), None if snap.gauge is None
                                        else str(snap.gauge), renames.get(snap.node, snap.node),
                                        round(snap.distance_m, 1)))
    matches = []
    for nid in sorted(wants):
        node = tables.nodes[nid]
        found = joins.get(nid, [])
        if nid in built.placed:
            matches.append(NodeMatch(nid, str(node.kind), "placed", tuple(found), (),
                                     round(built.placed[nid][1], 1)))
            continue
        missing = tuple(f"{mode}{'' if gauge is None else ' ' + str(gauge)}"
                        for mode, gauge in wants[nid]
                        if not any(j.mode == mode and (gauge is None or j.gauge in {
                            str(g) for g in COMPATIBLE_GAUGES[gauge]}) for j in found))
        status = "missed" if not found else "partial" if missing else "matched"
        if not wants[nid]:
            status = "matched"  # nothing to join: sea or air only
        matches.append(NodeMatch(nid, str(node.kind), status, tuple(found), missing))
    return matches


def _drop_hostile(built: Built, tables: NetworkTables, report: list[str],
                  ) -> tuple[dict[str, NodeRecord], dict[str, EdgeRecord],
                             dict[str, LineString]]:
    hostile = {nid for nid, node in built.nodes.items()
               if node.country in HOSTILE_COUNTRIES and nid not in tables.nodes}
    edges = {eid: e for eid, e in built.edges.items()
             if e.u not in hostile and e.v not in hostile}
    used = {end for e in edges.values() for end in (e.u, e.v)}
    nodes = {nid: n for nid, n in built.nodes.items() if nid in used or nid in tables.nodes}
    if hostile:
        km = sum(e.length_km or 0 for eid, e in built.edges.items() if eid not in edges)
        report.append(f"dropped {len(hostile)} imported node(s) and {km:.1f} km in "
                      f"{'/'.join(sorted(HOSTILE_COUNTRIES))}: the merged network ends at the "
                      "curated hostile border crossings")
    return nodes, edges, {eid: built.geometries[eid] for eid in edges}


def _summarise(matches: list[NodeMatch], coverage: list[EdgeCoverage],
               report: list[str]) -> None:
    counts: dict[str, int] = defaultdict(int)
    for match in matches:
        counts[match.status] += 1
    report.append("curated nodes in the area: " + ", ".join(
        f"{counts[s]} {s}" for s in ("matched", "placed", "partial", "missed")))
    replaced = [c for c in coverage if c.replaced]
    report.append(f"curated road/rail edges touching the area: {len(replaced)} of "
                  f"{len(coverage)} replaced by OSM paths "
                  f"({sum(c.curated_km for c in replaced):.1f} curated km by "
                  f"{sum(c.osm_km or 0 for c in replaced):.1f} OSM km)")
