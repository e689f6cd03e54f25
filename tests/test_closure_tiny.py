"""Closure on the five-node gauge-break network: invariants and hand-checkable facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mobility._errors import InfeasibleError, UnknownNodeError
from mobility.closure import build_model, closure
from mobility.network import load_network
from mobility.scenario import BorderDelays, CapacityChange, Destination, load_scenario

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def tiny():
    return load_network(FIXTURES / "tiny")


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIXTURES / "tiny-scenario.yaml")


def with_changes(scenario, *changes):
    return scenario.model_copy(update={"capacity_changes": tuple(changes)})


def test_curve_is_monotone_and_starts_at_zero(tiny, scenario):
    result = closure(tiny, scenario)
    troops = result.curve["troops"].to_numpy()
    assert troops[0] == 0
    assert np.all(np.diff(troops) >= -1e-9)
    assert result.troops_by_day[10] == pytest.approx(result.arrivals_by(10), rel=1e-6)


def test_flows_respect_capacities_and_destinations_add_up(tiny, scenario):
    result = closure(tiny, scenario)
    assert (result.edge_flows["utilisation"] <= 1 + 1e-6).all()
    by_day = result.node_arrivals.groupby("day")["troops"].sum()
    for day in (5, 10, 30):
        assert by_day[day] == pytest.approx(result.arrivals_by(day), rel=1e-6, abs=1e-3)


def test_road_closed_leaves_the_gauge_transfers_as_the_bottleneck(tiny, scenario):
    result = closure(tiny, with_changes(scenario, CapacityChange(element="road-hub-camp")))
    assert result.mode_split == {"rail": pytest.approx(1.0)}
    cut = [b for b in result.bottlenecks if b.in_min_cut]
    assert cut, "the minimum cut must be named"
    assert {b.kind for b in cut} <= {"gauge_transfer", "rail", "origin"}
    # rail is bounded by the Mockava (4) + Šeštokai (6) trains/day of gauge transfer,
    # and by the 10 trains/day of the single border line, whichever is smaller.
    per_train = scenario.troops_per_unit()["train"]
    long_run_per_day = np.diff(result.curve["troops"].to_numpy())[-1] * 24
    assert long_run_per_day == pytest.approx(10 * per_train, rel=1e-3)


def test_without_any_gauge_transfer_rail_delivers_nothing(tiny, scenario):
    no_road = with_changes(scenario, CapacityChange(element="road-hub-camp"),
                           CapacityChange(element="Šeštokai"), CapacityChange(element="mockava"))
    with pytest.raises(InfeasibleError, match="destinations.0.node.*cannot be reached"):
        closure(tiny, no_road)


def test_border_delay_postpones_first_arrival(tiny, scenario):
    fast = closure(tiny, scenario.model_copy(update={"border_delays": BorderDelays(default_h=0)}))
    slow = closure(tiny, scenario.model_copy(update={"border_delays": BorderDelays(default_h=48)}))
    first = lambda r: r.curve.loc[r.curve["troops"] > 0, "day"].iloc[0]  # noqa: E731
    assert first(slow) >= first(fast) + 2 - 1 / 24


def test_unknown_node_names_the_field_and_suggests(tiny, scenario):
    bad = scenario.model_copy(update={"destinations": (
        Destination(node="Rudninkay", reception_troops_per_day=10),)})
    with pytest.raises(UnknownNodeError, match=r"field 'destinations.0.node': unknown node "
                                               r"'Rudninkay'; did you mean 'Rūdninkai'"):
        build_model(tiny, bad)


def test_lp_agrees_with_the_exact_curve_within_the_discretisation_bound(tiny, scenario):
    """Single commodity (all light), static capacities: exact(T − k·step) ≤ LP(T) ≤ exact(T)."""
    light = scenario.model_copy(update={
        "force": scenario.force.model_copy(update={"heavy_share": 0.0}),
        "method": "lp", "lp_step_h": 2.0, "lp_horizon_days": 10})
    exact = closure(tiny, light.model_copy(update={"method": "exact"}))
    lp = closure(tiny, light)
    assert lp.method == "lp" and exact.method == "exact"
    longest_path_arcs = 12  # movement-graph arcs on any path of the five-node network
    for day in (2, 5, 10):
        upper = exact.arrivals_by(day)
        lower = exact.arrivals_by(max(0.0, day - longest_path_arcs * 2 / 24))
        assert lower - 1e-6 <= lp.arrivals_by(day) <= upper + 1e-6, day


def test_a_closure_from_a_later_day_stops_the_flow_from_then_on(tiny, scenario):
    base = scenario.model_copy(update={"lp_step_h": 6.0, "lp_horizon_days": 12})
    cut = with_changes(base, CapacityChange(element="road-hub-camp", from_day=4, factor=0))
    result = closure(tiny, cut)
    assert result.method == "lp"  # auto: capacities change after day 0
    road = result.edge_flows[result.edge_flows["edge_id"] == "road-hub-camp"]
    assert not road.empty and road["day"].max() <= 4
    open_all_time = closure(tiny, base.model_copy(update={"method": "lp"}))
    assert result.arrivals_by(12) < open_all_time.arrivals_by(12)


def test_heavy_forces_may_not_use_air_arcs_and_light_forces_may():
    from mobility.closure.lp import _commodities

    model = build_model(load_network(), load_scenario("baseline"))
    n_arcs = len(model.problem.tail)
    identity = np.arange(n_arcs)
    heavy, light = _commodities(model, identity, n_arcs)
    air = np.array([model.movement.mode[a] == "air" for a in range(model.n_movement)]
                   + [False] * (n_arcs - model.n_movement))
    assert air.any()
    assert not heavy.allowed_arcs[air].any()
    assert light.allowed_arcs[air].all()
    # a heavy troop takes more of a train than a blended one, a light troop less
    rail = [a for a in range(model.n_movement) if model.movement.unit[a] == "train"]
    assert (heavy.units_per_troop[rail] > 1).all() and (light.units_per_troop[rail] < 1).all()


def test_whole_units_never_deliver_more_than_the_fractional_optimum(tiny, scenario):
    result = closure(tiny, scenario)
    by_day = result.rounding["by_day"]
    assert by_day
    for day, effect in by_day.items():
        assert effect["troops_whole_units"] <= result.arrivals_by(float(day)) + 1e-6
        assert effect["change_troops"] <= 1e-6
