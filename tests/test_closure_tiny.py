"""Closure on the five-node gauge-break network: invariants and hand-checkable facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mobility._errors import InfeasibleError, UnknownNodeError
from mobility.engines import build_model, closure
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
    # the transfer gates too, each against its own capacity (trains a day)
    use = result.transfer_use
    assert {"mockava", "sestokai"} <= set(use["node"])  # both gauge transfers are used
    assert (use["utilisation"] <= 1 + 1e-6).all()
    for row in use.itertuples():
        assert row.capacity_units_per_day == tiny.nodes[row.node]["transfer_capacity_per_day"]
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


def test_whole_units_never_deliver_more_than_the_fractional_optimum(tiny, scenario):
    result = closure(tiny, scenario)
    by_day = result.rounding["by_day"]
    assert by_day
    for day, effect in by_day.items():
        assert effect["troops_whole_units"] <= result.arrivals_by(float(day)) + 1e-6
        assert effect["change_troops"] <= 1e-6


def test_exact_read_back_per_distinct_flow_equals_day_by_day(tiny, scenario):
    """edge_flows and node_arrivals work once per distinct flow and repeat it for its days;
    that gives the same table as reading each day back on its own."""
    import pandas as pd

    from mobility.engines import exact
    from mobility.flows import earliest_arrival_curve

    model = build_model(tiny, scenario)
    horizon_h = model.scenario.horizon_days * 24
    curve = earliest_arrival_curve(model.problem, horizon_h)
    flows = {d: curve.static_flow(min(d * 24, horizon_h))
             for d in range(1, int(model.scenario.horizon_days) + 1)}
    assert len({f.tobytes() for f in flows.values()}) < len(flows)  # days do share flows
    for read in (exact.edge_flows, exact.node_arrivals, exact.transfer_use):
        days = [read(model, {d: f}) for d, f in flows.items()]
        # (a day without flows is an empty table of object columns: concat would widen the
        # other days' string columns to object)
        one_by_one = pd.concat([day for day in days if len(day)], ignore_index=True)
        pd.testing.assert_frame_equal(read(model, flows), one_by_one, check_exact=True)
