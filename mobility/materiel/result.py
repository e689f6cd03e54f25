"""The answer to a materiel plan: completion dates, curves, what binds and what one more buys.

Dates are ISO days; ``*_units`` count items as the demand does (bunkers), ``*_pieces`` what
is lifted; ``days_earlier`` is how much sooner the overall completion comes with a change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mobility.materiel.lanes import Lane

__all__ = ["AreaOutcome", "CapacityUse", "LaneUse", "Marginal", "MaterielResult", "Relaxation"]


@dataclass(frozen=True)
class AreaOutcome:
    """One storage area: what it needs and when it is done in the schedule."""

    id: str
    name: str
    lon: float
    lat: float
    access_node: str
    demand_units: float
    installed_before_units: float
    completion: str | None  # ISO date; None when nothing was left to install
    earliest_alone: str | None  # with first call on everything (None: not computed)
    weeks: int
    last_delivery_week_start: str | None
    meets_deadline: bool
    days_after_deadline: int


@dataclass(frozen=True)
class Marginal:
    """What one more of a resource changes: the overall completion re-solved."""

    resource_class: str  # production, transport, reception, storage, installation
    element: str  # plant, vehicle type or storage area id
    change: str  # "+1 installation crew at se-2-rapina"
    completion: str
    days_earlier: int

    @property
    def weeks_earlier(self) -> float:
        return self.days_earlier / 7


@dataclass(frozen=True)
class Relaxation:
    """The overall completion if a whole class of resource were unlimited."""

    resource_class: str
    completion: str
    days_earlier: int


@dataclass(frozen=True)
class CapacityUse:
    """How full one capacity was in the schedule's weeks that had any of it."""

    resource_class: str
    element: str
    what: str
    mean_utilisation: float  # 0-1, over the weeks up to completion with capacity
    weeks_full: int  # weeks at >= 99 % of capacity


@dataclass(frozen=True)
class LaneUse:
    """A lane that carried something, with the units and loads the schedule gave it."""

    lane: Lane
    units: float
    road_loads: float
    wagon_loads: float

    def to_dict(self) -> dict[str, Any]:
        """One flat row: the lane's fields (routes as ``;``-joined node and edge ids)."""
        lane = self.lane
        return {
            "id": lane.id, "plant": lane.plant, "area": lane.area, "item": lane.item,
            "mode": lane.mode, "road_vehicle": lane.road_vehicle, "wagon": lane.wagon,
            "units": self.units, "road_loads": self.road_loads, "wagon_loads": self.wagon_loads,
            "km": lane.km, "road_cycle_h": lane.road_cycle_h,
            "wagon_cycle_h": lane.wagon_cycle_h, "oversize": lane.oversize,
            "road_route": ";".join(lane.road_leg.nodes),
            "rail_route": ";".join(lane.rail_leg.nodes) if lane.rail_leg else "",
            "road_edges": ";".join(lane.road_leg.edges),
            "rail_edges": ";".join(lane.rail_leg.edges) if lane.rail_leg else "",
        }


@dataclass(frozen=True)
class MaterielResult:
    """Completion per storage area and overall, weekly curves, binding class and marginals.

    ``weekly`` has one row per week and storage area (``week``, ``week_start``, ``area``,
    ``delivered_units``, ``installed_units``, ``installed_cumulative_units``,
    ``stock_units``); ``production_weekly`` per week and plant (``produced_units``);
    ``fleet_weekly`` per week and vehicle type (``hours_used``, ``hours_available``).
    ``binding`` is the resource class whose relaxation (unlimited) gains most, ``"none"``
    if none gains, ``None`` if not computed (``marginal=False``); ``marginal`` is ranked by
    days earlier, largest first.
    """

    plan: str
    description: str
    source_file: str
    start: str
    deadline: str
    completion: str | None
    completion_week: int
    meets_deadline: bool
    days_after_deadline: int
    total_units: float
    installed_before_units: float
    areas: tuple[AreaOutcome, ...]
    weekly: tuple[dict[str, Any], ...]
    production_weekly: tuple[dict[str, Any], ...]
    fleet_weekly: tuple[dict[str, Any], ...]
    lanes: tuple[LaneUse, ...]
    capacities: tuple[CapacityUse, ...]
    relaxations: tuple[Relaxation, ...]
    binding: str | None
    marginal: tuple[Marginal, ...]
    lp_count: int
    notes: tuple[str, ...] = field(default=())

    def area(self, area_id: str) -> AreaOutcome:
        return next(a for a in self.areas if a.id == area_id)

    def deliveries_by_week(self) -> list[float]:
        """Units delivered to all storage areas in each week."""
        return _sum_by_week(self.weekly, "delivered_units", self.completion_week)

    def installed_by_week(self) -> list[float]:
        return _sum_by_week(self.weekly, "installed_units", self.completion_week)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (floats rounded to 4 decimals)."""
        data = asdict(self)
        data["marginal"] = [{**asdict(m), "weeks_earlier": round(m.weeks_earlier, 2)}
                            for m in self.marginal]
        data["lanes"] = [lane.to_dict() for lane in self.lanes]
        return _rounded(data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    def output_files(self, folder: str | Path) -> dict[Path, str]:
        """CSV tables and the JSON result, as ``{path: text}`` for one atomic write."""
        root = Path(folder)
        return {
            root / "result.json": self.to_json(),
            root / "areas.csv": _csv([asdict(a) for a in self.areas]),
            root / "weekly.csv": _csv(list(self.weekly)),
            root / "production.csv": _csv(list(self.production_weekly)),
            root / "fleet.csv": _csv(list(self.fleet_weekly)),
            root / "lanes.csv": _csv([lane.to_dict() for lane in self.lanes]),
            root / "marginal.csv": _csv([{**asdict(m), "weeks_earlier": round(m.weeks_earlier, 2)}
                                         for m in self.marginal]),
            root / "capacities.csv": _csv([asdict(c) for c in self.capacities]),
        }


def _sum_by_week(rows: tuple[dict[str, Any], ...], key: str, weeks: int) -> list[float]:
    out = [0.0] * weeks
    for row in rows:
        if row["week"] < weeks:
            out[row["week"]] += row[key]
    return out


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    if not rows:
        return ""
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})
    return buffer.getvalue()
