"""The curated network against public facts (FACTS.md) and geometric invariants."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pytest
from pyproj import Geod
from shapely.geometry import Point

from mobility._data import basemap_dir
from mobility.movement import movement_graph
from mobility.network import load_network, summary

GEOD = Geod(ellps="WGS84")
DESTINATIONS = ["tapa", "adazi", "rukla", "rudninkai", "pabrade", "orzysz"]
CAPITALS = ["vilnius", "riga", "tallinn"]
# Hand-drawn polylines through stations miss the curves of real track and road, so the model
# is up to ~15 % short of published lengths (data/SOURCES.md, "Length check"); it must never
# be longer than the published figure by more than a few per cent.
SHORT_TOLERANCE, LONG_TOLERANCE = 0.15, 0.05


@pytest.fixture(scope="module")
def today():
    return load_network()


@pytest.fixture(scope="module")
def full():
    return load_network(year=2040)


def forward_edges(graph):
    return [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)
            if d["direction"] == "forward"]


def crossing(graph, a: str, b: str, mode: str):
    nodes = graph.nodes
    return sorted(k for u, v, k, d in forward_edges(graph) if d["mode"] == mode
                  and {nodes[u]["country"], nodes[v]["country"]} == {a, b})


@pytest.mark.parametrize("year", [None, 2030, 2040])
def test_the_only_rail_line_across_the_polish_lithuanian_border_is_trakiszki_mockava(year):
    graph = load_network(year=year)
    rail = crossing(graph, "PL", "LT", "rail")
    assert rail
    for key in rail:
        ends = {u for u, v, k in graph.edges(keys=True) if k == key}
        assert ends == {"trakiszki", "mockava"}, (key, ends)


def test_exactly_the_two_named_roads_cross_the_polish_lithuanian_border(today):
    roads = crossing(today, "PL", "LT", "road")
    assert len(roads) == 2
    corridors = [set(today.edges[u, v, k]["corridors"]) for u, v, k, _ in forward_edges(today)
                 if k in roads]
    assert any("via_baltica" in c for c in corridors)
    assert any("route16_135" in c for c in corridors)
    assert all("suwalki" in c for c in corridors)
    info = summary(today)
    assert sorted(c["edge"] for c in info["pl_lt_border_crossings"]) == sorted(
        roads + crossing(today, "PL", "LT", "rail"))


def test_a_1520_train_cannot_reach_poland_without_a_gauge_transfer(full):
    mg = movement_graph(full)
    layered = nx.DiGraph()
    for i in range(mg.n_arcs):
        a, b = mg.vertices[mg.tail[i]], mg.vertices[mg.head[i]]
        if {a[1], b[1]} & {"road", "sea", "air"}:
            continue  # a train stays a train
        if mg.kind[i] == "gate" and full.nodes[mg.ref[i]]["kind"] == "gauge_transfer":
            continue  # no gauge transfer allowed
        layered.add_edge(a, b)
    start = ("vilnius", "rail-1520")
    polish_1435 = [v for v in layered
                   if v[1] == "rail-1435" and full.nodes[v[0]]["country"] == "PL"]
    assert polish_1435
    reachable = nx.descendants(layered, start)
    assert not reachable & set(polish_1435)


def test_gauge_transfer_sites_are_where_the_facts_put_them(today):
    sites = {s["id"] for s in summary(today)["gauge_transfer_sites"]}
    assert {"sestokai", "mockava", "palemonas"} <= sites
    assert all(today.nodes[s]["country"] == "LT" for s in sites)


def test_every_node_lies_in_the_country_it_claims(today):
    countries = gpd.read_file(basemap_dir() / "countries.geojson").to_crs("EPSG:3035")
    polygons = dict(zip(countries["ISO_A2"], countries.geometry, strict=True))
    points = gpd.GeoSeries([Point(d["x"], d["y"]) for _, d in today.nodes(data=True)],
                           crs="EPSG:4326").to_crs("EPSG:3035")
    for (node, data), point in zip(today.nodes(data=True), points, strict=True):
        polygon = polygons[data["country"]]
        # ports and border points sit on coasts and lines that 1:50m polygons smooth away
        assert polygon.distance(point) <= 5_000, (node, data["country"])


def test_every_capital_and_destination_is_reachable_by_road(today):
    roads = nx.DiGraph()
    roads.add_edges_from((u, v) for u, v, d in today.edges(data=True) if d["mode"] == "road")
    for node in CAPITALS + DESTINATIONS:
        assert nx.has_path(roads, "warszawa", node), node


def test_every_capital_and_destination_has_a_railhead_reachable_by_rail(today):
    """Ādaži and Rūdninkai have no railway of their own: a railhead within 40 km counts."""
    rail = nx.Graph()
    rail.add_edges_from((u, v) for u, v, d in today.edges(data=True) if d["mode"] == "rail")
    reachable = nx.node_connected_component(rail, "warszawa")  # via gauge transfers
    for node in CAPITALS + DESTINATIONS:
        here = today.nodes[node]
        near = [r for r in reachable
                if GEOD.inv(here["x"], here["y"], today.nodes[r]["x"], today.nodes[r]["y"])[2]
                <= 40_000]
        assert near, node


def test_no_edge_is_shorter_than_the_straight_line_between_its_ends(full):
    for u, v, key, data in forward_edges(full):
        a, b = full.nodes[u], full.nodes[v]
        straight_m = GEOD.inv(a["x"], a["y"], b["x"], b["y"])[2]
        assert data["length"] >= 0.99 * straight_m, key  # 1 %: projection vs geodesic


def within(model_km: float, published_km: float) -> bool:
    return published_km * (1 - SHORT_TOLERANCE) <= model_km <= published_km * (1 + LONG_TOLERANCE)


def clipped_km(lines, country: str) -> float:
    countries = gpd.read_file(basemap_dir() / "countries.geojson")
    polygon = countries.loc[countries["ISO_A2"] == country].to_crs("EPSG:3035").geometry.iloc[0]
    clipped = gpd.GeoSeries(lines, crs="EPSG:4326").to_crs("EPSG:3035").intersection(polygon)
    return clipped.length.sum() / 1000


def test_standard_gauge_track_in_lithuania_matches_the_published_123_km(today):
    lines = [d["geometry"] for *_, d in forward_edges(today)
             if d["mode"] == "rail" and d["gauge"] in ("1435", "dual")]
    km = clipped_km(lines, "LT")
    assert within(km, 123), km


@pytest.mark.parametrize(("edges", "published_km"), [
    (["rail-tallinn-tapa", "rail-tapa-narva"], 209.6),
    (["rail-tapa-tartu"], 112.5),
    (["rail-tartu-valga"], 82.5),
])
def test_estonian_line_lengths_match_the_published_figures(today, edges, published_km):
    lengths = {k: d["length_km"] for *_, k, d in forward_edges(today)}
    present = [e for e in edges if e in lengths]
    if len(present) != len(edges):
        chains = [k for k in lengths if any(k.startswith(e) for e in edges)]
        pytest.fail(f"edges {edges} not in the network; similar: {chains}")
    assert within(sum(lengths[e] for e in edges), published_km)


@pytest.mark.parametrize(("country", "published_km"), [("EE", 213), ("LV", 265), ("LT", 392)])
def test_rail_baltica_lengths_by_country_match_the_published_figures(full, country, published_km):
    lines = [d["geometry"] for *_, d in forward_edges(full)
             if "rail_baltica" in d["corridors"] and d["phase"]]
    km = clipped_km(lines, country)
    assert within(km, published_km), km
