"""``mobility bench``: the exact flow-over-time method against the naive time-expanded baseline.

Every measurement runs in a fresh process (``multiprocessing`` spawn context) so that its peak
resident memory (``ru_maxrss`` of that process, imports and problem included) belongs to one
method only, a blow-up or an out-of-memory kill cannot take the bench down, and a timeout can
stop it. Networks:

* ``curated``: the shipped network with the stress case ``unlimited`` (origins dispatching a
  rate for ever: a flow problem), transit times rounded *up* to whole hours for both methods,
  so that the hourly time-expanded network represents the same problem and both must give
  the same troops by day (Fleischer & Tardos 1998). The
  closure's own curve (one-minute resolution, unrounded) is timed as well.
* ``synthetic-N``: `mobility.synthetic.synthetic_problem` with ``N`` arcs and integer-hour
  transit times (the same agreement holds).

Beside them: a route query, the closure, sweep throughput, and the OSM import of a synthetic
PBF laid along the whole curated network merged with it (``osm_step_km``; not real OSM data):
its time and peak memory, and the match and coverage counts.

The exact method computes the whole earliest-arrival curve up to the horizon in one call; the
baseline (`mobility.flows.time_expanded_max_flow`, OR-Tools ``SimpleMaxFlow`` on one node
copy per hour) answers one horizon per solve. Answers are compared at a few horizons; the
ratio is the baseline's time for the longest horizon it ran over the exact time for the whole
curve. A baseline whose estimated memory (`mobility.flows.time_expanded_size`) exceeds the
available memory (``MemAvailable`` in ``/proc/meminfo``) is reported as not fitting instead of
being run; one above the memory budget is skipped.
"""

from __future__ import annotations

import inspect
import math
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mobility._progress import Progress, silent
from mobility.settings import REPORT_DAYS

__all__ = ["BenchConfig", "available_memory_bytes", "run_bench"]


_ROUTE_FROM, _ROUTE_TO = "Bergen-Hohne", "Tapa"
_REL_TOL = 1e-6  # both methods scale capacities to integers; agreement is to ~1e-12 in practice
_GB = 1e9


@dataclass(frozen=True)
class BenchConfig:
    """What `run_bench` measures.

    Attributes
    ----------
    sizes
        Arc counts of the synthetic networks.
    check_sizes
        Arc counts of small synthetic networks added so that the baseline runs on a
        synthetic network too (the larger ones are beyond its memory): the equal-answers
        check is made on every network where the baseline runs.
    horizon_days
        Horizon of the exact curve, days.
    check_days
        Horizons (days) at which the exact curve is compared with the baseline; the baseline
        is solved once per horizon, the longest one gives the ratio.
    timeout_s
        Limit per measurement (one process); a measurement over it is stopped and reported.
    baseline_budget_gb
        The baseline is only run when its estimated memory is below this.
    closure_repeat, route_repeat
        Repetitions of the closure run (median reported) and of the warm route query.
    closure_detail
        Also time the fleet closure with its bound and marginal re-solves (the slowest
        closure timing; off in ``--quick``).
    sweep_workers, sweep_runs
        Worker counts (0: in this process) and runs per measurement of
        `mobility.sweep.sweep_throughput`; the scaling is the ratio of their throughputs.
        A LocalCluster's start-up and per-task overhead are measured beside them.
    seed
        Seed of the synthetic networks.
    curated, other_timings
        Include the curated network; include the route, closure and sweep timings.
    parametric_max_arcs
        The slower ``parametric`` exact method is timed only up to this many arcs (it takes
        about two minutes at 100,000).
    osm_step_km
        Node spacing of the synthetic OSM extract laid along the whole curated network
        (:mod:`mobility.osm.along`) whose import and merge are timed; smaller is larger.
    mesh_spacing_km
        Spacing of the synthetic road mesh laid over Lithuania
        (:func:`mobility.synthetic.country_mesh`) on which the fleet closure is timed at
        country scale (the baseline, and Suwałki cut from day 12: a capacity change after
        day 0); None: not timed (``--quick``).
    """

    sizes: tuple[int, ...] = (50_000, 100_000)
    check_sizes: tuple[int, ...] = (2_000,)
    horizon_days: float = 180.0
    check_days: tuple[float, ...] = (7.0, 30.0, 180.0)
    timeout_s: float = 300.0
    baseline_budget_gb: float = 2.0
    closure_repeat: int = 3
    closure_detail: bool = True
    route_repeat: int = 50
    seed: int = 0
    sweep_workers: tuple[int, ...] = (0, 1, 2)
    sweep_runs: int = 1_000
    curated: bool = True
    other_timings: bool = True
    parametric_max_arcs: int = 50_000
    osm_step_km: float = 0.5
    mesh_spacing_km: float | None = 1.2
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def quick(cls) -> BenchConfig:
        """One 10k-arc synthetic network (exact methods only) and a 500-arc one for the
        equal-answers check, the baseline only up to 30 days, each closure timed once and
        without the fleet engine's re-solves. It took 78 s on the idle 2-core development
        machine (4 Dec 2026; 55 s before the closure LP had 8 routes a destination), longer
        while other work keeps it busy; the fleet closure (21 s) and a cluster's start-up are
        most of it."""
        return cls(
            sizes=(10_000,),
            check_sizes=(500,),
            check_days=(7.0, 30.0),
            timeout_s=60.0,
            baseline_budget_gb=0.25,
            closure_repeat=1,
            closure_detail=False,
            sweep_workers=(0, 2),
            sweep_runs=40,
            route_repeat=20,
            parametric_max_arcs=2_000,
            osm_step_km=3.0,
            mesh_spacing_km=None,
            notes=("quick run: the baseline is solved up to 30 days only (the 180-day hourly "
                   "network of the curated problem takes about two minutes); the fleet "
                   "closure with its bound and marginal re-solves and the country-scale "
                   "closure are not timed; the parametric exact method only up to 2,000 "
                   "arcs",),
        )


def available_memory_bytes() -> int | None:
    """``MemAvailable`` from ``/proc/meminfo`` in bytes (None where there is no such file)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


# --------------------------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _problem(spec: dict):
    import numpy as np

    from mobility.flows import FlowProblem

    if spec["kind"] == "curated":
        from mobility.engines import build_model
        from mobility.network import load_network
        from mobility.scenario import load_scenario

        # The stress case: a flow problem (origins and destinations) on the curated network;
        # the baseline scenario is a force list, which only the fleet LP solves.
        problem = build_model(load_network(), load_scenario("unlimited")).problem
        if spec.get("round_up_h"):
            problem = FlowProblem(
                n_nodes=problem.n_nodes,
                tail=problem.tail,
                head=problem.head,
                capacity_per_h=problem.capacity_per_h,
                transit_h=np.ceil(problem.transit_h * (1 - 1e-12) - 1e-9).clip(min=0),
                source=problem.source,
                sink=problem.sink,
            )
        return problem
    from mobility.synthetic import synthetic_problem

    return synthetic_problem(spec["n_arcs"], seed=spec["seed"], integer_transit=True)


def _timed_median(call: Callable[[], Any], *, budget_s: float = 1.0, most: int = 5):
    """Run ``call`` until ``budget_s`` is spent (at most ``most`` times); median seconds."""
    times: list[float] = []
    result: Any = None
    while len(times) < most and (not times or sum(times) < budget_s):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(times), result


def _task_exact(task: dict) -> dict:
    import numpy as np

    from mobility.flows import earliest_arrival_curve, max_flow_over_time

    problem = _problem(task["problem"])
    rss_before = _peak_rss_mb()
    horizon_h = task["horizon_days"] * 24
    kwargs = {"time_resolution_h": task["resolution_h"]}
    if task.get("method"):
        kwargs["method"] = task["method"]
    seconds, runs, curve = _timed_median(
        lambda: earliest_arrival_curve(problem, horizon_h, **kwargs)
    )
    single_s, _, _ = _timed_median(
        lambda: max_flow_over_time(problem, horizon_h, time_resolution_h=task["resolution_h"])
    )
    check_h = np.asarray(task["check_days"], dtype=float) * 24
    return {
        "seconds": seconds,
        "runs": runs,
        "pieces": int(curve.breakpoints_h.shape[0]),
        "arrivals": [float(x) for x in curve.arrivals(check_h)],
        "single_horizon_seconds": single_s,
        "n_arcs": problem.n_arcs,
        "n_nodes": problem.n_nodes,
        "rss_before_mb": rss_before,
    }


def _task_baseline(task: dict) -> dict:
    from mobility.flows import time_expanded_max_flow

    problem = _problem(task["problem"])
    rss_before = _peak_rss_mb()
    values, seconds = [], []
    for days in task["check_days"]:
        start = time.perf_counter()
        values.append(float(time_expanded_max_flow(problem, days * 24, 1.0)))
        seconds.append(time.perf_counter() - start)
    return {"arrivals": values, "seconds_by_horizon": seconds, "rss_before_mb": rss_before}


def _task_route(task: dict) -> dict:
    from mobility.network import load_network
    from mobility.routing import route_timing

    graph = load_network()
    timing = route_timing(graph, _ROUTE_FROM, _ROUTE_TO, repeat=task["repeat"])
    return {key: float(value) for key, value in timing.items()}


def _task_closure(task: dict) -> dict:
    """The fleet-constrained closure of the baseline (without and with its bound and
    marginal re-solves), and the stress case solved by both methods side by side."""
    from functools import partial

    from mobility.engines import closure

    out = {}
    runs: tuple[tuple[str, str, str, bool], ...] = (
        ("detail", "baseline", "fleet", True), ("no_detail", "baseline", "fleet", False),
        ("stress_exact", "unlimited", "exact", False),
        ("stress_fleet", "unlimited", "fleet", False))
    if not task.get("detail", True):
        runs = runs[1:]
    answers = {}
    for key, scenario, method, detail in runs:
        seconds, n, result = _timed_median(
            partial(closure, None, scenario, method=method, detail=detail),
            budget_s=0.0 if task["repeat"] <= 1 else 5.0,
            most=task["repeat"],
        )
        out[key] = {"seconds": seconds, "runs": n}
        answers[key] = result
    exact, fleet = answers["stress_exact"], answers["stress_fleet"]
    out["stress_agreement"] = {str(d): fleet.arrivals_by(d) / exact.arrivals_by(d)
                               for d in REPORT_DAYS}
    return out


def _task_osm_import(task: dict) -> dict:
    """Import (with ``secondary``) and merge (`merged_network_from_osm`) a synthetic PBF laid
    along every undated road and rail edge of the curated network, and write the result."""
    import tempfile
    from pathlib import Path

    import osmium

    from mobility.network import read_network_tables
    from mobility.osm.along import to_pbf, write_extract_along
    from mobility.osm_import import merged_network_from_osm, write_network

    tables = read_network_tables(None)
    ids = sorted(e.id for e in tables.edges.values()
                 if e.mode in ("road", "rail") and e.phase is None)
    with tempfile.TemporaryDirectory(prefix="mobility-bench-osm-") as scratch:
        xml = write_extract_along(None, ids, Path(scratch) / "along.osm",
                                  step_km=task["step_km"])
        pbf = to_pbf(xml, Path(scratch) / "along.osm.pbf")
        start = time.perf_counter()
        merged = merged_network_from_osm(pbf, secondary=True)
        merge_s = time.perf_counter() - start
        start = time.perf_counter()
        write_network(merged.nodes, merged.edges, Path(scratch) / "merged.gpkg",
                      phases=merged.phases, frictions=merged.frictions)
        write_s = time.perf_counter() - start
        statuses = [m.status for m in merged.matches]
        return {"pbf_mb": pbf.stat().st_size / 1e6, "xml_mb": xml.stat().st_size / 1e6,
                "osm_nodes": sum(1 for _ in osmium.FileProcessor(str(pbf), osmium.osm.NODE)),
                "seconds": merge_s, "write_seconds": write_s,
                "nodes": len(merged.nodes), "edges": len(merged.edges),
                "matched": statuses.count("matched") + statuses.count("placed"),
                "partial": statuses.count("partial"), "missed": statuses.count("missed"),
                "replaced": sum(c.replaced for c in merged.coverage),
                "curated_edges": len(merged.coverage)}


def _task_mesh_closure(task: dict) -> dict:
    """The fleet closure (with its bound and marginal re-solves) of the baseline and of the
    baseline with the Suwałki corridor cut from day 12, on the curated network with a
    synthetic road mesh over Lithuania (:func:`mobility.synthetic.country_mesh`)."""
    from mobility.engines import closure
    from mobility.network import graph_from_tables, read_network_tables
    from mobility.scenario import CapacityChange, load_scenario
    from mobility.synthetic import country_mesh

    start = time.perf_counter()
    graph = graph_from_tables(country_mesh(read_network_tables(None), "LT",
                                           spacing_km=task["spacing_km"]))
    out: dict[str, Any] = {"build_seconds": time.perf_counter() - start,
                           "nodes": graph.number_of_nodes(), "arcs": graph.number_of_edges()}
    baseline = load_scenario("baseline")
    cut = baseline.model_copy(update={"capacity_changes": (CapacityChange(
        corridor="suwalki", from_day=12, factor=0, reason="bench: a change after day 0"),)})
    for key, scenario in (("baseline", baseline), ("suwalki_cut_day_12", cut)):
        start = time.perf_counter()
        result = closure(graph, scenario, detail=task.get("detail", True))
        out[key] = {"seconds": time.perf_counter() - start,
                    "troops_by_day": {str(d): v for d, v in result.troops_by_day.items()}}
    return out


def _task_sweep(task: dict) -> dict:
    from mobility import sweep

    return {"runs_per_s": float(sweep.sweep_throughput(task["n_runs"], workers=task["workers"]))}


def _task_dask_overhead(task: dict) -> dict:
    """What a LocalCluster costs before and around the work: start-up, the workers' imports
    and network load, and the scheduling of small tasks."""
    from mobility import _parallel

    started = time.perf_counter()
    client = _parallel.local_client(task["workers"])
    try:
        up = time.perf_counter()
        client.run(_load_solvers)
        ready = time.perf_counter()
        n = task["n_tasks"]
        client.gather(client.map(_nothing, range(n), pure=False))
        done = time.perf_counter()
    finally:
        _parallel.close(client)
    return {"cluster_up_s": up - started, "workers_ready_s": ready - started,
            "ms_per_task": 1000 * (done - ready) / n, "close_s": time.perf_counter() - done}


def _load_solvers() -> None:
    """On a worker: import the solvers and load the stress case's network, as a sweep does."""
    from mobility.engines import network_for
    from mobility.scenario import load_scenario

    network_for(load_scenario("unlimited"))


def _nothing(x: int) -> int:
    return x


_TASKS = {
    "exact": _task_exact,
    "baseline": _task_baseline,
    "route": _task_route,
    "closure": _task_closure,
    "sweep": _task_sweep,
    "dask_overhead": _task_dask_overhead,
    "osm_import": _task_osm_import,
    "mesh_closure": _task_mesh_closure,
}


def _child_main(task: dict, conn) -> None:
    import signal

    # Ctrl-C reaches the whole process group: the bench itself stops (and kills this child)
    # and says so in one line, instead of every child printing a KeyboardInterrupt trace.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A process boundary: whatever goes wrong is reported, never raised into the bench.
    try:
        result = _TASKS[task["task"]](task)
        result["status"] = "ok"
    except Exception as error:
        result = {"status": "failed", "error": f"{type(error).__name__}: {error}"}
    result["peak_rss_mb"] = _peak_rss_mb()
    conn.send(result)
    conn.close()


def _start_ignoring_ctrl_c(proc) -> None:
    """Start ``proc`` with SIGINT ignored from its first instruction.

    An ignored signal stays ignored across exec, and Python keeps it so at start-up; setting
    it in the child itself (as ``_child_main`` also does) would leave the seconds of a spawned
    interpreter's start-up, where a Ctrl-C prints a KeyboardInterrupt trace of the child.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        proc.start()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_child(task: dict, timeout_s: float) -> dict:
    """Run one task in a fresh spawned process; status ok / failed / timeout / killed."""
    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    # Not a daemon: a measured sweep starts worker processes of its own.
    proc = ctx.Process(target=_child_main, args=(task, send))
    start = time.perf_counter()
    _start_ignoring_ctrl_c(proc)
    send.close()
    result: dict
    try:
        answered = receive.poll(timeout_s)
    except BaseException:  # Ctrl-C while waiting: the child ignores it, so stop it here
        proc.kill()
        proc.join()
        raise
    if answered:
        try:
            result = receive.recv()
        except EOFError:  # died without answering: killed (out of memory?) or crashed
            proc.join(5)
            result = {"status": "killed", "error": f"process exited with {proc.exitcode}"}
    else:
        result = {"status": "timeout", "error": f"stopped after {timeout_s:g} s"}
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    receive.close()
    result["wall_s"] = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------------------------
# The bench
# --------------------------------------------------------------------------------------------


def _exact_methods() -> list[str | None]:
    """Exact methods to compare: ``[None]`` (the default) or every ``method=`` option."""
    from mobility.flows import earliest_arrival as ea

    if "method" not in inspect.signature(ea.earliest_arrival_curve).parameters:
        return [None]
    return list(getattr(ea, "EXACT_METHODS", (None,)))


def _compare(exact: list[float], baseline: list[float]) -> tuple[bool, float]:
    worst = 0.0
    for a, b in zip(exact, baseline, strict=True):
        worst = max(worst, abs(a - b) / max(abs(a), abs(b), 1.0))
    return worst <= _REL_TOL, worst


def _baseline_plan(spec: dict, config: BenchConfig, available: int | None) -> dict:
    """Estimate the longest baseline solve and decide whether to run it."""
    from mobility.flows import time_expanded_size

    problem = _problem(spec)
    size = time_expanded_size(problem, max(config.check_days) * 24, 1.0)
    full = time_expanded_size(problem, config.horizon_days * 24, 1.0)
    est_gb = size.approx_bytes / _GB
    plan: dict[str, Any] = {
        "expanded_arcs": size.n_arcs,
        "expanded_nodes": size.n_nodes,
        "est_gb": est_gb,
        "full_horizon_est_gb": full.approx_bytes / _GB,
        "full_horizon_expanded_arcs": full.n_arcs,
        "available_gb": None if available is None else available / _GB,
        "run": True,
    }
    if available is not None and size.approx_bytes > available:
        plan["run"] = False
        plan["status"] = "does not fit"
        plan["why"] = f"does not fit (est. {est_gb:.1f} GB > available {available / _GB:.1f} GB)"
        plan["short"] = f"does not fit: est. {est_gb:.1f} GB > {available / _GB:.1f} GB free"
    elif est_gb > config.baseline_budget_gb:
        plan["run"] = False
        plan["status"] = "not run"
        plan["why"] = (f"not run (est. {est_gb:.1f} GB > budget {config.baseline_budget_gb:g} GB; "
                       "raise the baseline budget)")
        plan["short"] = f"not run: est. {est_gb:.1f} GB > budget {config.baseline_budget_gb:g} GB"
    return plan


def _network_entry(
    name: str, spec: dict, config: BenchConfig, available: int | None, say: Progress,
    *, minute_curve: bool = False,
) -> dict:
    entry: dict[str, Any] = {"name": name, "problem": spec, "exact": {}}
    for method in _exact_methods():
        label = method or "default"
        if method == "parametric" and spec.get("n_arcs", 0) > config.parametric_max_arcs:
            entry["exact"][label] = {"status": "not run", "error": (
                f"> {config.parametric_max_arcs:,} arcs (BenchConfig.parametric_max_arcs)")}
            continue
        say(f"{name}: exact curve ({label}), {config.horizon_days:g} days")
        entry["exact"][label] = _run_child({
            "task": "exact", "problem": spec, "horizon_days": config.horizon_days,
            "check_days": list(config.check_days), "resolution_h": 1.0, "method": method,
        }, config.timeout_s)
    if minute_curve:
        say(f"{name}: exact curve at the closure's one-minute resolution, unrounded transit")
        entry["exact_closure_resolution"] = _run_child({
            "task": "exact", "problem": {**spec, "round_up_h": False},
            "horizon_days": config.horizon_days, "check_days": list(config.check_days),
            "resolution_h": 1 / 60, "method": None,
        }, config.timeout_s)
    ok = [r for r in entry["exact"].values() if r["status"] == "ok"]
    if ok:
        entry["n_arcs"], entry["n_nodes"] = ok[0]["n_arcs"], ok[0]["n_nodes"]
        best = min(ok, key=lambda r: r["seconds"])
        entry["exact_best_s"] = best["seconds"]
        if len(ok) > 1:
            same, worst = _compare(ok[0]["arrivals"], ok[1]["arrivals"])
            entry["methods_agree"], entry["methods_max_rel_diff"] = same, worst
    plan = _baseline_plan(spec, config, available)
    entry["baseline"] = plan
    if plan["run"]:
        say(f"{name}: hourly time-expanded baseline (OR-Tools max flow) at "
            f"{', '.join(f'{d:g}' for d in config.check_days)} days")
        result = _run_child({"task": "baseline", "problem": spec,
                             "check_days": list(config.check_days)}, config.timeout_s)
        plan.update(result)
        if result["status"] == "ok":
            plan["seconds"] = result["seconds_by_horizon"][-1]
            if ok:
                same, worst = _compare(best["arrivals"], result["arrivals"])
                entry["same_answer"], entry["max_rel_diff"] = same, worst
                entry["ratio"] = plan["seconds"] / best["seconds"]
    return entry


def run_bench(config: BenchConfig | None = None, *, progress: Progress | None = None) -> dict:
    """Run every measurement and return one JSON-ready dict (see ``mobility bench --json``).

    Keys: ``config``, ``machine``, ``networks`` (one entry per network: ``exact`` per method
    with ``seconds``, ``pieces``, ``arrivals`` at ``config.check_days``, ``peak_rss_mb``;
    ``baseline`` with the estimate and, when run, ``seconds``, ``arrivals``, ``peak_rss_mb``;
    ``same_answer``, ``max_rel_diff``, ``ratio``), ``route``, ``closure``, ``sweep``, ``notes``.
    """
    config = config or BenchConfig()
    say = progress or silent
    available = available_memory_bytes()
    from importlib.metadata import version

    result: dict[str, Any] = {
        "config": {
            "sizes": list(config.sizes), "check_sizes": list(config.check_sizes),
            "horizon_days": config.horizon_days,
            "check_days": list(config.check_days), "timeout_s": config.timeout_s,
            "baseline_budget_gb": config.baseline_budget_gb, "seed": config.seed,
        },
        "machine": {
            "cpus": os.cpu_count(), "available_memory_gb": None if available is None
            else available / _GB, "python": platform.python_version(),
            "ortools": version("ortools"), "numpy": version("numpy"),
        },
        "networks": [],
        "notes": [
            "exact: the whole earliest-arrival curve up to the horizon in one call "
            "(earliest_arrival_curve); baseline: one OR-Tools max flow on the hourly "
            "time-expanded network per horizon; 'same answer' compares troops arrived at the "
            "check horizons; ratio = baseline time at the longest check horizon / exact time "
            "for the whole curve",
            "curated: transit times rounded up to whole hours in both methods; synthetic: "
            "integer-hour transit times; so both methods solve the same problem",
            "peak RSS is the whole measuring process (Python, OR-Tools, the problem included)",
            *config.notes,
        ],
    }
    if config.curated:
        result["networks"].append(_network_entry(
            "curated", {"kind": "curated", "round_up_h": True}, config, available, say,
            minute_curve=True,
        ))
    for n_arcs in sorted({*config.check_sizes, *config.sizes}):
        spec = {"kind": "synthetic", "n_arcs": int(n_arcs), "seed": config.seed}
        result["networks"].append(
            _network_entry(f"synthetic-{n_arcs}", spec, config, available, say)
        )
    if not config.other_timings:
        return result
    say(f"route query {_ROUTE_FROM} → {_ROUTE_TO}")
    result["route"] = {"from": _ROUTE_FROM, "to": _ROUTE_TO, **_run_child(
        {"task": "route", "repeat": config.route_repeat}, config.timeout_s)}
    say("closure run, baseline scenario (detail off and on)")
    result["closure"] = _run_child({"task": "closure", "repeat": config.closure_repeat,
                                    "detail": config.closure_detail}, config.timeout_s)
    result["sweep"] = _sweep(config, say)
    say(f"OSM import and merge, synthetic extract along the curated network "
        f"(a node every {config.osm_step_km:g} km)")
    result["osm_import"] = _run_child({"task": "osm_import", "step_km": config.osm_step_km},
                                      config.timeout_s)
    if config.mesh_spacing_km is not None:
        say(f"closure at country scale: a {config.mesh_spacing_km:g} km synthetic road mesh "
            "over Lithuania")
        result["mesh_closure"] = _run_child({"task": "mesh_closure",
                                             "spacing_km": config.mesh_spacing_km},
                                            config.timeout_s)
    return result


def _sweep(config: BenchConfig, say: Progress) -> dict:
    out: dict[str, Any] = {}
    for workers in config.sweep_workers:
        where = "in this process" if workers == 0 else f"a LocalCluster of {workers}"
        say(f"sweep throughput, {config.sweep_runs} runs, {where}")
        out[str(workers)] = _run_child({"task": "sweep", "workers": workers,
                                        "n_runs": config.sweep_runs}, config.timeout_s)
    clustered = [w for w in config.sweep_workers if w > 0]
    if clustered:
        say(f"LocalCluster overhead, {max(clustered)} workers")
        out["overhead"] = _run_child({"task": "dask_overhead", "workers": max(clustered),
                                      "n_tasks": 200}, config.timeout_s)
    return out


def format_seconds(seconds: float | None) -> str:
    """``0.6 ms``, ``45 ms``, ``3.2 s``, ``2.1 min``."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.3g} ms"
    if seconds < 120:
        return f"{seconds:.3g} s"
    return f"{seconds / 60:.3g} min"


def summary_rows(result: dict) -> list[tuple[str, ...]]:
    """Rows of the bench table (network, arcs, method, time, peak RSS, troops at the longest
    check horizon, ratio to the exact time and whether the answers agree); for the CLI."""
    rows = []
    for net in result["networks"]:
        arcs = f"{net.get('n_arcs', 0):,}"
        for label, r in net["exact"].items():
            method = "exact" if label == "default" else f"exact {label}"
            rows.append(_row(net["name"], arcs, method, r, _exact_ratio(net, r)))
        minute = net.get("exact_closure_resolution")
        if minute:
            rows.append(_row(net["name"], "", "exact, 1-min, unrounded", minute, ""))
        base = net["baseline"]
        if base.get("status") == "ok":
            ratio = f"{net['ratio']:,.0f}x" if net.get("ratio") else "-"
            answer = ("same answer" if net.get("same_answer")
                      else f"DIFFERS by {net.get('max_rel_diff', math.nan):.1e}")
            rows.append(_row(net["name"], "", "time-expanded 1 h", base, f"{ratio}, {answer}",
                             seconds=base["seconds"]))
        else:
            why = base.get("short") or f"{base.get('status')}: {base.get('error', '')}"
            rows.append((net["name"], "", "time-expanded 1 h", why, "", "", ""))
    return rows


def _exact_ratio(net: dict, r: dict) -> str:
    best = net.get("exact_best_s")
    if r.get("status") != "ok" or not best:
        return ""
    return f"{r['seconds'] / best:,.1f}x fastest exact"


def _row(name: str, arcs: str, method: str, r: dict, ratio: str,
         *, seconds: float | None = None) -> tuple[str, ...]:
    if r.get("status") != "ok":
        return (name, arcs, method, f"{r.get('status')}: {r.get('error', '')}", "", "", "")
    if "pieces" in r:
        method = f"{method} ({r['pieces']} pieces)"
    return (name, arcs, method, format_seconds(r["seconds"] if seconds is None else seconds),
            f"{r['peak_rss_mb']:,.0f} MB", f"{r['arrivals'][-1]:,.0f}", ratio)


def other_rows(result: dict) -> list[tuple[str, str, str]]:
    """Rows (measurement, time, goal) of the route, closure and sweep timings."""
    rows: list[tuple[str, str, str]] = []
    if "route" not in result:
        return rows
    r = result["route"]
    if r.get("status") == "ok":
        rows.append((f"route {r['from']} -> {r['to']} (warm median; cold)",
                     f"{r['warm_median_ms']:.3g} ms; {r['cold_ms']:.3g} ms", "about 10 ms"))
    else:
        rows.append(("route query", f"{r.get('status')}: {r.get('error')}", ""))
    c = result["closure"]
    labels = (("detail", "closure, baseline, fleet engine with bound and marginal re-solves"),
              ("no_detail", "closure, baseline, fleet engine alone"),
              ("stress_exact", "closure, stress case 'unlimited', exact flows over time"),
              ("stress_fleet", "closure, stress case 'unlimited', fleet engine"))
    for key, label in labels:
        if c.get("status") == "ok" and key not in c:
            rows.append((label, "not timed (quick run)", ""))
            continue
        text = (format_seconds(c[key]["seconds"]) if c.get("status") == "ok"
                else f"{c.get('status')}: {c.get('error')}")
        rows.append((f"{label} (median)", text, "fleet engine alone: 2 s" if key == "no_detail"
                     else ""))
    if c.get("status") == "ok":
        ratio = c["stress_fleet"]["seconds"] / max(c["stress_exact"]["seconds"], 1e-9)
        agree = ", ".join(f"day {d} {v:.4f}" for d, v in c["stress_agreement"].items())
        rows.append(("stress case: fleet engine / exact (time; troops by day)",
                     f"{ratio:,.0f}x; {agree}", "troops within 1 %"))
    rows += _sweep_rows(result["sweep"])
    rows += _osm_rows(result.get("osm_import"))
    rows += _mesh_rows(result.get("mesh_closure"))
    for net in result["networks"]:
        if "methods_agree" in net:
            rows.append((f"{net['name']}: exact methods agree",
                         f"{net['methods_agree']} (max rel. diff "
                         f"{net['methods_max_rel_diff']:.1e})", ""))
    return rows


def _osm_rows(osm: dict | None) -> list[tuple[str, str, str]]:
    """The measured import and merge of the synthetic OSM extract."""
    if osm is None:
        return []
    if osm.get("status") != "ok":
        return [("OSM import and merge", f"{osm.get('status')}: {osm.get('error')}", "")]
    return [(f"OSM import with merge, synthetic PBF {osm['pbf_mb']:.2f} MB "
             f"({osm['osm_nodes']:,} OSM nodes) along the curated network: "
             f"{osm['nodes']:,} nodes, {osm['edges']:,} edges; curated nodes "
             f"{osm['matched']} matched, {osm['partial']} partial, {osm['missed']} missed; "
             f"{osm['replaced']} of {osm['curated_edges']} curated edges replaced",
             f"{format_seconds(osm['seconds'])} (+ write {format_seconds(osm['write_seconds'])}"
             f"), peak {osm['peak_rss_mb']:,.0f} MB", "")]


def _mesh_rows(mesh: dict | None) -> list[tuple[str, str, str]]:
    """The fleet closure timed on the curated network with a synthetic country road mesh."""
    if mesh is None:
        return []
    if mesh.get("status") != "ok":
        return [("closure at country scale", f"{mesh.get('status')}: {mesh.get('error')}", "")]
    where = (f"synthetic road mesh over Lithuania ({mesh['nodes']:,} nodes, "
             f"{mesh['arcs']:,} arcs, built in {format_seconds(mesh['build_seconds'])})")
    goal = "≤ 60 s, < 8 GB"
    return [(f"closure with bound and marginal re-solves, baseline, {where}",
             format_seconds(mesh["baseline"]["seconds"]), goal),
            ("the same, Suwałki corridor cut from day 12 (a change after day 0)",
             f"{format_seconds(mesh['suwalki_cut_day_12']['seconds'])}; peak "
             f"{mesh['peak_rss_mb']:,.0f} MB (both runs)", goal)]


def _sweep_rows(sweeps: dict) -> list[tuple[str, str, str]]:
    """Throughput per worker count, the scaling between them, and the cluster's overhead."""
    rows = []
    rates = {}
    for workers, w in sweeps.items():
        if workers == "overhead":
            continue
        label = "in this process" if workers == "0" else f"LocalCluster of {workers}"
        if w.get("status") == "ok":
            rates[int(workers)] = w["runs_per_s"]
            rows.append((f"sweep throughput, stress case, {label} (steady state)",
                         f"{w['runs_per_s']:.3g} runs/s", ""))
        else:
            rows.append((f"sweep throughput, {label}", f"{w.get('status')}: {w.get('error')}",
                         ""))
    clusters = sorted(k for k in rates if k > 0)
    if len(clusters) > 1:
        most, one = clusters[-1], clusters[0]
        rows.append((f"sweep scaling, {most} workers / {one}",
                     f"{rates[most] / rates[one]:.2f}x", f">= {0.9 * most / one:.1f}x"))
    if 0 in rates and clusters:
        rows.append((f"sweep, LocalCluster of {clusters[-1]} / this process (steady state)",
                     f"{rates[clusters[-1]] / rates[0]:.2f}x", ""))
    o = sweeps.get("overhead")
    if o and o.get("status") == "ok":
        rows.append(("LocalCluster: up; workers ready with the network; per task",
                     f"{o['cluster_up_s']:.2g} s; {o['workers_ready_s']:.2g} s; "
                     f"{o['ms_per_task']:.2g} ms",
                     "mobility._parallel: CLUSTER_START_S, TASK_OVERHEAD_S"))
    elif o:
        rows.append(("LocalCluster overhead", f"{o.get('status')}: {o.get('error')}", ""))
    return rows
