"""What ``mass`` returns: troops in the area by hour, units' arrivals, what binds, the
adversary timeline set beside it; JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

__all__ = ["Binding", "Comparison", "MassingResult", "Milestone", "UnitOutcome"]


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


@dataclass(frozen=True)
class UnitOutcome:
    id: str
    name: str
    nation: str
    profile: str
    count: int
    home: str  # network node id
    home_name: str
    troops: float
    tracked: float
    ready_h: float
    reachable: bool
    mode: str  # the fastest move's main mode ("in place": starts in the area)
    via: str  # the fastest move's legs, e.g. "rail Rukla → Tapa; road Tapa → Narva"
    earliest_h: float | None  # first share could arrive (ready/permission + fastest move)
    alone_h: float | None  # the whole unit alone on the network (routing's move time)
    first_arrival_h: float | None  # in the schedule (all units together)
    closed_h: float | None  # all of it in the area, in the schedule (None: not by horizon)
    share_by: dict[str, float]  # hour -> share in the area (schedule)
    held_by_permission: bool


@dataclass(frozen=True)
class Binding:
    """A capacity full in the LP for the hour asked, with its marginal value."""

    by_h: float
    element: str
    kind: str  # road, rail, gate
    name: str
    capacity_per_day: float
    unit: str
    troops_per_unit_day: float  # troops more by by_h from one more vehicle/train a day
    full_steps: int
    first_full_h: float


@dataclass(frozen=True)
class Milestone:
    hour: float
    what: str
    adversary_troops: float | None
    source: str
    nato_troops: float
    nato_tracked: float
    units_closed: tuple[str, ...]


@dataclass
class MassingResult:
    scenario: str
    title: str
    description: str
    area_name: str
    area_nodes: tuple[str, ...]
    area_centre: tuple[float, float]
    radius_km: float | None
    polygon: tuple[tuple[float, float], ...] | None
    rules: str
    lead_h: float
    lead_source: str
    step_h: float
    by_h: tuple[float, ...]
    force_troops: float
    force_tracked: float
    troops_by: dict[str, float]
    tracked_by: dict[str, float]
    limits_by: dict[str, dict[str, float]]  # hour -> cause -> troops short of the area
    units: list[UnitOutcome]
    binding: list[Binding]
    adversary: str | None
    milestones: list[Milestone]
    curve: list[tuple[float, float]]  # (hour, troops in the area) of the schedule
    flows: dict[str, float]  # edge id -> vehicles (road) or trains (rail) in the schedule
    closed: tuple[str, ...]
    notes: list[str]
    lp_columns: int = 0
    lp_rows: int = 0
    wall_time_s: float = 0.0
    _model: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the LP kept for comparisons is left out, not copied)."""
        data = {f.name: _plain(getattr(self, f.name)) for f in fields(self)
                if not f.name.startswith("_")}
        data["curve"] = [list(p) for p in self.curve]
        return data

    def output_files(self, folder: Path) -> dict[Path, str]:
        """``units.csv``, ``by_hour.csv``, ``binding.csv``, ``milestones.csv``,
        ``result.json`` in ``folder``."""
        def table(rows: list[dict[str, Any]]) -> str:
            if not rows:
                return ""
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            return text.getvalue()

        units = [{k: v for k, v in asdict(u).items() if k != "share_by"}
                 | {f"share_by_{h}h": s for h, s in u.share_by.items()} for u in self.units]
        hours = [{"hour": h, "troops": self.troops_by[h], "heavy_vehicles": self.tracked_by[h]}
                 for h in self.troops_by]
        return {folder / "units.csv": table(units),
                folder / "by_hour.csv": table(hours),
                folder / "binding.csv": table([asdict(b) for b in self.binding]),
                folder / "milestones.csv": table([asdict(m) | {"units_closed": " ".join(
                    m.units_closed)} for m in self.milestones]),
                folder / "curve.csv": table([{"hour": h, "troops": t} for h, t in self.curve]),
                folder / "result.json": json.dumps(self.to_dict(), ensure_ascii=False,
                                                   indent=1) + "\n"}


@dataclass(frozen=True)
class Comparison:
    """Two flashpoint results: troops by each hour, the hour each reaches the first's
    figures, and each unit's closing hour."""

    first: str
    second: str
    rows: list[dict[str, Any]]
    units: list[dict[str, Any]]
