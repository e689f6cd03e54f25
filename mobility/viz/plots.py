"""The closure plot: cumulative troops arrived over days against the Force Model targets.

Drawn with Matplotlib's object API on an Agg canvas (no ``pyplot``, no global state, no
display needed), so it works in scripts, tests and on headless servers.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mobility._io import atomic_write_bytes
from mobility.viz.briefing import briefing

if TYPE_CHECKING:
    from mobility.result import ClosureResult

#: Image formats :func:`closure_plot` writes, by file suffix.
PLOT_FORMATS = {".png": "png", ".svg": "svg"}
PLOT_SIZE_IN = (9.0, 5.0)
PLOT_DPI = 120
_CURVE_COLOUR = "#2166ac"
_MET_COLOUR = "#1a9850"
_MISSED_COLOUR = "#d73027"
_LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
              "alpha": 0.85}
#: Head room above the largest target: the y-axis ends at this multiple of it.
TARGET_HEADROOM = 1.12


def closure_plot(result: ClosureResult, path: str | Path | None = None) -> Figure:
    """Plot cumulative troops arrived against the Force Model targets.

    The arrival curve (``result.curve``) is drawn with the targets as a staircase of required
    troops: a step marker at each deadline with the target's troops, labelled with the day the
    curve reaches it (or the shortfall at the deadline, for a missed target), and a dotted
    line at that day. The y-axis is sized to the targets (:data:`TARGET_HEADROOM` times the
    largest), so they stay readable; a curve that runs above it continues off-scale, with a
    marker and its final value where it leaves the plot. The title carries the scenario,
    as-of date and model version, the foot the caveat (:mod:`mobility.viz.briefing`).

    Parameters
    ----------
    result
        A closure result.
    path
        Where to save the figure: ``.png`` or ``.svg``, written atomically (a temporary file
        in the same folder, then :func:`os.replace`); ``None`` only returns the figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not attached to ``pyplot``; nothing to close).

    Raises
    ------
    ValueError
        If ``path`` has a suffix other than ``.png`` or ``.svg``.
    """
    figure = Figure(figsize=PLOT_SIZE_IN, dpi=PLOT_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = result.curve["day"].to_numpy(dtype=float)
    troops = result.curve["troops"].to_numpy(dtype=float)
    axes.plot(days, troops, color=_CURVE_COLOUR, linewidth=2.2, label="Troops arrived")
    if result.integration_days:  # arrived is not combat-ready: the plan shifted by it
        ready = days + result.integration_days
        keep = ready <= result.horizon_days
        axes.plot(ready[keep], troops[keep], color=_CURVE_COLOUR, linewidth=1.4,
                  linestyle=(0, (4, 2)), alpha=0.8,
                  label=f"Combat-ready ({result.integration_days:g} days after closing)")

    targets = sorted(result.targets, key=lambda t: (t.deadline_day, t.troops))
    if targets:
        step_days = [0.0]
        step_troops = [0.0]
        for target in targets:
            step_days += [target.deadline_day, target.deadline_day]
            step_troops += [step_troops[-1], max(step_troops[-1], target.troops)]
        step_days.append(max(result.horizon_days, targets[-1].deadline_day))
        step_troops.append(step_troops[-1])
        axes.plot(step_days, step_troops, color="#636363", linewidth=1.2, linestyle="--",
                  label=f"Force Model targets ({result.targets_reading})")
    x_max_days = max([result.horizon_days, *(t.deadline_day for t in targets)])
    for number, target in enumerate(targets, start=1):
        colour = _MET_COLOUR if target.met else _MISSED_COLOUR
        axes.plot([target.deadline_day], [target.troops], marker="s", markersize=8,
                  color=colour, linestyle="none", zorder=5)
        if target.reached_day is not None:
            axes.axvline(target.reached_day, color=colour, linewidth=0.9, linestyle=":")
            axes.plot([target.reached_day], [target.troops], marker="o", markersize=6,
                      color=colour, linestyle="none", zorder=5)
            outcome = f"reached day {target.reached_day:.1f}"
        else:
            outcome = f"short {target.shortfall:,.0f} at deadline"
        label = (f"T{number}: {target.troops:,.0f} by day {target.deadline_day:g}\n"
                 f"{outcome}")
        near_right = target.deadline_day > 0.7 * x_max_days
        axes.annotate(label, (target.deadline_day, target.troops),
                      xytext=(-8 if near_right else 8, -6), textcoords="offset points",
                      fontsize=8, color=colour, va="top", ha="right" if near_right else "left",
                      bbox=_LABEL_BOX)

    axes.set_xlim(0, x_max_days)
    top = TARGET_HEADROOM * max((t.troops for t in targets), default=0.0)
    if top <= 0:
        top = max(float(troops.max(initial=0.0)) * 1.05, 1.0)
    axes.set_ylim(0, top)
    mark_off_scale(axes, days, troops, top, _CURVE_COLOUR)
    axes.set_xlabel("Day")
    axes.set_ylabel("Troops arrived (cumulative)")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    about = briefing("Force closure", result.scenario)
    axes.set_title(f"Force closure — scenario {result.scenario} ({result.method})\n"
                   f"as of {about.as_of} · baltic-mobility {about.version}", fontsize=10)
    figure.supxlabel(about.caveat, fontsize=7, color="#8a1c1c")
    axes.grid(True, color="#e0e0e0", linewidth=0.6)
    # lower right: the curve rises from the lower left and the targets sit above it
    axes.legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.9, edgecolor="none")
    if path is not None:
        save_figure(figure, path)
    return figure


def mark_off_scale(axes: Axes, days: np.ndarray, troops: np.ndarray, top: float, colour: str,
                   *, nudge_pt: float = 0.0) -> float | None:
    """Where a curve runs above the y-axis (``top``): a marker at the day it leaves the plot
    and its final value beside it; ``nudge_pt`` moves the text down (several curves).

    Returns the day it leaves the plot, or ``None`` when it stays on it.
    """
    above = troops > top
    if not above.any():
        return None
    first = int(above.argmax())
    # where the curve leaves the plot (linear between the two curve points around it)
    if first > 0:
        d0, d1, y0, y1 = days[first - 1], days[first], troops[first - 1], troops[first]
        leave_day = float(d0 + (top - y0) / (y1 - y0) * (d1 - d0) if y1 != y0 else d1)
    else:
        leave_day = float(days[0])
    axes.plot([leave_day], [top], marker="^", markersize=9, color=colour, linestyle="none",
              clip_on=False, zorder=6)
    axes.annotate(f"off scale: {troops[-1]:,.0f} by day {days[-1]:g}", (leave_day, top),
                  xytext=(8, -4 - nudge_pt), textcoords="offset points", fontsize=8,
                  color=colour, va="top", ha="left", bbox=_LABEL_BOX)
    return leave_day


def figure_bytes(figure: Figure, image_format: str) -> bytes:
    """The figure as ``png`` or ``svg`` bytes, reproducibly (no dates, fixed SVG ids)."""
    import matplotlib

    buffer = io.BytesIO()
    metadata = {"Software": None} if image_format == "png" else {"Date": None}
    with matplotlib.rc_context({"svg.hashsalt": "mobility", "svg.fonttype": "none"}):
        figure.savefig(buffer, format=image_format, metadata=metadata)
    return buffer.getvalue()


def save_figure(figure: Figure, path: str | Path) -> Path:
    """Save ``figure`` to a ``.png`` or ``.svg`` file atomically; returns the path."""
    target = Path(path)
    image_format = PLOT_FORMATS.get(target.suffix.lower())
    if image_format is None:
        msg = (f"{target}: unsupported plot format {target.suffix!r}; "
               f"valid: {', '.join(PLOT_FORMATS)}")
        raise ValueError(msg)
    return atomic_write_bytes(target, figure_bytes(figure, image_format))
