"""Readers: OSM XML (OSMnx), OSM PBF (pyosmium, streaming) and an Overpass place download.

Each reader returns the same :class:`OsmExtract`: the imported ways cut into node-to-node
segments, the coordinates of their nodes, and the few tagged nodes that matter (towns and
gauge-change facilities). Ways are filtered by :func:`mobility.osm.tags.way_kind` while
reading, and segments by the bounding box (both ends inside), so what is kept in memory is
the strategic network only, never the whole file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx

from mobility._errors import NetworkDataError
from mobility._progress import Progress
from mobility.osm.tags import (
    GAUGE_TRANSFER_TAGS,
    NODE_TAGS,
    PLACE_CITY,
    SITE_TAGS,
    WAY_TAGS,
    site_kind,
    way_kind,
)

logger = logging.getLogger(__name__)

#: ``progress(message, share, 1.0)``: the share done in [0, 1], or ``progress(message)`` while
#: the total is unknown.
BBox = tuple[float, float, float, float]

#: Above this size a PBF's node locations are indexed on disk, not in memory.
DISK_INDEX_BYTES = 64 * 1024 * 1024
_REPORT_EVERY = 50_000


@dataclass
class OsmExtract:
    """The imported part of an OSM file: segments of kept ways, node coordinates, tags."""

    source: str
    way_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    #: ``(way id, node id, node id)`` for consecutive nodes of a way, in way order.
    segments: list[tuple[int, int, int]] = field(default_factory=list)
    coords: dict[int, tuple[float, float]] = field(default_factory=dict)
    #: Tags of town (``place=city|town``) and gauge-change (``railway=gauge_conveyance``) nodes.
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    #: Sites found by their tags (stations, yards, military areas, ports, aerodromes):
    #: ``"node/<id>"`` or ``"way/<id>"`` → (tags, lon, lat); a closed way at the mean of its
    #: nodes.
    sites: dict[str, tuple[dict[str, str], float, float]] = field(default_factory=dict)

    def add_way(self, way_id: int, tags: dict[str, str],
                nodes: list[tuple[int, float, float] | None], bbox: BBox | None) -> None:
        kept = False
        for first, second in pairwise(nodes):
            if first is None or second is None:  # a node without location: the way is cut
                continue
            (u, ux, uy), (v, vx, vy) = first, second
            if u == v or (bbox and not (_inside(ux, uy, bbox) and _inside(vx, vy, bbox))):
                continue
            self.segments.append((way_id, u, v))
            self.coords[u], self.coords[v] = (ux, uy), (vx, vy)
            kept = True
        if kept:
            self.way_tags[way_id] = tags

    def add_node(self, node_id: int, tags: dict[str, str], lon: float, lat: float,
                 bbox: BBox | None) -> None:
        if bbox is not None and not _inside(lon, lat, bbox):
            return
        if tags.get("place") in PLACE_CITY or tags.get("railway") in GAUGE_TRANSFER_TAGS:
            self.node_tags[node_id] = tags
            self.coords.setdefault(node_id, (lon, lat))
        if site_kind(tags):
            self.sites[f"node/{node_id}"] = (tags, lon, lat)

    def add_site_way(self, way_id: int, tags: dict[str, str],
                     located: dict[int, tuple[float, float]], bbox: BBox | None) -> None:
        """A way tagged as a site (see :func:`site_kind`), placed at the mean of its
        distinct located nodes."""
        if not located:
            return
        points = [located[n] for n in sorted(located)]
        lon = sum(x for x, _ in points) / len(points)
        lat = sum(y for _, y in points) / len(points)
        if bbox is None or _inside(lon, lat, bbox):
            self.sites[f"way/{way_id}"] = (tags, lon, lat)


def _inside(lon: float, lat: float, bbox: BBox) -> bool:
    west, south, east, north = bbox
    return west <= lon <= east and south <= lat <= north


def _pick(tags, keys) -> dict[str, str]:
    return {key: tags[key] for key in keys if key in tags}


# --- PBF: pyosmium, streaming --------------------------------------------------------------


def read_pbf(path: Path, *, bbox: BBox | None, secondary: bool, service_tracks: bool,
             progress: Progress) -> OsmExtract:
    """Stream a ``.osm.pbf`` (or any file libosmium reads) with pyosmium.

    Node locations are cached by libosmium for the ways: in memory (``flex_mem``) for files
    up to :data:`DISK_INDEX_BYTES`, otherwise in a sparse on-disk array in a temporary folder,
    so a country extract is read in bounded memory. Only ways that :func:`way_kind` imports
    and the tagged nodes reach Python.
    """
    import osmium
    import osmium.filter

    extract = OsmExtract(str(path))
    size = path.stat().st_size
    with tempfile.TemporaryDirectory(prefix="mobility-osm-") as scratch:
        storage = ("flex_mem" if size <= DISK_INDEX_BYTES
                   else f"sparse_file_array,{os.path.join(scratch, 'node-locations.idx')}")
        way_filter = osmium.filter.KeyFilter("railway", "highway", *SITE_TAGS)
        way_filter.enable_for(osmium.osm.WAY)  # in place
        node_filter = osmium.filter.KeyFilter("place", "railway", *SITE_TAGS)
        node_filter.enable_for(osmium.osm.NODE)
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations(storage)
            .with_filter(way_filter)
            .with_filter(node_filter)
        )
        counts = {"nodes": 0, "ways": 0}
        item: Any  # a node or a way: the processor reads nothing else
        try:
            for item in processor:
                if item.is_node():
                    counts["nodes"] += 1
                    extract.add_node(item.id, _pick(item.tags, NODE_TAGS), item.location.lon,
                                     item.location.lat, bbox)
                else:
                    counts["ways"] += 1
                    tags = _pick(item.tags, WAY_TAGS)
                    if way_kind(tags, secondary=secondary, service_tracks=service_tracks):
                        nodes = _way_nodes(item, path)
                        extract.add_way(item.id, tags, nodes, bbox)
                    elif site_kind(tags):
                        extract.add_site_way(item.id, tags, {
                            n[0]: (n[1], n[2]) for n in _way_nodes(item, path)
                            if n is not None}, bbox)
                if (counts["nodes"] + counts["ways"]) % _REPORT_EVERY == 0:
                    progress(f"reading {path.name}: {counts['ways']:,} road/rail ways, "
                             f"{counts['nodes']:,} tagged nodes")
        except RuntimeError as error:
            msg = (f"{path}: cannot be read as OSM data (.osm, .osm.bz2 or .osm.pbf): "
                   f"{str(error).splitlines()[0] if str(error) else type(error).__name__}")
            raise NetworkDataError(msg) from None
    return extract


def _way_nodes(way, path: Path) -> list[tuple[int, float, float] | None]:
    import osmium

    nodes: list[tuple[int, float, float] | None] = []
    for ref in way.nodes:
        try:
            nodes.append((ref.ref, ref.location.lon, ref.location.lat))
        except osmium.InvalidLocationError:
            # An extract cut at a border references nodes outside it; the way is cut there.
            logger.debug("%s: way %s references node %s without a location", path, way.id,
                         ref.ref)
            nodes.append(None)
    return nodes


# --- XML and Overpass: OSMnx ---------------------------------------------------------------


@contextmanager
def _osmnx_tags() -> Iterator[None]:
    """OSMnx with the tags this importer reads, and no download cache in the working folder."""
    import osmnx as ox

    saved = (ox.settings.useful_tags_way, ox.settings.useful_tags_node, ox.settings.use_cache,
             ox.settings.log_console)
    ox.settings.useful_tags_way = list(WAY_TAGS)
    ox.settings.useful_tags_node = list(NODE_TAGS)
    ox.settings.use_cache = False
    ox.settings.log_console = False
    try:
        yield
    finally:
        (ox.settings.useful_tags_way, ox.settings.useful_tags_node, ox.settings.use_cache,
         ox.settings.log_console) = saved


def read_xml(path: Path, *, bbox: BBox | None, secondary: bool, service_tracks: bool,
             progress: Progress) -> OsmExtract:
    """Read ``.osm`` / ``.osm.bz2`` with :func:`osmnx.graph_from_xml` (unsimplified).

    A clipped file (ways that reference nodes it does not hold, as any extract cut at a
    border has) is read with pyosmium instead (:func:`read_pbf`), which cuts those ways
    where their nodes are missing, as it does for a clipped PBF.
    """
    import xml.sax
    from xml.etree.ElementTree import ParseError

    import osmnx as ox

    progress(f"reading {path.name} (OSM XML)")
    with _osmnx_tags():
        try:
            graph = ox.graph_from_xml(path, simplify=False, retain_all=True)
        except (xml.sax.SAXException, ParseError, OSError, EOFError, UnicodeDecodeError) as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            msg = f"{path}: cannot be read as OSM XML (.osm or .osm.bz2): {first}"
            raise NetworkDataError(msg) from None
        except ox._errors.InsufficientResponseError:
            msg = f"{path}: contains no OSM nodes or ways (is it an OSM XML file?)"
            raise NetworkDataError(msg) from None
        except ValueError as error:
            if "clipping" not in str(error):
                raise
            # A clipped extract: ways reference nodes it does not hold. libosmium reads XML
            # too and cuts such a way where its nodes are missing, exactly as for a PBF.
            logger.info("%s: clipped (ways reference missing nodes); read with pyosmium", path)
            progress(f"{path.name} is clipped at its edge: reading it like a clipped PBF")
            return read_pbf(path, bbox=bbox, secondary=secondary,
                            service_tracks=service_tracks, progress=progress)
    return extract_from_graph(graph, str(path), bbox=bbox, secondary=secondary,
                              service_tracks=service_tracks)


def read_place(place: str, *, bbox: BBox | None, secondary: bool, service_tracks: bool,
               progress: Progress) -> OsmExtract:
    """Download the rail and road network of a place through Overpass (needs internet)."""
    import osmnx as ox
    import requests

    roads = "motorway|trunk|primary" + ("|secondary" if secondary else "")
    filters = ['["railway"="rail"]', f'["highway"~"^({roads})(_link)?$"]']
    progress(f"downloading '{place}' from OpenStreetMap (Nominatim, Overpass)")
    with _osmnx_tags():
        try:
            graph = ox.graph_from_place(place, custom_filter=filters, simplify=False,
                                        retain_all=True, truncate_by_edge=True)
        except requests.exceptions.RequestException as error:
            msg = (f"`place` {place!r}: cannot reach OpenStreetMap ({type(error).__name__}); "
                   "this needs internet access. Offline, download an extract (e.g. "
                   "https://download.geofabrik.de/europe/lithuania-latest.osm.pbf) and give "
                   "its path instead")
            raise NetworkDataError(msg) from None
        except (ox._errors.InsufficientResponseError, ox._errors.ResponseStatusCodeError,
                TypeError, ValueError) as error:
            msg = f"`place` {place!r}: OpenStreetMap returned no usable area or data: {error}"
            raise NetworkDataError(msg) from None
    return extract_from_graph(graph, f"Overpass place {place!r}", bbox=bbox,
                              secondary=secondary, service_tracks=service_tracks)


def extract_from_graph(graph: nx.MultiDiGraph, source: str, *, bbox: BBox | None,
                       secondary: bool, service_tracks: bool) -> OsmExtract:
    """The extract of an unsimplified OSMnx graph (one edge per consecutive node pair)."""
    extract = OsmExtract(source)
    nodes = graph.nodes
    seen: set[tuple[int, int, int]] = set()
    site_ways: dict[int, tuple[dict[str, str], dict[int, tuple[float, float]]]] = {}
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[2]["osmid"], e[0], e[1])):
        way_id = int(data["osmid"])
        tags = {key: str(data[key]) for key in WAY_TAGS if key in data and key != "oneway"}
        if data.get("oneway") is True:  # OSMnx's reading of oneway/junction=roundabout
            tags["oneway"] = "yes"
        if not way_kind(tags, secondary=secondary, service_tracks=service_tracks):
            if site_kind(tags):
                located = site_ways.setdefault(way_id, (tags, {}))[1]
                for node in (u, v):
                    located[node] = (nodes[node]["x"], nodes[node]["y"])
            continue
        key = (way_id, min(u, v), max(u, v))
        if key in seen:
            continue
        seen.add(key)
        extract.add_way(way_id, tags, [(u, nodes[u]["x"], nodes[u]["y"]),
                                       (v, nodes[v]["x"], nodes[v]["y"])], bbox)
    for node_id, data in sorted(nodes(data=True)):
        tags = {key: str(data[key]) for key in NODE_TAGS if key in data}
        if tags:
            extract.add_node(int(node_id), tags, data["x"], data["y"], bbox)
    for way_id, (tags, located) in sorted(site_ways.items()):
        extract.add_site_way(way_id, tags, located, bbox)
    return extract
