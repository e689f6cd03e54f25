"""Conflation (issue 16): one network from a curated layer and the OSM detail of an extract.

The curated layer is ``fixtures/merge`` (six nodes: a gauge break at Šeštokai, an origin
outside the extract, a road the extract lacks, a dated Rail Baltica phase); the extract is
laid along its own edges by :mod:`mobility.osm.along` (synthetic, not real OSM data), with the OSM
class defaults equal to the curated attributes, so OSM adds detail only (nodes every 3 km,
side roads, a few hundred metres of offset and wiggle).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mobility import closure
from mobility._errors import MobilityError, NetworkDataError
from mobility.engines.model import capacity_changes
from mobility.network import load_network, read_network_tables
from mobility.osm.along import write_extract_along
from mobility.osm.conflate import COMPATIBLE_GAUGES, LENGTH_RATIO, inside
from mobility.osm_import import merged_network_from_osm, write_network
from mobility.scenario import CapacityChange, load_scenario
from mobility.schema import Gauge

FIXTURES = Path(__file__).parent / "fixtures"
NETWORK = FIXTURES / "merge"
SCENARIO = FIXTURES / "merge-scenario.yaml"
IN_EXTRACT = ["rail-hub-border", "rail-border-sestokai", "rail-sestokai-town", "rail-town-camp",
              "road-hub-border", "road-border-town", "road-town-camp", "road-sestokai-town"]
SNAP_KM = 5.0
#: Troops by day on the merged network may differ from the curated network's by this share
#: where OSM adds only detail (the OSM paths are up to 1 % longer, connectors add minutes).
TOLERANCE = 0.02


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    return write_extract_along(NETWORK, IN_EXTRACT,
                               tmp_path_factory.mktemp("along") / "along.osm")


@pytest.fixture(scope="module")
def merged(extract):
    return merged_network_from_osm(extract, network=NETWORK, snap_km=SNAP_KM)


@pytest.fixture(scope="module")
def gpkg(merged, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("merged") / "merged.gpkg"
    return write_network(merged.nodes, merged.edges, path, phases=merged.phases,
                         frictions=merged.frictions)


def test_every_curated_node_is_matched_within_the_snap_distance_or_reported(merged):
    curated = read_network_tables(NETWORK)
    listed = {m.node for m in merged.matches}
    assert listed  # the area holds curated nodes
    for match in merged.matches:
        assert match.status in {"matched", "partial", "missed", "placed"}
        for join in match.joins:
            assert join.distance_m <= SNAP_KM * 1000
        if match.status == "matched":
            assert not match.missing and match.joins
        if match.status in {"partial", "missed"}:
            assert match.missing
            assert any(f"'{match.node}'" in line for line in merged.report)
        if match.status == "placed":
            assert curated.nodes[match.node].kind == "gauge_transfer"
            assert match.distance_m <= SNAP_KM * 1000
    ids = set(merged.nodes["id"])
    assert set(curated.nodes) <= ids  # every curated id is kept
    assert "far" not in listed  # outside the extract: not snapped, kept as curated


def test_the_merged_network_validates_and_keeps_phases_and_frictions(merged, gpkg):
    graph = load_network(gpkg)
    assert graph.number_of_nodes() == len(merged.nodes)
    curated = read_network_tables(NETWORK)
    dated = sum(1 for e in curated.edges.values() if e.phase is not None)
    assert graph.number_of_edges() == 2 * (len(merged.edges) - dated)  # phases off today
    tables = read_network_tables(gpkg)
    assert set(tables.phases) == set(curated.phases)
    assert tables.rail_speed_factor == curated.rail_speed_factor
    assert "rail-rb" in {k for *_, k in load_network(gpkg, year=2030).edges(keys=True)}
    # no plain junction joins the gauges
    gauges: dict[str, set[str]] = {}
    for edge in tables.edges.values():
        if edge.mode == "rail" and edge.phase is None:
            for end in (edge.u, edge.v):
                gauges.setdefault(end, set()).update(
                    {"1435", "1520"} if edge.gauge == Gauge.dual else {str(edge.gauge)})
    for node, present in gauges.items():
        if present == {"1435", "1520"}:
            assert tables.nodes[node].kind in ("gauge_transfer",) or tables.nodes[node].gauge


def test_replaced_edges_are_osm_paths_that_cover_them(merged, gpkg):
    tables = read_network_tables(gpkg)
    curated = read_network_tables(NETWORK)
    assert {c.edge for c in merged.coverage} >= set(IN_EXTRACT)
    for item in merged.coverage:
        edge = curated.edges[item.edge]
        if not item.replaced:
            assert item.edge in tables.edges and item.reason
            continue
        assert item.edge not in tables.edges
        assert item.coverage >= 0.8
        assert LENGTH_RATIO[0] <= item.length_ratio <= LENGTH_RATIO[1]
        path = [tables.edges[e] for e in item.osm_edges]
        assert sum(e.length_km for e in path) == pytest.approx(item.osm_km, abs=1e-6)
        ends: dict[str, int] = {}
        for osm in path:
            assert osm.mode == edge.mode and osm.id.startswith("osm-")
            if edge.mode == "rail":
                assert osm.gauge in COMPATIBLE_GAUGES[edge.gauge]
            assert set(edge.corridors) <= set(osm.corridors)
            assert f"'{item.edge}'" in osm.source
            for end in (osm.u, osm.v):
                ends[end] = ends.get(end, 0) + 1
        assert sum(1 for n in ends.values() if n == 1) == 2  # one simple path, two ends
    assert all(c.replaced for c in merged.coverage if c.edge in IN_EXTRACT)
    reasons = {c.edge: c.reason for c in merged.coverage}
    assert "dated phase" in reasons["rail-rb"]
    assert "no OSM road path" in reasons["road-hub-camp-south"]
    assert "outside the extract" in reasons["road-far-hub"]


def test_a_scenario_runs_unchanged_and_closes_within_tolerance(gpkg, tmp_path):
    scenario = load_scenario(SCENARIO)
    curated = closure(None, scenario).troops_by_day
    on_merged = closure(load_network(gpkg), scenario).troops_by_day
    assert curated.keys() == on_merged.keys()
    for day, troops in curated.items():
        assert on_merged[day] == pytest.approx(troops, rel=TOLERANCE), day
    # the same through a scenario file: base + network path, nothing else
    derived = tmp_path / "on-merged.yaml"
    derived.write_text(f"base: {SCENARIO}\nname: on-merged\nnetwork: {{path: {gpkg}}}\n",
                       encoding="utf-8")
    assert closure(None, str(derived)).troops_by_day == pytest.approx(on_merged)


def test_a_corridor_closure_still_closes_the_replaced_edges(gpkg):
    graph = load_network(gpkg)
    tagged = {k for *_, k, c in graph.edges(keys=True, data="corridors") if "suwalki" in c}
    assert any(k.startswith("osm-") for k in tagged)
    assert not {"road-hub-border", "road-border-town", "rail-border-sestokai"} & tagged


def test_a_change_naming_a_replaced_curated_edge_changes_the_osm_edges_that_carry_it(gpkg):
    graph = load_network(gpkg)
    scenario = load_scenario(SCENARIO)
    closed = scenario.model_copy(update={"capacity_changes": [
        CapacityChange(element="road-border-town", factor=0.0)]})
    static, later = capacity_changes(graph, closed, "test")
    assert not later and static and set(static.values()) == {0.0}
    carriers = {k for *_, k, c in graph.edges(keys=True, data="carries")
                if "road-border-town" in (c or ())}
    assert {ref for _, ref in static} == carriers
    assert all(kind == "edge" and ref.startswith("osm-") for kind, ref in static)
    # the same change on the curated network closes the curated edge itself
    curated_static, _ = capacity_changes(load_network(NETWORK), closed, "test")
    assert curated_static == {("edge", "road-border-town"): 0.0}


def test_a_stricter_corridor_or_snap_replaces_no_more(extract):
    strict = merged_network_from_osm(extract, network=NETWORK, corridor_km=0.05)
    assert sum(c.replaced for c in strict.coverage) < len(IN_EXTRACT)
    for item in strict.coverage:
        if not item.replaced and item.osm_km is not None:
            assert "coverage" in item.reason or "times the curated length" in item.reason
    missed = merged_network_from_osm(extract, network=NETWORK, snap_km=0.1)
    assert {m.status for m in missed.matches} == {"missed"}  # 400 m offsets, 100 m snap
    assert not any(c.replaced for c in missed.coverage)
    assert f"{len(missed.matches)} missed" in " ".join(missed.report)
    # nothing of the import is joined to the curated layer: it is dropped, or kept on request
    assert not any(i.startswith("osm-") for i in missed.nodes["id"])
    assert any("touch no curated node" in line for line in missed.report)
    kept = merged_network_from_osm(extract, network=NETWORK, snap_km=0.1, keep_unused=True)
    assert any(i.startswith("osm-") for i in kept.nodes["id"])


def test_imported_nodes_in_hostile_countries_are_dropped(tmp_path):
    extract = tmp_path / "kaliningrad.osm"
    nodes = {1: (22.95, 53.95), 2: (22.6, 54.3), 3: (22.3, 54.6), 4: (23.3, 54.25)}
    extract.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n' + "".join(
            f'<node id="{n}" lat="{lat}" lon="{lon}" version="1"/>\n'
            for n, (lon, lat) in nodes.items())
        + '<way id="1" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
          '<tag k="highway" v="trunk"/></way>\n'
          '<way id="2" version="1"><nd ref="2"/><nd ref="4"/><tag k="highway" v="trunk"/>'
          '</way>\n</osm>\n', encoding="utf-8")
    merged = merged_network_from_osm(extract, network=NETWORK, keep_unused=True)
    assert "RU" not in set(merged.nodes["country"])
    assert "osm-3" not in set(merged.nodes["id"]) and "osm-2" in set(merged.nodes["id"])
    assert any("in BY/RU" in line and "hostile border crossings" in line
               for line in merged.report)


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"snap_km": 0}, r"^snap_km 0: must be a positive distance"),
    ({"corridor_km": -1}, r"^corridor_km -1: must be a positive distance"),
    ({"min_coverage": 1.5}, r"^min_coverage 1.5: must be a share in \(0, 1\]"),
    ({"network": "no-such-folder"}, r"no-such-folder: no such file or folder"),
])
def test_bad_arguments_are_one_clear_error(extract, kwargs, expected):
    with pytest.raises(MobilityError, match=expected):
        merged_network_from_osm(extract, **kwargs)


def test_areas_are_grown_by_the_snap_distance(merged):
    curated = read_network_tables(NETWORK)
    hub = curated.nodes["hub"]  # the extract's data start 400 m north-east of it
    assert any(m.node == "hub" and m.status == "matched" for m in merged.matches)
    assert not inside(hub, (hub.lon + 0.001, hub.lat + 0.001, 30.0, 60.0))


# --- the installed command ------------------------------------------------------------


def mobility(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["mobility", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


def test_cli_merges_and_reports_each_node_and_edge(extract, tmp_path):
    out = tmp_path / "merged.gpkg"
    done = mobility("import-osm", str(extract), "--merge", "--network", str(NETWORK),
                    "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "curated nodes in the area: 4 matched, 1 placed, 0 partial, 0 missed" in text
    assert "road-hub-camp-south" in text and "replaced by" in text
    assert load_network(out).number_of_nodes() > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["merged.gpkg"]


@pytest.mark.parametrize(("args", "expected"), [
    (["--merge", "--min-coverage", "0"], "--min-coverage 0.0: must be a share"),
    (["--merge", "--corridor-km", "0"], "--corridor-km 0.0: must be a positive distance"),
    (["--merge", "--out", "merged.geojson"], "--out 'merged.geojson': the output must be a "
                                             "GeoPackage"),
    (["--merge", "--network", "nowhere"], "nowhere: no such file or folder"),
    (["--network", "nowhere"], "--network is the curated layer of --merge"),
])
def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(extract, tmp_path, args, expected):
    done = mobility("import-osm", str(extract), *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert expected in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_merge_needs_an_extract(tmp_path):
    done = mobility("import-osm", "--place", "Lithuania", "--merge", cwd=tmp_path)
    assert done.returncode == 2 and "--merge needs an OSM extract PATH" in done.stderr


def test_a_network_error_names_the_file(tmp_path):
    with pytest.raises(NetworkDataError, match="missing.osm: no such file"):
        merged_network_from_osm(tmp_path / "missing.osm", network=NETWORK)


def test_the_bench_measures_an_import_and_merge_of_the_whole_curated_network():
    from mobility.bench import _osm_rows, _task_osm_import

    measured = _task_osm_import({"step_km": 20.0})
    assert measured["seconds"] > 0 and measured["pbf_mb"] > 0
    assert measured["matched"] + measured["partial"] + measured["missed"] > 0
    assert 0 < measured["replaced"] <= measured["curated_edges"]
    (row,) = _osm_rows({**measured, "status": "ok", "peak_rss_mb": 1.0})
    assert "OSM import with merge" in row[0] and "peak" in row[1]


def test_dead_end_spurs_are_dropped_unless_kept(merged, extract):
    def dead_ends(result) -> set[str]:
        degree: dict[str, int] = {}
        for row in result.edges.itertuples():
            for end in (row.u, row.v):
                degree[end] = degree.get(end, 0) + 1
        kinds = result.nodes.set_index("id")["kind"]
        return {n for n, d in degree.items() if d == 1 and n.startswith("osm-")
                and kinds[n] == "junction"}

    assert not dead_ends(merged)
    assert any("dead-end spur" in line for line in merged.report)
    kept = merged_network_from_osm(extract, network=NETWORK, keep_unused=True)
    assert dead_ends(kept)  # the extract's side roads
    assert {c.edge for c in kept.coverage if c.replaced} == {
        c.edge for c in merged.coverage if c.replaced}


def test_contracted_bends_keep_every_path_length_and_travel_time(merged, extract):
    kept = merged_network_from_osm(extract, network=NETWORK, keep_unused=True)

    def per_path(result) -> dict[str, tuple[float, float, float]]:
        edges = result.edges.set_index("id")
        out = {}
        for item in result.coverage:
            if item.replaced:
                rows = edges.loc[list(item.osm_edges)]
                out[item.edge] = (float(rows["length_km"].sum()),
                                  float((rows["length_km"] / rows["speed_kph"]).sum()),
                                  float(rows["capacity_per_day"].min()))
        return out

    contracted, full = per_path(merged), per_path(kept)
    assert contracted.keys() == full.keys()
    for edge, (km, hours, capacity) in full.items():
        assert contracted[edge] == pytest.approx((km, hours, capacity), rel=1e-6), edge
    assert len(merged.edges) < len(kept.edges)
    assert any("joined from imported edges" in s for s in merged.edges["source"])


def test_an_edge_a_phase_replaces_stays_and_its_osm_twin_takes_its_corridors(extract, tmp_path):
    import shutil

    network = tmp_path / "net"
    shutil.copytree(NETWORK, network)
    with (network / "edges.csv").open("a", encoding="utf-8") as edges:
        edges.write("road-e67-4l,border,town,road,E67 four lanes,23.6 54.3,,50,6000,,,,,,"
                    "motorway,4,,via_baltica;suwalki,rb,road-border-town,test: dated\n")
    merged = merged_network_from_osm(extract, network=network)
    item = next(c for c in merged.coverage if c.edge == "road-border-town")
    assert not item.replaced and item.carried and "takes its corridor tags" in item.reason
    edges = merged.edges.set_index("id")
    assert "road-border-town" in edges.index
    for eid in item.osm_edges:
        assert {"via_baltica", "suwalki"} <= set(edges.loc[eid, "corridors"].split(";"))
