"""The massing LP: units' moves dispatched hour by hour, sharing the network's capacities.

Time runs in steps of ``step_h`` hours from the decision (hour 0). Column ``x[u, m, b]`` is
the share of unit ``u`` that leaves on move ``m`` in step ``b`` (at ``b x step_h``; not before
the unit is ready, nor before the permissions' lead time if the move crosses a border). It
enters each element the move uses ``offset`` hours later, taking ``loads x x`` of that
element's capacity in that step (vehicles or trains a day x ``step_h / 24``), and arrives
``hours`` after it left (the routing's first arrival: the moving time of every share). Each
unit is shared out at most once. Maximised: the troops (or heavy vehicles) that have arrived
by hour ``T``, one LP for each hour asked, so more time never shows fewer; and for the
schedule, the troop-hours in the area over the horizon (every share as early as the
capacities allow). Solved with OR-Tools (GLOP, for its dual values: the marginal value of one
more vehicle or train a day on an element).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mobility.engines.lp_model import LPSolution, SparseLP
from mobility.massing.routes import Move, Resource

__all__ = ["Columns", "MassingLP", "build"]

EPS = 1e-9


@dataclass(frozen=True)
class Columns:
    unit: np.ndarray  # index into units
    move: np.ndarray  # index into the unit's moves
    step: np.ndarray  # dispatch step
    arrive_h: np.ndarray  # arrival hour


@dataclass
class MassingLP:
    lp: SparseLP
    columns: Columns
    troops: np.ndarray  # per unit
    tracked: np.ndarray  # per unit
    rows: dict[tuple[str, int], int]  # (resource key, step) -> row
    capacity: dict[tuple[str, int], float]
    step_h: float
    horizon_h: float

    def objective(self, by_h: float, what: str = "troops") -> np.ndarray:
        weight = self.troops if what == "troops" else self.tracked
        c = self.columns
        return np.where(c.arrive_h <= by_h + EPS, weight[c.unit], 0.0)

    def solve(self, objective: np.ndarray) -> LPSolution:
        self.lp.objective = [objective]
        return self.lp.solve("glop")

    def schedule_objective(self) -> np.ndarray:
        """Troop-hours in the area up to the horizon: earlier arrivals weigh more."""
        c = self.columns
        left = np.maximum(self.horizon_h - c.arrive_h, 0.0)
        return np.where(c.arrive_h <= self.horizon_h + EPS,
                        self.troops[c.unit] * (1.0 + left), 0.0)

    def arrived_share(self, values: np.ndarray, n_units: int, by_h: float) -> np.ndarray:
        c = self.columns
        done = c.arrive_h <= by_h + EPS
        return np.bincount(c.unit[done], weights=values[done], minlength=n_units)


def build(moves: Sequence[Sequence[Move]], ready_h: Sequence[float], lead_h: float,
          troops: Sequence[float], tracked: Sequence[float], resources: dict[str, Resource],
          *, step_h: float, horizon_h: float) -> MassingLP:
    """The LP over ``horizon_h`` hours; ``moves[u]`` are unit ``u``'s moves."""
    steps = math.ceil(horizon_h / step_h - EPS)
    units, which, when, arrive = [], [], [], []
    for u, unit_moves in enumerate(moves):
        for m, move in enumerate(unit_moves):
            start = max(ready_h[u], lead_h if move.crosses_border else 0.0)
            first = math.ceil(start / step_h - EPS)
            for b in range(first, steps + 1):
                t = b * step_h + move.hours
                if t > horizon_h + EPS:
                    break
                units.append(u)
                which.append(m)
                when.append(b)
                arrive.append(t)
    columns = Columns(np.asarray(units, dtype=np.int64), np.asarray(which, dtype=np.int64),
                      np.asarray(when, dtype=np.int64), np.asarray(arrive, dtype=float))
    lp = SparseLP()
    n = len(units)
    lp.add_columns(n, lower=0.0, upper=1.0)
    # each unit is shared out at most once
    unit_rows = lp.add_rows(len(moves), upper=1.0)
    lp.add_terms(unit_rows[columns.unit], np.arange(n), 1.0)
    # capacity rows: (resource, step)
    rows: dict[tuple[str, int], int] = {}
    capacity: dict[tuple[str, int], float] = {}
    r_idx: list[int] = []
    c_idx: list[int] = []
    vals: list[float] = []
    for col in range(n):
        move = moves[units[col]][which[col]]
        for key, offset, loads in move.uses:
            b = math.floor((when[col] * step_h + offset) / step_h + EPS)
            row_key = (key, b)
            if row_key not in rows:
                rows[row_key] = len(rows)
                capacity[row_key] = resources[key].capacity_per_day * step_h / 24.0
            r_idx.append(rows[row_key])
            c_idx.append(col)
            vals.append(loads)
    if rows:
        first_row = lp.add_rows(len(rows), upper=np.array([capacity[k] for k in rows]))[0]
        lp.add_terms(np.asarray(r_idx, dtype=np.int64) + first_row,
                     np.asarray(c_idx, dtype=np.int64), np.asarray(vals, dtype=float))
        rows = {k: first_row + v for k, v in rows.items()}
    return MassingLP(lp, columns, np.asarray(troops, dtype=float),
                     np.asarray(tracked, dtype=float), rows, capacity, step_h, horizon_h)
