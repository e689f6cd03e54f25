"""Import the strategic rail and road network from OpenStreetMap into the network schema.

``network_from_osm(path)`` reads an OSM extract — ``.osm``/``.osm.bz2`` with OSMnx
(:func:`osmnx.graph_from_xml`), ``.osm.pbf`` streamed with pyosmium in bounded memory —
and ``network_from_place(name)`` downloads one through Overpass (needs internet). Both
return ``(nodes, edges)`` GeoDataFrames in EPSG:4326 whose rows are valid
:class:`~mobility.schema.NodeRecord`/:class:`~mobility.schema.EdgeRecord`;
:func:`write_network` stores them as a GeoPackage that :func:`mobility.network.load_network`
reads unchanged. Everything is pure apart from that final, atomic write.

What is imported
----------------
* Rail: ``railway=rail`` with ``usage`` main/branch or no ``usage``; side tracks
  (``service=yard|siding|spur|crossover``) and industrial/tourist/test lines only with
  ``service_tracks=True``. ``gauge`` 1435, 1520 (1524 read as 1520), ``1435;1520`` → dual;
  other gauges are dropped and reported; a missing ``gauge`` takes the country's main-line
  gauge (1520 in LT/LV/EE/BY/RU/UA/FI, else 1435), noted in ``source``. ``maxspeed``,
  ``electrified``, ``tracks`` are read.
* Road: ``highway=motorway|trunk|primary`` and their ``_link`` ramps; ``secondary`` with
  ``secondary=True``. ``maxspeed``, ``lanes``, ``oneway``, ``bridge``, ``maxweight`` are read.
* Speeds and capacities per class where tags are missing are the planning assumptions in
  the tables of :mod:`mobility.osm.tags` (``DEFAULTS_TABLE`` below), labelled as such in
  every edge's ``source``.

Topology
--------
Degree-2 chains are merged into edges with their real geometry (:mod:`mobility.osm.build`);
junctions are kept. Edge ids are ``osm-rail-<first way id>-<n>`` / ``osm-road-…`` and
``osm-link-<site>-<mode>[-<gauge>]`` for connectors, node ids ``osm-<node id>`` (and
``osm-<node id>-1435``/``-1520`` for the two sides of a split gauge break). Nodes are
``junction``, ``city`` (named after a ``place=city|town`` node within 1 km) or
``gauge_transfer``. A node's country is ``country`` if given, else the Natural Earth
country it lies in (the shipped regional basemap, elsewhere the shipped Natural Earth world
map; nearest within 25 km), looked up through a spatial index.

Gauge physics: an OSM node shared by 1435 and 1520 track (and no dual track) is a gauge
break. It becomes a ``gauge_transfer`` node where a transfer happens — the OSM node is
tagged ``railway=gauge_conveyance`` (default capacity 3 trains/day, dwell 10 h: an
assumption) or a curated gauge-transfer site lies within the snap distance (it takes the
curated id, capacity and dwell) — and is otherwise split into one node per gauge and
reported, so no plain junction ever joins the gauges.

With ``attach=True`` the curated gauge transfers, terminals, loading sites, ports,
airports, air bases, bases and origins of the shipped network that lie in the bounding box
(or the extent of the data) are added and joined to the nearest imported node of each mode
they handle (rail: of the gauge they load) within ``snap_km``, by a connector edge whose
``source`` states the snap distance.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mobility._errors import MobilityError, NetworkDataError
from mobility._progress import Progress, silent
from mobility.osm import tags as osm_tags
from mobility.osm.build import Built, build, curated_sites
from mobility.osm.conflate import (
    CORRIDOR_KM,
    MIN_COVERAGE,
    EdgeCoverage,
    NodeMatch,
    conflate,
    curated_wants,
    grown,
)
from mobility.osm.read import BBox, OsmExtract, read_pbf, read_place, read_xml
from mobility.osm.sites import read_site_defaults
from mobility.schema import EDGE_COLUMNS, NODE_COLUMNS, PHASE_COLUMNS
from mobility.settings import CRS

__all__ = ["DEFAULTS_TABLE", "OSM_SUFFIXES", "MergedNetwork", "merged_network_from_osm",
           "network_from_osm", "network_from_place", "parse_bbox", "write_network"]

logger = logging.getLogger(__name__)

XML_SUFFIXES = (".osm", ".osm.bz2", ".osm.xml")
PBF_SUFFIXES = (".osm.pbf", ".pbf")
OSM_SUFFIXES = XML_SUFFIXES + PBF_SUFFIXES
#: Default distance within which a curated site is joined to the imported network.
SNAP_KM = 5.0


#: The defaults table as text (also shown by ``mobility import-osm --help``).
DEFAULTS_TABLE = osm_tags.defaults_table()


def parse_bbox(value: str | tuple[float, float, float, float] | list[float]) -> BBox:
    """A validated ``(west, south, east, north)`` in degrees from text ``'W,S,E,N'`` or a tuple."""
    example = "e.g. 22.8,53.9,24.0,54.6 for the Suwałki gap"
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            numbers = []
    else:
        try:
            numbers = [float(p) for p in value]
        except (TypeError, ValueError):
            numbers = []
    if len(numbers) != 4:
        msg = (f"`bbox` {value!r}: expected four numbers west,south,east,north in degrees "
               f"(EPSG:4326), {example}")
        raise MobilityError(msg)
    west, south, east, north = numbers
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        msg = (f"`bbox` {value!r}: need -180 <= west < east <= 180 and -90 <= south < north "
               f"<= 90 (order west,south,east,north), {example}")
        raise MobilityError(msg)
    return west, south, east, north


def _check_country(country: str | None) -> str | None:
    if country is None:
        return None
    code = country.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        msg = (f"`country` {country!r}: expected an ISO 3166-1 alpha-2 code such as LT, LV, "
               "EE, PL, DE")
        raise MobilityError(msg)
    return code


def network_from_osm(
    path: str | Path,
    *,
    bbox: BBox | str | None = None,
    secondary: bool = False,
    attach: bool = True,
    country: str | None = None,
    progress: Progress | None = None,
    service_tracks: bool = False,
    snap_km: float = SNAP_KM,
    site_defaults: str | Path | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Import the rail and road network of an OSM extract.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2`` (OSMnx) or ``.osm.pbf`` (pyosmium, streamed; node locations
        on disk above 64 MB).
    bbox
        ``(west, south, east, north)`` in degrees, or the text ``'W,S,E,N'``; segments with
        both ends inside are kept. ``None`` keeps everything.
    secondary
        Also import ``highway=secondary``.
    attach
        Add the curated sites in the box and join them to the imported network.
    country
        ISO code for every imported node; ``None`` derives it from the basemap.
    progress
        ``progress(message, done, 1.0)`` called as the import advances; ``done`` is in
        [0, 1]; ``progress(message)`` alone while reading a file of unknown length.
    service_tracks
        Keep yards, sidings, spurs and industrial lines.
    snap_km
        Largest distance at which a curated site or gauge-break transfer is snapped.
    site_defaults
        A CSV or YAML table of transfer capacity and dwell by kind for the terminals,
        bases, ports and airfields found by their OSM tags (:mod:`mobility.osm.sites`);
        ``None``: the labelled assumptions of :data:`mobility.osm.tags.SITE_DEFAULTS`.

    Returns
    -------
    nodes, edges
        GeoDataFrames (EPSG:4326) with the columns of :mod:`mobility.schema` (nodes as
        Points without ``lon``/``lat``; edges as LineStrings from ``u`` to ``v``). Their
        ``attrs["report"]`` lists gauge breaks split or made transfers, sites attached or
        not, and ways dropped.
    """
    path, reader = _reader(path)
    return _import(lambda **kw: reader(path, **kw), str(path), bbox=bbox, secondary=secondary,
                   attach=attach, country=country, progress=progress,
                   service_tracks=service_tracks, snap_km=snap_km, site_defaults=site_defaults)


def check_extract(path: str | Path) -> Path:
    """``path`` if it names an existing OSM extract file; one clear error otherwise."""
    path = Path(path)
    if not path.exists():
        msg = (f"{path}: no such file (expected an OSM extract: "
               f"{', '.join(OSM_SUFFIXES)})")
        raise NetworkDataError(msg)
    if not path.name.lower().endswith(OSM_SUFFIXES) or not path.is_file():
        msg = (f"{path}: not an OSM extract; expected a file ending in "
               f"{', '.join(OSM_SUFFIXES)}")
        raise NetworkDataError(msg)
    return path


def _reader(path: str | Path) -> tuple[Path, Callable[..., OsmExtract]]:
    path = check_extract(path)
    return path, read_pbf if path.name.lower().endswith(PBF_SUFFIXES) else read_xml


def network_from_place(
    place: str,
    *,
    bbox: BBox | str | None = None,
    secondary: bool = False,
    attach: bool = True,
    country: str | None = None,
    progress: Progress | None = None,
    service_tracks: bool = False,
    snap_km: float = SNAP_KM,
    site_defaults: str | Path | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Like :func:`network_from_osm` for a place name, downloaded through OSMnx/Overpass.

    Needs internet access; offline it raises one :class:`NetworkDataError` saying so.
    """
    if not place or not place.strip():
        raise MobilityError("`place` '': give a place name such as 'Lithuania'")
    return _import(lambda **kw: read_place(place.strip(), **kw), f"`place` {place!r}",
                   bbox=bbox, secondary=secondary, attach=attach, country=country,
                   progress=progress, service_tracks=service_tracks, snap_km=snap_km,
                   site_defaults=site_defaults)


def _import(read: Callable[..., OsmExtract], what: str, *, bbox, secondary: bool,
            attach: bool, country: str | None, progress: Progress | None,
            service_tracks: bool, snap_km: float,
            site_defaults: str | Path | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    box = parse_bbox(bbox) if bbox is not None else None
    code = _check_country(country)
    _check_km("snap_km", snap_km)
    table = read_site_defaults(site_defaults) if site_defaults is not None else None
    say = progress or silent
    extract = _read(read, what, box, secondary, service_tracks, say)
    area = box or _extent(extract)
    curated = curated_sites(area) if attach else []
    built = build(extract, curated=curated, country=code, secondary=secondary,
                  service_tracks=service_tracks, snap_m=snap_km * 1000, progress=say,
                  site_defaults=table)
    for line in built.report:
        logger.info("%s: %s", what, line)
    say("done", 1.0, 1.0)
    return _frames(built)


def _check_km(name: str, value: float) -> None:
    if not value > 0:
        raise MobilityError(f"`{name}` {value!r}: must be a positive distance in km")


def _read(read: Callable[..., OsmExtract], what: str, box: BBox | None, secondary: bool,
          service_tracks: bool, say: Progress) -> OsmExtract:
    extract = read(bbox=box, secondary=secondary, service_tracks=service_tracks, progress=say)
    if not extract.segments:
        wanted = "railway=rail or highway=motorway/trunk/primary" + (
            "/secondary" if secondary else "")
        where = f" inside `bbox` {','.join(f'{c:g}' for c in box)}" if box else ""
        msg = (f"{what}: no {wanted} ways{where}; check the area (bbox order is "
               "west,south,east,north) or add `secondary`")
        raise NetworkDataError(msg)
    return extract


@dataclass
class MergedNetwork:
    """A curated network merged with an OSM import (:func:`merged_network_from_osm`).

    ``nodes``/``edges`` are GeoDataFrames like :func:`network_from_osm`'s, ``phases`` the
    curated phases table and ``frictions`` the curated calibrated frictions, all written by
    :func:`write_network`. ``matches`` says how each curated node inside the area met the
    import, ``coverage`` how each curated road/rail edge touching it was covered, and
    ``report`` the notes of the import and of the merge.
    """

    nodes: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    phases: pd.DataFrame
    frictions: dict[str, float]
    matches: list[NodeMatch]
    coverage: list[EdgeCoverage]
    report: tuple[str, ...]


def merged_network_from_osm(
    path: str | Path,
    *,
    network: str | Path | None = None,
    bbox: BBox | str | None = None,
    secondary: bool = False,
    country: str | None = None,
    progress: Progress | None = None,
    service_tracks: bool = False,
    snap_km: float = SNAP_KM,
    corridor_km: float = CORRIDOR_KM,
    min_coverage: float = MIN_COVERAGE,
    site_defaults: str | Path | None = None,
    keep_unused: bool = False,
) -> MergedNetwork:
    """One network from the curated layer ``network`` and the OSM detail of an extract.

    Every curated node inside the extract's area (``bbox``, or the extent of its data) is
    snapped to the import within ``snap_km`` (reported matched or missed); every curated road
    or rail edge whose OSM path between its snapped ends covers at least ``min_coverage`` of
    its length within ``corridor_km`` is replaced by that path; all else stays curated (see
    :mod:`mobility.osm.conflate`). Curated node ids are kept, so scenarios that name them run
    unchanged on the result (write it with :func:`write_network`).

    ``network`` is a network folder or GeoPackage (``None``: the shipped ``data/network``);
    parts of the import joined to no curated node are dropped unless ``keep_unused``;
    the other arguments are those of :func:`network_from_osm`.
    """
    from mobility.network import read_network_tables

    path, reader = _reader(path)
    box = parse_bbox(bbox) if bbox is not None else None
    code = _check_country(country)
    _check_km("snap_km", snap_km)
    _check_km("corridor_km", corridor_km)
    if not 0 < min_coverage <= 1:
        raise MobilityError(f"`min_coverage` {min_coverage!r}: must be a share in (0, 1], "
                            "e.g. 0.8")
    table = read_site_defaults(site_defaults) if site_defaults is not None else None
    tables = read_network_tables(network)
    say = progress or silent
    extract = _read(lambda **kw: reader(path, **kw), str(path), box, secondary, service_tracks,
                    say)
    area = grown(box or _extent(extract), snap_km)
    wants = curated_wants(tables, area)
    curated = [tables.nodes[nid] for nid in sorted(wants)]
    built = build(extract, curated=curated, country=code, secondary=secondary,
                  service_tracks=service_tracks, snap_m=snap_km * 1000, progress=say,
                  wants=wants, site_defaults=table)
    merged = conflate(built, tables, area, wants, snap_m=snap_km * 1000,
                      corridor_m=corridor_km * 1000, min_coverage=min_coverage, progress=say,
                      keep_unused=keep_unused)
    report = (*built.report, *merged.report)
    nodes, edges = _frames(Built(nodes=merged.nodes, edges=merged.edges,
                                 geometries=merged.geometries, report=list(report)))
    phases = pd.DataFrame([p.model_dump(mode="json") for _, p in sorted(tables.phases.items())],
                          columns=list(PHASE_COLUMNS))
    say("done", 1.0, 1.0)
    return MergedNetwork(nodes, edges, phases,
                         {"rail_speed_factor": tables.rail_speed_factor},
                         merged.matches, merged.coverage, report)


def _extent(extract: OsmExtract) -> BBox:
    lons = [c[0] for c in extract.coords.values()]
    lats = [c[1] for c in extract.coords.values()]
    return min(lons), min(lats), max(lons), max(lats)


def _frames(built: Built) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from shapely.geometry import Point

    node_columns = [c for c in NODE_COLUMNS if c not in ("lon", "lat")]
    node_rows = [_row(record.model_dump(mode="json"), node_columns)
                 for _, record in sorted(built.nodes.items())]
    nodes = gpd.GeoDataFrame(
        pd.DataFrame(node_rows, columns=node_columns),
        geometry=[Point(r.lon, r.lat) for _, r in sorted(built.nodes.items())], crs=CRS)
    edge_rows = [_row(record.model_dump(mode="json"), list(EDGE_COLUMNS))
                 for _, record in sorted(built.edges.items())]
    edges = gpd.GeoDataFrame(
        pd.DataFrame(edge_rows, columns=list(EDGE_COLUMNS)),
        geometry=[built.geometries[eid] for eid in sorted(built.edges)], crs=CRS)
    for frame in (nodes, edges):
        frame.attrs["report"] = tuple(built.report)
    for column in ("tracks", "lanes"):
        edges[column] = edges[column].astype("Int64")
    edges["electrified"] = edges["electrified"].astype("boolean")
    return nodes, edges


def _row(values: dict, columns: list[str]) -> dict:
    row = {}
    for column in columns:
        value = values.get(column)
        if isinstance(value, list | tuple):
            value = ";".join(value)
        row[column] = value
    return row


def check_out(path: str | Path) -> Path:
    """``path`` if a network GeoPackage can be written there; checked before any work."""
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise MobilityError(f"`out` {str(path)!r}: the output must be a GeoPackage (.gpkg)")
    if not path.parent.is_dir():
        raise MobilityError(f"`out` {str(path)!r}: folder {str(path.parent)!r} does not exist")
    return path


def write_network(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame, path: str | Path, *,
                  phases: pd.DataFrame | None = None,
                  frictions: dict[str, float] | None = None) -> Path:
    """Write ``nodes`` and ``edges`` (and ``phases``, ``frictions`` when given, as a merged
    network has them) as a GeoPackage that ``load_network`` reads.

    The file is written next to its target under a temporary name, checked by reading it
    back through the schema, and only then moved into place (``os.replace``), so a failed
    or interrupted write never leaves a half-written network at ``path``.
    """
    import pyogrio

    from mobility.network import read_network_tables

    path = check_out(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.gpkg")
    try:
        pyogrio.write_dataframe(nodes, temporary, layer="nodes", driver="GPKG")
        pyogrio.write_dataframe(edges, temporary, layer="edges", driver="GPKG")
        if phases is not None and len(phases):
            pyogrio.write_dataframe(phases.astype(str), temporary, layer="phases",
                                    driver="GPKG")
        if frictions:
            table = pd.DataFrame({"name": list(frictions), "value": list(frictions.values())})
            pyogrio.write_dataframe(table, temporary, layer="frictions", driver="GPKG")
        read_network_tables(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
