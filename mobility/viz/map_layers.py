"""Analysis layers for the map and the report: critical elements, interdiction, investments.

A :class:`Highlight` marks one edge or node of the graph on a named, switchable map layer
(:func:`mobility.viz.maps.closure_map` ``highlights=``) and as a row of the report's table
(:func:`mobility.viz.report.closure_report` ``highlights=``). The constructors turn the results
of :func:`mobility.analysis.criticality.criticality`,
:func:`mobility.analysis.interdiction.interdict` and
:func:`mobility.analysis.investments.investment_layers` into highlights. Texts are plain text: the
map and the report escape them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from mobility.analysis.criticality import CriticalityResult
    from mobility.analysis.interdiction import InterdictionResult
    from mobility.analysis.investments import InvestmentEffect, InvestmentResult
    from mobility.result import ClosureResult
    from mobility.scenario import Scenario

CRITICAL_LAYER = "Critical links and nodes"
INTERDICTION_LAYER = "Interdiction plan"
INVESTMENT_LAYER = "Investments"
BEST_PORTFOLIO_LAYER = "Investments: best portfolio"

CLOSED_LAYER = "Closed"
REDUCED_LAYER = "Reduced"
CLOSED_COLOUR = "#000000"
REDUCED_COLOUR = "#636363"
CRITICAL_COLOUR = "#e31a1c"
INTERDICTION_COLOUR = "#7b3294"
INVESTMENT_COLOUR = "#35978f"
BEST_PORTFOLIO_COLOUR = "#01665e"


@dataclass(frozen=True)
class Highlight:
    """One graph element marked on a map layer.

    Attributes
    ----------
    layer
        The layer's name as the layer control, legend and report show it (plain text).
    element_id
        An edge id or node id of the graph.
    label
        What the element is (plain text; the tooltip and report row show it).
    score
        0–1: line width and marker size grow with it; ``None``: drawn at a middle size.
    colour
        A CSS colour (``#rrggbb``).
    detail
        An extra line of plain text for the tooltip and report.
    show_score
        Show the score in the tooltip (off when it only sets the drawing size).
    rank
        Its rank in the analysis (1 first): the map puts a numbered badge on it.
    """

    layer: str
    element_id: str
    label: str
    score: float | None = None
    colour: str = CRITICAL_COLOUR
    detail: str = ""
    show_score: bool = True
    rank: int | None = None


def highlight_layers(highlights: Iterable[Highlight]) -> list[str]:
    """The distinct layer names, in order of first appearance."""
    return list(dict.fromkeys(h.layer for h in highlights))


def critical_highlights(result: CriticalityResult, top: int = 10, *, factor: float = 0.0,
                        layer: str = CRITICAL_LAYER,
                        colour: str = CRITICAL_COLOUR) -> list[Highlight]:
    """The ``top`` most critical elements (losing them: ``factor`` 0) with a non-zero score.

    ``score`` is the criticality score (mean share of troops lost) relative to the highest
    one shown, so the most critical element is drawn widest; ``detail`` gives the score itself
    and says which elements are single points of failure.
    """
    rows = [row for row in result.scores(factor)
            if row["score"] > 0 or row.get("single_point_of_failure")][:top]
    highest = max((float(row["score"]) for row in rows), default=0.0)
    highlights = []
    for rank, row in enumerate(rows, 1):
        score = float(row["score"])
        detail = f"criticality score {score:.3f} (mean share of troops lost)"
        if row.get("single_point_of_failure"):
            detail = f"single point of failure; {detail}"
        highlights.append(Highlight(
            layer=layer, element_id=str(row["element_id"]), label=f"#{rank} {row['name']}",
            score=1.0 if row.get("single_point_of_failure") or highest <= 0
            else min(1.0, max(0.0, score / highest)),
            colour=colour, detail=detail, show_score=False, rank=rank))
    return highlights


def interdiction_highlights(result: InterdictionResult, *, layer: str | None = None,
                            colour: str = INTERDICTION_COLOUR) -> list[Highlight]:
    """The elements the interdiction plan removes, narrow (as the closed elements of a
    comparison): a core drawn over the flow they lost."""
    layer = layer or f"{INTERDICTION_LAYER} (K = {result.cuts})"
    detail = (f"removed: throughput {result.throughput_before_troops_per_day:,.0f} → "
              f"{result.throughput_after_troops_per_day:,.0f} troops/day")
    return [Highlight(layer=layer, element_id=str(row["element_id"]),
                      label=f"{row['name']} ({row['kind']})", score=0.2, colour=colour,
                      detail=detail, show_score=False, rank=rank)
            for rank, row in enumerate(result.scores(), 1)]


def edge_names(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Each edge id's name (the id where it has none)."""
    return {str(key): str(data.get("name") or key)
            for _, _, key, data in graph.edges(keys=True, data=True)}


def closed_highlights(graph: nx.MultiDiGraph, scenario: Scenario) -> list[Highlight]:
    """The elements ``scenario`` closes (factor 0) or reduces, with the day and reason.

    Each of its ``capacity_changes`` is resolved on ``graph`` as the closure reads it
    (:func:`mobility.engines.model.capacity_changes`: a corridor is every edge tagged with it).
    """
    from mobility.engines.model import capacity_changes

    where = scenario.source_file or scenario.name
    names = edge_names(graph)
    highlights = []
    for change in scenario.capacity_changes:
        if change.factor >= 1:
            continue
        one = scenario.model_copy(update={"capacity_changes": [change]})
        static, later = capacity_changes(graph, one, where)
        refs = sorted({*((kind, ref) for kind, ref in static), *((k, r) for k, r, *_ in later)})
        closed = change.factor == 0
        what = "closed" if closed else f"capacity × {change.factor:g}"
        for kind, ref in refs:
            name = graph.nodes[ref].get("name", ref) if kind == "node" else names.get(ref, ref)
            highlights.append(Highlight(
                layer=CLOSED_LAYER if closed else REDUCED_LAYER, element_id=str(ref),
                label=f"{name}: {what} from day {change.from_day:g}",
                score=0.2, colour=CLOSED_COLOUR if closed else REDUCED_COLOUR,
                detail=change.reason, show_score=False))
    return highlights


def is_hostile_border(node: Mapping[str, Any]) -> bool:
    """A border crossing into a hostile state (node attribute ``hostile``, see
    :class:`mobility.schema.NodeRecord`): the network ends there and nothing crosses it."""
    return node.get("kind") == "border_crossing" and bool(node.get("hostile", False))


def ranked_investments(result: InvestmentResult) -> list[InvestmentEffect]:
    """Each investment alone, best value first (its objective per EUR M): the report's rank."""
    return sorted(result.effects, key=lambda e: -e.per_million(result.objective))


def investment_ranking(result: InvestmentResult) -> dict[str, tuple[int, float]]:
    """Investment id → (rank, as :func:`ranked_investments`; total days saved alone)."""
    return {e.investment.id: (rank, e.gain.total_days_saved)
            for rank, e in enumerate(ranked_investments(result), 1)}


def investment_highlights(graph: nx.MultiDiGraph, catalogue_layers: Sequence[Mapping[str, Any]],
                          best_portfolio_ids: Iterable[str] = (),
                          ranking: Mapping[str, tuple[int, float]] | None = None,
                          ) -> list[Highlight]:
    """The edges and nodes each investment touches; the best portfolio on its own layer.

    ``catalogue_layers`` is :func:`mobility.analysis.investments.investment_layers`. An investment
    that only shortens border delays marks the graph's border crossings, except hostile ones.
    ``ranking`` (:func:`investment_ranking`) numbers each investment by its rank (one badge,
    on its first element) and sizes it by the days it saves; without it the best portfolio
    is drawn wider.
    """
    best = set(best_portfolio_ids)
    # a border-delay investment speeds the crossings traffic uses, not the hostile borders
    # (RU, BY) that the network only ends at
    crossings = sorted(str(n) for n, d in graph.nodes(data=True)
                       if d.get("kind") == "border_crossing" and not is_hostile_border(d))
    most_days = max((days for _, days in (ranking or {}).values()), default=0.0)
    highlights = []
    for inv in catalogue_layers:
        chosen = inv["id"] in best
        layer = BEST_PORTFOLIO_LAYER if chosen else INVESTMENT_LAYER
        colour = BEST_PORTFOLIO_COLOUR if chosen else INVESTMENT_COLOUR
        label = f"{inv['name']} (EUR {float(inv['cost_eur']) / 1e6:,.0f} M)"
        detail = "in the best portfolio" if chosen else "not in the best portfolio"
        score = 1.0 if chosen else 0.4
        rank = None
        if ranking is not None and inv["id"] in ranking:
            rank, days = ranking[inv["id"]]
            label = f"#{rank} {label}"
            detail = f"saves {days:.1f} days over the targets alone; {detail}"
            score = days / most_days if most_days > 0 else 0.0
        elements = [*inv.get("edge_ids", ()), *inv.get("node_ids", ())]
        if not elements and inv.get("border_delay_h") is not None:
            elements = crossings
            detail += f"; border delay at most {float(inv['border_delay_h']):g} h"
        highlights += [Highlight(layer=layer, element_id=str(element), label=label,
                                 score=score, colour=colour, detail=detail,
                                 show_score=False, rank=rank if k == 0 else None)
                       for k, element in enumerate(elements)]
    return highlights


def investment_key(ranking: Mapping[str, tuple[int, float]], objective: str,
                   ) -> list[tuple[str, float | None, str]]:
    """Legend rows of a ranked investment map: (colour, score, text) for
    ``closure_map(key_rows=…)``: what the badges number and what the widths mean."""
    most = max((days for _, days in ranking.values()), default=0.0)
    what = "days saved" if objective == "days" else objective.replace("troops-", "troops by day ")
    rows: list[tuple[str, float | None, str]] = [
        ("", None, f"Numbered badges: rank of each investment alone, most {what} per "
                   "EUR M first (the report's table); width: days saved")]
    if most > 0:
        rows += [(INVESTMENT_COLOUR, share, f"saves {share * most:.1f} days over the targets")
                 for share in (1.0, 0.5)]
    return rows


#: Kinds of binding resources that are scenario inputs (fleets), not infrastructure.
SCENARIO_INPUT_KINDS = frozenset({"fleet"})


@dataclass(frozen=True)
class RankedBottleneck:
    """A binding resource with its rank and what one more unit of it buys.

    Attributes
    ----------
    rank
        1 is the most valuable to relieve (infrastructure and scenario inputs ranked apart).
    name, kind, element_id
        As :class:`mobility.result.Bottleneck`.
    infrastructure
        ``False`` for scenario inputs (a fleet, an origin's or a destination's throughput):
        they bind, but they are not a place to build or to strike.
    utilisation, from_day, in_min_cut
        As :class:`mobility.result.Bottleneck`.
    change
        What "one more unit" is (``"+1 train/day"``), or ``""`` when not measured.
    troops_gained_by_day
        Troops closed sooner by each report day from that unit (empty when not measured).
    """

    rank: int
    name: str
    kind: str
    element_id: str
    infrastructure: bool
    utilisation: float
    from_day: float | None
    in_min_cut: bool
    change: str = ""
    troops_gained_by_day: Mapping[str, float] | None = None

    @property
    def best_gain(self) -> tuple[str, float] | None:
        """(day, troops) of the largest gain, or ``None`` when not measured."""
        gains = dict(self.troops_gained_by_day or {})
        if not gains:
            return None
        day = max(gains, key=lambda d: (gains[d], -float(d)))
        return day, float(gains[day])

    @property
    def value_text(self) -> str:
        """``"+1 train/day: +68 troops by day 30"``, ``"+1 …: no gain by day 10/30/180"``,
        or ``"not measured"``."""
        best = self.best_gain
        if best is None:
            return "marginal value not measured"
        day, troops = best
        if troops < 0.5:
            days = "/".join(str(d) for d in (self.troops_gained_by_day or {}))
            return f"{self.change}: no gain by day {days}"
        return f"{self.change}: +{troops:,.0f} troops by day {day}"


def ranked_bottlenecks(result: ClosureResult, *, scenario_nodes: Iterable[str] = (),
                       ) -> list[RankedBottleneck]:
    """The result's bottlenecks ranked by marginal value, infrastructure first.

    Rank order: largest troops gained by any report day from one more unit
    (``result.marginal``), then days binding, on the minimum cut, utilisation, first day
    used, name. Fleets, and gates of the nodes in ``scenario_nodes`` (origins and
    destinations whose throughput the scenario sets), are scenario inputs: ranked after
    the infrastructure, numbered on their own.
    """
    marginal = {str(m["element_id"]): m for m in result.marginal}
    inputs = set(scenario_nodes)

    def key(b: Any) -> tuple:
        m = marginal.get(str(b.element_id))
        gain = max(m["troops_gained_by_day"].values(), default=0.0) if m else -1.0
        days = float(m["binding_days"]) if m else 0.0
        return (-round(gain, 1), -days, not b.in_min_cut, -round(b.utilisation, 3),
                b.from_day if b.from_day is not None else float("inf"), b.name)

    def is_input(b: Any) -> bool:
        return b.kind in SCENARIO_INPUT_KINDS or str(b.element_id) in inputs

    out: list[RankedBottleneck] = []
    for infrastructure in (True, False):
        chosen = sorted((b for b in result.bottlenecks if is_input(b) != infrastructure),
                        key=key)
        for rank, b in enumerate(chosen, 1):
            m = marginal.get(str(b.element_id))
            out.append(RankedBottleneck(
                rank=rank, name=b.name, kind=b.kind, element_id=str(b.element_id),
                infrastructure=infrastructure, utilisation=float(b.utilisation),
                from_day=b.from_day, in_min_cut=bool(b.in_min_cut),
                change=str(m["change"]) if m else "",
                troops_gained_by_day=dict(m["troops_gained_by_day"]) if m else None))
    return out
