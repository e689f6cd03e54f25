"""One self-contained HTML report of a closure: targets, troops by day, bottlenecks, map.

The closure plot is embedded as a base64 PNG and the map (:func:`mobility.maps.closure_map`,
Leaflet inlined) as an ``<iframe srcdoc>``, so the single file opens offline and requests
nothing from the network. Every string from the scenario, the network or the result is
HTML-escaped.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobility._io import atomic_write_text
from mobility._offline import OfflineMapError, fetched_urls
from mobility.maps import closure_map, format_number, map_html
from mobility.plots import closure_plot, figure_bytes

if TYPE_CHECKING:
    import networkx as nx

    from mobility.map_layers import Highlight
    from mobility.result import ClosureResult

#: The days the report always shows (the LaSER report's 10/30/180-day milestones).
REPORT_DAYS = (10, 30, 180)

_CSS = """
body { font: 14px/1.45 "Helvetica Neue", Arial, sans-serif; color: #222; margin: 24px auto;
  max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d9d9d9; padding: 4px 10px; text-align: right; }
th { background: #f3f3f3; }
td.text, th.text { text-align: left; }
.met { color: #1a7837; font-weight: bold; }
.missed { color: #b2182b; font-weight: bold; }
.muted { color: #666; }
img.plot { max-width: 100%; height: auto; border: 1px solid #eee; }
iframe.map { width: 100%; height: 640px; border: 1px solid #ccc; }
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: list[str], rows: list[list[str]], *, text_columns: int = 1) -> str:
    """An HTML table; cells are already-escaped HTML; the first columns are left-aligned."""
    head = "".join(f"<th class='text'>{h}</th>" if i < text_columns else f"<th>{h}</th>"
                   for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td class='text'>{c}</td>" if i < text_columns else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _targets_section(result: ClosureResult) -> str:
    if not result.targets:
        return "<p class='muted'>No targets.</p>"
    rows = []
    for number, target in enumerate(sorted(result.targets, key=lambda t: t.deadline_day), 1):
        if target.met:
            reached = "<span class='met'>met</span>"
            when = f"day {target.reached_day:.1f}" if target.reached_day is not None else "—"
        else:
            reached = "<span class='missed'>missed</span>"
            when = (f"day {target.reached_day:.1f}" if target.reached_day is not None
                    else "not within the horizon")
        rows.append([f"T{number}", f"{target.troops:,.0f}", f"day {target.deadline_day:g}",
                     reached, _esc(when), f"{target.troops_at_deadline:,.0f}",
                     f"{target.shortfall:,.0f}" if target.shortfall > 0 else "0"])
    return _table(["Target", "Troops", "Deadline", "Outcome", "Reached", "Troops at deadline",
                   "Shortfall"], rows)


def _troops_by_day_section(result: ClosureResult) -> str:
    days = sorted({*REPORT_DAYS, *(int(day) for day in result.troops_by_day)})
    rows = []
    for day in days:
        if day in result.troops_by_day:
            value = f"{result.troops_by_day[day]:,.0f}"
        elif day <= result.horizon_days:
            value = f"{result.arrivals_by(float(day)):,.0f}"
        else:
            value = f"<span class='muted'>beyond the {result.horizon_days:g}-day horizon</span>"
        rows.append([f"day {day}", value])
    return _table(["By", "Troops arrived"], rows)


def _bottlenecks_section(result: ClosureResult) -> str:
    if not result.bottlenecks:
        return "<p class='muted'>No binding capacity found.</p>"
    rows = [
        [_esc(b.name), _esc(b.kind.replace("_", " ")), f"{b.utilisation:.0%}",
         _esc(f"{format_number(b.capacity_per_day)} {b.unit}s/day"),
         f"{b.from_day:.1f}" if b.from_day is not None else "—",
         "yes" if b.in_min_cut else "no"]
        for b in result.bottlenecks
    ]
    return _table(["Bottleneck", "Kind", "Used", "Capacity", "From day", "In minimum cut"],
                  rows, text_columns=2)


def _mode_split_section(result: ClosureResult) -> str:
    if not result.mode_split:
        return "<p class='muted'>No flow entered the Baltic states.</p>"
    rows = [[_esc(mode), f"{share:.1%}"] for mode, share in sorted(result.mode_split.items())]
    return _table(["Mode", "Share of troops"], rows)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _esc(format_number(value) if abs(value) >= 1 or value == 0 else f"{value:.3f}")
    return _esc(value)


def analysis_section(title: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """An ``<h2>`` and a table of ``rows`` (column names from the first row's keys), escaped."""
    if not rows:
        return f"<h2>{_esc(title)}</h2><p class='muted'>Nothing to show.</p>"
    headers = list(rows[0])
    body = [[_cell(row.get(h)) for h in headers] for row in rows]
    return f"<h2>{_esc(title)}</h2>" + _table([_esc(h) for h in headers], body,
                                              text_columns=len(headers))


def highlights_section(highlights: Sequence[Highlight]) -> str:
    """The highlighted map elements as a report section (one table, grouped by layer)."""
    rows = [{"Layer": h.layer, "Element": h.label, "Id": h.element_id,
             "Score": round(float(h.score), 3) if h.score is not None and h.show_score
             else None, "Note": h.detail}
            for h in highlights]
    return analysis_section("Highlighted elements", rows)


def fleet_sections(result: ClosureResult) -> list[tuple[str, list[dict[str, Any]]]]:
    """The fleet engine's tables: closure beside its bound, formations, marginal values,
    fleet use (none for the exact method)."""
    if result.method != "fleet":
        return []
    import numpy as np

    bound = [{"by day": day, "troops closed": format_number(troops),
              **{name: format_number(float(np.interp(day, result.bounds["day"],
                                                     result.bounds[name])))
                 for name in result.bounds.columns if name != "day"}}
             for day, troops in result.troops_by_day.items()]
    formations = [{"formation": r.formation, "troops": format_number(r.troops),
                   "ready (day)": f"{r.ready_day:g}", "modes": r.modes,
                   "embarkation": r.embarkation, "to": r.destination,
                   "closed (day)": f"{r.closed_day:.1f}" if r.closed_day == r.closed_day
                   and r.closed_day is not None else f"{r.closed_share:.0%} by the end"}
                  for r in result.formations.itertuples()]
    marginal = [{"resource": m["resource"], "one more": m["change"],
                 **{f"troops by day {d}": f"{v:+,.0f}"
                    for d, v in m["troops_gained_by_day"].items()},
                 "binding (days)": f"{m['binding_days']:.0f}"} for m in result.marginal]
    fleets = [{"fleet (standard carriers)": carrier,
               "peak in use": format_number(rows["in_use"].max()),
               "available (most)": format_number(rows["available"].max())}
              for carrier, rows in result.fleet_use.groupby("carrier")] \
        if not result.fleet_use.empty else []
    return [("Troops closed, with the fleets and with unlimited lift", bound),
            ("Formations (ready, modes, closing day)", formations),
            ("What binds, and what one more unit buys", marginal),
            ("Fleets", fleets)]


def report_html(graph: nx.MultiDiGraph, result: ClosureResult, *,
                title: str | None = None, highlights: Sequence[Highlight] = (),
                sections: Sequence[tuple[str, Sequence[Mapping[str, Any]]]] = ()) -> str:
    """The report as one HTML string (see :func:`closure_report`)."""
    title = title or f"Force closure report — {result.scenario}"
    png = figure_bytes(closure_plot(result), "png")
    plot_src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    page = map_html(closure_map(graph, result, highlights=highlights))
    notes = "".join(f"<li>{_esc(note)}</li>" for note in result.notes)
    sections = [
        f"<h1>{_esc(title)}</h1>",
        f"<p><b>Scenario:</b> {_esc(result.scenario)}"
        + (f" — {_esc(result.description)}" if result.description else "") + "<br>"
        f"<b>Method:</b> {_esc(result.method)}; <b>targets read as:</b> "
        f"{_esc(result.targets_reading)}; <b>horizon:</b> {result.horizon_days:g} days</p>",
        "<h2>Force Model targets</h2>", _targets_section(result),
        "<h2>Troops arrived by day</h2>", _troops_by_day_section(result),
        "<h2>Closure curve</h2>",
        f"<img class='plot' alt='Cumulative troops arrived against the targets' "
        f"src='{plot_src}'>",
        "<h2>Bottlenecks</h2>", _bottlenecks_section(result),
        "<h2>Mode split</h2>", _mode_split_section(result),
        *(analysis_section(name, rows) for name, rows in fleet_sections(result)),
        *([highlights_section(highlights)] if highlights else []),
        *(analysis_section(name, rows) for name, rows in sections),
        "<h2>Map</h2>",
        f"<iframe class='map' title='Closure map' srcdoc=\"{html.escape(page, quote=True)}\">"
        "</iframe>",
    ]
    if notes:
        sections += ["<h2>Notes</h2>", f"<ul>{notes}</ul>"]
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def closure_report(graph: nx.MultiDiGraph, result: ClosureResult, path: str | Path, *,
                   title: str | None = None, highlights: Sequence[Highlight] = (),
                   sections: Sequence[tuple[str, Sequence[Mapping[str, Any]]]] = ()) -> Path:
    """Write a self-contained HTML report of a closure, atomically.

    The report holds the title and scenario, the table of Force Model targets (troops,
    deadline, the day reached or the shortfall), the troops arrived by day 10, 30 and 180
    (and at each target deadline), the bottlenecks, the mode split, the closure plot
    (base64 PNG) and the interactive map (an ``<iframe srcdoc>`` of
    :func:`mobility.maps.closure_map`). It requests nothing from the network.

    Parameters
    ----------
    graph
        The network the result was computed on.
    result
        The closure result.
    path
        The ``.html`` file to write; its folder is created if needed.
    title
        The report's title; by default derived from the scenario name.
    highlights
        Elements to mark (:mod:`mobility.map_layers`): drawn as layers on the map and listed
        in a "Highlighted elements" table.
    sections
        Extra sections, each ``(title, rows)`` with rows as dicts (e.g.
        ``CriticalityResult.scores()``), rendered by :func:`analysis_section`.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    text = report_html(graph, result, title=title, highlights=highlights, sections=sections)
    # the map sits HTML-escaped in srcdoc: unescape so its URLs are seen as the browser sees them
    unexpected = fetched_urls(html.unescape(text))
    if unexpected:  # the map and plot are inlined: a URL here is a bug, not data
        msg = f"the report would fetch {unexpected[0]!r}"
        raise OfflineMapError(msg)
    return atomic_write_text(path, text)
