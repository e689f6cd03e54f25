"""The one meaning of a disruption, on a small road network whose answers are known by hand."""

from __future__ import annotations

import pytest
from _small_networks import bridge_network, road_scenario

from mobility import disruption
from mobility.engines import build_model, closure


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    return bridge_network(tmp_path_factory.mktemp("single"), twin=False)


def test_closing_a_node_closes_its_edges_and_halving_an_edge_halves_the_rate(single):
    scenario = road_scenario()
    base = closure(single, scenario, detail=False)
    # 'b' has no gate of its own: closing it closes the bridge and the road on to the camp
    closed = disruption.scale_elements(scenario, [("b", 0.0)], reason="test")
    reach = disruption.without_cut_off(single, closed, {"b"})
    assert reach.cut_off == (("destination", "camp"),)
    assert not reach.scenario.destinations
    halved = closure(single, disruption.scale_elements(scenario, [("bridge", 0.5)],
                                                       reason="test"), detail=False)
    for day, troops in base.troops_by_day.items():
        assert halved.troops_by_day[day] == pytest.approx(troops / 2, rel=1e-6)
    assert [c.reason for c in closed.capacity_changes][-1] == "test"
    assert disruption.scale_elements(scenario, [], reason="test") is scenario


def test_element_arcs_of_a_node_are_its_touching_edges(single):
    model = build_model(single, road_scenario())
    arcs = disruption.element_arcs(model.movement, "node", "b")
    refs = {model.movement.ref[a] for a in arcs.tolist()}
    assert refs == {"bridge", "road-b-camp"}
    bridge = disruption.element_arcs(model.movement, "edge", "bridge")
    assert {model.movement.ref[a] for a in bridge.tolist()} == {"bridge"}
    assert len(bridge) == 2  # both directions of the one road layer


def test_scaling_copies_the_network_and_unlimited_transfer_stays_unlimited(single):
    scaled = disruption.scaled_network(single, {("edge", "bridge"): 2.0, ("node", "a"): 3.0})
    assert scaled is not single
    before = {k: d["capacity_per_day"] for *_, k, d in single.edges(keys=True, data=True)}
    after = {k: d["capacity_per_day"] for *_, k, d in scaled.edges(keys=True, data=True)}
    assert after == {k: v * 2.0 if k == "bridge" else v for k, v in before.items()}
    assert scaled.nodes["a"].get("transfer_capacity_per_day") is None  # no gate: unlimited
    assert disruption.scaled_network(single, {}) is single
    added = disruption.with_transfer_capacity(single, [("a", None, 5.0), ("b", 2.0, None)])
    assert added.nodes["a"]["transfer_capacity_per_day"] == 5.0
    assert added.nodes["b"].get("transfer_capacity_per_day") is None
    assert single.nodes["a"].get("transfer_capacity_per_day") is None  # not mutated
