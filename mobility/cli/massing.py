"""``mobility mass``: flashpoint massing (issue 17) — troops in the area by hour, map, report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mobility.cli._app import (
    JsonOpt,
    MapOpt,
    ReportOpt,
    _check_outputs,
    _say_written,
    _view_files,
    app,
)
from mobility.cli._render import _progress, out


@app.command("mass")
def mass_command(
    scenarios: Annotated[list[str], typer.Argument(help="flashpoint scenario: a shipped name "
                                                   "(data/flashpoints/: narva, daugavpils, "
                                                   "suwalki, …) or a YAML file; two or more "
                                                   "are compared with the first")],
    by: Annotated[str | None, typer.Option("--by", help="hours asked about, e.g. "
                                           "48h,72h,96h (default: the scenario's)")] = None,
    as_json: JsonOpt = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="folder for the CSV tables "
                                                "and result.json (one subfolder per "
                                                "scenario when several)")] = None,
    map_path: MapOpt = None,
    report_path: ReportOpt = None,
) -> None:
    """Flashpoint massing: troops and heavy vehicles in an area by each hour, and what limits it."""
    from mobility._io import atomic_write_set
    from mobility.massing import compare, load_flashpoint, mass, network_for_flashpoint
    from mobility.massing.scenario import FlashpointError, parse_hours

    _check_outputs(out=out_dir, out_folder=out_dir is not None, map=map_path,
                   report=report_path)
    hours = parse_hours(by) if by is not None else None
    loaded = [load_flashpoint(s) for s in scenarios]  # every file checked before any solve
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise FlashpointError(f"flashpoint scenario name {twice!r} is given twice; compare "
                              "scenarios with different 'name' fields")
    if len(loaded) > 1 and hours is None:
        hours = loaded[0].by
    with _progress(not as_json) as say:
        graphs = [network_for_flashpoint(s) for s in loaded]
        results = [mass(s, graph=g, by=hours, progress=say)
                   for s, g in zip(loaded, graphs, strict=True)]
        comparison = compare(results) if len(results) > 1 else None
    from mobility.massing.views import massing_map, report_html
    from mobility.viz.maps import map_html

    atomic_write_set(_view_files(
        results, out_dir, lambda r: r.scenario,
        map_path, lambda: map_html(massing_map(graphs[0], results, loaded)),
        report_path, lambda: report_html(graphs[0], results, loaded, comparison)))
    if as_json:
        data = [r.to_dict() for r in results]
        shown: object = data[0] if len(data) == 1 else {
            "results": data, "comparison": {"first": comparison.first, "rows": comparison.rows,
                                            "units": comparison.units} if comparison else None}
        out.print_json(json.dumps(shown, ensure_ascii=False))
        return
    from mobility.massing.views import text_tables

    for item in text_tables(results, comparison):
        out.print(item, highlight=False)
    _say_written(out_dir, map_path, report_path)
