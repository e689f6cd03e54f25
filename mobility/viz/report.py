"""One self-contained HTML report of a closure: targets, troops by day, bottlenecks, map.

The closure plot is embedded as a base64 PNG and the map (:func:`mobility.viz.maps.closure_map`,
Leaflet inlined) as an ``<iframe srcdoc>``, so the single file opens offline and requests
nothing from the network. Every string from the scenario, the network or the result is
HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobility._io import atomic_write_text
from mobility.settings import REPORT_DAYS
from mobility.viz._offline import OfflineMapError, fetched_urls, static_text
from mobility.viz.briefing import ATTRIBUTIONS, Briefing, briefing
from mobility.viz.map_layers import ranked_bottlenecks
from mobility.viz.maps import closure_map, format_number, map_html, milestone_days, scenario_nodes
from mobility.viz.plots import closure_plot, figure_bytes

if TYPE_CHECKING:
    import networkx as nx

    from mobility.result import ClosureResult
    from mobility.viz.map_layers import Highlight


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def table_html(headers: list[str], rows: list[list[str]], *, text_columns: int = 1) -> str:
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
    return table_html(["Target", "Troops", "Deadline", "Outcome", "Reached", "Troops at deadline",
                   "Shortfall"], rows)


def _troops_by_day_section(result: ClosureResult) -> str:
    # the target deadlines and the day the last formation closes; every day is in the CSV
    marks = {day: text for day, text in milestone_days(result).items()
             if day <= result.horizon_days}
    closing = [day for day, text in marks.items() if text.endswith(" closed")]
    milestones = {day: text for day, text in marks.items()
                  if not text.endswith(" closed") or day == max(closing)}
    if closing:
        milestones[max(closing)] = f"{marks[max(closing)]} (the last formation)"
    days = sorted({*REPORT_DAYS, *(int(day) for day in result.troops_by_day), *milestones})
    rows = []
    for day in days:
        if day in result.troops_by_day:
            value = f"{result.troops_by_day[day]:,.0f}"
        elif day <= result.horizon_days:
            value = f"{result.arrivals_by(float(day)):,.0f}"
        else:
            value = f"<span class='muted'>beyond the {result.horizon_days:g}-day horizon</span>"
        rows.append([f"day {day}", value, _esc(milestones.get(day, ""))])
    link = (f"<p><a class='download' download='{_esc(result.scenario)}-troops-by-day.csv' "
            f"href='{troops_by_day_csv_uri(result)}'>Download troops arrived by day (CSV, "
            f"days 0–{math.ceil(result.horizon_days)})</a></p>")
    return table_html(["By", "Troops arrived", "Milestone"], rows) + link


def troops_by_day_csv(result: ClosureResult) -> str:
    """``day,troops_arrived`` for every whole day from 0 to the horizon (troops, cumulative)."""
    lines = ["day,troops_arrived"]
    for day in range(math.ceil(result.horizon_days) + 1):
        lines.append(f"{day},{result.arrivals_by(float(day)):.0f}")
    return "\n".join(lines) + "\n"


def troops_by_day_csv_uri(result: ClosureResult) -> str:
    """:func:`troops_by_day_csv` as a ``data:`` URI (a link that downloads with no server)."""
    encoded = base64.b64encode(troops_by_day_csv(result).encode("utf-8")).decode("ascii")
    return f"data:text/csv;base64,{encoded}"


def _bottlenecks_section(result: ClosureResult, scenario_nodes: Sequence[str] = ()) -> str:
    if not result.bottlenecks:
        return "<p class='muted'>No binding capacity found.</p>"
    by_id = {b.element_id: b for b in result.bottlenecks}
    ranked = ranked_bottlenecks(result, scenario_nodes=scenario_nodes)
    out = []
    for infrastructure in (True, False):
        rows = []
        for r in ranked:
            if r.infrastructure != infrastructure:
                continue
            b = by_id[r.element_id]
            rows.append([str(r.rank), _esc(b.name), _esc(b.kind.replace("_", " ")),
                         f"{b.utilisation:.0%}",
                         _esc(f"{format_number(b.capacity_per_day)} {b.unit}s/day"),
                         f"{b.from_day:.1f}" if b.from_day is not None else "—",
                         "yes" if b.in_min_cut else "no", _esc(r.value_text)])
        if not rows:
            continue
        if not infrastructure:
            out.append("<p>Scenario inputs that bind (fleets, origins' and destinations' "
                       "throughput): not infrastructure, so not drawn as bottlenecks on the "
                       "map.</p>")
        out.append(table_html(["Rank", "Bottleneck" if infrastructure else "Scenario input",
                           "Kind", "Used", "Capacity", "From day", "In minimum cut",
                           "One more unit buys"], rows, text_columns=3))
    return "".join(out)


def _mode_split_section(result: ClosureResult) -> str:
    if not result.mode_split:
        return "<p class='muted'>No flow entered the Baltic states.</p>"
    rows = [[_esc(mode), f"{share:.1%}"] for mode, share in sorted(result.mode_split.items())]
    return table_html(["Mode", "Share of troops"], rows)


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
        return section_html(title, "<p class='muted'>Nothing to show.</p>")
    headers = list(rows[0])
    body = [[_cell(row.get(h)) for h in headers] for row in rows]
    return section_html(title, table_html([_esc(h) for h in headers], body,
                                          text_columns=len(headers)))


def section_html(title: str, body_html: str, *, css: str = "") -> str:
    """A ``<section>`` with an ``<h2>`` (escaped here) and its already-escaped body; printing
    keeps the heading with the body."""
    klass = f" class='{css}'" if css else ""
    return f"<section{klass}><h2>{_esc(title)}</h2>{body_html}</section>"


def plot_map_notes(plot_title: str, figure: Any, map_page: str, map_title: str,
                   notes: Sequence[str]) -> list[str]:
    """The closing sections of a report: a plot (a matplotlib figure, inlined as PNG), an
    offline map page in an iframe and the notes, escaped."""
    import base64

    from mobility.viz.plots import figure_bytes

    png = base64.b64encode(figure_bytes(figure, "png")).decode("ascii")
    items = "".join(f"<li>{_esc(note)}</li>" for note in notes)
    return [section_html(plot_title, f"<img class='plot' alt='{_esc(plot_title)}' "
                         f"src='data:image/png;base64,{png}'>"),
            section_html("Map", f"<iframe class='map' title='{_esc(map_title)}' "
                         f"srcdoc=\"{html.escape(map_page, quote=True)}\"></iframe>",
                         css="map"),
            section_html("Notes", f"<ul>{items}</ul>")]


def briefing_header(about: Briefing) -> str:
    """The title, the scenario and its description, the as-of stamp and the caveat (HTML)."""
    description = f" — {_esc(about.description)}" if about.description else ""
    return (f"<h1>{_esc(about.page_title)}</h1>"
            f"<p class='stamp'>{_esc(about.stamp)}{description}</p>"
            f"<p class='caveat'>{_esc(about.caveat)}</p>")


def page_html(about: Briefing, body_html: str) -> str:
    """A whole report page: ``<title>``, the report's style, the briefing header, the body and
    the attributions."""
    credits = "; ".join(_esc(text) for text in ATTRIBUTIONS)
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{_esc(about.page_title)}</title>\n<style>{static_text('report.css')}</style>\n"
        f"</head>\n<body>\n{briefing_header(about)}\n{body_html}\n"
        f"<p class='attribution'>{credits}. Made with baltic-mobility {_esc(about.version)} "
        f"on {_esc(about.as_of)}.</p>\n</body>\n</html>\n"
    )


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

    bound = [{"by day": day, "troops closed": format_number(troops),
              **{name: format_number(result.bound_by(name, day))
                 for name in result.bounds.columns if name != "day"},
              **({f"combat-ready (+{result.integration_days:g} days)":
                  format_number(result.combat_ready_by(day))} if result.integration_days else {})}
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
    supplies = [{"by day": r["day"], "troops arrived": format_number(r["troops_arrived"]),
                 "need (t/day)": format_number(r["need_t_per_day"]),
                 "delivered (t)": format_number(r["delivered_t"]),
                 "stock (t)": format_number(r["stock_t"]),
                 "lift on supplies": result.supply_share_words(r["day"])}
                for r in result.sustainment_by_day()]
    return [("Troops closed, with the fleets and with unlimited lift", bound),
            ("Formations (ready, modes, closing day)", formations),
            ("What binds, and what one more unit buys", marginal),
            ("Fleets", fleets),
            *([("Sustainment (supplies for the troops arrived, by the same fleets)", supplies)]
              if supplies else [])]


def report_html(graph: nx.MultiDiGraph, result: ClosureResult, *,
                title: str | None = None, highlights: Sequence[Highlight] = (),
                sections: Sequence[tuple[str, Sequence[Mapping[str, Any]]]] = (),
                scenario: Any = None) -> str:
    """The report as one HTML string (see :func:`closure_report`)."""
    about = briefing(title or "Force closure report", result.scenario, result.description)
    png = figure_bytes(closure_plot(result), "png")
    plot_src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    page = map_html(closure_map(graph, result, highlights=highlights, scenario=scenario))
    notes = "".join(f"<li>{_esc(note)}</li>" for note in result.notes)
    nodes = sorted(scenario_nodes(scenario, result))
    parts = [
        f"<p><b>Method:</b> {_esc(result.method)}; <b>targets read as:</b> "
        f"{_esc(result.targets_reading)}; <b>horizon:</b> {result.horizon_days:g} days</p>",
        section_html("Force Model targets", _targets_section(result)),
        section_html("Closure curve",
                 "<img class='plot' alt='Cumulative troops arrived against the targets' "
                 f"src='{plot_src}'>"),
        section_html("Troops arrived by day", _troops_by_day_section(result)),
        section_html("Bottlenecks, ranked by what one more unit buys",
                 _bottlenecks_section(result, nodes)),
        section_html("Mode split", _mode_split_section(result)),
        *(analysis_section(name, rows) for name, rows in fleet_sections(result)),
        *([highlights_section(highlights)] if highlights else []),
        *(analysis_section(name, rows) for name, rows in sections),
        section_html("Map", "<iframe class='map' title='Closure map' "
                 f"srcdoc=\"{html.escape(page, quote=True)}\"></iframe>", css="map"),
    ]
    if notes:
        parts.append(section_html("Notes", f"<ul>{notes}</ul>"))
    return page_html(about, "\n".join(parts))


def closure_report(graph: nx.MultiDiGraph, result: ClosureResult, path: str | Path, *,
                   title: str | None = None, highlights: Sequence[Highlight] = (),
                   sections: Sequence[tuple[str, Sequence[Mapping[str, Any]]]] = (),
                   scenario: Any = None) -> Path:
    """Write a self-contained HTML report of a closure, atomically.

    The report holds the title and scenario, the table of Force Model targets (troops,
    deadline, the day reached or the shortfall), the troops arrived by day 10, 30 and 180
    (and at each target deadline), the bottlenecks, the mode split, the closure plot
    (base64 PNG) and the interactive map (an ``<iframe srcdoc>`` of
    :func:`mobility.viz.maps.closure_map`). It requests nothing from the network.

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
        Elements to mark (:mod:`mobility.viz.map_layers`): drawn as layers on the map and listed
        in a "Highlighted elements" table.
    sections
        Extra sections, each ``(title, rows)`` with rows as dicts (e.g.
        ``CriticalityResult.scores()``), rendered by :func:`analysis_section`.
    scenario
        The :class:`~mobility.scenario.Scenario`, if at hand: its origins' and
        destinations' throughputs are told apart from infrastructure bottlenecks.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    return write_offline_page(path, report_html(graph, result, title=title,
                                                highlights=highlights, sections=sections,
                                                scenario=scenario))


def write_offline_page(path: str | Path, text: str) -> Path:
    """Write a report page atomically after proving it fetches nothing.

    Raises
    ------
    OfflineMapError
        If the page (or a map in one of its ``<iframe srcdoc>``) refers to an external URL:
        the maps and plots are inlined, so a URL there is a bug, not data.
    """
    # a map sits HTML-escaped in srcdoc: unescape so its URLs are seen as the browser sees them
    unexpected = fetched_urls(html.unescape(text))
    if unexpected:
        msg = f"the report would fetch {unexpected[0]!r}"
        raise OfflineMapError(msg)
    return atomic_write_text(path, text)
