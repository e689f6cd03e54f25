"""Write a closure result to files: edge flows (GeoJSON and CSV), the curve, formations and
fleet use (CSV), and the JSON result; or the edge flows alone as one GeoPackage or GeoParquet
file, chosen by the file's extension."""

from __future__ import annotations

from pathlib import Path

from mobility._errors import MobilityError, OutputPathError
from mobility._io import atomic_write_set, atomic_write_text
from mobility.result import ClosureResult
from mobility.settings import CRS

__all__ = ["GEODATA_SUFFIXES", "atomic_write_text", "edge_flow_frame", "output_files",
           "write_outputs"]

#: ``--out`` file types written as one geodata file of edge flows (every day, or one day).
GEODATA_SUFFIXES = {".gpkg": "GeoPackage", ".parquet": "GeoParquet", ".geoparquet": "GeoParquet"}
#: Extensions that name a file type, not a folder: refused for the folder of outputs.
_FILE_SUFFIXES = frozenset({".csv", ".json", ".geojson", ".html", ".htm", ".xlsx", ".xls",
                            ".shp", ".txt", ".zip", ".png", ".pdf", ".gz", ".kml"})


def output_kind(path: Path) -> str:
    """``"folder"`` for the folder of CSV/GeoJSON/JSON outputs, else the geodata format.

    Raises :class:`OutputPathError` for an extension that is neither (``flows.xlsx``).
    """
    suffix = path.suffix.lower()
    if suffix in GEODATA_SUFFIXES:
        return GEODATA_SUFFIXES[suffix]
    if suffix in _FILE_SUFFIXES:
        valid = ", ".join(GEODATA_SUFFIXES)
        raise OutputPathError(f"`out` {path}: cannot write a {suffix} file; give a folder "
                              f"(CSV, GeoJSON and JSON files) or a file ending in {valid}")
    return "folder"


def edge_flow_frame(result: ClosureResult, graph, *, day: float | None = None,
                    last_day_only: bool = False):
    """The edge flows as a GeoDataFrame (EPSG:4326), one row per directed edge and day.

    ``day`` keeps one day (it must be a day of the result); ``last_day_only`` keeps the last
    day (exact method) or, for the fleet engine, totals over the horizon with the peak
    utilisation, as the GeoJSON of :func:`output_files` does.
    """
    import geopandas as gpd

    flows = result.edge_flows
    if day is not None:
        days = sorted(set(flows["day"])) if len(flows) else []
        if day not in days:
            shown = ", ".join(f"{d:g}" for d in days[:8]) + (" …" if len(days) > 8 else "")
            raise MobilityError(f"`day` {day:g}: no edge flows on that day; days with "
                                  f"flows: {shown or 'none'}")
        flows = flows[flows["day"] == day]
    elif last_day_only and result.method == "fleet" and len(flows):
        flows = flows.groupby(["edge_id", "u", "v", "mode", "unit"], as_index=False).agg(
            flow_units_total=("flow_units_per_day", "sum"),
            flow_troops_total=("flow_troops_per_day", "sum"),
            peak_utilisation=("utilisation", "max"), days_used=("day", "count"))
    elif last_day_only and len(flows):
        flows = flows[flows["day"] == flows["day"].max()]
    geometry = [graph.edges[u, v, key]["geometry"] for key, u, v in
                zip(flows["edge_id"], flows["u"], flows["v"], strict=True)]
    return gpd.GeoDataFrame(flows.reset_index(drop=True), geometry=geometry, crs=CRS)


def output_files(result: ClosureResult, out: Path, graph, *,
                 day: float | None = None) -> dict[Path, str | bytes]:
    """The files :func:`write_outputs` writes, path → content, without writing them.

    ``out`` ending in ``.gpkg`` or ``.parquet`` is one file: the edge flows of every day (or
    of ``day``) as a GeoPackage layer ``edge_flows`` or a GeoParquet file. Otherwise it is a
    folder of ``curve.csv``, ``edge_flows.csv`` and ``transfer_use.csv`` (every day),
    ``edge_flows.geojson`` and ``result.json``, for the fleet engine also ``formations.csv``
    and ``fleet_use.csv`` (and ``sustainment.csv`` with sustainment). The GeoJSON holds one
    feature per directed edge with the edge geometry from ``graph``: the flows on the last
    day (exact method, a steady pattern), or the totals over the horizon and the peak
    utilisation (fleet engine).
    """
    import json

    out = Path(out)
    kind = output_kind(out)
    if kind != "folder":
        return {out: geodata_bytes(edge_flow_frame(result, graph, day=day), kind)}
    if day is not None:
        raise MobilityError("`day`: one day is exported to a .gpkg or .parquet file; "
                              "the folder holds every day in edge_flows.csv")
    files: dict[Path, str | bytes] = {
        out / "curve.csv": result.curve.to_csv(index=False, float_format="%.3f"),
        out / "edge_flows.csv": result.edge_flows.to_csv(index=False, float_format="%.4f"),
        out / "transfer_use.csv": result.transfer_use.to_csv(index=False, float_format="%.4f")}
    if result.method == "fleet":
        for name, frame in (("formations.csv", result.formations),
                            ("fleet_use.csv", result.fleet_use),
                            ("sustainment.csv", result.sustainment)):
            if name != "sustainment.csv" or not frame.empty:
                files[out / name] = frame.to_csv(index=False, float_format="%.4f")
    frame = edge_flow_frame(result, graph, last_day_only=True)
    files[out / "edge_flows.geojson"] = frame.to_json(drop_id=True)
    files[out / "result.json"] = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    return files


def write_outputs(result: ClosureResult, out_dir: Path, graph=None, *,
                  day: float | None = None) -> list[Path]:
    """Write the outputs of :func:`output_files`, all or none
    (:func:`mobility._io.atomic_write_set`); ``graph`` defaults to the scenario's network."""
    if graph is None:
        from mobility.engines import network_for
        from mobility.scenario import load_scenario

        graph = network_for(load_scenario(result.source_file or result.scenario))
    return atomic_write_set(output_files(result, Path(out_dir), graph, day=day))


def geodata_bytes(frame, kind: str) -> bytes:
    """``frame`` as the bytes of a GeoPackage (layer ``edge_flows``) or a GeoParquet file."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mobility-export-") as folder:
        path = Path(folder) / ("edge_flows.gpkg" if kind == "GeoPackage" else "flows.parquet")
        if kind == "GeoPackage":
            frame.to_file(path, layer="edge_flows", driver="GPKG")
        else:
            frame.to_parquet(path, index=False)
        return path.read_bytes()
