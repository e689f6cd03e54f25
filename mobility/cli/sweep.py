"""``mobility sweep``: Monte Carlo and grid sweeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mobility.cli._app import (
    JsonOpt,
    _check_outputs,
    app,
)
from mobility.cli._render import (
    _progress,
    err,
    out,
    print_sweep_summary,
)


@app.command()
def sweep(
    sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP.yaml", help="sweep file (see "
                                               "data/sweeps/example.yaml and mobility.sweep)")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (Parquet parts, "
                                                 "summary); default: sweeps/<sweep name>")] = None,
    scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler, "
                                                  "e.g. tcp://10.0.0.5:8786")] = None,
    workers: Annotated[int, typer.Option(min=0, max=256, help="local worker processes (0: in "
                                         "this process, without Dask)")] = 2,
    summary_only: Annotated[bool, typer.Option("--summary-only", help="only summarise the "
                                               "results already in --out")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Monte Carlo over disruptions and a parameter grid; resumable; prints a summary."""
    from mobility import sweep as sweeps

    loaded = sweeps.load_sweep(sweep_file)
    target = out_dir or Path("sweeps") / loaded.name
    _check_outputs(out=target, out_folder=True)
    if not summary_only:
        with _progress(not as_json) as progress:
            done = sweeps.run_sweep(loaded, target, scheduler=scheduler, workers=workers,
                                    progress=progress)
        if not as_json:
            err.print(f"{done.computed_runs} runs computed, {done.resumed_runs} found done "
                      f"({done.runs_per_s:.1f} runs/s) → {target}", highlight=False)
    summary = sweeps.summarise_dir(target)
    written = sweeps.write_summary(summary, sweeps.read_results(target), target)
    if as_json:
        out.print_json(json.dumps(summary.to_dict(), ensure_ascii=False))
        return
    print_sweep_summary(summary)
    err.print("wrote " + ", ".join(str(p) for p in written), highlight=False)

