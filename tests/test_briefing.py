"""Briefing-grade views: what every map, report and plot says about itself, label order,
ranked bottlenecks, the plot's scale and the export's error (no browser needed)."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from pathlib import Path

import pytest
from conftest import INJECTED_NAME

from mobility.result import Bottleneck
from mobility.viz import maps
from mobility.viz.briefing import ATTRIBUTIONS, CAVEAT, as_of_date, briefing, model_version
from mobility.viz.browser_export import BrowserExportError, export_page
from mobility.viz.map_layers import ranked_bottlenecks
from mobility.viz.plots import TARGET_HEADROOM, closure_plot
from mobility.viz.report import closure_report, troops_by_day_csv

_DATA = re.compile(r'<script type="application/json" id="mobility-closure-data">(.*?)</script>',
                   re.DOTALL)


def _map(tmp_path, graph, result=None, **kwargs) -> tuple[str, dict]:
    page = maps.save_map(maps.closure_map(graph, result, **kwargs),
                         tmp_path / "map.html").read_text(encoding="utf-8")
    return page, json.loads(_DATA.search(page).group(1))


def _with_fleet(result):
    """The fixture result with a binding fleet and measured marginal values."""
    fleet = Bottleneck(name="heavy equipment transporters", kind="fleet", element_id="het",
                       utilisation=1.0, capacity_per_day=40, unit="carriers", from_day=2.0,
                       in_min_cut=True)
    marginal = [
        {"resource": "heavy equipment transporters", "kind": "fleet", "element_id": "het",
         "change": "+1 heavy equipment transporter from day 0", "binding_days": 9.0,
         "from_day": 2.0, "to_day": 11.0, "troops_gained_by_day": {"5": 40.0, "10": 90.0}},
        {"resource": "Dual-gauge line", "kind": "rail", "element_id": "rail-mockava-sestokai",
         "change": "+1 train/day", "binding_days": 8.0, "from_day": 3.0, "to_day": 11.0,
         "troops_gained_by_day": {"5": 100.0, "10": 400.0}},
    ]
    return dataclasses.replace(result, bottlenecks=[*result.bottlenecks, fleet],
                               marginal=marginal)


def test_as_of_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    assert as_of_date().isoformat() == "2026-01-01"
    about = briefing("Force closure", "baseline")
    version = model_version()
    assert about.stamp == f"Scenario baseline · as of 2026-01-01 · baltic-mobility {version}"
    assert about.page_title == "Force closure — baseline"


def test_map_states_title_scenario_date_version_caveat_and_credits(tmp_path, maps_graph,
                                                                    maps_result, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    page, data = _map(tmp_path, maps_graph, maps_result)
    assert "<title>Force closure — maps-test</title>" in page
    assert "Scenario maps-test · as of 2026-01-01 · baltic-mobility" in data["briefing_html"]
    assert CAVEAT in data["briefing_html"]
    assert "© EuroGeographics" in data["attribution"]
    for text in ATTRIBUTIONS:
        assert text in data["attribution"]
    network_page, network = _map(tmp_path, maps_graph)
    assert "<title>Baltic military mobility network</title>" in network_page
    assert CAVEAT in network["briefing_html"]


def test_legend_keys_flow_width_and_bubble_size(tmp_path, maps_graph, maps_result):
    _, data = _map(tmp_path, maps_graph, maps_result)
    timeline = data["timeline"]
    top_flow = timeline["max_flow_troops_per_day"]
    legend = data["legend_html"]
    # the widest key line is the nice number below the largest flow, drawn as the map draws it
    value = maps.nice_number(top_flow)
    width = timeline["flow_weight_px"][0] + timeline["flow_weight_px"][1] * value / top_flow
    assert f'stroke-width="{width:.1f}"' in legend
    assert f"{value:,.0f} troops/day" in legend
    assert f"{maps.nice_number(timeline['max_destination_troops']):,.0f} troops arrived" in legend
    assert maps.nice_number(0) == 0 and maps.nice_number(7300) == 5000
    assert maps.nice_number(1999) == 1000 and maps.nice_number(2000) == 2000


def test_place_labels_cover_the_kinds_in_priority_order(maps_graph):
    labels = maps.place_labels(maps_graph, destinations=["rukla"])
    by_node = {label["node"]: label for label in labels}
    assert set(by_node) == set(maps_graph.nodes)  # towns, terminals, ports, crossings, bases
    assert labels[0]["node"] == "rukla"  # the destination first (it carries the arrivals)
    assert by_node["rukla"]["css"] == "mobility-arrival"
    assert by_node["warszawa"]["priority"] < by_node["kaunas"]["priority"]  # capital first
    assert by_node["mockava"]["priority"] < by_node["trakiszki"]["priority"]
    priorities = [label["priority"] for label in labels]
    assert priorities == sorted(priorities)
    assert by_node["injected"]["html"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert maps._label_text("Rukla (Gaižiūnai)") == "Rukla"
    assert maps._label_text("Port of Rīga") == "Port of Rīga"


def test_bottlenecks_are_ranked_by_marginal_value_fleets_apart(tmp_path, maps_graph,
                                                                maps_result):
    result = _with_fleet(maps_result)
    ranked = ranked_bottlenecks(result)
    infrastructure = [b for b in ranked if b.infrastructure]
    inputs = [b for b in ranked if not b.infrastructure]
    # the measured +400 troops rank the dual-gauge line above the unmeasured gauge transfer
    assert [(b.rank, b.element_id) for b in infrastructure] == [
        (1, "rail-mockava-sestokai"), (2, "mockava")]
    assert [(b.rank, b.element_id, b.kind) for b in inputs] == [(1, "het", "fleet")]
    assert infrastructure[0].value_text == "+1 train/day: +400 troops by day 10"
    assert infrastructure[1].value_text == "marginal value not measured"
    # a destination's gate is a scenario input too
    gate = ranked_bottlenecks(result, scenario_nodes=["mockava"])
    assert [b.element_id for b in gate if not b.infrastructure] == ["het", "mockava"]

    _, data = _map(tmp_path, maps_graph, result)
    assert [(badge["rank"], badge["layer"]) for badge in data["ranks"]] == [
        (1, "bottlenecks"), (2, "bottlenecks")]
    bottleneck_tooltips = [item["tooltip"] for item in data["lines"] + data["points"]
                           if item["layer"] == "bottlenecks"]
    assert len(bottleneck_tooltips) == 2  # the fleet is not drawn as a place
    assert any("#1 Bottleneck" in tooltip for tooltip in bottleneck_tooltips)
    assert "Scenario inputs that bind (not on the map): heavy equipment" in data["briefing_html"]


def test_assembly_area_terminals_of_a_force_list_are_infrastructure(maps_result):
    """Only what the scenario sets is a scenario input: the stress case's origins (troops a
    day) and, in the exact method, its destinations; a force list's assembly area unloads at
    a railhead of the network (Rukla unloading binding is infrastructure, not an input)."""
    import mobility

    forces = mobility.load_scenario("baseline")
    stress = mobility.load_scenario("unlimited")
    fleet_result = dataclasses.replace(maps_result, method="fleet")
    assert maps.scenario_nodes(forces, fleet_result) == set()
    assert maps.scenario_nodes(stress, fleet_result) == {o.node for o in stress.origins}
    exact = maps.scenario_nodes(stress, dataclasses.replace(maps_result, method="exact"))
    assert {d.node for d in stress.destinations} | {"rukla"} <= exact
    rukla = Bottleneck(name="Rukla unloading", kind="terminal", element_id="rukla",
                       utilisation=1.0, capacity_per_day=10, unit="train", from_day=3.0,
                       in_min_cut=False)
    result = dataclasses.replace(fleet_result, bottlenecks=[rukla])
    ranked = ranked_bottlenecks(result, scenario_nodes=maps.scenario_nodes(forces, result))
    assert [(b.element_id, b.infrastructure) for b in ranked] == [("rukla", True)]


def test_plot_y_axis_is_sized_to_the_targets(tmp_path, maps_result):
    figure = closure_plot(maps_result)
    axes = figure.axes[0]
    top = TARGET_HEADROOM * max(t.troops for t in maps_result.targets)
    assert axes.get_ylim() == pytest.approx((0, top))
    assert not any("off scale" in text.get_text() for text in axes.texts)
    # a curve far above the targets goes on off-scale, with a marker and its final value
    big = maps_result.curve.assign(troops=maps_result.curve["troops"] * 20)
    axes = closure_plot(dataclasses.replace(maps_result, curve=big)).axes[0]
    assert axes.get_ylim() == pytest.approx((0, top))
    final = f"{big['troops'].iloc[-1]:,.0f}"
    assert any(f"off scale: {final} by day 12" in text.get_text() for text in axes.texts)
    assert "baltic-mobility" in axes.get_title()


def test_plot_shows_combat_ready_beside_arrived(maps_result):
    """Issue 12: arrived is not combat-ready; the plot draws both curves."""
    def lines(result):
        return {line.get_label(): line for line in closure_plot(result).axes[0].lines}

    assert not any(label.startswith("Combat-ready") for label in lines(maps_result))
    drawn = lines(dataclasses.replace(maps_result, integration_days=3.0))
    ready = drawn["Combat-ready (3 days after closing)"]
    arrived = drawn["Troops arrived"]
    shifted = arrived.get_xdata()[:len(ready.get_xdata())] + 3
    assert ready.get_xdata() == pytest.approx(shifted)
    assert ready.get_ydata() == pytest.approx(arrived.get_ydata()[:len(shifted)])
    assert max(ready.get_xdata()) <= maps_result.horizon_days


def test_comparison_plot_marks_each_curve_that_runs_off_scale(maps_result):
    from mobility.viz.compare_views import comparison_plot

    top = TARGET_HEADROOM * max(t.troops for t in maps_result.targets)
    big = dataclasses.replace(maps_result, scenario="big", curve=maps_result.curve.assign(
        troops=maps_result.curve["troops"] * 20))
    axes = comparison_plot([maps_result, big]).axes[0]
    assert axes.get_ylim() == pytest.approx((0, top))  # sized to the reference's targets
    marks = [t.get_text() for t in axes.texts if t.get_text().startswith("off scale")]
    assert marks == [f"off scale: {big.curve['troops'].iloc[-1]:,.0f} by day 12"]
    triangles = [line for line in axes.lines if line.get_marker() == "^"]
    assert len(triangles) == 1 and triangles[0].get_ydata()[0] == pytest.approx(top)
    assert triangles[0].get_color() == axes.get_legend().get_lines()[1].get_color()


def test_report_has_briefing_ranked_bottlenecks_and_csv(tmp_path, maps_graph, maps_result,
                                                        monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    result = _with_fleet(maps_result)
    text = closure_report(maps_graph, result, tmp_path / "report.html").read_text("utf-8")
    assert "<title>Force closure report — maps-test</title>" in text
    assert "Scenario maps-test · as of 2026-01-01" in text
    assert CAVEAT in text and "© EuroGeographics" in text
    assert INJECTED_NAME not in text.split("srcdoc=")[0]
    assert "<th class='text'>Scenario input</th>" in text
    assert "+1 train/day: +400 troops by day 10" in text
    assert "T1 deadline" in text  # milestone days tabled
    href = re.search(r"href='data:text/csv;base64,([^']+)'", text).group(1)
    csv = base64.b64decode(href).decode("utf-8")
    assert csv == troops_by_day_csv(result)
    lines = csv.strip().split("\n")
    assert lines[0] == "day,troops_arrived" and len(lines) == 1 + 13  # days 0..12
    assert lines[11] == f"10,{result.arrivals_by(10.0):.0f}"


def test_cli_refuses_a_bad_export_before_solving(tmp_path):
    from typer.testing import CliRunner

    from mobility.cli import app

    scenario = Path(__file__).parent / "fixtures" / "tiny-fleet-scenario.yaml"
    done = CliRunner().invoke(app, ["report", str(scenario), "--out", str(tmp_path / "r.html"),
                                    "--pdf", str(tmp_path / "r.pdf"), "--paper", "a3"])
    assert done.exit_code != 0
    assert "paper 'a3' is not known; valid: a4, letter" in str(done.exception or done.output)
    assert not (tmp_path / "r.html").exists()  # refused before the solve, nothing written


def test_export_without_chromium_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setattr("mobility.viz.browser_export.chromium_path", lambda: None)
    with pytest.raises(BrowserExportError) as caught:
        export_page(tmp_path / "map.html", tmp_path / "map.pdf")
    message = str(caught.value)
    assert "\n" not in message and "Chromium not found" in message and "apt-get" in message
    with pytest.raises(BrowserExportError, match="valid: .pdf, .png"):
        export_page(tmp_path / "map.html", tmp_path / "map.jpg")
    with pytest.raises(BrowserExportError, match="valid: a4, letter"):
        export_page(tmp_path / "map.html", tmp_path / "map.pdf", paper="a3")


# --- comparison views -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_comparison():
    """The tiny fleet scenario against the same with its E67 road closed from day 3."""
    import pandas as pd

    from mobility.analysis.compare import Comparison
    from mobility.engines import closure, network_for
    from mobility.scenario import load_scenario

    fixtures = Path(__file__).parent / "fixtures"
    scenarios = [load_scenario(str(fixtures / name)) for name in
                 ("tiny-fleet-scenario.yaml", "tiny-fleet-road-closed.yaml")]
    graph = network_for(scenarios[1])
    results = [closure(network_for(s), s) for s in scenarios]
    return Comparison(results=results, day=30, edge_changes=pd.DataFrame()), scenarios, graph


def test_comparison_days_and_flows_agree_with_the_closures(tiny_comparison):
    from mobility.viz.compare_views import days_text, flow_changes, target_days, troops_moved

    comparison, _, _ = tiny_comparison
    first, closed = comparison.results
    for row, t0, t1 in zip(target_days(comparison), first.targets, closed.targets, strict=True):
        entry = row["scenarios"][1]
        assert entry["reached_day"] == t1.reached_day
        assert entry["days_later"] == pytest.approx(t1.reached_day - t0.reached_day)
    assert days_text(2.0, 6.0) == "+2.0 days (lost)"
    assert days_text(-1.25, 3.0) == "−1.2 days (gained)"
    assert days_text(None, None) == "not reached"
    changes = {row["edge_id"]: row for row in flow_changes(comparison)}
    # the closed road carries fewer troops; the change is what the two closures moved
    assert changes["road-hub-camp"]["change"] < 0
    moved_before, moved_after = troops_moved(first), troops_moved(closed)
    for edge, row in changes.items():
        assert row["change"] == pytest.approx(moved_after.get(edge, 0) - moved_before.get(edge, 0))


def test_difference_map_marks_closed_elements_and_flow_changes(tmp_path, tiny_comparison):
    from mobility.viz.compare_views import closed_highlights, comparison_map

    comparison, scenarios, graph = tiny_comparison
    closed = closed_highlights(graph, scenarios[1])
    assert [(h.layer, h.element_id, h.detail) for h in closed] == [
        ("Closed", "road-hub-camp", "bridge down (test)")]
    assert closed[0].label == "E67: closed from day 3"
    page = maps.save_map(comparison_map(graph, comparison, scenarios),
                         tmp_path / "difference.html").read_text(encoding="utf-8")
    data = json.loads(_DATA.search(page).group(1))
    layers = {line["layer"] for line in data["lines"]}
    assert {"highlight_0", "highlight_1", "highlight_2"} <= layers  # gained, lost, closed
    assert "Compared with tiny-fleet" in data["briefing_html"]
    before, after = (r.targets[1].reached_day for r in comparison.results)
    assert after > before  # the road closure costs days
    assert (f"T2: 2,000 by day 20: day {before:.1f} → day {after:.1f}, "
            f"+{after - before:.1f} days (lost)") in data["briefing_html"]
    assert "<title>Difference: tiny-fleet-road-closed against tiny-fleet" in page


def test_difference_map_of_a_closed_corridor_marks_every_edge():
    from mobility.engines import network_for
    from mobility.scenario import load_scenario
    from mobility.viz.compare_views import closed_highlights

    scenario = load_scenario("suwalki-closed")
    graph = network_for(scenario)
    closed = closed_highlights(graph, scenario)
    tagged = sorted({key for _, _, key, tags in graph.edges(keys=True, data="corridors")
                     if "suwalki" in (tags or ())})
    assert sorted(h.element_id for h in closed) == tagged and tagged
    assert all(h.layer == "Closed" for h in closed)


def test_analysis_report_tables_and_map(tmp_path, maps_graph):
    from mobility.scenario import load_scenario
    from mobility.viz.analysis_reports import analysis_report
    from mobility.viz.map_layers import Highlight

    scenario = load_scenario(str(Path(__file__).parent / "fixtures" / "tiny-scenario.yaml"))
    highlights = [Highlight(layer="Critical links and nodes", element_id="mockava",
                            label=f"#1 {INJECTED_NAME}", score=1.0)]
    path = analysis_report(maps_graph, tmp_path / "critical.html", title="Critical links",
                           scenario=scenario, highlights=highlights,
                           sections=[("Most critical", [{"rank": 1, "element": INJECTED_NAME,
                                                         "score": 0.631}])])
    text = path.read_text(encoding="utf-8")
    assert "<title>Critical links — tiny</title>" in text and CAVEAT in text
    assert "<h2>Most critical</h2>" in text and "0.631" in text
    assert INJECTED_NAME not in text.split("srcdoc=")[0]
    assert "<iframe class='map'" in text


def test_investment_layers_skip_hostile_border_posts():
    from mobility.network import load_network
    from mobility.viz.map_layers import investment_highlights, is_hostile_border

    graph = load_network()
    layers = [{"id": "fast-borders", "name": "Military Schengen", "cost_eur": 1e6,
               "border_delay_h": 1.0}]
    marked = {h.element_id for h in investment_highlights(graph, layers, ["fast-borders"])}
    hostile = {n for n, d in graph.nodes(data=True)
               if d.get("kind") == "border_crossing" and is_hostile_border(d)}
    assert {"zilupe", "luhamaa"} <= hostile
    assert marked and not marked & hostile


def test_ranked_highlights_get_numbered_badges_in_their_colour(tmp_path, maps_graph):
    from mobility.viz.map_layers import Highlight

    highlights = [Highlight(layer="Critical links and nodes", element_id=element, label=label,
                            score=score, colour="#e31a1c", rank=rank)
                  for rank, (element, label, score) in enumerate(
                      [("rail-mockava-sestokai", "#1 dual line", 1.0),
                       ("kaunas", "#2 Kaunas", 0.5)], 1)]
    highlights.append(Highlight(layer="Investments", element_id="klaipeda", label="no rank"))
    _, data = _map(tmp_path, maps_graph, highlights=highlights, summary=["Days lost: +2.0"])
    badges = [(b["rank"], b["colour"], b["layer"]) for b in data["ranks"]]
    assert badges == [(1, "#e31a1c", "highlight_0"), (2, "#e31a1c", "highlight_0")]
    # the edge's badge sits half-way along it, the node's on the node
    assert data["ranks"][1]["latlon"] == [54.9, 23.9]
    assert "Days lost: +2.0" in data["briefing_html"]


def test_online_tiles_show_through_the_basemap(tmp_path, maps_graph):
    _, offline = _map(tmp_path, maps_graph)
    _, online = _map(tmp_path, maps_graph, online_tiles=True)
    assert offline["basemap"][0]["style"]["fillOpacity"] == 1.0
    assert {item["style"]["fillOpacity"] for item in online["basemap"]} == {
        maps.ONLINE_FILL_OPACITY}


def test_a_scenario_map_marks_what_the_scenario_closes(tmp_path):
    from mobility.engines import network_for
    from mobility.scenario import load_scenario

    scenario = load_scenario(str(Path(__file__).parent / "fixtures" /
                                 "tiny-fleet-road-closed.yaml"))
    page, data = _map(tmp_path, network_for(scenario), scenario=scenario)
    assert re.search(r'"Closed"\s*:\s*feature_group_', page)  # listed in the layer control
    closed = [line for line in data["lines"] if "E67: closed from day 3" in line["tooltip"]]
    assert len(closed) == 1 and "bridge down (test)" in closed[0]["tooltip"]
    _, unmarked = _map(tmp_path, network_for(scenario), scenario=scenario, mark_changes=False)
    assert not any("closed from day" in line["tooltip"] for line in unmarked["lines"])


def test_gauge_transfer_sites_are_drawn_over_border_crossings(tmp_path, maps_graph):
    _, data = _map(tmp_path, maps_graph)
    order = [p["layer"] for p in data["points"]]
    assert max(i for i, layer in enumerate(order) if layer == "border_crossings") < min(
        i for i, layer in enumerate(order) if layer == "gauge_transfer")
