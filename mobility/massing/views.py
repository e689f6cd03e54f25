"""Views of massing results: terminal tables, the offline map, the plot, the HTML report.

The map is the project's briefing map of the network (:func:`mobility.viz.maps.closure_map`:
offline basemap, labels, legend, title, scenario id, as-of date, model version and caveat)
with, per result, the flows of the schedule on the network (width by vehicles or trains),
the flashpoint area, each unit's home coloured by the hour the unit has closed on the area,
and arrival isochrones (the hours a wheeled battalion ready at hour 0 needs from each node).
Every string from a scenario is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import folium
import networkx as nx

from mobility.massing.engine import rules_of
from mobility.massing.result import Comparison, MassingResult
from mobility.massing.routes import isochrones
from mobility.massing.scenario import FlashpointScenario
from mobility.viz.briefing import briefing
from mobility.viz.map_layers import Highlight

__all__ = ["massing_map", "massing_plot", "report_html", "summary_lines", "text_tables"]

FLOW_COLOURS = ("#2166ac", "#b35806", "#762a83", "#01665e")
AREA_COLOUR = "#d73027"
#: Hour bands of the homes and isochrones, and their colours (last: later or never).
BANDS = ((12, "#1a9850"), (24, "#91cf60"), (48, "#fee08b"), (72, "#fc8d59"), (96, "#d73027"))
LATE = "#7f7f7f"


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _h(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} h"


def _n(value: float) -> str:
    return f"{value:,.0f}"


def band_colour(hours: float | None) -> str:
    if hours is None:
        return LATE
    return next((colour for top, colour in BANDS if hours <= top), LATE)


def summary_lines(result: MassingResult) -> list[str]:
    """Plain text: troops by each hour, what limits it, the adversary timeline beside it."""
    lines = [f"{result.title}: {_n(result.force_troops)} troops and "
             f"{_n(result.force_tracked)} heavy (tracked) vehicles in the force list; area "
             f"{result.area_name}"]
    for h in result.by_h:
        key = f"{h:g}"
        short = {k: v for k, v in result.limits_by[key].items() if v > 0.5}
        why = ", ".join(f"{k} {_n(v)}" for k, v in sorted(short.items(),
                                                          key=lambda kv: -kv[1]))
        lines.append(f"by hour {h:g}: {_n(result.troops_by[key])} troops "
                     f"({100 * result.troops_by[key] / max(result.force_troops, 1):.0f} %), "
                     f"{_n(result.tracked_by[key])} heavy vehicles"
                     + (f"; short: {why}" if why else ""))
    top = [b for b in result.binding if b.by_h == result.by_h[-1]][:2]
    for b in top:
        lines.append(f"binds by hour {b.by_h:g}: {b.name} ({b.kind}, {b.capacity_per_day:g} "
                     f"{b.unit}s/day): +1 {b.unit} a day = {b.troops_per_unit_day:,.1f} "
                     "troops more")
    if not top:
        lines.append(f"no capacity binds by hour {result.by_h[-1]:g}: readiness, "
                     "permissions and moving time set the pace")
    for m in result.milestones:
        lines.append(f"adversary hour {m.hour:g} ({m.what}): NATO could have "
                     f"{_n(m.nato_troops)} troops and {_n(m.nato_tracked)} heavy vehicles in "
                     "the area" + (f" against {_n(m.adversary_troops)}"
                                   if m.adversary_troops is not None else ""))
    return lines


def unit_rows(result: MassingResult) -> list[dict[str, Any]]:
    return [{"unit": u.id, "troops": u.troops, "heavy": u.tracked, "home": u.home_name,
             "ready h": u.ready_h, "mode": u.mode, "earliest h": u.earliest_h,
             "alone h": u.alone_h, "first in h": u.first_arrival_h, "closed h": u.closed_h,
             "permission": "held" if u.held_by_permission else "", "via": u.via}
            for u in result.units]


def comparison_rows(comparison: Comparison) -> list[dict[str, Any]]:
    return [{"scenario": r["scenario"], "by h": r["by_h"], "troops": r["troops"],
             f"troops in {comparison.first}": r["first_troops"],
             f"{comparison.first} has them at h": r["first_reaches_at_h"],
             "this at h": r["reaches_at_h"], "hours later": r["hours_later"]}
            for r in comparison.rows]


def text_tables(results: Sequence[MassingResult], comparison: Comparison | None = None
                ) -> list[Any]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    shown: list[Any] = []
    for result in results:
        lines = summary_lines(result)
        shown.append(Text(lines[0], style="bold"))
        shown.extend(Text(line) for line in lines[1:])
        units = Table(title=f"Units: {result.scenario} (hours after the decision)",
                      box=box.SIMPLE_HEAD)
        for column in ("unit", "troops", "ready", "mode", "earliest", "closed"):
            units.add_column(column, justify="left" if column in ("unit", "mode")
                             else "right", no_wrap=column == "unit")
        for u in result.units:
            units.add_row(u.id, _n(u.troops), _h(u.ready_h),
                          u.mode + (" (held)" if u.held_by_permission else ""),
                          _h(u.earliest_h), _h(u.closed_h))
        shown.append(units)
        if result.binding:
            binds = Table(title=f"What binds: {result.scenario}", box=box.SIMPLE_HEAD)
            for column in ("by hour", "element", "capacity/day", "troops per +1/day",
                           "full from"):
                binds.add_column(column, justify="left" if column == "element" else "right",
                                 overflow="fold")
            for b in result.binding[:10]:
                binds.add_row(f"{b.by_h:g}", f"{b.name} ({b.kind})",
                              f"{b.capacity_per_day:g} {b.unit}s",
                              f"{b.troops_per_unit_day:,.1f}", f"{b.first_full_h:g} h")
            shown.append(binds)
    if comparison is not None:
        table = Table(title=f"Compared with {comparison.first}", box=box.SIMPLE_HEAD)
        rows = comparison_rows(comparison)
        for column in rows[0]:
            table.add_column(column, justify="left" if column == "scenario" else "right")
        for row in rows:
            table.add_row(*("—" if v is None else (_n(v) if isinstance(v, float) and
                                                   abs(v) >= 100 else f"{v:g}")
                            if not isinstance(v, str) else v for v in row.values()))
        shown.append(table)
    shown.extend(Text(f"note: {note}") for note in results[0].notes)
    return shown


def _flow_highlights(result: MassingResult, layer: str, colour: str,
                     graph: nx.MultiDiGraph) -> list[Highlight]:
    most = max(result.flows.values(), default=0.0)
    found = []
    for edge, amount in result.flows.items():
        unit = next((str(d.get("unit", "vehicle")) for _, _, k, d in graph.edges(keys=True,
                                                                                  data=True)
                     if k == edge), "vehicle")
        found.append(Highlight(layer=layer, element_id=edge,
                               label=f"{amount:,.0f} {unit}s to the area",
                               score=amount / most if most else None, colour=colour,
                               show_score=False))
    return found


def massing_map(graph: nx.MultiDiGraph, results: Sequence[MassingResult],
                scenarios: Sequence[FlashpointScenario]) -> folium.Map:
    from mobility.viz.maps import closure_map, layer_control_last

    highlights: list[Highlight] = []
    for n, result in enumerate(results):
        highlights += _flow_highlights(result, f"Moves: {result.scenario}",
                                       FLOW_COLOURS[n % len(FLOW_COLOURS)], graph)
    summary = [line for result in results for line in summary_lines(result)[:4]]
    summary.append("Red outline: the flashpoint area; large circles: units' homes coloured by "
                   "the hour the unit has closed on the area (green ≤ 12 h, light green ≤ 24, "
                   "yellow ≤ 48, orange ≤ 72, red ≤ 96, grey later or never); small dots: "
                   "isochrones, hours a wheeled battalion ready at hour 0 needs from each node")
    title = ("Flashpoint massing: " + results[0].title if len(results) == 1
             else "Flashpoint massing compared")
    widths = [("", None, "Moves: line width grows with the troops moved over the edge (the "
                          "widest: the most moved)")]
    m = closure_map(graph, None, scenario=" vs ".join(r.scenario for r in results),
                    title=title, highlights=highlights, summary=summary, key_rows=widths)
    for result, scenario in zip(results, scenarios, strict=True):
        group = folium.FeatureGroup(name=_esc(f"Area and homes: {result.scenario}"), show=True)
        lon, lat = result.area_centre
        if result.polygon is not None:
            folium.Polygon([[y, x] for x, y in result.polygon], color=AREA_COLOUR, weight=3,
                           fill=True, fill_opacity=0.08,
                           tooltip=_esc(f"{result.area_name}")).add_to(group)
        else:
            folium.Circle([lat, lon], radius=1000 * (result.radius_km or 0), color=AREA_COLOUR,
                          weight=3, fill=True, fill_opacity=0.08,
                          tooltip=_esc(f"{result.area_name}: {result.radius_km:g} km")
                          ).add_to(group)
        homes: dict[str, list[str]] = {}
        when: dict[str, float | None] = {}
        for u in result.units:
            node = u.home
            homes.setdefault(node, []).append(
                f"{_esc(u.name)}: {_n(u.troops)} troops, ready {u.ready_h:g} h, closed "
                f"{_esc(_h(u.closed_h))}" + (" (held by permissions)"
                                             if u.held_by_permission else ""))
            old = when.get(node, 0.0)
            when[node] = None if u.closed_h is None or old is None else max(old, u.closed_h)
        for node, lines in homes.items():
            d = graph.nodes[node]
            colour = band_colour(when[node])
            folium.CircleMarker([d["y"], d["x"]], radius=11, color="#000000", weight=1,
                                fill=True, fill_color=colour, fill_opacity=0.9,
                                tooltip=f"<b>{_esc(d['name'])}</b><br>" + "<br>".join(lines)
                                ).add_to(group)
        group.add_to(m)
        iso = folium.FeatureGroup(name=_esc(f"Isochrones: {result.scenario}"), show=len(
            results) == 1)
        for node, hours in isochrones(graph, rules_of(scenario), scenario,
                                      result.area_nodes).items():
            d = graph.nodes[node]
            folium.CircleMarker([d["y"], d["x"]], radius=5, color=band_colour(hours), weight=1,
                                fill=True, fill_color=band_colour(hours), fill_opacity=1.0,
                                tooltip=_esc(f"{d['name']}: {hours:.0f} h to the area "
                                             "(wheeled battalion, ready at hour 0)")
                                ).add_to(iso)
        iso.add_to(m)
    return layer_control_last(m)


def massing_plot(results: Sequence[MassingResult]):
    """Troops in the area by hour (the schedule; dots: the most by each hour asked) and the
    adversary's milestones."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9.0, 4.8), dpi=120)
    axes = figure.add_subplot()
    for n, result in enumerate(results):
        colour = FLOW_COLOURS[n % len(FLOW_COLOURS)]
        axes.step([h for h, _ in result.curve], [t for _, t in result.curve], where="post",
                  color=colour, label=f"{result.scenario}: one schedule")
        axes.plot(list(result.by_h), [result.troops_by[f"{h:g}"] for h in result.by_h], "o",
                  color=colour, label=f"{result.scenario}: most by each hour asked")
    for m in results[0].milestones:
        axes.axvline(m.hour, color=AREA_COLOUR, linestyle=":")
        axes.text(m.hour, axes.get_ylim()[1] * 0.95, f" adversary: {m.what}"[:60],
                  rotation=90, va="top", fontsize=7, color=AREA_COLOUR)
    axes.set_xlabel("hours after the decision")
    axes.set_ylabel("troops in the area")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize=8)
    about = briefing("Troops in the flashpoint area", " vs ".join(r.scenario for r in results))
    axes.set_title(about.stamp, fontsize=9)
    return figure


def report_html(graph: nx.MultiDiGraph, results: Sequence[MassingResult],
                scenarios: Sequence[FlashpointScenario],
                comparison: Comparison | None = None) -> str:
    from mobility.viz.maps import map_html
    from mobility.viz.report import analysis_section, page_html, plot_map_notes, section_html

    title = "Flashpoint massing report" if len(results) == 1 else "Flashpoint massing compared"
    about = briefing(title, " vs ".join(r.scenario for r in results),
                     results[0].description if len(results) == 1 else "")
    page = map_html(massing_map(graph, results, scenarios))
    parts = []
    if comparison is not None:
        parts.append(analysis_section(f"Compared with {comparison.first}: hours gained or "
                                      "lost", comparison_rows(comparison)))
        parts.append(analysis_section("Units' closing hours compared", comparison.units))
    for result in results:
        lines = "".join(f"<li>{_esc(line)}</li>" for line in summary_lines(result))
        parts.append(section_html(f"Answer: {result.scenario}", f"<ul>{lines}</ul>"))
        parts.append(analysis_section(f"Troops short of the area, by cause: {result.scenario}",
                                      [{"by hour": h, **result.limits_by[f"{h:g}"]}
                                       for h in result.by_h]))
        parts.append(analysis_section(f"Units: {result.scenario}", unit_rows(result)))
        parts.append(analysis_section(f"What binds: {result.scenario}", [
            {"by hour": b.by_h, "element": b.name, "kind": b.kind,
             "capacity a day": f"{b.capacity_per_day:g} {b.unit}s",
             "troops more per +1 a day": b.troops_per_unit_day, "hours full": b.full_steps,
             "full from hour": b.first_full_h} for b in result.binding]))
        parts.append(analysis_section(f"Adversary timeline: {result.adversary or 'none'}", [
            {"hour": m.hour, "adversary": m.what, "adversary troops": m.adversary_troops,
             "NATO troops in the area": m.nato_troops,
             "NATO heavy vehicles": m.nato_tracked, "units closed": " ".join(m.units_closed),
             "source": m.source} for m in result.milestones]))
    parts += plot_map_notes("Troops in the area by hour", massing_plot(results), page,
                            "Flashpoint massing map", results[0].notes)
    return page_html(about, "\n".join(parts))
