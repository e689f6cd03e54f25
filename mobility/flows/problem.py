"""The single-commodity flow-over-time problem shared by every solver in `mobility.flows`.

A `FlowProblem` is a directed network with one super source and one super sink; every arc has
a capacity in flow units (troops) per hour and a transit time in hours. Builders elsewhere in
the project turn the geographic network and a scenario into one; the solvers only read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FlowProblem"]


@dataclass(frozen=True, eq=False)
class FlowProblem:
    """A single-commodity network with one super source and one super sink.

    Parameters
    ----------
    n_nodes
        Number of nodes; nodes are ``0 .. n_nodes - 1``.
    tail, head
        int64 arrays of equal length: arc ``e`` runs from ``tail[e]`` to ``head[e]``.
    capacity_per_h
        float64 > 0, flow units (troops) per hour that may enter the arc; large but finite.
    transit_h
        float64 >= 0, hours to traverse the arc (flow entering at time t leaves at
        t + transit_h).
    source, sink
        The super source and the super sink (distinct nodes).

    Raises
    ------
    ValueError
        If shapes, dtypes or ranges are invalid; the message names the field and the bad value.
    """

    n_nodes: int
    tail: np.ndarray
    head: np.ndarray
    capacity_per_h: np.ndarray
    transit_h: np.ndarray
    source: int
    sink: int

    def __post_init__(self) -> None:
        if isinstance(self.n_nodes, bool) or not isinstance(self.n_nodes, int | np.integer):
            msg = f"FlowProblem.n_nodes must be an int, got {self.n_nodes!r}"
            raise ValueError(msg)
        if self.n_nodes < 2:
            msg = f"FlowProblem.n_nodes must be >= 2 (a source and a sink), got {self.n_nodes}"
            raise ValueError(msg)
        arrays = {}
        for name, dtype in (
            ("tail", np.int64),
            ("head", np.int64),
            ("capacity_per_h", np.float64),
            ("transit_h", np.float64),
        ):
            raw = np.asarray(getattr(self, name))
            if raw.ndim != 1:
                msg = f"FlowProblem.{name} must be one-dimensional, got shape {raw.shape}"
                raise ValueError(msg)
            if dtype is np.int64 and raw.size and not np.issubdtype(raw.dtype, np.integer):
                msg = f"FlowProblem.{name} must hold integers, got dtype {raw.dtype}"
                raise ValueError(msg)
            arr = np.array(raw, dtype=dtype)  # a private copy: later edits by the caller are inert
            arr.flags.writeable = False
            arrays[name] = arr
            object.__setattr__(self, name, arr)
        n_arcs = arrays["tail"].shape[0]
        for name, arr in arrays.items():
            if arr.shape[0] != n_arcs:
                msg = (
                    f"FlowProblem.{name} has {arr.shape[0]} entries but tail has {n_arcs}; "
                    "all arc arrays must have one entry per arc"
                )
                raise ValueError(msg)
        for name in ("tail", "head"):
            arr = arrays[name]
            bad = np.flatnonzero((arr < 0) | (arr >= self.n_nodes))
            if bad.size:
                msg = (
                    f"FlowProblem.{name}[{bad[0]}] = {arr[bad[0]]} is not a node "
                    f"(valid: 0 .. {self.n_nodes - 1})"
                )
                raise ValueError(msg)
        cap = arrays["capacity_per_h"]
        bad = np.flatnonzero(~(np.isfinite(cap) & (cap > 0)))
        if bad.size:
            msg = (
                f"FlowProblem.capacity_per_h[{bad[0]}] = {cap[bad[0]]} is invalid "
                "(must be finite and > 0; drop closed arcs instead)"
            )
            raise ValueError(msg)
        tr = arrays["transit_h"]
        bad = np.flatnonzero(~(np.isfinite(tr) & (tr >= 0)))
        if bad.size:
            msg = (
                f"FlowProblem.transit_h[{bad[0]}] = {tr[bad[0]]} is invalid (must be finite, >= 0)"
            )
            raise ValueError(msg)
        for name in ("source", "sink"):
            node = getattr(self, name)
            if isinstance(node, bool) or not isinstance(node, int | np.integer):
                msg = f"FlowProblem.{name} must be an int node id, got {node!r}"
                raise ValueError(msg)
            if not 0 <= node < self.n_nodes:
                msg = f"FlowProblem.{name} = {node} is not a node (valid: 0 .. {self.n_nodes - 1})"
                raise ValueError(msg)
            object.__setattr__(self, name, int(node))
        object.__setattr__(self, "n_nodes", int(self.n_nodes))
        if self.source == self.sink:
            msg = f"FlowProblem.source and sink must differ, both are {self.source}"
            raise ValueError(msg)

    @property
    def n_arcs(self) -> int:
        """Number of arcs."""
        return int(self.tail.shape[0])

    def source_arcs(self) -> np.ndarray:
        """Indices of the arcs leaving the source, in increasing order."""
        return np.flatnonzero(self.tail == self.source)


# Integer scaling shared by the OR-Tools based solvers. OR-Tools graph algorithms take int64
# capacities; flows are computed in units of 1/scale flow units and divided back. Capacities are
# rounded *down* (floor), so every flow handed back is feasible for the true capacities; the
# relative loss on an arc is below 1 / (capacity * scale).

_INT_BUDGET_STATIC = 2.0**56  # bound on the scaled total source capacity for static max flow


def _pow2_scale(largest: float, budget: float) -> float:
    """Largest power of two ``s`` with ``largest * s <= budget`` (1.0 if ``largest`` is 0)."""
    if not largest > 0:
        return 1.0
    return float(2.0 ** np.floor(np.log2(budget / largest)))


def _scaled_capacities(capacity: np.ndarray, clip: float, scale: float) -> np.ndarray:
    """``floor(min(capacity, clip) * scale)`` as int64."""
    return np.floor(np.minimum(capacity, clip) * scale).astype(np.int64)
