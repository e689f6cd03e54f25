"""``mobility compare``, ``map``, ``report`` and ``maps``: closures drawn and compared."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from mobility.cli._app import (
    JsonOpt,
    PaperOpt,
    PdfOpt,
    PngOpt,
    ScenarioArg,
    _check_export,
    _check_outputs,
    _export,
    app,
)
from mobility.cli._render import (
    _progress,
    err,
    out,
    print_comparison,
)


@app.command()
def compare(
    scenarios: Annotated[list[str], typer.Argument(help="two or more scenario names or files; "
                                                   "the first is the reference")],
    as_json: JsonOpt = False,
    top: Annotated[int, typer.Option(min=1, max=1000, help="edges to list whose flow changed "
                                     "most")] = 10,
    map_path: Annotated[Path | None, typer.Option("--map", help="also write the difference "
                                                 "map (flows gained and lost, closed "
                                                 "elements, days per target) here; with more "
                                                 "than two scenarios, one map each")] = None,
    report_path: Annotated[Path | None, typer.Option("--report", help="also write the "
                                                    "comparison report here")] = None,
) -> None:
    """Closure of several scenarios side by side, and the edges whose flow changed most."""
    from mobility.analysis.compare import compare as run_compare
    from mobility.scenario import load_scenario

    if len(scenarios) < 2:
        raise typer.BadParameter("give at least two scenarios to compare", param_hint="SCENARIOS")
    with _progress(not as_json) as say:
        loaded = [load_scenario(name) for name in scenarios]
        views = map_path is not None or report_path is not None
        comparison = run_compare(loaded, detail=views, progress=say)
        if views:
            _write_comparison(comparison, loaded, map_path, report_path, say)
    data = comparison.to_dict(top=top)
    if as_json:
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    print_comparison(data)


def _write_comparison(comparison, loaded, map_path: Path | None, report_path: Path | None,
                      say) -> None:
    """The difference maps and report (of a comparison solved with ``detail``)."""
    from mobility.engines import network_for
    from mobility.viz.compare_views import comparison_map, comparison_map_paths, comparison_report
    from mobility.viz.maps import save_map

    graphs = [network_for(scenario) for scenario in loaded]
    say("drawing the comparison")
    if map_path is not None:
        paths = comparison_map_paths(map_path, [s.name for s in loaded[1:]])
        for index, path in enumerate(paths, 1):
            save_map(comparison_map(graphs[index], comparison, loaded, index), path)
            err.print(f"wrote {path}")
    if report_path is not None:
        comparison_report(comparison, loaded, graphs[1], report_path)
        err.print(f"wrote {report_path}")


@app.command("map")
def map_command(
    scenario: ScenarioArg = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="HTML file; default "
                                                 "maps/SCENARIO.html")] = None,
    online_tiles: Annotated[bool, typer.Option("--online-tiles", help="add OpenStreetMap tiles "
                                               "(needs internet when viewed)")] = False,
    network_only: Annotated[bool, typer.Option("--network-only", help="draw the network without "
                                               "solving closure")] = False,
    pdf: PdfOpt = None,
    png: PngOpt = None,
    paper: PaperOpt = "a4",
) -> None:
    """Write a self-contained HTML map (offline basemap, network, flows, time slider)."""
    from mobility.viz.maps import closure_map, save_map

    _write_page(scenario, out_path, ".html", pdf, png, paper, solve=not network_only,
                stage="drawing the map",
                write=lambda graph, result, loaded, target: save_map(
                    closure_map(graph, result, scenario=loaded, online_tiles=online_tiles),
                    target))


@app.command()
def report(
    scenario: ScenarioArg = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="HTML file; default "
                                                 "maps/SCENARIO-report.html")] = None,
    pdf: PdfOpt = None,
    png: PngOpt = None,
    paper: PaperOpt = "a4",
) -> None:
    """Write one self-contained HTML report: map, closure plot and tables."""
    from mobility.viz.report import closure_report

    _write_page(scenario, out_path, "-report.html", pdf, png, paper, solve=True,
                stage="writing the report",
                write=lambda graph, result, loaded, target: closure_report(
                    graph, result, target, scenario=loaded))


def _write_page(scenario: str | None, out_path: Path | None, suffix: str, pdf: Path | None,
                png: Path | None, paper: str, *, solve: bool, stage: str,
                write: Callable[[Any, Any, Any, Path], Path]) -> None:
    """Load a scenario, solve its closure (if ``solve``), write its page with ``write(graph,
    result, scenario, target)`` to ``out_path`` (default ``maps/NAME{suffix}``), export it."""
    from mobility.engines import closure, network_for
    from mobility.scenario import load_scenario

    _check_export(pdf, png, paper)
    with _progress() as say:
        loaded = load_scenario(scenario)
        target = out_path or Path("maps") / f"{loaded.name}{suffix}"
        _check_outputs(out=target)
        graph = network_for(loaded)
        result = closure(graph, loaded, progress=say) if solve else None
        say(stage)
        path = write(graph, result, loaded, target)
    err.print(f"wrote {path}")
    _export(path, pdf, png, paper)


@app.command()
def maps(
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the maps")] = Path("maps"),
) -> None:
    """Rebuild the maps and reports of every shipped scenario (the maps/ folder)."""
    from mobility.engines import closure, network_for
    from mobility.scenario import available_scenarios, load_scenario
    from mobility.viz.maps import closure_map, save_map
    from mobility.viz.report import closure_report

    _check_outputs(out=out_dir, out_folder=True)
    with _progress() as say:
        for name in available_scenarios():
            say(f"{name}: closure")
            loaded = load_scenario(name)
            graph = network_for(loaded)
            result = closure(graph, loaded)
            say(f"{name}: map and report")
            save_map(closure_map(graph, result, scenario=loaded), out_dir / f"{name}.html")
            closure_report(graph, result, out_dir / f"{name}-report.html", scenario=loaded)
            err.print(f"wrote {out_dir / name}.html and {name}-report.html")

