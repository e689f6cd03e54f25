"""Load, validate and inspect the road/rail/sea/air network.

The graph follows OSMnx conventions: a :class:`networkx.MultiDiGraph` whose nodes carry
``x``/``y`` in EPSG:4326, ``G.graph["crs"]``, and whose edges carry ``geometry`` (a LineString
oriented from ``u`` to ``v``), ``length`` in metres and ``travel_time`` in seconds, so
``osmnx.graph_to_gdfs`` and the rest of the ecosystem work on it. Each bidirectional data
edge becomes two directed edges keyed by the data edge's id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely.geometry import LineString, Point

from mobility._data import network_dir
from mobility._errors import NetworkDataError
from mobility._yaml import read_yaml
from mobility.schema import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    EdgeRecord,
    Gauge,
    Mode,
    NodeKind,
    NodeRecord,
    PhaseRecord,
    parse_record,
    track_gauges,
    transfer_modes,
)
from mobility.settings import CRS, METRIC_CRS


@dataclass(frozen=True)
class NetworkTables:
    """The validated records of a network, before phases are applied."""

    source: str
    nodes: dict[str, NodeRecord]
    edges: dict[str, EdgeRecord]
    phases: dict[str, PhaseRecord]
    geometries: dict[str, LineString]
    #: Calibrated multiplier on every rail edge's ``speed_kph`` (the network folder's
    #: ``frictions.yaml``; 1 when the folder has none). See :func:`read_frictions`.
    rail_speed_factor: float = 1.0


def load_network(
    path: str | Path | None = None,
    *,
    year: int | None = None,
    phases: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """Load a network and return it as an OSMnx-style MultiDiGraph.

    Parameters
    ----------
    path
        A folder with ``nodes.csv``/``edges.csv`` (and optionally ``phases.csv``), or with
        ``nodes.geojson``/``edges.geojson``, or a GeoPackage with ``nodes`` and ``edges``
        layers. ``None`` loads the curated default network shipped with the package.
    year
        Include the dated phases whose ``opens_year`` is at most this year. ``None`` gives
        today's network (no future phases) unless ``phases`` is given.
    phases
        Phase ids to include explicitly (in addition to those opened by ``year``).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id with ``x``, ``y`` and the node fields of :mod:`mobility.schema`;
        two directed edges per data edge, keyed by the data edge id.
    """
    tables = read_network_tables(path)
    active = active_phases(tables, year=year, phases=phases)
    return graph_from_tables(tables, active_phases=active, year=year)


def active_phases(
    tables: NetworkTables, *, year: int | None = None, phases: Iterable[str] | None = None
) -> frozenset[str]:
    """Phase ids switched on by ``year`` and ``phases``; unknown ids are an error."""
    chosen = set(phases or ())
    unknown = sorted(chosen - set(tables.phases))
    if unknown:
        valid = ", ".join(sorted(tables.phases)) or "(none defined)"
        msg = f"{tables.source}: unknown phase {unknown[0]!r}; valid phases: {valid}"
        raise NetworkDataError(msg)
    if year is not None:
        chosen |= {pid for pid, phase in tables.phases.items() if phase.opens_year <= year}
    return frozenset(chosen)


def graph_from_tables(
    tables: NetworkTables, *, active_phases: frozenset[str] = frozenset(), year: int | None = None
) -> nx.MultiDiGraph:
    """Build the directed graph from validated tables with the given phases switched on."""
    edges = {
        eid: edge
        for eid, edge in tables.edges.items()
        if edge.phase is None or edge.phase in active_phases
    }
    replaced = {edge.replaces for edge in edges.values() if edge.replaces}
    edges = {eid: edge for eid, edge in edges.items() if eid not in replaced}

    graph = nx.MultiDiGraph(
        crs=CRS,
        name="baltic-mobility",
        source=tables.source,
        year=year,
        phases=tuple(sorted(active_phases)),
        rail_speed_factor=tables.rail_speed_factor,
    )
    for node in tables.nodes.values():
        graph.add_node(node.id, x=node.lon, y=node.lat, **_node_attributes(node))
    lengths_m = _lengths_m(tables.geometries)
    for eid in sorted(edges):
        edge = edges[eid]
        geometry = tables.geometries[eid]
        attributes = _edge_attributes(edge, _length_m(edge, lengths_m),
                                      tables.rail_speed_factor)
        graph.add_edge(edge.u, edge.v, key=eid, geometry=geometry, direction="forward",
                       **attributes)
        graph.add_edge(edge.v, edge.u, key=eid, geometry=LineString(geometry.coords[::-1]),
                       direction="reverse", **attributes)
    for node_id, data in graph.nodes(data=True):
        data["loading_gauges"] = loading_gauges(graph, node_id)
    # What each upgrading edge's predecessor took (hours), for choosing routes as the network
    # stood before its phases (mobility.engines.routes).
    graph.graph["replaced_transit_h"] = {
        eid: _edge_attributes(old, _length_m(old, lengths_m),
                              tables.rail_speed_factor)["transit_h"]
        for eid, edge in edges.items()
        if edge.replaces and (old := tables.edges.get(edge.replaces)) is not None}
    return graph


def network_gdfs(graph: nx.MultiDiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Nodes and edges as GeoDataFrames, OSMnx style.

    Parameters
    ----------
    graph
        A network from :func:`load_network`.

    Returns
    -------
    nodes, edges
        GeoDataFrames in EPSG:4326 (:data:`mobility.settings.CRS`) with the columns of
        :mod:`mobility.schema` (``length_km``, ``speed_kph``, ``capacity_per_day`` …), one
        edge row per direction; list-valued columns (``corridors``, ``via``,
        ``loading_gauges``, ``carries``) joined with ``;``.
    """
    import osmnx as ox

    nodes, edges = ox.graph_to_gdfs(graph)
    for column in ("corridors", "via", "loading_gauges", "carries"):
        for frame in (nodes, edges):
            if column in frame:
                frame[column] = frame[column].map(lambda v: ";".join(v) if v else "")
    return nodes, edges


def rail_gauges_at(graph: nx.MultiDiGraph, node_id: str) -> set[Gauge]:
    """The rail gauges of the tracks that touch a node (``dual`` counts as both)."""
    gauges: set[Gauge] = set()
    for _, _, data in graph.out_edges(node_id, data=True):
        if data["mode"] == Mode.rail:
            gauge = data["gauge"]
            gauges |= {Gauge(g) for g in track_gauges(gauge)}
    return gauges


def loading_gauges(graph: nx.MultiDiGraph, node_id: str) -> tuple[str, ...]:
    """Gauges on which a node can load or unload trains (empty if it handles no rail).

    A gauge-transfer node handles both. Another node handles the gauge stated in its
    ``gauge`` field, or, when none is stated, the single gauge of the tracks reaching it.
    """
    data = graph.nodes[node_id]
    kind = data["kind"]
    if "rail" not in transfer_modes(kind):
        return ()
    present = rail_gauges_at(graph, node_id)
    if kind == NodeKind.gauge_transfer:
        return tuple(sorted(present))
    stated = data.get("gauge")
    if stated in (Gauge.standard, Gauge.broad):
        return (str(stated),) if stated in present else ()
    return tuple(sorted(present)) if len(present) == 1 else ()


def _node_attributes(node: NodeRecord) -> dict[str, Any]:
    return node.model_dump(exclude={"id", "lon", "lat"})


def _edge_attributes(edge: EdgeRecord, length_m: float,
                     rail_speed_factor: float = 1.0) -> dict[str, Any]:
    attributes = edge.model_dump(exclude={"u", "v", "id", "length_km"})
    attributes["edge_id"] = edge.id
    attributes["length"] = length_m
    attributes["length_km"] = length_m / 1000
    attributes["unit"] = edge.unit
    if edge.mode == Mode.rail:  # the stated class speed (A10) times the calibrated factor
        attributes["stated_speed_kph"] = edge.speed_kph
        attributes["speed_kph"] = edge.speed_kph * rail_speed_factor
    attributes["transit_h"] = attributes["length_km"] / attributes["speed_kph"]
    attributes["travel_time"] = attributes["transit_h"] * 3600
    return attributes


def _length_m(edge: EdgeRecord, lengths_m: dict[str, float]) -> float:
    """An edge's stated length, else its geometry's."""
    return edge.length_km * 1000 if edge.length_km else lengths_m[edge.id]


def _lengths_m(geometries: dict[str, LineString]) -> dict[str, float]:
    if not geometries:
        return {}
    series = gpd.GeoSeries(list(geometries.values()), index=list(geometries), crs=CRS)
    return series.to_crs(METRIC_CRS).length.to_dict()


# --- reading and validating files -------------------------------------------------------


def read_network_tables(path: str | Path | None = None) -> NetworkTables:
    """Read and validate the node, edge and phase tables of a network."""
    root = Path(path) if path is not None else network_dir()
    if not root.exists():
        msg = f"{root}: no such file or folder (expected a network folder or a .gpkg file)"
        raise NetworkDataError(msg)
    if root.is_file():
        if root.suffix.lower() != ".gpkg":
            msg = (
                f"{root}: unsupported network file type '{root.suffix}'; give a GeoPackage "
                "(.gpkg with 'nodes' and 'edges' layers) or a folder with nodes/edges files"
            )
            raise NetworkDataError(msg)
        nodes_frame = _read_geo(root, layer="nodes")
        edges_frame = _read_geo(root, layer="edges")
        phases_frame = _read_optional_layer(root, "phases")
        tables = _tables_from_frames(str(root), nodes_frame, edges_frame, phases_frame, None)
        frictions = _read_optional_layer(root, "frictions")
        if frictions is None:
            return tables
        raw = {name: _number(value) for name, value in
               zip(frictions.get("name", []), frictions.get("value", []), strict=True)}
        values = check_frictions(raw, f"{root} layer 'frictions'")
        return replace(tables, rail_speed_factor=values["rail_speed_factor"])
    for suffix in (".csv", ".geojson"):
        nodes_path, edges_path = root / f"nodes{suffix}", root / f"edges{suffix}"
        if nodes_path.exists() or edges_path.exists():
            break
    else:
        msg = f"{root}: no nodes.csv/edges.csv or nodes.geojson/edges.geojson in this folder"
        raise NetworkDataError(msg)
    for required in (nodes_path, edges_path):
        if not required.exists():
            raise NetworkDataError(f"{required}: file is missing (a network needs both tables)")
    phases_path = root / "phases.csv"
    phases_frame = _read_csv(phases_path) if phases_path.exists() else None
    if suffix == ".csv":
        nodes_frame, edges_frame = _read_csv(nodes_path), _read_csv(edges_path)
        files = (str(nodes_path), str(edges_path))
    else:
        nodes_frame, edges_frame = _read_geo(nodes_path), _read_geo(edges_path)
        files = (str(nodes_path), str(edges_path))
    tables = _tables_from_frames(str(root), nodes_frame, edges_frame, phases_frame, files)
    return replace(tables, rail_speed_factor=read_frictions(root)["rail_speed_factor"])


#: The frictions a network folder may calibrate, with their values when it does not.
FRICTION_DEFAULTS = {"rail_speed_factor": 1.0}


def read_frictions(folder: str | Path) -> dict[str, float]:
    """The calibrated frictions of a network folder (``frictions.yaml``; defaults if absent).

    ``rail_speed_factor`` multiplies every rail edge's ``speed_kph`` when the network is
    loaded, so that routing and the closure engine read the same calibrated train speeds
    (average speed of a military train including waits for paths and crew or locomotive
    changes; data/VALIDATION.md, Part C).
    """
    path = Path(folder) / "frictions.yaml"
    if not path.exists():
        return dict(FRICTION_DEFAULTS)
    raw = read_yaml(path, NetworkDataError) or {}
    if not isinstance(raw, dict):
        raise NetworkDataError(f"{path}: expected a mapping of friction names to numbers")
    return check_frictions(raw, str(path))


def check_frictions(raw: dict, where: str) -> dict[str, float]:
    """Friction values from ``raw`` (name → number), defaults for the rest; an unknown
    name or a value outside (0, 2] is an error naming ``where``."""
    values = dict(FRICTION_DEFAULTS)
    path = where
    for key, value in raw.items():
        if key not in FRICTION_DEFAULTS:
            valid = ", ".join(sorted(FRICTION_DEFAULTS))
            raise NetworkDataError(f"{path}: unknown friction {key!r}; valid: {valid}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 2:
            raise NetworkDataError(f"{path}: {key} must be a number in (0, 2], not {value!r}")
        values[key] = float(value)
    return values


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise NetworkDataError(f"{path}: cannot be read as UTF-8 CSV: {error}") from None


def _read_geo(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    import pyogrio

    where = f"{path}" + (f" layer '{layer}'" if layer else "")
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NetworkDataError(f"{where}: cannot be read as a geodata file: {first_line}") from None
    if frame.crs is None:
        msg = f"{where}: has no CRS; state one (e.g. EPSG:4326) so coordinates can be placed"
        raise NetworkDataError(msg)
    if not frame.crs.equals(CRS):
        frame = frame.to_crs(CRS)
    return frame


def _read_optional_layer(path: Path, layer: str) -> pd.DataFrame | None:
    import pyogrio

    if layer not in {name for name, _ in pyogrio.list_layers(path)}:
        return None
    frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    return frame.astype(str)


def _tables_from_frames(
    source: str,
    nodes_frame: pd.DataFrame,
    edges_frame: pd.DataFrame,
    phases_frame: pd.DataFrame | None,
    files: tuple[str, str] | None,
) -> NetworkTables:
    nodes_file, edges_file = files or (f"{source} layer 'nodes'", f"{source} layer 'edges'")
    phases = _parse_phases(phases_frame, f"{source}/phases.csv")
    nodes = _parse_nodes(nodes_frame, nodes_file)
    edges, geometries = _parse_edges(edges_frame, edges_file, nodes, phases)
    if not edges:
        raise NetworkDataError(f"{edges_file}: the network has no edges")
    _check_loading_gauges(nodes, edges, nodes_file)
    return NetworkTables(source, nodes, edges, phases, geometries)


def _rows(frame: pd.DataFrame, path: str, columns: tuple[str, ...]) -> Iterable[tuple[int, dict]]:
    has_geometry = isinstance(frame, gpd.GeoDataFrame)
    names = [c for c in frame.columns if c != "geometry"]
    unknown = sorted(set(names) - set(columns))
    if unknown:
        msg = f"{path}: unknown column {unknown[0]!r}; valid columns: {', '.join(columns)}"
        raise NetworkDataError(msg)
    for position, (_, row) in enumerate(frame.iterrows()):
        values = {name: row[name] for name in names}
        if has_geometry:
            values["__geometry__"] = row.geometry
        yield position + 2 if not has_geometry else position + 1, values


def _parse_phases(frame: pd.DataFrame | None, path: str) -> dict[str, PhaseRecord]:
    if frame is None:
        return {}
    phases: dict[str, PhaseRecord] = {}
    for row, values in _rows(frame, path, tuple(PhaseRecord.model_fields)):
        record = parse_record(PhaseRecord, values, path=path, feature="phase", row=row)
        _no_duplicate(phases, record.id, path, "phase", row)
        phases[record.id] = record
    return phases


def _parse_nodes(frame: pd.DataFrame, path: str) -> dict[str, NodeRecord]:
    nodes: dict[str, NodeRecord] = {}
    geo = isinstance(frame, gpd.GeoDataFrame)
    columns = tuple(c for c in NODE_COLUMNS if not (geo and c in ("lon", "lat")))
    for row, values in _rows(frame, path, columns):
        geometry = values.pop("__geometry__", None)
        if geo:
            if not isinstance(geometry, Point) or geometry.is_empty:
                msg = (
                    f"{path}: node '{values.get('id')}' (feature {row}): field 'geometry' = "
                    f"{_geom_name(geometry)}: nodes must be non-empty Points"
                )
                raise NetworkDataError(msg)
            values["lon"], values["lat"] = geometry.x, geometry.y
        record = parse_record(NodeRecord, values, path=path, feature="node", row=row)
        _no_duplicate(nodes, record.id, path, "node", row)
        nodes[record.id] = record
    if not nodes:
        raise NetworkDataError(f"{path}: the network has no nodes")
    return nodes


def _parse_edges(
    frame: pd.DataFrame, path: str, nodes: dict[str, NodeRecord], phases: dict[str, PhaseRecord]
) -> tuple[dict[str, EdgeRecord], dict[str, LineString]]:
    edges: dict[str, EdgeRecord] = {}
    geometries: dict[str, LineString] = {}
    for row, values in _rows(frame, path, EDGE_COLUMNS):
        geometry = values.pop("__geometry__", None)
        edge = parse_record(EdgeRecord, values, path=path, feature="edge", row=row)
        _no_duplicate(edges, edge.id, path, "edge", row)
        where = f"{path}: edge '{edge.id}' (row {row})"
        for field in ("u", "v"):
            endpoint = getattr(edge, field)
            if endpoint not in nodes:
                hint = _suggest(endpoint, nodes)
                msg = f"{where}: field '{field}' = {endpoint!r} is not a node id{hint}"
                raise NetworkDataError(msg)
        if edge.u == edge.v:
            raise NetworkDataError(f"{where}: fields 'u' and 'v' are both {edge.u!r}; an edge "
                                   "joins two different nodes")
        if edge.replaces == edge.id:
            raise NetworkDataError(f"{where}: field 'replaces' = {edge.replaces!r} is the edge "
                                   "itself; name the edge this one replaces when it opens")
        if edge.phase is not None and edge.phase not in phases:
            valid = ", ".join(sorted(phases)) or "(no phases defined)"
            raise NetworkDataError(f"{where}: field 'phase' = {edge.phase!r}; valid: {valid}")
        edges[edge.id] = edge
        geometries[edge.id] = (
            _checked_line(geometry, edge, nodes, where)
            if geometry is not None
            else _line_from_via(edge, nodes, where)
        )
    for edge in edges.values():
        if edge.replaces is not None and edge.replaces not in edges:
            msg = (f"{path}: edge '{edge.id}': field 'replaces' = {edge.replaces!r} "
                   f"is not an edge id{_suggest(edge.replaces, edges)}")
            raise NetworkDataError(msg)
    return edges, geometries


def _line_from_via(edge: EdgeRecord, nodes: dict[str, NodeRecord], where: str) -> LineString:
    points = [(nodes[edge.u].lon, nodes[edge.u].lat)]
    for waypoint in edge.via:
        if waypoint in nodes:
            points.append((nodes[waypoint].lon, nodes[waypoint].lat))
            continue
        parts = waypoint.split()
        try:
            lon, lat = (float(part) for part in parts)
        except ValueError:
            msg = (
                f"{where}: field 'via' has waypoint {waypoint!r}, which is neither a node id "
                f"nor 'lon lat'{_suggest(waypoint, nodes)}"
            )
            raise NetworkDataError(msg) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise NetworkDataError(f"{where}: field 'via' waypoint {waypoint!r} is out of range")
        points.append((lon, lat))
    points.append((nodes[edge.v].lon, nodes[edge.v].lat))
    return LineString(points)


def _checked_line(
    geometry: Any, edge: EdgeRecord, nodes: dict[str, NodeRecord], where: str
) -> LineString:
    if not isinstance(geometry, LineString) or geometry.is_empty or not geometry.is_valid:
        msg = f"{where}: field 'geometry' = {_geom_name(geometry)}: edges must be valid LineStrings"
        raise NetworkDataError(msg)
    start, end = Point(geometry.coords[0]), Point(geometry.coords[-1])
    u, v = nodes[edge.u], nodes[edge.v]
    tolerance_deg = 0.02  # about 1-2 km: the line must start at u and end at v
    if start.distance(Point(u.lon, u.lat)) > tolerance_deg or end.distance(
        Point(v.lon, v.lat)
    ) > tolerance_deg:
        msg = f"{where}: field 'geometry' does not run from node '{edge.u}' to node '{edge.v}'"
        raise NetworkDataError(msg)
    return geometry


def _geom_name(geometry: Any) -> str:
    if geometry is None:
        return "missing"
    return "empty" if geometry.is_empty else geometry.geom_type


def _no_duplicate(seen: dict, record_id: str, path: str, feature: str, row: int) -> None:
    if record_id in seen:
        msg = f"{path}: {feature} id {record_id!r} (row {row}) is a duplicate; ids must be unique"
        raise NetworkDataError(msg)


def _check_loading_gauges(
    nodes: dict[str, NodeRecord], edges: dict[str, EdgeRecord], path: str
) -> None:
    """A rail-handling node that two gauges reach must say which one it loads."""
    present: dict[str, set[str]] = {}
    for edge in edges.values():
        if edge.mode == Mode.rail and edge.gauge is not None:  # a rail edge states its gauge
            gauges = set(track_gauges(edge.gauge))
            for end in (edge.u, edge.v):
                present.setdefault(end, set()).update(gauges)
    for node in nodes.values():
        if node.kind == NodeKind.gauge_transfer or "rail" not in node.transfer_modes:
            continue
        if len(present.get(node.id, ())) > 1 and node.gauge not in (Gauge.standard, Gauge.broad):
            msg = (
                f"{path}: node '{node.id}': field 'gauge' = {node.gauge and str(node.gauge)!r}: "
                "both 1435 and 1520 track reach this node, which is not a gauge_transfer; "
                "state the gauge it loads on: 1435 or 1520"
            )
            raise NetworkDataError(msg)


def _suggest(name: str, nodes: dict[str, Any]) -> str:
    from mobility.names import suggestions

    close = suggestions(name, nodes)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def summary(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Counts by mode, gauge and country, km of track, transfer sites and PL–LT crossings."""
    nodes = graph.nodes
    data_edges = sorted(
        ((key, u, v, data) for u, v, key, data in graph.edges(keys=True, data=True)
         if data["direction"] == "forward"),
        key=lambda item: item[0],
    )
    rail = [(key, u, v, data) for key, u, v, data in data_edges if data["mode"] == Mode.rail]
    km_by_gauge_country: dict[str, dict[str, float]] = {}
    for _, u, v, data in rail:
        country = "/".join(sorted({nodes[u]["country"], nodes[v]["country"]}))
        bucket = km_by_gauge_country.setdefault(str(data["gauge"]), {})
        bucket[country] = round(bucket.get(country, 0.0) + data["length_km"], 1)
    crossings = [
        {"edge": key, "mode": str(data["mode"]), "name": data["name"],
         "between": [nodes[u]["name"], nodes[v]["name"]]}
        for key, u, v, data in data_edges
        if {nodes[u]["country"], nodes[v]["country"]} == {"PL", "LT"}
        and data["mode"] in (Mode.road, Mode.rail)
    ]
    return {
        "source": graph.graph.get("source"),
        "year": graph.graph.get("year"),
        "phases": list(graph.graph.get("phases", ())),
        "nodes": graph.number_of_nodes(),
        "edges": len(data_edges),
        "nodes_by_kind": _count(str(d["kind"]) for _, d in nodes(data=True)),
        "nodes_by_country": _count(d["country"] for _, d in nodes(data=True)),
        "edges_by_mode": _count(str(d["mode"]) for *_, d in data_edges),
        "rail_edges_by_gauge": _count(str(d["gauge"]) for *_, d in rail),
        "rail_km_by_gauge_and_country": {g: dict(sorted(c.items()))
                                         for g, c in sorted(km_by_gauge_country.items())},
        "gauge_transfer_sites": [
            {"id": n, "name": d["name"], "country": d["country"],
             "capacity_trains_per_day": d["transfer_capacity_per_day"],
             "dwell_h": d["transfer_dwell_h"]}
            for n, d in sorted(nodes(data=True)) if d["kind"] == NodeKind.gauge_transfer
        ],
        "pl_lt_border_crossings": crossings,  # land crossings: road and rail
    }


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))
