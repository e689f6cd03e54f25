"""Scenario validation: every bad field gets one message naming file, field, value, options."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobility._errors import ScenarioError
from mobility.names import normalise, suggestions
from mobility.scenario import available_scenarios, load_scenario

FIXTURES = Path(__file__).parent / "fixtures"


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "tiny").symlink_to(FIXTURES / "tiny")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = (FIXTURES / "tiny-scenario.yaml").read_text(encoding="utf-8")


def test_shipped_scenarios_validate():
    names = available_scenarios()
    assert {"baseline", "rail-baltica-2030", "suwalki-closed", "military-schengen"} <= set(names)
    for name in names:
        scenario = load_scenario(name)
        assert (scenario.forces is None) != (not scenario.origins) and scenario.destinations
    assert load_scenario("baseline").forces == "force-model-baltic"
    assert load_scenario("unlimited").origins and load_scenario("unlimited").forces is None


def test_default_targets_are_the_laser_cumulative_reading():
    scenario = load_scenario(FIXTURES / "tiny-scenario.yaml")
    assert scenario.targets.custom
    default = load_scenario("baseline").targets
    assert default.reading == "cumulative"
    pairs = [(t.troops, t.deadline_day) for t in default.resolved()]
    assert pairs == [(100_000, 10), (200_000, 30), (500_000, 180)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("horizon_days: 30", "horizon_days: -3",
         r"s.yaml: field 'horizon_days' = -3: Input should be greater than 0"),
        ("horizon_days: 30", "horizon_dayz: 30",
         r"s.yaml: unknown field 'horizon_dayz'; valid fields here: name, description, network"),
        ("troops_per_day: 5000", "troops_per_day: lots",
         r"field 'origins.0.troops_per_day' = 'lots': Input should be a valid number"),
        ("  default_h: 6", "  default_hours: 6",
         r"unknown field 'border_delays.default_hours'; valid fields here: default_h, pairs_h"),
        ("origins:\n  - {node: Test Hub, troops_per_day: 5000}\n", "",
         r"s.yaml: give either 'forces' \(a force list\) or 'origins'"),
        ("horizon_days: 30", "horizon_days: [30",
         r"s.yaml: not valid YAML \(line \d+, column \d+\)"),
    ],
)
def test_bad_scenarios_get_one_clear_error(tmp_path, old, new, expected):
    assert old in BASE
    path = write(tmp_path, BASE.replace(old, new))
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(path)


def test_unknown_shipped_scenario_suggests_the_closest():
    with pytest.raises(ScenarioError, match="unknown scenario 'baselin'; did you mean 'baseline'"):
        load_scenario("baselin")


def test_names_match_without_case_or_diacritics():
    assert normalise("Kazlų Rūda") == "kazlu ruda"
    assert normalise("EŁK") == "elk"
    assert normalise("Šeštokai") == normalise("sestokai")
    assert suggestions("Sestokay", ["Šeštokai", "Mockava", "Kaunas"]) == ["Šeštokai"]


def test_node_names_are_folded_once_per_network_and_again_when_it_changes(monkeypatch):
    import networkx as nx

    from mobility import names
    from mobility._errors import UnknownNodeError

    built: list[int] = []
    original = names.NodeIndex.__init__

    def counting(self, graph):
        built.append(len(graph))
        original(self, graph)

    monkeypatch.setattr(names.NodeIndex, "__init__", counting)
    graph = nx.MultiDiGraph()
    graph.add_node("sestokai", name="Šeštokai")
    graph.add_node("elk", name="Ełk")
    assert [names.resolve_node(graph, t) for t in ("SESTOKAI", "Elk", "ełk")] == [
        "sestokai", "elk", "elk"]
    assert built == [2], "one index for three look-ups"
    graph.add_node("kaunas", name="Kaunas")
    assert names.resolve_node(graph, "kaunas ") == "kaunas" and built == [2, 3]
    graph.nodes["kaunas"]["name"] = "Kovno"  # renamed in place: found after folding again
    assert names.resolve_node(graph, "Kovno") == "kaunas"
    with pytest.raises(UnknownNodeError, match="unknown node 'Vilnius'"):
        names.resolve_node(graph, "Vilnius")


def test_planning_factors_blend_heavy_and_light():
    scenario = load_scenario(FIXTURES / "tiny-scenario.yaml")
    factors = scenario.factors()
    all_heavy = scenario.model_copy(update={"force": scenario.force.model_copy(
        update={"heavy_share": 1.0})})
    assert all_heavy.troops_per_unit()["train"] == pytest.approx(factors.heavy.train)
    mixed = scenario.troops_per_unit()["train"]
    assert factors.heavy.train < mixed < factors.light.train
