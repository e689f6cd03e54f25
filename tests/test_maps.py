"""Offline maps, closure plot and report: fast checks on the written files (no browser)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import INJECTED_NAME
from shapely.geometry import Point

from mobility._data import basemap_dir
from mobility.viz import maps
from mobility.viz._offline import NON_FETCHED_URLS, external_urls, leaflet_js, script_json
from mobility.viz.plots import closure_plot
from mobility.viz.report import closure_report

_DATA_PATTERN = re.compile(
    r'<script type="application/json" id="mobility-closure-data">(.*?)</script>', re.DOTALL
)
_OVERLAY_PATTERN = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*feature_group_')


def _saved(tmp_path: Path, graph, result=None, **kwargs) -> str:
    path = maps.save_map(maps.closure_map(graph, result, **kwargs), tmp_path / "map.html")
    return path.read_text(encoding="utf-8")


def _data(page: str) -> dict:
    match = _DATA_PATTERN.search(page)
    assert match, "the map data element is missing"
    return json.loads(match.group(1))


def _overlay_names(page: str) -> list[str]:
    """The overlay names of Folium's layer control, in order."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\}", page, re.DOTALL)
    assert block, "no layer control"
    return [json.loads(f'"{raw}"') for raw in _OVERLAY_PATTERN.findall(block.group(1))]


def _fetchable_references(page: str) -> list[str]:
    """Markup and CSS references that point anywhere but ``data:`` or ``#``.

    Covers ``src``/``href`` attributes of the HTML (outside scripts), CSS ``url()`` and
    ``@import`` in style elements, and the same inside an ``<iframe srcdoc>``. Script code is
    checked by :func:`external_urls` and, for real, by the browser tests.
    """
    references: list[str] = []
    for srcdoc in re.findall(r'srcdoc="([^"]*)"', page):
        references += _fetchable_references(html.unescape(srcdoc))
    page = re.sub(r'srcdoc="[^"]*"', "", page)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, re.DOTALL)
    markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", page, flags=re.DOTALL)
    for tag in re.findall(r"<[a-zA-Z][^>]*>", markup):
        references += re.findall(r"""\s(?:src|href)\s*=\s*["']?([^"'\s>]+)""", tag)
    for css in styles:
        references += re.findall(r"""url\(\s*["']?([^"')]+)""", css)
        references += re.findall(r"""@import\s+["']?([^"';]+)""", css)
    return sorted({ref for ref in references if not ref.startswith(("data:", "#"))})


def test_offline_map_requests_nothing(tmp_path, maps_graph, maps_result):
    page = _saved(tmp_path, maps_graph, maps_result)
    # The only http(s) strings are Leaflet's SVG namespace and its licence/credit link.
    assert external_urls(page) == []
    assert set(external_urls(page, allowed=frozenset())) <= NON_FETCHED_URLS
    assert "<link" not in page
    assert _fetchable_references(page) == []
    assert "sourceMappingURL" not in page
    assert "tile.openstreetmap.org" not in page


def test_leaflet_is_inlined(tmp_path, maps_graph):
    page = _saved(tmp_path, maps_graph)
    assert "Leaflet 1.9.3" in page
    assert leaflet_js()[1000:1400] in page  # the library text itself, not a link to it
    assert ".leaflet-pane" in page and "data:image/png;base64," in page  # CSS and its images
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrap"):
        assert cdn not in page


def test_online_tiles_only_when_asked(tmp_path, maps_graph):
    page = _saved(tmp_path, maps_graph, online_tiles=True)
    assert maps.OSM_TILES_URL in page
    assert "OpenStreetMap" in page and "contributors" in page


def test_injected_node_name_is_escaped(tmp_path, maps_graph, maps_result):
    page = _saved(tmp_path, maps_graph, maps_result)
    assert INJECTED_NAME not in page
    assert "<img" not in page
    data = _data(page)
    escaped = html.escape(INJECTED_NAME)
    tooltips = [p["tooltip"] for p in data["points"]] + [line["tooltip"] for line in data["lines"]]
    assert any(f"<b>{escaped}</b>" in tooltip for tooltip in tooltips)
    assert escaped in data["briefing_html"]  # the scenario description carries it too


def test_script_json_cannot_close_the_script():
    text = script_json({"name": "</script><script>alert(1)</script>", "amp": "a & b"})
    assert "</" not in text and "<" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_layers_listed_by_name(tmp_path, maps_graph, maps_result):
    assert _overlay_names(_saved(tmp_path, maps_graph, maps_result)) == list(
        maps.LAYER_NAMES.values())
    without = _overlay_names(_saved(tmp_path, maps_graph))
    assert without == [name for key, name in maps.LAYER_NAMES.items()
                       if key not in maps.RESULT_LAYERS]


def test_edges_sorted_into_layers_by_mode_gauge_and_phase(maps_graph):
    layers = {edge_id: maps.edge_layer(data)
              for edge_id, (_, _, data) in maps.data_edges(maps_graph).items()}
    assert layers == {
        "rail-warszawa-mockava": "rail_1435",
        "rail-mockava-sestokai": "rail_dual",
        "rail-sestokai-kaunas": "rail_1520",
        "rail-kaunas-rukla": "rail_1520",
        "rb-kaunas-panevezys": "rail_baltica_phases",
        "road-warszawa-budzisko": "roads",
        "road-budzisko-marijampole": "roads",
        "road-marijampole-kaunas": "roads",
        "road-kaunas-rukla": "roads",
        "sea-mukran-klaipeda": "sea_air",
    }
    gauges = [maps.EDGE_STYLES[key] for key in ("rail_1435", "rail_1520", "rail_dual",
                                                "rail_baltica_phases")]
    assert len({style["color"] for style in gauges}) == 4  # colour tells them apart …
    assert len({style.get("dashArray") for style in gauges}) == 4  # … and so does the dash


def test_phase_in_tooltip_and_corridor_roads_emphasised(tmp_path, maps_graph):
    data = _data(_saved(tmp_path, maps_graph))
    phased = [line for line in data["lines"] if line["layer"] == "rail_baltica_phases"]
    assert len(phased) == 1 and "Phase: rb-2030" in phased[0]["tooltip"]
    assert phased[0]["style"]["dashArray"]
    roads = {line["tooltip"].split("</b>")[0]: line["style"]["weight"]
             for line in data["lines"] if line["layer"] == "roads"}
    assert roads["<b>Via Baltica (Suwałki)"] > roads["<b>A5"]
    assert roads["<b>S61 Via Baltica"] > roads["<b>A1"]


def test_suwalki_corridor_follows_the_pl_lt_border(tmp_path, maps_graph):
    corridor = maps.suwalki_corridor(basemap_dir(), maps_graph)
    assert corridor.contains(Point(23.36, 54.31))  # Budzisko-Kalvarija crossing
    assert corridor.contains(Point(23.50, 54.05))  # Ogrodniki-Lazdijai crossing
    assert not corridor.contains(Point(21.05, 52.25))  # Warsaw
    assert not corridor.contains(Point(20.51, 54.71))  # Kaliningrad city
    data = _data(_saved(tmp_path, maps_graph))
    assert data["areas"][0]["tooltip"] == html.escape(maps.SUWALKI_TOOLTIP)


def test_timeline_has_one_entry_per_day(tmp_path, maps_graph, maps_result):
    timeline = _data(_saved(tmp_path, maps_graph, maps_result))["timeline"]
    days = list(range(1, 13))
    assert timeline["days"] == days
    assert len(timeline["troops"]) == len(days)
    assert timeline["troops"] == sorted(timeline["troops"])  # cumulative: never decreases
    assert timeline["troops"][-1] == pytest.approx(maps_result.arrivals_by(12))
    assert len(timeline["flows"]) == maps_result.edge_flows.groupby(["edge_id", "u", "v"]).ngroups
    for flow in timeline["flows"]:
        assert len(flow["troops_per_day"]) == len(days)
    assert [len(dest["troops"]) for dest in timeline["destinations"]] == [len(days)]
    road = next(f for f in timeline["flows"] if "Budzisko" in f["head_html"])
    assert road["troops_per_day"][0] == 0  # no road flow on day 1
    assert road["unit_html"] == "vehicles" and road["troops_per_unit"] == 4


def test_no_timeline_without_result(tmp_path, maps_graph):
    data = _data(_saved(tmp_path, maps_graph))
    assert data["timeline"] is None
    assert not [p for p in data["points"] if p["layer"] == "bottlenecks"]


def test_bottlenecks_drawn_at_their_node_and_edge(tmp_path, maps_graph, maps_result):
    data = _data(_saved(tmp_path, maps_graph, maps_result))
    points = [p for p in data["points"] if p["layer"] == "bottlenecks"]
    lines = [line for line in data["lines"] if line["layer"] == "bottlenecks"]
    assert [p["latlon"] for p in points] == [[54.22, 23.32]]  # Mockava
    assert [line["coords"] for line in lines] == [[[54.22, 23.32], [54.36, 23.45]]]
    assert "In the minimum cut" in points[0]["tooltip"]


def test_flow_text_states_flow_capacity_and_utilisation_in_units():
    assert maps.flow_text(312, 3.12, 12, "train") == (
        "312 troops/day = 3.1 trains/day of 12 trains/day (26 %)")
    assert maps.flow_text(12_345.6, 3086.4, 2500, "vehicle") == (
        "12,346 troops/day = 3,086 vehicles/day of 2,500 vehicles/day (123 %)")


def test_save_map_is_atomic_and_deterministic(tmp_path, maps_graph, maps_result):
    first = maps.save_map(maps.closure_map(maps_graph, maps_result),
                          tmp_path / "a" / "b" / "m.html")
    second = maps.save_map(maps.closure_map(maps_graph, maps_result), tmp_path / "again.html")
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in first.parent.iterdir()) == ["m.html"]  # no temporary left
    assert first.stat().st_size < 1_500_000


def test_closure_plot_files(tmp_path, maps_result):
    png = tmp_path / "plots" / "closure.png"
    svg = tmp_path / "closure.svg"
    figure = closure_plot(maps_result, png)
    closure_plot(maps_result, svg)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "reached day 3.5" in text and "short 7,250" in text
    assert figure.axes[0].get_xlabel() == "Day"
    with pytest.raises(ValueError, match=r"\.png"):
        closure_plot(maps_result, tmp_path / "closure.jpg")


def test_closure_report_is_self_contained(tmp_path, maps_graph, maps_result):
    path = closure_report(maps_graph, maps_result, tmp_path / "out" / "report.html")
    page = path.read_text(encoding="utf-8")
    assert INJECTED_NAME not in page
    assert html.escape(INJECTED_NAME) in page
    for text in ("Force Model targets", "3,000", "day 3.5", "7,250", "Mockava gauge transfer",
                 "beyond the 12-day horizon", "80.0%", "data:image/png;base64,", "srcdoc="):
        assert text in page
    inner = html.unescape(page)  # the map as the iframe sees it
    assert external_urls(inner) == []
    assert _fetchable_references(page) == []
    assert "Leaflet 1.9.3" in inner


# --- analysis layers: critical elements, interdiction plan, investments -------------------

from types import SimpleNamespace  # noqa: E402

from mobility.viz.map_layers import (  # noqa: E402
    BEST_PORTFOLIO_LAYER,
    INVESTMENT_LAYER,
    Highlight,
    critical_highlights,
    interdiction_highlights,
    investment_highlights,
)


def _critical_stub():
    rows = [
        {"element_id": "mockava", "kind": "node", "name": "Mockava", "score": 0.9,
         "single_point_of_failure": True},
        {"element_id": "rail-mockava-sestokai", "kind": "edge", "name": "Mockava-Šeštokai",
         "score": 0.4, "single_point_of_failure": False},
        {"element_id": "injected", "kind": "node", "name": INJECTED_NAME, "score": 0.2,
         "single_point_of_failure": False},
        {"element_id": "kaunas", "kind": "node", "name": "Kaunas", "score": 0.0,
         "single_point_of_failure": False},
    ]
    return SimpleNamespace(scores=lambda factor=0.0: rows)


def _interdiction_stub():
    rows = [{"element_id": "sestokai", "kind": "node", "name": "Šeštokai", "score": 1.0},
            {"element_id": "road-budzisko-marijampole", "kind": "edge",
             "name": "Via Baltica (Suwałki)", "score": 1.0}]
    return SimpleNamespace(cuts=2, throughput_before_troops_per_day=5000.0,
                           throughput_after_troops_per_day=1200.0, scores=lambda: rows)


def test_highlight_constructors(maps_graph):
    critical = critical_highlights(_critical_stub(), top=10)
    assert [h.element_id for h in critical] == ["mockava", "rail-mockava-sestokai", "injected"]
    assert critical[0].detail.startswith("single point of failure; criticality score 0.900")
    assert critical[0].label == "#1 Mockava" and critical[0].score == 1.0
    assert critical[2].score == pytest.approx(0.2 / 0.9)
    plan = interdiction_highlights(_interdiction_stub())
    assert {h.layer for h in plan} == {"Interdiction plan (K = 2)"}
    assert "5,000 → 1,200 troops/day" in plan[0].detail
    layers = [
        {"id": "rb", "name": "Rail Baltica Kaunas-Panevėžys", "cost_eur": 2e9,
         "edge_ids": ["rb-kaunas-panevezys"], "node_ids": [], "border_delay_h": None},
        {"id": "gt", "name": "Mockava transfer", "cost_eur": 5e7, "edge_ids": [],
         "node_ids": ["mockava"], "border_delay_h": None},
        {"id": "border", "name": "Faster borders", "cost_eur": 1e7, "edge_ids": [],
         "node_ids": [], "border_delay_h": 1.0},
    ]
    invest = investment_highlights(maps_graph, layers, best_portfolio_ids=["gt"])
    by_layer = {layer: sorted(h.element_id for h in invest if h.layer == layer)
                for layer in {h.layer for h in invest}}
    assert by_layer == {BEST_PORTFOLIO_LAYER: ["mockava"],
                        INVESTMENT_LAYER: ["budzisko", "rb-kaunas-panevezys", "trakiszki"]}
    best = next(h for h in invest if h.layer == BEST_PORTFOLIO_LAYER)
    assert best.score == 1.0 and "EUR 50 M" in best.label
    # ranked: one numbered badge per investment, width by the days it saves
    ranked = investment_highlights(maps_graph, layers, ["gt"],
                                   ranking={"rb": (2, 1.0), "gt": (1, 4.0), "border": (3, 0.0)})
    assert sorted(h.rank for h in ranked if h.rank is not None) == [1, 2, 3]
    by_id = {h.element_id: h for h in ranked}
    assert by_id["mockava"].score == 1.0 and by_id["rb-kaunas-panevezys"].score == 0.25
    assert by_id["mockava"].label.startswith("#1 Mockava transfer")
    assert "saves 4.0 days over the targets alone" in by_id["mockava"].detail


def test_highlight_layers_drawn_listed_escaped_and_offline(tmp_path, maps_graph, maps_result):
    highlights = [
        *critical_highlights(_critical_stub()),
        *interdiction_highlights(_interdiction_stub()),
        Highlight(layer=f"Layer {INJECTED_NAME}", element_id="kaunas", label=INJECTED_NAME,
                  score=None, colour='red" onload="alert(1)', detail=INJECTED_NAME),
        Highlight(layer="Critical links and nodes", element_id="no-such-element", label="x"),
    ]
    page = _saved(tmp_path, maps_graph, maps_result, highlights=highlights)
    escaped = html.escape(INJECTED_NAME)
    names = _overlay_names(page)
    assert names == [*maps.LAYER_NAMES.values(), "Critical links and nodes",
                     "Interdiction plan (K = 2)", f"Layer {escaped}"]
    data = _data(page)
    drawn = [(item["layer"], item["tooltip"]) for item in data["lines"] + data["points"]
             if item["layer"].startswith("highlight_")]
    assert len(drawn) == 6  # the unknown element is skipped
    lines = [line for line in data["lines"] if line["layer"] == "highlight_0"]
    assert len(lines) == 1 and lines[0]["style"]["pane"] == "mobility-highlights"
    assert len(lines[0]["coords"]) == 2  # along the edge geometry
    points = {p["tooltip"].split("<br>")[1]: p for p in data["points"]
              if p["layer"].startswith("highlight_")}
    assert points["#1 Mockava"]["style"]["radius"] > points[f"#3 {escaped}"]["style"]["radius"]
    for name in ("Critical links and nodes", "Interdiction plan (K = 2)", f"Layer {escaped}"):
        assert name in data["legend_html"]
    assert 'onload' not in json.dumps(data["points"])  # a bad colour is replaced, not embedded
    assert INJECTED_NAME not in page and "<img" not in page
    assert external_urls(page) == []
    assert _fetchable_references(page) == []


def test_report_lists_highlights_escaped(tmp_path, maps_graph, maps_result):
    from mobility.viz.report import closure_report

    highlights = critical_highlights(_critical_stub())
    path = closure_report(maps_graph, maps_result, tmp_path / "report.html",
                          highlights=highlights,
                          sections=[("Critical elements", _critical_stub().scores())])
    page = path.read_text(encoding="utf-8")
    assert "<h2>Highlighted elements</h2>" in page and "<h2>Critical elements</h2>" in page
    assert "single point of failure" in page and "rail-mockava-sestokai" in page
    assert INJECTED_NAME not in page
    assert f"<td class='text'>#3 {html.escape(INJECTED_NAME)}</td>" in page
    assert "Critical links and nodes" in html.unescape(page)  # the map layer in the iframe


def test_cli_interdict_writes_map(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "x.html"
    scenario = Path(__file__).parent / "fixtures" / "tiny-fleet-scenario.yaml"
    report = tmp_path / "x-report.html"
    done = subprocess.run([sys.executable, "-m", "mobility.cli", "interdict", str(scenario),
                           "--cuts", "1", "--map", str(out), "--report", str(report),
                           "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    page = out.read_text(encoding="utf-8")
    overlays = _overlay_names(page)
    assert "Interdiction plan (K = 1)" in overlays
    data = _data(page)
    # the map draws the closure after the cuts, and what it rerouted
    assert data["timeline"]["flows"]
    if any(lost and lost > 0 for lost in plan["days_lost"]):
        assert {"Flow gained (troops moved)", "Flow lost (troops moved)"} <= set(overlays)
        lost = [line for line in data["lines"] if "<b>Flow lost" in line["tooltip"]]
        assert lost and all("troops moved over the horizon" in line["tooltip"]
                            for line in lost)
    text = report.read_text(encoding="utf-8")
    assert "Edges whose flow changed most" in text and "Throughput" in html.unescape(text)
    assert external_urls(page) == []
