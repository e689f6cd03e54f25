"""``mobility run``: the closure of one scenario, with its tables, files, map and plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mobility._errors import MobilityError
from mobility.cli._app import (
    JsonOpt,
    MapOpt,
    ScenarioArg,
    _check_outputs,
    _is_folder,
    app,
)
from mobility.cli._render import (
    _progress,
    err,
    out,
    print_closure,
)


@app.command()
def run(
    scenario: ScenarioArg = None,
    as_json: JsonOpt = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="folder for edge flows (GeoJSON "
                                                "of the last day, CSV of every day), "
                                                "transfer use, the arrival curve and the JSON "
                                                "result; or a .gpkg "
                                                "or .parquet file of the edge flows")] = None,
    map_path: MapOpt = None,
    plot_path: Annotated[Path | None, typer.Option("--plot", help="also write the closure "
                                                  "plot here (.png or .svg)")] = None,
    day: Annotated[float | None, typer.Option(min=0, max=3650, help="with --out FILE.gpkg or "
                                              ".parquet: this day only (default: every "
                                              "day)")] = None,
) -> None:
    """Closure: troops delivered by day, days to each Force Model target, bottlenecks."""
    from mobility._io import atomic_write_set
    from mobility.engines import closure, network_for
    from mobility.scenario import load_scenario

    _check_outputs(out=out_dir, out_folder=out_dir is not None and _is_folder(out_dir),
                   map=map_path)
    if day is not None and (out_dir is None or _is_folder(out_dir)):
        raise MobilityError(f"--day {day:g}: give --out FILE.gpkg or FILE.parquet with it "
                            "(the --out folder holds every day)")
    with _progress(not as_json) as say:
        loaded = load_scenario(scenario)
        say("loading network")
        graph = network_for(loaded)
        result = closure(graph, loaded, progress=say)
    files: dict = {}  # every output of the command, written as one set
    if out_dir is not None:
        from mobility.viz.export import output_files

        files |= output_files(result, out_dir, graph, day=day)
    if map_path is not None:
        from mobility.viz.maps import closure_map, map_html

        files[map_path] = map_html(closure_map(graph, result, scenario=loaded))
    atomic_write_set(files)
    if plot_path is not None:
        from mobility.viz.plots import closure_plot

        closure_plot(result, plot_path)
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    print_closure(result)
    if out_dir is not None:
        err.print(f"wrote edge flows and curve to {out_dir}", highlight=False)
    if map_path is not None:
        err.print(f"wrote map to {map_path}", highlight=False)
    if plot_path is not None:
        err.print(f"wrote plot to {plot_path}", highlight=False)

