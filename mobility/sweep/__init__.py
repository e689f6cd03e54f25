"""Sweeps: Monte Carlo over disruptions and grids over parameters, run on Dask.

A sweep is a YAML file validated into :class:`Sweep`. Every run is a variant of one base
scenario: elements fail with a probability (closed from day 0), capacities are multiplied by
factors drawn from ranges, border delays are drawn from distributions (hours), and a grid
sets parameters to every combination of listed values. Each variant is solved with the fast
closure (:func:`mobility.engines.closure` with ``detail=False``) and reduced to one row of key
outputs.

Runs are independent: run ``i`` draws from ``numpy.random.default_rng(SeedSequence(seed,
spawn_key=(i,)))``, so the rows do not depend on how the runs are split between workers
or on their order. Rows are written to a Parquet dataset, one file per chunk of runs, each
written atomically (temporary file, then :func:`os.replace`); a sweep started again on the
same output folder computes only the runs that are missing.

Layout of an output folder::

    sweep.json                 the sweep and a digest of every input it depends on
                               (:func:`input_digests`): a resume with other inputs is refused
    runs/part-0000000-0000024.parquet   one row per run, runs 0 … 24
    runs/…                     only parts: ``pandas.read_parquet(OUT / "runs")`` reads them all
    summary.json, summary.png  written by :func:`write_summary`

Semantics of a capacity factor: on an edge it multiplies ``capacity_per_day`` (both
directions); on a node it multiplies the transfer capacity (``transfer_capacity_per_day``:
trains, sailings or flights a day) and leaves the edges that touch the node alone; a factor
of 0 closes the element as a failure does. A failed node is closed with everything that
touches it (the scenario's ``capacity_changes`` semantics); an origin or destination at a
failed node is dropped, as is one that the failures cut off from the network (listed in the
row's ``cut_off``). Both meanings are those of :mod:`mobility.disruption`.

Modules, in the order a sweep goes through them: ``spec`` (the sweep file validated),
``plan`` (checked against its base scenario and network; the row's columns and the inputs'
digests), ``run`` (one run's draws and closure, chunks here or on Dask, the throughput for
``mobility bench``), ``store`` (the Parquet dataset and the output folder) and ``summary``
(what the rows say, and the plot).
"""

from __future__ import annotations

from mobility.sweep.plan import SweepPlan, input_digests, plan_sweep
from mobility.sweep.run import (
    MAX_WORKERS,
    SweepRun,
    check_scheduler,
    grid_values,
    run_chunk,
    run_one,
    run_rng,
    run_sweep,
    sweep_throughput,
)
from mobility.sweep.spec import MAX_TOTAL_RUNS, Sweep, SweepError, load_sweep
from mobility.sweep.store import MANIFEST, PARTS, done_runs, read_results, write_part
from mobility.sweep.summary import (
    SweepSummary,
    TargetSummary,
    summarise,
    summarise_dir,
    sweep_plot_png,
    write_summary,
)

__all__ = [
    "MANIFEST",
    "MAX_TOTAL_RUNS",
    "MAX_WORKERS",
    "PARTS",
    "Sweep",
    "SweepError",
    "SweepPlan",
    "SweepRun",
    "SweepSummary",
    "TargetSummary",
    "check_scheduler",
    "done_runs",
    "grid_values",
    "input_digests",
    "load_sweep",
    "plan_sweep",
    "read_results",
    "run_chunk",
    "run_one",
    "run_rng",
    "run_sweep",
    "summarise",
    "summarise_dir",
    "sweep_plot_png",
    "sweep_throughput",
    "write_part",
    "write_summary",
]

