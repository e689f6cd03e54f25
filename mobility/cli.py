"""The ``mobility`` command: a thin layer over the package's functions."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mobility._errors import FlowSolverError, MobilityError
from mobility.settings import BINDING_SHARE

app = typer.Typer(
    name="mobility",
    help="Military mobility into the Baltic states: NATO Force Model closure, routes, maps. "
    "Add --debug to any command for the traceback of an internal error.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
network_app = typer.Typer(help="Inspect the road/rail/sea/air network.", no_args_is_help=True)
scenario_app = typer.Typer(help="List and inspect scenarios.", no_args_is_help=True)
app.add_typer(network_app, name="network")
app.add_typer(scenario_app, name="scenario")

# User text (names, descriptions) is printed literally: markup only where a call asks for it
# with markup=True, and then user values go through rich.markup.escape.
out = Console(markup=False)
err = Console(stderr=True, markup=False)

ScenarioArg = Annotated[
    str | None,
    typer.Argument(help="shipped scenario name (see 'mobility scenario list') or a YAML file; "
                   "default: baseline"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object instead of tables")]
PdfOpt = Annotated[Path | None, typer.Option("--pdf", help="also print it to this PDF "
                                             "(headless Chromium, landscape)")]
PngOpt = Annotated[Path | None, typer.Option("--png", help="also save a full-page PNG "
                                             "(headless Chromium)")]
PaperOpt = Annotated[str, typer.Option("--paper", help="paper for --pdf: a4 or letter")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="also write an HTML report "
                                                "(ranking tables and the map) here")]


#: Where to report an internal error (printed with it).
REPORT_TO = ("please report it on the baltic-mobility issue tracker with the command and its "
             "input files")
DEBUG_FLAG = "--debug"


def main() -> None:
    """Entry point: user errors become one line on stderr and exit status 2; Ctrl-C exits 130.

    An internal error (a bug, not a bad input) prints "internal error" and where to report it
    in one line and exits 1; ``--debug`` anywhere on the command line (or ``MOBILITY_DEBUG=1``)
    shows its traceback instead.
    """
    import os

    debug = DEBUG_FLAG in sys.argv[1:] or os.environ.get("MOBILITY_DEBUG", "") not in ("", "0")
    if DEBUG_FLAG in sys.argv[1:]:
        sys.argv.remove(DEBUG_FLAG)
    try:
        _main()
    except KeyboardInterrupt:  # one arriving outside the command (e.g. a second Ctrl-C)
        _interrupted()
    except Exception as error:
        if debug:
            raise
        where = _command_path()
        _say(f"internal error in {where}: {type(error).__name__}: "
             f"{' '.join(str(error).split())[:300]}; {REPORT_TO} (rerun with {DEBUG_FLAG} "
             "for the traceback)")
        sys.exit(1)


def _main() -> None:
    try:
        code = app(standalone_mode=False)
    except MobilityError as error:
        _say(str(error))
        sys.exit(2)
    except FlowSolverError as error:  # not the user's input: say so, and exit 1
        _say(f"{error} (a solver failure, not an input error; {REPORT_TO})")
        sys.exit(1)
    except KeyboardInterrupt:
        _interrupted()
    except OSError as error:  # an output or input path the checks before the work missed
        if error.filename is None:
            raise
        _say(f"{error.filename}: {error.strerror or error}")
        sys.exit(2)
    except typer.Exit as done:  # older typer re-raises it; newer returns its code (below)
        code = done.exit_code
    except _abort_types() as error:
        if _from_interrupt(error):  # typer < 0.13 turns Ctrl-C into Abort
            _interrupted()
        _say("aborted")
        sys.exit(1)
    except _click_error_types() as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # a bare group: its help, as click does
            if _message(error).strip():  # typer's rich help is printed already
                error.show()  # type: ignore[attr-defined]
            sys.exit(2)
        _say(_usage_line(error))
        sys.exit(2)
    if isinstance(code, int) and not isinstance(code, bool):
        if code == 130:  # typer turns KeyboardInterrupt into Exit(130) and returns its code
            _interrupted()
        sys.exit(code)


# Top-level error handling. Typer >= 0.26 bundles its own copy of click (typer._click), so
# click.ClickException from the standalone click no longer matches what it raises; older typer
# raises the standalone click's classes. Both are found without importing typer's private
# modules: typer.BadParameter is the bundled or the standalone click's BadParameter.


def _classes_named(base: object, *names: str) -> list[type[Exception]]:
    return [cls for cls in getattr(base, "__mro__", ()) if cls.__name__ in names]


def _click_error_types() -> tuple[type[Exception], ...]:
    """ClickException of the click typer uses and of the standalone click, if installed."""
    found = _classes_named(typer.BadParameter, "ClickException")
    try:
        import click
    except ImportError:
        pass
    else:
        found.append(click.ClickException)
    return tuple(dict.fromkeys(found)) or (typer.BadParameter,)


def _abort_types() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [typer.Abort]
    try:
        import click
    except ImportError:
        pass
    else:
        found.append(click.Abort)
    return tuple(dict.fromkeys(found))


def _from_interrupt(error: BaseException) -> bool:
    return isinstance(error.__cause__ or error.__context__, KeyboardInterrupt)


def _say(line: str) -> None:
    """One line on stderr, user text printed literally (no rich markup), never wrapped."""
    from rich.text import Text

    err.print(Text.assemble(("error:", "bold red"), " ", line), highlight=False, soft_wrap=True)


def _command_path() -> str:
    """``mobility`` and the (sub)command named on the command line, e.g. ``mobility sweep``."""
    words = ["mobility"]
    try:
        command: Any = typer.main.get_command(app)
        for token in sys.argv[1:]:
            command = getattr(command, "commands", {}).get(token)
            if command is None:
                break
            words.append(token)
    except Exception:  # only used for a message
        pass
    return " ".join(words)


def _message(error: Exception) -> str:
    format_message = getattr(error, "format_message", None)
    return str(format_message()) if callable(format_message) else str(error)


def _usage_line(error: Exception) -> str:
    """Click's message (what and which parameter), the rejected value, where to read more."""
    message = _message(error)
    # Newer typer validates through pydantic, whose message leaves out the value given.
    errors = getattr(error.__cause__, "errors", None)
    if callable(errors):
        try:
            given = errors()[0]["input"]
        except Exception:
            given = None
        if given is not None:
            message = f"{message.rstrip('.')}, got {given!r}"
    context = getattr(error, "ctx", None)
    where = getattr(context, "command_path", None) or _command_path()
    return f"{' '.join(message.split()).rstrip('.')}; see '{where} --help'"


_INTERRUPTED = {
    "sweep": "finished runs are kept in the output folder and the summary was not written; "
             "run the same command again to resume",
}


def _interrupted() -> NoReturn:
    """Ctrl-C: say so in one line, with what was left undone, and exit 130 like a shell."""
    where = _command_path()
    left = _INTERRUPTED.get(where.removeprefix("mobility").strip(),
                            "it did not finish and any output it was writing may be missing")
    err.print(f"interrupted: {where} stopped; {left}", markup=False, highlight=False,
              soft_wrap=True)
    sys.exit(130)


@contextmanager
def _progress(enabled: bool = True):
    if not enabled or not err.is_terminal:
        yield lambda _msg: None
        return
    with err.status("starting…") as status:  # a spinner's text is markup: escape names
        yield lambda msg: status.update(escape(msg))


# --- run ----------------------------------------------------------------------------------


@app.command()
def run(
    scenario: ScenarioArg = None,
    as_json: JsonOpt = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="folder for edge flows (GeoJSON "
                                                "of the last day, CSV of every day), the "
                                                "arrival curve and the JSON result; or a .gpkg "
                                                "or .parquet file of the edge flows")] = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="also write the HTML map "
                                                 "here")] = None,
    plot_path: Annotated[Path | None, typer.Option("--plot", help="also write the closure "
                                                  "plot here (.png or .svg)")] = None,
    day: Annotated[float | None, typer.Option(min=0, max=3650, help="with --out FILE.gpkg or "
                                              ".parquet: this day only (default: every "
                                              "day)")] = None,
) -> None:
    """Closure: troops delivered by day, days to each Force Model target, bottlenecks."""
    from mobility._io import atomic_write_set
    from mobility.closure import closure, network_for
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
    _print_closure(result)
    if out_dir is not None:
        err.print(f"wrote edge flows and curve to {out_dir}", highlight=False)
    if map_path is not None:
        err.print(f"wrote map to {map_path}", highlight=False)
    if plot_path is not None:
        err.print(f"wrote plot to {plot_path}", highlight=False)


def _check_export(pdf: Path | None, png: Path | None, paper: str) -> None:
    """Refuse a bad --pdf/--png/--paper, or a missing Chromium, before solving."""
    targets = [t for t in (pdf, png) if t is not None]
    if targets:
        from mobility.viz.browser_export import check_export

        check_export(targets, paper=paper)


def _export(path: Path, pdf: Path | None, png: Path | None, paper: str) -> None:
    """Print the page at ``path`` to ``pdf`` and/or screenshot it to ``png``."""
    if pdf is None and png is None:
        return
    from mobility.viz.browser_export import export_page

    for target in (pdf, png):
        if target is not None:
            err.print(f"wrote {export_page(path, target, paper=paper)}")


def _is_folder(path: Path) -> bool:
    from mobility.viz.export import output_kind

    return output_kind(path) == "folder"


def _check_outputs(*, out_folder: bool = False, **paths: Path | None) -> None:
    """Check every output path of a command before any work (see ``check_output``):
    ``out=…`` is the ``--out`` option (a folder if ``out_folder``), ``map=…`` ``--map``."""
    from mobility._io import check_output

    for name, path in paths.items():
        if path is not None:
            check_output(path, f"--{name}", folder=out_folder and name == "out")


def _print_closure(result) -> None:
    out.print(f"[bold]Scenario[/] {escape(result.scenario)}: "
              f"{escape(result.description)}".rstrip(": "), highlight=False, markup=True)
    out.print(f"method: {result.method}; targets: {result.targets_reading} reading; "
              f"horizon {result.horizon_days:g} days", highlight=False)
    table = Table(title="Force Model targets")
    for column in ("target (troops)", "deadline (day)", "reached (day)", "at deadline (troops)",
                   "shortfall (troops)"):
        table.add_column(column, justify="right")
    for t in result.targets:
        reached = f"{t.reached_day:.1f}" if t.reached_day is not None else "not reached"
        table.add_row(f"{t.troops:,.0f}", f"{t.deadline_day:g}", reached,
                      _num(t.troops_at_deadline), _num(t.shortfall))
    out.print(table)
    if result.method == "fleet":
        _print_fleet_tables(result)
    else:
        days = Table(title="Troops arrived (cumulative)")
        days.add_column("by day", justify="right")
        days.add_column("troops", justify="right")
        for day, troops in result.troops_by_day.items():
            days.add_row(str(day), f"{troops:,.0f}")
        out.print(days)
        necks = Table(title="Bottlenecks (binding at the horizon; * = on the minimum cut)")
        for column in ("", "capacity", "kind", "used", "from day"):
            necks.add_column(column, justify="left" if not column else "right")
        for b in result.bottlenecks:
            necks.add_row(("* " if b.in_min_cut else "  ") + b.name,
                          f"{b.capacity_per_day:,.1f} {b.unit}s/day", b.kind,
                          f"{b.utilisation:.0%}",
                          f"{b.from_day:.1f}" if b.from_day is not None else "—")
        out.print(necks)
    split = ", ".join(f"{mode} {share:.0%}" for mode, share in result.mode_split.items())
    out.print(f"Mode split (troops entering LT/LV/EE): {split or 'none'}", highlight=False)
    if result.rounding:
        parts = [f"day {d}: {v['change_troops']:+,.0f} ({v['change_percent']:+.1f} %)"
                 for d, v in result.rounding.get("by_day", {}).items()]
        out.print("Whole trains/convoys/sailings/flights change: " + "; ".join(parts),
                  highlight=False)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


def _num(value: float) -> str:
    return "—" if value != value else f"{value:,.0f}"


def _print_fleet_tables(result) -> None:
    """Closure beside its bounds, formations, and what binds (fleet engine)."""

    days = Table(title="Troops closed at their assembly areas (cumulative)")
    days.add_column("by day", justify="right")
    days.add_column("with the fleets", justify="right")
    bounds = [c for c in result.bounds.columns if c != "day"]
    for name in bounds:
        days.add_column(name, justify="right")
    for day, troops in result.troops_by_day.items():
        row = [str(day), f"{troops:,.0f}"]
        for name in bounds:
            row.append(f"{result.bound_by(name, day):,.0f}")
        days.add_row(*row)
    out.print(days)
    formations = Table(title="Formations (ready, mode, closing day)")
    for column in ("formation", "troops", "ready", "modes", "embarkation", "to", "first in",
                   "closed"):
        formations.add_column(column, justify="right" if column in
                              ("troops", "ready", "first in", "closed") else "left")
    for row in result.formations.itertuples():
        closed = f"{row.closed_day:.1f}" if row.closed_day == row.closed_day and \
            row.closed_day is not None else f"{row.closed_share:.0%} by end"
        first = f"{row.first_arrival_day:.1f}" if row.first_arrival_day is not None and \
            row.first_arrival_day == row.first_arrival_day else "—"
        formations.add_row(row.formation, f"{row.troops:,.0f}", f"{row.ready_day:g}",
                           row.modes, row.embarkation, row.destination, first, closed)
    out.print(formations)
    necks = Table(title="What binds, and what one more unit buys (troops closed sooner)")
    report_days = list(result.troops_by_day)
    for column in ("resource", "kind", "one more", *(f"by day {d}" for d in report_days),
                   "binds (days)"):
        necks.add_column(column, justify="left" if column in ("resource", "kind", "one more")
                         else "right")
    for m in result.marginal:
        gains = [f"{m['troops_gained_by_day'][str(d)]:+,.0f}" for d in report_days]
        necks.add_row(m["resource"], m["kind"], m["change"], *gains,
                      f"{m['binding_days']:.0f} ({m['from_day']:.0f}–{m['to_day']:.0f})")
    out.print(necks)
    if not result.fleet_use.empty:
        peak = result.fleet_use.assign(share=result.fleet_use["in_use"] /
                                       result.fleet_use["available"].where(
                                           result.fleet_use["available"] > 0))
        parts = []
        for carrier, rows in peak.groupby("carrier"):
            busy = rows[rows["share"] >= BINDING_SHARE]
            parts.append(f"{carrier} peak {rows['in_use'].max():,.0f} of "
                         f"{rows['available'].max():,.0f}"
                         + (f", all in use on {((busy['to_day'] - busy['from_day']).sum()):.0f} "
                            "days" if len(busy) else ""))
        out.print("Fleets (standard carriers): " + "; ".join(parts), highlight=False)


# --- network ------------------------------------------------------------------------------


@network_app.command("info")
def network_info(
    as_json: JsonOpt = False,
    path: Annotated[Path | None, typer.Option(help="network folder or .gpkg; default: the "
                                             "curated network")] = None,
    year: Annotated[int | None, typer.Option(min=2000, max=2100, help="include phases opening "
                                             "by this year")] = None,
    phase: Annotated[list[str] | None, typer.Option(help="include this phase (repeatable)")] = None,
) -> None:
    """Counts by mode, gauge and country; km of track; gauge transfers; PL–LT crossings."""
    from mobility.network import load_network, summary

    info = summary(load_network(path, year=year, phases=phase))
    if as_json:
        out.print_json(json.dumps(info, ensure_ascii=False))
        return
    out.print(f"[bold]Network[/] {escape(str(info['source']))} — year {info['year'] or 'today'}"
              f"; phases: {escape(', '.join(info['phases'])) or 'none'}", highlight=False,
              markup=True)
    out.print(f"{info['nodes']} nodes, {info['edges']} edges (each bidirectional)")
    for title, key in (("Nodes by kind", "nodes_by_kind"), ("Nodes by country", "nodes_by_country"),
                       ("Edges by mode", "edges_by_mode"), ("Rail edges by gauge",
                                                             "rail_edges_by_gauge")):
        out.print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in info[key].items()),
                  highlight=False)
    km = Table(title="Rail km by gauge and country")
    km.add_column("gauge")
    km.add_column("country")
    km.add_column("km", justify="right")
    for gauge, countries in info["rail_km_by_gauge_and_country"].items():
        for country, value in countries.items():
            km.add_row(gauge, country, f"{value:,.1f}")
    out.print(km)
    sites = Table(title="Gauge-transfer sites")
    for column in ("site", "country", "trains/day", "dwell (h)"):
        sites.add_column(column)
    for site in info["gauge_transfer_sites"]:
        sites.add_row(site["name"], site["country"], f"{site['capacity_trains_per_day']:g}",
                      f"{site['dwell_h'] or 0:g}")
    out.print(sites)
    out.print("Polish–Lithuanian border crossings:")
    for crossing in info["pl_lt_border_crossings"]:
        out.print(f"  {crossing['mode']}: {crossing['name']} ({' – '.join(crossing['between'])})",
                  highlight=False)


# --- scenarios ----------------------------------------------------------------------------


@scenario_app.command("list")
def scenario_list() -> None:
    """The shipped scenarios."""
    from mobility.scenario import available_scenarios, load_scenario

    for name in available_scenarios():
        out.print(f"{name}: {load_scenario(name).description}", highlight=False)


@scenario_app.command("show")
def scenario_show(scenario: ScenarioArg = None) -> None:
    """Print a scenario with every default filled in (YAML)."""
    import yaml

    from mobility.scenario import load_scenario

    loaded = load_scenario(scenario)
    data = loaded.model_dump(mode="json", exclude_none=True)
    out.print(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), highlight=False)


@scenario_app.command("fields")
def scenario_fields() -> None:
    """Every scenario field with its unit, default and meaning."""
    from mobility.scenario import field_docs

    for line in field_docs():
        out.print(line, highlight=False)


# --- compare, map, report -----------------------------------------------------------------


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
    table = Table(title="Closure by scenario")
    table.add_column("")
    for row in data["scenarios"]:
        table.add_column(row["scenario"], justify="right")
    for i, target in enumerate(data["scenarios"][0]["targets"]):
        cells = []
        for row in data["scenarios"]:
            reached = row["targets"][i]["reached_day"]
            later = row["targets"][i]["days_later_than_first"]
            cells.append("not reached" if reached is None else f"day {reached:.1f}" + (
                f" ({later:+.1f} d)" if later is not None and row is not data["scenarios"][0]
                else ""))
        table.add_row(f"{target['troops']:,.0f} troops (deadline day {target['deadline_day']:g})",
                      *cells)
    for day in data["scenarios"][0]["troops_by_day"]:
        table.add_row(f"troops by day {day}",
                      *[f"{row['troops_by_day'].get(day, float('nan')):,.0f}"
                        for row in data["scenarios"]])
    table.add_row("binding bottleneck", *[row["binding_bottleneck"] or "—"
                                          for row in data["scenarios"]])
    out.print(table)
    changes = Table(title=f"Edges whose flow changed most (troops carried in days "
                          f"1-{data['flow_days']}, vs {data['scenarios'][0]['scenario']})")
    for column in ("scenario", "edge", "mode", "before", "after", "change"):
        changes.add_column(column, justify="right" if column in ("before", "after", "change")
                           else "left")
    for row in data["edges_changed_most"]:
        changes.add_row(row["scenario"], f"{row['edge_id']} ({row['u']}→{row['v']})", row["mode"],
                        f"{row['flow_first']:,.0f}", f"{row['flow_this']:,.0f}",
                        f"{row['change_troops']:+,.0f}")
    out.print(changes)


def _write_comparison(comparison, loaded, map_path: Path | None, report_path: Path | None,
                      say) -> None:
    """The difference maps and report (of a comparison solved with ``detail``)."""
    from mobility.closure import network_for
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
    from mobility.closure import closure, network_for
    from mobility.scenario import load_scenario
    from mobility.viz.maps import closure_map, save_map

    _check_export(pdf, png, paper)
    with _progress() as say:
        loaded = load_scenario(scenario)
        target = out_path or Path("maps") / f"{loaded.name}.html"
        _check_outputs(out=target)
        graph = network_for(loaded)
        result = None if network_only else closure(graph, loaded, progress=say)
        say("drawing the map")
        path = save_map(closure_map(graph, result, scenario=loaded, online_tiles=online_tiles),
                        target)
    err.print(f"wrote {path}")
    _export(path, pdf, png, paper)


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
    from mobility.closure import closure, network_for
    from mobility.scenario import load_scenario
    from mobility.viz.report import closure_report

    _check_export(pdf, png, paper)
    with _progress() as say:
        loaded = load_scenario(scenario)
        target = out_path or Path("maps") / f"{loaded.name}-report.html"
        _check_outputs(out=target)
        graph = network_for(loaded)
        result = closure(graph, loaded, progress=say)
        say("writing the report")
        path = closure_report(graph, result, target, scenario=loaded)
    err.print(f"wrote {path}")
    _export(path, pdf, png, paper)


@app.command()
def maps(
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the maps")] = Path("maps"),
) -> None:
    """Rebuild the maps and reports of every shipped scenario (the maps/ folder)."""
    from mobility.closure import closure, network_for
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


# --- import-osm ---------------------------------------------------------------------------


def _import_osm_help() -> str:
    from mobility.osm.tags import defaults_table

    return "\n\n\b\n" + defaults_table()


class _ImportOsmCommand(typer.core.TyperCommand):
    """Builds its epilog (the OSM planning defaults) only when its help is shown, so that
    start-up does not import the OSM tag tables and the schema (pydantic) behind them."""

    @property  # type: ignore[override]
    def epilog(self) -> str:
        return _import_osm_help()

    @epilog.setter
    def epilog(self, _value: str | None) -> None:
        pass


@app.command("import-osm", cls=_ImportOsmCommand, help=(
    "Import rail and main roads from OpenStreetMap into a network GeoPackage.\n\n"
    "The result loads with 'mobility network info --path FILE.gpkg'. A gauge break without "
    "a transfer site is split (reported); speeds and capacities missing from OSM are the "
    "planning defaults below, labelled in each edge's 'source'."))
def import_osm(
    path: Annotated[Path | None, typer.Argument(help="OSM extract: .osm, .osm.bz2 or .osm.pbf "
                                                "(omit with --place)")] = None,
    bbox: Annotated[str | None, typer.Option(help="keep only west,south,east,north (degrees), "
                                             "e.g. 22.8,53.9,24.0,54.6")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="GeoPackage to write; default: "
                                                  "<extract name>.gpkg here")] = None,
    place: Annotated[str | None, typer.Option(help="download this place through Overpass "
                                              "instead (needs internet)")] = None,
    secondary: Annotated[bool, typer.Option("--secondary", help="also import "
                                            "highway=secondary")] = False,
    service_tracks: Annotated[bool, typer.Option("--service-tracks", help="keep yards, sidings, "
                                                 "spurs and industrial lines")] = False,
    attach: Annotated[bool, typer.Option("--attach/--no-attach", help="add the curated "
                                         "terminals, ports, bases … in the area and join them")
                      ] = True,
    country: Annotated[str | None, typer.Option(help="ISO code for every imported node; "
                                                "default: from the basemap")] = None,
    snap_km: Annotated[float, typer.Option(min=0, max=100, help="largest snap distance for "
                                           "curated sites (km)")] = 5.0,
) -> None:
    """Import rail and main roads from OpenStreetMap (see :mod:`mobility.osm_import`)."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from mobility import osm_import

    if (path is None) == (place is None):
        raise MobilityError("import-osm: give either an OSM extract PATH or --place NAME "
                            "(not both); valid extracts: " + ", ".join(osm_import.OSM_SUFFIXES))
    options = {"bbox": bbox, "secondary": secondary, "attach": attach, "country": country,
               "service_tracks": service_tracks, "snap_km": snap_km}
    stem = (path.name.split(".")[0] if path is not None
            else "".join(c if c.isalnum() else "-" for c in str(place).lower()))
    target = out_path or Path(f"{stem}.gpkg")
    _check_outputs(out=target)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("starting", total=1.0)

        def progress(message: str, fraction: float | None) -> None:
            bar.update(task, description=message, completed=fraction or 0.0)

        if path is not None:
            nodes, edges = osm_import.network_from_osm(path, progress=progress, **options)
        else:
            nodes, edges = osm_import.network_from_place(place, progress=progress, **options)
        bar.update(task, description=f"writing {target}")
        osm_import.write_network(nodes, edges, target)
    by_mode = edges["mode"].value_counts().sort_index()
    by_kind = nodes["kind"].value_counts().sort_index()
    out.print(f"[bold]Imported[/] {escape(str(path or place))}: {len(nodes)} nodes "
              f"({', '.join(f'{k} {v}' for k, v in by_kind.items())}), {len(edges)} edges "
              f"({', '.join(f'{k} {v}' for k, v in by_mode.items())})", highlight=False,
              markup=True)
    for line in nodes.attrs.get("report", ()):
        out.print(f"note: {line}", highlight=False)
    out.print(f"wrote {target}", highlight=False)


# --- route --------------------------------------------------------------------------------


@app.command()
def route(
    from_: Annotated[str, typer.Argument(metavar="FROM", help="node name or id (case and "
                                         "diacritics ignored) or 'lat,lon'")],
    to: Annotated[str, typer.Argument(metavar="TO", help="node name or id, or 'lat,lon'")],
    mode: Annotated[str, typer.Option(help="any, or the main mode: rail, road, sea, air "
                                      "(road then only to reach and leave it)")] = "any",
    unit: Annotated[str, typer.Option(help="unit profile, e.g. tank-company, "
                                      "armoured-battalion, armoured-brigade, wheeled-company, "
                                      "wheeled-battalion, infantry-company, infantry-battalion "
                                      "(aliases heavy, wheeled, personnel)")] = "tank-company",
    scenario: Annotated[str | None, typer.Option(help="scenario for border delays, closures "
                                                 "and march hours; default: baseline")] = None,
    avoid: Annotated[list[str] | None, typer.Option(help="node (its terminal closes), edge id "
                                                    "or corridor tag; 'node:NAME' bypasses "
                                                    "the node entirely (repeatable)")] = None,
    via: Annotated[list[str] | None, typer.Option(help="waypoint to pass, in order "
                                                  "(repeatable)")] = None,
    alternatives: Annotated[int, typer.Option("--alternatives", "-k", min=0, max=20,
                                              help="also show K routes over different "
                                              "corridors")] = 0,
    day: Annotated[float, typer.Option(min=0, max=3650, help="departure day (scenario "
                                       "capacity changes in force that day)")] = 0.0,
    snap_km: Annotated[float, typer.Option(min=0, max=1000, help="farthest a 'lat,lon' may be "
                                           "from the node it snaps to (km)")] = 25.0,
    profiles: Annotated[Path | None, typer.Option(help="unit-profile YAML instead of "
                                                  "data/unit_profiles.yaml")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fastest military move of one unit: legs, gauge transfers, border delays, move time."""
    from mobility.routing import route as find_route
    from mobility.routing import route_network

    found = find_route(
        route_network(scenario), from_, to, mode=mode, unit=unit, scenario=scenario,
        avoid=avoid or (), via=via or (), alternatives=alternatives, day=day,
        profiles=str(profiles) if profiles else None, max_snap_km=snap_km,
    )
    if as_json:
        out.print_json(json.dumps(found.to_dict(), ensure_ascii=False))
        return
    _print_route(found)


def _print_route(found) -> None:
    by = f"by {found.mode}" if found.mode != "any" else "by any mode"
    out.print(f"[bold]{escape(found.from_.name)}[/] ({found.from_.country}) → "
              f"[bold]{escape(found.to.name)}[/] ({found.to.country}): {found.unit} {by} — "
              f"[bold]{found.hours:,.1f} h[/] ({found.days:.1f} days), {found.km:,.0f} km",
              highlight=False, markup=True)
    for place in (found.from_, *found.via, found.to):
        if place.snap_km is not None:
            out.print(f"  {place.query} → nearest node {place.name} ({place.snap_km:.1f} km away)",
                      highlight=False)
    out.print(f"  first element arrives after {found.first_arrival_h:,.1f} h; the whole unit "
              f"has closed {found.closing_h:,.1f} h later ({found.closing_bottleneck})",
              highlight=False)
    legs = Table(title="Legs")
    for column in ("mode", "gauge", "from → to", "km", "hours", "corridors"):
        legs.add_column(column, justify="right" if column in ("km", "hours") else "left")
    for leg in found.legs:
        hours = f"{leg.hours:,.1f}"
        if leg.march_days:
            hours += f" ({leg.march_days} d, {leg.driving_h:.1f} h driving)"
        legs.add_row(leg.mode, leg.gauge or "", f"{leg.from_name} → {leg.to_name}",
                     f"{leg.km:,.0f}", hours, ", ".join(leg.corridors))
    out.print(legs)
    stops = Table(title="Loading, gauge transfers, unloading")
    for column in ("at", "what", "dwell (h)", "handling (h)", "hours"):
        stops.add_column(column, justify="left" if column in ("at", "what") else "right")
    for t in found.transfers:
        change = t.action.replace("_", " ")
        if t.action == "gauge_transfer":
            change += f" {t.from_gauge} → {t.to_gauge} mm"
        elif t.from_mode and t.to_mode:
            change += f" {t.from_mode} → {t.to_mode}"
        else:
            change += f" ({t.from_mode or t.to_mode})"
        stops.add_row(t.name, change, f"{t.dwell_h:g}", f"{t.handling_h:g}", f"{t.hours:g}")
    out.print(stops)
    if found.border_crossings:
        out.print("Border crossings: " + "; ".join(
            f"{b.from_country}→{b.to_country} {b.mode} ({b.name or b.edge}) {b.delay_h:g} h"
            for b in found.border_crossings), highlight=False)
    if found.alternatives:
        alts = Table(title="Alternatives (different corridors; never faster)")
        for column in ("#", "hours", "days", "km", "distinguished by"):
            alts.add_column(column, justify="left" if column == "distinguished by" else "right")
        for i, alt in enumerate(found.alternatives, start=1):
            alts.add_row(str(i), f"{alt.hours:,.1f}", f"{alt.days:.1f}", f"{alt.km:,.0f}",
                         "; ".join(alt.distinguished_by))
        out.print(alts)
    for note in found.assumptions:
        out.print(f"note: {note}", highlight=False)


# --- sweep --------------------------------------------------------------------------------


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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from mobility import sweep as sweeps

    loaded = sweeps.load_sweep(sweep_file)
    target = out_dir or Path("sweeps") / loaded.name
    _check_outputs(out=target, out_folder=True)
    if not summary_only:
        columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True,
                      disable=as_json or not err.is_terminal) as bar:
            task = bar.add_task(loaded.name, total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

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
    _print_sweep_summary(summary)
    err.print("wrote " + ", ".join(str(p) for p in written), highlight=False)


def _print_sweep_summary(summary) -> None:
    out.print(f"[bold]Sweep[/] {escape(summary.name)}: {summary.runs:,} of "
              f"{summary.total_runs:,} runs; {summary.runs_with_failures:,} with failures, "
              f"{summary.runs_cut_off:,} with an origin or destination cut off", highlight=False,
              markup=True)
    table = Table(title="Force Model targets over the runs")
    for column in ("target (troops)", "deadline (day)", "P(met)", "day p5", "day p50",
                   "day p95"):
        table.add_column(column, justify="right")
    for t in summary.targets:
        table.add_row(f"{t.troops:,.0f}", f"{t.deadline_day:g}", f"{t.probability_met:.0%}",
                      *(f"{d:.1f}" if d is not None else "never"
                        for d in t.days_percentiles.values()))
    out.print(table)
    troops = Table(title="Troops arrived (cumulative), percentiles over runs")
    for column in ("by day", "p5", "p50", "p95"):
        troops.add_column(column, justify="right")
    for day, values in summary.troops_percentiles.items():
        troops.add_row(str(day), *(_num(v) for v in values.values()))
    out.print(troops)
    necks = Table(title="Bottlenecks that bind most often")
    necks.add_column("bottleneck")
    necks.add_column("binds in", justify="right")
    necks.add_column("top one in", justify="right")
    tops = dict(summary.top_bottlenecks)
    for name, share in summary.bottlenecks:
        necks.add_row(name, f"{share:.0%}", f"{tops.get(name, 0.0):.0%}")
    out.print(necks)
    if summary.grid:
        grid = Table(title="By grid point: P(met) per target")
        keys = [k for k in summary.grid[0] if k not in ("grid_point", "runs")
                and not k.startswith("target_")]
        for column in (*keys, "runs", *(f"P({t.troops / 1000:,.0f}k by day {t.deadline_day:g})"
                                        for t in summary.targets)):
            grid.add_column(column, justify="right")
        for entry in summary.grid:
            grid.add_row(*(f"{entry[k]:g}" for k in keys), str(entry["runs"]),
                         *(f"{entry[f'target_{k}_probability_met']:.0%}"
                           for k in range(1, len(summary.targets) + 1)))
        out.print(grid)


# --- bench --------------------------------------------------------------------------------


@app.command()
def bench(
    as_json: JsonOpt = False,
    quick: Annotated[bool, typer.Option("--quick", help="about 50 s of CPU (about a minute "
                                        "on an idle 2-core machine): one 10k-arc and one "
                                        "500-arc synthetic network, the baseline up to 30 "
                                        "days, the fleet closure without re-solves")] = False,
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
    """Time the exact flow-over-time method against an hourly time-expanded baseline."""
    from dataclasses import replace

    from mobility.bench import BenchConfig, other_rows, run_bench, summary_rows

    config = BenchConfig.quick() if quick else BenchConfig()
    changes = {"sizes": tuple(sizes) if sizes else None, "timeout_s": timeout_s,
               "baseline_budget_gb": budget_gb}
    config = replace(config, **{k: v for k, v in changes.items() if v is not None})
    result = run_bench(config, progress=lambda msg: err.print(f"bench: {msg} …",
                                                               highlight=False))
    if as_json:
        out.print_json(json.dumps(result))
        return
    table = Table(title=f"Exact earliest-arrival curve vs hourly time-expanded max flow, "
                        f"{config.horizon_days:g}-day horizon")
    for column in ("network", "arcs", "method", "time", "peak RSS",
                   f"troops by day {max(config.check_days):g}", "vs exact"):
        table.add_column(column, justify="left" if column in ("network", "method") else "right")
    for row in summary_rows(result):
        table.add_row(*row)
    (out if out.is_terminal else Console(width=130)).print(table)  # piped: keep rows whole
    other = Table(title="Other timings")
    for column in ("measurement", "time", "goal"):
        other.add_column(column)
    for row in other_rows(result):
        other.add_row(*row)
    out.print(other)
    machine = result["machine"]
    out.print(f"machine: {machine['cpus']} CPUs, {machine['available_memory_gb'] or 0:.1f} GB "
              f"available, Python {machine['python']}, OR-Tools {machine['ortools']}",
              highlight=False)
    for note in result["notes"]:
        out.print(f"note: {note}", highlight=False)


# --- critical, interdict ------------------------------------------------------------------


def _analysis_views(graph, loaded, title: str, highlights, map_path: Path | None,
                    report_path: Path | None, sections, summary=()) -> None:
    """The map and/or report of a network analysis; ``sections()`` gives the report's
    tables, ``summary`` lines for the map's title panel."""
    if map_path is not None:
        from mobility.viz.maps import closure_map, save_map

        save_map(closure_map(graph, scenario=loaded, title=title, highlights=highlights,
                             summary=summary), map_path)
        err.print(f"wrote map to {map_path}")
    if report_path is not None:
        from mobility.viz.analysis_reports import analysis_report

        analysis_report(graph, report_path, title=title, scenario=loaded,
                        highlights=highlights, sections=sections())
        err.print(f"wrote report to {report_path}")


@contextmanager
def _count_progress(enabled: bool = True):
    """A rich progress bar for ``progress(done, total, message)`` callbacks."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    if not enabled or not err.is_terminal:
        yield lambda _done, _total, _msg: None
        return
    columns = (TextColumn("{task.description}", markup=False), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total, description=message[:50])

        yield update


def _element(element) -> str:
    return f"{element.name} [{element.id}]"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


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

    _check_outputs(map=map_path)
    if scheduler is not None:
        from mobility.sweep import check_scheduler

        check_scheduler(scheduler)
    with _count_progress(not as_json) as say:
        result = criticality(None, scenario, elements=elements or "all", workers=workers,
                             scheduler=scheduler, candidates=candidates or None,
                             progress=say)
    if map_path is not None or report_path is not None:
        from mobility.closure import network_for
        from mobility.scenario import load_scenario
        from mobility.viz.analysis_reports import critical_sections
        from mobility.viz.map_layers import critical_highlights

        loaded = load_scenario(scenario)
        _analysis_views(network_for(loaded), loaded, "Critical links and nodes",
                        critical_highlights(result, top=top), map_path, report_path,
                        lambda: critical_sections(result, top=top))
    if as_json:
        out.print_json(json.dumps(result.to_dict(top=top), ensure_ascii=False))
        return
    base = result.baseline
    out.print(f"[bold]Criticality[/] {escape(result.scenario)}: {result.n_elements} elements, "
              f"{result.n_solved} closures solved, {result.n_skipped} changes not re-solved "
              f"(see the notes; {result.executor})", highlight=False, markup=True)
    out.print("baseline: " + "; ".join(
        f"{label} reached day {_days(day)}" for label, day in
        zip(result.target_labels, base.reached_day, strict=True)) + "; " + ", ".join(
        f"{v:,.0f} troops by day {d}" for d, v in base.troops_by_day.items()), highlight=False)
    spof = result.single_points_of_failure()
    if spof:
        table = Table(title="Single points of failure")
        for column in ("element", "change", "verdict", "score"):
            table.add_column(column, justify="right" if column == "score" else "left",
                             overflow="fold")
        for i in spof[:top]:
            table.add_row(_element(i.element), i.change,
                          i.verdict(result.target_labels), f"{i.score:.3f}")
        out.print(table)
    days = list(base.troops_by_day)
    for factor in result.factors:
        rows = [i for i in result.ranked(factor) if not i.single_point_of_failure][:top]
        table = Table(title=f"Most critical elements, {rows[0].change if rows else factor} "
                            "(score: mean share of troops lost)")
        table.add_column("element", overflow="fold")
        table.add_column("score", justify="right")
        table.add_column("days lost per target", justify="right")
        table.add_column("troops lost by day " + "/".join(map(str, days)), justify="right")
        for i in rows:
            table.add_row(_element(i.element), f"{i.score:.3f}",
                          " / ".join(_days(v) for v in i.days_lost),
                          " / ".join(f"{i.troops_lost[d]:,.0f}" for d in days))
        out.print(table)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


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

    _check_outputs(map=map_path)
    with _progress(not as_json) as say:
        say(f"solving the interdiction MIP (K = {cuts})")
        result = find_cuts(None, scenario, cuts=cuts, protect=protect or (), endpoints=endpoints)
    if map_path is not None or report_path is not None:
        from mobility.closure import network_for
        from mobility.scenario import load_scenario
        from mobility.viz.analysis_reports import interdiction_sections, interdiction_summary
        from mobility.viz.map_layers import interdiction_highlights

        loaded = load_scenario(scenario)
        _analysis_views(network_for(loaded), loaded, f"Interdiction plan, K = {result.cuts}",
                        interdiction_highlights(result), map_path, report_path,
                        lambda: interdiction_sections(result), interdiction_summary(result))
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    out.print(f"[bold]Interdiction[/] {escape(result.scenario)}, K = {result.cuts} "
              f"({result.solver}, {'optimal' if result.optimal else 'best found'}): throughput "
              f"{result.throughput_before_troops_per_day:,.0f} → "
              f"{result.throughput_after_troops_per_day:,.0f} troops/day", highlight=False,
              markup=True)
    removed = Table(title="Elements removed")
    removed.add_column("element")
    removed.add_column("kind")
    for e in result.removed:
        removed.add_row(_element(e), e.kind)
    out.print(removed)
    table = Table(title="Closure with these elements lost")
    for column in ("target", "reached (day) before", "after", "days lost"):
        table.add_column(column, justify="left" if column == "target" else "right")
    for label, before, after, lost in zip(result.target_labels, result.baseline.reached_day,
                                          result.after.reached_day, result.days_lost, strict=True):
        table.add_row(label, _days(before), _days(after) if after is not None else "not reached",
                      _days(lost))
    out.print(table)
    out.print("troops by day: " + ", ".join(
        f"day {d}: {result.baseline.troops_by_day[d]:,.0f} → {v:,.0f}"
        for d, v in result.after.troops_by_day.items()), highlight=False)
    if result.after.cuts_off:
        out.print("cuts off: " + ", ".join(result.after.cuts_off), highlight=False)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


# --- invest -------------------------------------------------------------------------------


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
    """Each investment's effect, the best portfolio under a budget, capacity shadow prices."""
    from mobility.analysis.investments import evaluate_investments, load_catalogue

    _check_outputs(map=map_path)
    with _count_progress(not as_json) as say:
        result = evaluate_investments(
            scenario, catalogue=load_catalogue(catalogue) if catalogue else None,
            budget_eur=budget, objective=objective, progress=say)  # type: ignore[arg-type]
    if map_path is not None or report_path is not None:
        from mobility.analysis.investments import investment_layers
        from mobility.network import active_phases, graph_from_tables, read_network_tables
        from mobility.scenario import load_scenario
        from mobility.viz.analysis_reports import investment_sections
        from mobility.viz.map_layers import investment_highlights

        loaded = load_scenario(scenario)
        cat = load_catalogue(catalogue)
        choice = loaded.network
        tables = read_network_tables(choice.path)
        # the scenario's network with every catalogue phase switched on, so planned lines show
        phases = active_phases(tables, year=choice.year, phases=choice.phases) | {
            phase for inv in cat.investments for phase in inv.phases}
        graph = graph_from_tables(tables, active_phases=frozenset(phases), year=choice.year)
        layers = investment_layers(graph, cat)
        best_ids = result.best.ids if result.best is not None else ()
        _analysis_views(graph, loaded, "Investments",
                        investment_highlights(graph, layers, best_ids), map_path, report_path,
                        lambda: investment_sections(result))
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    days = list(result.baseline.troops_by_day)
    out.print(f"[bold]Investments[/] {escape(result.scenario)}; objective: {result.objective}; "
              "budget: " + (f"EUR {result.budget_eur / 1e6:,.0f} M" if result.budget_eur
                            else "none"), highlight=False, markup=True)
    table = Table(title="Each investment alone (* = cost or effect assumed)")
    table.add_column("investment", overflow="fold")
    table.add_column("EUR M", justify="right")
    table.add_column("days saved per target", justify="right")
    table.add_column("troops gained by day " + "/".join(map(str, days)), justify="right")
    table.add_column(f"{result.objective} per EUR M", justify="right")
    for e in result.effects:
        table.add_row(("* " if e.investment.assumption else "  ") + e.investment.name,
                      f"{e.cost_meur:,.0f}",
                      " / ".join("—" if d is None else f"{d:.2f}" for d in e.gain.days_saved),
                      " / ".join(f"{e.gain.troops_gained[d]:,.0f}" for d in days),
                      f"{e.per_million(result.objective):.3g}")
    out.print(table)
    if result.best is not None:
        best = result.best
        out.print(f"[bold]Best portfolio[/] (EUR {best.cost_eur / 1e6:,.0f} M): "
                  f"{escape(', '.join(best.ids))}", highlight=False, markup=True)
        out.print(f"  {result.objective}: {best.gain.value(result.objective):,.2f} "
                  f"(sum of the single effects would claim "
                  f"{best.sum_of_single_values:,.2f}); days saved per target "
                  + " / ".join("—" if d is None else f"{d:.2f}" for d in best.gain.days_saved),
                  highlight=False)
        out.print(f"  search: {result.search}", highlight=False)
    else:
        out.print("No investment fits the budget.")
    if result.shadow_prices:
        prices = Table(title="Capacities worth most (LP shadow prices)")
        prices.add_column("capacity", overflow="fold")
        prices.add_column("now", justify="right")
        prices.add_column("troops more per extra unit/day", justify="right")
        for p in result.shadow_prices:
            prices.add_row(p.name, f"{p.capacity_per_day:,.1f} {p.unit}s/day",
                           f"{p.troops_per_extra_unit_per_day:,.0f} per {p.unit}")
        out.print(prices)
        out.print(f"note: {result.shadow_method}", highlight=False)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


if __name__ == "__main__":
    main()
