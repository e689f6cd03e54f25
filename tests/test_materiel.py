"""Materiel plans: the schedule against hand computation and a greedy simulation, invariants
(more crews or trucks never finish later, the deadline changes nothing), the oversize rules on
the real network, and the shipped plans' facts."""

from __future__ import annotations

import copy
import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility.materiel import MaterielPlan, MaterielPlanError, load_plan, materiel
from mobility.materiel.lanes import plan_lanes
from mobility.materiel.model import solve_schedule
from mobility.network import load_network

MONDAY = dt.date(2029, 1, 1)  # a Monday with no holiday in the plans below


@pytest.fixture(scope="module")
def graph():
    return load_network()


@pytest.fixture(scope="module")
def shipped(graph):
    plan = load_plan("estonia-bunkers")
    return plan, materiel(plan, graph=graph, marginal=False)


@pytest.fixture(scope="module")
def shipped_full(graph):
    """The shipped plan with what binds, the marginal values and each area alone."""
    plan = load_plan("estonia-bunkers")
    return plan, materiel(plan, graph=graph)


def small_plan(*, units=40.0, rate=5.0, trucks=10, crews=10, crew_rate=2.0, cranes=10,
               crane_rate=5.0, last_mile_km=30.0, plant_node="tartu", access="tartu",
               deadline=None, **extra) -> dict:
    """One plant, one storage area, one truck type, no holidays: a chain a hand can follow."""
    plan = {
        "name": "small", "start": MONDAY, "deadline": deadline or MONDAY + dt.timedelta(365),
        "horizon_weeks": 120,
        "calendar": {"working_days_per_week": 5, "hours_per_day": 10},
        "items": [{"id": "bunker", "name": "bunker", "pieces_per_unit": 2,
                   "piece_weight_t": 10, "piece_length_m": 4, "piece_width_m": 2.5,
                   "piece_height_m": 2.5, "source": "test"}],
        "production": [{"id": "plant", "name": "plant", "node": plant_node,
                        "output_units_per_week": {"bunker": rate}, "source": "test"}],
        "storage_areas": [{
            "id": "area", "name": "area", "lon": 27.0, "lat": 58.4, "access_node": access,
            "last_mile_km": last_mile_km, "last_mile_road_class": "primary",
            "demand_units": {"bunker": units},
            "reception": {"cranes": 10, "pieces_per_crane_per_day": 100},
            "installation": {"crews": crews, "units_per_crew_per_week": crew_rate,
                             "cranes": cranes, "units_per_crane_per_week": crane_rate},
            "source": "test"}],
        "fleet": [{"id": "truck", "name": "truck", "kind": "truck", "count": trucks,
                   "availability": 1.0, "payload_t": 20, "tare_t": 15, "deck_length_m": 8.0,
                   "deck_width_m": 2.55, "deck_height_m": 1.3, "loaded_speed_kph": 60,
                   "empty_speed_kph": 60, "load_h": 1.0, "unload_h": 1.0, "source": "test"}],
    }
    plan.update(extra)
    return plan


def plan_of(data: dict) -> MaterielPlan:
    return MaterielPlan.model_validate(data)


def weeks_of(graph, data: dict) -> int:
    plan = plan_of(data)
    return solve_schedule(plan, plan_lanes(plan, graph), front=False).weeks


def nth_working_day(start: dt.date, n: int, holidays: frozenset = frozenset()) -> dt.date:
    """The ``n``-th Monday-to-Friday day from ``start`` (counting ``start``)."""
    day, seen = start, 0
    while True:
        if day.weekday() < 5 and day not in holidays:
            seen += 1
            if seen == n:
                return day
        day += dt.timedelta(days=1)


def greedy_weeks(units, produce, carry, install) -> int:
    """Independent method: each week make, carry and install as much as the week allows
    (optimal for one chain: every stage's cumulative output is as large as it can be)."""
    made = yard = installed = 0.0
    stock = 0.0
    for week in range(1, 1000):
        made_now = min(produce, units - made)
        made += made_now
        yard += made_now
        moved = min(carry, yard)
        yard -= moved
        stock += moved
        done = min(install, stock)
        stock -= done
        installed += done
        if installed >= units - 1e-9:
            return week
    raise AssertionError("greedy did not finish")


# --- hand computation and the independent simulation --------------------------------------


def test_production_bound_case_equals_hand_computation(graph):
    # 40 bunkers at 5 a week, one a working day: the 40th is made on the 40th working day,
    # the Friday of week 8, and installed that day (trucks and crews to spare)
    plan = plan_of(small_plan(units=40, rate=5))
    result = materiel(plan, graph=graph)
    assert result.completion_week == math.ceil(40 / 5) == 8
    assert result.completion == nth_working_day(MONDAY, 40).isoformat() == "2029-02-23"
    assert result.area("area").completion == result.completion
    assert result.binding == "production"
    gains = {m.change: m.days_earlier for m in result.marginal}
    # one more bunker a week: ceil(40 / 6) = 7 weeks
    assert gains["+1 unit a week at plant"] > 0
    assert all(m.days_earlier >= 0 for m in result.marginal)
    assert result.production_weekly[0]["produced_units"] == pytest.approx(5)


@pytest.mark.parametrize(("case", "changes"), [
    ("production", {"rate": 3.0}),
    ("installation", {"rate": 20.0, "crews": 1, "crew_rate": 1.5}),
    ("cranes", {"rate": 20.0, "cranes": 1, "crane_rate": 2.5}),
    ("transport", {"rate": 20.0, "trucks": 1, "last_mile_km": 300.0}),
])
def test_completion_week_equals_a_greedy_simulation(graph, case, changes):
    data = small_plan(units=60, **changes)
    plan = plan_of(data)
    lanes = plan_lanes(plan, graph)
    assert len(lanes) == 1
    lane = lanes[0]
    # by hand: tartu to tartu is 0 km on the network, so the cycle is the last mile there and
    # back at 60 km/h plus loading and unloading; two 10 t pieces on a 20 t, 8 m deck
    assert lane.road_pieces_per_load == 2
    assert lane.road_cycle_h == pytest.approx(2 * data["storage_areas"][0]["last_mile_km"] / 60
                                              + 2.0)
    area = data["storage_areas"][0]["installation"]
    carry = data["fleet"][0]["count"] * 10 * 5 / lane.road_cycle_h * 2 / 2  # units a week
    install = min(area["crews"] * area["units_per_crew_per_week"],
                  area["cranes"] * area["units_per_crane_per_week"])
    rate = data["production"][0]["output_units_per_week"]["bunker"]
    expected = greedy_weeks(60, rate, carry, install)
    assert weeks_of(graph, data) == expected
    result = materiel(plan, graph=graph)
    binding = {"cranes": "installation"}.get(case, case)
    assert result.binding == binding


def test_shipped_plan_completion_equals_the_production_count(shipped):
    # where the plants bind (as the shipped assumptions make them), the last bunker is
    # installed the working day it is made: count the plants' working days by hand
    plan, result = shipped
    (first,) = {site.first_output for site in plan.production}
    per_day = sum(site.output_units_per_week["bunker"] for site in plan.production) / 5
    due = result.total_units - result.installed_before_units
    assert due == 591  # 600 less the nine installed to date
    holidays = frozenset(plan.calendar.holidays)
    assert result.completion == nth_working_day(first, math.ceil(due / per_day),
                                                holidays).isoformat()


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=st.integers(5, 80), rate=st.sampled_from([1.0, 2.5, 5.0, 12.0]),
       trucks=st.integers(1, 3), crews=st.integers(1, 4),
       crew_rate=st.sampled_from([0.5, 1.0, 2.0]), cranes=st.integers(1, 2),
       last_mile_km=st.sampled_from([10.0, 150.0, 400.0]))
def test_completion_week_equals_the_greedy_simulation_on_random_chains(
        graph, units, rate, trucks, crews, crew_rate, cranes, last_mile_km):
    data = small_plan(units=float(units), rate=rate, trucks=trucks, crews=crews,
                      crew_rate=crew_rate, cranes=cranes, crane_rate=3.0,
                      last_mile_km=last_mile_km, horizon_weeks=400)
    cycle_h = 2 * last_mile_km / 60 + 2.0
    carry = trucks * 10 * 5 / cycle_h  # loads a week, one unit a load (two 10 t pieces)
    expected = greedy_weeks(units, rate, carry, min(crews * crew_rate, cranes * 3.0))
    assert weeks_of(graph, data) == expected


def test_holidays_and_late_first_output_cost_whole_days(graph):
    plain = weeks_of(graph, small_plan(units=50, rate=5))
    # a plant that starts two weeks late needs two weeks more at this rate
    data = small_plan(units=50, rate=5)
    data["production"][0]["first_output"] = MONDAY + dt.timedelta(days=14)
    assert weeks_of(graph, data) == plain + 2
    # five holidays in the first week: that week makes nothing
    data = small_plan(units=50, rate=5)
    data["calendar"]["holidays"] = [MONDAY + dt.timedelta(days=k) for k in range(5)]
    assert weeks_of(graph, data) == plain + 1


# --- invariants ---------------------------------------------------------------------------


@pytest.mark.parametrize("crews", [1, 2, 3])
def test_more_crews_never_finish_later(graph, crews):
    data = small_plan(units=60, rate=20, crews=crews, crew_rate=1.0)
    more = small_plan(units=60, rate=20, crews=crews + 1, crew_rate=1.0)
    a, b = materiel(plan_of(data), graph=graph, marginal=False), \
        materiel(plan_of(more), graph=graph, marginal=False)
    assert b.completion <= a.completion
    assert b.completion < a.completion  # installation binds here: it must help


def test_more_crews_never_finish_later_on_the_shipped_plan(graph, shipped):
    plan, base = shipped
    areas = [a.model_copy(update={"installation": a.installation.model_copy(
        update={"crews": a.installation.crews + 1})}) for a in plan.storage_areas]
    more = materiel(plan.model_copy(update={"storage_areas": tuple(areas)}), graph=graph,
                    marginal=False)
    assert more.completion <= base.completion


def test_more_vehicles_never_finish_later_on_the_shipped_plan(graph, shipped):
    plan, base = shipped
    for n, vehicle in enumerate(plan.fleet):
        fleet = list(plan.fleet)
        fleet[n] = vehicle.model_copy(update={"count": vehicle.count + 5})
        more = materiel(plan.model_copy(update={"fleet": tuple(fleet)}), graph=graph,
                        marginal=False)
        assert more.completion <= base.completion, vehicle.id


@pytest.mark.parametrize("trucks", [1, 2])
def test_more_trucks_never_finish_later(graph, trucks):
    data = small_plan(units=40, rate=20, trucks=trucks, last_mile_km=300)
    more = small_plan(units=40, rate=20, trucks=trucks + 1, last_mile_km=300)
    a, b = materiel(plan_of(data), graph=graph, marginal=False), \
        materiel(plan_of(more), graph=graph, marginal=False)
    assert b.completion < a.completion


def test_a_later_deadline_changes_no_schedule(graph, shipped):
    plan, base = shipped
    later = materiel(plan.model_copy(update={"deadline": plan.deadline + dt.timedelta(700)}),
                     graph=graph, marginal=False)
    assert later.weekly == base.weekly
    assert later.production_weekly == base.production_weekly
    assert [a.completion for a in later.areas] == [a.completion for a in base.areas]
    assert later.completion == base.completion
    assert later.days_after_deadline == base.days_after_deadline - 700


def test_schedule_conserves_units_and_respects_capacities(shipped):
    plan, result = shipped
    for area in plan.storage_areas:
        rows = [r for r in result.weekly if r["area"] == area.id]
        need = plan.remaining_units(area, "bunker")
        assert sum(r["delivered_units"] for r in rows) == pytest.approx(need, abs=1e-4)
        assert rows[-1]["installed_cumulative_units"] == pytest.approx(need, abs=1e-4)
        delivered = 0.0
        for r in rows:  # nothing installed before it is delivered; the yard never overflows
            delivered += r["delivered_units"]
            assert r["installed_cumulative_units"] <= delivered + 1e-6
            assert r["stock_units"] <= area.storage_capacity_units + 1e-6
    produced = sum(r["produced_units"] for r in result.production_weekly)
    assert produced + 1e-6 >= result.total_units - result.installed_before_units
    for row in result.fleet_weekly:
        assert row["hours_used"] <= row["hours_available"] + 1e-6
    # the installation curve is a curve: cumulative and never decreasing
    installed = result.installed_by_week()
    assert all(x >= -1e-9 for x in installed)


def test_same_plan_gives_identical_results(graph):
    plan = plan_of(small_plan(units=30, rate=4))
    assert materiel(plan, graph=graph).to_json() == materiel(plan, graph=graph).to_json()


# --- network: routes, oversize rules, rail ------------------------------------------------


def test_oversize_loads_keep_to_the_allowed_road_classes(graph):
    # Tapa → Tallinn: the direct road is secondary (oversize loads barred), so a 3 m wide load
    # goes round by Rakvere; the empty truck comes back the short way
    data = small_plan(units=10, plant_node="tapa", access="tallinn", last_mile_km=5)
    data["items"][0]["piece_width_m"] = 3.0
    lane = plan_lanes(plan_of(data), graph)[0]
    assert lane.oversize
    assert "road-tapa-tallinn" not in lane.road_leg.edges
    assert lane.road_leg.nodes == ("tapa", "rakvere", "tallinn")
    normal = plan_lanes(plan_of(small_plan(units=10, plant_node="tapa", access="tallinn",
                                           last_mile_km=5)), graph)[0]
    assert not normal.oversize and normal.road_leg.edges == ("road-tapa-tallinn",)
    assert lane.road_cycle_h > normal.road_cycle_h


def test_a_bridge_limit_keeps_heavy_loads_off_an_edge(graph):
    # no edge of the shipped network states an MLC (SOURCES A16); give Tapa-Rakvere one of
    # 30 and a 45 t gross load (15 t tractor + three 10 t pieces) can no longer leave Tapa
    # eastwards: the direct road to Tallinn is secondary, barred to oversize loads
    limited = graph.copy()
    for u, v, key in (("tapa", "rakvere", "road-tapa-rakvere"),
                      ("rakvere", "tapa", "road-tapa-rakvere")):
        limited.edges[u, v, key]["mlc"] = 30.0
    data = small_plan(units=10, plant_node="tapa", access="tallinn", last_mile_km=5)
    data["fleet"][0].update({"payload_t": 40, "deck_length_m": 13.6})
    assert plan_lanes(plan_of(data), graph)[0].road_leg.nodes == ("tapa", "rakvere", "tallinn")
    with pytest.raises(MaterielPlanError, match="no vehicle of the fleet can carry"):
        plan_lanes(plan_of(data), limited)
    data["fleet"][0].update({"payload_t": 20})  # two pieces: 35 t, not oversize
    assert plan_lanes(plan_of(data), limited)[0].road_leg.edges == ("road-tapa-tallinn",)


def test_an_oversize_load_with_no_legal_last_mile_is_refused(graph):
    data = small_plan(units=10)
    data["items"][0]["piece_width_m"] = 3.0
    data["storage_areas"][0]["last_mile_road_class"] = "secondary"
    with pytest.raises(MaterielPlanError, match="no vehicle of the fleet can carry 'bunker'"):
        plan_lanes(plan_of(data), graph)


def test_heavy_loads_are_oversize_by_gross_weight(graph):
    data = small_plan(units=10)
    data["fleet"][0]["payload_t"] = 40
    data["fleet"][0]["deck_length_m"] = 13.6
    lane = plan_lanes(plan_of(data), graph)[0]
    assert lane.road_pieces_per_load == 3 and lane.oversize  # 15 t + 30 t > 40 t


def test_rail_lanes_run_on_1520_track_with_a_road_last_mile(graph):
    data = small_plan(units=30, rate=10, plant_node="tallinn", access="narva")
    data["production"][0]["rail_siding"] = True
    data["storage_areas"][0]["railhead"] = "narva"
    data["fleet"].append({"id": "wagon", "name": "wagon", "kind": "rail_wagon", "count": 5,
                          "payload_t": 60, "deck_length_m": 13, "deck_width_m": 2.9,
                          "source": "test"})
    lanes = {lane.mode: lane for lane in plan_lanes(plan_of(data), graph)}
    rail = lanes["rail"]
    assert rail.rail_leg.nodes == ("tallinn", "tapa", "narva")
    assert rail.rail_leg.km == pytest.approx(77.8 + 131.8)  # published lengths (FACTS)
    assert all(graph.edges[u, v, k]["gauge"] in ("1520", "dual") for u, v, k in
               _edge_keys(graph, rail.rail_leg))
    assert rail.road_leg.nodes == ("narva",)  # the last mile only
    assert rail.wagon_pieces_per_load == 3


def _edge_keys(graph, leg):
    return [(u, v, k) for (u, v), k in zip(zip(leg.nodes, leg.nodes[1:], strict=False),
                                           leg.edges, strict=True)]


def test_a_railhead_without_1520_track_is_refused(graph):
    data = small_plan(units=10, access="tallinn")
    data["storage_areas"][0]["railhead"] = "parnu-port"
    with pytest.raises(MaterielPlanError, match="no 1520 mm track at this node"):
        plan_lanes(plan_of(data), graph)


# --- the shipped plans: facts, sources, placement -----------------------------------------


def test_estonian_plan_holds_the_article_facts(graph):
    plan = load_plan("estonia-bunkers")
    assert plan.total_units == 600
    assert sum(sum(a.installed_units.values()) for a in plan.storage_areas) == 9
    assert plan.deadline == dt.date(2027, 12, 31)
    for area in plan.storage_areas:
        node = graph.nodes[area.access_node]
        assert node["country"] == "EE"
        # along the south-east and north-east border: east of Tartu's meridian
        assert area.lon > 26.7 and area.id.startswith(("ne-", "se-"))
        assert "assum" in area.source.lower() and "location assumed" in area.name
    for entry in (*plan.items, *plan.production, *plan.fleet):
        assert "assum" in entry.source.lower() or "not public" in entry.source.lower()


def test_latvian_variant_adds_latvian_areas_and_shares_the_plants(graph):
    estonia, joint = load_plan("estonia-bunkers"), load_plan("estonia-latvia-bunkers")
    assert joint.total_units == 900
    latvian = [a for a in joint.storage_areas if graph.nodes[a.access_node]["country"] == "LV"]
    assert len(latvian) == 2
    assert {s.id for s in estonia.production} < {s.id for s in joint.production}
    # the variant is the Estonian plan plus Latvia: the same Estonian entries, field by field
    assert all(a in joint.storage_areas for a in estonia.storage_areas)
    assert all(s in joint.production for s in estonia.production)
    assert (joint.items, joint.calendar, joint.road_limits, joint.start, joint.deadline) == \
        (estonia.items, estonia.calendar, estonia.road_limits, estonia.start, estonia.deadline)
    assert {f.id for f in joint.fleet} == {f.id for f in estonia.fleet}
    assert all(j.count >= e.count for j, e in zip(joint.fleet, estonia.fleet, strict=True))


def test_shipped_plan_is_production_bound_and_meets_the_deadline_or_says_not(shipped):
    plan, result = shipped
    assert result.completion is not None
    assert result.meets_deadline == (result.completion <= plan.deadline.isoformat())
    assert {a.id for a in result.areas} == {a.id for a in plan.storage_areas}
    assert max(a.completion for a in result.areas) == result.completion


def test_plan_validation_names_the_field(graph):
    data = small_plan()
    bad = copy.deepcopy(data)
    bad["production"][0]["output_units_per_week"] = {"bunkr": 5}
    with pytest.raises(ValueError, match="unknown item 'bunkr'; did you mean 'bunker'"):
        plan_of(bad)
    bad = copy.deepcopy(data)
    bad["storage_areas"][0]["access_node"] = "narwa"
    with pytest.raises(MaterielPlanError, match="did you mean 'narva'"):
        plan_lanes(plan_of(bad), graph)


def test_earliest_alone_is_never_later_than_the_shared_schedule(shipped_full):
    _, result = shipped_full
    for area in result.areas:
        assert area.earliest_alone is not None
        assert area.earliest_alone <= area.completion
    # with first call on both plants (10 a week from 2026-06-01) one area's 145 bunkers are
    # installed at its 4 a week (2 crews x 2): 36.25 working weeks after the first output,
    # i.e. in February 2027 (holidays and Christmas week included)
    assert result.area("ne-1-narva").earliest_alone.startswith("2027-02")


def test_earliest_alone_equals_the_area_on_its_own(graph):
    data = small_plan(units=30, rate=5)
    other = copy.deepcopy(data["storage_areas"][0])
    other.update({"id": "other", "demand_units": {"bunker": 30}})
    data["storage_areas"].append(other)
    both = materiel(plan_of(data), graph=graph)
    alone = materiel(plan_of(small_plan(units=30, rate=5)), graph=graph, marginal=False)
    assert both.area("area").earliest_alone == alone.completion
    assert both.completion > alone.completion  # sharing the plant costs time


def two_areas(units=30.0, rate=5.0, **changes) -> dict:
    data = small_plan(units=units, rate=rate, **changes)
    other = copy.deepcopy(data["storage_areas"][0])
    other.update({"id": "other", "demand_units": {"bunker": units}})
    data["storage_areas"].append(other)
    return data


def test_equal_areas_share_a_binding_plant_in_proportion(graph):
    result = materiel(plan_of(two_areas()), graph=graph, marginal=False)
    rows = {(r["area"], r["week"]): r["installed_cumulative_units"] for r in result.weekly}
    for week in range(result.completion_week):
        assert rows["area", week] == pytest.approx(rows["other", week], abs=1e-6)
    assert result.area("area").completion == result.area("other").completion
    assert result.area("other").completion == result.completion


def test_priority_serves_an_area_first_without_delaying_the_whole(graph):
    equal = materiel(plan_of(two_areas()), graph=graph, marginal=False)
    data = two_areas()
    data["storage_areas"][1]["priority"] = 2
    first = materiel(plan_of(data), graph=graph)
    assert first.completion == equal.completion
    # the first area takes the plant's whole output: 30 at one a working day, the 30th day
    assert first.area("area").completion == nth_working_day(MONDAY, 30).isoformat()
    assert first.area("area").completion == first.area("area").earliest_alone
    assert first.area("other").completion == first.completion


def test_a_plan_with_nothing_left_to_install_says_so(graph):
    data = small_plan(units=20)
    data["storage_areas"][0]["installed_units"] = {"bunker": 20}
    result = materiel(plan_of(data), graph=graph)
    assert result.completion is None and result.completion_week == 0
    assert result.binding == "none" and result.marginal == () and result.meets_deadline


def test_shipped_plan_marginals_are_never_negative_and_the_binding_class_gains_most(
        shipped_full):
    plan, result = shipped_full
    assert result.binding == result.relaxations[0].resource_class
    assert all(r.days_earlier >= 0 for r in result.relaxations)
    assert all(m.days_earlier >= 0 for m in result.marginal)
    gains = [m.days_earlier for m in result.marginal]
    assert gains == sorted(gains, reverse=True)
    # one more unit of a class never gains more than the whole class unlimited
    most = {r.resource_class: r.days_earlier for r in result.relaxations}
    assert all(m.days_earlier <= most[m.resource_class] for m in result.marginal)
    assert {m.element for m in result.marginal} >= {s.id for s in plan.production}
