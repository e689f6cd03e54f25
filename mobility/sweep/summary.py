"""The summary of a sweep's rows: targets met, days reached, what binds, and its plot."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mobility.sweep.store import MANIFEST, read_results

# --- summary ----------------------------------------------------------------------------

PERCENTILES = (5, 50, 95)


@dataclass(frozen=True)
class TargetSummary:
    troops: float
    deadline_day: float
    probability_met: float  # share of runs that reach the target by its deadline
    reached_share: float  # share of runs that reach it within the horizon at all
    days_percentiles: dict[int, float | None]  # p → day reached; None = beyond the horizon


@dataclass(frozen=True)
class SweepSummary:
    """Percentiles of days to each target, probability of meeting it, binding bottlenecks."""

    name: str
    runs: int
    total_runs: int
    runs_with_failures: int
    runs_cut_off: int  # runs in which an origin or destination was dropped
    targets: list[TargetSummary]
    troops_percentiles: dict[int, dict[int, float]]  # day → p → troops
    bottlenecks: list[tuple[str, float]]  # (name, share of runs in which it binds)
    top_bottlenecks: list[tuple[str, float]]  # (name, share of runs it is the top one)
    failures: list[tuple[str, float]]  # (element id, share of runs in which it failed)
    grid: list[dict[str, Any]] = field(default_factory=list)  # per grid point

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=str))


def summarise(frame: pd.DataFrame, *, name: str = "", total_runs: int | None = None,
              top: int = 10) -> SweepSummary:
    """Summarise the rows of a sweep (from :func:`read_results`)."""
    n = len(frame)
    targets = []
    k = 1
    while f"target_{k}_met" in frame:
        days = frame[f"target_{k}_reached_day"].to_numpy(dtype=float)
        finite = np.where(np.isnan(days), np.inf, days)
        targets.append(TargetSummary(
            troops=float(frame[f"target_{k}_troops"].iloc[0]),
            deadline_day=float(frame[f"target_{k}_deadline_day"].iloc[0]),
            probability_met=float(frame[f"target_{k}_met"].mean()),
            reached_share=float(np.isfinite(finite).mean()),
            days_percentiles={p: _finite(np.percentile(finite, p, method="lower"))
                              for p in PERCENTILES},
        ))
        k += 1
    troops = {int(c.removeprefix("troops_day_")): {
        p: float(np.nanpercentile(frame[c], p)) if frame[c].notna().any() else math.nan
        for p in PERCENTILES} for c in frame if c.startswith("troops_day_")}
    binds = Counter(name for names in frame["bottlenecks"] for name in set(names))
    tops = Counter(frame["top_bottleneck"].dropna())
    failed = Counter(ref for refs in frame["failed"] for ref in refs)
    grid_columns = [c for c in frame if c.startswith("grid.")]
    grid = []
    if grid_columns:
        for point, rows in frame.groupby("grid_point", sort=True):
            entry: dict[str, Any] = {"grid_point": int(point)}
            entry |= {c.removeprefix("grid."): float(rows[c].iloc[0]) for c in grid_columns}
            entry["runs"] = len(rows)
            for j in range(1, len(targets) + 1):
                entry[f"target_{j}_probability_met"] = float(rows[f"target_{j}_met"].mean())
                days = rows[f"target_{j}_reached_day"].to_numpy(dtype=float)
                entry[f"target_{j}_median_day"] = _finite(
                    np.percentile(np.where(np.isnan(days), np.inf, days), 50, method="lower"))
            grid.append(entry)
    return SweepSummary(
        name=name, runs=n, total_runs=total_runs or n,
        runs_with_failures=int(sum(1 for refs in frame["failed"] if len(refs))),
        runs_cut_off=int(sum(1 for refs in frame["cut_off"] if len(refs))),
        targets=targets, troops_percentiles=troops,
        bottlenecks=_shares(binds, n, top),
        top_bottlenecks=_shares(tops, n, top),
        failures=_shares(failed, n, top),
        grid=grid,
    )


def _shares(counts: Counter, n: int, top: int) -> list[tuple[str, float]]:
    """The ``top`` most frequent keys with their share of ``n`` runs (ties by name)."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [(str(key), count / n) for key, count in ranked]


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def summarise_dir(out_dir: str | Path) -> SweepSummary:
    """Summarise the rows stored in a sweep output folder."""
    out_dir = Path(out_dir)
    frame = read_results(out_dir)
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    return summarise(frame, name=manifest.get("name", ""), total_runs=manifest.get("total_runs"))


def write_summary(summary: SweepSummary, frame: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """Write ``summary.json`` and ``summary.png`` into the output folder, both or neither."""
    from mobility._io import atomic_write_set

    out_dir = Path(out_dir)
    return atomic_write_set({
        out_dir / "summary.json": json.dumps(summary.to_dict(), ensure_ascii=False, indent=2),
        out_dir / "summary.png": sweep_plot_png(summary, frame)})


def sweep_plot_png(summary: SweepSummary, frame: pd.DataFrame) -> bytes:
    """PNG: distribution of the day each target is reached, and the most binding bottlenecks."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11.0, 4.8), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(1.1, 1))
    for k, target in enumerate(summary.targets, start=1):
        days = np.sort(frame[f"target_{k}_reached_day"].dropna().to_numpy(dtype=float))
        share = np.arange(1, len(days) + 1) / max(len(frame), 1)
        line = left.step(days, share, where="post",
                         label=f"{target.troops:,.0f} troops (P(met) {target.probability_met:.0%})")
        left.axvline(target.deadline_day, ls=":", color=line[0].get_color())
    left.set_xlabel("day the target is reached")
    left.set_ylabel("share of runs (cumulative)")
    left.set_ylim(0, 1.02)
    left.set_title(f"Days to each Force Model target — {summary.runs:,} runs")
    left.legend(loc="lower right", fontsize="small")
    names = [name for name, _ in summary.bottlenecks][::-1]
    right.barh(range(len(names)), [share for _, share in summary.bottlenecks][::-1],
               color="#d73027")
    right.set_yticks(range(len(names)), [n if len(n) < 45 else n[:42] + "…" for n in names],
                     fontsize="small")
    right.set_xlim(0, 1)
    right.set_xlabel("share of runs in which it binds")
    right.set_title("Bottlenecks that bind most often")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


