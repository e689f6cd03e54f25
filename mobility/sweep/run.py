"""Running a sweep: one run's draws and closure, chunks on Dask or here, and the throughput."""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from mobility import _parallel, disruption
from mobility._errors import InfeasibleError
from mobility._progress import Progress, silent
from mobility.scenario import (
    BorderDelays,
    Force,
    Scenario,
)
from mobility.sweep.plan import SweepPlan, _network, plan_sweep
from mobility.sweep.spec import BorderDelayDraws, Failures, Sweep, SweepError, Uniform
from mobility.sweep.store import MANIFEST, PARTS, _check_output_folder, done_runs, write_part

logger = logging.getLogger(__name__)

#: Largest number of local worker processes ``--workers`` accepts.
MAX_WORKERS = 256


# --- one run ----------------------------------------------------------------------------


def run_rng(seed: int, run: int) -> np.random.Generator:
    """The random generator of run ``run``: independent of every other run and of order."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(run,)))


def grid_values(plan: SweepPlan, point: int) -> tuple[float, ...]:
    """The grid values of grid point ``point`` (the last axis varies fastest)."""
    combos = itertools.product(*(axis.values for axis in plan.sweep.grid))
    return next(itertools.islice(combos, point, None)) if plan.sweep.grid else ()


def run_one(plan: SweepPlan, run: int, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """Draw run ``run`` of a sweep, solve its closure (fast mode) and return its row."""
    sweep, base = plan.sweep, plan.base
    graph = graph if graph is not None else _network(base)
    point, replicate = divmod(run, sweep.runs)
    rng = run_rng(sweep.seed, run)
    row: dict[str, Any] = {"run": run, "grid_point": point, "replicate": replicate,
                           "seed": sweep.seed}

    # Draw in a fixed order: failures, capacity ranges, border delays.
    draws = rng.random(len(plan.candidates))
    failed = sorted(ref for (ref, p), u in zip(plan.candidates, draws, strict=True) if u < p)
    factors: dict[tuple[str, str], float] = {}
    for (label, targets), entry in zip(plan.ranges, sweep.capacity_ranges, strict=True):
        value = float(rng.uniform(entry.low, entry.high))
        row[f"factor.{label}"] = value
        for target in targets:
            factors[target] = factors.get(target, 1.0) * value
    crossings = base.crossings()
    delays = dict(crossings.pairs_h)
    default_h = crossings.default_h
    if sweep.border_delays.default_h is not None:
        default_h = sweep.border_delays.default_h.draw(rng)
        row["border_h.default"] = default_h
    for pair, distribution in sorted(sweep.border_delays.pairs_h.items()):
        delays[pair] = distribution.draw(rng)
        row[f"border_h.{pair}"] = delays[pair]

    updates: dict[str, Any] = {}
    for (label, targets), axis, value in zip(plan.axes, sweep.grid, grid_values(plan, point),
                                             strict=True):
        row[f"grid.{label}"] = float(value)
        if axis.parameter == "capacity_factor":
            for target in targets:
                factors[target] = factors.get(target, 1.0) * value
        elif axis.parameter == "border_delay_h":
            if axis.pair:
                delays[axis.pair] = float(value)
            else:
                default_h = float(value)
        elif axis.parameter == "heavy_share":
            updates["force"] = Force(heavy_share=value)
        else:
            updates["road_march_hours_per_day"] = float(value)

    # A factor of 0 closes the element (a node with its edges), like a failure; a positive
    # factor scales an edge's capacity or a node's transfer capacity (mobility.disruption).
    closed = set(failed) | {ref for (_, ref), f in factors.items() if f <= 0}
    variant_graph = disruption.scaled_network(
        graph, {t: f for t, f in factors.items() if f > 0 and f != 1.0})
    updates |= {"border_delays": BorderDelays(default_h=default_h, pairs_h=delays,
                                              outside_schengen_h=crossings.outside_schengen_h)}
    variant = disruption.scale_elements(base.model_copy(update=updates),
                                        [(ref, 0.0) for ref in sorted(closed)],
                                        reason="sweep: failed")
    cut_off: list[str] = []
    if base.forces is not None:  # a force list: the fleet engine names what is cut off
        result, status = _force_run(variant_graph, variant)
    else:
        closed_nodes = {ref for ref in closed if ref in graph.nodes}
        result, status, cut_off = _origins_run(variant_graph, variant, closed_nodes)
    row["failed"] = failed
    row["cut_off"] = cut_off
    row["status"] = status
    for day in plan.report_days:
        beyond = day > base.horizon_days
        row[f"troops_day_{day}"] = (math.nan if beyond else result.troops_by_day.get(
            day, result.arrivals_by(day)) if result is not None else 0.0)
    for k, (troops, deadline) in enumerate(plan.targets, start=1):
        outcome = result.targets[k - 1] if result is not None else None
        reached = outcome.reached_day if outcome is not None else None
        row[f"target_{k}_troops"] = troops
        row[f"target_{k}_deadline_day"] = deadline
        row[f"target_{k}_reached_day"] = math.nan if reached is None else reached
        row[f"target_{k}_met"] = bool(reached is not None and reached <= deadline)
    necks = [b.name for b in result.bottlenecks] if result is not None else []
    row["top_bottleneck"] = necks[0] if necks else None
    row["bottlenecks"] = necks
    return row


def _force_run(graph: nx.MultiDiGraph, variant: Scenario):
    from mobility.engines import closure

    try:
        return closure(graph, variant, detail=False), "ok"
    except InfeasibleError:
        return None, "no formation can arrive"


def _origins_run(graph: nx.MultiDiGraph, variant: Scenario, closed_nodes: set[str]):
    """The stress case: drop the origins and destinations the failures cut off, solve the
    rest; returns (result or None, status, cut-off nodes)."""
    from mobility.engines import closure

    reachable = disruption.without_cut_off(graph, variant, closed_nodes)
    cut_off = sorted({node for _, node in reachable.cut_off})
    kept = reachable.scenario
    if not kept.origins or not kept.destinations:
        return None, "no origin left" if not kept.origins else "no destination left", cut_off
    return closure(graph, kept, detail=False), "ok", cut_off


def run_chunk(plan: SweepPlan, runs: list[int]) -> list[dict[str, Any]]:
    """Rows of the given runs (the unit of work sent to one Dask worker)."""
    graph = _network(plan.base)
    return [run_one(plan, run, graph) for run in runs]


# --- running a sweep --------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRun:
    """What :func:`run_sweep` did."""

    out_dir: Path
    total_runs: int
    computed_runs: int  # runs computed by this call
    resumed_runs: int  # runs found already done in the output folder
    elapsed_s: float
    parts: list[Path] = field(default_factory=list)
    executor: str = "in-process"  # where the runs were computed, and why (mobility._parallel)

    @property
    def runs_per_s(self) -> float:
        return self.computed_runs / self.elapsed_s if self.elapsed_s > 0 else math.nan


def run_sweep(
    sweep: Sweep | str | Path,
    out_dir: str | Path,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Progress | None = None,
    max_runs: int | None = None,
    dask: bool | None = None,
) -> SweepRun:
    """Run the missing runs of a sweep into ``out_dir`` (a Parquet dataset).

    Parameters
    ----------
    sweep
        A :class:`Sweep` or the path of a sweep YAML file.
    out_dir
        Output folder: created if absent; if it holds parts of the same sweep, only the
        missing runs are computed (resume).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); ``None`` starts a
        LocalCluster of ``workers`` processes (one thread each).
    workers
        Local worker processes at most; 0 runs everything in this process, without Dask.
        The first chunks run in this process and are timed; a LocalCluster is started for
        the rest only if it finishes sooner, its start-up included
        (:func:`mobility._parallel.cluster_pays`); ``SweepRun.executor`` says which.
    progress
        Called as ``progress("runs", done_runs, total_runs)`` after each part is written.
    max_runs
        Compute at most this many of the missing runs (a partial sweep, resumable).
    dask
        ``True``: a LocalCluster of ``workers`` processes whatever the runs cost; ``False``:
        this process; ``None`` (default): decided as above.

    Returns
    -------
    SweepRun
        The output folder, runs in the sweep, computed by this call and found done, and the
        rate (runs per second); the runs themselves are Parquet parts in ``out_dir``.
    """
    if isinstance(workers, bool) or not 0 <= workers <= MAX_WORKERS:
        msg = f"`workers` = {workers!r}: give 0 (in-process) to {MAX_WORKERS} worker processes"
        raise SweepError(msg)
    out_dir = Path(out_dir)
    plan = plan_sweep(sweep)
    _check_output_folder(out_dir, plan, must_exist=False)
    started = time.perf_counter()
    done = done_runs(out_dir)
    missing = [run for run in range(plan.total_runs) if run not in done]
    if max_runs is not None:
        missing = missing[:max_runs]
    chunks = _chunks(missing, plan.sweep.chunk_runs)
    say = progress or silent
    count = len(done & set(range(plan.total_runs)))
    say("runs", count, plan.total_runs)
    # A scheduler address is checked (connected to) before anything is written.
    client = _client(scheduler, workers) if chunks and scheduler else None
    runner = _Runner(plan, client, workers=workers, dask=dask)
    # The folder appears only once the sweep is known to be valid and runnable.
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in [*out_dir.glob(".part-*.tmp"), *(out_dir / PARTS).glob(".part-*.tmp")]:
        stale.unlink(missing_ok=True)  # left by a run that was killed mid-write
    _write_manifest(plan, out_dir)
    parts = []
    try:
        for rows in runner.results(chunks):
            parts.append(write_part(plan, rows, out_dir))
            count += len(rows)
            say("runs", count, plan.total_runs)
    finally:
        runner.close()
    elapsed = time.perf_counter() - started
    return SweepRun(out_dir, plan.total_runs, len(missing), len(done), elapsed, parts,
                    executor=runner.executor)


def _chunks(runs: list[int], size: int) -> list[list[int]]:
    """Missing runs grouped by their fixed chunk (run // size), so parts stay aligned."""
    grouped: dict[int, list[int]] = {}
    for run in runs:
        grouped.setdefault(run // size, []).append(run)
    return [grouped[key] for key in sorted(grouped)]


class _Runner:
    """Computes chunks of runs in this process or on Dask (:mod:`mobility._parallel`), and
    closes the local cluster it started."""

    def __init__(self, plan: SweepPlan, client, *, workers: int, dask: bool | None) -> None:
        self.plan, self.client, self.workers, self.dask = plan, client, workers, dask
        self.owns_client = False
        self.executor = "in-process" if client is None else "Dask scheduler"

    def results(self, chunks: list[list[int]]) -> Iterable[list[dict]]:
        left = list(chunks)
        if self.client is None and (self.workers == 0 or self.dask is False):
            yield from self._here(left)
            return
        if self.client is None and self.dask is None:
            # Time the first chunks here (their rows count), then decide for the rest.
            spent, timed = 0.0, 0
            while left and spent < _parallel.PROBE_S:
                chunk = left.pop(0)
                started = time.perf_counter()
                yield from self._here([chunk])
                spent, timed = spent + time.perf_counter() - started, timed + len(chunk)
            runs_left = sum(len(chunk) for chunk in left)
            if not _parallel.cluster_pays(spent / max(timed, 1), runs_left, self.workers):
                self.executor = (f"in-process ({1000 * spent / max(timed, 1):.0f} ms a run: a "
                                 f"cluster of {self.workers} would not pay for {runs_left} runs)")
                yield from self._here(left)
                return
        if not left:
            return
        if self.client is None:
            self.client = _client(None, self.workers)
            self.owns_client = True
            self.executor = f"Dask LocalCluster, {self.workers} worker processes"
        yield from self._on_dask(left)

    def _here(self, chunks: list[list[int]]) -> Iterable[list[dict]]:
        graph = _network(self.plan.base)
        for chunk in chunks:
            yield [run_one(self.plan, run, graph) for run in chunk]

    def _on_dask(self, chunks: list[list[int]]) -> Iterable[list[dict]]:
        from dask.distributed import as_completed

        shared = self.client.scatter(self.plan, broadcast=True)
        futures = self.client.map(run_chunk, [shared] * len(chunks), chunks, pure=False)
        for future in as_completed(futures):
            yield future.result()
            future.release()

    def close(self) -> None:
        if self.client is not None and self.owns_client:
            _parallel.close(self.client)
        elif self.client is not None:
            self.client.close()  # a user's scheduler: disconnect, leave it running
        self.client = None


_SCHEDULER = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?[A-Za-z0-9_.\[\]:-]+:\d{1,5}$")


def check_scheduler(address: str) -> str:
    """``address`` if it has the form of a Dask scheduler address (``tcp://host:8786``)."""
    if not _SCHEDULER.match(address):
        raise SweepError(f"`scheduler` = {address!r}: not a Dask scheduler address; give "
                         "e.g. tcp://10.0.0.5:8786 (protocol, host and port)")
    return address


def _client(scheduler: str | None, workers: int):
    if scheduler:
        from dask.distributed import Client

        check_scheduler(scheduler)
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError, TypeError) as error:
            msg = f"`scheduler` = {scheduler!r}: cannot connect to a Dask scheduler: {error}"
            raise SweepError(msg) from None
    return _parallel.local_client(workers)


def _write_manifest(plan: SweepPlan, out_dir: Path) -> None:
    from mobility._io import atomic_write_text

    manifest = {"name": plan.sweep.name, "fingerprint": plan.fingerprint,
                "inputs": dict(plan.inputs),
                "total_runs": plan.total_runs, "sweep_file": plan.sweep.source_file,
                "sweep": plan.sweep.model_dump(mode="json"), "columns": plan.columns()}
    path = out_dir / MANIFEST
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)


# --- throughput (for `mobility bench`) ----------------------------------------------------


def sweep_throughput(n_runs: int = 40, *, workers: int = 1, scheduler: str | None = None,
                     seed: int = 0) -> float:
    """Runs per second of a Monte Carlo sweep of the stress case ``unlimited`` (steady state).

    The exact flows-over-time closure, as the sweeps of a stress case use it. Runs ``n_runs``
    runs (5 % failure of each gauge transfer, port and border crossing,
    border delays 6-48 h) into a temporary folder on a LocalCluster of ``workers`` processes
    (0: in-process) or on ``scheduler``. Cluster start-up and the first network load on every
    worker are excluded: a warm-up chunk runs first.
    """
    sweep = Sweep(
        name="throughput", base_scenario="unlimited", runs=n_runs + 1, seed=seed, chunk_runs=1,
        failures=Failures(by_kind={"gauge_transfer": 0.05, "port": 0.05,
                                   "border_crossing": 0.05}),
        border_delays=BorderDelayDraws(default_h=Uniform(distribution="uniform", low_h=6,
                                                         high_h=48)),
    )
    plan = plan_sweep(sweep)
    chunk = max(1, math.ceil(n_runs / max(workers, 1) / 4))
    timed = _chunks(list(range(1, n_runs + 1)), chunk)
    client = _client(scheduler, workers) if (scheduler or workers) else None
    try:
        if client is None:
            run_chunk(plan, [0])
            started = time.perf_counter()
            for runs in timed:
                run_chunk(plan, runs)
            return n_runs / (time.perf_counter() - started)
        client.run(_warm, plan)  # every worker loads the network and solves one run
        shared = client.scatter(plan, broadcast=True)
        started = time.perf_counter()
        client.gather(client.map(run_chunk, [shared] * len(timed), timed, pure=False))
        return n_runs / (time.perf_counter() - started)
    finally:
        if client is not None:
            _parallel.close(client)


def _warm(plan: SweepPlan) -> None:
    run_chunk(plan, [0])
