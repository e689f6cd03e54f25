"""``mobility materiel``: materiel plans (issue 17) — schedule, what binds, map, report."""

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


@app.command("materiel")
def materiel_command(
    plans: Annotated[list[str], typer.Argument(help="materiel plan: a shipped name (data/"
                                               "materiel/: estonia-bunkers, "
                                               "estonia-latvia-bunkers) or a YAML file; two "
                                               "or more are compared with the first")],
    as_json: JsonOpt = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="folder for the CSV tables "
                                                "and result.json (one subfolder per plan "
                                                "when several)")] = None,
    map_path: MapOpt = None,
    report_path: ReportOpt = None,
    marginal: Annotated[bool, typer.Option("--marginal/--no-marginal", help="re-solve for "
                                           "what binds, what one more unit buys and each "
                                           "area's earliest date alone")] = True,
) -> None:
    """Materiel plan: production, deliveries and installation against a deadline."""
    from mobility._io import atomic_write_set
    from mobility.materiel import load_plan, materiel, network_for_plan
    from mobility.materiel.plan import check_distinct_names

    _check_outputs(out=out_dir, out_folder=out_dir is not None, map=map_path,
                   report=report_path)
    loaded = [load_plan(plan) for plan in plans]  # every plan checked before any solve
    check_distinct_names(loaded)
    with _progress(not as_json) as say:
        networks = {plan.network_year: network_for_plan(plan) for plan in loaded}
        graphs = [networks[plan.network_year] for plan in loaded]
        results = [materiel(plan, graph=graph, marginal=marginal, progress=say)
                   for plan, graph in zip(loaded, graphs, strict=True)]
    from mobility.materiel.views import materiel_map, report_html
    from mobility.viz.maps import map_html

    atomic_write_set(_view_files(
        results, out_dir, lambda r: r.plan,
        map_path, lambda: map_html(materiel_map(graphs[0], results, loaded)),
        report_path, lambda: report_html(graphs[0], results, loaded)))
    if as_json:
        data = [r.to_dict() for r in results]
        out.print_json(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False))
        return
    from mobility.materiel.views import text_tables

    for shown in text_tables(results):
        out.print(shown, highlight=False)
    _say_written(out_dir, map_path, report_path)
