"""Fleet-constrained closure: a finite, time-phased force moved by lift fleets that return.

The formulation follows the multi-period linear programmes real closure models use (NRMO:
"the maximum on-time throughput … with a given aircraft fleet over a given network", Morton,
Rosenthal & Lim; Baker et al. 1999): a time-phased force list against fleets whose
throughput is fleet size ÷ round-trip time (Little's law).

Variables ``x[r, k]``: items of one cargo class (tracked, wheeled vehicles, personnel) sent
along route ``r`` (:mod:`mobility.engines.routes`) during period ``k``, dispatched at a
uniform rate within the period. A route fixes when each arc is entered after dispatch, so
time is continuous along it: nothing is rounded to the time step. Constraints, each an exact
integral of the piecewise-constant dispatch rates over a period:

* availability: a formation sends at most its vehicles and troops, none before its ready day;
* capacity: every train path, berth, gauge transfer, loading site and road carries at most
  its capacity in each period (scaled by the scenario's capacity changes from their day);
* fleets: carriers in use (loading, loaded journey, unloading and the empty return over the
  same lines) never exceed the carriers available that day;
* reception: each assembly area receives at most its troops a day;
* sustainment (scenario field ``sustainment``): at each assembly area the supplies delivered
  plus the days of supply the troops arrived with cover what the troops there have consumed
  (tonnes per troop-day x troop-days, integrated over each period by the trapezoid rule).
  Supplies (one cargo class, in tonnes) load at the supply bases and use the same routes,
  capacities and fleets; more consumption only adds constraints, so it never closes more.

A formation (at one destination) has closed to the fraction ``z`` that the least complete of
its cargo classes has arrived: *a formation counts as closed when its vehicles and its people
have arrived*.

Troops by each report day (10, 30, 180 and the targets' deadlines) are *the most that can
have closed by that day*, each its own LP on the grid up to that day (:func:`most_by`): less
capacity, lift or time to get ready only shrink its feasible set, so these never grow with
them. The curve is one plan: it maximises Σ_t closed troops(t)·Δt (the mean closure time of
the troops) with each troop closed by a report day weighted more, so it reaches each day's
most, or nearly (a note says how near; closing more by day 10 may close fewer by day 30).
Earliest-arrival flows that are best at every time at once exist for the single-commodity
stress case (:mod:`mobility.engines.exact`), not in general here.

Time step: dispatch rates are constant within a period (12 h to day 10, then 24 h to day 30,
48 h to day 90 and 96 h), and capacities and fleets hold on each period's average. Measured
on the baseline with 3 routes a destination, the most by day 10 at 24 h steps lay 2.7 % below
the value at 1.5–3 h steps (which agree to 0.1 %) and by day 30 1.1 % below the value at
6 h steps. With 8 routes, 24 h steps to day 10 let the stress case close 1.05 % more by
day 10 than the exact flows over time (the period average lets a day's arrivals bunch);
12 h steps to day 10 bring it to 0.65 % for about the same solve time (2026-12-04).

Two solves answer "what binds": with the fleets (the answer) and with unlimited lift (a
relaxation: its most by each day is never less); the gap is what the fleets cost. (A third,
with every formation also ready on day 0, was dropped: both OR-Tools LP solvers at times
failed on it.)
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import defaultdict
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from mobility._errors import InfeasibleError, ScenarioError, field_of
from mobility._parallel import at_once
from mobility._progress import Progress, silent
from mobility.engines.lp_model import LPSolution, SparseLP
from mobility.engines.model import (
    BALTIC_STATES,
    capacity_changes,
    later_arc_changes,
    movement_arc_label,
    resolve_ends,
    resolve_entry,
    scenario_movement,
)
from mobility.engines.readback import reached_day, report_days, targets, targets_reading
from mobility.engines.routes import CargoRules, Route, RoutePlanner
from mobility.forces import FleetFile, ForceList, load_fleets, load_force_list
from mobility.movement import GATE_IN, ROAD, MovementGraph
from mobility.result import TRANSFER_USE_COLUMNS, Bottleneck, ClosureResult, stock_short_day
from mobility.scenario import BorderDelays, Scenario, sustainment_defaults
from mobility.schema import DATA_MODES
from mobility.settings import BINDING_SHARE as BINDING
from mobility.unit_profiles import load_unit_profiles

#: Fraction of a formation that counts as "closed" when reading closing days back.
CLOSED = 0.999
#: In the plan, a troop closed by a report day counts this many times the horizon's days
#: more than its troop-days: the plan reaches each day's most where that costs little later.
REPORT_DAY_WEIGHT = 10
#: Variants solved for every run: (name, fleets limited).
VARIANTS = (("fleets", True), ("unlimited lift", False))

#: Tonnes of supplies in one LP item, and troop-days in one unit of the consumption
#: columns: thousands keep the sustainment rows' coefficients near 1 (HiGHS took 40 times
#: longer on the plan with tonnes and troop-days).
SUPPLY_ITEM_T = 1000.0
TROOP_DAYS_UNIT = 1000.0
#: Cargo classes that count troops (a formation's personnel, the stress case's troops).
TROOP_CLASSES = frozenset({"personnel", "troops"})


@dataclass(frozen=True)
class Group:
    """A formation line of the force list, or an origin of the stress case (a stream)."""

    id: str
    name: str
    nation: str
    profile: str
    troops: float  # troops when the whole group has closed (finite groups)
    items: dict[str, float]  # cargo class -> items: profile instances (finite groups)
    troops_per_item: dict[str, float]  # cargo class -> troops one item carries
    rate_per_h: float | None  # stream: items (troops) dispatched at most per hour
    ready_h: float
    home: str
    destinations: tuple[str, ...]
    routes: tuple[Route, ...]
    supply: bool = False  # supplies for the sustainment (tonnes), not a formation
    #: cargo class -> (vehicles, troops, tonnes) one item counts at a reception limit
    measures: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class FleetModel:
    """A scenario placed for the fleet engine: movement graph, groups with routes, fleets."""

    graph: nx.MultiDiGraph
    scenario: Scenario
    movement: MovementGraph
    groups: list[Group]
    fleets: FleetFile | None
    later_changes: list[tuple[int, float, float]]
    reception_per_day: dict[str, float]
    force_name: str
    cut_off: list  # (formation, troops, why) of formations that cannot arrive at all
    #: (tonnes per troop-day carried, days of supply carried) when sustainment is modelled
    sustainment: tuple[float, float] | None = None
    #: (node id, measure, per day) of the scenario's reception limits
    reception: tuple[tuple[str, str, float], ...] = ()
    #: sustainment planned after the forces: the supply groups carried on the lift the
    #: forces' plan leaves, and their (tonnes per troop-day, days carried)
    supplies_after: tuple[Group, ...] = ()
    sustainment_after: tuple[float, float] | None = None

    @property
    def finite(self) -> bool:
        """A force list (formations that close), not the stress case's streams."""
        return self.groups[0].rate_per_h is None

    @property
    def total_troops(self) -> float:
        """Troops of the formations that can arrive (infinite for the stress case)."""
        return sum(g.troops for g in self.groups) if self.finite else math.inf

    @property
    def group_of(self) -> np.ndarray:
        """Group index of each route, routes numbered group by group."""
        return np.repeat(np.arange(len(self.groups)), [len(g.routes) for g in self.groups])


# --- placing a scenario ------------------------------------------------------------------


def build_fleet_model(graph: nx.MultiDiGraph, scenario: Scenario) -> FleetModel:
    """Resolve the scenario's force list (or origins), fleets and changes on ``graph``."""
    where = scenario.source_file or f"scenario '{scenario.name}'"
    origins, destinations = resolve_ends(graph, scenario, where)
    static, later = capacity_changes(graph, scenario, where)
    movement = scenario_movement(graph, scenario, origins, static)
    no_delays = scenario_movement(graph, scenario.model_copy(
        update={"border_delays": BorderDelays(default_h=0.0)}), origins, static)
    countries = {n: str(d["country"]) for n, d in graph.nodes(data=True)}
    transfers = frozenset(n for n, d in graph.nodes(data=True) if d.get("kind") == "gauge_transfer")
    search = np.asarray(no_delays.transit_h, dtype=float)
    planner = RoutePlanner(movement, countries, BALTIC_STATES, search_transit=search,
                           transfers=transfers,
                           before_phases=_before_phases(graph, movement, search))
    cut_off: list = []
    reception = {node: d.reception_troops_per_day
                 for node, d in zip(destinations, scenario.destinations, strict=True)}
    supplies: list[Group] = []
    if scenario.forces is not None:
        with field_of(where, "forces"):
            forces = load_force_list(scenario.forces, relative_to=scenario.source_file)
        lead_days = scenario.permissions.lead()[0] if scenario.permissions is not None else 0.0
        groups = _formation_groups(graph, forces, tuple(destinations), planner, cut_off,
                                   lead_days)
        with field_of(where, "fleets"):
            fleets = load_fleets(scenario.fleets, relative_to=scenario.source_file) \
                if scenario.fleets is not None else None
        name = forces.name
        if scenario.sustainment is not None:
            supplies = _supply_groups(graph, scenario, tuple(destinations), planner, where,
                                      lead_days)
    else:
        groups = _stream_groups(scenario, origins, tuple(destinations), planner, where)
        fleets, name = None, "origins (unlimited stress case)"
    sustainment = None if scenario.sustainment is None else (
        scenario.sustainment.tonnes_per_troop_day(), scenario.sustainment.carried_days())
    after = scenario.sustainment is not None and scenario.sustainment.planned == "after_forces"
    if scenario.sustainment is not None and not after:
        groups += supplies
    limits = tuple((resolve_entry(graph, r.node, where, f"reception.{i}.node"), measure, value)
                   for i, r in enumerate(scenario.reception)
                   for measure, value in r.limits().items())
    for node, measure, _ in limits:
        if measure == "staging" and node not in reception:
            raise ScenarioError(
                f"{where}: field 'reception' = {graph.nodes[node]['name']!r}: staging space "
                "is held at an assembly area; valid: " + ", ".join(
                    str(graph.nodes[d]["name"]) for d in reception))
    return FleetModel(graph, scenario, movement, groups, fleets,
                      later_arc_changes(movement, later), reception, name, cut_off,
                      None if after else sustainment, limits,
                      tuple(supplies) if after else (), sustainment if after else None)


def _before_phases(graph: nx.MultiDiGraph, movement, search: np.ndarray) -> np.ndarray | None:
    """Search hours per arc as the network stood before its phases (None: it has none):
    a new line closed, an upgraded line at its predecessor's hours."""
    replaced = graph.graph.get("replaced_transit_h", {})
    hours_of = {key: data["transit_h"] for _, _, key, data in graph.edges(keys=True, data=True)
                if data.get("phase")}  # the phases' edges
    if not hours_of:
        return None
    before = search.copy()
    for arc, (kind, ref) in enumerate(zip(movement.kind, movement.ref, strict=True)):
        if kind == "edge" and ref in hours_of:
            before[arc] = search[arc] * replaced[ref] / hours_of[ref] if ref in replaced \
                else np.inf
    return before


def _supply_groups(graph, scenario: Scenario, destinations: tuple[str, ...],
                   planner: RoutePlanner, where: str, lead_days: float) -> list[Group]:
    """One group per supply base: supplies (tonnes, unlimited at the base) with routes to
    every assembly area; each assembly area must be reachable from some base."""
    found = scenario.sustainment
    assert found is not None
    defaults = sustainment_defaults()
    kinds = {p.kind_name: p.kind for p in load_unit_profiles().values()}
    rules = CargoRules.supply(defaults["tonnes_per"], kinds[defaults["handling_like"]],
                              SUPPLY_ITEM_T)
    modes = tuple(defaults["modes"])
    groups = []
    for i, base in enumerate(found.base_nodes()):
        named = f"sustainment.bases.{i}" if found.bases else "sustainment (default bases)"
        home = resolve_entry(graph, base, where, named)
        routes = tuple(planner.routes(home, destinations, rules, modes))
        reached = tuple(d for d in destinations if any(r.destination == d for r in routes))
        crosses = any(graph.nodes[home]["country"] != graph.nodes[d]["country"]
                      for d in reached)
        groups.append(Group(f"supply-{home}", f"supplies from {graph.nodes[home]['name']}", "",
                            "supply", 0.0, {"supply": math.inf}, {"supply": 0.0}, None,
                            (lead_days if crosses else 0.0) * 24, home, reached, routes,
                            supply=True, measures={"supply": {"tonnes": SUPPLY_ITEM_T}}))
    for dest in destinations:
        if not any(dest in g.destinations for g in groups):
            msg = (f"{where}: field 'sustainment': no supply base can reach "
                   f"{graph.nodes[dest]['name']} by {'/'.join(modes)} on this network; "
                   "give 'sustainment.bases' that can")
            raise InfeasibleError(msg)
    return groups


def _formation_groups(graph, forces: ForceList, destinations: tuple[str, ...],
                      planner: RoutePlanner, cut_off: list, lead_days: float = 0.0
                      ) -> list[Group]:
    """Groups with their routes; formations that cannot reach any assembly area (a closed
    corridor, modes that do not exist) go to ``cut_off`` as (formation, troops, why). A
    formation that crosses a border starts no earlier than ``lead_days`` (permissions)."""
    where = forces.source_file or forces.name
    profiles = load_unit_profiles()
    kinds = {p.kind_name: p.kind for p in profiles.values()}
    groups = []
    for i, f in enumerate(forces.formations):
        home = resolve_entry(graph, f.home, where, f"formations.{i}.home")
        profile = profiles[f.profile]
        rules = {cargo: found for cargo in ("vehicles", "personnel")
                 if (found := CargoRules.for_profile(profile, cargo, kinds)) is not None}
        wanted = _nearest(planner, home, destinations, rules, f.modes) \
            if f.destination == "any" else (
            resolve_entry(graph, f.destination, where, f"formations.{i}.destination"),)
        routes: list[Route] = []
        for cargo_rules in rules.values():
            routes += planner.routes(home, wanted, cargo_rules, f.modes)
        reachable = [d for d in wanted if all(any(r.destination == d and r.cargo == c
                                                  for r in routes) for c in rules)]
        if not reachable:
            missing = [c for c in rules if not any(r.cargo == c for r in routes)] or list(rules)
            cut_off.append((f, float(profile.size.troops * f.count),
                            f"its {' and '.join(missing)} cannot reach {' or '.join(wanted)} "
                            f"from {home} with modes {list(f.modes)}"))
            continue
        crosses = any(graph.nodes[home]["country"] != graph.nodes[d]["country"]
                      for d in reachable)
        ready_day = max(f.ready_day, lead_days) if crosses else f.ready_day
        groups.append(Group(f.id, f.name or f.id, f.nation, f.profile,
                            float(profile.size.troops * f.count),
                            dict.fromkeys(rules, float(f.count)),
                            {"personnel": float(profile.size.troops), "vehicles": 0.0},
                            None, ready_day * 24, home, tuple(reachable),
                            tuple(r for r in routes if r.destination in reachable),
                            measures={"vehicles": {"vehicles": float(profile.size.tracked
                                                                     + profile.size.wheeled)},
                                      "personnel": {"troops": float(profile.size.troops)}}))
    if not groups:
        raise InfeasibleError(f"{where}: no formation can reach an assembly area on this "
                              f"network: {cut_off[0][0].id}: {cut_off[0][2]}")
    return groups


#: A formation sent to "any" assembly area goes to the nearest this many (by its slowest
#: cargo class); 2 lets the LP choose between two at about 1.5 times the solve time.
ANY_NEAREST = 1


def _nearest(planner: RoutePlanner, home: str, destinations: tuple[str, ...],
             rules: dict[str, CargoRules], modes: tuple[str, ...]) -> tuple[str, ...]:
    """The assembly areas nearest to ``home`` by the formation's slowest cargo class."""
    hours = [planner.fastest_h(home, destinations, r, modes) for r in rules.values()]
    slowest = {d: max(h[d] for h in hours) for d in destinations if all(d in h for h in hours)}
    ranked = sorted(slowest, key=lambda d: (slowest[d], d))
    return tuple(ranked[:ANY_NEAREST]) or destinations


def _stream_groups(scenario: Scenario, origins: list[str], destinations: tuple[str, ...],
                   planner: RoutePlanner, where: str) -> list[Group]:
    rules = CargoRules.blended(scenario.troops_per_unit())
    groups = []
    for i, (node, origin) in enumerate(zip(origins, scenario.origins, strict=True)):
        exits = None if "road" in origin.modes else tuple(origin.modes)
        # An origin that loads (no road march) enters through its gate, as in the exact model.
        routes = planner.routes(node, destinations, rules, DATA_MODES,
                                start_layer=ROAD if exits is None else GATE_IN,
                                exit_modes=exits)
        if not routes:
            raise InfeasibleError(f"{where}: field 'origins.{i}.node' = {origin.node!r}: no "
                                  "destination can be reached from it on this network")
        groups.append(Group(f"origin-{i}", f"{node} ({'/'.join(origin.modes)})", "", "troops",
                            0.0, {"troops": math.inf}, {"troops": 1.0},
                            origin.troops_per_day / 24, 0.0, node, destinations,
                            tuple(routes), measures={"troops": {"troops": 1.0}}))
    return groups


# --- the time grid and its exact period integrals ----------------------------------------


#: The period length doubles after each of these days (fine early, when the targets of
#: days 10 and 30 fall; coarser later, when the curve is smooth): ``step_h`` to day 10,
#: twice that to day 30, four times to day 90, eight times after.
STRETCH_DAYS = (10, 30, 90)


def time_grid(horizon_h: float, step_h: float, marks_h=()) -> np.ndarray:
    """Period boundaries: ``step_h`` to day 10, then doubling at each of
    :data:`STRETCH_DAYS` (day 30, day 90), and every time in ``marks_h`` (the report days).

    Changes inside a period are exact where they start a dispatch (a ready time clips the
    period's dispatch window) and time-averaged over the period where they change a
    capacity or a fleet (the constraint holds for the period's average)."""
    marks, t, step = [0.0], 0.0, step_h
    for stretch_h in [d * 24 for d in STRETCH_DAYS] + [math.inf]:
        while t < min(stretch_h, horizon_h) - 1e-9:
            t = min(t + step, stretch_h, horizon_h)
            marks.append(t)
        step *= 2
    uniform = np.array(marks)
    extra = [h for h in marks_h if 0 < h < horizon_h]
    grid = np.unique(np.concatenate([uniform, extra, [0.0, horizon_h]]))
    keep = np.concatenate([[True], np.diff(grid) > 1e-6])
    return grid[keep]


def _grid_words(step_h: float) -> str:
    """:func:`time_grid`'s periods in words: "12 h to day 10, 24 h to day 30, …"."""
    parts, step, start = [], step_h, 0
    for end in STRETCH_DAYS:
        parts.append(f"{step:g} h to day {end}")
        step, start = step * 2, end
    return ", ".join(parts) + f", {step:g} h after day {start}; report days are boundaries"


def _periods(grid: np.ndarray, first_h: np.ndarray, last_h: np.ndarray):
    """For intervals [first_h, last_h) (one per column), yield (columns, period) for every
    period of ``grid`` each overlaps, one step of periods at a time."""
    n_periods = len(grid) - 1
    first = np.searchsorted(grid, first_h, side="right") - 1
    last = np.searchsorted(grid, last_h, side="left") - 1
    for step in range(int((last - first).max(initial=0)) + 1):
        period = first + step
        ok = (period <= last) & (period >= 0) & (period < n_periods)
        if ok.any():
            idx = np.flatnonzero(ok)
            yield idx, period[idx]


def _spread(grid: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """For boxes [lo, hi) (one per dispatch period), the periods they overlap and the
    overlap as a fraction of the box: yields (index into boxes, period, fraction)."""
    for idx, p in _periods(grid, lo, hi):
        overlap = np.minimum(hi[idx], grid[p + 1]) - np.maximum(lo[idx], grid[p])
        yield idx, p, np.clip(overlap, 0, None) / (hi[idx] - lo[idx])


def _busy_average(grid: np.ndarray, lo: np.ndarray, hi: np.ndarray, start: np.ndarray,
                  busy: np.ndarray):
    """Average carriers in use over each period per item dispatched uniformly in [lo, hi),
    each item keeping a carrier from ``start`` for ``busy`` hours after dispatch (one of
    each per box).

    In use at time τ: |[lo, hi) ∩ (τ − start − busy, τ − start]| / (hi − lo); its integral
    over a period [t0, t1) is a sum of four ramp integrals Q(x) = max(x, 0)²/2.
    """
    def q(x):
        return np.where(x > 0, x * x / 2, 0.0)

    for idx, p in _periods(grid, lo + start, hi + start + busy):
        t0, t1 = grid[p], grid[p + 1]

        def integral(k, t0=t0, t1=t1):
            return q(t1 - k) - q(t0 - k)

        a, b, s, u = lo[idx], hi[idx], start[idx], busy[idx]
        area = integral(s + a) - integral(s + b) - integral(s + u + a) + integral(s + u + b)
        yield idx, p, area / ((b - a) * (t1 - t0))


# --- building and solving the LP ---------------------------------------------------------


@dataclass
class _Columns:
    route_of: np.ndarray  # per x column: route index
    period_of: np.ndarray  # per x column: dispatch period
    x: np.ndarray  # column ids of x
    lo: np.ndarray  # dispatch window of each x column, hours
    hi: np.ndarray
    cumulative: dict[tuple[int, str, str], np.ndarray]  # (group, class, dest) -> C columns
    closed: dict[tuple[int, str], np.ndarray]  # (group, dest) -> z columns
    #: dest -> troop-days consumed there by each period end (TROOP_DAYS_UNIT), sustainment
    troop_days: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class _Rows:
    capacity: dict[int, np.ndarray]  # arc -> rows per period
    capacity_rhs: dict[int, np.ndarray]
    fleet: dict[str, np.ndarray]
    fleet_rhs: dict[str, np.ndarray]
    reception: dict[str, np.ndarray] = field(default_factory=dict)  # "node:measure" -> rows
    reception_rhs: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class _Background:
    """What a plan already uses in each period of its grid, for an LP solved on what it
    leaves (the supplies planned after the forces)."""

    capacity: dict[int, np.ndarray]  # arc -> units entering in each period
    fleet: dict[str, np.ndarray]  # carrier -> carriers in use (period average)
    reception: dict[str, np.ndarray]  # "node:measure" -> counted in each period
    troops: dict[str, np.ndarray]  # assembly area -> troops arrived by each period end
    troop_days: dict[str, np.ndarray]  # assembly area -> troop-days (TROOP_DAYS_UNIT)


def _solve_variant(model: FleetModel, grid: np.ndarray, *, fleets_limited: bool,
                   extra_fleet: dict[str, float] | None = None,
                   extra_capacity: dict[int, float] | None = None, solver: str = "highs",
                   final_only: bool = False, day_weights: dict[int, float] | None = None,
                   background: _Background | None = None):
    """Build and solve the closure LP on ``grid``.

    The objective is troops closed x days (the plan), or with ``final_only`` the troops
    closed by the grid's last time (the most that can close by then). ``day_weights``
    adds days of weight to the troops closed by the end of a period. On a ``background``
    (supplies after the forces): the capacity, lift and reception it leaves, its troops'
    consumption, and the least shortfall of supplies as the objective."""
    groups = model.groups
    routes = [r for g in groups for r in g.routes]
    group_of = model.group_of
    starts, ends = grid[:-1], grid[1:]
    widths = ends - starts
    n_periods = len(starts)
    horizon_h = grid[-1]
    lp = SparseLP()
    # x columns: dispatch periods after the ready day, arriving within the horizon.
    route_cols, period_cols = [], []
    ready_of = np.array([groups[g].ready_h for g in group_of])
    for r, route in enumerate(routes):
        ok = np.flatnonzero((ends > ready_of[r] + 1e-6) &
                            (np.maximum(starts, ready_of[r]) + route.lead_h < horizon_h))
        route_cols.append(np.full(len(ok), r))
        period_cols.append(ok)
    route_of = np.concatenate(route_cols).astype(np.int64) if routes else np.zeros(0, int)
    period_of = np.concatenate(period_cols).astype(np.int64) if routes else np.zeros(0, int)
    x = lp.add_columns(len(route_of))
    # Each column dispatches uniformly over its period, from the ready time if that is later.
    lo, hi = np.maximum(starts[period_of], ready_of[route_of]), ends[period_of]

    # Arrivals: C[g, c, d, t] = items of class c of group g at d by the end of period t.
    cumulative: dict[tuple[int, str, str], np.ndarray] = {}
    closed: dict[tuple[int, str], np.ndarray] = {}
    weight = widths / 24.0 if not final_only else np.r_[np.zeros(n_periods - 1), 1.0]
    for period, days in (day_weights or {}).items():
        weight = weight.copy()
        weight[period] += days
    for gi, group in enumerate(groups):
        for dest in group.destinations:
            for cargo in group.items:
                stream = group.rate_per_h is not None
                cumulative[(gi, cargo, dest)] = lp.add_columns(
                    n_periods, objective=weight if stream else 0.0)
            if group.rate_per_h is None and not group.supply:
                closed[(gi, dest)] = lp.add_columns(n_periods, upper=1.0,
                                                    objective=weight * group.troops)
    lead = np.array([r.lead_h for r in routes])[route_of] if routes else np.zeros(0)
    arrival_rows: dict[tuple[int, str, str], np.ndarray] = {}
    for key, cols in cumulative.items():
        rows = lp.add_rows(n_periods, lower=0.0, upper=0.0)
        arrival_rows[key] = rows
        lp.add_terms(rows, cols, 1.0)
        lp.add_terms(rows[1:], cols[:-1], -1.0)
    route_key = [(int(group_of[r]), route.cargo, route.destination)
                 for r, route in enumerate(routes)]
    for idx, p, frac in _spread(grid, lo + lead, hi + lead):
        rows = np.array([arrival_rows[route_key[r]][0] for r in route_of[idx]]) + p
        lp.add_terms(rows, x[idx], -frac)
    # Closure: z[g, d, t] · items ≤ C[g, c, d, t] for every class; Σ_d z ≤ 1.
    for (gi, dest), zcols in closed.items():
        for cargo, n_items in groups[gi].items.items():
            rows = lp.add_rows(n_periods, upper=0.0)
            lp.add_terms(rows, zcols, n_items)
            lp.add_terms(rows, cumulative[(gi, cargo, dest)], -1.0)
    for gi, group in enumerate(groups):
        if group.rate_per_h is None and not group.supply and len(group.destinations) > 1:
            rows = lp.add_rows(n_periods, upper=1.0)
            for dest in group.destinations:
                lp.add_terms(rows, closed[(gi, dest)], 1.0)
    # Items available.
    cargo_of = np.array([r.cargo for r in routes])[route_of] if routes else np.zeros(0, str)
    for gi, group in enumerate(groups):
        in_group = group_of[route_of] == gi
        if group.rate_per_h is not None:
            rows = lp.add_rows(n_periods, upper=group.rate_per_h * widths)
            sel = np.flatnonzero(in_group)
            lp.add_terms(rows[period_of[sel]], x[sel], 1.0)
            continue
        for cargo, n_items in group.items.items():
            if not math.isfinite(n_items):
                continue
            sel = np.flatnonzero(in_group & (cargo_of == cargo))
            row = lp.add_rows(1, upper=n_items)
            lp.add_terms(np.full(len(sel), row[0]), x[sel], 1.0)
    # Reception at the assembly areas (troops a day).
    for dest, per_day in model.reception_per_day.items():
        keys = [k for k in cumulative if k[2] == dest and k[1] in TROOP_CLASSES]
        if not keys:
            continue
        rows = lp.add_rows(n_periods, upper=per_day * widths / 24)
        for key in keys:
            lp.add_terms(rows, cumulative[key], 1.0)
            lp.add_terms(rows[1:], cumulative[key][:-1], -1.0)
    troop_days = _sustainment_rows(model, lp, cumulative, widths, background) \
        if model.sustainment is not None else {}
    # Capacity of every arc with a finite capacity, per period.
    capacity_rows, capacity_rhs = _capacity_rows(model, lp, routes, route_of, x, lo, hi, grid,
                                                 extra_capacity or {}, background)
    reception_rows = _reception_rows(model, lp, routes, route_of, x, lo, hi, grid, background)
    reception_rows |= _staging_rows(model, lp, cumulative, closed, grid)
    fleet_rows, fleet_rhs = {}, {}
    if fleets_limited and model.fleets is not None:
        fleet_rows, fleet_rhs = _fleet_rows(model, lp, routes, route_of, x, lo, hi, grid,
                                            extra_fleet or {}, background)
    # The most by a day is one number: HiGHS's primal simplex finds it 1-4 times faster
    # than its dual (19 such LPs of the baseline: 11.5 s against 6.4 s); the plan keeps the
    # dual simplex, whose optimal plan the tables show.
    solution = lp.solve(solver, primal_first=final_only)
    columns = _Columns(route_of, period_of, x, lo, hi, cumulative, closed, troop_days)
    return solution, columns, _Rows(capacity_rows, capacity_rhs, fleet_rows, fleet_rhs,
                                    {k: v[0] for k, v in reception_rows.items()},
                                    {k: v[1] for k, v in reception_rows.items()}), routes


def _sustainment_rows(model: FleetModel, lp: SparseLP, cumulative: dict,
                      widths: np.ndarray, background: _Background | None = None
                      ) -> dict[str, np.ndarray]:
    """Stock at each assembly area never below zero at a period's end: supplies delivered
    + days carried x tonnes a troop-day x troops arrived - tonnes a troop-day x troop-days.
    Returns the troop-days columns of each assembly area. On a ``background`` its troops
    and troop-days are given, and a shortfall column of each period (least is best) keeps
    the LP feasible where the supplies cannot keep up."""
    assert model.sustainment is not None
    per_troop_day, carried = model.sustainment
    per_troop_day_items = per_troop_day / SUPPLY_ITEM_T * TROOP_DAYS_UNIT  # items a unit
    n = len(widths)
    found: dict[str, np.ndarray] = {}
    if background is not None:
        for dest, arrived in background.troops.items():
            need = per_troop_day_items * background.troop_days[dest] \
                - per_troop_day / SUPPLY_ITEM_T * carried * arrived
            stock = lp.add_rows(n, lower=need)
            lp.add_terms(stock, lp.add_columns(n, objective=-1.0), 1.0)  # shortfall
            for k, cols in cumulative.items():
                if k[2] == dest and k[1] == "supply":
                    lp.add_terms(stock, cols, 1.0)
        return found
    for dest in model.reception_per_day:
        troops = [(cols, model.groups[k[0]].troops_per_item[k[1]])
                  for k, cols in cumulative.items()
                  if k[2] == dest and k[1] in TROOP_CLASSES]
        supplies = [cols for k, cols in cumulative.items() if k[2] == dest and k[1] == "supply"]
        if not troops:
            continue
        troop_days = found[dest] = lp.add_columns(n)
        rows = lp.add_rows(n, lower=0.0, upper=0.0)
        lp.add_terms(rows, troop_days, 1.0)
        lp.add_terms(rows[1:], troop_days[:-1], -1.0)
        stock = lp.add_rows(n, lower=0.0)
        lp.add_terms(stock, troop_days, -per_troop_day_items)
        for cols, per in troops:
            lp.add_terms(rows, cols, -per * widths / 48 / TROOP_DAYS_UNIT)
            lp.add_terms(rows[1:], cols[:-1], -per * widths[1:] / 48 / TROOP_DAYS_UNIT)
            lp.add_terms(stock, cols, per_troop_day / SUPPLY_ITEM_T * carried * per)
        for cols in supplies:
            lp.add_terms(stock, cols, 1.0)
    return found


def _limit_words(measure: str) -> tuple[str, str, str]:
    """(what limits, its unit, after a value in the notes) of a reception limit's measure:
    ``staging`` is troops held at once, the others a day."""
    if measure == "staging":
        return ("staging", "troops at once",
                "troops of staging space (closed, not yet combat-ready)")
    return "reception", f"{measure} a day", f"{measure} a day"


def _staging_rows(model, lp, cumulative: dict, closed: dict, grid: np.ndarray) -> dict:
    """Rows of each staging space: troops at the assembly area at each period's end that are
    not yet combat-ready (arrived, less those closed ``integration_days`` before, read on
    the grid between its two times), at most the space."""
    ends = grid[1:]
    ready_by = ends - model.scenario.integration_days * 24
    at = np.searchsorted(grid, ready_by, side="right") - 1  # grid[at] <= ready_by
    found = {}
    for node, measure, space in model.reception:
        if measure != "staging":
            continue
        rows = lp.add_rows(len(ends), upper=space)
        found[f"{node}:staging"] = (rows, np.full(len(ends), space))
        for (gi, cargo, dest), cols in cumulative.items():
            if dest == node and cargo in TROOP_CLASSES:
                lp.add_terms(rows, cols, model.groups[gi].troops_per_item[cargo])
        for (gi, dest), zcols in closed.items():
            if dest != node:
                continue
            troops = model.groups[gi].troops
            for p in np.flatnonzero(ready_by > 0):
                k = int(at[p])
                share = (ready_by[p] - grid[k]) / (grid[k + 1] - grid[k])
                if k >= 1:  # closed by grid[k]: the column of the period ending there
                    lp.add_terms(rows[p:p + 1], zcols[k - 1:k], -troops * (1 - share))
                lp.add_terms(rows[p:p + 1], zcols[k:k + 1], -troops * share)
    return found


def _reception_rows(model, lp, routes, route_of, x, lo, hi, grid, background=None) -> dict:
    """Rows of each reception limit: items reaching the node (its gate, or arriving there)
    in each period, counted in the limit's measure, at most the limit a day (less what a
    ``background`` counts there)."""
    widths = np.diff(grid)
    cols_of_route = _columns_by_route(route_of, len(routes))
    group_of = model.group_of
    mg = model.movement
    found = {}
    for node, measure, per_day in model.reception:
        if measure == "staging":  # troops at once, not a day: _staging_rows
            continue
        rhs = _left(per_day * widths / 24, background and background.reception,
                    f"{node}:{measure}")
        rows = lp.add_rows(len(widths), upper=rhs)
        found[f"{node}:{measure}"] = (rows, rhs)
        for r, route in enumerate(routes):
            count = model.groups[group_of[r]].measures.get(route.cargo, {}).get(measure, 0.0)
            cols = cols_of_route[r]
            if not count or not len(cols):
                continue
            at = [a for a, arc in enumerate(route.arcs)
                  if mg.kind[arc] == "gate" and mg.ref[arc] == node]
            if at:
                enter = float(route.enter_h[at[0]])
            elif route.destination == node:
                enter = float(route.lead_h)
            else:
                continue
            for idx, p, frac in _spread(grid, lo[cols] + enter, hi[cols] + enter):
                lp.add_terms(rows[p], x[cols[idx]], count * frac)
    return found


def _left(rhs: np.ndarray, used: dict | None, key) -> np.ndarray:
    """A row's limit less what a background uses of it (never below zero)."""
    return rhs if not used or key not in used else np.maximum(rhs - used[key], 0.0)


def _capacity_rows(model, lp, routes, route_of, x, lo, hi, grid, extra, background=None,
                   arcs=None):
    """Rows of each arc's capacity in each period (of the arcs that can bind, or ``arcs``;
    on a ``background`` every arc: what it leaves differs from period to period)."""
    mg = model.movement
    # with a marginal re-solve's one more unit: the arcs that can bind depend on it (an arc
    # beside one of equal capacity on the same routes gains nothing alone)
    cap_day = np.array(mg.capacity_per_day, dtype=float)
    for arc, more in extra.items():
        cap_day[arc] += more
    factor_of: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for arc, from_h, factor in model.later_changes:
        factor_of[arc].append((from_h, factor))
    # Terms per arc: (x column index, entry offset, use per item).
    by_arc: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for r, route in enumerate(routes):
        for arc, enter, use in zip(route.arcs, route.enter_h, route.use, strict=True):
            if use > 0 and np.isfinite(cap_day[arc]):
                by_arc[int(arc)].append((r, float(enter), float(use)))
    starts, widths = grid[:-1], np.diff(grid)
    cols_of_route = _columns_by_route(route_of, len(routes))
    rows_by_arc, rhs_by_arc = {}, {}
    terms: list[tuple[int, int, float, float]] = []  # (first row, route, entry, use)
    if arcs is None:
        arcs = by_arc if background is not None else _undominated(by_arc, cap_day, factor_of)
    for arc in sorted(a for a in arcs if a in by_arc):
        factor = _factor_average(grid, factor_of.get(arc, ()))
        rhs = _left(cap_day[arc] * factor * widths / 24, background and background.capacity,
                    arc)
        rows = lp.add_rows(len(starts), upper=rhs)
        rows_by_arc[arc], rhs_by_arc[arc] = rows, rhs
        terms += [(int(rows[0]), r, enter, use) for r, enter, use in by_arc[arc]]
    first_row, cols, (offset, use) = _per_column(terms, cols_of_route, 2)
    for idx, p, frac in _spread(grid, lo[cols] + offset, hi[cols] + offset):
        lp.add_terms(first_row[idx] + p, x[cols[idx]], use[idx] * frac)
    return rows_by_arc, rhs_by_arc


def _per_column(terms: list[tuple], cols_of_route: list[np.ndarray], n_values: int
                ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Terms (first row, route, then ``n_values`` values) expanded to one entry per x column
    of the route: the first rows, the columns, and the arrays of each value."""
    table = list(zip(*terms, strict=True)) if terms else [()] * (2 + n_values)
    counts = np.array([len(cols_of_route[r]) for r in table[1]], dtype=np.int64)
    cols = np.concatenate([cols_of_route[r] for r in table[1]] or [np.zeros(0, np.int64)])
    first_row = np.repeat(np.array(table[0], dtype=np.int64), counts)
    return first_row, cols, [np.repeat(np.array(v, dtype=float), counts) for v in table[2:]]


def _columns_by_route(route_of: np.ndarray, n_routes: int) -> list[np.ndarray]:
    """The x columns of each route."""
    order = np.argsort(route_of, kind="stable")
    bounds = np.searchsorted(route_of[order], np.arange(n_routes + 1))
    return [order[bounds[r]:bounds[r + 1]] for r in range(n_routes)]


def _factor_average(grid: np.ndarray, changes) -> np.ndarray:
    """Time-average over each period of the product of the factors in force."""
    cuts = np.unique(np.concatenate([grid, [h for h, _ in changes if 0 < h < grid[-1]]]))
    mids = (cuts[:-1] + cuts[1:]) / 2
    value = np.ones(len(mids))
    for from_h, f in changes:
        value[mids >= from_h] *= f
    period = np.searchsorted(grid, mids, side="right") - 1
    total = np.zeros(len(grid) - 1)
    np.add.at(total, period, value * np.diff(cuts))
    return total / np.diff(grid)


def _undominated(by_arc, cap_day, factor_of) -> list[int]:
    """Arcs whose capacity can bind: of arcs used by the same routes at the same relative
    times and in proportion, only the tightest static one needs a constraint.

    A relaxation where a shifted arc's periods straddle the tighter one's: in the baseline a
    day's use then exceeds the capacity on 3 edge-days in the first 30 (Tartu->Tapa 108 % on
    day 29, Trakiszki->Mockava 101 % on days 26-27; day 30 overstated by 13 troops of
    129,808). A row for every arc removes that, but the sustainment LP (baseline-sustained)
    then fails in both solvers (HiGHS NOT_SOLVED, GLOP ABNORMAL), so the rows stay merged."""
    best: dict[tuple, tuple[float, int]] = {}
    kept = []
    for arc, terms in by_arc.items():
        if arc in factor_of:
            kept.append(arc)
            continue
        _, enter0, use0 = terms[0]
        key = tuple((r, round(enter - enter0, 6), round(use / use0, 9)) for r, enter, use in terms)
        tight = cap_day[arc] / use0
        if key not in best or tight < best[key][0]:
            best[key] = (tight, arc)
    return kept + [arc for _, arc in best.values()]


def _available_average(fleets: FleetFile, carrier: str, grid: np.ndarray) -> np.ndarray:
    """Carriers available, averaged over each period (tranches may arrive mid-period)."""
    days = [d * 24 for d in fleets.change_days() if 0 < d * 24 < grid[-1]]
    cuts = np.unique(np.concatenate([grid, days]))
    mids = (cuts[:-1] + cuts[1:]) / 2
    value = np.array([fleets.available(carrier, m / 24) for m in mids])
    period = np.searchsorted(grid, mids, side="right") - 1
    total = np.zeros(len(grid) - 1)
    np.add.at(total, period, value * np.diff(cuts))
    return total / np.diff(grid)


def _fleet_rows(model, lp, routes, route_of, x, lo, hi, grid, extra, background=None):
    fleets = model.fleets
    starts = grid[:-1]
    rows_by, rhs_by = {}, {}
    carriers = sorted({leg.carrier for r in routes for leg in r.legs})
    cols_of_route = _columns_by_route(route_of, len(routes))
    terms: list[tuple[int, int, float, float, float]] = []  # (row, route, start, busy, per)
    for carrier in carriers:
        if fleets.available(carrier, math.inf) is None:
            continue  # this fleet type is not limited in the fleet file
        rhs = _left(_available_average(fleets, carrier, grid) + extra.get(carrier, 0.0),
                    background and background.fleet, carrier)
        rows = lp.add_rows(len(starts), upper=rhs)
        rows_by[carrier], rhs_by[carrier] = rows, rhs
        terms += [(int(rows[0]), r, leg.start_h, leg.busy_h, leg.carriers_per_item)
                  for r, route in enumerate(routes) for leg in route.legs
                  if leg.carrier == carrier]
    first_row, cols, (start, busy, per_item) = _per_column(terms, cols_of_route, 3)
    for idx, p, avg in _busy_average(grid, lo[cols], hi[cols], start, busy):
        lp.add_terms(first_row[idx] + p, x[cols[idx]], per_item[idx] * avg)
    return rows_by, rhs_by


# --- reading the solution back -----------------------------------------------------------


@dataclass(frozen=True)
class _Solved:
    solution: LPSolution
    columns: _Columns
    rows: _Rows
    routes: list[Route]

    def closed_troops(self, model: FleetModel) -> np.ndarray:
        """Troops closed (streams: arrived) at each period end."""
        values = self.solution.values
        total = np.zeros(len(next(iter(self.columns.cumulative.values()))))
        for (gi, _dest), cols in self.columns.closed.items():
            total += model.groups[gi].troops * values[cols]
        for (gi, _cargo, _dest), cols in self.columns.cumulative.items():
            if model.groups[gi].rate_per_h is not None:
                total += values[cols]
        return total


def _closed_at(model: FleetModel, solved: _Solved, grid: np.ndarray, day: float) -> float:
    return float(solved.closed_troops(model)[_period_ending(grid, day)])


def most_by(model: FleetModel, grid: np.ndarray, day: float, *, fleets_limited: bool,
            solver: str = "highs", **extra) -> float:
    """The most troops that can have closed by ``day`` (a time of ``grid``): the LP on the
    grid up to that day, maximising what has closed at its end. Less capacity, lift or time
    to get ready can only shrink this LP's feasible set, so this never grows with them."""
    upto = grid[grid <= day * 24 + 1e-6]
    solved = _Solved(*_solve_variant(model, upto, fleets_limited=fleets_limited, solver=solver,
                                     final_only=True, **extra))
    return float(solved.closed_troops(model)[-1])


def most_by_day(model: FleetModel, step_h: float, day: float, solver: str = "highs") -> float:
    """:func:`most_by` with the fleets on a grid of its own ending at ``day`` (any day, not
    only a boundary of the plan's grid)."""
    grid = time_grid(day * 24, step_h, [day * 24])
    return most_by(model, grid, day, fleets_limited=True, solver=solver)


class _MostByDay:
    """:func:`most_by_day` of one model, each day solved once although the searches that
    ask for it run in several threads at once (a later asker waits for the first)."""

    def __init__(self, model: FleetModel, step_h: float, solver: str,
                 known: dict[int, float]) -> None:
        self._solve = partial(most_by_day, model, step_h, solver=solver)
        self._lock = threading.Lock()
        self._answers: dict[float, Future[float]] = {}
        for day, value in {0: 0.0, **known}.items():
            done: Future[float] = Future()
            done.set_result(value)
            self._answers[float(day)] = done

    def __call__(self, day: float) -> float:
        with self._lock:
            answer = self._answers.get(float(day))
            first = answer is None
            if answer is None:
                answer = self._answers[float(day)] = Future()
        if first:
            try:
                answer.set_result(self._solve(day))
            except BaseException as error:
                answer.set_exception(error)
                raise
        return answer.result()


def _plan(model: FleetModel, grid: np.ndarray, report: list[int], *, fleets_limited: bool,
          solver: str, say: Progress) -> tuple[_Solved, dict[int, float]]:
    """A plan, and the most that can close by each report day.

    The plan maximises troops closed x days, with each troop closed by a report day worth
    :data:`REPORT_DAY_WEIGHT` x the horizon's days more (so it reaches each day's most, or
    close to it, where that costs little later). Each day's most is its own LP
    (:func:`most_by`), skipped where the plan has closed every troop by then."""
    total = model.total_troops
    weight = REPORT_DAY_WEIGHT * grid[-1] / 24
    plan = _Solved(*_solve_variant(model, grid, fleets_limited=fleets_limited, solver=solver,
                                   day_weights={_period_ending(grid, d): weight
                                                for d in report}))
    most = {}
    for day in report:
        reached = _closed_at(model, plan, grid, day)
        most[day] = reached
        if reached < total * (1 - 1e-9):
            say(f"the most that can close by day {day}")
            most[day] = max(reached, most_by(model, grid, day, fleets_limited=fleets_limited,
                                             solver=solver))
    return plan, most


def _earliest_day(most: _MostByDay, curve: pd.DataFrame, troops: float,
                  known: dict[int, float]) -> float | None:
    """The first day by which ``troops`` can have closed: the first whole day whose most
    (an LP each, unless ``known``: the report days') reaches it, searched below the whole day
    the plan reaches it (:func:`first_day_reaching`); linear within the last day. None if
    not within the horizon."""
    days, closed = curve["day"].to_numpy(), curve["troops"].to_numpy()
    planned = reached_day(days, closed, troops)
    if planned is None:
        return None
    day = first_day_reaching(most, troops, max(1, math.ceil(planned - 1e-9)), known)
    low, high = most(day - 1), max(most(day), troops)
    within = (troops - low) / (high - low) if high > low else 1.0
    return min(planned, day - 1 + within)


def first_day_reaching(most, troops: float, day: int,
                       known: dict[int, float] | None = None) -> int:
    """The first whole day >= 1 by which ``most(day)`` (never less on a later day) reaches
    ``troops``, given that it does on ``day``.

    The search starts from the bracket that ``known`` values (day -> most) and ``day`` give,
    asks ``day - 1`` first (the usual case: the plan is within a day of the most: one call),
    then the last whole day before the most interpolated linearly between the bracket's
    ends reaches ``troops`` and its neighbour towards the answer; the bracket is halved
    after any step that did not halve it (so few calls where the most grows near linearly,
    and at most about three times the calls of plain halving where it does not)."""
    level = troops * (1 - 1e-9)
    values = {0: 0.0, **(known or {})}

    def value(d: int) -> float:
        if d not in values:
            values[d] = most(d)
        return values[d]

    high = min([day, *(d for d, v in values.items() if 1 <= d < day and v >= level)])
    low = max(d for d, v in values.items() if d < high and v < level)
    if high - low > 1:
        if value(high - 1) < level:
            return high
        high -= 1
    halve = high not in values
    while high - low > 1:
        width = high - low
        if halve or value(high) <= values[low]:
            middle = (low + high) // 2
            low, high = (low, middle) if value(middle) >= level else (middle, high)
        else:  # the interpolated day, then its neighbour towards the answer
            guess = low + (troops - values[low]) / (values[high] - values[low]) * width
            middle = min(high - 1, max(low + 1, math.floor(guess + 1e-9)))
            if value(middle) >= level:
                high = middle
                if middle - 1 > low:
                    low, high = (low, middle - 1) if value(middle - 1) >= level \
                        else (middle - 1, middle)
            else:
                low = middle
                if middle + 1 < high:
                    low, high = (middle, middle + 1) if value(middle + 1) >= level \
                        else (middle + 1, high)
        halve = 2 * (high - low) > width
    return high


def _period_ending(grid: np.ndarray, day: float) -> int:
    return int(np.searchsorted(grid, day * 24 - 1e-6)) - 1


def solve_fleet(model: FleetModel, *, detail: bool = True, progress: Progress | None = None,
                step_h: float | None = None, solver: str = "highs") -> ClosureResult:
    """Fleet-constrained closure of ``model`` (see the module docstring)."""
    say = progress or silent
    scenario = model.scenario
    horizon_h = scenario.horizon_days * 24
    step = step_h or scenario.step_h
    report = report_days(scenario)
    grid = time_grid(horizon_h, step, [d * 24 for d in report])
    variants = VARIANTS if detail and model.finite else VARIANTS[:1]
    say("solving the closure LP (" + ", ".join(name for name, _ in variants) + ")")
    plans = at_once([partial(_plan, model, grid, report, solver=solver, say=say,
                             fleets_limited=limited) for _, limited in variants])
    solved = {name: plan for (name, _), (plan, _) in zip(variants, plans, strict=True)}
    most = {name: by_day for (name, _), (_, by_day) in zip(variants, plans, strict=True)}
    main = solved["fleets"]
    days = np.concatenate([[0.0], grid[1:] / 24])
    curve = pd.DataFrame({"day": days, "troops": np.concatenate([[0.0],
                                                                 main.closed_troops(model)])})
    bounds = {name: np.r_[0.0, s.closed_troops(model)]
              for name, s in solved.items() if name != "fleets"}
    by_day = most["fleets"]
    formations = _formation_table(model, main, grid) if model.finite \
        else pd.DataFrame()
    fleet_use = _fleet_use(model, main, grid)
    binding = _binding(model, main, grid)
    # The targets' earliest days (the largest first: reached latest, their LPs are the
    # largest) and the marginal values are independent re-solves, done together (up to
    # lp_threads at once).
    say("the earliest day of each target" + (", marginal values" if detail and model.finite
                                              else ""))
    wanted = scenario.targets.resolved()
    order = sorted(range(len(wanted)), key=lambda i: -wanted[i].troops)
    resources = _marginal_resources(binding) if detail and model.finite else []
    # Combat-ready by a report day: the most that can have closed integration_days before
    # (an LP each, where the plan has not closed every troop by then), so that it agrees
    # with the targets' combat-ready days (their earliest days + integration_days).
    plan_closed = curve["troops"].to_numpy()
    ready_before = {d: d - scenario.integration_days for d in report
                    if scenario.integration_days and d - scenario.integration_days > 0}
    ready_plan = {d: float(np.interp(s, curve["day"], plan_closed))
                  for d, s in ready_before.items()}
    ready_solve = [d for d in ready_before if ready_plan[d] < model.total_troops * (1 - 1e-9)]
    most_by_a_day = _MostByDay(model, step, solver, by_day)  # shared: a day solved once
    after = [partial(_supplies_after, model, main, grid, solver)] if model.supplies_after \
        else []
    answers: list[Any] = at_once(
        after
        + [partial(_earliest_day, most_by_a_day, curve, wanted[i].troops, by_day)
           for i in order]
        + [partial(most_by_a_day, ready_before[d]) for d in ready_solve]
        + [partial(_marginal_value, model, grid, by_day, b, report, solver)
           for b in resources])
    sustainment = _sustainment_table(model, main, grid)
    if after:
        supplies, background, carried = answers.pop(0)
        sustainment = _sustainment_table(supplies, carried, grid, background)
        fleet_use = _fleet_use_with(fleet_use, _fleet_use(supplies, carried, grid))
    earliest: list[float | None] = [None] * len(wanted)
    for i, day in zip(order, answers[:len(wanted)], strict=True):
        earliest[i] = day
    answers = answers[len(wanted):]
    combat_ready = {d: ready_plan[d] for d in ready_before}
    for d, most_then in zip(ready_solve, answers[:len(ready_solve)], strict=True):
        combat_ready[d] = max(combat_ready[d], most_then)
    marginal: list[dict[str, Any]] = sorted(
        answers[len(ready_solve):],
        key=lambda m: (-sum(m["troops_gained_by_day"].values()), m["resource"]))
    lp = main.solution
    notes = [
        f"force: {model.force_name}; {len(model.groups)} "
        + ("formations" if model.finite else "origins")
        + (f", {sum(g.troops for g in model.groups):,.0f} troops" if
           model.finite else "")
        + (f"; cut off (cannot arrive at all): {len(model.cut_off)} formations, "
           f"{sum(t for _, t, _ in model.cut_off):,.0f} troops" if model.cut_off else ""),
        "a formation counts as closed when all its vehicles and all its troops have reached "
        "its assembly area (partly closed in proportion to its least complete part)",
        f"closure LP (OR-Tools {lp.solver}): {lp.n_cols:,} columns, {lp.n_rows:,} rows, "
        f"{lp.n_nonzeros:,} coefficients, {lp.wall_time_s:.2f} s; {len(grid) - 1} periods "
        f"({_grid_words(step)}); transit times are not rounded; capacities and fleets hold "
        "for each period's total, so a day's use shown is its period's average",
        "carriers return empty over the lines they came by; waiting on the way is not "
        "modelled (forces wait at home instead)",
    ]
    short = max((1 - _closed_at(model, main, grid, d) / by_day[d] for d in report
                 if by_day[d] > 0), default=0.0)
    notes.append("troops by each report day: the most that can have closed by then (an LP "
                 "each); the curve is one plan, " + (
                     "which reaches all of them" if short < 1e-6 else
                     f"which lies up to {short:.1%} below them (closing more by one day "
                     "would close fewer by another)"))
    if bounds:
        notes.append("bound: the same LP with unlimited lift (a relaxation: never less)")
    if model.fleets is None and model.finite:
        notes.append("no fleet file: lift is unlimited (scenario field 'fleets')")
    if model.reception:
        notes.append("reception limits: " + "; ".join(
            f"{model.graph.nodes[n]['name']} {v:,.0f} {_limit_words(m)[2]}"
            for n, m, v in model.reception) + " (counted on the day movements reach the node)")
    if scenario.sustainment is not None and not model.supplies_after:
        notes.append(scenario.sustainment.describe() + "; supplies use the same lift "
                     "(fleet_use: in_use_supply)")
    elif scenario.sustainment is not None:
        notes.append(scenario.sustainment.describe() + ": " + _short_words(sustainment))
    if scenario.permissions is not None:
        lead, source = scenario.permissions.lead()
        delays = scenario.crossings()
        outside = delays.outside_schengen_h if delays.outside_schengen_h is not None \
            else delays.default_h
        notes.append(f"permissions: regime {scenario.permissions.regime}, no cross-border move "
                     f"before day {lead:g} ({source}); ready days shown are the later of "
                     f"readiness and that; {delays.default_h:g} h at each land border "
                     f"crossing inside Schengen, {outside:g} h at its external borders")
    loads = _arc_loads(model, main, grid)
    result_targets = targets(scenario, curve, by_day, earliest)
    return ClosureResult(
        scenario=scenario.name,
        description=scenario.description,
        method="fleet",
        targets_reading=targets_reading(scenario),
        horizon_days=scenario.horizon_days,
        curve=curve,
        targets=result_targets,
        troops_by_day=by_day,
        bottlenecks=_bottlenecks(model, binding, marginal),
        edge_flows=_edge_flows(model, loads),
        transfer_use=_transfer_use(model, loads),
        node_arrivals=_node_arrivals(model, main, grid),
        mode_split=_mode_split(model, main),
        notes=notes,
        source_file=scenario.source_file,
        bounds=pd.DataFrame({"day": days, **bounds}) if bounds else pd.DataFrame(),
        formations=formations,
        fleet_use=fleet_use,
        marginal=marginal,
        bounds_by_day={name: values for name, values in most.items() if name != "fleets"},
        sustainment=sustainment,
        combat_ready_by_day=combat_ready,
    )


def _formation_table(model: FleetModel, solved: _Solved, grid: np.ndarray) -> pd.DataFrame:
    values = solved.solution.values
    ends_day = grid[1:] / 24
    cols = solved.columns
    x_route = cols.route_of
    routes = solved.routes
    rows = []
    group_of_column = model.group_of[x_route]
    for gi, group in enumerate(model.groups):
        if group.supply:
            continue
        closed = sum(values[cols.closed[(gi, d)]] for d in group.destinations)
        arrived = sum(values[cols.cumulative[(gi, c, d)]] for c in group.items
                      for d in group.destinations) / sum(group.items.values())
        sent = values[cols.x] * (group_of_column == gi)
        by_mode: dict[str, float] = defaultdict(float)
        by_embark: dict[str, float] = defaultdict(float)
        by_dest: dict[str, float] = defaultdict(float)
        for col in np.flatnonzero(sent > 1e-9):
            route = routes[x_route[col]]
            weight = sent[col] / group.items[route.cargo]
            by_mode["+".join(m for m in route.modes if m != "road") or "road"] += weight
            if route.embarkation:
                by_embark[model.graph.nodes[route.embarkation]["name"]] += weight
            by_dest[route.destination] += weight
        rows.append({
            "formation": group.id, "name": group.name, "nation": group.nation,
            "profile": group.profile, "troops": group.troops,
            "ready_day": group.ready_h / 24,
            "modes": ", ".join(f"{m} {w / sum(by_mode.values()):.0%}"
                               for m, w in sorted(by_mode.items(), key=lambda i: -i[1])),
            "embarkation": ", ".join(n for n, _ in sorted(by_embark.items(),
                                                          key=lambda i: -i[1])[:2]),
            "destination": max(by_dest, key=by_dest.__getitem__) if by_dest else "",
            "first_arrival_day": _first_day(ends_day, arrived, 0.001),
            "closed_day": _first_day(ends_day, closed, CLOSED),
            "closed_share": float(closed[-1]) if len(closed) else 0.0,
        })
    for formation, troops, why in model.cut_off:
        rows.append({"formation": formation.id, "name": formation.name or formation.id,
                     "nation": formation.nation, "profile": formation.profile, "troops": troops,
                     "ready_day": formation.ready_day, "modes": f"cut off: {why}",
                     "embarkation": "", "destination": "", "first_arrival_day": None,
                     "closed_day": None, "closed_share": 0.0})
    return pd.DataFrame(rows)


def _first_day(days: np.ndarray, share: np.ndarray, level: float) -> float | None:
    hit = np.flatnonzero(share >= level - 1e-9)
    if not len(hit):
        return None
    i = int(hit[0])
    if i == 0:
        return float(days[0])
    d0, d1, s0, s1 = days[i - 1], days[i], share[i - 1], share[i]
    return float(d0 + (d1 - d0) * (level - s0) / (s1 - s0)) if s1 > s0 else float(d1)


def _fleet_use(model: FleetModel, solved: _Solved, grid: np.ndarray) -> pd.DataFrame:
    """Carriers in use per period, and how many of them carry supplies."""
    activity = solved.solution.activity
    supply = solved.solution.activity_of(solved.columns.x[_supply_columns(model, solved)])
    rows = []
    for carrier, row_ids in solved.rows.fleet.items():
        available = solved.rows.fleet_rhs[carrier]
        for p, (start, end) in enumerate(itertools.pairwise(grid)):
            rows.append({"carrier": carrier, "from_day": start / 24, "to_day": end / 24,
                         "in_use": float(activity[row_ids[p]]),
                         "in_use_supply": float(supply[row_ids[p]]),
                         "available": float(available[p])})
    return pd.DataFrame(rows, columns=["carrier", "from_day", "to_day", "in_use",
                                       "in_use_supply", "available"])


def _supplies_after(model: FleetModel, plan: _Solved, grid: np.ndarray, solver: str
                    ) -> tuple[FleetModel, _Background, _Solved]:
    """Sustainment planned after the forces: the supplies on the capacity, lift and
    reception the forces' ``plan`` leaves, for the troops it brings (an LP of the supplies
    alone, the least shortfall); the supplies' model, the plan's use and the solution."""
    supplies = replace(model, groups=list(model.supplies_after),
                       sustainment=model.sustainment_after, supplies_after=(),
                       sustainment_after=None)
    arcs = {int(a) for g in supplies.groups for r in g.routes for a in r.arcs}
    background = _plan_background(model, plan, grid, arcs)
    solved = _Solved(*_solve_variant(supplies, grid, fleets_limited=True, solver=solver,
                                     background=background))
    return supplies, background, solved


def _plan_background(model: FleetModel, plan: _Solved, grid: np.ndarray, arcs: set[int]
                     ) -> _Background:
    """What ``plan`` uses of the capacity of ``arcs``, of its fleets and reception limits
    in each period, and the troops and troop-days it brings to each assembly area."""
    values, activity = plan.solution.values, plan.solution.activity
    cols = plan.columns
    scratch = SparseLP()  # the arcs' capacity rows on the plan's columns, all of them
    scratch.add_columns(plan.solution.n_cols)
    rows, _ = _capacity_rows(model, scratch, plan.routes, cols.route_of, cols.x, cols.lo,
                             cols.hi, grid, {}, arcs=arcs)
    used = scratch.matrix() @ values
    widths = np.diff(grid)
    troops: dict[str, np.ndarray] = {}
    troop_days: dict[str, np.ndarray] = {}
    for (gi, cargo, dest), c in cols.cumulative.items():
        if cargo not in TROOP_CLASSES:
            continue
        arrived = values[c] * model.groups[gi].troops_per_item[cargo]
        troops[dest] = troops.get(dest, 0.0) + arrived
        days = np.cumsum((arrived + np.r_[0.0, arrived[:-1]]) * widths / 48) / TROOP_DAYS_UNIT
        troop_days[dest] = troop_days.get(dest, 0.0) + days
    return _Background({arc: used[r] for arc, r in rows.items()},
                       {c: activity[r] for c, r in plan.rows.fleet.items()},
                       {k: activity[r] for k, r in plan.rows.reception.items()},
                       troops, troop_days)


def _fleet_use_with(use: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """Fleet use of a plan with that of the supplies planned after it (``more``, on what
    the plan leaves) added: the carriers in use and on supplies, those available."""
    keys = ["carrier", "from_day", "to_day"]
    both = use.merge(more, on=keys, how="outer", suffixes=("", "_more")).fillna(
        {"in_use": 0.0, "in_use_supply": 0.0, "in_use_more": 0.0, "in_use_supply_more": 0.0})
    both["in_use"] += both.pop("in_use_more")
    both["in_use_supply"] += both.pop("in_use_supply_more")
    both["available"] = both["available"].fillna(both.pop("available_more"))
    return both.drop(columns=[c for c in both if c.endswith("_more")]).sort_values(
        keys, ignore_index=True)[use.columns]


def _short_words(table: pd.DataFrame) -> str:
    """Whether supplies planned after the forces keep the stock above zero, in words."""
    short_day = stock_short_day(table)
    if short_day is None:
        return ("the supplies fit on what the plan leaves, so the closure holds with "
                "sustainment (fleet_use: in_use_supply)")
    worst = table.loc[table["stock_t"].idxmin()]
    return (f"from day {short_day:g} the supplies for the troops this plan "
            f"brings need more lift than it leaves (up to {-worst['stock_t']:,.0f} t short, "
            f"day {worst['day']:g}): moving and sustaining the force compete; plan both "
            "together (sustainment.planned: with_forces) for the closure both allow")


def _supply_columns(model: FleetModel, solved: _Solved) -> np.ndarray:
    """Indices into the x columns of those that carry supplies."""
    is_supply = np.array([g.supply for g in model.groups], dtype=bool)
    return np.flatnonzero(is_supply[model.group_of[solved.columns.route_of]])


def _sustainment_table(model: FleetModel, solved: _Solved, grid: np.ndarray,
                       background: _Background | None = None) -> pd.DataFrame:
    """Per period end: troops arrived at the assembly areas, their daily need, the supplies
    delivered and consumed (cumulative tonnes) and the stock there (below zero where the
    supplies planned after the forces, on a ``background``, fall short)."""
    if model.sustainment is None:
        return pd.DataFrame()
    per_troop_day, carried = model.sustainment
    values = solved.solution.values
    n = len(grid) - 1
    troops, delivered = np.zeros(n), np.zeros(n)
    for (gi, cargo, _dest), cols in solved.columns.cumulative.items():
        if cargo in TROOP_CLASSES:
            troops += values[cols] * model.groups[gi].troops_per_item[cargo]
        elif cargo == "supply":
            delivered += values[cols] * SUPPLY_ITEM_T
    troop_days = [values[cols] for cols in solved.columns.troop_days.values()]
    if background is not None:
        troops += sum(background.troops.values(), np.zeros(n))
        troop_days += list(background.troop_days.values())
    consumed = per_troop_day * TROOP_DAYS_UNIT * sum(troop_days, np.zeros(n))
    return pd.DataFrame({
        "day": grid[1:] / 24, "troops_arrived": troops,
        "need_t_per_day": troops * per_troop_day, "delivered_t": delivered,
        "consumed_t": consumed, "stock_t": delivered + carried * per_troop_day * troops
        - consumed})


@dataclass(frozen=True)
class _Binding:
    kind: str  # "fleet", "capacity" or "reception"
    key: str | int  # carrier or arc
    days: float  # days binding
    first_day: float
    last_day: float


def _binding(model: FleetModel, solved: _Solved, grid: np.ndarray) -> list[_Binding]:
    activity = solved.solution.activity
    widths = np.diff(grid) / 24
    found = []
    groups: list[tuple[str, dict, dict]] = [
        ("reception", solved.rows.reception, solved.rows.reception_rhs),
        ("fleet", solved.rows.fleet, solved.rows.fleet_rhs),
        ("capacity", solved.rows.capacity, solved.rows.capacity_rhs)]
    for kind, rows_by, rhs_by in groups:
        for key, rows in rows_by.items():
            rhs = rhs_by[key]
            tight = (activity[rows] >= BINDING * rhs - 1e-9) & (rhs > 1e-9)
            if tight.any():
                hit = np.flatnonzero(tight)
                found.append(_Binding(kind, key, float(widths[hit].sum()),
                                      float(grid[hit[0]] / 24), float(grid[hit[-1] + 1] / 24)))
    return sorted(found, key=lambda b: (-b.days, str(b.key)))


def arc_name(model: FleetModel, arc: int) -> tuple[str, str, str]:
    """(name, kind, element id) of a movement arc in a planner's words."""
    return movement_arc_label(model.graph, model.movement, arc)


#: Binding capacities and fleets whose marginal value ``mobility run`` measures by a
#: re-solve each. Each re-solve is the
#: report days' LPs not already closed (baseline: 10 and 30 days, about 0.3 s): 8 instead
#: of 4 measured +0.2 s on `closure(detail=True)` of the baseline (13.4 s, loaded machine)
#: and added Travemünde port (+118 troops by day 30 a sailing a day).
MARGINAL_RESOLVES = 8

CARRIER_WORDS = {"sailing": ("ro-ro ship", "ro-ro ships"),
                 "train-1435": ("1435 mm train set", "1435 mm train sets"),
                 "train-1520": ("1520 mm train set", "1520 mm train sets"),
                 "flight": ("airlift aircraft", "airlift aircraft"),
                 "het": ("heavy equipment transporter", "heavy equipment transporters"),
                 "bus": ("bus", "buses"),
                 "truck": ("logistic truck", "logistic trucks")}


def carrier_words(carrier: str) -> tuple[str, str]:
    """(one, many) of a fleet type in a planner's words."""
    return CARRIER_WORDS.get(carrier, (carrier, carrier))


def _marginal_resources(binding: list[_Binding], limit: int = MARGINAL_RESOLVES
                        ) -> list[_Binding]:
    """The ``limit`` binding capacities and fleets (not reception limits) that bind on the
    most days: those whose marginal value is re-solved."""
    return [b for b in binding if b.kind != "reception"][:limit]


def _marginal_value(model: FleetModel, grid: np.ndarray, most: dict[int, float],
                    b: _Binding, report: list[int], solver: str) -> dict[str, Any]:
    """Troops gained by each report day from one more unit of a binding resource: one more
    train (sailing, flight, vehicle) a day on a capacity, one more standard carrier of a
    fleet from day 0; a re-solve of the same LP for each report day not already closed."""
    total = model.total_troops
    if b.kind == "fleet":
        carrier = str(b.key)
        name, kind, element = carrier_words(carrier)[1], "fleet", carrier
        what = f"+1 {carrier_words(carrier)[0]} from day 0"
        extra: dict[str, dict] = {"extra_fleet": {carrier: 1.0}}
    else:
        arc = int(b.key)
        name, kind, element = arc_name(model, arc)
        what = f"+1 {model.movement.unit[arc]}/day"
        extra = {"extra_capacity": {arc: 1.0}}
    gained = {}
    for day in report:
        base = most[day]
        more = base if base >= total * (1 - 1e-9) else most_by(
            model, grid, day, fleets_limited=True, solver=solver, **extra)
        gain = more - base
        gained[str(day)] = gain if gain > 1e-6 * max(1.0, base) else 0.0  # solver noise: 0
    return {"resource": name, "kind": kind, "element_id": str(element), "change": what,
            "binding_days": b.days, "from_day": b.first_day, "to_day": b.last_day,
            "troops_gained_by_day": gained}


def _bottlenecks(model: FleetModel, binding: list[_Binding],
                 marginal: list[dict]) -> list[Bottleneck]:
    result = []
    gained = {m["element_id"]: m for m in marginal}
    for b in binding[:10]:
        if b.kind == "reception":
            node, measure = str(b.key).rsplit(":", 1)
            limit, per, _ = _limit_words(measure)
            name, kind, element = (f"{limit} at {model.graph.nodes[node]['name']} ({per})",
                                   "reception", node)
            unit = measure
            capacity = next(v for n, m, v in model.reception if n == node and m == measure)
        elif b.kind == "fleet":
            carrier = str(b.key)
            name, kind, element = carrier_words(carrier)[1], "fleet", carrier
            unit = "carriers"  # capacity: the most available on any day
            capacity = float(model.fleets.available(carrier, math.inf) or 0.0) \
                if model.fleets is not None else 0.0
        else:
            arc = int(b.key)
            name, kind, element = arc_name(model, arc)
            unit = model.movement.unit[arc]
            capacity = float(model.movement.capacity_per_day[arc])
        result.append(Bottleneck(name=name, kind=kind, element_id=str(element),
                                 utilisation=1.0, capacity_per_day=capacity, unit=unit,
                                 from_day=b.first_day, in_min_cut=str(element) in gained))
    return result


def _arc_loads(model: FleetModel, solved: _Solved, grid: np.ndarray,
               ) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], float]]:
    """Items (natural units) and troops entering each network edge and transfer gate, by
    (arc, day index).

    The LP holds each capacity to its total over each period of ``grid`` (a day to day 30,
    longer after), so a day's load is its share of the loads of the periods it lies in: the
    use shown on a day is the use the LP held to that day's capacity."""
    mg = model.movement
    values = solved.solution.values[solved.columns.x]
    lo, hi = solved.columns.lo, solved.columns.hi
    n_days = math.ceil(grid[-1] / 24)
    day_grid = np.minimum(np.arange(n_days + 1) * 24.0, grid[-1])
    days_of: defaultdict[int, list[tuple[int, float]]] = defaultdict(list)
    for idx, day, frac in _spread(day_grid, grid[:-1], grid[1:]):
        for p, d, f in zip(idx, day, frac, strict=True):
            days_of[int(p)].append((int(d), float(f)))
    by_period: defaultdict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    group_of = model.group_of
    for r, route in enumerate(solved.routes):
        per_item = model.groups[group_of[r]].troops_per_item.get(route.cargo, 0.0)
        cols = np.flatnonzero((solved.columns.route_of == r) & (values > 1e-9))
        if not len(cols):
            continue
        for arc, enter, use in zip(route.arcs, route.enter_h, route.use, strict=True):
            if mg.kind[arc] not in ("edge", "gate"):
                continue
            for idx, period, frac in _spread(grid, lo[cols] + enter, hi[cols] + enter):
                for i, p, f in zip(idx, period, frac, strict=True):
                    load = by_period[(int(arc), int(p))]
                    amount = values[cols[i]] * f
                    load[0] += amount * use
                    load[1] += amount * per_item
    units: defaultdict[tuple[int, int], float] = defaultdict(float)
    troops: defaultdict[tuple[int, int], float] = defaultdict(float)
    for (arc, p), (items, carried) in by_period.items():
        for d, f in days_of[p]:
            units[(arc, d)] += items * f
            troops[(arc, d)] += carried * f
    return units, troops


def _load_rows(model: FleetModel, loads: tuple[dict, dict], kind: str) -> list[dict[str, Any]]:
    """Per arc of ``kind`` and day with a load: flow, capacity (0: unlimited) and use."""
    mg = model.movement
    units, troops = loads
    cap = np.asarray(mg.capacity_per_day, dtype=float)
    rows = []
    for (arc, day), flow in sorted(units.items()):
        if flow <= 1e-9 or mg.kind[arc] != kind:
            continue
        # 0 where not defined: an unlimited arc, and troops capacity of a multi-cargo arc
        capacity = float(cap[arc]) if np.isfinite(cap[arc]) else 0.0
        rows.append({"edge_id": mg.ref[arc], "u": mg.u[arc], "v": mg.v[arc],
                     "mode": mg.mode[arc], "day": day + 1,
                     "flow_troops_per_day": troops.get((arc, day), 0.0),
                     "capacity_troops_per_day": 0.0,
                     "utilisation": flow / capacity if capacity > 0 else 0.0,
                     "flow_units_per_day": flow, "capacity_units_per_day": capacity,
                     "unit": mg.unit[arc]})
    return rows


def _edge_flows(model: FleetModel, loads: tuple[dict, dict]) -> pd.DataFrame:
    """Items entering each network edge per day, in natural units (trains, sailings, …)."""
    return pd.DataFrame(_load_rows(model, loads, "edge"), columns=_empty_flows().columns)


def _transfer_use(model: FleetModel, loads: tuple[dict, dict]) -> pd.DataFrame:
    """Items through each node's transfer gate per day (see ``ClosureResult.transfer_use``)."""
    rows = [{"node": row["edge_id"], **{k: row[k] for k in TRANSFER_USE_COLUMNS[1:]}}
            for row in _load_rows(model, loads, "gate")]
    return pd.DataFrame(rows, columns=list(TRANSFER_USE_COLUMNS))


def _empty_flows() -> pd.DataFrame:
    return pd.DataFrame(columns=["edge_id", "u", "v", "mode", "day", "flow_troops_per_day",
                                 "capacity_troops_per_day", "utilisation", "flow_units_per_day",
                                 "capacity_units_per_day", "unit"])


def _node_arrivals(model: FleetModel, solved: _Solved, grid: np.ndarray) -> pd.DataFrame:
    """Troops closed (streams: arrived) at each assembly area by the end of each day."""
    values = solved.solution.values
    ends_day = np.r_[0, grid[1:] / 24]
    by_dest: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(grid)))
    for (gi, dest), cols in solved.columns.closed.items():
        by_dest[dest] += np.r_[0, model.groups[gi].troops * values[cols]]
    for (gi, _cargo, dest), cols in solved.columns.cumulative.items():
        if model.groups[gi].rate_per_h is not None:
            by_dest[dest] += np.r_[0, values[cols]]
    rows = []
    for dest in sorted(by_dest):
        for day in range(1, math.floor(grid[-1] / 24 + 1e-9) + 1):
            rows.append({"node": dest, "name": model.graph.nodes[dest]["name"], "day": day,
                         "troops": float(np.interp(day, ends_day, by_dest[dest]))})
    return pd.DataFrame(rows, columns=["node", "name", "day", "troops"])


def _mode_split(model: FleetModel, solved: _Solved) -> dict[str, float]:
    """Share of the troops entering the Baltic states by the mode that carries them in."""
    values = solved.solution.values[solved.columns.x]
    group_of = model.group_of
    totals: dict[str, float] = defaultdict(float)
    for col in np.flatnonzero(values > 1e-9):
        r = solved.columns.route_of[col]
        route = solved.routes[r]
        per_item = model.groups[group_of[r]].troops_per_item.get(route.cargo, 0.0)
        if route.entry_mode:
            totals[route.entry_mode] += float(values[col]) * per_item
    grand = sum(totals.values())
    return {m: totals[m] / grand for m in sorted(totals)} if grand else {}


__all__ = ["FleetModel", "build_fleet_model", "solve_fleet", "time_grid"]
