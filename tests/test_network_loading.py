"""Loading, validation errors and the gauge physics, on a tiny hand-made network."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import networkx as nx
import pytest

from mobility import network as net
from mobility._errors import NetworkDataError
from mobility.movement import GATE_IN, GATE_OUT, movement_graph

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_tiny_network_follows_osmnx_conventions():
    graph = net.load_network(TINY)
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.graph["crs"] == "EPSG:4326"
    for _, data in graph.nodes(data=True):
        assert -180 <= data["x"] <= 180 and -90 <= data["y"] <= 90
    for u, v, data in graph.edges(data=True):
        coords = list(data["geometry"].coords)
        assert coords[0] == (graph.nodes[u]["x"], graph.nodes[u]["y"])
        assert coords[-1] == (graph.nodes[v]["x"], graph.nodes[v]["y"])
        assert data["length"] == pytest.approx(data["length_km"] * 1000)
        assert data["travel_time"] == pytest.approx(data["length_km"] / data["speed_kph"] * 3600)
    nodes, edges = net.network_gdfs(graph)
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()


def test_phases_switch_sections_on_by_year_or_name():
    today = net.load_network(TINY)
    assert "rail-rb" not in {k for *_, k in today.edges(keys=True)}
    for graph in (net.load_network(TINY, year=2030), net.load_network(TINY, phases=["rb"])):
        assert "rail-rb" in {k for *_, k in graph.edges(keys=True)}
    assert "rail-rb" not in {k for *_, k in net.load_network(TINY, year=2029).edges(keys=True)}
    with pytest.raises(NetworkDataError, match="unknown phase 'rb-2050'.*valid phases: rb"):
        net.load_network(TINY, phases=["rb-2050"])


def test_a_1435_train_reaches_1520_track_only_through_a_gauge_transfer():
    graph = net.load_network(TINY)
    mg = movement_graph(graph)
    rail_only = nx.DiGraph()  # the layered graph without the road/sea/air layers
    for i in range(mg.n_arcs):
        a, b = mg.vertices[mg.tail[i]], mg.vertices[mg.head[i]]
        if {a[1], b[1]} & {"road", "sea", "air"}:
            continue
        rail_only.add_edge(a, b, kind=mg.kind[i])
    start, goal = ("border", "rail-1435"), ("camp", "rail-1520")
    assert nx.has_path(rail_only, start, goal)
    for path in nx.all_simple_paths(rail_only, start, goal):
        gates = {a[0] for a, b in itertools.pairwise(path)
                 if a[1] == GATE_IN and b[1] == GATE_OUT}
        assert any(graph.nodes[node]["kind"] == "gauge_transfer" for node in gates), path
    transfers = [(a, b) for a, b, k in rail_only.edges(data="kind")
                 if k == "gate" and graph.nodes[a[0]]["kind"] == "gauge_transfer"]
    rail_only.remove_edges_from(transfers)
    assert not nx.has_path(rail_only, start, goal)


def test_only_gauge_transfer_gates_join_both_gauges():
    graph = net.load_network(TINY)
    mg = movement_graph(graph)
    layers_at_gate: dict[str, set[str]] = {}
    for i in range(mg.n_arcs):
        a, b = mg.vertices[mg.tail[i]], mg.vertices[mg.head[i]]
        if b[1] == GATE_IN:
            layers_at_gate.setdefault(a[0], set()).add(a[1])
    for node, layers in layers_at_gate.items():
        if {"rail-1435", "rail-1520"} <= layers:
            assert graph.nodes[node]["kind"] == "gauge_transfer", node
    assert {"rail-1435", "rail-1520"} <= layers_at_gate["sestokai"]


def test_dual_gauge_track_carries_both_gauges_without_changing_them():
    mg = movement_graph(net.load_network(TINY))
    dual = {(mg.vertices[mg.tail[i]][1], mg.vertices[mg.head[i]][1])
            for i in range(mg.n_arcs) if mg.ref[i] == "rail-mockava-sestokai"}
    assert dual == {("rail-1435", "rail-1435"), ("rail-1520", "rail-1520")}


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("edges.csv", "rail-hub-border,hub,border", "rail-hub-border,hub,bordr",
         r"edges.csv: edge 'rail-hub-border' \(row 2\): field 'v' = 'bordr' is not a node id; "
         r"did you mean 'border'"),
        ("nodes.csv", "border,Trakiszki", "hub,Trakiszki",
         r"nodes.csv: node id 'hub' \(row 3\) is a duplicate"),
        ("edges.csv", ",rail,PL line", ",rial,PL line",
         r"edge 'rail-hub-border' \(row 2\): field 'mode' = 'rial': Input should be 'road', "
         r"'rail', 'sea', 'air'"),
        ("edges.csv", ",60,20,1435", ",60,-20,1435",
         r"field 'capacity_per_day' = '-20': Input should be greater than 0"),
        ("edges.csv", ",60,20,1435", ",0,20,1435", r"field 'speed_kph' = '0'"),
        ("edges.csv", ",60,20,1435", ",60,20,1453",
         r"field 'gauge' = '1453': Input should be '1435', '1520' or 'dual'"),
        ("nodes.csv", "origin,22.9", "harbour,22.9",
         r"nodes.csv: node 'hub' \(row 2\): field 'kind' = 'harbour': Input should be 'city'"),
        ("nodes.csv", "gauge_transfer,23.32,54.22,dual,4", "gauge_transfer,23.32,54.22,dual,",
         r"node 'mockava' .*transfer_capacity_per_day is required for kind 'gauge_transfer'"),
        ("edges.csv", "23.9 54.5", "23.9 north",
         r"field 'via' has waypoint '23.9 north', which is neither a node id nor 'lon lat'"),
    ],
)
def test_bad_data_gets_one_clear_error(tiny_copy, file, old, new, expected):
    edit(tiny_copy / file, old, new)
    with pytest.raises(NetworkDataError, match=expected):
        net.load_network(tiny_copy)


def test_a_node_reached_by_both_gauges_must_state_its_loading_gauge(tiny_copy):
    edit(tiny_copy / "nodes.csv", "camp,Rūdninkai,LT,base,25.0,54.4,1520",
         "camp,Rūdninkai,LT,base,25.0,54.4,")
    phased = "rail-rb,hub,camp,rail,Rail Baltica,border,,100,40,1435,2,true,,,,,,rail_baltica,"
    edit(tiny_copy / "edges.csv", phased + "rb", phased)
    with pytest.raises(NetworkDataError, match="node 'camp'.*state the gauge it loads on"):
        net.load_network(tiny_copy)


def test_hostile_border_posts_are_an_explicit_node_attribute(tiny_copy):
    from mobility.viz.map_layers import is_hostile_border

    # the tiny network predates the column: it loads, and no crossing is hostile
    old = net.load_network(tiny_copy)
    assert not any(is_hostile_border(d) for _, d in old.nodes(data=True))
    # the word in a name means nothing; the column does
    edit(tiny_copy / "nodes.csv", ",source\n", ",hostile,source\n")
    nodes = (tiny_copy / "nodes.csv").read_text(encoding="utf-8").splitlines()
    rows = [nodes[0]] + [",".join([*row.split(",")[:-1], "", row.split(",")[-1]])
                         for row in nodes[1:]]
    text = "\n".join(rows).replace("border,Trakiszki", "border,Trakiszki (hostile)")
    (tiny_copy / "nodes.csv").write_text(text + "\n", encoding="utf-8")
    assert not is_hostile_border(net.load_network(tiny_copy).nodes["border"])
    edit(tiny_copy / "nodes.csv", ",,,,,test fixture", ",,,,true,test fixture")  # the crossing
    assert is_hostile_border(net.load_network(tiny_copy).nodes["border"])
    edit(tiny_copy / "nodes.csv", ",,,,true,test fixture", ",,,,maybe,test fixture")
    with pytest.raises(NetworkDataError, match=r"node 'border' \(row 3\): field 'hostile' = "
                       r"'maybe': Input should be a valid boolean"):
        net.load_network(tiny_copy)
    edit(tiny_copy / "nodes.csv", ",,,,maybe,test fixture", ",,,,,test fixture")
    edit(tiny_copy / "nodes.csv", ",4,,test fixture", ",4,true,test fixture")  # the origin
    with pytest.raises(NetworkDataError, match=r"node 'hub' \(row 2\): hostile is only for "
                       r"border crossings, not kind 'origin'") as caught:
        net.load_network(tiny_copy)
    assert "\n" not in str(caught.value)
    shipped = net.load_network()
    assert {n for n, d in shipped.nodes(data=True) if is_hostile_border(d)} == {
        "zilupe", "luhamaa"}


def test_unknown_column_and_missing_file_are_named(tiny_copy):
    edit(tiny_copy / "nodes.csv", ",source\n", ",sauce\n")
    with pytest.raises(NetworkDataError, match="unknown column 'sauce'; valid columns: id, name"):
        net.load_network(tiny_copy)
    (tiny_copy / "edges.csv").unlink()
    with pytest.raises(NetworkDataError, match="edges.csv: file is missing"):
        net.load_network(tiny_copy)


def _geojson_network(tmp_path: Path) -> Path:
    graph = net.load_network(TINY)
    nodes, edges = net.network_gdfs(graph)
    folder = tmp_path / "geo"
    folder.mkdir()
    nodes = nodes.reset_index()[["osmid", "name", "country", "kind", "gauge",
                                 "transfer_capacity_per_day", "transfer_dwell_h", "source",
                                 "geometry"]].rename(columns={"osmid": "id"})
    forward = edges.reset_index()
    forward = forward[forward["direction"] == "forward"]
    keep = ["key", "u", "v", "mode", "name", "speed_kph", "capacity_per_day", "gauge", "corridors",
            "phase", "source", "geometry"]
    forward = forward[keep].rename(columns={"key": "id"})
    nodes.to_file(folder / "nodes.geojson", driver="GeoJSON")
    forward.to_file(folder / "edges.geojson", driver="GeoJSON")
    (folder / "phases.csv").write_text((TINY / "phases.csv").read_text())
    return folder


def test_geojson_network_loads_through_the_same_schema(tmp_path):
    folder = _geojson_network(tmp_path)
    graph = net.load_network(folder)
    tiny = net.load_network(TINY)
    assert sorted(graph.edges(keys=True)) == sorted(tiny.edges(keys=True))


def test_broken_geojson_and_missing_crs_are_named(tmp_path):
    folder = _geojson_network(tmp_path)
    edges_path = folder / "edges.geojson"
    data = json.loads(edges_path.read_text())
    data.pop("crs", None)
    good = edges_path.read_text()
    edges_path.write_text(good[: len(good) // 2])
    with pytest.raises(NetworkDataError, match="edges.geojson: cannot be read as a geodata file"):
        net.load_network(folder)
    data["features"][0]["geometry"] = {"type": "Point", "coordinates": [23.0, 54.0]}
    edges_path.write_text(json.dumps(data))
    with pytest.raises(NetworkDataError, match="field 'geometry' = Point: edges must be valid"):
        net.load_network(folder)
