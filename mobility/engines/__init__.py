"""Closure: when a scenario's forces reach their assembly areas, and what holds them back.

One interface, :func:`closure`, over the methods (networkx ``flow_func=`` style):

``fleet`` (the default)
    The fleet-constrained closure LP (:mod:`mobility.engines.fleet`): a time-phased force
    list moved by lift fleets that return, capacities that change on any day, over the whole
    horizon. Also solves the stress case (origins dispatching a rate for ever).
``exact``
    Earliest-arrival flows over time (:mod:`mobility.engines.exact`) for the unlimited
    stress case with static capacities only: the independent check of ``fleet`` on that
    question.

``method=None`` picks the scenario's ``method`` field (``auto``: ``exact`` for a stress
case with static capacities, else ``fleet``).
"""

from __future__ import annotations

from dataclasses import replace

import networkx as nx

from mobility._errors import ScenarioError
from mobility._progress import Progress, silent
from mobility.engines.exact import solve_exact
from mobility.engines.model import (
    BALTIC_STATES,
    ClosureModel,
    build_model,
    capacity_changes,
    cut_off_entries,
    network_for,
    stress_case,
)
from mobility.engines.readback import reached_day, report_days
from mobility.result import ClosureResult
from mobility.scenario import Scenario, load_scenario

__all__ = [
    "BALTIC_STATES",
    "METHODS",
    "ClosureModel",
    "build_model",
    "capacity_changes",
    "closure",
    "cut_off_entries",
    "network_for",
    "reached_day",
    "report_days",
    "solve_exact",
    "stress_case",
]

METHODS = ("fleet", "exact")


def closure(
    network: nx.MultiDiGraph | None = None,
    scenario: Scenario | str | None = None,
    *,
    method: str | None = None,
    progress: Progress | None = None,
    detail: bool = True,
) -> ClosureResult:
    """Compute the closure of a scenario: the arrival curve, targets, bottlenecks, flows.

    Parameters
    ----------
    network
        A network from :func:`mobility.load_network`; ``None`` loads the one the scenario
        names (its ``network`` field: path, year, phases).
    scenario
        A :class:`~mobility.scenario.Scenario`, a shipped scenario's name or a YAML path;
        ``None`` runs the embedded ``baseline``.
    method
        One of :data:`METHODS`; ``None`` uses the scenario's ``method`` field.
    progress
        Called with a short message at each stage (the CLI shows it).
    detail
        ``False`` skips what many-run tools (criticality, sweeps) do not need: per-day edge
        flows and destination arrivals, and the whole-unit rounding re-solve (about 5 times
        faster). The curve, targets, troops by day, bottlenecks and mode split remain.

    Returns
    -------
    ClosureResult
        The curve (troops arrived by day), each target's day, troops by the report days,
        bottlenecks with their kind and use, and for the fleet method the formations' days,
        fleet use (carriers in use of available, by day), the unlimited-lift bound and, with
        sustainment, tonnes a day carried and consumed.

    Raises
    ------
    MobilityError
        A bad scenario, force list or fleet file (one line naming file, field and value), or
        a method that cannot answer this scenario.
    """
    say = progress or silent
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    chosen = method or scenario.method
    if chosen not in (*METHODS, "auto"):
        raise ScenarioError(f"unknown closure method {chosen!r}; valid: {', '.join(METHODS)}")
    if network is None:
        say("loading network")
        network = network_for(scenario)
    where = scenario.source_file or f"scenario '{scenario.name}'"
    if scenario.forces is not None:
        if chosen == "exact":
            raise ScenarioError(f"{where}: method 'exact' solves the unlimited stress case "
                                "(origins) only; a force list needs method 'fleet'")
        chosen = "fleet"
    say("building the movement graph")
    if chosen in ("exact", "auto"):
        model = build_model(network, scenario)
        if chosen == "exact" and model.later_changes:
            raise ScenarioError(f"{where}: field 'method' = 'exact': capacity changes after "
                                "day 0 need method 'fleet' (or 'auto')")
        if not model.later_changes:
            say("solving flows over time (OR-Tools)")
            return _with_integration(solve_exact(model, detail=detail), scenario)
    from mobility.engines.fleet import build_fleet_model, solve_fleet

    fleet_model = build_fleet_model(network, scenario)
    return _with_integration(solve_fleet(fleet_model, detail=detail, progress=say), scenario)


def _with_integration(result: ClosureResult, scenario: Scenario) -> ClosureResult:
    """The result with the scenario's integration delay (arrived -> combat-ready) stated."""
    days = scenario.integration_days
    if not days:
        return result
    note = (f"combat-ready: {days:g} days after closing at the assembly area (scenario field "
            "'integration_days'); the combat-ready curve is the closure "
            + ("plan shifted by that; by each report day, the most that can have closed "
               f"{days:g} days before (an LP each)" if result.method == "fleet"
               else "curve shifted by that"))
    formations = result.formations
    if not formations.empty:
        formations = formations.assign(combat_ready_day=formations["closed_day"] + days)
    return replace(result, integration_days=days, notes=[*result.notes, note],
                   formations=formations)
