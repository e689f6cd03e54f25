"""Compare the closure of several scenarios side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mobility._progress import Progress, silent
from mobility.engines import closure
from mobility.result import ClosureResult, TargetOutcome
from mobility.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class Comparison:
    """Closure metrics of each scenario, and the edges whose flow changed most.

    ``edge_changes`` compares every scenario with the first by the troops that entered each
    edge over the first ``day`` days (the shortest horizon): columns ``scenario, edge_id, u,
    v, mode, flow_first, flow_this, change_troops``.
    """

    results: list[ClosureResult]
    day: int
    edge_changes: pd.DataFrame

    def to_dict(self, top: int = 10) -> dict:
        rows = []
        first = self.results[0]
        for result in self.results:
            # in the min cut (exact engine) or valued (fleet engine with detail); else the
            # capacity or fleet that binds on the most days (fleet engine without detail)
            binding = next((b for b in result.bottlenecks if b.in_min_cut),
                           result.bottlenecks[0] if result.bottlenecks else None)
            rows.append({
                "scenario": result.scenario,
                "description": result.description,
                "targets": [{"troops": t.troops, "deadline_day": t.deadline_day,
                             "reached_day": None if t.reached_day is None
                             else round(t.reached_day, 2),
                             "days_later_than_first": days_later(t, reference),
                             "shortfall": round(t.shortfall, 1)}
                            for t, reference in zip(result.targets, first.targets,
                                                    strict=False)],
                "troops_by_day": {str(d): round(v, 1) for d, v in result.troops_by_day.items()},
                "binding_bottleneck": binding.describe() if binding else None,
                "sustained": not result.sustainment.empty,
                "supplies_short_from_day": result.supplies_short_day(),
                "mode_split": {m: round(s, 4) for m, s in result.mode_split.items()},
            })
        changes = self.edge_changes
        biggest = changes.reindex(changes["change_troops"].abs()
                                  .sort_values(ascending=False).index).head(top)
        return {"scenarios": rows, "flow_days": self.day,
                "edges_changed_most": biggest.round(1).to_dict(orient="records")}


def days_later(target: TargetOutcome, reference: TargetOutcome) -> float | None:
    """Days later (negative: earlier) that ``target`` is reached than ``reference``; None
    where either is not reached within its horizon or they are different targets."""
    if (target.reached_day is None or reference.reached_day is None
            or (target.troops, target.deadline_day) != (reference.troops,
                                                        reference.deadline_day)):
        return None
    return round(target.reached_day - reference.reached_day, 2)


def compare(
    scenarios: Sequence[Scenario | str],
    *,
    detail: bool = False,
    progress: Progress | None = None,
) -> Comparison:
    """Run closure for each scenario and compare them with the first.

    Flows are compared as troops carried over the days all scenarios share (their shortest
    horizon).

    Parameters
    ----------
    scenarios
        Two or more :class:`~mobility.scenario.Scenario` objects, shipped names or YAML paths;
        the first is the reference.
    detail
        Solve each closure in full (bounds, marginal values, edge flows by day: what the
        difference maps draw); ``False`` is the fast closure.
    progress
        Called with a short message as each scenario is solved.

    Returns
    -------
    Comparison
        Each scenario's :class:`~mobility.result.ClosureResult`, the days each target is
        reached later (+) or earlier (-) than in the reference, and the edges whose troops
        carried (troops) changed most.
    """
    say = progress or silent
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    results = []
    for scenario in loaded:
        say(f"closure of {scenario.name}")
        results.append(closure(None, scenario, detail=detail))
    return comparison_of(results)


def comparison_of(results: Sequence[ClosureResult]) -> Comparison:
    """Compare closure results with the first (see :func:`compare`)."""
    results = list(results)
    day = int(min(r.horizon_days for r in results))
    keys = ["edge_id", "u", "v", "mode"]
    first = _flows_on(results[0], day, keys)
    frames = []
    for result in results[1:]:
        this = _flows_on(result, day, keys)
        merged = first.merge(this, on=keys, how="outer", suffixes=("_first", "_this")).fillna(0.0)
        merged["change_troops"] = merged["flow_this"] - merged["flow_first"]
        merged.insert(0, "scenario", result.scenario)
        frames.append(merged[merged["change_troops"].abs() > 1e-6])
    columns = ["scenario", *keys, "flow_first", "flow_this", "change_troops"]
    changes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return Comparison(results=results, day=day,
                      edge_changes=changes[columns].sort_values(["scenario", "edge_id", "u"])
                      .reset_index(drop=True))


def _flows_on(result: ClosureResult, days: int, keys: list[str]) -> pd.DataFrame:
    """Troops that entered each edge in the first ``days`` days (daily flows x 1 day)."""
    flows = result.edge_flows
    flows = flows[flows["day"] <= days]
    total = flows.groupby(keys, as_index=False)["flow_troops_per_day"].sum()
    return total.rename(columns={"flow_troops_per_day": "flow"})
