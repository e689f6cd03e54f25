"""``mobility critical``, ``interdict`` and ``invest``: the network analyses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mobility.cli._app import (
    JsonOpt,
    ReportOpt,
    ScenarioArg,
    _check_outputs,
    app,
)
from mobility.cli._render import (
    _progress,
    err,
    out,
    print_criticality,
    print_interdiction,
    print_investments,
)


def _analysis_views(graph, loaded, title: str, highlights, map_path: Path | None,
                    report_path: Path | None, sections, summary=(), rerouted=None,
                    key_rows=()) -> None:
    """The map and/or report of a network analysis; ``sections()`` gives the report's
    tables, ``summary`` lines for the map's title panel, ``rerouted`` the closure before and
    after (flows gained and lost)."""
    if map_path is not None:
        from mobility.viz.analysis_reports import analysis_map
        from mobility.viz.maps import save_map

        save_map(analysis_map(graph, scenario=loaded, title=title, highlights=highlights,
                              summary=summary, rerouted=rerouted, key_rows=key_rows), map_path)
        err.print(f"wrote map to {map_path}")
    if report_path is not None:
        from mobility.viz.analysis_reports import analysis_report

        analysis_report(graph, report_path, title=title, scenario=loaded,
                        highlights=highlights, sections=sections(), summary=summary,
                        rerouted=rerouted, key_rows=key_rows)
        err.print(f"wrote report to {report_path}")


@app.command()
def critical(
    scenario: ScenarioArg = None,
    top: Annotated[int, typer.Option(min=1, max=1000, help="rows per table")] = 15,
    as_json: JsonOpt = False,
    elements: Annotated[list[str] | None, typer.Option(
        "--elements", help="edges, nodes, all, or edge/node ids or names (repeatable)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help="Dask worker processes; "
                                                "1 runs in this process; default: CPU "
                                                "count")] = None,
    scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler, "
                                                  "e.g. tcp://host:8786")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="also write the HTML map with "
                                                 "the critical links and nodes here")] = None,
    candidates: Annotated[int, typer.Option(min=0, help="with a force list: re-solve the "
                                            "elements carrying the most troops in the plan, "
                                            "this many (0: every used one)")] = 40,
    report_path: ReportOpt = None,
) -> None:
    """What losing or halving each edge and node does to closure; single points of failure."""
    from mobility.analysis.criticality import criticality
    from mobility.engines import network_for
    from mobility.scenario import load_scenario

    _check_outputs(map=map_path)
    if scheduler is not None:
        from mobility.sweep import check_scheduler

        check_scheduler(scheduler)
    loaded = load_scenario(scenario)
    graph = network_for(loaded)  # once, for the analysis and its views
    with _progress(not as_json) as say:
        result = criticality(graph, loaded, elements=elements or "all", workers=workers,
                             scheduler=scheduler, candidates=candidates or None,
                             progress=say)
    if map_path is not None or report_path is not None:
        from mobility.viz.analysis_reports import critical_sections
        from mobility.viz.map_layers import critical_highlights

        _analysis_views(graph, loaded, "Critical links and nodes",
                        critical_highlights(result, top=top), map_path, report_path,
                        lambda: critical_sections(result, top=top))
    if as_json:
        out.print_json(json.dumps(result.to_dict(top=top), ensure_ascii=False))
        return
    print_criticality(result, top)


@app.command()
def interdict(
    scenario: ScenarioArg = None,
    cuts: Annotated[int, typer.Option("--cuts", min=1, max=50, help="K: edges or nodes the "
                                      "adversary removes")] = 1,
    as_json: JsonOpt = False,
    protect: Annotated[list[str] | None, typer.Option(help="element the adversary cannot "
                                                      "remove (repeatable)")] = None,
    endpoints: Annotated[bool, typer.Option("--endpoints", help="also allow removing the "
                                            "scenario's origin and destination nodes")] = False,
    map_path: Annotated[Path | None, typer.Option("--map", help="also write the HTML map with "
                                                 "the interdiction plan here")] = None,
    report_path: ReportOpt = None,
) -> None:
    """The K edges or nodes whose loss cuts throughput most (Wood 1993), and days lost."""
    from mobility.analysis.interdiction import interdict as find_cuts
    from mobility.engines import network_for
    from mobility.scenario import load_scenario

    _check_outputs(map=map_path)
    loaded = load_scenario(scenario)
    graph = network_for(loaded)  # once, for the analysis and its views
    with _progress(not as_json) as say:
        say(f"solving the interdiction MIP (K = {cuts})")
        result = find_cuts(graph, loaded, cuts=cuts, protect=protect or (), endpoints=endpoints)
    if map_path is not None or report_path is not None:
        from mobility.analysis.interdiction import rerouting
        from mobility.viz.analysis_reports import interdiction_sections, interdiction_summary
        from mobility.viz.map_layers import interdiction_highlights

        with _progress(not as_json) as say:
            say("the closure before and after the cuts, with its flows (for the map)")
            rerouted = rerouting(graph, loaded, result)
        _analysis_views(graph, loaded, f"Interdiction plan, K = {result.cuts}",
                        interdiction_highlights(result), map_path, report_path,
                        lambda: interdiction_sections(result), interdiction_summary(result),
                        rerouted=rerouted)
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    print_interdiction(result)


@app.command()
def invest(
    scenario: ScenarioArg = None,
    budget: Annotated[float | None, typer.Option("--budget", min=0, max=1e13, help="most the "
                                                 "portfolio may cost (EUR); default: no "
                                                 "limit")] = None,
    as_json: JsonOpt = False,
    objective: Annotated[str, typer.Option(help="days (total days saved over the targets), "
                                           "troops-10, troops-30 or troops-180")] = "days",
    catalogue: Annotated[Path | None, typer.Option(help="investment catalogue YAML; default: "
                                                   "data/investments.yaml")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="also write the HTML map with "
                                                 "the investments (best portfolio "
                                                 "emphasised) here")] = None,
    report_path: ReportOpt = None,
) -> None:
    """Each investment's effect, the best portfolio under a budget, and what one more unit
    of each binding capacity or fleet is worth. Every candidate is a full closure (two at a
    time): the baseline with no budget takes about 14 minutes on 2 cores."""
    from mobility.analysis.investments import evaluate_investments, load_catalogue

    _check_outputs(map=map_path)
    with _progress(not as_json) as say:
        result = evaluate_investments(
            scenario, catalogue=load_catalogue(catalogue) if catalogue else None,
            budget_eur=budget, objective=objective, progress=say)  # type: ignore[arg-type]
    if map_path is not None or report_path is not None:
        from mobility.analysis.investments import catalogue_network, investment_layers
        from mobility.scenario import load_scenario
        from mobility.viz.analysis_reports import investment_sections
        from mobility.viz.map_layers import (
            investment_highlights,
            investment_key,
            investment_ranking,
        )

        loaded = load_scenario(scenario)
        cat = load_catalogue(catalogue)
        graph = catalogue_network(loaded, cat)  # planned lines show on the map
        layers = investment_layers(graph, cat)
        best_ids = result.best.ids if result.best is not None else ()
        ranking = investment_ranking(result)
        _analysis_views(graph, loaded, "Investments",
                        investment_highlights(graph, layers, best_ids, ranking), map_path,
                        report_path, lambda: investment_sections(result),
                        key_rows=investment_key(ranking, result.objective))
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    print_investments(result)

