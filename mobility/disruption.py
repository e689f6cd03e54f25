"""Disruption: what closing or scaling an element of the network means, in one place.

Every analysis that changes the network (criticality, interdiction, sweeps, investments) does
it through these functions, so a change means the same wherever it is made:

Scaling an element (:func:`scale_elements`)
    A scenario capacity change from day 0, as a scenario's own ``capacity_changes`` are read
    (:func:`mobility.engines.capacity_changes`, :func:`mobility.movement.movement_graph`): an
    edge's factor multiplies its capacity in every layer and both directions; a node's factor
    multiplies its transfer gate *and every edge touching it* (what passes the site); factor 0
    closes the element. :func:`element_arcs` names the movement arcs this scales.
Changing a node's transfer capacity (:func:`scaled_network`, :func:`with_transfer_capacity`)
    Only the node's ``transfer_capacity_per_day`` (trains, sailings or flights a day through
    its gate: loading, gauge change, port discharge); its edges keep theirs. A node without a
    stated transfer capacity is unlimited and stays so under a factor. This is what a sweep's
    capacity factor on a node (e.g. gauge-transfer capacity x 2) and an investment in transfer
    capacity mean.
Cut-off entries (:func:`without_cut_off`)
    Origins and destinations on a closed node, or that no origin can reach any more (or that
    reach no destination), are dropped from the scenario and named, so the rest is solved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from mobility.engines import cut_off_entries
from mobility.movement import MovementGraph
from mobility.names import resolve_node
from mobility.scenario import CapacityChange, Scenario

__all__ = [
    "Reachable",
    "element_arcs",
    "scale_elements",
    "scaled_network",
    "with_transfer_capacity",
    "without_cut_off",
]


def scale_elements(scenario: Scenario, changes: Iterable[tuple[str, float]], *,
                   reason: str) -> Scenario:
    """The scenario with each ``(element, factor)`` added as a capacity change from day 0.

    ``element`` is an edge id or a node (id or name); ``factor`` multiplies its capacity (0
    closes it). A node's factor applies to its transfer gate and every edge touching it.
    ``reason`` is stated on each change (``criticality``, ``sweep: failed``, ``investment``).
    """
    extra = tuple(CapacityChange(element=element, factor=factor, reason=reason)
                  for element, factor in changes)
    if not extra:
        return scenario
    return scenario.model_copy(update={"capacity_changes": scenario.capacity_changes + extra})


def element_arcs(movement: MovementGraph, kind: str, ref: str) -> np.ndarray:
    """Arcs of a movement graph that a change of an element scales.

    An edge (``kind='edge'``): its arcs in every layer and both directions. A node: its
    transfer gate, the links into and out of it, and the arcs of every edge touching it (as
    :func:`scale_elements` does). Never the super source/sink arcs.
    """
    mg = movement
    if kind == "edge":
        hit = [a for a in range(mg.n_arcs) if mg.kind[a] == "edge" and mg.ref[a] == ref]
    else:
        hit = [a for a in range(mg.n_arcs)
               if (mg.kind[a] != "edge" and mg.ref[a] == ref)
               or (mg.kind[a] == "edge" and ref in (mg.u[a], mg.v[a]))]
    return np.asarray(hit, dtype=np.int64)


def scaled_network(graph: nx.MultiDiGraph,
                   factors: Mapping[tuple[str, str], float]) -> nx.MultiDiGraph:
    """A copy of ``graph`` with capacities multiplied: ``{("edge", id): f}`` an edge's
    ``capacity_per_day``, ``{("node", id): f}`` a node's transfer capacity only.

    ``graph`` itself is returned when there is nothing to change; it is never modified.
    """
    if not factors:
        return graph
    scaled = graph.copy()  # copies every attribute dict; the caller's graph stays intact
    for (kind, ref), factor in factors.items():
        if kind == "node":
            _change_transfer(scaled.nodes[ref], factor=factor)
        else:
            for u, v, key in list(scaled.edges(keys=True)):
                if key == ref:
                    scaled.edges[u, v, key]["capacity_per_day"] *= factor
    return scaled


def with_transfer_capacity(graph: nx.MultiDiGraph,
                           changes: Sequence[tuple[str, float | None, float | None]]
                           ) -> nx.MultiDiGraph:
    """A copy of ``graph`` with nodes' transfer capacity changed: ``(node id, factor,
    add_per_day)``, one of the two given (units a day added, or a multiplier).

    ``graph`` itself is returned when there is nothing to change; it is never modified.
    """
    if not changes:
        return graph
    changed = graph.copy()
    for node, factor, add_per_day in changes:
        _change_transfer(changed.nodes[node], factor=factor, add_per_day=add_per_day)
    return changed


def _change_transfer(data: dict, *, factor: float | None = None,
                     add_per_day: float | None = None) -> None:
    current = data.get("transfer_capacity_per_day")
    if add_per_day is not None:
        data["transfer_capacity_per_day"] = (current or 0.0) + add_per_day
    elif current is not None and factor is not None:  # unlimited stays unlimited
        data["transfer_capacity_per_day"] = current * factor


@dataclass(frozen=True)
class Reachable:
    """A scenario without its cut-off origins and destinations.

    ``scenario`` keeps the origins and destinations that remain; ``cut_off`` names the others
    as ``(role, node id)`` with ``role`` ``origin`` or ``destination``: first those on a
    closed node (origins, then destinations, in the scenario's order), then those no longer
    connected.
    """

    scenario: Scenario
    cut_off: tuple[tuple[str, str], ...]


def without_cut_off(graph: nx.MultiDiGraph, scenario: Scenario,
                    closed_nodes: set[str]) -> Reachable:
    """Drop the origins and destinations of a stress case that a disruption cuts off.

    Those on a node of ``closed_nodes`` go first; if origins and destinations remain, those
    that no remaining origin reaches (or that reach no remaining destination) on ``graph``
    under the scenario's capacity changes go too (:func:`mobility.engines.cut_off_entries`).
    """
    origins, cut = _open(graph, scenario.origins, closed_nodes, "origin")
    destinations, closed_destinations = _open(graph, scenario.destinations, closed_nodes,
                                              "destination")
    cut += closed_destinations
    if origins and destinations:
        trimmed = scenario.model_copy(update={"origins": tuple(origins),
                                              "destinations": tuple(destinations)})
        lost_origins, lost_destinations = cut_off_entries(graph, trimmed)
        cut += [("origin", resolve_node(graph, origins[i].node)) for i in lost_origins]
        cut += [("destination", resolve_node(graph, destinations[i].node))
                for i in lost_destinations]
        origins = [o for i, o in enumerate(origins) if i not in lost_origins]
        destinations = [d for i, d in enumerate(destinations) if i not in lost_destinations]
    remaining = scenario.model_copy(update={"origins": tuple(origins),
                                            "destinations": tuple(destinations)})
    return Reachable(remaining, tuple(cut))


def _open(graph: nx.MultiDiGraph, entries: Sequence[Any], closed_nodes: set[str],
          role: str) -> tuple[list[Any], list[tuple[str, str]]]:
    """The entries (origins or destinations) not on a closed node, and the others' nodes."""
    kept, cut = [], []
    for entry in entries:
        node = resolve_node(graph, entry.node)
        if node in closed_nodes:
            cut.append((role, node))
        else:
            kept.append(entry)
    return kept, cut
