"""``materiel(plan)``: schedule a materiel plan and say what binds (one function, no printing).

The schedule is :func:`mobility.materiel.model.solve_schedule`'s; what binds is found by
re-solving, not read from dual values (the completion week is an integer search, where a dual
says nothing about whole weeks):

* each *class* of resource (production, transport, reception, storage, installation) is made
  unlimited in turn; the class whose relaxation brings the completion furthest forward binds;
* each *element* gets one more unit (one more bunker a week at a plant, one more vehicle of a
  type, one more installation crew, installation crane or reception crane at a storage area,
  ten more units of yard space), and the overall completion is re-solved; these are ranked by
  the days they gain ("+1 installation crew at se-2-rapina: 35 days earlier").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mobility._progress import Progress, silent
from mobility.materiel.lanes import Lane, plan_lanes
from mobility.materiel.model import (
    CLASSES,
    Schedule,
    Solved,
    fraction_date,
    solve_schedule,
    weekly_values,
)
from mobility.materiel.plan import MaterielPlan, load_plan
from mobility.materiel.result import (
    AreaOutcome,
    CapacityUse,
    LaneUse,
    Marginal,
    MaterielResult,
    Relaxation,
)

__all__ = ["materiel", "network_for_plan"]

#: Yard space added per storage area in the marginal analysis (units).
STORAGE_STEP_UNITS = 10.0
#: Used flows below this (units) are treated as zero in the tables.
EPS = 1e-6

NOTES = (
    "Weekly periods; a delivery is made within the week it leaves (cycle times are hours to "
    "a few days). Units are continuous (the linear relaxation): dates are good to a few days.",
    "Road cycle = load + loaded leg (shortest legal route; oversize loads only on the "
    "plan's oversize road classes) + last mile + unload + empty return (any road), at the "
    "vehicles' own speeds; wagons: the network's calibrated 1520 mm train speeds, plus "
    "loading, unloading and turnaround; the road leg from the railhead uses the same trucks.",
    "Per-area dates come from one schedule that first minimises the overall completion, then "
    "serves the areas in proportion to their demand (areas of a higher priority first), so "
    "areas that share a binding plant finish together; more of a resource never makes the "
    "overall date later, but may move work between areas. 'Earliest alone' is the earliest "
    "an area could finish with first call on every plant, vehicle and crane (the others "
    "wait).",
    "Within the last week of an area (and of the whole), every capacity works at its full "
    "rate from the week's first working day: the day is when the most loaded one is done.",
    "The deadline is only compared with the answer; it changes no schedule.",
)


def network_for_plan(plan: MaterielPlan) -> nx.MultiDiGraph:
    """The shipped network with the phases open in the plan's ``network_year``."""
    from mobility.network import load_network

    return load_network(year=plan.network_year)


def materiel(
    plan: MaterielPlan | str | Path,
    *,
    graph: nx.MultiDiGraph | None = None,
    marginal: bool = True,
    progress: Progress | None = None,
) -> MaterielResult:
    """Schedule production, deliveries and installation of a materiel plan.

    Parameters
    ----------
    plan
        A :class:`~mobility.materiel.plan.MaterielPlan`, a shipped plan's name
        (``estonia-bunkers``, see ``data/materiel/``) or a YAML path.
    graph
        The network (default: the shipped one, phases open by the plan's ``network_year``).
    marginal
        Also re-solve with each class unlimited and each element one unit larger (what
        binds and what one more buys), and each storage area alone (its earliest date);
        a few small LPs per resource and area.
    progress
        Called with a short message at each step (the CLI shows it as a spinner).

    Returns
    -------
    MaterielResult

    Raises
    ------
    MaterielPlanError
        A plan field is invalid or refers to an unknown node or item.
    InfeasibleError
        The plan cannot be completed within its ``horizon_weeks``.
    """
    say = progress or silent
    if not isinstance(plan, MaterielPlan):
        plan = load_plan(plan)
    if graph is None:
        say("loading network")
        graph = network_for_plan(plan)
    say("routing lanes")
    lanes = plan_lanes(plan, graph)
    say("scheduling")
    base = solve_schedule(plan, lanes)
    lp_count = base.lp_count
    relaxations: list[Relaxation] = []
    marginals: list[Marginal] = []
    if marginal and base.weeks > 0:  # with nothing left to install nothing binds
        classes = [c for c in CLASSES if c != "storage" or any(
            a.storage_capacity_units is not None for a in plan.storage_areas)]
        for name in classes:
            say(f"what binds: unlimited {name}")
            other = solve_schedule(plan, lanes, relax=frozenset({name}), upper=base.weeks,
                                   front=False)
            lp_count += other.lp_count
            relaxations.append(Relaxation(name, other.completion_date.isoformat(),
                                          _days(base, other)))
        for resource_class, element, change, changed in _candidates(plan, lanes):
            say(f"marginal: {change}")
            other = solve_schedule(changed, plan_lanes(changed, graph), upper=base.weeks,
                                   front=False)
            lp_count += other.lp_count
            marginals.append(Marginal(resource_class, element, change,
                                      other.completion_date.isoformat(), _days(base, other)))
        relaxations.sort(key=lambda r: (-r.days_earlier, CLASSES.index(r.resource_class)))
        marginals.sort(key=lambda m: (-m.days_earlier, m.change))
    alone = {}
    for area in plan.storage_areas if marginal else ():
        if any(plan.remaining_units(area, i) > 0 for i in area.demand_units):
            say(f"earliest alone: {area.id}")
            own = solve_schedule(plan, lanes, upper=base.weeks, front=False, only=area.id)
            lp_count += own.lp_count
            alone[area.id] = own.completion_date.isoformat()
    binding = None  # not asked for (marginal=False)
    if marginal:
        binding = (relaxations[0].resource_class if relaxations and
                   relaxations[0].days_earlier > 0 else "none")
    return _result(plan, lanes, base, relaxations, marginals, binding, alone, lp_count)


def _days(base: Schedule, other: Schedule) -> int:
    return (base.completion_date - other.completion_date).days


def _candidates(plan: MaterielPlan, lanes: list[Lane]):
    """(class, element, change, changed plan) for each one-more-unit change."""
    for n, site in enumerate(plan.production):
        output = {item: rate + 1.0 for item, rate in site.output_units_per_week.items()}
        changed = _replace(plan, "production", n, site.model_copy(
            update={"output_units_per_week": output}))
        yield "production", site.id, f"+1 unit a week at {site.id}", changed
    used = {lane.road_vehicle for lane in lanes} | {lane.wagon for lane in lanes if lane.wagon}
    for n, vehicle in enumerate(plan.fleet):
        if vehicle.id not in used:
            continue
        changed = _replace(plan, "fleet", n, vehicle.model_copy(
            update={"count": vehicle.count + 1}))
        yield "transport", vehicle.id, f"+1 {vehicle.id}", changed
    for n, area in enumerate(plan.storage_areas):
        if not any(plan.remaining_units(area, i) > 0 for i in area.demand_units):
            continue
        ins, rec = area.installation, area.reception
        for what, update in (
            ("installation crew", {"installation": ins.model_copy(
                update={"crews": ins.crews + 1})}),
            ("installation crane", {"installation": ins.model_copy(
                update={"cranes": ins.cranes + 1})}),
            ("reception crane", {"reception": rec.model_copy(
                update={"cranes": rec.cranes + 1})}),
        ):
            resource_class = "reception" if what.startswith("reception") else "installation"
            yield (resource_class, area.id, f"+1 {what} at {area.id}",
                   _replace(plan, "storage_areas", n, area.model_copy(update=update)))
        if area.storage_capacity_units is not None:
            bigger = area.model_copy(update={
                "storage_capacity_units": area.storage_capacity_units + STORAGE_STEP_UNITS})
            yield ("storage", area.id, f"+{STORAGE_STEP_UNITS:g} units of yard at {area.id}",
                   _replace(plan, "storage_areas", n, bigger))


def _replace(plan: MaterielPlan, field: str, index: int, value) -> MaterielPlan:
    entries = list(getattr(plan, field))
    entries[index] = value
    return plan.model_copy(update={field: tuple(entries)})


def _area_share(plan: MaterielPlan, lanes: list[Lane], solved: Solved, ship: dict,
                area_id: str, week: int) -> float:
    """How far into ``week`` an area finishes: the largest share used that week of the
    capacities that served it (its installation and reception, the plants and vehicle types
    of the lanes that delivered to it), each working at full rate from the week's start."""
    keys = [("installation", area_id, "crews"), ("installation", area_id, "cranes"),
            ("reception", area_id, "cranes")]
    kinds = {vehicle.id: vehicle.kind for vehicle in plan.fleet}
    for lane in lanes:
        if lane.area == area_id and ship[lane.id][week] > EPS:
            keys.append(("production", lane.plant, lane.item))
            keys.append(("transport", lane.road_vehicle, kinds[lane.road_vehicle]))
            if lane.wagon is not None:
                keys.append(("transport", lane.wagon, kinds[lane.wagon]))
    shares = [0.0]
    for key in keys:
        if key in solved.capacity:
            used, limit = solved.capacity[key]
            if limit[week] > EPS:
                shares.append(float(used[week]) / float(limit[week]))
    return min(1.0, max(shares))


def _result(plan: MaterielPlan, lanes: list[Lane], base: Schedule,
            relaxations: list[Relaxation], marginals: list[Marginal], binding: str | None,
            alone: dict[str, str], lp_count: int) -> MaterielResult:
    solved, cal = base.solved, base.calendar
    weeks = base.weeks
    inst = weekly_values(solved, "inst") if weeks else {}
    area_stock = weekly_values(solved, "area_stock") if weeks else {}
    ship = weekly_values(solved, "ship") if weeks else {}
    prod = weekly_values(solved, "prod") if weeks else {}
    areas, weekly = [], []
    for area in plan.storage_areas:
        items = [i for i in sorted(area.demand_units) if (area.id, i) in inst]
        delivered = np.zeros(weeks)
        for lane in lanes:
            if lane.area == area.id:
                delivered = delivered + ship[lane.id]
        installed = sum((inst[area.id, i] for i in items), np.zeros(weeks))
        stock = sum((area_stock[area.id, i] for i in items), np.zeros(weeks))
        need = sum(plan.remaining_units(area, i) for i in items)
        completion, done_week, last_delivery = None, 0, None
        if need > 0:
            cumulative = np.cumsum(installed)
            done_week = int(np.argmax(cumulative >= need - 1e-6 * max(1.0, need)))
            share = _area_share(plan, lanes, solved, ship, area.id, done_week)
            completion = fraction_date(cal, done_week, share)
            done_week += 1
            delivered_weeks = np.nonzero(delivered > EPS)[0]
            if len(delivered_weeks):
                last_delivery = cal.starts[int(delivered_weeks[-1])].isoformat()
        late = (completion - plan.deadline).days if completion else -(plan.deadline -
                                                                       plan.start).days
        areas.append(AreaOutcome(
            area.id, area.name, area.lon, area.lat, area.access_node,
            sum(area.demand_units.values()), sum(area.installed_units.values()),
            completion.isoformat() if completion else None, alone.get(area.id), done_week,
            last_delivery,
            late <= 0, late))
        running = 0.0
        for t in range(weeks):
            running += float(installed[t])
            weekly.append({"week": t, "week_start": cal.starts[t].isoformat(), "area": area.id,
                           "delivered_units": float(delivered[t]),
                           "installed_units": float(installed[t]),
                           "installed_cumulative_units": running,
                           "stock_units": float(stock[t])})
    production_weekly = [
        {"week": t, "week_start": cal.starts[t].isoformat(), "plant": site, "item": item,
         "produced_units": float(values[t])}
        for (site, item), values in sorted(prod.items()) for t in range(weeks)]
    fleet_weekly: list[dict[str, Any]] = []
    capacities = []
    for key, (used, limit) in sorted(solved.capacity.items()):
        used, limit = np.asarray(used, float)[:weeks], np.asarray(limit, float)[:weeks]
        if key[0] == "transport":
            fleet_weekly.extend({"week": t, "week_start": cal.starts[t].isoformat(),
                                 "vehicle": key[1], "hours_used": float(used[t]),
                                 "hours_available": float(limit[t])} for t in range(weeks))
        active = limit > EPS
        used_share = np.where(active, used / np.where(active, limit, 1.0), 0.0)
        capacities.append(CapacityUse(
            key[0], key[1], key[2], float(used_share[active].mean()) if active.any() else 0.0,
            int(np.sum(active & (used_share >= 0.99)))))
    lane_uses = []
    for lane in lanes:
        units = float(ship[lane.id].sum()) if weeks else 0.0
        if units <= EPS:
            continue
        pieces = units * plan.item(lane.item).pieces_per_unit
        lane_uses.append(LaneUse(lane, units, pieces / lane.road_pieces_per_load,
                                 pieces / lane.wagon_pieces_per_load if lane.wagon else 0.0))
    completion = base.completion_date if weeks else None
    late = (completion - plan.deadline).days if completion else -(plan.deadline -
                                                                   plan.start).days
    return MaterielResult(
        plan=plan.name, description=plan.description, source_file=plan.source_file,
        start=plan.start.isoformat(), deadline=plan.deadline.isoformat(),
        completion=completion.isoformat() if completion else None, completion_week=weeks,
        meets_deadline=late <= 0, days_after_deadline=late, total_units=plan.total_units,
        installed_before_units=sum(sum(a.installed_units.values())
                                   for a in plan.storage_areas),
        areas=tuple(areas), weekly=tuple(weekly), production_weekly=tuple(production_weekly),
        fleet_weekly=tuple(fleet_weekly), lanes=tuple(lane_uses),
        capacities=tuple(capacities), relaxations=tuple(relaxations), binding=binding,
        marginal=tuple(marginals), lp_count=lp_count, notes=NOTES)
