"""``mobility bench``: measured speed of the methods."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from mobility.cli._app import (
    JsonOpt,
    app,
)
from mobility.cli._render import (
    err,
    out,
    print_bench,
)


@app.command()
def bench(
    as_json: JsonOpt = False,
    quick: Annotated[bool, typer.Option("--quick", help="about 80 s on an idle 2-core "
                                        "machine (measured 4 Dec 2026): one 10k-arc and one "
                                        "500-arc synthetic network, the baseline up to 30 "
                                        "days, the fleet closure without re-solves and not "
                                        "at country scale")] = False,
    sizes: Annotated[list[int] | None, typer.Option("--sizes", min=100, max=10_000_000,
                                                    help="arc counts of the synthetic "
                                                    "networks (repeat the option); default "
                                                    "50000 100000")] = None,
    timeout_s: Annotated[float | None, typer.Option("--timeout", min=1, max=86_400,
                                                     help="seconds per measurement")] = None,
    budget_gb: Annotated[float | None, typer.Option("--baseline-budget-gb", min=0.01, max=1024,
                                                     help="run the time-expanded baseline "
                                                     "only below this estimated memory "
                                                     "(GB)")] = None,
) -> None:
    """Time the solvers side by side: the exact flows over time against an hourly
    time-expanded baseline, the fleet closure beside them (curated network, and at country
    scale on a synthetic road mesh over Lithuania), routes, sweeps and an OSM import."""
    from dataclasses import replace

    from mobility.bench import BenchConfig, run_bench

    config = BenchConfig.quick() if quick else BenchConfig()
    changes: dict[str, Any] = {"sizes": tuple(sizes) if sizes else None, "timeout_s": timeout_s,
               "baseline_budget_gb": budget_gb}
    config = replace(config, **{k: v for k, v in changes.items() if v is not None})
    result = run_bench(config, progress=lambda msg, *_: err.print(f"bench: {msg} …",
                                                               highlight=False))
    if as_json:
        out.print_json(json.dumps(result))
        return
    print_bench(config, result)

