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


def _pair_catalogue() -> Catalogue:
    """Two projects that pay off only together (the two bottlenecks in series) and an
    expensive one that adds nothing."""
    return Catalogue.model_validate({"investments": [
        {"id": "bridge", "name": "Second bridge", "cost_eur": 10e6, "source": "test",
         "cost_source": "test", "edge_capacity": [{"edge": "bridge", "factor": 2}]},
        {"id": "road", "name": "Four lanes to camp", "cost_eur": 20e6, "source": "test",
         "cost_source": "test", "edge_capacity": [{"edge": "road-b-camp", "factor": 2}]},
        {"id": "pricey", "name": "Everything", "cost_eur": 100e6, "source": "test",
         "cost_source": "test", "edge_capacity": [{"edge": "road-hub-a", "factor": 2}]},
    ]})


def test_the_best_portfolio_counts_projects_that_only_pay_off_together(tmp_path):
    folder = _two_bottlenecks(tmp_path / "net")
    scenario = road_scenario().model_copy(update={"network": NetworkChoice(path=str(folder))})
    catalogue = _pair_catalogue()
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
    assert all(v > 0 for p in result.shadow_prices for v in p.troops_gained_by_day.values())


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


class _Valued:
    def __init__(self, value: float) -> None:
        self._value = value

    def value(self, objective: str) -> float:
        return self._value


def _search(values, ids="abcdef", patience=2):
    """Run the beam search on made-up values of combinations; returns (combinations
    evaluated, how it stopped)."""
    from types import SimpleNamespace

    from mobility.analysis.investments import _beam

    by_id = {i: SimpleNamespace(requires=()) for i in ids}
    seen: list[tuple[str, ...]] = []

    def run_all(combos, _label):
        seen.extend(combos)
        return [_Valued(values(set(combo))) for combo in combos]

    stop = _beam(list(ids), by_id, lambda c: True, run_all, "days", 2, patience=patience)
    return seen, stop


def test_the_beam_search_finds_a_pair_that_only_pays_off_together_then_stops():
    seen, stop = _search(lambda combo: 5.0 if {"b", "e"} <= combo else 0.0)
    assert ("b", "e") in seen
    # rounds 1 (nothing), 2 (the pair), then two rounds that find nothing better
    assert stop == "stopped after 4 rounds: the last 2 found nothing better"
    assert max(len(c) for c in seen) == 4


def test_the_beam_search_goes_on_while_each_round_finds_more():
    seen, stop = _search(lambda combo: float(len(combo)))
    assert ("a", "b", "c", "d", "e", "f") in seen
    assert stop == "stopped after 6 rounds: no larger combination fits"


def _eliminate_on(values, costs, requires=None):
    from types import SimpleNamespace

    from mobility.analysis.investments import _eliminate

    requires = requires or {}
    by_id = {i: SimpleNamespace(name=i, cost_eur=c, requires=tuple(requires.get(i, ())))
             for i, c in costs.items()}

    def feasible(combo):
        return all(need in combo for i in combo for need in by_id[i].requires)

    seen: list[tuple[str, ...]] = []

    def run(combo):
        seen.append(combo)
        return _Valued(values(set(combo)))

    kept = _eliminate(sorted(costs), by_id, feasible, run, "days", lambda *a: None)
    return kept, seen


def test_elimination_keeps_what_pays_and_drops_the_rest_in_one_closure_each():
    # 'b' and 'e' pay only together, 'c' adds a little, the rest nothing
    kept, seen = _eliminate_on(
        lambda combo: (5.0 if {"b", "e"} <= combo else 0.0) + (0.5 if "c" in combo else 0.0),
        {"a": 9, "b": 1, "c": 2, "d": 8, "e": 3, "f": 7})
    assert kept == ("b", "c", "e")
    assert len(seen) == 1 + 6  # all together, then once without each project
    assert seen[1] == ("b", "c", "d", "e", "f")  # the most expensive ('a') tried first


def test_elimination_never_leaves_a_project_without_what_it_requires():
    # 'b' requires 'a'; 'a' alone is worth nothing, 'b' (with 'a') is worth 1
    kept, seen = _eliminate_on(lambda combo: 1.0 if "b" in combo else 0.0,
                               {"a": 5, "b": 1, "c": 3}, requires={"b": ["a"]})
    assert kept == ("a", "b")
    assert ("b", "c") not in seen and ("b",) not in seen


def test_without_a_budget_the_portfolio_is_found_by_elimination(tmp_path, monkeypatch):
    """Exact enumeration off (limit 0): all together, then elimination; the pair that pays
    only together is found and the project that adds nothing is dropped."""
    import mobility.analysis.investments as inv

    monkeypatch.setattr(inv, "MAX_EXACT", 0)
    folder = _two_bottlenecks(tmp_path / "net")
    scenario = road_scenario().model_copy(update={"network": NetworkChoice(path=str(folder))})
    catalogue = _pair_catalogue()
    result = evaluate_investments(scenario, catalogue=catalogue, objective="troops-10",
                                  shadow=False)
    assert result.search.startswith("the whole catalogue fits the budget")
    assert result.best is not None and result.best.ids == ("bridge", "road")
    # alone (3), together, without 'pricey'; without one of the pair is a single, known
    assert result.n_evaluated == 3 + 1 + 1


def test_a_force_list_is_valued_by_the_fleet_engine_not_the_stress_case_lp():
    """What one more unit is worth comes from the same engine as the closure it changes:
    the fleet engine's marginal re-solves of the baseline, troops by each report day."""
    from mobility.engines import closure, network_for

    scenario = load_scenario(Path(__file__).parent / "fixtures" / "tiny-fleet-scenario.yaml")
    catalogue = Catalogue.model_validate({"investments": [
        {"id": "line", "name": "Faster PL line", "cost_eur": 10e6, "source": "test",
         "cost_source": "test", "edge_capacity": [{"edge": "rail-hub-border", "factor": 2}]}]})
    result = evaluate_investments(scenario, catalogue=catalogue)
    marginal = closure(network_for(scenario), scenario, detail=True).marginal
    assert result.shadow_method.startswith("fleet engine")
    assert [(p.element_id, p.change) for p in result.shadow_prices] == [
        (m["element_id"], m["change"]) for m in marginal] != []
    for p, m in zip(result.shadow_prices, marginal, strict=True):
        assert p.troops_gained_by_day == pytest.approx(
            {int(d): v for d, v in m["troops_gained_by_day"].items()})
