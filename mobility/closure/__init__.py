"""Closure: when a scenario's forces reach their assembly areas, and what holds them back.

One interface, :func:`closure`, over the methods (networkx ``flow_func=`` style):

``exact``
    Earliest-arrival flows over time (:mod:`mobility.closure.exact`) for the unlimited
    stress case: origins dispatching a rate for ever through static capacities.
``lp``
    The time-expanded LP (:mod:`mobility.closure.lp`) for the stress case with capacities
    that change after day 0.

``method=None`` picks the scenario's ``method`` field (``auto``: ``exact`` when every
capacity is static, else ``lp``).
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from mobility._errors import ScenarioError
from mobility.closure.exact import solve_exact
from mobility.closure.model import (
    BALTIC_STATES,
    ClosureModel,
    build_model,
    capacity_changes,
    cut_off_entries,
    network_for,
)
from mobility.closure.readback import reached_day, report_days
from mobility.result import ClosureResult
from mobility.scenario import Scenario, load_scenario

Progress = Callable[[str], None]

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
]

METHODS = ("exact", "lp")


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
    """
    say = progress or (lambda _msg: None)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if network is None:
        say("loading network")
        network = network_for(scenario)
    say("building the movement graph")
    model = build_model(network, scenario)
    chosen = method or scenario.method
    if chosen == "auto":
        chosen = "lp" if model.later_changes else "exact"
    if chosen not in METHODS:
        raise ScenarioError(f"unknown closure method {chosen!r}; valid: {', '.join(METHODS)}")
    if chosen == "exact" and model.later_changes:
        msg = (f"{scenario.source_file}: field 'method' = 'exact': capacity changes after day 0 "
               "need the time-expanded LP; use method 'lp' or 'auto'")
        raise ScenarioError(msg)
    if chosen == "lp":
        from mobility.closure.lp import solve_lp

        say("solving the time-expanded LP")
        return solve_lp(model, progress=say, detail=detail)
    say("solving flows over time (OR-Tools)")
    return solve_exact(model, detail=detail)
