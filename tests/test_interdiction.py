"""Network interdiction: the MIP against brute force, on networks small enough to enumerate."""

from __future__ import annotations

import itertools

import pytest
from _small_networks import bridge_network, mesh_network, road_scenario

from mobility.analysis.criticality import element_arcs, list_elements
from mobility.analysis.interdiction import interdict, max_flow_interdiction, max_flow_without
from mobility.engines import build_model


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    graph = mesh_network(tmp_path_factory.mktemp("mesh"))
    model = build_model(graph, road_scenario())
    ends = {*model.origin_ids, *model.destination_ids}
    arcs = {e.id: element_arcs(model, e) for e in list_elements(graph)
            if not (e.kind == "node" and e.id in ends)}
    return graph, model, arcs


@pytest.mark.parametrize("cuts", [1, 2, 3])
@pytest.mark.parametrize("solver", ["CP-SAT", "SCIP"])
def test_the_mip_finds_the_best_cuts_found_by_brute_force(mesh, cuts, solver):
    _graph, model, arcs = mesh
    best = min(max_flow_without(model.problem, [a for k in combo for a in arcs[k].tolist()])
               for combo in itertools.combinations(sorted(arcs), cuts))
    chosen, value, optimal = max_flow_interdiction(model.problem, arcs, cuts, solver=solver)
    assert optimal and len(chosen) <= cuts
    assert value == pytest.approx(best, rel=1e-9, abs=1e-9)
    again = max_flow_without(model.problem, [a for k in chosen for a in arcs[k].tolist()])
    assert again == pytest.approx(value, rel=1e-12)


def test_more_cuts_never_leave_more_flow(mesh):
    _graph, model, arcs = mesh
    values = [max_flow_interdiction(model.problem, arcs, k)[1] for k in range(4)]
    assert values[0] == pytest.approx(max_flow_without(model.problem, []))
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(values))


def test_losing_the_only_bridge_cuts_off_the_camp(tmp_path):
    graph = bridge_network(tmp_path, twin=False)
    scenario = road_scenario()
    result = interdict(graph, scenario, cuts=1)
    assert result.throughput_after_troops_per_day == 0
    assert "Camp" in result.after.cuts_off
    assert result.removed[0].id in {"road-hub-a", "a", "bridge", "b", "road-b-camp"}
    horizon = scenario.horizon_days
    assert result.days_lost == pytest.approx(
        tuple(horizon - day for day in result.baseline.reached_day))


def test_origins_and_destinations_are_protected_unless_asked(mesh):
    graph, _model, _arcs = mesh
    scenario = road_scenario()
    protected = interdict(graph, scenario, cuts=1)
    assert {e.id for e in protected.removed}.isdisjoint({"hub", "camp"})
    exposed = interdict(graph, scenario, cuts=1, endpoints=True)
    assert exposed.throughput_after_troops_per_day == 0
    again = interdict(graph, scenario, cuts=1)
    assert again.to_dict() == protected.to_dict()
