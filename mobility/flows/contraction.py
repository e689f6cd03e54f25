"""Series-chain contraction: fewer, longer arcs for time-expanded models.

A node that only passes flow through (one arc in, one arc out, or the two-way version: one
neighbour on each side with an arc in each direction) is removed and its arcs are merged:
transit times add up and the capacity is the minimum. For flows over time without storage at
the removed nodes this is exact (flow entering the chain at rate r leaves it at rate r after
the summed transit); it shortens paths in arcs, which is what bounds the rounding error of a
time-expanded model (see `mobility.flows.time_expanded`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobility.flows.problem import FlowProblem

__all__ = ["ContractedProblem", "contract_chains"]


@dataclass(frozen=True, eq=False)
class ContractedProblem:
    """A contracted `FlowProblem` and the map back to the original one.

    Attributes
    ----------
    problem
        The contracted problem.
    node_of
        ``(original n_nodes,)`` new id of each original node, -1 if removed.
    original_node
        ``(new n_nodes,)`` original id of each kept node.
    contracted_arc_of
        ``(original n_arcs,)`` contracted arc that contains each original arc.
    member_ptr, member_arcs
        CSR lists: original arcs of contracted arc ``a`` are
        ``member_arcs[member_ptr[a]:member_ptr[a + 1]]``, in path order.
    member_offset_h
        Aligned with ``member_arcs``: hours from entering the contracted arc to entering that
        original arc (the summed transit of the members before it).
    """

    problem: FlowProblem
    node_of: np.ndarray
    original_node: np.ndarray
    contracted_arc_of: np.ndarray
    member_ptr: np.ndarray
    member_arcs: np.ndarray
    member_offset_h: np.ndarray

    def expand_arc_values(self, values: np.ndarray) -> np.ndarray:
        """Map per-arc values of the contracted problem (first axis = contracted arcs, e.g.
        a static flow or per-step flows) to the original arcs: every member of a chain carries
        the chain's value. Per-step flows on a member are shifted later by its
        ``member_offset_h``; map them with that offset if step timing matters."""
        values = np.asarray(values)
        return values[self.contracted_arc_of]


def contract_chains(problem: FlowProblem, *, keep: np.ndarray | None = None) -> ContractedProblem:
    """Merge series chains of pass-through nodes into single arcs.

    Parameters
    ----------
    problem
        The network.
    keep
        Optional bool mask of nodes that must stay (e.g. nodes with capacity changes, holdover
        or reporting); the source and the sink always stay.

    Returns
    -------
    ContractedProblem

    Notes
    -----
    A node ``v`` is removed if it is not kept and either (a) it has exactly one incoming arc
    ``u -> v`` and one outgoing arc ``v -> w`` with ``u != w``, or (b) exactly two incoming
    and two outgoing arcs forming ``u -> v -> w`` and ``w -> v -> u`` with ``u != w``. The
    merged arc has transit ``tau_1 + tau_2`` and capacity ``min(c_1, c_2)``. Nodes are
    visited in increasing id order, so the result is deterministic.
    """
    n, m = problem.n_nodes, problem.n_arcs
    stay = np.zeros(n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool).copy()
    if stay.shape != (n,):
        msg = f"keep must be a bool mask of shape ({n},), got shape {stay.shape}"
        raise ValueError(msg)
    stay[[problem.source, problem.sink]] = True

    tail = problem.tail.tolist()
    head = problem.head.tolist()
    transit = problem.transit_h.tolist()
    cap = problem.capacity_per_h.tolist()
    members: list[list[int]] = [[e] for e in range(m)]
    alive = [True] * m
    ins: list[set[int]] = [set() for _ in range(n)]
    outs: list[set[int]] = [set() for _ in range(n)]
    for e in range(m):
        outs[tail[e]].add(e)
        ins[head[e]].add(e)

    def merge(a: int, b: int) -> None:
        # a = u -> v, b = v -> w becomes u -> w (reusing a new id).
        new = len(tail)
        tail.append(tail[a])
        head.append(head[b])
        transit.append(transit[a] + transit[b])
        cap.append(min(cap[a], cap[b]))
        members.append(members[a] + members[b])
        alive.append(True)
        alive[a] = alive[b] = False
        outs[tail[a]].discard(a)
        outs[tail[a]].add(new)
        ins[head[b]].discard(b)
        ins[head[b]].add(new)

    removed = np.zeros(n, dtype=bool)
    for v in range(n):
        if stay[v]:
            continue
        vin, vout = sorted(ins[v]), sorted(outs[v])
        if any(tail[a] == v for a in vin):  # self-loop
            continue
        if len(vin) == 1 and len(vout) == 1:
            a, b = vin[0], vout[0]
            if tail[a] == head[b]:
                continue
            merge(a, b)
        elif len(vin) == 2 and len(vout) == 2:
            u, w = tail[vin[0]], tail[vin[1]]
            if u == w or {head[vout[0]], head[vout[1]]} != {u, w}:
                continue
            to_w = vout[0] if head[vout[0]] == w else vout[1]
            to_u = vout[1] if to_w == vout[0] else vout[0]
            merge(vin[0], to_w)
            merge(vin[1], to_u)
        else:
            continue
        ins[v].clear()
        outs[v].clear()
        removed[v] = True

    new_arcs = [e for e in range(len(tail)) if alive[e]]
    node_of = np.full(n, -1, dtype=np.int64)
    original_node = np.flatnonzero(~removed)
    node_of[original_node] = np.arange(original_node.shape[0])
    contracted_arc_of = np.empty(m, dtype=np.int64)
    ptr = [0]
    member_arcs: list[int] = []
    offsets: list[float] = []
    for a, e in enumerate(new_arcs):
        t = 0.0
        for orig in members[e]:
            contracted_arc_of[orig] = a
            member_arcs.append(orig)
            offsets.append(t)
            t += float(problem.transit_h[orig])
        ptr.append(len(member_arcs))
    idx = np.asarray(new_arcs, dtype=np.int64)
    contracted = FlowProblem(
        n_nodes=int(original_node.shape[0]),
        tail=node_of[np.asarray(tail, dtype=np.int64)[idx]],
        head=node_of[np.asarray(head, dtype=np.int64)[idx]],
        capacity_per_h=np.asarray(cap, dtype=np.float64)[idx],
        transit_h=np.asarray(transit, dtype=np.float64)[idx],
        source=int(node_of[problem.source]),
        sink=int(node_of[problem.sink]),
    )
    return ContractedProblem(
        problem=contracted,
        node_of=node_of,
        original_node=original_node,
        contracted_arc_of=contracted_arc_of,
        member_ptr=np.asarray(ptr, dtype=np.int64),
        member_arcs=np.asarray(member_arcs, dtype=np.int64),
        member_offset_h=np.asarray(offsets, dtype=np.float64),
    )
