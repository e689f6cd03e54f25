"""Military routing: facts and invariants on the tiny gauge-break network and the real one."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from mobility._errors import InfeasibleError, UnknownNodeError
from mobility.network import load_network
from mobility.routing import Route, route, route_timing
from mobility.scenario import load_scenario
from mobility.unit_profiles import unit_profile

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def tiny():
    return load_network(FIXTURES / "tiny")


@pytest.fixture(scope="module")
def tiny_scenario():
    return load_scenario(FIXTURES / "tiny-scenario.yaml")


@pytest.fixture(scope="module")
def real():
    return load_network()


def all_routes(found: Route) -> list[Route]:
    return [found, *found.alternatives]


def assert_time_adds_up(found: Route) -> None:
    parts = (sum(leg.hours for leg in found.legs) + sum(t.hours for t in found.transfers)
             + sum(b.delay_h for b in found.border_crossings))
    assert found.first_arrival_h == pytest.approx(parts)
    assert found.hours == pytest.approx(parts + found.closing_h)
    assert found.km == pytest.approx(sum(leg.km for leg in found.legs))
    for t in found.transfers:
        assert t.hours == pytest.approx(t.dwell_h + t.handling_h)


def assert_gauge_is_physics(found: Route, graph) -> None:
    """Consecutive rail legs change gauge only through a gauge transfer at a gauge_transfer node."""
    rail = [leg for leg in found.legs if leg.mode == "rail"]
    transfers = {t.node: t for t in found.gauge_transfers}
    for before, after in itertools.pairwise(rail):
        if before.to_node == after.from_node and before.gauge != after.gauge:
            t = transfers[before.to_node]
            assert graph.nodes[t.node]["kind"] == "gauge_transfer"
            assert (t.from_gauge, t.to_gauge) == (before.gauge, after.gauge)
    for leg in rail:
        for edge in leg.edges:
            gauges = {str(d["gauge"]) for *_, k, d in graph.edges(keys=True, data=True)
                      if k == edge}
            assert gauges <= {leg.gauge, "dual"}


# --- the tiny network -----------------------------------------------------------------


def test_1435_train_to_1520_destination_passes_a_gauge_transfer(tiny, tiny_scenario):
    found = route(tiny, "Test Hub", "Rūdninkai", mode="rail", scenario=tiny_scenario)
    assert [leg.gauge for leg in found.legs] == ["1435", "1520"]
    (transfer,) = found.gauge_transfers
    site = tiny.nodes[transfer.node]
    assert site["kind"] == "gauge_transfer"
    assert transfer.dwell_h == site["transfer_dwell_h"]
    assert (transfer.from_gauge, transfer.to_gauge) == ("1435", "1520")
    assert found.transfers[0].action == "load" and found.transfers[-1].action == "unload"
    assert_gauge_is_physics(found, tiny)
    assert_time_adds_up(found)


def test_border_delay_of_the_scenario_is_charged(tiny, tiny_scenario):
    found = route(tiny, "hub", "camp", mode="rail", scenario=tiny_scenario)
    assert found.border_crossings
    for crossing in found.border_crossings:
        assert {crossing.from_country, crossing.to_country} == {"PL", "LT"}
        assert crossing.delay_h == tiny_scenario.border_delays.hours("PL", "LT") == 6


def test_closing_the_used_gauge_transfer_reroutes_over_the_other(tiny, tiny_scenario):
    first = route(tiny, "hub", "camp", mode="rail", scenario=tiny_scenario)
    used = first.gauge_transfers[0].node
    other = route(tiny, "hub", "camp", mode="rail", scenario=tiny_scenario, avoid=[used])
    assert [t.node for t in other.gauge_transfers] != [used]
    assert other.gauge_transfers, "still by rail, so still through a gauge transfer"
    assert other.hours >= first.hours
    assert_gauge_is_physics(other, tiny)


def test_no_gauge_transfer_left_is_infeasible_by_rail_but_not_by_road(tiny, tiny_scenario):
    closed = ["Mockava", "Šeštokai"]
    with pytest.raises(InfeasibleError, match="by rail"):
        route(tiny, "hub", "camp", mode="rail", scenario=tiny_scenario, avoid=closed)
    by_any = route(tiny, "hub", "camp", scenario=tiny_scenario, avoid=closed)
    assert {leg.mode for leg in by_any.legs} == {"road"}
    with pytest.raises(InfeasibleError):
        route(tiny, "hub", "camp", mode="rail", scenario=tiny_scenario, avoid=["node:sestokai"])


def test_names_ignore_case_and_diacritics(tiny, tiny_scenario):
    found = route(tiny, "TEST HUB", "rudninkai", mode="rail", scenario=tiny_scenario,
                  via=["sestokai"])
    assert (found.from_.node, found.to.node, found.via[0].node) == ("hub", "camp", "sestokai")
    assert found.via[0].name == "Šeštokai"
    assert any(leg.to_node == "sestokai" or leg.from_node == "sestokai" for leg in found.legs)


def test_unknown_name_suggests_the_closest(tiny, tiny_scenario):
    with pytest.raises(UnknownNodeError, match="Šeštokai"):
        route(tiny, "Sestokia", "camp", scenario=tiny_scenario)
    with pytest.raises(UnknownNodeError, match="not a node name"):
        route(tiny, "hub", "camp", scenario=tiny_scenario, avoid=["Mockavva"])


def test_lat_lon_snaps_to_the_nearest_node_and_reports_the_distance(tiny, tiny_scenario):
    lat, lon = 54.45, 24.8  # east of Šeštokai, ~14 km from Rūdninkai
    found = route(tiny, "hub", f"{lat},{lon}", scenario=tiny_scenario)
    assert found.to.node == "camp"

    def km(node):  # equirectangular is within 0.1 % at these distances
        d = tiny.nodes[node]
        x = math.radians(d["x"] - lon) * math.cos(math.radians((d["y"] + lat) / 2))
        return 6371.0 * math.hypot(x, math.radians(d["y"] - lat))

    assert found.to.snap_km == pytest.approx(km("camp"), rel=1e-2)
    assert min(km(n) for n in tiny.nodes) == pytest.approx(km("camp"))
    assert found.from_.snap_km is None


def test_alternatives_use_other_corridors_and_are_never_faster(tiny, tiny_scenario):
    found = route(tiny, "hub", "camp", unit="armoured-brigade", scenario=tiny_scenario,
                  alternatives=3)
    routes = all_routes(found)
    assert len(routes) >= 2
    signatures = [(frozenset(r.corridors), frozenset(t.node for t in r.gauge_transfers),
                   frozenset(leg.mode for leg in r.legs)) for r in routes]
    assert len(set(signatures)) == len(signatures)
    for alt in found.alternatives:
        assert alt.hours >= found.hours - 1e-9
        assert alt.distinguished_by
        assert_time_adds_up(alt)


def test_road_march_grows_with_column_length_and_respects_march_hours(tiny, tiny_scenario):
    company = route(tiny, "hub", "camp", mode="road", unit="wheeled-company",
                    scenario=tiny_scenario)
    battalion = route(tiny, "hub", "camp", mode="road", unit="wheeled-battalion",
                      scenario=tiny_scenario)
    assert battalion.closing_h > company.closing_h
    assert battalion.first_arrival_h == pytest.approx(company.first_arrival_h)
    profile = unit_profile("wheeled-battalion")
    (leg,) = battalion.legs
    assert battalion.closing_h >= profile.column_pass_h(leg.speed_kph) - 1e-9

    hours_a_day = 1.5  # a short march day forces several days on the 155 km road
    short_days = tiny_scenario.model_copy(update={"road_march_hours_per_day": hours_a_day})
    slow = route(tiny, "hub", "camp", mode="road", unit="wheeled-company", scenario=short_days)
    (leg,) = slow.legs
    assert leg.march_days == math.ceil(leg.driving_h / hours_a_day)
    assert leg.driving_h <= leg.march_days * hours_a_day + 1e-9
    assert leg.hours == pytest.approx((leg.march_days - 1) * 24 + leg.driving_h
                                      - (leg.march_days - 1) * hours_a_day + leg.halts_h)
    assert leg.hours > company.legs[0].hours
    assert_time_adds_up(slow)


def test_heavy_units_never_fly(tiny, tiny_scenario):
    with pytest.raises(InfeasibleError, match="cannot move by air"):
        route(tiny, "hub", "camp", mode="air", unit="heavy", scenario=tiny_scenario)
    assert "air" not in unit_profile("armoured-brigade").modes


def test_json_has_the_documented_fields(tiny, tiny_scenario):
    data = json.loads(json.dumps(route(tiny, "hub", "camp", mode="rail",
                                       scenario=tiny_scenario, alternatives=1).to_dict()))
    for key in ("from", "to", "hours", "km", "legs", "gauge_transfers", "border_crossings",
                "alternatives", "assumptions"):
        assert key in data
    for leg in data["legs"]:
        assert {"mode", "gauge", "km", "hours"} <= set(leg)


def test_same_question_same_answer(tiny, tiny_scenario):
    a = route(tiny, "hub", "camp", scenario=tiny_scenario, alternatives=2).to_dict()
    b = route(tiny, "hub", "camp", scenario=tiny_scenario, alternatives=2).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# --- the curated network -----------------------------------------------------------------


def german_origin(graph) -> str:
    found = sorted(n for n, d in graph.nodes(data=True)
                   if d["country"] == "DE" and d["kind"] == "origin")
    assert found, "the curated network has no German origin node"
    return found[0]


def test_germany_to_tapa_by_rail_crosses_trakiszki_mockava_and_changes_gauge(real):
    found = route(real, german_origin(real), "Tapa", mode="rail")
    crossings = {frozenset((b.from_node, b.to_node)) for b in found.border_crossings}
    assert frozenset(("trakiszki", "mockava")) in crossings
    assert len(found.gauge_transfers) == 1
    assert real.nodes[found.gauge_transfers[0].node]["kind"] == "gauge_transfer"
    assert_gauge_is_physics(found, real)
    assert_time_adds_up(found)


def test_germany_to_tapa_with_sestokai_closed_uses_another_transfer(real):
    try:
        found = route(real, german_origin(real), "Tapa", mode="rail", avoid=["Šeštokai"],
                      alternatives=1)
    except InfeasibleError as error:
        assert "Šeštokai" in str(error)
        return
    for r in all_routes(found):
        sites = {t.name for t in r.gauge_transfers}
        assert "Šeštokai" not in sites
        assert sites & {"Mockava", "Kaunas Intermodal Terminal (Palemonas)"}


def test_heavy_units_never_fly_on_the_real_network(real):
    wunstorf = "wunstorf" if "wunstorf" in real.nodes else german_origin(real)
    troops = route(real, wunstorf, "Tapa", unit="infantry-battalion")
    heavy = route(real, wunstorf, "Tapa", unit="tank-company", alternatives=2)
    assert all(leg.mode != "air" for r in all_routes(heavy) for leg in r.legs)
    assert_time_adds_up(troops)


def test_a_warm_query_is_fast(real):
    timing = route_timing(real, german_origin(real), "Tapa", repeat=5, mode="rail")
    assert timing["warm_median_ms"] < 250  # about 1 ms on a 2-core machine; loose for CI


def test_cli_typo_is_one_line_with_suggestions(real):
    done = subprocess.run([sys.executable, "-c", "from mobility.cli import main; main()",
                           "route", "Sestokia", "Tapa"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "Šeštokai" in done.stderr and "Traceback" not in done.stderr
