"""Write a closure result to files: edge flows (GeoJSON and CSV), the curve, formations and
fleet use (CSV), and the JSON result."""

from __future__ import annotations

from pathlib import Path

from mobility._io import atomic_write_text
from mobility.result import ClosureResult


def write_outputs(result: ClosureResult, out_dir: Path, graph=None) -> list[Path]:
    """Write ``curve.csv``, ``edge_flows.csv``, ``edge_flows.geojson`` and ``result.json``;
    for the fleet engine also ``formations.csv`` and ``fleet_use.csv``.

    The GeoJSON holds one feature per directed edge with the edge geometry from ``graph``
    (loaded from the scenario's network if omitted): the flows on the last day (exact method,
    a steady pattern), or the totals over the horizon and the peak utilisation (fleet engine).
    """
    import json

    import geopandas as gpd

    out_dir = Path(out_dir)
    written = []
    curve_path = out_dir / "curve.csv"
    atomic_write_text(curve_path, result.curve.to_csv(index=False, float_format="%.3f"))
    flows_path = out_dir / "edge_flows.csv"
    atomic_write_text(flows_path, result.edge_flows.to_csv(index=False, float_format="%.4f"))
    written += [curve_path, flows_path]
    for name, frame in (("formations.csv", result.formations), ("fleet_use.csv", result.fleet_use)):
        if result.method == "fleet":
            path = out_dir / name
            atomic_write_text(path, frame.to_csv(index=False, float_format="%.4f"))
            written.append(path)
    if graph is None:
        from mobility.closure import network_for
        from mobility.scenario import load_scenario

        graph = network_for(load_scenario(result.source_file or result.scenario))
    flows = result.edge_flows
    if result.method == "fleet" and len(flows):
        last = flows.groupby(["edge_id", "u", "v", "mode", "unit"], as_index=False).agg(
            flow_units_total=("flow_units_per_day", "sum"),
            flow_troops_total=("flow_troops_per_day", "sum"),
            peak_utilisation=("utilisation", "max"), days_used=("day", "count"))
    else:
        last = flows[flows["day"] == flows["day"].max()] if len(flows) else flows
    geometry = [graph.edges[u, v, key]["geometry"] for key, u, v in
                zip(last["edge_id"], last["u"], last["v"], strict=True)]
    frame = gpd.GeoDataFrame(last.reset_index(drop=True), geometry=geometry, crs="EPSG:4326")
    geo_path = out_dir / "edge_flows.geojson"
    atomic_write_text(geo_path, frame.to_json(drop_id=True))
    json_path = out_dir / "result.json"
    atomic_write_text(json_path, json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    return [*written, geo_path, json_path]
