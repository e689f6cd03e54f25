"""The investment catalogue, what each investment changes, and portfolios that interact."""

from __future__ import annotations

from pathlib import Path

import pytest
from _small_networks import road_scenario, write_network

from mobility._errors import MobilityError
from mobility.analysis.investments import (
    Catalogue,
    _Networks,
    apply_investments,
    check_catalogue,
    evaluate_investments,
    investment_layers,
    load_catalogue,
)
from mobility.network import read_network_tables
from mobility.scenario import NetworkChoice, load_scenario


def test_the_shipped_catalogue_validates_against_the_network():
    catalogue = load_catalogue()
    check_catalogue(catalogue, read_network_tables(None))
    ids = {i.id for i in catalogue.investments}
    assert {"military-schengen", "paldiski-quay", "sestokai-transfer", "route16-135",
            "via-baltica-lt", "pl-bialystok-elk"} <= ids
    for inv in catalogue.investments:
        assert inv.assumption or inv.cost_source, inv.id
    # the one published cost in FACTS (Bialystok-Elk tendered 2025, EUR 1.4 bn)
    published = {i.id: i for i in catalogue.investments if not i.assumption}
    assert published["pl-bialystok-elk"].cost_eur == 1.4e9


@pytest.mark.parametrize(("text", "match"), [
    ("investments:\n  - {id: x, name: X, cost_eur: -5, border_delay_h: 0, source: s, "
     "assumption: true, rationale: r}\n", r"investments\.0\.cost_eur' = -5"),
    ("investments:\n  - {id: x, name: X, cost_eur: 5, border_delay_h: 0, source: s}\n",
     "cost_source.*assumption"),
    ("investments:\n  - {id: x, name: X, cost_eur: 5, source: s, cost_source: c}\n",
     "must change something"),
    ("investments:\n  - {id: x, name: X, cost_eur: 5, border_delay_h: 0, source: s, "
     "cost_source: c, colour: red}\n", r"unknown field 'investments\.0\.colour'"),
])
def test_bad_catalogues_name_the_file_field_and_value(tmp_path, text, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MobilityError, match=match) as error:
        load_catalogue(path)
    assert str(path) in str(error.value)


def test_unknown_phases_and_nodes_are_named_with_suggestions():
    catalogue = Catalogue.model_validate({"investments": [
        {"id": "x", "name": "X", "cost_eur": 1, "phases": ["rb-eee"], "source": "s",
         "cost_source": "c"}]})
    with pytest.raises(MobilityError, match=r"investments\.0\.phases\.0' = 'rb-eee'.*'rb-ee'"):
        check_catalogue(catalogue, read_network_tables(None))


def test_each_investment_changes_what_it_says():
    scenario = load_scenario("baseline")
    networks = _Networks(scenario)
    for inv in load_catalogue().investments:
        graph = networks.graph(frozenset(inv.phases))
        changed, variant = apply_investments(graph, scenario, [inv])
        base = networks.graph(frozenset())
        for phase in inv.phases:
            assert any(d.get("phase") == phase for *_, d in changed.edges(data=True)), inv.id
        for change in inv.transfer_capacity:
            before = base.nodes[change.node]["transfer_capacity_per_day"]
            after = changed.nodes[change.node]["transfer_capacity_per_day"]
            expected = (before + change.add_per_day if change.add_per_day is not None
                        else before * change.factor)
            assert after == pytest.approx(expected), inv.id
            assert base.nodes[change.node]["transfer_capacity_per_day"] == before  # not mutated
        if inv.border_delay_h is not None:
            assert variant.border_delays.default_h == inv.border_delay_h
        else:
            assert variant.border_delays == scenario.border_delays
    layers = {layer["id"]: layer for layer in investment_layers(networks.graph(frozenset(
        p for p in networks.tables.phases)))}
    assert layers["route16-135"]["edge_ids"] and layers["sestokai-transfer"]["node_ids"] == \
        ["sestokai"]


def _two_bottlenecks(folder: Path) -> Path:
    nodes = [("hub", "origin", 24.0, 54.0), ("a", "junction", 24.1, 54.1),
             ("b", "junction", 24.2, 54.2), ("camp", "base", 24.3, 54.3)]
    edges = [("road-hub-a", "hub", "a", 10, 50, 6000), ("bridge", "a", "b", 10, 50, 1000),
             ("road-b-camp", "b", "camp", 10, 50, 1000)]
    return write_network(folder, nodes, edges)


def test_the_best_portfolio_counts_projects_that_only_pay_off_together(tmp_path):
    folder = _two_bottlenecks(tmp_path / "net")
    scenario = road_scenario().model_copy(update={"network": NetworkChoice(path=str(folder))})
    catalogue = Catalogue.model_validate({"investments": [
        {"id": "bridge", "name": "Second bridge", "cost_eur": 10e6, "source": "test",
         "cost_source": "test", "edge_capacity": [{"edge": "bridge", "factor": 2}]},
        {"id": "road", "name": "Four lanes to camp", "cost_eur": 20e6, "source": "test",
         "cost_source": "test", "edge_capacity": [{"edge": "road-b-camp", "factor": 2}]},
        {"id": "pricey", "name": "Everything", "cost_eur": 100e6, "source": "test",
         "cost_source": "test", "edge_capacity": [{"edge": "road-hub-a", "factor": 2}]},
    ]})
    result = evaluate_investments(scenario, catalogue=catalogue, budget_eur=50e6,
                                  objective="troops-10", shadow=True)
    alone = {e.investment.id: e.gain.value("troops-10") for e in result.effects}
    assert alone["bridge"] == pytest.approx(0, abs=1e-6)
    assert alone["road"] == pytest.approx(0, abs=1e-6)
    best = result.best
    assert best is not None and best.ids == ("bridge", "road")
    # both bottlenecks doubled: twice the rate, so twice the troops by day 10
    assert best.gain.troops_gained[10] == pytest.approx(result.baseline.troops_by_day[10],
                                                        rel=1e-6)
    assert best.sum_of_single_values == pytest.approx(0, abs=1e-6)
    assert result.search.startswith("exact")
    # the series bottleneck is what the LP prices
    assert {p.element_id for p in result.shadow_prices} & {"bridge", "road-b-camp"}
    assert all(p.troops_per_extra_unit_per_day > 0 for p in result.shadow_prices)


def test_nothing_fits_a_tiny_budget(tmp_path):
    folder = _two_bottlenecks(tmp_path / "net")
    scenario = road_scenario().model_copy(update={"network": NetworkChoice(path=str(folder))})
    catalogue = Catalogue.model_validate({"investments": [
        {"id": "bridge", "name": "Second bridge", "cost_eur": 10e6, "source": "test",
         "cost_source": "test", "edge_capacity": [{"edge": "bridge", "factor": 2}]}]})
    result = evaluate_investments(scenario, catalogue=catalogue, budget_eur=1e6, shadow=False)
    assert result.best is None and len(result.effects) == 1


def test_the_investment_network_reads_a_scenario_relative_network_path(tmp_path, monkeypatch):
    """A scenario naming its network relative to its own file ('path: tiny') gets the same
    network in the investment analysis as in closure, whatever the working directory."""
    from mobility.analysis.investments import _Networks
    from mobility.engines import network_for

    fixtures = Path(__file__).parent / "fixtures"
    scenario = load_scenario(fixtures / "tiny-fleet-scenario.yaml")
    monkeypatch.chdir(tmp_path)  # 'tiny' does not resolve from here
    graph = _Networks(scenario).graph(frozenset())
    assert set(graph.nodes) == set(network_for(scenario).nodes) == {
        "hub", "border", "mockava", "sestokai", "camp"}
