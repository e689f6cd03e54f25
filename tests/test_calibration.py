"""The calibrated frictions: reproducible from the table, shared by routing and closure."""

from __future__ import annotations

import shutil

import pytest

from mobility import load_network
from mobility._data import data_dir, network_dir
from mobility._errors import NetworkDataError
from mobility.calibration import (
    CalibrationError,
    calibrate,
    load_cases,
    markdown,
    shipped_parameters,
)
from mobility.engines.model import scenario_movement
from mobility.movement import movement_graph
from mobility.routing import route
from mobility.scenario import available_scenarios, load_scenario
from mobility.settings import CALIBRATED_MARCH_HOURS_PER_DAY as DEFAULT_MARCH_HOURS


@pytest.fixture(scope="module")
def report():
    return calibrate()


def test_the_shipped_frictions_are_the_fit_of_the_calibration_table(report):
    assert report.params == report.shipped


def test_validation_md_quotes_the_current_table_and_leave_one_out_error(report):
    text = (data_dir() / "VALIDATION.md").read_text(encoding="utf-8")
    assert markdown(report) in text


def test_the_calibration_set_has_at_least_twelve_sourced_cases():
    cases = load_cases()
    assert len(cases) >= 12
    assert all(c.sources and all(s.startswith("http") for s in c.sources) for c in cases)
    assert {"rail", "road"} <= {c.informs for c in cases}


def test_every_shipped_scenario_uses_the_calibrated_march_day():
    hours = shipped_parameters()["road_march_hours_per_day"]
    assert hours == DEFAULT_MARCH_HOURS
    for name in available_scenarios():
        assert load_scenario(name).road_march_hours_per_day == hours, name


def test_routing_and_the_closure_engine_read_the_same_calibrated_rail_speeds():
    graph = load_network()
    factor = shipped_parameters()["rail_speed_factor"]
    assert graph.graph["rail_speed_factor"] == factor
    scenario = load_scenario("baseline")
    closure = scenario_movement(graph, scenario, [], {})
    checked = 0
    for arc in range(closure.n_arcs):
        if closure.kind[arc] != "edge" or closure.mode[arc] != "rail":
            continue
        data = graph.edges[closure.u[arc], closure.v[arc], closure.ref[arc]]
        assert data["speed_kph"] == pytest.approx(data["stated_speed_kph"] * factor)
        moving = closure.transit_h[arc] - closure.border_h[arc]
        assert moving == pytest.approx(data["length_km"] / data["speed_kph"])
        checked += 1
    assert checked
    # routing: a rail leg's hours are its kilometres at the same calibrated speeds
    leg = next(leg for leg in route(graph, "muuga", "tapa", mode="rail").legs
               if leg.mode == "rail")
    expected = sum(graph.edges[u, v, k]["length_km"] / graph.edges[u, v, k]["speed_kph"]
                   for u, v, k in graph.edges(keys=True) if k in leg.edges
                   and graph.edges[u, v, k]["direction"] == "forward")
    assert leg.hours == pytest.approx(expected)
    # road: the closure stretches road legs by the same march day routing counts
    road = next(a for a in range(closure.n_arcs)
                if closure.kind[a] == "edge" and closure.mode[a] == "road")
    data = graph.edges[closure.u[road], closure.v[road], closure.ref[road]]
    assert closure.transit_h[road] - closure.border_h[road] == pytest.approx(
        data["transit_h"] * 24 / scenario.road_march_hours_per_day)
    assert movement_graph(graph).transit_h[road] == pytest.approx(data["transit_h"])


@pytest.mark.parametrize(("content", "words"), [
    ("rail_speed_factor: 0\n", "must be a number in (0, 2]"),
    ("rail_speed_factor: fast\n", "must be a number in (0, 2]"),
    ("rail_speeed_factor: 0.5\n", "unknown friction 'rail_speeed_factor'"),
    ("- 0.5\n", "expected a mapping"),
])
def test_a_bad_frictions_file_is_a_one_line_error(tmp_path, content, words):
    folder = tmp_path / "network"
    shutil.copytree(network_dir(), folder)
    (folder / "frictions.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(NetworkDataError) as error:
        load_network(folder)
    message = str(error.value)
    assert words in message and "\n" not in message


def test_a_network_without_frictions_keeps_its_stated_speeds(tmp_path):
    folder = tmp_path / "network"
    shutil.copytree(network_dir(), folder)
    (folder / "frictions.yaml").unlink()
    graph = load_network(folder)
    assert graph.graph["rail_speed_factor"] == 1.0
    assert all(d["speed_kph"] == d["stated_speed_kph"]
               for *_, d in graph.edges(data=True) if d["mode"] == "rail")


@pytest.mark.parametrize(("content", "words"), [
    ("cases: 3\n", "expected a mapping with a list 'cases'"),
    ("cases:\n  - {id: X, name: x, published: p, sources: [http://a], observed_h: 9,\n"
     "     range_h: [1, 5], unit: {kind: wheeled, wheeled: 1},\n"
     "     steps: [{from: tapa, to: rukla, mode: road}]}\n", "must lie in range_h"),
    ("cases:\n  - {id: X, name: x, published: p, sources: [], observed_h: 3,\n"
     "     range_h: [1, 5], unit: {kind: wheeled, wheeled: 1},\n"
     "     steps: [{from: tapa, to: rukla, mode: road}]}\n", "needs at least one source"),
])
def test_a_bad_calibration_table_is_a_one_line_error(tmp_path, content, words):
    path = tmp_path / "calibration.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalibrationError) as error:
        load_cases(path)
    assert words in str(error.value) and "\n" not in str(error.value)


# Published route distances (data/SOURCES.md, "Length check" L1-L10): the model's lengths
# must be within 5 % of them.
PUBLISHED = [
    (["rail-tallinn-tapa"], 77.8),
    (["rail-tallinn-tapa", "rail-tapa-narva"], 209.6),
    (["rail-tallinn-keila", "rail-keila-paldiski"], 47.7),
    (["rail-tapa-tartu"], 112.5),
    (["rail-tartu-valga"], 82.5),
    (["rail-kaunas-palemonas-dual", "rail-kazlu-ruda-kaunas-1435",
      "rail-marijampole-kazlu-ruda-1435", "rail-sestokai-marijampole-1435",
      "rail-mockava-sestokai-dual", "rail-trakiszki-mockava"], 122),
    (["rail-kazlu-ruda-sestokai-1520", "rail-mockava-sestokai-dual"], 64),
    (["rail-warszawa-bialystok", "rail-bialystok-elk", "rail-elk-suwalki",
      "rail-suwalki-trakiszki"], 370),
    (["road-s8-warszawa-ostrow", "road-s61-ostrow-lomza", "road-s61-lomza-elk",
      "road-s61-elk-augustow", "road-s61-augustow-suwalki", "road-s61-suwalki-budzisko"], 344),
    (["road-e67-budzisko-marijampole", "road-e67-marijampole-kaunas",
      "road-e67-kaunas-panevezys", "road-e67-panevezys-salociai"], 268),
]


@pytest.mark.parametrize(("edges", "published_km"), PUBLISHED)
def test_lengths_are_within_five_percent_of_published_route_distances(edges, published_km):
    graph = load_network()
    lengths = {k: d["length_km"] for *_, k, d in graph.edges(keys=True, data=True)}
    assert sum(lengths[e] for e in edges) == pytest.approx(published_km, rel=0.05)


@pytest.mark.parametrize(("country", "published_km"), [("EE", 213), ("LV", 265), ("LT", 392)])
def test_rail_baltica_lengths_by_country_are_within_five_percent(country, published_km):
    import geopandas as gpd

    from mobility._data import basemap_dir

    graph = load_network(year=2040)
    countries = gpd.read_file(basemap_dir() / "countries.geojson").to_crs("EPSG:3035")
    polygon = countries.loc[countries["ISO_A2"] == country].geometry.iloc[0]
    km = 0.0
    for *_, d in graph.edges(data=True):
        if d["direction"] != "forward" or not d["phase"] or "rail_baltica" not in d["corridors"]:
            continue
        line = gpd.GeoSeries([d["geometry"]], crs="EPSG:4326").to_crs("EPSG:3035").iloc[0]
        km += d["length_km"] * line.intersection(polygon).length / line.length
    assert km == pytest.approx(published_km, rel=0.05)


def test_model_and_fit_errors_are_reported_per_case(report):
    assert len(report.rows) == len(load_cases())
    for row in report.rows:
        assert row["fitted_h"] > 0 and row["loo_h"] > 0
    with pytest.raises(CalibrationError):
        load_cases(data_dir() / "no-such-calibration.yaml")
