"""Investments: which infrastructure projects buy the most days, alone and together.

A catalogue (``data/investments.yaml``) lists candidate projects drawn from public facts:
Rail Baltica sections (network phases), gauge-transfer and loading capacity, road upgrades,
a port quay and "military Schengen" (no border clearance delays). Each says what it changes
in the network, what it costs and where that figure comes from, or that it is an assumption.

Three questions are answered, all with closure (:func:`mobility.engines.closure`,
``detail=False``: the fleet engine for a force list, the exact method for the stress case):

* each investment's effect alone: days saved per Force Model target, troops gained by the
  report days (10, 30, 180), and both per million EUR;
* the best portfolio under a budget, from closure runs *of the combinations themselves*, so
  projects that only pay off together (a Rail Baltica section and the one it connects to)
  or that duplicate each other are valued correctly — never a sum of single effects. Every
  subset within the budget is evaluated when there are at most :data:`MAX_EXACT` of them
  (an exact enumeration); otherwise, when the whole catalogue fits the budget, every project
  together and then a backward elimination (each dropped in turn, most expensive first, while
  the value holds: one closure per project); otherwise a beam search over combinations (width
  ``beam_width``, stopping after :data:`BEAM_PATIENCE` rounds without a better combination)
  and the best combination evaluated is returned;
* what one more unit of each binding capacity or fleet is worth: for a force list the fleet
  engine's marginal values (re-solves of the baseline with one more train, sailing or carrier:
  troops more by each report day); for the stress case the dual values of the capacity rows of
  a time-expanded LP (:func:`mobility.flows.time_expanded_lp` on the chain-contracted problem,
  12-hour steps over 30 days — coarse, so an approximation).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

import networkx as nx
import numpy as np
from pydantic import Field, ValidationError, model_validator

from mobility import disruption
from mobility._data import data_dir
from mobility._errors import MobilityError
from mobility._parallel import at_once
from mobility._progress import Progress, silent
from mobility._yaml import InputModel, describe, read_yaml
from mobility.analysis.criticality import Outcome
from mobility.engines import build_model, closure
from mobility.flows import contract_chains, time_expanded_lp
from mobility.names import suggestions
from mobility.network import NetworkTables, active_phases, graph_from_tables, read_network_tables
from mobility.result import ClosureResult, _clean
from mobility.scenario import BorderDelays, Scenario, load_scenario

__all__ = [
    "Catalogue",
    "Investment",
    "InvestmentEffect",
    "InvestmentResult",
    "Portfolio",
    "ShadowPrice",
    "apply_investments",
    "evaluate_investments",
    "investment_layers",
    "load_catalogue",
    "marginal_values",
    "shadow_prices",
]

#: Evaluate every subset within the budget when there are at most this many.
MAX_EXACT = 256
#: The same for a force list, whose closure (the fleet engine) takes seconds a run.
MAX_EXACT_FLEET = 24
#: The beam search stops after this many rounds in a row that find no combination better
#: than the best one so far (two, so that a pair that only pays off together is still
#: found; values never fall when a project is added, so later rounds rarely find more).
BEAM_PATIENCE = 2
#: Values (days or troops) closer than this count as equal: solver noise, not a gain.
VALUE_TOLERANCE = 1e-6
Objective = Literal["days", "troops-10", "troops-30", "troops-180"]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


class _Model(InputModel):
    """Unknown fields, NaN, inf and booleans for numbers refused (see InputModel)."""


class TransferCapacity(_Model):
    """More transfer (loading, gauge change, port, airfield) capacity at a node."""

    node: str = Field(description="node id")
    add_per_day: NonNegative | None = Field(None, description="units/day added (trains, "
                                            "sailings, flights)")
    factor: Positive | None = Field(None, description="capacity multiplier")

    @model_validator(mode="after")
    def _one(self) -> TransferCapacity:
        if (self.add_per_day is None) == (self.factor is None):
            raise ValueError("give exactly one of 'add_per_day' or 'factor'")
        return self


class EdgeCapacity(_Model):
    """A capacity multiplier on a network edge (both directions)."""

    edge: str = Field(description="edge id")
    factor: Positive


class Investment(_Model):
    """One candidate project: what it changes, what it costs, and where that comes from."""

    id: str
    name: str
    description: str = ""
    phases: tuple[str, ...] = Field((), description="network phases it switches on")
    transfer_capacity: tuple[TransferCapacity, ...] = ()
    edge_capacity: tuple[EdgeCapacity, ...] = ()
    border_delay_h: NonNegative | None = Field(None, description="hours at every land border "
                                               "crossing afterwards (replaces the scenario's)")
    requires: tuple[str, ...] = Field((), description="investments it needs to be of use")
    cost_eur: Positive
    cost_source: str | None = Field(None, description="where the cost was published")
    year: int | None = Field(None, ge=2000, le=2100, description="in service (published date)")
    source: str = Field(description="FACTS.md / SOURCES.md reference for the project")
    assumption: bool = Field(False, description="cost or effect is a stated assumption")
    rationale: str = ""

    @model_validator(mode="after")
    def _documented(self) -> Investment:
        if not (self.phases or self.transfer_capacity or self.edge_capacity
                or self.border_delay_h is not None):
            raise ValueError("an investment must change something: phases, transfer_capacity, "
                             "edge_capacity or border_delay_h")
        if self.assumption and not self.rationale.strip():
            raise ValueError("'assumption: true' needs a 'rationale'")
        if not self.assumption and not self.cost_source:
            raise ValueError("give 'cost_source' for a published cost, or 'assumption: true' "
                             "with a 'rationale'")
        return self


class Catalogue(_Model):
    investments: tuple[Investment, ...] = Field(min_length=1)
    source_file: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _ids(self) -> Catalogue:
        ids = [i.id for i in self.investments]
        seen: set[str] = set()
        for index, item in enumerate(ids):
            if item in seen:
                raise ValueError(f"investments.{index}.id = {item!r} is used twice")
            seen.add(item)
        for index, inv in enumerate(self.investments):
            for need in inv.requires:
                if need not in seen:
                    raise ValueError(f"investments.{index}.requires: unknown investment "
                                     f"{need!r}; valid: {', '.join(ids)}")
        return self

    def get(self, ids: Sequence[str]) -> list[Investment]:
        by_id = {i.id: i for i in self.investments}
        out = []
        for item in ids:
            if item not in by_id:
                close = suggestions(item, list(by_id))
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise MobilityError(f"unknown investment {item!r}{hint} Valid: "
                                    f"{', '.join(by_id)}")
            out.append(by_id[item])
        return out


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate an investment catalogue.

    Parameters
    ----------
    path
        A YAML file: a mapping with ``investments`` or a bare list of them (each with its
        cost in EUR, phases, transfer and edge capacity changes, border delay in hours and
        sources); ``None`` reads the shipped ``data/investments.yaml``.

    Returns
    -------
    Catalogue
        The investments (id, cost in EUR, the capacity changes each makes).

    Raises
    ------
    MobilityError
        A malformed catalogue: the message names the file, the field and the value.
    """
    path = Path(path) if path is not None else data_dir() / "investments.yaml"
    raw = read_yaml(path)
    if isinstance(raw, list):
        raw = {"investments": raw}
    try:
        catalogue = Catalogue.model_validate(raw)
    except ValidationError as error:
        raise MobilityError(describe(error, path, Catalogue)) from None
    return catalogue.model_copy(update={"source_file": str(path)})


def check_catalogue(catalogue: Catalogue, tables: NetworkTables) -> None:
    """Every phase, node and edge a catalogue names must exist in the network."""
    where = catalogue.source_file or "investment catalogue"
    for i, inv in enumerate(catalogue.investments):
        for field, names, valid in (
            ("phases", inv.phases, tables.phases),
            ("transfer_capacity", [c.node for c in inv.transfer_capacity], tables.nodes),
            ("edge_capacity", [c.edge for c in inv.edge_capacity], tables.edges),
        ):
            for j, name in enumerate(names):
                if name not in valid:
                    close = suggestions(name, list(valid))
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise MobilityError(f"{where}: field 'investments.{i}.{field}.{j}' = "
                                        f"{name!r} is not in network {tables.source}{hint}")


# --- applying investments -------------------------------------------------------------------


class _Networks:
    """Graphs by phase set, built once from the scenario's network tables."""

    def __init__(self, scenario: Scenario) -> None:
        choice = scenario.network
        # relative to the scenario file, as network_for reads it
        self.tables = read_network_tables(scenario.network_path())
        self.base = active_phases(self.tables, year=choice.year, phases=choice.phases)
        self.year = choice.year
        self._cache: dict[frozenset[str], nx.MultiDiGraph] = {}

    def graph(self, phases: frozenset[str]) -> nx.MultiDiGraph:
        key = frozenset(self.base | phases)
        if key not in self._cache:
            self._cache[key] = graph_from_tables(self.tables, active_phases=key, year=self.year)
        return self._cache[key]


def catalogue_network(scenario: Scenario, catalogue: Catalogue) -> nx.MultiDiGraph:
    """The scenario's network with every phase the catalogue's investments open switched on
    (what a map of the catalogue draws, so planned lines show)."""
    phases = frozenset(phase for inv in catalogue.investments for phase in inv.phases)
    return _Networks(scenario).graph(phases)


def apply_investments(graph: nx.MultiDiGraph, scenario: Scenario,
                      investments: Sequence[Investment]) -> tuple[nx.MultiDiGraph, Scenario]:
    """The network and scenario after ``investments`` (phases already in ``graph``).

    Transfer capacity changes are made on a copy of the graph; edge factors become scenario
    capacity changes from day 0; a border delay replaces the scenario's (the smallest wins).
    Transfer and edge changes mean what :mod:`mobility.disruption` says.
    """
    changed = disruption.with_transfer_capacity(
        graph, [(c.node, c.factor, c.add_per_day)
                for inv in investments for c in inv.transfer_capacity])
    scenario = disruption.scale_elements(
        scenario, [(c.edge, c.factor) for inv in investments for c in inv.edge_capacity],
        reason="investment")
    update: dict[str, Any] = {}
    delays = [inv.border_delay_h for inv in investments if inv.border_delay_h is not None]
    if delays:
        cap = min(delays)
        old = scenario.crossings()
        update["border_delays"] = BorderDelays(
            default_h=min(old.default_h, cap),
            pairs_h={pair: min(hours, cap) for pair, hours in old.pairs_h.items()},
            outside_schengen_h=None if old.outside_schengen_h is None
            else min(old.outside_schengen_h, cap))
    return changed, scenario.model_copy(update=update) if update else scenario


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gain:
    """What a set of investments does against the baseline."""

    outcome: Outcome
    days_saved: tuple[float | None, ...]  # per target; unreached counts as the horizon
    troops_gained: dict[int, float]  # per report day

    @property
    def total_days_saved(self) -> float:
        return float(sum(d for d in self.days_saved if d is not None))

    def value(self, objective: Objective) -> float:
        if objective == "days":
            return self.total_days_saved
        day = int(objective.split("-")[1])
        return self.troops_gained.get(day, 0.0)


@dataclass(frozen=True)
class InvestmentEffect:
    investment: Investment
    gain: Gain

    @property
    def cost_meur(self) -> float:
        return self.investment.cost_eur / 1e6

    def per_million(self, objective: Objective) -> float:
        return self.gain.value(objective) / self.cost_meur


@dataclass(frozen=True)
class Portfolio:
    ids: tuple[str, ...]
    cost_eur: float
    gain: Gain
    sum_of_single_values: float  # what adding the single effects would have claimed


@dataclass(frozen=True)
class ShadowPrice:
    """Troops more by each report day from one more unit of a binding capacity or fleet."""

    element_id: str
    name: str
    kind: str  # node kind or edge mode, or "fleet"
    change: str  # e.g. "+1 train/day", "+1 ro-ro ship from day 0"
    troops_gained_by_day: dict[int, float]


@dataclass(frozen=True)
class InvestmentResult:
    scenario: str
    objective: Objective
    budget_eur: float | None
    target_labels: tuple[str, ...]
    baseline: Outcome
    effects: tuple[InvestmentEffect, ...]  # ranked by value per million EUR
    best: Portfolio | None
    search: str  # how the portfolio was found
    n_evaluated: int
    shadow_prices: tuple[ShadowPrice, ...]
    shadow_method: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        def gain(g: Gain) -> dict[str, Any]:
            return {"days_saved": list(g.days_saved), "total_days_saved": g.total_days_saved,
                    "troops_gained": {str(d): v for d, v in g.troops_gained.items()},
                    "reached_day": list(g.outcome.reached_day)}

        return _clean({
            "scenario": self.scenario,
            "objective": self.objective,
            "budget_eur": self.budget_eur,
            "targets": list(self.target_labels),
            "baseline": {"reached_day": list(self.baseline.reached_day),
                         "troops_by_day": {str(d): v for d, v in
                                           self.baseline.troops_by_day.items()}},
            "investments": [{
                "id": e.investment.id, "name": e.investment.name,
                "cost_eur": e.investment.cost_eur, "assumption": e.investment.assumption,
                "cost_source": e.investment.cost_source, **gain(e.gain),
                "value_per_million_eur": e.per_million(self.objective),
                "troops_gained_per_million_eur": {
                    str(d): v / e.cost_meur for d, v in e.gain.troops_gained.items()},
            } for e in self.effects],
            "best_portfolio": None if self.best is None else {
                "ids": list(self.best.ids), "cost_eur": self.best.cost_eur,
                "value": self.best.gain.value(self.objective),
                "sum_of_single_values": self.best.sum_of_single_values, **gain(self.best.gain)},
            "search": self.search,
            "combinations_evaluated": self.n_evaluated,
            "shadow_prices": [{
                "element_id": s.element_id, "name": s.name, "kind": s.kind,
                "change": s.change,
                "troops_gained_by_day": {str(d): v for d, v in s.troops_gained_by_day.items()},
            } for s in self.shadow_prices],
            "shadow_method": self.shadow_method,
            "notes": list(self.notes),
        })


# --- evaluation -----------------------------------------------------------------------------


def _gain(outcome: Outcome, baseline: Outcome, horizon_days: float) -> Gain:
    def difference(x: float) -> float:  # solver noise (below VALUE_TOLERANCE) is no change
        return 0.0 if abs(x) < VALUE_TOLERANCE else x

    saved: list[float | None] = []
    for before, after in zip(baseline.reached_day, outcome.reached_day, strict=True):
        b = horizon_days if before is None else before
        a = horizon_days if after is None else after
        saved.append(None if before is None and after is None else difference(b - a))
    gained = {d: difference(outcome.troops_by_day.get(d, 0.0) - v)
              for d, v in baseline.troops_by_day.items()}
    return Gain(outcome, tuple(saved), gained)


def evaluate_investments(
    scenario: Scenario | str | None = None,
    *,
    catalogue: Catalogue | None = None,
    budget_eur: float | None = None,
    objective: Objective = "days",
    beam_width: int = 4,
    shadow: bool = True,
    progress: Progress | None = None,
) -> InvestmentResult:
    """Each investment alone, the best portfolio under ``budget_eur``, and shadow prices.

    Parameters
    ----------
    scenario
        The scenario whose network (path, year, phases) the investments change.
    catalogue
        Default :func:`load_catalogue`.
    budget_eur
        Most the portfolio may cost; ``None``: no limit.
    objective
        ``"days"``: total days saved over the Force Model targets (a target not reached
        counts as reached at the horizon); ``"troops-10"``/``"troops-30"``/``"troops-180"``:
        troops more by that day.
    beam_width
        Combinations kept per size when there are too many subsets to enumerate.
    shadow
        Also value one more unit of each binding capacity (a force list: the fleet
        engine's marginal re-solves of the baseline; the stress case: LP shadow prices).

    Returns
    -------
    InvestmentResult
        Each investment alone (days saved per target, value per million EUR, ranked), the best
        portfolio within ``budget_eur`` and, with ``shadow``, the capacities worth most.
    """
    say = progress or silent
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if objective not in ("days", "troops-10", "troops-30", "troops-180"):
        raise MobilityError(f"invest: objective {objective!r} is not valid (options: days, "
                            "troops-10, troops-30, troops-180)")
    catalogue = catalogue or load_catalogue()
    networks = _Networks(scenario)
    check_catalogue(catalogue, networks.tables)
    horizon = scenario.horizon_days
    by_id = {inv.id: inv for inv in catalogue.investments}
    evaluated: dict[tuple[str, ...], Gain] = {}

    def run(ids: tuple[str, ...]) -> Gain:
        if ids not in evaluated:
            chosen = [by_id[i] for i in ids]
            phases = frozenset(p for inv in chosen for p in inv.phases)
            graph, variant = apply_investments(networks.graph(phases), scenario, chosen)
            result = closure(graph, variant, detail=False)
            evaluated[ids] = _gain(Outcome.from_result(result), baseline, horizon)
        return evaluated[ids]

    lock = threading.Lock()

    def run_all(combos: Sequence[tuple[str, ...]], label: Callable[[tuple[str, ...]], str]
                ) -> list[Gain]:
        """Independent closures, up to two at a time (a closure's plan LP keeps one core
        busy while the other would wait), with progress as each ends."""
        done = [0]

        def one(combo: tuple[str, ...]) -> Gain:
            gain = run(combo)
            with lock:
                done[0] += 1
                say(label(combo), done[0], len(combos))
            return gain

        return at_once([partial(one, combo) for combo in combos])

    say("solving the baseline", 0, 1)
    base_graph = networks.graph(frozenset())
    # a force list's marginal values come with the detailed baseline (its re-solves)
    marginal = shadow and scenario.forces is not None
    base_result = closure(base_graph, scenario, detail=marginal)
    baseline = Outcome.from_result(base_result)
    ids = sorted(by_id)
    alone = run_all([(item,) for item in ids], lambda c: f"alone: {by_id[c[0]].name}")
    effects = [InvestmentEffect(by_id[item], gain) for item, gain in zip(ids, alone, strict=True)]
    effects.sort(key=lambda e: (-e.per_million(objective), e.investment.id))
    single = {e.investment.id: e.gain.value(objective) for e in effects}

    def feasible(combo: tuple[str, ...]) -> bool:
        cost = sum(by_id[i].cost_eur for i in combo)
        return ((budget_eur is None or cost <= budget_eur + 1e-6)
                and all(need in combo for i in combo for need in by_id[i].requires))

    # A fleet-engine closure is an LP of seconds, not milliseconds: fewer combinations.
    max_exact = MAX_EXACT if scenario.forces is None else MAX_EXACT_FLEET
    subsets = _count_feasible(ids, feasible, max_exact)
    if subsets <= max_exact:
        combos = [c for r in range(1, len(ids) + 1) for c in itertools.combinations(ids, r)
                  if feasible(c)]
        run_all(combos, lambda c: f"portfolio of {len(c)}")
        search = f"exact: every one of the {len(combos)} combinations within the budget evaluated"
    elif feasible(tuple(ids)):
        kept = _eliminate(ids, by_id, feasible, run, objective, say)
        search = (f"the whole catalogue fits the budget: all {len(ids)} together, then each "
                  "dropped in turn, most expensive first, while the value holds; "
                  f"{len(kept)} remain (no project of them can go without losing value, "
                  "though a cheaper set of equal value is not ruled out)")
    else:
        stop = _beam(ids, by_id, feasible, run_all, objective, beam_width)
        search = (f"beam search (width {beam_width}) over combinations, each evaluated with "
                  f"closure; more than {max_exact} subsets fit the budget, so not exhaustive; "
                  + stop)
    candidates = [(c, g) for c, g in evaluated.items() if feasible(c)]
    best = None
    if candidates:
        # best value (within VALUE_TOLERANCE); among equals the cheapest, then id order
        top = max(g.value(objective) for _c, g in candidates)
        combo, gain = min(((c, g) for c, g in candidates
                           if g.value(objective) >= top - VALUE_TOLERANCE),
                          key=lambda cg: (sum(by_id[i].cost_eur for i in cg[0]), cg[0]))
        best = Portfolio(combo, sum(by_id[i].cost_eur for i in combo), gain,
                         sum(single[i] for i in combo))
    prices: tuple[ShadowPrice, ...]
    if not shadow:
        prices, method = (), "not computed"
    elif marginal:
        prices, method = marginal_values(base_result)
    else:
        prices, method = shadow_prices(base_graph, scenario)
    labels = tuple(f"{t.troops:,.0f} by day {t.deadline_day:g}"
                   for t in scenario.targets.resolved())
    notes = (
        "objective: " + ("total days saved over the targets" if objective == "days"
                         else f"troops gained by day {objective.split('-')[1]}"),
        "portfolio values come from closure runs of the combination, not sums of single effects"
        + (" (the force list with its fleets)" if scenario.forces is not None else ""),
        "costs and effects marked 'assumption' are not published figures (data/investments.yaml)",
    )
    return InvestmentResult(
        scenario=scenario.name, objective=objective, budget_eur=budget_eur,
        target_labels=labels, baseline=baseline, effects=tuple(effects), best=best,
        search=search, n_evaluated=len(evaluated), shadow_prices=prices,
        shadow_method=method, notes=notes,
    )


def _count_feasible(ids: Sequence[str], feasible: Callable[[tuple[str, ...]], bool],
                    limit: int) -> int:
    """Number of feasible non-empty subsets, counting stops once past ``limit``."""
    if len(ids) > 20:
        return limit + 1
    count = 0
    for r in range(1, len(ids) + 1):
        for combo in itertools.combinations(ids, r):
            if feasible(combo):
                count += 1
                if count > limit:
                    return count
    return count


def _eliminate(ids, by_id, feasible, run, objective, say) -> tuple[str, ...]:
    """Backward elimination: start from every project together and drop each in turn, the
    most expensive first, when the rest (still meeting every ``requires``) loses no value.
    One closure per project instead of a search over combinations."""
    kept = tuple(ids)
    say("portfolio: every project together", 0, len(ids) + 1)
    value = run(kept).value(objective)
    order = sorted(ids, key=lambda i: (-by_id[i].cost_eur, i))
    for n, item in enumerate(order, start=1):
        say(f"portfolio: without {by_id[item].name}", n, len(ids) + 1)
        rest = tuple(i for i in kept if i != item)
        if not rest or not feasible(rest):
            continue
        without = run(rest).value(objective)
        if without >= value - VALUE_TOLERANCE:
            kept = rest
            if without > value + VALUE_TOLERANCE:
                value = without
    return kept


def _beam(ids, by_id, feasible, run_all, objective, width,
          patience: int = BEAM_PATIENCE) -> str:
    """Grow combinations one project (plus what it ``requires``) at a time, keeping the
    ``width`` best of each round; every combination grown is evaluated with closure (a
    round's together, by ``run_all``). Stops when nothing more fits, or after ``patience``
    rounds in a row without a better value than the best so far. Returns how it stopped, in
    words."""

    def with_requirements(combo: set[str]) -> tuple[str, ...]:
        todo, done = list(combo), set()
        while todo:
            item = todo.pop()
            if item not in done:
                done.add(item)
                todo.extend(by_id[item].requires)
        return tuple(sorted(done))

    frontier: list[tuple[str, ...]] = [()]
    best, stale, rounds = 0.0, 0, 0
    while frontier:
        grown = sorted({with_requirements({*combo, item}) for combo in frontier for item in ids
                        if item not in combo})
        grown = [c for c in grown if feasible(c)]
        if not grown:
            return f"stopped after {rounds} rounds: no larger combination fits"
        rounds += 1
        gains = run_all(grown, lambda c, r=rounds: f"portfolio search: round {r}, "
                        f"{len(c)} projects")
        scored = sorted(((g.value(objective), c) for c, g in zip(grown, gains, strict=True)),
                        key=lambda vc: (-vc[0], vc[1]))
        frontier = [c for _v, c in scored[:width]]
        if scored[0][0] > best + VALUE_TOLERANCE:
            best, stale = scored[0][0], 0
        else:
            stale += 1
            if stale >= patience:
                return (f"stopped after {rounds} rounds: the last {patience} found nothing "
                        "better")
    return f"stopped after {rounds} rounds"


def marginal_values(result: ClosureResult) -> tuple[tuple[ShadowPrice, ...], str]:
    """The fleet engine's marginal values of a detailed closure: troops more by each report
    day from one more unit of each of the binding capacities and fleets that bind longest,
    each a re-solve of the same LP (:func:`mobility.engines.closure`, ``detail=True``)."""
    prices = tuple(ShadowPrice(m["element_id"], m["resource"], m["kind"], m["change"],
                               {int(d): float(v) for d, v in m["troops_gained_by_day"].items()})
                   for m in result.marginal)
    return prices, ("fleet engine re-solves of the baseline with one more unit of each of the "
                    f"{len(prices)} capacities and fleets that bind on the most days")


def shadow_prices(graph: nx.MultiDiGraph, scenario: Scenario, *, horizon_days: float = 30,
                  step_h: float = 12, top: int = 12) -> tuple[tuple[ShadowPrice, ...], str]:
    """Capacity shadow prices from the time-expanded LP (duals of the capacity rows).

    The problem is chain-contracted first (exact for flows over time, PERFORMANCE.md); each
    contracted arc's dual is given to the member whose capacity is the contracted one.
    Troops per extra unit a day = dual * troops per unit / 24 (capacities are per hour).
    """
    model = build_model(graph, scenario)
    contracted = contract_chains(model.problem)
    result = time_expanded_lp(contracted.problem, horizon_days * 24, step_h, weights="final")
    cap = model.problem.capacity_per_h
    best: dict[str, ShadowPrice] = {}
    for arc_c in np.flatnonzero(result.capacity_dual > 1e-9):
        members = contracted.member_arcs[contracted.member_ptr[arc_c]:
                                         contracted.member_ptr[arc_c + 1]]
        limiting = min(members.tolist(), key=lambda a: (cap[a], a))
        if limiting < model.n_movement and model.movement.kind[limiting] == "link":
            continue
        name, kind, element = model.arc_label(int(limiting))
        if limiting < model.n_movement:
            unit = model.movement.unit[limiting]
            per_unit = float(model.arc_troops_per_unit[limiting])
        else:
            unit, per_unit = "troop", 1.0
        if not math.isfinite(per_unit):
            unit, per_unit = "troop", 1.0
        day = int(horizon_days)
        price = ShadowPrice(element, name, kind,
                            f"+1 {unit}/day (now {cap[limiting] * 24 / per_unit:,.1f})",
                            {day: float(result.capacity_dual[arc_c] * per_unit / 24)})
        key = f"{element}|{name}"
        if key not in best or price.troops_gained_by_day[day] > \
                best[key].troops_gained_by_day[day]:
            best[key] = price
    ranked = sorted(best.values(), key=lambda p: (-sum(p.troops_gained_by_day.values()),
                                                  p.name))
    method = (f"time-expanded LP (GLOP), {step_h:g}-hour steps over {horizon_days:g} days on the "
              "chain-contracted network; troops more by day "
              f"{horizon_days:g} per extra unit a day (coarse steps delay flows: approximate)")
    return tuple(ranked[:top]), method


def investment_layers(graph: nx.MultiDiGraph, catalogue: Catalogue | None = None
                      ) -> list[dict[str, Any]]:
    """Plain data for a map: per investment, the node and edge ids it touches."""
    catalogue = catalogue or load_catalogue()
    tables_phase = {key: data.get("phase") for _u, _v, key, data in graph.edges(keys=True,
                                                                              data=True)}
    layers = []
    for inv in catalogue.investments:
        edges = sorted({key for key, phase in tables_phase.items() if phase in inv.phases}
                       | {c.edge for c in inv.edge_capacity})
        layers.append({"id": inv.id, "name": inv.name, "cost_eur": inv.cost_eur,
                       "edge_ids": edges, "node_ids": sorted({c.node for c in
                                                              inv.transfer_capacity}),
                       "border_delay_h": inv.border_delay_h})
    return layers
