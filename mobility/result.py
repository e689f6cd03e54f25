"""Result objects of a closure run, and their JSON form."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TargetOutcome:
    """One Force Model target: ``troops`` delivered by ``deadline_day``."""

    troops: float
    deadline_day: float
    reached_day: float | None  # first day the cumulative arrivals reach ``troops``; None if never
    troops_at_deadline: float
    shortfall: float  # troops missing at the deadline (0 when met)

    @property
    def met(self) -> bool:
        return self.shortfall <= 0


@dataclass(frozen=True)
class Bottleneck:
    """A capacity that binds, named in a planner's words."""

    name: str  # e.g. "Šeštokai gauge transfer"
    kind: str  # node kind (gauge_transfer, port, …) or edge mode (rail, road, …)
    element_id: str  # node id or edge id
    utilisation: float  # flow / capacity at the horizon the bottleneck is reported for (0–1)
    capacity_per_day: float  # in ``unit``
    unit: str  # train, vehicle, sailing, flight
    from_day: float | None  # first day it is used at that utilisation; None if unknown
    in_min_cut: bool  # part of the minimum cut that limits the long-run throughput

    def describe(self) -> str:
        when = f" from day {self.from_day:.1f}" if self.from_day is not None else ""
        return f"{self.name}, {self.utilisation:.0%} used{when}"


TRANSFER_USE_COLUMNS = ("node", "day", "flow_troops_per_day", "flow_units_per_day",
                        "capacity_units_per_day", "utilisation", "unit")


@dataclass(frozen=True)
class ClosureResult:
    """When the Force Model volumes arrive, and what holds them back.

    ``curve`` has columns ``day`` and ``troops`` (cumulative troops arrived, one row per
    ``curve_step_h``). ``edge_flows`` has one row per directed network edge and day with
    ``edge_id, u, v, mode, day, flow_troops_per_day, capacity_troops_per_day, utilisation,
    flow_units_per_day, capacity_units_per_day, unit``: the flow pattern that delivers the most
    troops by the end of that day. ``node_arrivals`` has ``node, name, day, troops``
    (cumulative per destination).
    """

    scenario: str
    description: str
    method: str  # "exact" (flows over time) or "lp" (time-expanded linear programme)
    targets_reading: str  # "cumulative" (LaSER report) or "additive" (NATO tiers)
    horizon_days: float
    curve: pd.DataFrame
    targets: list[TargetOutcome]
    troops_by_day: dict[int, float]
    bottlenecks: list[Bottleneck]
    edge_flows: pd.DataFrame
    node_arrivals: pd.DataFrame
    mode_split: dict[str, float]  # share of troops entering the Baltic states, by mode
    rounding: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source_file: str | None = None  # the scenario file, for re-loading its network
    #: Fleet engine only. ``bounds``: ``day`` and one column of troops closed per relaxation
    #: ("unlimited lift", "unlimited lift, all ready day 0"). ``formations``: one row per
    #: force-list line (ready, modes, embarkation, first arrival and closing day).
    #: ``fleet_use``: carriers in use and available per period. ``marginal``: troops gained
    #: by each report day from one more unit of each binding resource.
    bounds: pd.DataFrame = field(default_factory=pd.DataFrame)
    formations: pd.DataFrame = field(default_factory=pd.DataFrame)
    fleet_use: pd.DataFrame = field(default_factory=pd.DataFrame)
    marginal: list[dict[str, Any]] = field(default_factory=list)
    #: Fleet engine only: per relaxation, the most that can close by each report day.
    bounds_by_day: dict[str, dict[int, float]] = field(default_factory=dict)
    #: Fleet engine with sustainment: per period end ``day, troops_arrived,
    #: need_t_per_day, delivered_t, consumed_t, stock_t`` (tonnes; delivered and consumed
    #: cumulative) at the assembly areas together.
    sustainment: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Per node transfer gate (gauge transfer, port, terminal) and day with use,
    #: :data:`TRANSFER_USE_COLUMNS`: items through it per day against its capacity (0:
    #: unlimited), in its unit (trains, sailings, flights). Empty when read back without
    #: detail by the exact engine.
    transfer_use: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Days from closing to combat-ready (scenario field ``integration_days``).
    integration_days: float = 0.0
    #: Fleet engine with an integration delay: per report day, the most troops that can
    #: have closed ``integration_days`` before it (each its own LP).
    combat_ready_by_day: dict[int, float] = field(default_factory=dict)

    def combat_ready_by(self, day: float) -> float:
        """Troops combat-ready by ``day``: on a report day the most that can have closed
        ``integration_days`` before (fleet engine), otherwise those the plan (the exact
        curve) has closed then."""
        if int(day) == day and int(day) in self.combat_ready_by_day:
            return self.combat_ready_by_day[int(day)]
        shifted = day - self.integration_days
        return self.arrivals_by(shifted) if shifted > 0 else 0.0

    def combat_ready_day(self, reached_day: float | None) -> float | None:
        """The combat-ready day of troops that have closed on ``reached_day``."""
        return None if reached_day is None else reached_day + self.integration_days

    def supply_share(self, day: float) -> dict[str, float]:
        """Per limited fleet: the share of its carriers in use on ``day`` that carry
        supplies (0 where none are in use)."""
        use = self.fleet_use
        if use.empty or "in_use_supply" not in use:
            return {}
        now = use[(use["from_day"] <= day - 1e-9) & (use["to_day"] >= day - 1e-9)]
        now = now.groupby("carrier")[["in_use", "in_use_supply"]].last()
        return {str(c): float(r.in_use_supply / r.in_use) if r.in_use > 1e-9 else 0.0
                for c, r in now.iterrows()}

    def bound_by(self, name: str, day: float) -> float:
        """Troops a relaxation (``bounds`` column) closes by ``day``: the most by a report
        day where solved, otherwise its curve."""
        if int(day) == day and int(day) in self.bounds_by_day.get(name, {}):
            return self.bounds_by_day[name][int(day)]
        return float(np.interp(day, self.bounds["day"], self.bounds[name]))

    def arrivals_by(self, day: float) -> float:
        """Cumulative troops arrived by ``day`` (linear between curve points)."""
        days, troops = self.curve["day"].to_numpy(), self.curve["troops"].to_numpy()
        if day >= days[-1]:
            return float(troops[-1])
        return float(np.interp(day, days, troops))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``mobility run --json``."""
        return {
            "scenario": self.scenario,
            "description": self.description,
            "method": self.method,
            "targets_reading": self.targets_reading,
            "horizon_days": self.horizon_days,
            "targets": [_clean(asdict(t)) for t in self.targets],
            "troops_by_day": {str(day): round(v, 1) for day, v in self.troops_by_day.items()},
            "bottlenecks": [
                _clean({**asdict(b), "description": b.describe()}) for b in self.bottlenecks
            ],
            "mode_split": {mode: round(share, 4) for mode, share in self.mode_split.items()},
            "rounding": _clean(self.rounding),
            "notes": list(self.notes),
            **self._combat_ready_dict(),
            **self._fleet_dict(),
        }

    def _combat_ready_dict(self) -> dict[str, Any]:
        if not self.integration_days:
            return {}
        return {"integration_days": self.integration_days,
                "combat_ready_by_day": {str(d): round(self.combat_ready_by(d), 1)
                                        for d in self.troops_by_day},
                "targets_combat_ready_day": [_clean(self.combat_ready_day(t.reached_day))
                                             for t in self.targets]}

    def _fleet_dict(self) -> dict[str, Any]:
        if self.method != "fleet":
            return {}
        days = [int(d) for d in range(1, math.floor(self.horizon_days) + 1)]
        out: dict[str, Any] = {
            "troops_by_every_day": [round(self.arrivals_by(d), 1) for d in days],
            "bounds_by_day": {
                name: {str(d): round(self.bound_by(name, d), 1) for d in self.troops_by_day}
                for name in self.bounds.columns if name != "day"},
            "formations": _clean(self.formations.to_dict(orient="records")),
            "marginal_values": _clean(self.marginal),
        }
        if not self.sustainment.empty:
            out["sustainment"] = self._sustainment_dict()
        if not self.fleet_use.empty:
            peak = self.fleet_use.groupby("carrier")[["in_use", "available"]].max()
            out["fleet_peak"] = _clean({c: {"in_use": float(r.in_use),
                                            "available": float(r.available)}
                                        for c, r in peak.iterrows()})
        return out

    def supplies_exceed_lift_day(self) -> dict[str, float | None]:
        """Per limited fleet: the first day its carriers on supplies exceed those left for
        moving forces (more than half of those available); None: not within the horizon."""
        use = self.fleet_use
        if use.empty or "in_use_supply" not in use or self.sustainment.empty:
            return {}
        found: dict[str, float | None] = {}
        for carrier, rows in use.groupby("carrier", sort=True):
            over = rows[(rows["in_use_supply"] > rows["available"] - rows["in_use_supply"])
                        & (rows["available"] > 0)]
            found[str(carrier)] = float(over["from_day"].iloc[0]) if len(over) else None
        return found

    def supplies_short_day(self) -> float | None:
        """The first day the stock at the assembly areas is below zero (supplies planned
        after the forces that do not fit on what their plan leaves); None: never."""
        return stock_short_day(self.sustainment)

    def supply_share_words(self, day: float) -> str:
        """``supply_share`` in words: "train-1435 54%, sailing 16%" (shares of 0.5 % and
        more), or "none"."""
        return ", ".join(f"{c} {v:.0%}" for c, v in self.supply_share(day).items()
                         if v >= 0.005) or "none"

    def sustainment_by_day(self) -> list[dict[str, Any]]:
        """Per report day: troops arrived at the assembly areas, their need (tonnes a
        day), supplies delivered so far (t), the stock there (t) and, per fleet, the share
        of its carriers in use that carry supplies. Empty without sustainment."""
        table = self.sustainment
        if table.empty:
            return []
        rows = []
        for day in self.troops_by_day:
            row: dict[str, Any] = {"day": day}
            for name in ("troops_arrived", "need_t_per_day", "delivered_t", "stock_t"):
                row[name] = float(np.interp(day, table["day"], table[name]))
            rows.append({**row, "supply_share_of_fleets": self.supply_share(day)})
        return rows

    def _sustainment_dict(self) -> dict[str, Any]:
        return _clean({"by_day": {str(r["day"]): {k: v for k, v in r.items() if k != "day"}
                                  for r in self.sustainment_by_day()},
                       "supplies_exceed_lift_left_day": self.supplies_exceed_lift_day(),
                       "stock_short_from_day": self.supplies_short_day()})


def stock_short_day(table: pd.DataFrame) -> float | None:
    """The first period end of a sustainment table whose stock is below zero; None: none."""
    if table.empty:
        return None
    short = table[table["stock_t"] < -1e-6 * np.maximum(table["need_t_per_day"], 1.0)]
    return float(short["day"].iloc[0]) if len(short) else None


def _clean(value: Any) -> Any:
    """Round floats for JSON and turn NaN into None."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    return value
