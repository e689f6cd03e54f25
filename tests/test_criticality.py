"""Criticality on small road networks whose answers are known by hand."""

from __future__ import annotations

import json

import pytest
from _small_networks import bridge_network, road_scenario

from mobility._errors import MobilityError
from mobility.analysis.criticality import criticality, list_elements, outcome_with_changes


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    return bridge_network(tmp_path_factory.mktemp("single"), twin=False)


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    return bridge_network(tmp_path_factory.mktemp("twin"), twin=True)


def impact(result, element_id, factor):
    return next(i for i in result.impacts if i.element.id == element_id and i.factor == factor)


def test_a_single_bridge_is_a_single_point_of_failure(single):
    result = criticality(single, road_scenario(), workers=1)
    bridge = impact(result, "bridge", 0.0)
    assert bridge.single_point_of_failure
    assert bridge.outcome.cuts_off == ("Camp",)
    assert bridge.score == pytest.approx(1.0)
    assert bridge.verdict(result.target_labels).startswith("cuts off Camp")
    # single points of failure come first in the ranking
    assert result.impacts[0].single_point_of_failure
    assert bridge in result.single_points_of_failure()


def test_a_parallel_route_halves_the_criticality(single, twin):
    alone = impact(criticality(single, road_scenario(), elements=["bridge"], workers=1),
                   "bridge", 0.0)
    paired = criticality(twin, road_scenario(), elements=["bridge", "bridge-twin"], workers=1)
    removed = impact(paired, "bridge", 0.0)
    assert not removed.single_point_of_failure
    # Twin routes of equal capacity and length: losing one halves the rate, so half of the
    # troops arrive at every report day.
    assert removed.score == pytest.approx(alone.score / 2, rel=1e-6)
    for day, lost in removed.troops_lost.items():
        assert lost == pytest.approx(paired.baseline.troops_by_day[day] / 2, rel=1e-6)
    # halving the lone bridge costs what losing one of the twins costs
    halved = impact(criticality(single, road_scenario(), elements=["bridge"], workers=1),
                    "bridge", 0.5)
    assert halved.score == pytest.approx(removed.score, rel=1e-6)


def test_unused_elements_are_skipped_and_really_change_nothing(twin):
    scenario = road_scenario()
    result = criticality(twin, scenario, workers=1)
    spur = impact(result, "spur", 0.0)
    assert spur.skipped and spur.score == 0
    assert impact(result, "village", 0.0).skipped
    # the shortcut's claim, checked by solving anyway
    solved = outcome_with_changes(twin, scenario, [("spur", 0.0), ("village", 0.0)])
    for day, troops in result.baseline.troops_by_day.items():
        assert solved.troops_by_day[day] == pytest.approx(troops, rel=1e-9)
    assert solved.reached_day == pytest.approx(result.baseline.reached_day, rel=1e-9)
    # and the shortcut agrees with re-solving every change
    full = criticality(twin, scenario, workers=1, shortcut=False)
    assert full.n_skipped == 0 and result.n_skipped > 0
    assert {(i.element.id, i.factor): round(i.score, 9) for i in full.impacts} == \
        {(i.element.id, i.factor): round(i.score, 9) for i in result.impacts}


def test_used_elements_are_never_skipped(twin):
    result = criticality(twin, road_scenario(), workers=1)
    assert not impact(result, "bridge", 0.0).skipped
    assert not impact(result, "bridge", 0.5).skipped


def test_dask_gives_the_same_answer_as_in_process(twin):
    from dask.distributed import LocalCluster

    scenario = road_scenario()
    local = criticality(twin, scenario, workers=1, shortcut=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        distributed = criticality(twin, scenario, scheduler=cluster.scheduler_address,
                                  shortcut=False)
    assert distributed.executor.startswith("Dask")
    assert json.dumps(distributed.to_dict()) == json.dumps(local.to_dict())


def test_elements_are_chosen_by_kind_or_name_and_unknown_ones_are_named(single):
    assert [e.id for e in list_elements(single, "nodes")] == sorted(single.nodes)
    assert [e.kind for e in list_elements(single, ["bridge", "Camp"])] == ["edge", "node"]
    with pytest.raises(MobilityError, match=r"unknown element 'bridgee'.*did you mean 'bridge'"):
        list_elements(single, ["bridgee"])
