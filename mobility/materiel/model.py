"""The scheduling model of a materiel plan: a weekly linear programme solved with OR-Tools.

Periods are weeks from the plan's start. In week ``t``:

* plant ``p`` makes at most ``output_units_per_week x d_p(t)`` units of each item, where
  ``d_p(t)`` is the share of the calendar's working days of that week that are worked (no
  holidays, not before ``first_output``); its yard stock carries over;
* lane ``l`` (:mod:`mobility.materiel.lanes`) delivers ``x_l(t)`` units; road vehicles of a
  type together work ``count x availability x hours_per_day x working days`` hours a week, and
  each load costs its cycle time (``x x pieces_per_unit / pieces_per_load x cycle_h``); rail
  wagons run ``count x availability x 168`` hours a week; a rail lane also costs the road
  vehicle of its last mile;
* storage area ``s`` receives at most ``cranes x pieces_per_crane_per_day x working days``
  pieces, holds at most ``storage_capacity_units``, and installs at most
  ``crews x units_per_crew_per_week`` and ``cranes x units_per_crane_per_week`` units (scaled
  by the working days of the week in the installation months), each unit weighing its item's
  ``install_effort``.

A delivery is made within the week it leaves (every cycle is hours to a few days); units are
continuous (the linear relaxation; 600 bunkers over a year or more makes rounding a matter of
days, not weeks).

The completion week is found exactly: the programme with unmet demand as a penalised slack
is always feasible, and the smallest horizon ``T`` with nothing unmet is found by bisection
(feasibility is monotone in ``T``). With ``T`` fixed, a second programme minimises ``z``, the
largest share of any rate capacity (a plant, a vehicle type, an area's reception or
installation) used in week ``T``: each works at its full rate from the week's first working
day, in parallel, so the overall completion is ``z`` of the way through that week's working
days (in the production-bound case: the day the last unit is made). A third fixes ``z`` and
raises the least advanced area's progress (share of its demand installed) week by week, so
areas are served in proportion to their demand (areas of a higher ``priority`` first), then
front-loads installation and deliveries; this gives the per-area completion dates and the
curves. An area's day within its last week is the largest share used of the capacities that
served it that week. The lexicographic order
(week, then ``z``) makes the overall completion monotone: more of any resource never finishes
later.

The deadline takes no part in any of it: it is only compared with the answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from mobility._errors import InfeasibleError
from mobility.engines.lp_model import SparseLP
from mobility.materiel.lanes import Lane
from mobility.materiel.plan import MaterielPlan

__all__ = ["CLASSES", "Schedule", "Solved", "solve_schedule", "week_calendar"]

#: The resource classes a constraint belongs to (what binds is reported by class).
CLASSES = ("production", "transport", "reception", "storage", "installation")
#: Unmet demand below this (units) counts as met.
TOLERANCE = 1e-6
#: Weights in the last programme, beside 1 for each week's progress of the least advanced
#: area (share of its own demand installed): a unit installed a week earlier (so an area
#: with capacity to spare goes ahead), a unit delivered a week earlier, and an hour of a road
#: vehicle (a wagon hour counts :data:`WAGON_HOUR_WEIGHT` of one). They only choose among
#: equally fair schedules: progress beyond the fair share, the least vehicle time, then
#: early deliveries.
INSTALL_WEIGHT = 0.1
#: How much more a week's progress of one priority level weighs than the next.
PRIORITY_WEIGHT = 100.0
DELIVERY_WEIGHT = 1e-4
COST_WEIGHT = 1e-3
WAGON_HOUR_WEIGHT = 0.1


@dataclass(frozen=True)
class WeekCalendar:
    """Per week: its first day, working days, installation days, and each plant's days."""

    starts: tuple[dt.date, ...]
    work_days: np.ndarray
    install_days: np.ndarray
    plant_days: dict[str, np.ndarray]
    install_dates: tuple[tuple[dt.date, ...], ...]


def week_calendar(plan: MaterielPlan, weeks: int) -> WeekCalendar:
    """The calendar of the plan's first ``weeks`` weeks."""
    cal = plan.calendar
    holidays = set(cal.holidays)
    months = set(cal.installation_months)
    starts, work, install, dates = [], [], [], []
    plant_days: dict[str, list[float]] = {site.id: [] for site in plan.production}
    for t in range(weeks):
        first = plan.start + dt.timedelta(days=7 * t)
        days = [first + dt.timedelta(days=k) for k in range(7)]
        # the calendar's working days are the first N weekdays, Monday first
        worked = [d for d in days if d.weekday() < cal.working_days_per_week
                  and d not in holidays]
        starts.append(first)
        work.append(len(worked))
        installing = tuple(d for d in worked if d.month in months)
        install.append(len(installing))
        dates.append(installing)
        for site in plan.production:
            begin = site.first_output or plan.start
            plant_days[site.id].append(sum(1 for d in worked if d >= begin))
    return WeekCalendar(tuple(starts), np.asarray(work, float), np.asarray(install, float),
                        {k: np.asarray(v, float) for k, v in plant_days.items()},
                        tuple(dates))


@dataclass
class _Columns:
    prod: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    plant_stock: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    ship: dict[str, np.ndarray] = field(default_factory=dict)
    inst: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    area_stock: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    short: dict[tuple[str, str], int] = field(default_factory=dict)
    z: int | None = None


@dataclass(frozen=True)
class Solved:
    """One solved programme: column values and, per capacity row, its use and limit."""

    weeks: int
    unmet_units: float
    z: float
    columns: _Columns
    values: np.ndarray
    capacity: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]


def _build(plan: MaterielPlan, lanes: list[Lane], weeks: int, *, relax: frozenset[str],
           stage: str, z_cap: float = 1.0, only: str | None = None
           ) -> tuple[SparseLP, _Columns, dict]:
    """The programme over ``weeks`` weeks; ``stage`` is ``unmet``, ``z`` or ``front``.

    ``only``: a storage area whose demand alone must be met (the others may fall short at no
    cost), for the earliest that area could finish with first call on everything.
    """
    cal = week_calendar(plan, weeks)
    lp = SparseLP()
    cols = _Columns()
    rows: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}
    t_idx = np.arange(weeks)
    wdpw = float(plan.calendar.working_days_per_week)
    big = np.inf

    def capacity(key: tuple[str, str, str], limit: np.ndarray) -> np.ndarray:
        limit = np.broadcast_to(np.asarray(limit, float), (weeks,)).copy()
        r = lp.add_rows(weeks, upper=limit if key[0] not in relax else big)
        rows[key] = (r, limit)
        return r

    # production and plant yards
    for site in plan.production:
        items = sorted(set(site.output_units_per_week) | set(site.stock_units))
        for item in items:
            rate = site.output_units_per_week.get(item, 0.0)
            upper = (np.full(weeks, np.inf) if "production" in relax
                     else rate * cal.plant_days[site.id] / wdpw)
            cols.prod[site.id, item] = lp.add_columns(weeks, upper=upper)
            cols.plant_stock[site.id, item] = lp.add_columns(weeks)
            if "production" not in relax:
                rows["production", site.id, item] = (np.array([], int), upper)
    # the last programme raises the least advanced area's progress week by week (max-min),
    # then front-loads installation and deliveries, each area weighted by its own demand
    front = (weeks - t_idx).astype(float) if stage == "front" else np.zeros(weeks)
    totals = {area.id: sum(plan.remaining_units(area, i) for i in area.demand_units) or 1.0
              for area in plan.storage_areas}
    for lane in lanes:
        cost = COST_WEIGHT * lane_hours_per_unit(plan, lane) if stage == "front" else 0.0
        cols.ship[lane.id] = lp.add_columns(
            weeks, objective=(DELIVERY_WEIGHT * front - cost) / totals[lane.area])
    for area in plan.storage_areas:
        for item in sorted(area.demand_units):
            if plan.remaining_units(area, item) <= 0:
                continue
            cols.inst[area.id, item] = lp.add_columns(
                weeks, objective=INSTALL_WEIGHT * front / totals[area.id])
            cols.area_stock[area.id, item] = lp.add_columns(weeks)
            counted = only is None or area.id == only
            cols.short[area.id, item] = int(lp.add_columns(
                1, upper=0.0 if stage != "unmet" and counted else np.inf,
                objective=-1.0 if stage == "unmet" and counted else 0.0)[0])

    # plant yard balance: stock(t) - stock(t-1) - prod(t) + shipped(t) = 0 (stock(-1) given)
    for (site_id, item), prod in cols.prod.items():
        site = next(s for s in plan.production if s.id == site_id)
        stock = cols.plant_stock[site_id, item]
        rhs = np.zeros(weeks)
        rhs[0] = site.stock_units.get(item, 0.0)
        r = lp.add_rows(weeks, lower=rhs, upper=rhs)
        lp.add_terms(r, stock, 1.0)
        lp.add_terms(r[1:], stock[:-1], -1.0)
        lp.add_terms(r, prod, -1.0)
        for lane in lanes:
            if lane.plant == site_id and lane.item == item:
                lp.add_terms(r, cols.ship[lane.id], 1.0)

    # storage-area balance and completion
    for (area_id, item), inst in cols.inst.items():
        area = next(a for a in plan.storage_areas if a.id == area_id)
        stock = cols.area_stock[area_id, item]
        r = lp.add_rows(weeks, lower=0.0, upper=0.0)
        lp.add_terms(r, stock, 1.0)
        lp.add_terms(r[1:], stock[:-1], -1.0)
        lp.add_terms(r, inst, 1.0)
        for lane in lanes:
            if lane.area == area_id and lane.item == item:
                lp.add_terms(r, cols.ship[lane.id], -1.0)
        need = plan.remaining_units(area, item)
        done = lp.add_rows(1, lower=need, upper=need)
        lp.add_terms(np.full(weeks, done[0]), inst, 1.0)
        lp.add_terms(done, np.array([cols.short[area_id, item]]), 1.0)

    # transport: road vehicle hours, wagon hours
    hours = plan.calendar.hours_per_day
    for vehicle in plan.fleet:
        used = [lane for lane in lanes if lane.road_vehicle == vehicle.id
                or lane.wagon == vehicle.id]
        if not used:
            continue
        if vehicle.kind == "rail_wagon":
            limit = np.full(weeks, vehicle.count * vehicle.availability * 168.0)
        else:
            limit = vehicle.count * vehicle.availability * hours * cal.work_days
        r = capacity(("transport", vehicle.id, vehicle.kind), limit)
        for lane in used:
            ppu = plan.item(lane.item).pieces_per_unit
            if lane.wagon == vehicle.id:
                per_unit = ppu / lane.wagon_pieces_per_load * lane.wagon_cycle_h
            else:
                per_unit = ppu / lane.road_pieces_per_load * lane.road_cycle_h
            lp.add_terms(r, cols.ship[lane.id], per_unit)

    # storage areas: reception, yard capacity, installation crews and cranes
    for area in plan.storage_areas:
        items = [item for (a, item) in cols.inst if a == area.id]
        if not items:
            continue
        rec = area.reception
        r = capacity(("reception", area.id, "cranes"),
                     rec.cranes * rec.pieces_per_crane_per_day * cal.work_days)
        for lane in lanes:
            if lane.area == area.id:
                lp.add_terms(r, cols.ship[lane.id], plan.item(lane.item).pieces_per_unit)
        if area.storage_capacity_units is not None:
            r = capacity(("storage", area.id, "yard"),
                         np.full(weeks, area.storage_capacity_units))
            for item in items:
                lp.add_terms(r, cols.area_stock[area.id, item], 1.0)
        ins = area.installation
        share = cal.install_days / plan.calendar.working_days_per_week
        crews = capacity(("installation", area.id, "crews"),
                         ins.crews * ins.units_per_crew_per_week * share)
        cranes = capacity(("installation", area.id, "cranes"),
                          ins.cranes * ins.units_per_crane_per_week * share)
        for item in items:
            effort = plan.item(item).install_effort
            lp.add_terms(crews, cols.inst[area.id, item], effort)
            lp.add_terms(cranes, cols.inst[area.id, item], effort)

    if stage == "front":
        _fair_progress(plan, lp, cols, weeks, totals)
    if stage in ("z", "front"):
        _last_week_rows(lp, cols, rows, weeks - 1, stage=stage, z_cap=z_cap, relax=relax)
    return lp, cols, rows


def _fair_progress(plan: MaterielPlan, lp: SparseLP, cols: _Columns, weeks: int,
                   totals: dict[str, float]) -> None:
    """Columns ``y_t`` no larger than any area's share of its demand installed by week ``t``:
    the schedule serves the areas in proportion to their demand. One such ``y`` per priority
    level, each level weighing :data:`PRIORITY_WEIGHT` times the next, so a higher level is
    served first (within the overall completion already fixed)."""
    levels = sorted({area.priority for area in plan.storage_areas})
    least = {level: lp.add_columns(weeks, upper=1.0,
                                   objective=PRIORITY_WEIGHT ** (len(levels) - 1 - n))
             for n, level in enumerate(levels)}
    for area in plan.storage_areas:
        items = [item for (a, item) in cols.inst if a == area.id]
        if not items:
            continue
        cumulative = lp.add_columns(weeks)
        r = lp.add_rows(weeks, lower=0.0, upper=0.0)  # cum(t) - cum(t-1) - installed(t) = 0
        lp.add_terms(r, cumulative, 1.0)
        lp.add_terms(r[1:], cumulative[:-1], -1.0)
        for item in items:
            lp.add_terms(r, cols.inst[area.id, item], -1.0)
        r = lp.add_rows(weeks, upper=0.0)  # y(t) - cum(t) / total <= 0
        lp.add_terms(r, least[area.priority], 1.0)
        lp.add_terms(r, cumulative, -1.0 / totals[area.id])


#: The classes whose work in the last week sets the day within it (storage is a level).
RATE_CLASSES = ("production", "transport", "reception", "installation")


def _last_week_rows(lp: SparseLP, cols: _Columns, rows: dict, last: int, *, stage: str,
                    z_cap: float, relax: frozenset[str]) -> None:
    """Bound every rate capacity's use in week ``last`` by ``z`` of its limit.

    In the final week each resource works at its full rate from the week's first working
    day, in parallel, so the work is done when the most loaded one finishes: ``z`` of the
    way through the week. Stage ``z`` minimises ``z``; stage ``front`` keeps it at
    ``z_cap``.
    """
    if stage == "z":
        cols.z = int(lp.add_columns(1, upper=1.0, objective=-1.0)[0])
    wanted = {int(r[last]): key for key, (r, _) in rows.items() if len(r)}
    all_rows, all_cols, all_vals = (np.concatenate(lp.rows), np.concatenate(lp.cols),
                                    np.concatenate(lp.vals))
    mask = np.isin(all_rows, list(wanted))
    terms: dict[tuple, tuple[list, list]] = {key: ([], []) for key in rows}
    for r, c, v in zip(all_rows[mask], all_cols[mask], all_vals[mask], strict=True):
        terms[wanted[int(r)]][0].append(c)
        terms[wanted[int(r)]][1].append(v)
    for key, (r, limit) in sorted(rows.items()):
        if key[0] not in RATE_CLASSES or key[0] in relax or limit[last] <= 0:
            continue
        if len(r) == 0:  # production: the plant's column of that week
            site, item = key[1], key[2]
            used_cols, used_vals = [cols.prod[site, item][last]], [1.0]
        else:
            used_cols, used_vals = terms[key]
            if not used_cols:
                continue
        row = lp.add_rows(1, upper=0.0 if stage == "z" else z_cap * limit[last] + 1e-7)
        lp.add_terms(np.full(len(used_cols), row[0]), np.asarray(used_cols),
                     np.asarray(used_vals))
        if stage == "z":
            lp.add_terms(row, np.array([cols.z]), -limit[last])


def lane_hours_per_unit(plan: MaterielPlan, lane: Lane) -> float:
    """Road-vehicle hours (plus wagon hours at :data:`WAGON_HOUR_WEIGHT`) a unit costs."""
    ppu = plan.item(lane.item).pieces_per_unit
    hours = ppu / lane.road_pieces_per_load * lane.road_cycle_h
    if lane.wagon is not None:
        hours += WAGON_HOUR_WEIGHT * ppu / lane.wagon_pieces_per_load * lane.wagon_cycle_h
    return hours


def _solve(plan: MaterielPlan, lanes: list[Lane], weeks: int, relax: frozenset[str],
           stage: str, z_cap: float = 1.0, only: str | None = None) -> Solved:
    lp, cols, rows = _build(plan, lanes, weeks, relax=relax, stage=stage, z_cap=z_cap,
                            only=only)
    solution = lp.solve("highs")
    values = solution.values
    unmet = float(sum(values[c] for c in cols.short.values()))
    z = float(values[cols.z]) if cols.z is not None else z_cap
    capacity = {}
    for key, (r, limit) in rows.items():
        if len(r) == 0:  # production: the columns' own bounds
            site, item = key[1], key[2]
            capacity[key] = (values[cols.prod[site, item]], limit)
        else:
            capacity[key] = (solution.activity[r], limit)
    return Solved(weeks, unmet, z, cols, values, capacity)


def _met(plan: MaterielPlan, solved: Solved, only: str | None = None) -> bool:
    need = sum(plan.remaining_units(a, i) for a in plan.storage_areas for i in a.demand_units)
    unmet = solved.unmet_units if only is None else sum(
        solved.values[c] for (a, _), c in solved.columns.short.items() if a == only)
    return unmet <= TOLERANCE * max(1.0, need)


@dataclass(frozen=True)
class Schedule:
    """The answer of :func:`solve_schedule`: the completion week, ``z`` and the schedule."""

    weeks: int
    z: float
    solved: Solved
    calendar: WeekCalendar
    lp_count: int

    @property
    def completion_date(self) -> dt.date:
        return fraction_date(self.calendar, self.weeks - 1, self.z)


def fraction_date(cal: WeekCalendar, week: int, share: float) -> dt.date:
    """The installation day of ``week`` by which ``share`` of its capacity is used."""
    dates = cal.install_dates[week]
    if not dates:
        return cal.starts[week]
    n = len(dates)
    k = min(n - 1, max(0, int(np.ceil(share * n - 1e-6)) - 1))
    return dates[k]


def completion_weeks(plan: MaterielPlan, lanes: list[Lane], *, relax: frozenset[str] = frozenset(),
                     upper: int | None = None, only: str | None = None) -> tuple[int, int]:
    """The smallest number of weeks with nothing unmet, and the programmes solved.

    ``upper``: a number of weeks known to suffice (from a run with fewer resources);
    ``only``: count one storage area's demand alone (see :func:`_build`).
    Raises :class:`InfeasibleError` if the plan's ``horizon_weeks`` do not suffice.
    """
    count = 0
    horizon = plan.horizon_weeks if upper is None else upper

    def met(weeks: int) -> bool:
        return _met(plan, _solve(plan, lanes, weeks, relax, "unmet", only=only), only)

    if upper is None:
        solved = _solve(plan, lanes, horizon, relax, "unmet", only=only)
        count += 1
        if not _met(plan, solved, only):
            where = plan.source_file or plan.name
            raise InfeasibleError(
                f"{where}: {solved.unmet_units:,.1f} units are still not installed after "
                f"horizon_weeks = {plan.horizon_weeks}; raise horizon_weeks or add "
                "production, vehicles, cranes or crews")
    low, high = 0, horizon  # low: not enough (0 weeks never is unless nothing is due)
    if not any(plan.remaining_units(a, i) > 0 for a in plan.storage_areas
               for i in a.demand_units if only is None or a.id == only):
        return 0, count
    # first try one week less than the known bound: a small change often keeps the week
    if upper is not None and high > 1:
        count += 1
        if not met(high - 1):
            return high, count
        high -= 1
    while high - low > 1:
        mid = (low + high) // 2
        count += 1
        if met(mid):
            high = mid
        else:
            low = mid
    return high, count


def solve_schedule(plan: MaterielPlan, lanes: list[Lane], *,
                   relax: frozenset[str] = frozenset(), upper: int | None = None,
                   front: bool = True, only: str | None = None) -> Schedule:
    """Completion week, the share ``z`` of its last week, and (``front``) the schedule.

    ``only``: the earliest one storage area could finish with first call on everything.
    """
    weeks, count = completion_weeks(plan, lanes, relax=relax, upper=upper, only=only)
    cal = week_calendar(plan, max(weeks, 1))
    if weeks == 0:
        empty = _solve(plan, lanes, 1, relax, "unmet")
        return Schedule(0, 0.0, empty, cal, count + 1)
    z_run = _solve(plan, lanes, weeks, relax, "z", only=only)
    count += 1
    solved = (_solve(plan, lanes, weeks, relax, "front", z_cap=z_run.z, only=only) if front
              else z_run)
    return Schedule(weeks, z_run.z, solved, cal, count + (1 if front else 0))


def weekly_values(solved: Solved, key: str) -> dict:
    """Per-week values of a column group (``prod``, ``ship``, ``inst`` …) keyed as stored."""
    group = getattr(solved.columns, key)
    return {k: np.clip(solved.values[v], 0.0, None) for k, v in group.items()}
