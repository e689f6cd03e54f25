"""Reports of the network analyses: criticality, interdiction and investments.

Each report is one offline HTML page (:func:`analysis_report`): the briefing header, the
analysis's ranking tables, and the map of the network with the ranked elements as layers
(:mod:`mobility.viz.map_layers`). The ``*_sections`` functions turn each analysis result into the
report's tables (plain rows; the report escapes them).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobility.viz.briefing import briefing
from mobility.viz.compare_views import difference_map, flow_change_section
from mobility.viz.map_layers import ranked_investments
from mobility.viz.maps import closure_map, map_html
from mobility.viz.report import (
    analysis_section,
    highlights_section,
    page_html,
    section_html,
    write_offline_page,
)

if TYPE_CHECKING:
    import folium
    import networkx as nx

    from mobility.analysis.compare import Comparison
    from mobility.analysis.criticality import CriticalityResult
    from mobility.analysis.interdiction import InterdictionResult
    from mobility.analysis.investments import InvestmentResult
    from mobility.scenario import Scenario
    from mobility.viz.map_layers import Highlight

Rows = Sequence[Mapping[str, Any]]


def _day(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.1f}"


def critical_sections(result: CriticalityResult, top: int = 15) -> list[tuple[str, Rows]]:
    """Single points of failure, then the ``top`` most critical elements per change."""
    labels = list(result.target_labels)
    days = list(result.baseline.troops_by_day)
    spof = [{"rank": k, "element": i.element.name, "kind": i.element.kind, "change": i.change,
             "verdict": i.verdict(result.target_labels), "score": round(i.score, 3)}
            for k, i in enumerate(result.single_points_of_failure()[:top], 1)]
    sections: list[tuple[str, Rows]] = [("Single points of failure", spof)]
    for factor in result.factors:
        rows = [i for i in result.ranked(factor) if not i.single_point_of_failure][:top]
        change = rows[0].change if rows else f"factor {factor:g}"
        sections.append((f"Most critical elements, {change} (score: mean share of troops lost)",
                         [{"rank": k, "element": i.element.name, "kind": i.element.kind,
                           "score": round(i.score, 3),
                           **{f"days lost, {label}": _day(d)
                              for label, d in zip(labels, i.days_lost, strict=True)},
                           **{f"troops lost by day {d}": f"{i.troops_lost[d]:,.0f}"
                              for d in days}}
                          for k, i in enumerate(rows, 1)]))
    return sections


def interdiction_sections(result: InterdictionResult) -> list[tuple[str, Rows]]:
    """The elements removed, and each target before and after."""
    removed = [{"rank": k, "element": e.name, "kind": e.kind, "id": e.id}
               for k, e in enumerate(result.removed, 1)]
    targets = [{"target": label, "reached day before": _day(before),
                "reached day after": _day(after), "days lost": _day(lost)}
               for label, before, after, lost in zip(
                   result.target_labels, result.baseline.reached_day, result.after.reached_day,
                   result.days_lost, strict=True)]
    throughput = [{"before (troops/day)": f"{result.throughput_before_troops_per_day:,.0f}",
                   "after (troops/day)": f"{result.throughput_after_troops_per_day:,.0f}",
                   "cuts": result.cuts, "optimal": result.optimal}]
    return [(f"Interdiction plan: {result.cuts} elements removed", removed),
            ("Days to each target, before and after", targets),
            ("Throughput", throughput)]


def interdiction_summary(result: InterdictionResult) -> list[str]:
    """Plain-text lines for the map's title panel: throughput and days lost per target."""
    lines = [f"Throughput {result.throughput_before_troops_per_day:,.0f} → "
             f"{result.throughput_after_troops_per_day:,.0f} troops/day with these "
             f"{len(result.removed)} elements removed"]
    for label, before, after, lost in zip(result.target_labels, result.baseline.reached_day,
                                          result.after.reached_day, result.days_lost,
                                          strict=True):
        lost_text = "" if lost is None else f", {lost:+.1f} days"
        lines.append(f"{label}: day {_day(before)} → {_day(after)}{lost_text}")
    return lines


def investment_sections(result: InvestmentResult) -> list[tuple[str, Rows]]:
    """Each investment alone, ranked by the objective per EUR M, and the best portfolio."""
    days = list(result.baseline.troops_by_day)
    effects = ranked_investments(result)
    alone = [{"rank": k, "investment": e.investment.name, "EUR M": round(e.cost_meur),
              "days saved per target": " / ".join("—" if d is None else f"{d:.2f}"
                                                  for d in e.gain.days_saved),
              **{f"troops gained by day {d}": f"{e.gain.troops_gained[d]:,.0f}" for d in days},
              f"{result.objective} per EUR M": float(f"{e.per_million(result.objective):.3g}"),
              "assumed": bool(e.investment.assumption)}
             for k, e in enumerate(effects, 1)]
    sections: list[tuple[str, Rows]] = [("Each investment alone, best value first", alone)]
    if result.best is not None:
        best = result.best
        sections.append(("Best portfolio", [{
            "investments": ", ".join(best.ids), "EUR M": round(best.cost_eur / 1e6),
            result.objective: round(best.gain.value(result.objective), 2),
            "days saved per target": " / ".join("—" if d is None else f"{d:.2f}"
                                                for d in best.gain.days_saved)}]))
    return sections


def analysis_map(graph: nx.MultiDiGraph, *, title: str, scenario: Scenario,
                 highlights: Sequence[Highlight], summary: Sequence[str] = (),
                 rerouted: Comparison | None = None,
                 key_rows: Sequence[tuple[str, float | None, str]] = ()) -> folium.Map:
    """The map of a network analysis: ``graph`` with ``highlights`` as layers; with
    ``rerouted`` (the closure before and after, :func:`mobility.analysis.interdiction.rerouting`)
    the flows after and the flows gained and lost, as on a comparison's difference map.
    ``key_rows``: extra legend rows (:func:`mobility.viz.maps.closure_map`)."""
    if rerouted is not None:
        return difference_map(graph, rerouted, scenario=scenario, title=title,
                              summary=summary, highlights=highlights)
    return closure_map(graph, scenario=scenario, title=title, highlights=highlights,
                       summary=summary, key_rows=key_rows)


def analysis_report(graph: nx.MultiDiGraph, path: str | Path, *, title: str,
                    scenario: Scenario, highlights: Sequence[Highlight],
                    sections: Sequence[tuple[str, Rows]], summary: Sequence[str] = (),
                    rerouted: Comparison | None = None,
                    key_rows: Sequence[tuple[str, float | None, str]] = ()) -> Path:
    """Write an analysis report: briefing header, the ``sections`` tables, the highlighted
    elements and the map (:func:`analysis_map`); offline, atomically."""
    about = briefing(title, scenario.name, scenario.description)
    page = map_html(analysis_map(graph, title=title, scenario=scenario, highlights=highlights,
                                 summary=summary, rerouted=rerouted, key_rows=key_rows))
    parts = [*(analysis_section(name, rows) for name, rows in sections),
             *([highlights_section(highlights)] if highlights else []),
             *([flow_change_section(graph, rerouted)] if rerouted is not None else []),
             section_html("Map", f"<iframe class='map' title='{html.escape(title, quote=True)}' "
                          f"srcdoc=\"{html.escape(page, quote=True)}\"></iframe>", css="map")]
    return write_offline_page(path, page_html(about, "\n".join(parts)))
