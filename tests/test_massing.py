"""Flashpoint massing (issue 17 item 2): facts and invariants of ``mobility.massing``.

On the shipped data: more time never fewer troops, troops never above the force, a closed
crossing never earlier, a bigger area never fewer. On a tiny road network written here: the
LP agrees with an independent networkx shortest-path computation when nothing is
capacitated, a bridge's capacity spreads a unit's arrival as its vehicles a day say, the
dual marginal value agrees with a re-solve, and closing one of two bridges never helps.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from mobility.massing import FlashpointError, load_flashpoint, mass, parse_hours
from mobility.massing.scenario import Area, Unit
from mobility.unit_profiles import unit_profile
from tests._small_networks import write_network

HOURS = (24.0, 48.0, 60.0, 72.0, 96.0)


@pytest.fixture(scope="module")
def narva():
    return mass("narva", by=HOURS)


@pytest.fixture(scope="module")
def daugavpils_pair():
    return mass("daugavpils", by=HOURS), mass("daugavpils-bridge-closed", by=HOURS)


def test_more_time_never_fewer_troops_and_never_more_than_the_force(narva) -> None:
    troops = [narva.troops_by[f"{h:g}"] for h in HOURS]
    heavy = [narva.tracked_by[f"{h:g}"] for h in HOURS]
    assert troops == sorted(troops) and heavy == sorted(heavy)
    assert troops[-1] <= narva.force_troops + 1e-6
    assert heavy[-1] <= narva.force_tracked + 1e-6
    assert troops[-1] > 0  # units start within reach of Narva (Tapa, Tartu)
    for unit in narva.units:  # the schedule never places more than a unit, nor too early
        assert all(0 <= s <= 1 + 1e-6 for s in unit.share_by.values())
        if unit.first_arrival_h is not None:
            assert unit.earliest_h is not None
            assert unit.first_arrival_h >= unit.earliest_h - 1e-6
            assert unit.first_arrival_h >= unit.ready_h


def test_the_schedule_never_beats_the_most_by_each_hour(narva) -> None:
    curve = dict(narva.curve)
    for h in HOURS:
        assert curve[h] <= narva.troops_by[f"{h:g}"] + 1e-6


def test_limits_account_for_every_missing_troop(narva) -> None:
    for h in HOURS:
        short = sum(narva.limits_by[f"{h:g}"].values())
        assert short == pytest.approx(narva.force_troops - narva.troops_by[f"{h:g}"], abs=1e-3)


def test_a_closed_crossing_never_brings_forces_earlier(daugavpils_pair) -> None:
    open_, closed = daugavpils_pair
    for h in HOURS:
        assert closed.troops_by[f"{h:g}"] <= open_.troops_by[f"{h:g}"] + 1e-6
    before = {u.id: u for u in open_.units}
    for unit in closed.units:
        other = before[unit.id]
        if unit.earliest_h is not None:
            assert other.earliest_h is not None and unit.earliest_h >= other.earliest_h - 1e-6
    # the Lithuanian brigades really lose the E262 crossing
    assert closed.troops_by["96"] < open_.troops_by["96"]


def test_a_bigger_area_never_holds_fewer(narva) -> None:
    base = load_flashpoint("narva")
    wider = base.model_copy(update={"area": Area(node="narva", radius_km=150)})
    bigger = mass(wider, by=HOURS)
    assert set(narva.area_nodes) < set(bigger.area_nodes)
    for h in HOURS:
        assert bigger.troops_by[f"{h:g}"] >= narva.troops_by[f"{h:g}"] - 1e-6


def test_permissions_hold_cross_border_moves_until_the_lead_time(narva) -> None:
    schengen = mass("narva-military-schengen", by=HOURS)
    assert narva.lead_h == pytest.approx(54.0)  # EU emergency regime: 2.25 days
    assert schengen.lead_h == 0.0
    for h in HOURS:
        assert schengen.troops_by[f"{h:g}"] >= narva.troops_by[f"{h:g}"] - 1e-6
    held = [u for u in narva.units if u.held_by_permission]
    assert held and all(u.nation in ("LV", "LT", "CA", "DE", "US") for u in held)
    for unit in held:
        if unit.first_arrival_h is not None:
            assert unit.first_arrival_h >= narva.lead_h


def test_the_adversary_timeline_is_set_beside_the_build_up(narva) -> None:
    hours = [m.hour for m in narva.milestones]
    assert hours == [36.0, 60.0]
    for m in narva.milestones:
        assert "RAND" in m.source
        assert 0 <= m.nato_troops <= narva.force_troops


@pytest.mark.parametrize(("text", "hours"), [("48h,72h,96h", (48, 72, 96)),
                                             ("2d, 60", (48, 60)), ("96h,48h,48h", (48, 96))])
def test_by_hours_are_parsed(text: str, hours: tuple) -> None:
    assert parse_hours(text) == tuple(float(h) for h in hours)


@pytest.mark.parametrize("text", ["", "48h,", "-3h", "0h", "500h", "48x", "nan"])
def test_bad_by_hours_are_refused(text: str) -> None:
    with pytest.raises(FlashpointError, match="^by = "):
        parse_hours(text)


@pytest.mark.parametrize("by", [(), (0.0,), (48.0, 500.0)])
def test_bad_hours_are_refused_by_the_library_too(by: tuple) -> None:
    with pytest.raises(FlashpointError, match="hours asked"):
        mass("narva", by=by)


# --- a tiny network -------------------------------------------------------------------------

def _tiny(folder: Path, bridge_cap: float = 1e6, twin: bool = False) -> Path:
    """hub → a → bridge → b → camp, a slower detour a → c → b, and a village near a."""
    nodes = [("hub", "base", 24.0, 54.0), ("a", "junction", 24.2, 54.0),
             ("b", "junction", 24.4, 54.0), ("c", "junction", 24.3, 54.2),
             ("camp", "base", 24.8, 54.0), ("village", "junction", 24.2, 54.1)]
    edges = [("road-hub-a", "hub", "a", 20, 40, 1e6), ("bridge", "a", "b", 10, 30, bridge_cap),
             ("road-b-camp", "b", "camp", 30, 50, 1e6),
             ("detour-a-c", "a", "c", 40, 35, 1e6), ("detour-c-b", "c", "b", 40, 35, 1e6),
             ("road-village-a", "village", "a", 15, 30, 1e6)]
    if twin:
        edges.append(("bridge-twin", "a", "b", 10, 30, bridge_cap))
    write_network(folder / "net", nodes, edges)
    (folder / "rules.yaml").write_text("""\
name: tiny-rules
network: {path: net}
horizon_days: 10
origins: [{node: hub, troops_per_day: 1000, modes: [road]}]
destinations: [{node: camp, reception_troops_per_day: 1000}]
targets: {custom: [{troops: 1, deadline_day: 5}]}
border_delays: {default_h: 0}
road_march_hours_per_day: 24
""", "utf-8")
    return folder / "rules.yaml"


def _scenario(rules: Path, closed: tuple[str, ...] = (), by=(2.0, 3.0, 4.0, 6.0, 10.0)):
    units = (Unit(id="coy-hub", name="coy", nation="LT", profile="wheeled-company",
                  home="hub", ready_h=0, source="test"),
             Unit(id="coy-village", name="coy 2", nation="LT", profile="wheeled-company",
                  home="village", ready_h=1, source="test"),
             Unit(id="inf-hub", name="inf", nation="LT", profile="infantry-company",
                  home="hub", ready_h=2, source="test"))
    return load_flashpoint(_write(rules.parent / "fp.yaml", rules)).model_copy(
        update={"reinforcements": units, "closed": closed, "by": by})


def _write(path: Path, rules: Path) -> Path:
    path.write_text(f"""\
name: tiny
area: {{node: camp, radius_km: 1}}
rules: {rules.name}
forces: null
""", "utf-8")
    return path


def _expected_h(rules: Path, unit: Unit) -> float:
    """Independent of the routing: networkx shortest path in hours on the network file,
    plus the profile's road handling (march hours 24 a day: no rest)."""
    from mobility.network import load_network

    graph = load_network(rules.parent / "net")
    profile = unit_profile(unit.profile)
    speed = profile.kind.road_speed_kph
    simple = nx.DiGraph()
    for u, v, data in graph.edges(data=True):
        hours = data["length_km"] / min(data["stated_speed_kph"] if "stated_speed_kph" in data
                                        else data["speed_kph"], speed)
        if not simple.has_edge(u, v) or simple[u][v]["h"] > hours:
            simple.add_edge(u, v, h=hours)
    handling = profile.handling("road")
    return unit.ready_h + handling.load_h + nx.shortest_path_length(
        simple, unit.home, "camp", weight="h") + handling.unload_h


def test_uncapacitated_lp_agrees_with_networkx_shortest_paths(tmp_path: Path) -> None:
    rules = _tiny(tmp_path)
    scenario = _scenario(rules)
    result = mass(scenario)
    for unit in scenario.reinforcements:
        outcome = next(u for u in result.units if u.id == unit.id)
        expected = _expected_h(rules, unit)
        assert outcome.earliest_h == pytest.approx(expected, abs=1e-6)
        assert outcome.closed_h == pytest.approx(expected, abs=1e-6)  # nothing shared
    for h in scenario.by:
        troops = sum(u.troops for u in result.units if u.earliest_h <= h + 1e-9)
        assert result.troops_by[f"{h:g}"] == pytest.approx(troops)
    assert result.binding == []


def test_a_bridge_capacity_spreads_the_arrival_and_its_marginal_agrees(tmp_path: Path
                                                                       ) -> None:
    # 20 vehicles of one company over a bridge of 120 vehicles a day (5 an hour): 4 hours;
    # the detour closed, so the bridge is the only way
    rules = _tiny(tmp_path, bridge_cap=120)
    company = (Unit(id="coy-hub", name="coy", nation="LT", profile="wheeled-company",
                    home="hub", source="test"),)
    scenario = _scenario(rules, closed=("detour-a-c",)).model_copy(update={
        "reinforcements": company, "by": (4.0, 5.0)})
    result = mass(scenario)
    coy = result.units[0]
    assert coy.earliest_h is not None and coy.closed_h is not None
    assert coy.closed_h - coy.earliest_h == pytest.approx(3.0, abs=1e-6)  # 4 hourly steps
    by = min(h for h in (4.0, 5.0) if h >= coy.earliest_h)
    share = result.troops_by[f"{by:g}"] / coy.troops
    assert 0 < share < 1
    bridge = [b for b in result.binding if b.element == "bridge" and b.by_h == by]
    assert bridge, result.binding
    wider = mass(_scenario(_tiny(tmp_path / "wider", bridge_cap=121),
                           closed=("detour-a-c",)).model_copy(update={
                               "reinforcements": company, "by": (by,)}))
    gained = wider.troops_by[f"{by:g}"] - result.troops_by[f"{by:g}"]
    assert bridge[0].troops_per_unit_day == pytest.approx(gained, rel=1e-6)


def test_the_lp_shares_a_unit_between_the_bridge_and_the_detour(tmp_path: Path) -> None:
    # the routing alone sends the company round the detour (the bridge's closing time is
    # longer); the LP may also send part of it over the bridge, never closing later
    rules = _tiny(tmp_path, bridge_cap=120)
    company = (Unit(id="coy-hub", name="coy", nation="LT", profile="wheeled-company",
                    home="hub", source="test"),)
    result = mass(_scenario(rules).model_copy(update={"reinforcements": company}))
    coy = result.units[0]
    assert coy.closed_h is not None and coy.alone_h is not None
    assert coy.closed_h <= coy.alone_h + 1.0  # within one LP step of the routing's move
    assert "bridge" in result.flows and "detour-a-c" in result.flows


def test_closing_one_of_two_bridges_never_brings_forces_earlier(tmp_path: Path) -> None:
    rules = _tiny(tmp_path, bridge_cap=60, twin=True)
    both = mass(_scenario(rules))
    one = mass(_scenario(rules, closed=("bridge-twin",)))
    none = mass(_scenario(rules, closed=("bridge-twin", "bridge")))  # the detour only
    for h in (2.0, 3.0, 4.0, 6.0, 10.0):
        key = f"{h:g}"
        assert none.troops_by[key] <= one.troops_by[key] + 1e-6
        assert one.troops_by[key] <= both.troops_by[key] + 1e-6
    for a, b in zip(one.units, both.units, strict=True):
        assert (a.closed_h or 1e9) >= (b.closed_h or 1e9) - 1e-6
    assert sum(u.closed_h or 0 for u in one.units) > sum(u.closed_h or 0 for u in both.units)
