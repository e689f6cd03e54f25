"""A sparse linear programme built from numpy triplets and solved with OR-Tools.

The fleet-constrained closure (:mod:`mobility.engines.fleet`) has a few hundred thousand
coefficients; adding them one by one through ``pywraplp`` costs more than the solve, so the
model is gathered as ``(row, column, value)`` arrays and handed to OR-Tools' model builder in
one call (``fill_model_from_sparse_data``), then solved with HiGHS or GLOP.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import scipy.sparse as sparse
from ortools.linear_solver.python import model_builder_helper as mbh

from mobility._errors import MobilityError
from mobility.flows import FlowSolverError

#: Solvers of OR-Tools' model builder used for this model, tried in this order. HiGHS (the
#: default) was 2-10 times faster than GLOP on the shipped scenarios but now and then stops
#: without an answer (NOT_SOLVED), where GLOP then solves it; PDLP and HiGHS's IPM did not
#: finish reliably. Dual values are taken from GLOP only: through this interface HiGHS
#: returns row activities in their place (checked on a 2 x 2 case).
SOLVERS = ("highs", "glop")


_HIGHS = "output_flag=false\nsimplex_scale_strategy=4"
#: (solver, options, label) each solver is run with, in order. HiGHS with equilibration
#: scaling: 2-10 times faster on the closure LPs than the default; its primal simplex where
#: the dual simplex stops short (NOT_SOLVED): the sustainment LP of baseline-sustained solves
#: so in 6 s where the dual simplex fails (OR-Tools 9.15).
_RUNS = {"highs": (("highs", _HIGHS, "highs"),
                   ("highs", _HIGHS + "\nsimplex_strategy=4", "highs (primal simplex)")),
         "glop": (("glop", "", "glop"),)}


#: The objective is scaled so that its largest coefficient is this (the optimum and duals
#: are scaled back). HiGHS's dual simplex on the plans, whose coefficients in troop-days
#: reach 7e7: baseline 4.9 s -> 3.0 s, rail-baltica-2030 8.6 -> 4.9 s, baseline-sustained
#: 126 -> 24 s; at 1 the sustained plan took 49 s and the optimum moved in the 8th digit
#: (the solver's tolerances are absolute).
OBJECTIVE_MAX = 10.0


#: Peak memory of a closure LP solve: about this many bytes a coefficient above the
#: process's own (measured: baseline 0.68 M coefficients, peak 374 MB; rail-baltica-2030
#: 1.21 M, 495 MB; so about 226 B a coefficient over a 221 MB start), doubled for safety.
BYTES_PER_COEFFICIENT = 450
#: Environment variable: a limit in MB below the memory available (for a shared machine).
MEMORY_LIMIT_ENV = "MOBILITY_MEMORY_LIMIT_MB"


def memory_budget_bytes() -> int:
    """The memory an LP may use: what the machine has available now, or less where
    ``MOBILITY_MEMORY_LIMIT_MB`` says so."""
    import psutil

    available = int(psutil.virtual_memory().available)
    limit = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if not limit:
        return available
    try:
        megabytes = float(limit)
    except ValueError:
        megabytes = math.nan
    if not megabytes > 0:
        raise MobilityError(f"environment variable {MEMORY_LIMIT_ENV} = {limit!r}; valid: "
                            "megabytes above 0")
    return min(available, int(megabytes * 2**20))


def check_memory(n_cols: int, n_rows: int, n_nonzeros: int) -> None:
    """Refuse, before solving, an LP that would not fit in :func:`memory_budget_bytes`."""
    need = n_nonzeros * BYTES_PER_COEFFICIENT
    budget = memory_budget_bytes()
    if need > budget:
        raise MobilityError(
            f"closure LP of {n_cols:,} columns, {n_rows:,} rows and {n_nonzeros:,} "
            f"coefficients would need about {need / 2**30:.1f} GB; {budget / 2**30:.1f} GB "
            f"available (or allowed by {MEMORY_LIMIT_ENV}): shorten the horizon or contract "
            "the network (merging an OSM import drops its unused parts)")


def _attempts(solver: str, primal_first: bool = False) -> list[tuple[str, str, str]]:
    """The runs tried: the solver asked for (``primal_first``: HiGHS's primal simplex before
    its dual), then the others."""
    first = _RUNS[solver][::-1] if primal_first and solver == "highs" else _RUNS[solver]
    return [*first, *(run for s in SOLVERS if s != solver for run in _RUNS[s])]


@dataclass
class SparseLP:
    """Columns with bounds and objective; rows gathered as triplets (maximisation)."""

    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    objective: list[np.ndarray] = field(default_factory=list)
    n_cols: int = 0
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    row_lower: list[np.ndarray] = field(default_factory=list)
    row_upper: list[np.ndarray] = field(default_factory=list)
    n_rows: int = 0

    def add_columns(self, n: int, *, lower: float = 0.0, upper: float | np.ndarray = np.inf,
                    objective: float | np.ndarray = 0.0) -> np.ndarray:
        """Add ``n`` columns; returns their indices."""
        first = self.n_cols
        self.n_cols += n
        self.lower.append(np.full(n, lower, dtype=float))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        self.objective.append(np.broadcast_to(np.asarray(objective, dtype=float), (n,)).copy())
        return np.arange(first, first + n)

    def add_rows(self, n: int, *, lower: float | np.ndarray = -np.inf,
                 upper: float | np.ndarray = np.inf) -> np.ndarray:
        first = self.n_rows
        self.n_rows += n
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        return np.arange(first, first + n)

    def add_terms(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray | float) -> None:
        """Coefficients ``vals`` at (``rows``, ``cols``), broadcast (a scalar fills them all);
        near-zero ones are dropped."""
        rows, cols, vals = np.broadcast_arrays(np.asarray(rows), np.asarray(cols),
                                               np.asarray(vals, dtype=float))
        keep = np.abs(vals) > 1e-9
        self.rows.append(rows[keep].astype(np.int64))
        self.cols.append(cols[keep].astype(np.int64))
        self.vals.append(vals[keep])

    def matrix(self) -> sparse.csr_matrix:
        rows = np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(self.cols) if self.cols else np.zeros(0, dtype=np.int64)
        vals = np.concatenate(self.vals) if self.vals else np.zeros(0)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))

    def solve(self, solver: str = "highs", *, primal_first: bool = False) -> LPSolution:
        """Solve (maximise); if ``solver`` fails numerically, the other one is tried.
        ``primal_first``: start HiGHS with its primal simplex (where only the optimum's
        value is read, not which of several optimal plans was found)."""
        if solver not in SOLVERS:
            raise ValueError(f"unknown LP solver {solver!r}; valid: {', '.join(SOLVERS)}")
        started = time.perf_counter()
        check_memory(self.n_cols, self.n_rows, sum(len(v) for v in self.vals))
        matrix = self.matrix()
        lower, upper, objective, row_lower, row_upper = (
            np.concatenate(part) if part else np.zeros(0)
            for part in (self.lower, self.upper, self.objective, self.row_lower,
                         self.row_upper))
        largest = float(np.abs(objective).max()) if len(objective) else 0.0
        scale = OBJECTIVE_MAX / largest if largest > 0 else 1.0
        statuses = []
        for name, options, label in _attempts(solver, primal_first):
            model = mbh.ModelBuilderHelper()
            # Any: OR-Tools' stub reads ndarray[float64, …] where it means float64 arrays
            model.fill_model_from_sparse_data(cast(Any, lower), cast(Any, upper),
                                              cast(Any, objective * scale),
                                              cast(Any, row_lower),
                                              cast(Any, row_upper), matrix)
            model.set_maximize(True)
            helper = mbh.ModelSolverHelper(name)
            if options:
                helper.set_solver_specific_parameters(options)
            helper.solve(model)
            status = helper.status()
            statuses.append(f"{label} {status.name}")
            if status == mbh.SolveStatus.OPTIMAL:
                break
        else:
            raise FlowSolverError(f"closure LP: {'; '.join(statuses)} "
                                  f"({self.n_cols:,} columns, {self.n_rows:,} rows)")
        values = np.asarray(helper.variable_values())
        duals = np.asarray(helper.dual_values()) / scale if name == "glop" else None
        return LPSolution(values, matrix @ values, float(helper.objective_value()) / scale,
                          duals,
                          time.perf_counter() - started, self.n_cols, self.n_rows, matrix.nnz,
                          name, matrix)


@dataclass(frozen=True)
class LPSolution:
    values: np.ndarray
    activity: np.ndarray  # row activities
    objective: float
    duals: np.ndarray | None
    wall_time_s: float
    n_cols: int
    n_rows: int
    n_nonzeros: int
    solver: str
    matrix: sparse.csr_matrix

    def activity_of(self, cols: np.ndarray) -> np.ndarray:
        """Row activities of the given columns alone."""
        return self.matrix[:, cols] @ self.values[cols]
