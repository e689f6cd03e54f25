"""The OpenStreetMap importer on a hand-written extract laid around the Šeštokai gauge break.

``fixtures/osm/suwalki-gap.osm`` holds: 1435 track meeting 1520 track at Šeštokai (where the
curated gauge-transfer site is), a second 1435/1520 break with no transfer site, a third
at a node tagged ``railway=gauge_conveyance``, dual-gauge track, a siding and a 750 mm line,
a trunk road without ``maxspeed``, a primary road over a bridge with ``maxweight``, a
one-way motorway carriageway and a secondary road. The PBF and bz2 variants are made from
it in the tests, so all three readers see the same data.
"""

from __future__ import annotations

import bz2
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from pyproj import Geod

from mobility._errors import MobilityError, NetworkDataError
from mobility.movement import GATE_IN, GATE_OUT, movement_graph
from mobility.network import load_network
from mobility.osm.along import to_pbf
from mobility.osm_import import network_from_osm, network_from_place, write_network

OSM = Path(__file__).parent / "fixtures" / "osm" / "suwalki-gap.osm"
GEOD = Geod(ellps="WGS84")
# Coordinates of the fixture's OSM nodes (lon, lat), for independent checks.
COORDS = {1: (23.30, 54.25), 2: (23.35, 54.30), 3: (23.40, 54.33), 4: (23.445, 54.36),
          31: (23.38, 54.35), 34: (23.50, 54.35), 35: (23.52, 54.35), 36: (23.60, 54.36)}


@pytest.fixture(scope="module")
def imported() -> tuple[pd.DataFrame, pd.DataFrame]:
    return network_from_osm(OSM)


@pytest.fixture(scope="module")
def gpkg(imported, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "suwalki.gpkg"
    write_network(*imported, path)
    return path


def edge_of_way(edges: pd.DataFrame, way: int) -> pd.Series:
    rows = edges[edges["source"].str.contains(rf"OSM ways? (?:[\d, ]*\b)?{way}\b")]
    assert len(rows) >= 1, f"no edge from OSM way {way}"
    return rows.iloc[0]


def rail_gauges_by_node(edges: pd.DataFrame) -> dict[str, set[str]]:
    gauges: dict[str, set[str]] = {}
    for row in edges[edges["mode"] == "rail"].itertuples():
        for end in (row.u, row.v):
            gauges.setdefault(end, set()).add(row.gauge)
    return gauges


# --- the output is a network like any other --------------------------------------------------


def test_output_loads_unchanged_and_builds_a_movement_graph(imported, gpkg):
    nodes, edges = imported
    graph = load_network(gpkg)
    assert graph.number_of_nodes() == len(nodes)
    assert graph.number_of_edges() == 2 * len(edges)
    assert {k for *_, k in graph.edges(keys=True)} == set(edges["id"])
    mg = movement_graph(graph)
    assert mg.n_arcs > 0
    for row in edges.itertuples():  # geometry runs from u to v
        u, v = nodes.set_index("id").geometry[row.u], nodes.set_index("id").geometry[row.v]
        assert row.geometry.coords[0] == pytest.approx((u.x, u.y), abs=2e-5)
        assert row.geometry.coords[-1] == pytest.approx((v.x, v.y), abs=1e-9)


def test_ids_are_stable_ascii_and_the_import_is_deterministic(imported):
    nodes, edges = imported
    again_nodes, again_edges = network_from_osm(OSM)
    pd.testing.assert_frame_equal(pd.DataFrame(nodes), pd.DataFrame(again_nodes))
    pd.testing.assert_frame_equal(pd.DataFrame(edges), pd.DataFrame(again_edges))
    assert {"osm-rail-100-1", "osm-rail-101-1", "osm-road-200-1", "osm-road-201-1"} <= set(
        edges["id"])
    assert all(i.isascii() for i in [*nodes["id"], *edges["id"]])


# --- gauge physics ------------------------------------------------------------------------


def test_no_plain_junction_joins_1435_and_1520(imported):
    nodes, edges = imported
    kinds = nodes.set_index("id")["kind"]
    for node, gauges in rail_gauges_by_node(edges).items():
        if {"1435", "1520"} <= gauges:
            assert kinds[node] == "gauge_transfer", node


def test_a_break_without_a_transfer_site_is_split_and_reported(imported):
    nodes, edges = imported
    assert "osm-20" not in set(nodes["id"])
    gauges = rail_gauges_by_node(edges)
    assert gauges["osm-20-1435"] == {"1435"} and gauges["osm-20-1520"] == {"1520"}
    assert any("OSM node 20" in line and "split" in line for line in nodes.attrs["report"])
    sides = nodes.set_index("id").loc[["osm-20-1435", "osm-20-1520"]]
    assert (sides["kind"] == "junction").all()
    assert sides.geometry.iloc[0].equals(sides.geometry.iloc[1])  # same place, two nodes


def test_the_curated_transfer_site_takes_the_break_where_it_really_is(imported):
    nodes, edges = imported
    site = nodes.set_index("id").loc["sestokai"]
    assert site["kind"] == "gauge_transfer" and site["transfer_capacity_per_day"] == 6
    assert (site.geometry.x, site.geometry.y) == COORDS[4]  # the OSM node, not the curated point
    assert "OSM gauge break, node 4" in site["source"]
    assert rail_gauges_by_node(edges)["sestokai"] == {"1435", "1520"}


def test_an_osm_gauge_conveyance_is_a_transfer_with_a_labelled_default_capacity(imported):
    nodes, _ = imported
    site = nodes.set_index("id").loc["osm-40"]
    assert site["kind"] == "gauge_transfer" and site["name"] == "Test gauge changer"
    assert site["transfer_capacity_per_day"] == 3 and site["transfer_dwell_h"] == 10
    assert "assumption" in site["source"]


def test_trains_change_gauge_only_through_gauge_transfer_gates(gpkg):
    graph = load_network(gpkg)
    mg = movement_graph(graph)
    rail = nx.DiGraph()
    for i in range(mg.n_arcs):
        a, b = mg.vertices[mg.tail[i]], mg.vertices[mg.head[i]]
        if {a[1], b[1]} & {"road", "sea", "air"}:
            continue
        rail.add_edge(a, b, kind=mg.kind[i])
    start, goal = ("osm-1", "rail-1435"), ("osm-6", "rail-1520")
    assert nx.has_path(rail, start, goal)  # through Šeštokai's transfer
    gates = [(a, b) for a, b in rail.edges if a[1] == GATE_IN and b[1] == GATE_OUT
             and graph.nodes[a[0]]["kind"] == "gauge_transfer"]
    assert ("sestokai", GATE_IN) in {a for a, _ in gates}
    rail.remove_edges_from(gates)
    broad = [v for v in rail if v[1] == "rail-1520"]
    for standard in (v for v in rail if v[1] == "rail-1435"):
        reach = nx.descendants(rail, standard)
        assert not reach.intersection(broad), standard


# --- tags and defaults --------------------------------------------------------------------


def test_dual_gauge_tag_maps_to_dual(imported):
    _, edges = imported
    dual = edge_of_way(edges, 102)
    assert dual["gauge"] == "dual"
    assert dual["speed_kph"] == 20  # planning default; maxspeed 40 does not raise it
    assert "assumption A10" in dual["source"]


def test_missing_maxspeed_gets_the_class_default_labelled_as_an_assumption(imported):
    _, edges = imported
    rail, road = edge_of_way(edges, 101), edge_of_way(edges, 200)
    assert rail["speed_kph"] == 40 and rail["capacity_per_day"] == 12  # 1520, two tracks
    assert "maxspeed missing" in rail["source"] and "assumption" in rail["source"]
    assert bool(rail["electrified"]) and rail["tracks"] == 2
    assert road["speed_kph"] == 40 and road["capacity_per_day"] == 3000
    assert road["road_class"] == "trunk" and road["lanes"] == 2
    assert "speed 40 km/h default for trunk (assumption A12; maxspeed missing)" in road["source"]


def test_bridge_maxweight_is_kept_in_source_and_mlc_is_not_invented(imported):
    _, edges = imported
    primary = edge_of_way(edges, 202)
    assert "maxweight 20" in primary["source"] and "mlc not derived" in primary["source"]
    assert pd.isna(primary["mlc"])


def test_merged_chain_keeps_geometry_length_and_travel_time(imported):
    nodes, edges = imported
    primary = edge_of_way(edges, 202)  # ways 201 (35 km/h), 202 (maxspeed 30), 203 (35)
    assert primary["u"] == "osm-31" and primary["v"] == "osm-36"
    assert [tuple(c) for c in primary.geometry.coords] == [COORDS[n] for n in (31, 34, 35, 36)]
    parts = [(31, 34, 35.0), (34, 35, 30.0), (35, 36, 35.0)]
    metres = [GEOD.inv(*COORDS[a], *COORDS[b])[2] for a, b, _ in parts]
    hours = sum(m / 1000 / s for m, (*_, s) in zip(metres, parts, strict=True))
    assert primary["length_km"] == pytest.approx(sum(metres) / 1000, abs=1e-3)
    assert primary["speed_kph"] == pytest.approx(sum(metres) / 1000 / hours, abs=0.01)
    assert primary["capacity_per_day"] == 2000
    assert not {"osm-34", "osm-35", "osm-32", "osm-3", "osm-5"} & set(nodes["id"])


def test_oneway_carriageway_counts_both_directions_lanes_and_half_the_capacity(imported):
    _, edges = imported
    motorway = edge_of_way(edges, 205)
    assert motorway["road_class"] == "motorway" and motorway["lanes"] == 4
    assert motorway["capacity_per_day"] == 3000 and motorway["speed_kph"] == 50


def test_side_tracks_other_gauges_and_secondary_roads_only_on_request(imported):
    nodes, edges = imported
    sources = " ".join(edges["source"])
    assert "OSM way 103" not in sources and "OSM way 104" not in sources
    assert "OSM way 204" not in sources
    assert any("'750'" in line for line in nodes.attrs["report"])
    _, more = network_from_osm(OSM, secondary=True, service_tracks=True)
    assert edge_of_way(more, 103)["gauge"] == "1520"
    assert edge_of_way(more, 204)["road_class"] == "secondary"
    assert "OSM way 104" not in " ".join(more["source"])  # 750 mm is never modelled


def test_towns_name_the_nearest_node_and_countries_come_from_the_basemap(imported):
    nodes, _ = imported
    town = nodes.set_index("id").loc["osm-31"]
    assert town["kind"] == "city" and town["name"] == "Testava"
    assert set(nodes["country"]) == {"LT"}
    fixed, _ = network_from_osm(OSM, country="lv", attach=False)
    assert set(fixed["country"]) == {"LV"}


# --- curated sites, bbox, readers -----------------------------------------------------------


def test_curated_sites_are_attached_by_labelled_connectors(imported):
    nodes, edges = imported
    mockava = nodes.set_index("id").loc["mockava"]
    assert mockava["kind"] == "gauge_transfer"
    links = edges[edges["u"] == "mockava"]
    assert set(links["mode"]) == {"rail", "road"}
    for row in links.itertuples():
        assert row.id.startswith("osm-link-mockava-") and "snapped to" in row.source
        assert " m;" in row.source and "(assumption)" in row.source
    assert any("'mockava'" in line and "no imported rail 1520" in line
               for line in nodes.attrs["report"])


def test_without_attach_the_break_at_sestokai_is_split(tmp_path):
    nodes, edges = network_from_osm(OSM, attach=False)
    assert "sestokai" not in set(nodes["id"]) and "mockava" not in set(nodes["id"])
    assert {"osm-4-1435", "osm-4-1520"} <= set(nodes["id"])
    write_network(nodes, edges, tmp_path / "plain.gpkg")
    movement_graph(load_network(tmp_path / "plain.gpkg"))


def test_bbox_keeps_only_what_lies_inside(tmp_path):
    bbox = (23.25, 54.22, 23.62, 54.52)
    nodes, edges = network_from_osm(OSM, bbox="23.25,54.22,23.62,54.52")
    for point in nodes.geometry:
        assert bbox[0] <= point.x <= bbox[2] and bbox[1] <= point.y <= bbox[3]
    assert not {"osm-20-1435", "osm-40", "osm-38"} & set(nodes["id"])
    assert "osm-road-205-1" not in set(edges["id"])
    write_network(nodes, edges, tmp_path / "box.gpkg")
    load_network(tmp_path / "box.gpkg")


def test_pbf_stream_and_bz2_give_the_same_network_as_osmnx_xml(imported, tmp_path, monkeypatch):
    from mobility.osm import read

    monkeypatch.setattr(read, "DISK_INDEX_BYTES", 0)  # node locations in an on-disk index

    pbf = tmp_path / "suwalki-gap.osm.pbf"
    to_pbf(OSM, pbf)
    compressed = tmp_path / "suwalki-gap.osm.bz2"
    compressed.write_bytes(bz2.compress(OSM.read_bytes()))
    messages: list[tuple[str, float | None]] = []

    def progress(message, done=None, total=None):
        messages.append((message, done))

    nodes, edges = imported
    for path in (pbf, compressed):
        other_nodes, other_edges = network_from_osm(
            path, progress=progress)
        pd.testing.assert_frame_equal(pd.DataFrame(nodes), pd.DataFrame(other_nodes))
        pd.testing.assert_frame_equal(pd.DataFrame(edges), pd.DataFrame(other_edges))
    assert messages[-1] == ("done", 1.0)
    fractions = [f for _, f in messages if f is not None]
    assert fractions[: len(fractions) // 2] == sorted(fractions[: len(fractions) // 2])


# --- bad inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kwargs", "error", "expected"),
    [
        (lambda d: d / "missing.osm.pbf", {}, NetworkDataError,
         r"missing.osm.pbf: no such file \(expected an OSM extract: .osm, .osm.bz2"),
        (lambda d: _write(d / "notes.osm", "these are not map data\n"), {}, NetworkDataError,
         r"notes.osm: cannot be read as OSM XML"),
        (lambda d: _write(d / "garbage.osm.pbf", "garbage"), {}, NetworkDataError,
         r"garbage.osm.pbf: cannot be read as OSM data"),
        (lambda d: _write(d / "network.csv", "id\n"), {}, NetworkDataError,
         r"network.csv: not an OSM extract; expected a file ending in .osm, .osm.bz2"),
        (lambda d: OSM, {"bbox": "10,50,11,51"}, NetworkDataError,
         r"suwalki-gap.osm: no railway=rail or highway=motorway/trunk/primary ways inside "
         r"bbox 10,50,11,51"),
        (lambda d: OSM, {"bbox": "23.2,54.1,23.9"}, MobilityError,
         r"bbox '23.2,54.1,23.9': expected four numbers west,south,east,north"),
        (lambda d: OSM, {"bbox": "54.1,23.2,54.5,23.9"}, NetworkDataError, r"inside bbox"),
        (lambda d: OSM, {"bbox": "23.9,54.1,23.2,54.5"}, MobilityError,
         r"need -180 <= west < east <= 180"),
        (lambda d: OSM, {"bbox": "west,south,east,north"}, MobilityError,
         r"expected four numbers"),
        (lambda d: OSM, {"country": "Lithuania"}, MobilityError,
         r"country 'Lithuania': expected an ISO 3166-1 alpha-2 code such as LT"),
    ],
)
def test_bad_inputs_give_one_clear_error(tmp_path, make, kwargs, error, expected):
    with pytest.raises(error, match=expected):
        network_from_osm(make(tmp_path), **kwargs)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_place_offline_is_one_clear_error(monkeypatch):
    import osmnx as ox
    import requests

    def offline(*args, **kwargs):
        raise requests.exceptions.ConnectionError("Failed to resolve 'nominatim.openstreetmap.org'")

    monkeypatch.setattr(ox, "graph_from_place", offline)
    with pytest.raises(NetworkDataError, match=r"place 'Lithuania': cannot reach OpenStreetMap"
                                               r".*download an extract"):
        network_from_place("Lithuania")


def test_write_is_atomic_and_checked(imported, tmp_path):
    nodes, edges = imported
    target = tmp_path / "net.gpkg"
    write_network(nodes, edges, target)
    before = target.read_bytes()
    broken = edges.copy()
    broken.loc[broken.index[0], "speed_kph"] = -1.0
    with pytest.raises(NetworkDataError, match=r"field 'speed_kph' = -1.0"):
        write_network(nodes, broken, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.gpkg"]
    with pytest.raises(MobilityError, match=r"^out .*must be a GeoPackage"):
        write_network(nodes, edges, tmp_path / "net.geojson")


# --- the command line -----------------------------------------------------------------------


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from mobility import cli

    monkeypatch.setattr(sys, "argv", ["mobility", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_imports_and_reports(monkeypatch, capsys, tmp_path):
    out = tmp_path / "cli.gpkg"
    code, stdout, _ = run_cli(monkeypatch, capsys, "import-osm", str(OSM), "--out", str(out))
    assert code == 0 and out.exists()
    assert "gauge break at OSM node 20" in " ".join(stdout.split())
    assert "wrote" in stdout and "note: curated 'mockava'" in " ".join(stdout.split())
    assert load_network(out).number_of_nodes() > 0


def test_cli_errors_are_one_line_without_traceback(monkeypatch, capsys, tmp_path):
    code, _, err = run_cli(monkeypatch, capsys, "import-osm", str(OSM), "--bbox", "1,2,3")
    assert code == 2 and "Traceback" not in err
    assert "--bbox '1,2,3': expected four numbers" in " ".join(err.split())
    code, _, err = run_cli(monkeypatch, capsys, "import-osm")
    assert code == 2 and "give either an OSM extract PATH or --place NAME" in " ".join(err.split())


def test_a_clipped_xml_extract_is_read_like_a_clipped_pbf(tmp_path):
    """Node 2 of way 100 cut away, as at an extract's border: the way is cut there, the rest
    imported, and the XML, bz2 and PBF of the same clipped data agree."""
    clipped = tmp_path / "clipped.osm"
    clipped.write_text("".join(line for line in OSM.read_text(encoding="utf-8")
                               .splitlines(keepends=True) if '<node id="2"' not in line),
                       encoding="utf-8")
    pbf = tmp_path / "clipped.osm.pbf"
    to_pbf(clipped, pbf)
    compressed = tmp_path / "clipped.osm.bz2"
    compressed.write_bytes(bz2.compress(clipped.read_bytes()))
    nodes, edges = network_from_osm(clipped)
    assert "osm-2" not in set(nodes["id"]) and "osm-3" in set(nodes["id"])
    for other in (pbf, compressed):
        other_nodes, other_edges = network_from_osm(other)
        pd.testing.assert_frame_equal(pd.DataFrame(nodes), pd.DataFrame(other_nodes))
        pd.testing.assert_frame_equal(pd.DataFrame(edges), pd.DataFrame(other_edges))


def test_roundabouts_keep_their_class_capacity_and_lanes(tmp_path):
    """A ring (junction=roundabout, one-way by OSM's rules) is the only carriageway: unlike a
    one-way twin carriageway its capacity is not halved nor its lanes doubled."""
    ring = tmp_path / "ring.osm"
    ring.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        '<node id="1" lat="54.300" lon="23.300"/><node id="2" lat="54.301" lon="23.301"/>\n'
        '<node id="3" lat="54.300" lon="23.302"/><node id="4" lat="54.299" lon="23.301"/>\n'
        '<node id="5" lat="54.300" lon="23.250"/><node id="6" lat="54.300" lon="23.350"/>\n'
        '<way id="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>'
        '<tag k="highway" v="primary"/><tag k="junction" v="roundabout"/>'
        '<tag k="lanes" v="2"/></way>\n'
        '<way id="2"><nd ref="5"/><nd ref="1"/><tag k="highway" v="primary"/></way>\n'
        '<way id="3"><nd ref="3"/><nd ref="6"/><tag k="highway" v="primary"/>'
        '<tag k="oneway" v="yes"/><tag k="lanes" v="1"/></way>\n</osm>\n', encoding="utf-8")
    _, edges = network_from_osm(ring, attach=False)
    ring_edges = edges[edges["source"].str.contains("OSM way 1;")]
    assert len(ring_edges) >= 2
    assert (ring_edges["capacity_per_day"] == 2000).all() and (ring_edges["lanes"] == 2).all()
    assert ring_edges["source"].str.contains("junction=roundabout: the ring").all()
    twin = edge_of_way(edges, 3)
    assert twin["capacity_per_day"] == 1000 and twin["lanes"] == 2  # a one-way carriageway


def test_every_rail_edge_says_how_its_gauge_was_read(imported):
    _, edges = imported
    for row in edges[edges["mode"] == "rail"].itertuples():
        assert f"gauge {row.gauge}" in row.source, row.id
    assert "OSM gauge=1435;1520 mapped to dual" in edge_of_way(edges, 102)["source"]


def test_the_1524_mapping_is_stated():
    from mobility.osm.tags import gauge_note, parse_gauge
    from mobility.schema import Gauge

    assert parse_gauge("1524") == Gauge.broad
    assert gauge_note("1524", Gauge.broad) == ("gauge 1520: OSM gauge=1524 mapped to 1520 "
                                               "(1524 stock runs on 1520 track)")


@pytest.mark.parametrize(("lon", "lat", "country"), [(2.30, 48.80, "FR"), (-74.0, 40.70, "US"),
                                                      (139.70, 35.70, "JP")])
def test_countries_come_from_the_shipped_world_map_outside_the_region(tmp_path, lon, lat,
                                                                     country):
    extract = tmp_path / "far.osm"
    extract.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        f'<node id="1" lat="{lat}" lon="{lon}"/><node id="2" lat="{lat + 0.05}" '
        f'lon="{lon + 0.05}"/>\n<way id="1"><nd ref="1"/><nd ref="2"/>'
        '<tag k="highway" v="trunk"/></way>\n</osm>\n', encoding="utf-8")
    nodes, _ = network_from_osm(extract)
    assert set(nodes["country"]) == {country}


def test_a_node_at_sea_asks_for_the_country(tmp_path):
    extract = tmp_path / "sea.osm"
    extract.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        '<node id="1" lat="40.0" lon="-30.0"/><node id="2" lat="40.05" lon="-30.05"/>\n'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="trunk"/></way>\n</osm>\n',
        encoding="utf-8")
    with pytest.raises(NetworkDataError, match=r"lies in no country .* pass country"):
        network_from_osm(extract)
    nodes, _ = network_from_osm(extract, country="PT")
    assert set(nodes["country"]) == {"PT"}


def test_a_real_extract_from_an_installed_package():
    """Real OSM data: pyogrio ships OSM-binary's sample.pbf (Hatfield, England; © OpenStreetMap
    contributors, ODbL). Outside the regional basemap its country comes from the world map;
    the one-way motorway carriageway of the A1(M) counts its twin's lanes and half the
    capacity; what was imported is checked against the raw file read independently."""
    import osmium
    import pyogrio

    sample = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "sample.osm.pbf"
    nodes, edges = network_from_osm(sample, secondary=True)
    assert set(nodes["country"]) == {"GB"}
    wanted = {way.id: dict(way.tags) for way in osmium.FileProcessor(str(sample), osmium.osm.WAY)
              if way.tags.get("highway") in ("motorway", "trunk", "primary", "secondary")}
    imported = {int(s.split(";")[0].removeprefix("OSM way ")) for s in edges["source"]}
    assert imported == set(wanted)
    motorway = edge_of_way(edges, next(w for w, t in wanted.items() if t["highway"] == "motorway"))
    assert motorway["lanes"] == 2 * 3 and motorway["capacity_per_day"] == 3000
