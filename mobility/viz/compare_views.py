"""Maps and a report of a scenario comparison (:func:`mobility.analysis.compare.compare`): what
changed.

The difference map is the closure map of a compared scenario with three kinds of layers on
top (:class:`~mobility.viz.map_layers.Highlight`): the edges whose flow it gained and lost
against the reference scenario (on the comparison day, width by the change), and the
elements it closes or reduces (its ``capacity_changes``). Its title panel lists, for each
target, the day each scenario reaches it and the days gained or lost. The report tables the
same with the troops by day, plots every closure curve on one axis sized to the targets, and
embeds the map.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mobility.viz.briefing import briefing
from mobility.viz.map_layers import Highlight, closed_highlights, edge_names
from mobility.viz.maps import closure_map, format_number, map_html
from mobility.viz.plots import (
    PLOT_DPI,
    PLOT_SIZE_IN,
    TARGET_HEADROOM,
    figure_bytes,
    mark_off_scale,
)
from mobility.viz.report import page_html, section_html, table_html, write_offline_page

if TYPE_CHECKING:
    import folium
    import networkx as nx

    from mobility.analysis.compare import Comparison
    from mobility.result import ClosureResult
    from mobility.scenario import Scenario

GAINED_COLOUR = "#1a9850"
LOST_COLOUR = "#d73027"
_CURVE_COLOURS = ("#2166ac", "#d6604d", "#4d9221", "#762a83", "#e08214", "#35978f")


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def target_days(comparison: Comparison) -> list[dict[str, Any]]:
    """For each target of the reference: the day each scenario reaches it and the change.

    Returns
    -------
    list of dict
        ``target`` (``"T1: 100,000 by day 10"``), ``troops``, ``deadline_day``, and per
        scenario ``reached_day`` (``None``: not within its horizon) and ``days_later``
        (reached day minus the reference's: positive is days lost, negative days gained;
        ``None`` when either does not reach it).
    """
    reference = comparison.results[0]
    rows = []
    for number, target in enumerate(sorted(reference.targets, key=lambda t: t.deadline_day), 1):
        row: dict[str, Any] = {"target": f"T{number}: {target.troops:,.0f} by day "
                                         f"{target.deadline_day:g}",
                               "troops": target.troops, "deadline_day": target.deadline_day,
                               "scenarios": []}
        for result in comparison.results:
            match = next((t for t in result.targets if t.troops == target.troops
                          and t.deadline_day == target.deadline_day), None)
            reached = match.reached_day if match is not None else None
            later = (None if reached is None or target.reached_day is None
                     else reached - target.reached_day)
            row["scenarios"].append({"scenario": result.scenario, "reached_day": reached,
                                     "days_later": later})
        rows.append(row)
    return rows


def days_text(days_later: float | None, reached_day: float | None) -> str:
    """``"+5.7 days (lost)"``, ``"−3.0 days (gained)"``, ``"same day"`` or ``"not reached"``."""
    if reached_day is None:
        return "not reached"
    if days_later is None:
        return "reached (the reference does not)"
    if abs(days_later) < 0.05:
        return "same day"
    word = "lost" if days_later > 0 else "gained"
    return f"{days_later:+.1f} days ({word})".replace("-", "−")


def _day(reached_day: float | None) -> str:
    return "not reached" if reached_day is None else f"day {reached_day:.1f}"


def summary_lines(comparison: Comparison, index: int) -> list[str]:
    """Plain-text lines for the map's title panel: scenario ``index`` against the first."""
    reference = comparison.results[0].scenario
    lines = [f"Compared with {reference}"]
    for row in target_days(comparison):
        first, this = row["scenarios"][0], row["scenarios"][index]
        before, after = (_day(entry["reached_day"]) for entry in (first, this))
        change = days_text(this["days_later"], this["reached_day"])
        lines.append(f"{row['target']}: {before} → {after}"
                     + ("" if this["reached_day"] is None else f", {change}"))
    return lines


def troops_moved(result: ClosureResult) -> dict[str, float]:
    """Troops that entered each edge over the whole horizon (both directions), by edge id:
    the sum of its daily flows (troops/day × 1 day)."""
    flows = result.edge_flows
    if flows.empty:
        return {}
    totals = flows.groupby("edge_id", sort=True)["flow_troops_per_day"].sum()
    return {str(edge): float(value) for edge, value in totals.items()}


def flow_changes(comparison: Comparison, index: int = 1) -> list[dict[str, Any]]:
    """Edges whose troops moved (over the horizon) changed from the reference to scenario
    ``index``, largest change first: ``edge_id``, ``reference``, ``this``, ``change``."""
    before = troops_moved(comparison.results[0])
    after = troops_moved(comparison.results[index])
    rows: list[dict[str, Any]] = [
        {"edge_id": edge, "reference": before.get(edge, 0.0), "this": after.get(edge, 0.0),
         "change": after.get(edge, 0.0) - before.get(edge, 0.0)}
        for edge in sorted({*before, *after})]
    rows = [row for row in rows if abs(row["change"]) >= 0.5]
    return sorted(rows, key=lambda row: (-abs(row["change"]), row["edge_id"]))


def flow_change_highlights(graph: nx.MultiDiGraph, comparison: Comparison, index: int = 1,
                           ) -> list[Highlight]:
    """Edges on which scenario ``index`` moved more or fewer troops than the reference over
    the horizon, on the layers "Flow gained" and "Flow lost", width by the change."""
    rows = flow_changes(comparison, index)
    if not rows:
        return []
    largest = max(abs(row["change"]) for row in rows)
    names = edge_names(graph)
    highlights = []
    for row in rows:
        gained = row["change"] > 0
        highlights.append(Highlight(
            layer=f"Flow {'gained' if gained else 'lost'} (troops moved)",
            element_id=row["edge_id"],
            label=f"{names.get(row['edge_id'], row['edge_id'])}: {row['change']:+,.0f} troops",
            score=abs(row["change"]) / largest, colour=GAINED_COLOUR if gained else LOST_COLOUR,
            detail=(f"troops moved over the horizon: {format_number(row['reference'])} → "
                    f"{format_number(row['this'])}"),
            show_score=False))
    return highlights


def comparison_map(graph: nx.MultiDiGraph, comparison: Comparison,
                   scenarios: Sequence[Scenario], index: int = 1) -> folium.Map:
    """The difference map of scenario ``index`` against the first (see the module's text).

    Parameters
    ----------
    graph
        The network of scenario ``index`` (:func:`mobility.engines.network_for`).
    comparison
        From :func:`mobility.analysis.compare.compare` on ``scenarios``.
    scenarios
        The scenarios compared, the reference first.
    index
        Which compared scenario to draw (1 … len - 1).
    """
    result = comparison.results[index]
    return difference_map(graph, comparison, scenario=scenarios[index], index=index,
                          title=f"Difference: {result.scenario} against "
                                f"{comparison.results[0].scenario}",
                          summary=summary_lines(comparison, index))


def difference_map(graph: nx.MultiDiGraph, comparison: Comparison, *,
                   scenario: Scenario | str | None, title: str, summary: Sequence[str],
                   index: int = 1, highlights: Sequence[Highlight] = ()) -> folium.Map:
    """The closure map of result ``index`` with the flows it gained and lost against the
    first, and ``highlights`` (e.g. the elements an interdiction plan removes) on top."""
    # the closure map adds the elements the scenario closes, last and narrower: a black
    # core drawn over the flow they lost
    return closure_map(graph, comparison.results[index], scenario=scenario, title=title,
                       highlights=[*flow_change_highlights(graph, comparison, index),
                                   *highlights], summary=summary)


def flow_change_section(graph: nx.MultiDiGraph, comparison: Comparison, *,
                        top: int = 15) -> str:
    """The report's table of the edges whose flow changed most, per compared result."""
    results = comparison.results
    names_by_edge = edge_names(graph)
    rows = [[_esc(results[k].scenario), _esc(names_by_edge.get(row["edge_id"], row["edge_id"])),
             f"{row['reference']:,.0f}", f"{row['this']:,.0f}", f"{row['change']:+,.0f}"]
            for k in range(1, len(results)) for row in flow_changes(comparison, k)[:top]]
    return section_html("Edges whose flow changed most (troops moved over the horizon)",
                        table_html(["Scenario", "Edge", _esc(results[0].scenario),
                                    "This scenario", "Change"], rows, text_columns=2)
                        if rows else "<p class='muted'>No flow changed.</p>")


def comparison_plot(results: Sequence[ClosureResult]) -> Figure:
    """Every scenario's closure curve on one axis sized to the reference's targets."""
    figure = Figure(figsize=PLOT_SIZE_IN, dpi=PLOT_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    targets = sorted(results[0].targets, key=lambda t: t.deadline_day)
    for number, target in enumerate(targets, 1):
        axes.plot([target.deadline_day], [target.troops], marker="s", markersize=7,
                  color="#636363", linestyle="none", zorder=5)
        axes.annotate(f"T{number}", (target.deadline_day, target.troops), xytext=(6, 4),
                      textcoords="offset points", fontsize=8, color="#333")
    top = TARGET_HEADROOM * max((t.troops for t in targets), default=0.0)
    if top <= 0:
        top = max(float(r.curve["troops"].max()) for r in results) * 1.05 or 1.0
    axes.set_ylim(0, top)
    off_scale = 0
    for k, result in enumerate(results):
        colour = _CURVE_COLOURS[k % len(_CURVE_COLOURS)]
        days = result.curve["day"].to_numpy(dtype=float)
        troops = result.curve["troops"].to_numpy(dtype=float)
        axes.plot(days, troops, linewidth=2.0, color=colour, label=result.scenario)
        if mark_off_scale(axes, days, troops, top, colour,
                          nudge_pt=14.0 * off_scale) is not None:
            off_scale += 1
    axes.set_xlim(0, max(max(r.horizon_days for r in results),
                         *(t.deadline_day for t in targets)))
    axes.set_xlabel("Day")
    axes.set_ylabel("Troops arrived (cumulative)")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    about = briefing("Comparison")
    axes.set_title("Closure by scenario (squares: the reference's targets)\n"
                   f"as of {about.as_of} · baltic-mobility {about.version}", fontsize=10)
    figure.supxlabel(about.caveat, fontsize=7, color="#8a1c1c")
    axes.grid(True, color="#e0e0e0", linewidth=0.6)
    axes.legend(loc="lower right", fontsize=8)
    return figure


def comparison_report(comparison: Comparison, scenarios: Sequence[Scenario],
                      graph: nx.MultiDiGraph, path: str | Path, *, top: int = 15) -> Path:
    """Write the comparison report (targets, troops by day, flow changes, closed elements,
    curves, difference map of the second scenario) as one offline HTML file."""
    results = comparison.results
    names = [r.scenario for r in results]
    about = briefing("Scenario comparison", " vs ".join(names))
    target_rows = []
    for row in target_days(comparison):
        cells = [_esc(row["target"])]
        for k, entry in enumerate(row["scenarios"]):
            day = _day(entry["reached_day"])
            if k:
                day += f", {days_text(entry['days_later'], entry['reached_day'])}"
            cells.append(_esc(day))
        target_rows.append(cells)
    days = sorted({int(d) for r in results for d in r.troops_by_day})
    by_day = [[f"day {day}", *(f"{r.troops_by_day[day]:,.0f}" if day in r.troops_by_day
                               else "—" for r in results)] for day in days]
    closed_rows = [[_esc(scenario.name), _esc(h.label), _esc(h.detail)]
                   for scenario in scenarios[1:] for h in closed_highlights(graph, scenario)]
    png = figure_bytes(comparison_plot(results), "png")
    plot_src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    page = map_html(comparison_map(graph, comparison, scenarios)) if len(results) > 1 else ""
    parts = [
        section_html("Days to each target (reference first; + is days lost)",
                 table_html(["Target", *map(_esc, names)], target_rows)),
        section_html("Closure curves", "<img class='plot' alt='Closure curve of each scenario' "
                                   f"src='{plot_src}'>"),
        section_html("Troops arrived by day", table_html(["By", *map(_esc, names)], by_day)),
        flow_change_section(graph, comparison, top=top),
        section_html("Closed or reduced elements",
                     table_html(["Scenario", "Element", "Reason"], closed_rows, text_columns=3)
                     if closed_rows else "<p class='muted'>None.</p>"),
    ]
    if page:
        parts.append(section_html(f"Difference map: {names[1]} against {names[0]}",
                              "<iframe class='map' title='Difference map' "
                              f"srcdoc=\"{html.escape(page, quote=True)}\"></iframe>",
                              css="map"))
    return write_offline_page(path, page_html(about, "\n".join(parts)))


def comparison_map_paths(path: str | Path, names: Sequence[str]) -> list[Path]:
    """One file per compared scenario: ``path`` itself for one, ``stem-NAME.html`` for more."""
    target = Path(path)
    if len(names) <= 1:
        return [target]
    return [target.with_name(f"{target.stem}-{name}{target.suffix}") for name in names]

