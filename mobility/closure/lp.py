"""Closure with the time-expanded multi-commodity LP (OR-Tools GLOP).

Used for what the exact flows-over-time method cannot express: capacities that change with
time (a section closed on day 5) and two commodities with their own mode restrictions and
planning factors — heavy forces (never by air; their vehicles fill trains, ships and roads
at the heavy factors) and light forces (any mode, light factors). Holdover (waiting) is
allowed everywhere. The network is first contracted (series chains merged) and time is cut
into ``lp_step_h`` steps up to ``lp_horizon_days``; transit is rounded up to whole steps, so a
path of k arcs can arrive up to k steps late: the LP curve lies between the exact curve
shifted by that delay and the exact curve itself (tested on single-commodity cases).
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd

from mobility.closure.model import BALTIC_STATES, ClosureModel
from mobility.closure.exact import _notes
from mobility.closure.readback import report_days as _report_days, targets as _targets
from mobility.flows import CapacityChange, Commodity, contract_chains, time_expanded_lp
from mobility.result import Bottleneck, ClosureResult


def solve_lp(model: ClosureModel, *, progress=None, detail: bool = True) -> ClosureResult:
    """Closure of ``model`` with the time-expanded LP (see the module docstring)."""
    say = progress or (lambda _msg: None)
    scenario = model.scenario
    problem = model.problem
    horizon_days = min(scenario.horizon_days, scenario.lp_horizon_days)
    horizon_h = horizon_days * 24
    step_h = scenario.lp_step_h

    keep = np.zeros(problem.n_nodes, dtype=bool)
    for arc in range(model.n_movement, len(problem.tail)):  # origins and destinations stay
        keep[problem.tail[arc]] = keep[problem.head[arc]] = True
    per_unit_key = np.nan_to_num(model.arc_troops_per_unit, nan=-1.0)
    for arc in range(len(problem.tail)):  # chains must not mix units (trains with vehicles…)
        for other in np.flatnonzero(problem.head == problem.tail[arc]):
            if per_unit_key[other] != per_unit_key[arc]:
                keep[problem.tail[arc]] = True
    for arc, _from_h, _factor in model.later_changes:
        keep[problem.tail[arc]] = keep[problem.head[arc]] = True
    contracted = contract_chains(problem, keep=keep)
    arc_map = contracted.contracted_arc_of
    small = contracted.problem

    commodities = _commodities(model, arc_map, len(small.tail))
    changes = [CapacityChange(arc=int(arc_map[arc]), from_h=from_h, factor=factor)
               for arc, from_h, factor in model.later_changes]
    say(f"solving the time-expanded LP ({horizon_days:g} days, {step_h:g} h steps)")
    lp = time_expanded_lp(small, horizon_h, step_h, commodities=commodities,
                          capacity_changes=_unique(changes))

    step_end_days = lp.step_end_h / 24
    total = lp.total_arrivals
    curve = pd.DataFrame({"day": np.concatenate([[0.0], step_end_days]),
                          "troops": np.concatenate([[0.0], total])})
    flow_per_step = contracted.expand_arc_values(lp.arc_flow)  # troops entering, per step
    days = [d for d in _report_days(scenario) if d <= horizon_days]
    by_day = {d: float(np.interp(d, curve["day"], curve["troops"])) for d in days}
    notes = [
        *_notes(model),
        f"time-expanded LP (GLOP): {lp.n_cols:,} columns, {lp.wall_time_s:.1f} s; "
        f"{step_h:g} h steps; transit rounded up to whole steps (arrivals may be late by up "
        "to one step per arc of a path)",
        f"commodities: {', '.join(lp.commodity_names)} (heavy forces never by air)",
    ]
    if horizon_days < scenario.horizon_days:
        notes.append(f"the LP covers {horizon_days:g} of {scenario.horizon_days:g} days "
                     "(scenario field lp_horizon_days); later targets are not evaluated")
    targets = _targets(scenario.model_copy(update={"horizon_days": horizon_days}), curve)
    for i, target in enumerate(targets):
        if target.deadline_day > horizon_days and target.reached_day is None:
            targets[i] = type(target)(target.troops, target.deadline_day, None,
                                      float("nan"), float("nan"))
    dual = contracted.expand_arc_values(lp.capacity_dual)
    return ClosureResult(
        scenario=scenario.name,
        description=scenario.description,
        method="lp",
        targets_reading=scenario.targets.reading if not scenario.targets.custom else "custom",
        horizon_days=horizon_days,
        curve=curve,
        targets=targets,
        troops_by_day=by_day,
        bottlenecks=_bottlenecks(model, flow_per_step, dual, lp.step_h),
        edge_flows=_edge_flows(model, flow_per_step, lp.step_h) if detail else _empty_flows(),
        node_arrivals=_node_arrivals(model, flow_per_step, lp.step_h),
        mode_split=_mode_split(model, flow_per_step),
        rounding={},
        notes=notes,
        source_file=scenario.source_file,
    )


def _commodities(model: ClosureModel, arc_map: np.ndarray, n_small: int) -> list[Commodity]:
    scenario = model.scenario
    heavy_share = scenario.force.heavy_share
    factors = scenario.factors()
    blended = model.troops_per_unit
    mg = model.movement
    n_arcs = len(model.problem.tail)
    source_arcs = model.problem.source_arcs()
    rates = model.problem.capacity_per_h[source_arcs]
    result = []
    for name, share, table in (("heavy", heavy_share, factors.heavy),
                               ("light", 1 - heavy_share, factors.light)):
        if share <= 0:
            continue
        allowed = np.ones(n_arcs, dtype=bool)
        use = np.ones(n_arcs)
        for arc in range(model.n_movement):
            unit = mg.unit[arc]
            if unit in blended:
                use[arc] = blended[unit] / getattr(table, unit)
            if name == "heavy" and (mg.mode[arc] == "air" or unit == "flight"):
                allowed[arc] = False
        small_allowed = np.ones(n_small, dtype=bool)
        small_use = np.zeros(n_small)
        for arc in range(n_arcs):  # a chain is allowed only if all its arcs are
            small = arc_map[arc]
            small_allowed[small] &= allowed[arc]
            small_use[small] = max(small_use[small], use[arc])
        result.append(Commodity(name=name, supply_per_h=rates * share,
                                allowed_arcs=small_allowed, units_per_troop=small_use))
    return result


def _unique(changes: list[CapacityChange]) -> list[CapacityChange]:
    return sorted(set(changes), key=lambda c: (c.arc, c.from_h, c.factor))


def _per_day(flow_per_step: np.ndarray, step_h: float) -> tuple[np.ndarray, np.ndarray]:
    """Troops entering each arc per day (rows: arcs, columns: days 1…)."""
    n_steps = flow_per_step.shape[1]
    day_of_step = np.floor(np.arange(n_steps) * step_h / 24).astype(int)
    n_days = int(day_of_step.max()) + 1 if n_steps else 0
    per_day = np.zeros((flow_per_step.shape[0], n_days))
    np.add.at(per_day.T, day_of_step, flow_per_step.T)
    steps_per_day = np.bincount(day_of_step, minlength=n_days) * step_h / 24
    return per_day / np.maximum(steps_per_day, 1e-12), np.arange(1, n_days + 1)


def _edge_flows(model: ClosureModel, flow_per_step: np.ndarray, step_h: float) -> pd.DataFrame:
    per_day, days = _per_day(flow_per_step, step_h)
    mg = model.movement
    cap_day = model.problem.capacity_per_h * 24
    rows = []
    for d_index, day in enumerate(days):
        grouped: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for arc in range(mg.n_arcs):
            if mg.kind[arc] == "edge" and per_day[arc, d_index] > 1e-6:
                grouped[(mg.ref[arc], mg.u[arc], mg.v[arc])].append(arc)
        for (edge_id, u, v), arcs in sorted(grouped.items()):
            flow = float(sum(per_day[a, d_index] for a in arcs))
            per_unit = float(model.arc_troops_per_unit[arcs[0]])
            capacity = float(cap_day[arcs[0]])
            rows.append({"edge_id": edge_id, "u": u, "v": v, "mode": mg.mode[arcs[0]],
                         "day": int(day), "flow_troops_per_day": flow,
                         "capacity_troops_per_day": capacity,
                         "utilisation": flow / capacity if capacity else 0.0,
                         "flow_units_per_day": flow / per_unit,
                         "capacity_units_per_day": capacity / per_unit,
                         "unit": mg.unit[arcs[0]]})
    return pd.DataFrame(rows, columns=_empty_flows().columns)


def _empty_flows() -> pd.DataFrame:
    return pd.DataFrame(columns=["edge_id", "u", "v", "mode", "day", "flow_troops_per_day",
                                 "capacity_troops_per_day", "utilisation", "flow_units_per_day",
                                 "capacity_units_per_day", "unit"])


def _node_arrivals(model: ClosureModel, flow_per_step: np.ndarray, step_h: float) -> pd.DataFrame:
    first = model.n_movement + len(model.origin_ids)
    n_steps = flow_per_step.shape[1]
    rows = []
    for i, node in enumerate(model.destination_ids):
        cumulative = np.cumsum(flow_per_step[first + i])
        for day in range(1, math.floor(n_steps * step_h / 24) + 1):
            last_step = int(day * 24 / step_h) - 1
            rows.append({"node": node, "name": model.graph.nodes[node]["name"], "day": day,
                         "troops": float(cumulative[last_step])})
    return pd.DataFrame(rows, columns=["node", "name", "day", "troops"])


def _mode_split(model: ClosureModel, flow_per_step: np.ndarray) -> dict[str, float]:
    mg = model.movement
    nodes = model.graph.nodes
    totals: dict[str, float] = defaultdict(float)
    for arc in range(mg.n_arcs):
        if mg.kind[arc] == "edge" and nodes[mg.u[arc]]["country"] not in BALTIC_STATES \
                and nodes[mg.v[arc]]["country"] in BALTIC_STATES:
            totals[mg.mode[arc]] += float(flow_per_step[arc].sum())
    grand = sum(totals.values())
    return {m: totals[m] / grand for m in sorted(totals)} if grand else {}


def _bottlenecks(model: ClosureModel, flow_per_step: np.ndarray, dual: np.ndarray,
                 step_h: float, *, limit: int = 10) -> list[Bottleneck]:
    """Capacities with a positive shadow price, by shadow price (value of one more unit)."""
    cap_step = model.problem.capacity_per_h * step_h
    utilisation = np.divide(flow_per_step, cap_step[:, None],
                            out=np.zeros_like(flow_per_step), where=cap_step[:, None] > 0)
    found: dict[tuple[str, str], tuple[float, Bottleneck]] = {}
    for arc in np.flatnonzero(dual > 1e-9):
        if arc < model.n_movement and model.movement.kind[arc] == "link":
            continue
        name, kind, element = model.arc_label(int(arc))
        saturated = np.flatnonzero(utilisation[arc] >= 0.995)
        unit = model.movement.unit[arc] if arc < model.n_movement else "troop"
        per_unit = model.arc_troops_per_unit[arc] if arc < model.n_movement else 1.0
        per_unit = 1.0 if np.isnan(per_unit) else float(per_unit)
        bottleneck = Bottleneck(
            name=name, kind=kind, element_id=element,
            utilisation=float(min(utilisation[arc].max(), 1.0)),
            capacity_per_day=float(cap_step[arc] / step_h * 24 / per_unit), unit=unit,
            from_day=float(saturated[0] * step_h / 24) if len(saturated) else None,
            in_min_cut=True,
        )
        key = (element, name)
        if key not in found or dual[arc] > found[key][0]:
            found[key] = (float(dual[arc]), bottleneck)
    ranked = sorted(found.values(), key=lambda item: (-item[0], item[1].name))
    return [b for _, b in ranked[:limit]]
