"""``mass(scenario)``: how many troops, and which, can be in a flashpoint area by each hour.

files → scenario and force list → area and moves on the network (:mod:`.routes`, the
routing's frictions) → LP per hour asked (:mod:`.model`) → result; what binds from the LP's
dual values; the adversary's timeline set beside the troops in the area at its hours.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import numpy as np

from mobility._errors import MobilityError, field_of
from mobility._progress import Progress, silent
from mobility.massing.model import EPS, MassingLP, build
from mobility.massing.result import Binding, Comparison, MassingResult, Milestone, UnitOutcome
from mobility.massing.routes import (
    Move,
    area_centre,
    area_nodes,
    candidate_moves,
    check_closed,
    find_node,
    resources,
)
from mobility.massing.scenario import (
    MAX_HOUR,
    FlashpointError,
    FlashpointScenario,
    Unit,
    load_flashpoint,
    load_force_list,
)
from mobility.scenario import Scenario, load_scenario
from mobility.settings import BINDING_SHARE
from mobility.unit_profiles import unit_profile

__all__ = ["compare", "hour_to_reach", "mass", "network_for_flashpoint", "rules_of"]


#: The schedule runs this many times the last hour asked (at most MAX_HOUR), so that units
#: closing later are shown and a compared scenario's catching-up hour can be found.
HORIZON_FACTOR = 2.0


def rules_of(scenario: FlashpointScenario) -> Scenario:
    """The closure scenario whose network, permissions, march hours and changes apply."""
    where = scenario.source_file or f"flashpoint '{scenario.name}'"
    rules = scenario.rules
    beside = Path(scenario.source_file).parent / rules if scenario.source_file else None
    if beside is not None and beside.suffix and beside.exists():
        rules = str(beside)
    with field_of(where, "rules"):
        return load_scenario(rules)


def network_for_flashpoint(scenario: FlashpointScenario) -> nx.MultiDiGraph:
    from mobility.engines import network_for

    return network_for(rules_of(scenario))


def _units(scenario: FlashpointScenario) -> list[tuple[Unit, str]]:
    where = scenario.source_file or f"flashpoint '{scenario.name}'"
    listed: list[tuple[Unit, str]] = []
    if scenario.forces is not None:
        with field_of(where, "forces"):
            forces = load_force_list(scenario.forces, where)
        listed = [(u, f"{forces.source_file}: field 'units[{n}]")
                  for n, u in enumerate(forces.units)]
    if scenario.only:
        ids = [u.id for u, _ in listed]
        for n, wanted in enumerate(scenario.only):
            if wanted not in ids:
                raise FlashpointError(f"{where}: field 'only[{n}]' = {wanted!r}: no such unit "
                                      f"in the force list {scenario.forces!r}; valid: "
                                      f"{', '.join(ids) or '(none)'}")
        listed = [(u, w) for u, w in listed if u.id in scenario.only]
    extra = [(u, f"{where}: field 'reinforcements[{n}]")
             for n, u in enumerate(scenario.reinforcements)]
    clash = {u.id for u, _ in listed} & {u.id for u, _ in extra}
    if clash:
        raise FlashpointError(f"{where}: field 'reinforcements': unit id "
                              f"{sorted(clash)[0]!r} is also in the force list; ids must "
                              "be unique")
    if not listed and not extra:
        raise FlashpointError(f"{where}: no units to move: give a force list ('forces') or "
                              "'reinforcements'")
    return listed + extra


def mass(scenario: FlashpointScenario | str | Path, *, graph: nx.MultiDiGraph | None = None,
         by: Sequence[float] | None = None,
         progress: Progress | None = None) -> MassingResult:
    """Troops and heavy vehicles in the area by each hour, units' arrivals, what binds.

    ``by`` replaces the scenario's hours. Raises :class:`FlashpointError` (one line) for a
    bad scenario, force list, node, profile or hour.
    """
    started = time.perf_counter()
    say = progress or silent
    if not isinstance(scenario, FlashpointScenario):
        scenario = load_flashpoint(scenario)
    where = scenario.source_file or f"flashpoint '{scenario.name}'"
    hours = tuple(sorted(set(by if by is not None else scenario.by)))
    if not hours or not all(0 < h <= MAX_HOUR for h in hours):
        raise FlashpointError(f"hours asked, `by` = {list(hours)}: give one or more hours "
                              f"above 0 and at most {MAX_HOUR}")
    rules = rules_of(scenario)
    graph = graph if graph is not None else network_for_flashpoint(scenario)
    units = _units(scenario)
    check_closed(graph, rules, scenario)
    targets = area_nodes(graph, rules, scenario.area, where)
    known = resources(graph, rules)
    say(f"routing {len(units)} units to {', '.join(targets)}")
    moves = candidate_moves(graph, rules, scenario, units, targets, known)
    lead_days, lead_source = (rules.permissions.lead() if rules.permissions is not None
                              else (0.0, "no permissions in the rules scenario"))
    lead_h = 24.0 * lead_days
    profiles = [unit_profile(u.profile) for u, _ in units]
    troops = [float(p.size.troops * u.count) for p, (u, _) in zip(profiles, units, strict=True)]
    tracked = [float(p.size.tracked * u.count) for p, (u, _) in zip(profiles, units, strict=True)]
    milestones = scenario.adversary.milestones if scenario.adversary else ()
    asked = max((*hours, *(m.hour for m in milestones)))
    # the schedule (and the hours at which a compared scenario catches up) look further
    horizon = min(float(MAX_HOUR), HORIZON_FACTOR * asked)
    move_lists = [moves[u.id] for u, _ in units]
    model = build(move_lists, [u.ready_h for u, _ in units], lead_h, troops, tracked, known,
                  step_h=scenario.step_h, horizon_h=horizon)
    say(f"solving the LP ({model.columns.unit.size:,} columns, {len(model.rows):,} "
        "capacity rows)")
    troops_by, tracked_by, binding, limits_by = {}, {}, [], {}
    for h in hours:
        best, solution = _best(model, h, "troops")
        troops_by[_key(h)] = best
        tracked_by[_key(h)] = _best(model, h, "tracked")[0]
        share = (model.arrived_share(solution.values, len(units), h) if solution is not None
                 else np.zeros(len(units)))
        limits_by[_key(h)] = _limits(h, units, move_lists, share, troops, lead_h)
        if solution is not None:
            binding += _binding(model, solution, known, h)
    schedule = model.solve(model.schedule_objective()) if model.columns.unit.size else None
    values = schedule.values if schedule is not None else np.zeros(0)
    outcomes = [_outcome(u, find_node(graph, rules, u.home, f"{w}.home'"), troops[n], tracked[n],
                         moves[u.id], model, values, n, len(units), hours, lead_h, graph)
                for n, (u, w) in enumerate(units)]
    compared = [_milestone(model, m, units, values) for m in milestones]
    curve = _curve(model, values, horizon)
    flows = _flows(model, values, move_lists)
    notes = _notes(scenario, rules, lead_h, lead_source, targets, graph)
    return MassingResult(
        scenario=scenario.name, title=scenario.title or scenario.name,
        description=scenario.description,
        area_name=scenario.area.name or ", ".join(graph.nodes[n]["name"] for n in targets),
        area_nodes=targets, area_centre=area_centre(graph, rules, scenario.area, where),
        radius_km=scenario.area.radius_km, polygon=scenario.area.polygon,
        rules=rules.name, lead_h=lead_h, lead_source=lead_source, step_h=scenario.step_h,
        by_h=hours, force_troops=float(sum(troops)), force_tracked=float(sum(tracked)),
        troops_by=troops_by, tracked_by=tracked_by, limits_by=limits_by, units=outcomes,
        binding=sorted(binding, key=lambda b: (b.by_h, -b.troops_per_unit_day)),
        adversary=scenario.adversary.name if scenario.adversary else None,
        milestones=compared, curve=curve, flows=flows, closed=scenario.closed, notes=notes,
        lp_columns=int(model.columns.unit.size), lp_rows=model.lp.n_rows,
        wall_time_s=time.perf_counter() - started, _model=model)


def _key(hour: float) -> str:
    return f"{hour:g}"


def _best(model: MassingLP, hour: float, what: str):
    objective = model.objective(hour, what)
    if not np.any(objective > 0):
        return 0.0, None
    solution = model.solve(objective)
    # to a millionth of a troop: the simplex's float noise (195 read as 194.99999999999997)
    # would otherwise show less by a later hour
    return max(0.0, round(float(solution.objective), 6)), solution


def hour_to_reach(result: MassingResult, troops: float) -> float | None:
    """The first hour (to the LP step) by which the area can hold ``troops`` (None: not by
    the result's horizon); bisection on the per-hour LP, which never falls with time."""
    model: MassingLP | None = result._model
    if model is None or troops <= EPS:
        return 0.0
    steps = math.ceil(model.horizon_h / model.step_h - EPS)
    if _best(model, steps * model.step_h, "troops")[0] < troops - 1e-6:
        return None
    low, high = -1, steps  # best(low) < troops <= best(high)
    while high - low > 1:
        middle = (low + high) // 2
        if _best(model, middle * model.step_h, "troops")[0] >= troops - 1e-6:
            high = middle
        else:
            low = middle
    return high * model.step_h


#: Why troops are not in the area by an hour, in the order they are checked.
CAUSES = ("no route", "moving time", "readiness", "permissions", "capacity")


def _limits(hour: float, units: list[tuple[Unit, str]], moves: list[list[Move]],
            share: np.ndarray, troops: list[float], lead_h: float) -> dict[str, float]:
    """Troops short of the area by ``hour`` in the LP for that hour, by cause: no route;
    the fastest move alone takes longer (moving time); not ready in time (readiness); held
    by the permissions' lead time; or the shared capacities (capacity)."""
    short = dict.fromkeys(CAUSES, 0.0)
    for n, (unit, _) in enumerate(units):
        missing = troops[n] * max(0.0, 1.0 - float(share[n]))
        if missing <= 1e-6:
            continue
        fastest = moves[n][0] if moves[n] else None
        if fastest is None:
            cause = "no route"
        elif fastest.hours > hour + EPS:
            cause = "moving time"
        elif unit.ready_h + fastest.hours > hour + EPS:
            cause = "readiness"
        elif fastest.crosses_border and lead_h + fastest.hours > hour + EPS and all(
                m.crosses_border for m in moves[n]
                if unit.ready_h + m.hours <= hour + EPS):
            cause = "permissions"
        else:
            cause = "capacity"
        short[cause] += missing
    return short


def _binding(model: MassingLP, solution, known, hour: float) -> list[Binding]:
    if solution.duals is None:
        return []
    per: dict[str, list[tuple[int, float, bool]]] = defaultdict(list)
    for (key, step), row in model.rows.items():
        used = solution.activity[row]
        full = used >= BINDING_SHARE * model.capacity[(key, step)] - EPS
        per[key].append((step, float(solution.duals[row]), bool(full)))
    found = []
    for key, entries in per.items():
        full = [s for s, _, f in entries if f]
        value = abs(sum(d for _, d, _ in entries)) * model.step_h / 24.0
        if not full or value <= 1e-6:
            continue
        r = known[key]
        found.append(Binding(hour, r.element, r.kind, r.name, r.capacity_per_day, r.unit,
                             value, len(full), min(full) * model.step_h))
    return found


def _outcome(unit: Unit, home: str, troops: float, tracked: float, moves: list[Move],
             model: MassingLP, values: np.ndarray, n: int, n_units: int,
             hours: tuple[float, ...], lead_h: float, graph: nx.MultiDiGraph) -> UnitOutcome:
    c = model.columns
    mine = (c.unit == n) & (values > 1e-7) if values.size else np.zeros(0, dtype=bool)
    share_by = {_key(h): float(model.arrived_share(values, n_units, h)[n]) if values.size
                else 0.0 for h in hours}
    first = closed = None
    if values.size and mine.any():
        arrivals = c.arrive_h[mine]
        order = np.argsort(arrivals)
        first = float(arrivals[order][0])
        total = np.cumsum(values[mine][order])
        if total[-1] >= 1 - 1e-6:
            closed = float(arrivals[order][np.searchsorted(total, 1 - 1e-6)])
    fastest = moves[0] if moves else None
    earliest = alone = None
    held = False
    if fastest is not None:
        start = max(unit.ready_h, lead_h if fastest.crosses_border else 0.0)
        held = fastest.crosses_border and lead_h > unit.ready_h
        earliest = start + fastest.hours
        alone = start + fastest.alone_h
    via = "" if fastest is None or fastest.route is None else "; ".join(
        f"{leg.mode} {leg.from_name} → {leg.to_name}" for leg in fastest.route.legs)
    return UnitOutcome(
        id=unit.id, name=unit.name, nation=unit.nation, profile=unit.profile,
        count=unit.count, home=home, home_name=str(graph.nodes[home]["name"]),
        troops=troops, tracked=tracked, ready_h=unit.ready_h, reachable=bool(moves),
        mode=fastest.mode if fastest else "—", via=via, earliest_h=earliest, alone_h=alone,
        first_arrival_h=first, closed_h=closed, share_by=share_by, held_by_permission=held)


def _milestone(model: MassingLP, milestone, units, values: np.ndarray) -> Milestone:
    best = _best(model, milestone.hour, "troops")[0]
    heavy = _best(model, milestone.hour, "tracked")[0]
    closed = ()
    if values.size:
        share = model.arrived_share(values, len(units), milestone.hour)
        closed = tuple(u.id for (u, _), s in zip(units, share, strict=True) if s >= 1 - 1e-6)
    return Milestone(milestone.hour, milestone.what, milestone.troops, milestone.source,
                     best, heavy, closed)


def _curve(model: MassingLP, values: np.ndarray, horizon: float) -> list[tuple[float, float]]:
    steps = math.ceil(horizon / model.step_h - EPS)
    c = model.columns
    out = []
    for b in range(steps + 1):
        h = b * model.step_h
        done = (c.arrive_h <= h + EPS) if values.size else np.zeros(0, dtype=bool)
        troops = float(np.sum(values[done] * model.troops[c.unit[done]])) if values.size else 0.0
        out.append((h, troops))
    return out


def _flows(model: MassingLP, values: np.ndarray, moves: list[list[Move]]) -> dict[str, float]:
    flows: dict[str, float] = defaultdict(float)
    c = model.columns
    for col in np.flatnonzero(values > 1e-7) if values.size else ():
        move = moves[c.unit[col]][c.move[col]]
        for key, _offset, loads in move.uses:
            kind, _, rest = key.partition(":")
            if kind == "edge":
                flows[rest.rpartition(":")[0]] += float(values[col]) * loads
    return dict(sorted(flows.items()))


def _notes(scenario: FlashpointScenario, rules: Scenario, lead_h: float, lead_source: str,
           targets: tuple[str, ...], graph: nx.MultiDiGraph) -> list[str]:
    notes = [
        f"area: {', '.join(graph.nodes[n]['name'] for n in targets)} (network nodes inside "
        "it); a unit counts when a share of it reaches one of them",
        f"rules: scenario '{rules.name}' (network, border clearance, capacity changes, "
        f"{rules.road_march_hours_per_day:g} h of road march a day, calibrated rail speeds); "
        f"no move that crosses a border starts before hour {lead_h:g} ({lead_source})",
        "moves: the routing's fastest road and rail routes inside Estonia, Latvia and "
        "Lithuania (mobility route: same frictions); each share moves at the route's first-"
        "arrival time; capacities (road vehicles, trains a day and loading/unloading gates) "
        f"are shared in steps of {scenario.step_h:g} h by a linear programme (OR-Tools GLOP)",
        "troops by each hour: the most the LP can place in the area by that hour (one LP "
        "each); units' arrivals: one schedule that brings every share as early as it can",
        "not modelled: combat, interdiction, fuel, transporter (HET) and bus fleets, civil "
        "traffic beyond the capacities' military share, column pass time within a step",
    ]
    if scenario.closed:
        notes.append(f"closed from hour 0: {', '.join(scenario.closed)}")
    return notes


def compare(results: Sequence[MassingResult]) -> Comparison:
    """The second and later results against the first: troops by each hour asked, and the
    hours each needs to hold the troops the first holds by that hour, against the hour the
    first itself first holds them (hours lost: positive; gained: negative); and each unit's
    closing hour."""
    first = results[0]
    rows: list[dict] = []
    for h in first.by_h:
        aim = first.troops_by[_key(h)]
        own = hour_to_reach(first, aim)
        for result in results[1:]:
            reach = hour_to_reach(result, aim)
            rows.append({"scenario": result.scenario, "by_h": h,
                         "troops": result.troops_by.get(_key(h)), "first_troops": aim,
                         "first_reaches_at_h": own, "reaches_at_h": reach,
                         "hours_later": None if reach is None or own is None
                         else reach - own})
    units: list[dict] = []
    for result in results[1:]:
        mine = {u.id: u for u in result.units}
        for unit in first.units:
            other = mine.get(unit.id)
            later = (None if other is None or other.closed_h is None or unit.closed_h is None
                     else other.closed_h - unit.closed_h)
            units.append({"scenario": result.scenario, "unit": unit.id,
                          "first_closed_h": unit.closed_h,
                          "closed_h": other.closed_h if other else None,
                          "hours_later": later})
    if len({r.scenario for r in results}) != len(results):
        raise MobilityError("flashpoint scenarios compared need different names")
    return Comparison(first.scenario, ", ".join(r.scenario for r in results[1:]), rows, units)
