"""Views of materiel results: the offline map, the HTML report, tables, plans side by side.

The map is the project's briefing map of the network (:func:`mobility.viz.maps.closure_map`, with
its offline basemap, labels, legend and print layout) with, for each plan, the delivery flows
on the network edges (width by units carried), the storage areas at their own coordinates
(green: done by the deadline, red: late; the tooltip gives the completion date), the last
mile from the access node, and the plants. Every string from a plan is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import folium
import networkx as nx

from mobility.materiel.plan import MaterielPlan
from mobility.materiel.result import MaterielResult
from mobility.viz.briefing import briefing
from mobility.viz.map_layers import Highlight

__all__ = ["comparison_rows", "materiel_map", "materiel_plot", "report_html", "summary_lines"]

ON_TIME_COLOUR = "#1a9850"
LATE_COLOUR = "#d73027"
FLOW_COLOURS = ("#2166ac", "#762a83", "#b35806", "#01665e")
PLANT_COLOUR = "#4d4d4d"


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def summary_lines(result: MaterielResult) -> list[str]:
    """Plain-text lines: the overall answer, what binds and the best marginal change."""
    lines = [f"{result.plan}: {result.total_units:g} units ({result.installed_before_units:g} "
             f"installed before {result.start}), deadline {result.deadline}"]
    if result.completion is None:
        lines.append("nothing left to install")
        return lines
    verdict = ("meets the deadline" if result.meets_deadline else "MISSES the deadline")
    lines.append(f"all installed by {result.completion} (week {result.completion_week}): "
                 f"{verdict} by {abs(result.days_after_deadline)} days")
    if result.relaxations:
        top = result.relaxations[0]
        lines.append(f"binds: {result.binding}" + (
            f" (unlimited: {top.days_earlier} days earlier)" if top.days_earlier > 0 else ""))
        best = [m for m in result.marginal if m.days_earlier > 0][:3]
        for m in best:
            lines.append(f"{m.change}: {m.days_earlier} days earlier "
                         f"({m.weeks_earlier:.1f} weeks)")
        if not best:
            lines.append("no single extra unit of any resource brings the completion forward")
    return lines


def comparison_rows(results: Sequence[MaterielResult]) -> list[dict[str, Any]]:
    """One row per plan and storage area (and ``overall``): completion and days later than
    in the first plan (negative: earlier; empty where the first has no such area)."""
    first = results[0]
    rows = []
    for result in results:
        for area in [*result.areas, None]:
            area_id = area.id if area else "overall"
            done = area.completion if area else result.completion
            reference = (first.completion if area is None else
                         next((a.completion for a in first.areas if a.id == area_id), None))
            later = (dt.date.fromisoformat(done) - dt.date.fromisoformat(reference)).days \
                if done and reference else None
            rows.append({"plan": result.plan, "area": area_id, "completion": done,
                         "meets_deadline": area.meets_deadline if area else
                         result.meets_deadline,
                         "days_later_than_first": later,
                         "binding": result.binding if area is None else ""})
    return rows


def _flow_highlights(graph: nx.MultiDiGraph, result: MaterielResult, layer: str,
                     colour: str) -> list[Highlight]:
    units: dict[str, float] = defaultdict(float)
    how: dict[str, set[str]] = defaultdict(set)
    for use in result.lanes:
        lane = use.lane
        for edge in lane.road_leg.edges:
            units[edge] += use.units
            how[edge].add(lane.road_vehicle)
        if lane.rail_leg is not None:
            for edge in lane.rail_leg.edges:
                units[edge] += use.units
                how[edge].add(str(lane.wagon))
    most = max(units.values(), default=0.0)
    return [Highlight(layer=layer, element_id=edge, label=f"{units[edge]:,.0f} units delivered",
                      score=units[edge] / most if most else None, colour=colour,
                      detail=f"by {', '.join(sorted(how[edge]))}", show_score=False)
            for edge in sorted(units)]


def materiel_map(graph: nx.MultiDiGraph, results: Sequence[MaterielResult],
                 plans: Sequence[MaterielPlan]) -> folium.Map:
    """The offline map of one or more plans' results (save it with
    :func:`mobility.viz.maps.save_map` or :func:`mobility.viz.maps.map_html`)."""
    from mobility.viz.maps import closure_map, layer_control_last

    highlights: list[Highlight] = []
    for n, result in enumerate(results):
        highlights += _flow_highlights(graph, result, f"Deliveries: {result.plan}",
                                       FLOW_COLOURS[n % len(FLOW_COLOURS)])
    summary = [line for result in results for line in summary_lines(result)[:3]]
    summary.append("Filled circles: storage areas (green: installed by the deadline, red: "
                   "late; point at one for its dates), dashed: their last mile; white "
                   "circles: plants; thick coloured lines: deliveries (width by units)")
    title = "Materiel deliveries" if len(results) == 1 else "Materiel plans compared"
    widths = [("", None, "Deliveries: line width grows with the items carried over the edge "
                          "(the widest: the most carried)")]
    m = closure_map(graph, None, scenario=" vs ".join(r.plan for r in results), title=title,
                    highlights=highlights, summary=summary, key_rows=widths)
    for result, plan in zip(results, plans, strict=True):
        areas = folium.FeatureGroup(name=_esc(f"Storage areas: {result.plan}"), show=True)
        plants = folium.FeatureGroup(name=_esc(f"Plants: {result.plan}"), show=True)
        for outcome, area in zip(result.areas, plan.storage_areas, strict=True):
            colour = ON_TIME_COLOUR if outcome.meets_deadline else LATE_COLOUR
            access = graph.nodes[area.access_node]
            folium.PolyLine([[access["y"], access["x"]], [area.lat, area.lon]], color=colour,
                            weight=2, dash_array="4 4",
                            tooltip=_esc(f"last mile {area.last_mile_km:g} km "
                                         f"({area.last_mile_road_class})")).add_to(areas)
            when = outcome.completion or "nothing left"
            late = (f"{outcome.days_after_deadline} days after the deadline"
                    if outcome.days_after_deadline > 0 else
                    f"{-outcome.days_after_deadline} days before the deadline")
            text = (f"<b>{_esc(area.name)}</b><br>completion {_esc(when)} ({_esc(late)})"
                    f"<br>earliest alone {_esc(outcome.earliest_alone or '—')}"
                    f"<br>{outcome.demand_units:g} units, {outcome.installed_before_units:g} "
                    f"installed before the start<br>access {_esc(access.get('name'))}, "
                    f"last mile {area.last_mile_km:g} km<br>{_esc(area.source)}")
            folium.CircleMarker([area.lat, area.lon], radius=9, color=colour, weight=3,
                                fill=True, fill_color=colour, fill_opacity=0.6,
                                tooltip=text).add_to(areas)
        for site in plan.production:
            node = graph.nodes[site.node]
            rates = ", ".join(f"{rate:g} {item}/week"
                              for item, rate in sorted(site.output_units_per_week.items()))
            # a plain circle: folium's polygon markers need a plugin fetched from a CDN
            folium.CircleMarker(
                [node["y"], node["x"]], radius=7, color=PLANT_COLOUR, weight=2,
                fill=True, fill_color="#ffffff", fill_opacity=1.0,
                tooltip=f"<b>{_esc(site.name)}</b><br>{_esc(rates)}<br>{_esc(site.source)}",
            ).add_to(plants)
        areas.add_to(m)
        plants.add_to(m)
    return layer_control_last(m)


def materiel_plot(results: Sequence[MaterielResult]):
    """Cumulative units installed (solid) and delivered (dashed) by week, with the deadline."""
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9.0, 4.8), dpi=120)
    axes = figure.add_subplot()
    for n, result in enumerate(results):
        colour = FLOW_COLOURS[n % len(FLOW_COLOURS)]
        start = dt.date.fromisoformat(result.start)
        weeks = result.completion_week
        dates = date2num([start + dt.timedelta(days=7 * (t + 1)) for t in range(weeks)])
        before = result.installed_before_units
        installed, delivered = before, before
        ys_i, ys_d = [], []
        for i, d in zip(result.installed_by_week(), result.deliveries_by_week(), strict=True):
            installed += i
            delivered += d
            ys_i.append(installed)
            ys_d.append(delivered)
        axes.plot(dates, ys_i, color=colour, label=f"{result.plan}: installed")
        axes.plot(dates, ys_d, color=colour, linestyle="--", label=f"{result.plan}: delivered")
    deadline = dt.date.fromisoformat(results[0].deadline)
    axes.axvline(float(date2num(deadline)), color=LATE_COLOUR, linestyle=":",
                 label=f"deadline {deadline}")
    axes.xaxis_date()
    axes.set_ylabel("units (cumulative)")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize=8)
    about = briefing("Materiel delivered and installed", " vs ".join(r.plan for r in results))
    axes.set_title(about.stamp, fontsize=9)
    figure.autofmt_xdate()
    return figure


def report_html(graph: nx.MultiDiGraph, results: Sequence[MaterielResult],
                plans: Sequence[MaterielPlan]) -> str:
    """A self-contained HTML report: answer, areas, what binds, marginals, curve, map."""
    from mobility.viz.maps import map_html
    from mobility.viz.report import analysis_section, page_html, plot_map_notes, section_html

    title = "Materiel plan report" if len(results) == 1 else "Materiel plans compared"
    about = briefing(title, " vs ".join(r.plan for r in results),
                     results[0].description if len(results) == 1 else "")
    page = map_html(materiel_map(graph, results, plans))
    parts = []
    if len(results) > 1:
        parts.append(analysis_section("Completion compared with the first plan",
                                      comparison_rows(results)))
    for result in results:
        lines = "".join(f"<li>{_esc(line)}</li>" for line in summary_lines(result))
        parts.append(section_html(f"Answer: {result.plan}", f"<ul>{lines}</ul>"))
        parts.append(analysis_section(f"Storage areas: {result.plan}", [
            {"area": a.id, "name": a.name, "units": a.demand_units,
             "installed before": a.installed_before_units, "completion": a.completion,
             "days after deadline": a.days_after_deadline,
             "earliest alone": a.earliest_alone,
             "last delivery (week of)": a.last_delivery_week_start} for a in result.areas]))
        parts.append(analysis_section(f"What binds (class made unlimited): {result.plan}", [
            {"class": r.resource_class, "completion": r.completion,
             "days earlier": r.days_earlier} for r in result.relaxations]))
        parts.append(analysis_section(f"One more unit, ranked: {result.plan}", [
            {"change": m.change, "completion": m.completion, "days earlier": m.days_earlier,
             "weeks earlier": round(m.weeks_earlier, 1)} for m in result.marginal[:12]]))
        parts.append(analysis_section(f"Capacity use: {result.plan}", [
            {"class": c.resource_class, "element": c.element, "what": c.what,
             "mean use": f"{100 * c.mean_utilisation:.0f} %", "weeks full": c.weeks_full}
            for c in result.capacities]))
    parts += plot_map_notes("Delivered and installed by week", materiel_plot(results), page,
                            "Materiel map", results[0].notes)
    return page_html(about, "\n".join(parts))


def text_tables(results: Sequence[MaterielResult], *, top: int = 8) -> list[Any]:
    """The terminal view (rich tables and lines): per plan the answer, its storage areas,
    what binds and the best marginal changes; with several plans, the comparison."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    shown: list[Any] = []
    for result in results:
        for n, line in enumerate(summary_lines(result)[:2]):
            shown.append(Text(line, style="bold" if n == 0 else ""))
        areas = Table(title=f"Storage areas: {result.plan}", box=box.SIMPLE_HEAD)
        for column, width in (("area", None), ("units (done before)", 9),
                              ("completion", 10), ("days vs deadline", 8),
                              ("earliest alone", 10)):
            areas.add_column(column, justify="left" if column == "area" else "right",
                             min_width=width, no_wrap=column == "area")
        for a in result.areas:
            areas.add_row(a.id, f"{a.demand_units:g} ({a.installed_before_units:g})",
                          a.completion or "—", f"{a.days_after_deadline:+d}",
                          a.earliest_alone or "—")
        shown.append(areas)
        if result.relaxations:
            binds = Table(title=f"What binds (class unlimited) and one more unit: {result.plan}",
                          box=box.SIMPLE_HEAD)
            binds.add_column("change", overflow="fold")
            binds.add_column("completion", justify="right")
            binds.add_column("days earlier", justify="right")
            for r in result.relaxations:
                binds.add_row(f"unlimited {r.resource_class}", r.completion,
                              f"{r.days_earlier:d}")
            gaining = [m for m in result.marginal if m.days_earlier > 0]
            for m in gaining[:top]:
                binds.add_row(m.change, m.completion,
                              f"{m.days_earlier:d} ({m.weeks_earlier:.1f} weeks)")
            rest = len(result.marginal) - len(gaining[:top])
            if rest:
                binds.add_row(f"({rest} other one-more-unit changes)", "",
                              "0" if len(gaining) <= top else "fewer")
            shown.append(binds)
            shown.append(Text(f"binds: {result.binding}"))
    if len(results) > 1:
        compared = Table(title=f"Completion compared with {results[0].plan}",
                         box=box.SIMPLE_HEAD)
        for column in ("plan", "area", "completion", "on time", "days vs first"):
            compared.add_column(column, justify="left" if column in ("plan", "area")
                                else "right", no_wrap=column in ("plan", "area"))
        for row in comparison_rows(results):
            later = row["days_later_than_first"]
            compared.add_row(row["plan"], row["area"], row["completion"] or "—",
                             "yes" if row["meets_deadline"] else "no",
                             "—" if later is None else f"{later:+d}")
        shown.append(compared)
    shown.extend(Text(f"note: {note}") for note in results[0].notes)
    return shown
