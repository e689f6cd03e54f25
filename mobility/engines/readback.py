"""Reading any closure solution back: report days, targets and when they are reached."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobility.result import TargetOutcome
from mobility.scenario import Scenario
from mobility.settings import REPORT_DAYS


def report_days(scenario: Scenario) -> list[int]:
    wanted = set(REPORT_DAYS) | {int(t.deadline_day) for t in scenario.targets.resolved()}
    return sorted(d for d in wanted if d <= scenario.horizon_days)


def targets_reading(scenario: Scenario) -> str:
    """How the targets are read: "cumulative", "additive", or "custom" targets."""
    return scenario.targets.reading if not scenario.targets.custom else "custom"


def targets(scenario: Scenario, curve: pd.DataFrame, by_day: dict[int, float] | None = None,
            reached: list[float | None] | None = None) -> list[TargetOutcome]:
    """Each target's outcome on ``curve``; ``by_day`` overrides the troops at a deadline
    and ``reached`` the day each target is reached (the most that can close by a day and
    the earliest day, where a solver gives them apart from the curve)."""
    days, troops = curve["day"].to_numpy(), curve["troops"].to_numpy()
    outcomes = []
    for i, target in enumerate(scenario.targets.resolved()):
        at_deadline = float(np.interp(min(target.deadline_day, days[-1]), days, troops))
        at_deadline = max(at_deadline, (by_day or {}).get(int(target.deadline_day), 0.0)) \
            if float(target.deadline_day).is_integer() else at_deadline
        reached_at = reached_day(days, troops, target.troops) if reached is None else reached[i]
        if target.deadline_day > days[-1]:
            at_deadline = float("nan")
        outcomes.append(TargetOutcome(
            troops=target.troops, deadline_day=target.deadline_day, reached_day=reached_at,
            troops_at_deadline=at_deadline,
            shortfall=max(0.0, target.troops - at_deadline) if at_deadline == at_deadline
            else float("nan"),
        ))
    return outcomes


def reached_day(days: np.ndarray, troops: np.ndarray, wanted: float) -> float | None:
    """First day the monotone curve reaches ``wanted`` (linear within a step), or None."""
    index = int(np.searchsorted(troops, wanted, side="left"))
    if index >= len(troops):
        return None
    if index == 0:
        return float(days[0])
    t0, t1, y0, y1 = days[index - 1], days[index], troops[index - 1], troops[index]
    return float(t0 + (t1 - t0) * (wanted - y0) / (y1 - y0)) if y1 > y0 else float(t1)


