"""The ``mobility`` application, its option types and the checks every command makes first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from mobility.cli._render import err

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

MapOpt = Annotated[Path | None, typer.Option("--map", help="also write the HTML map here")]

ReportOpt = Annotated[Path | None, typer.Option("--report", help="also write an HTML report "
                                                "(ranking tables and the map) here")]


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



def _view_files(results: list, out_dir: Path | None, name: Callable[[Any], str],
                map_path: Path | None, map_text: Callable[[], str],
                report_path: Path | None, report_text: Callable[[], str]) -> dict[Path, str]:
    """The files a results command writes: each result's tables under ``--out`` (one
    subfolder per result, named by ``name``, when there are several), the map, the report."""
    files: dict[Path, str] = {}
    if out_dir is not None:
        for result in results:
            files |= result.output_files(out_dir / name(result) if len(results) > 1
                                         else out_dir)
    if map_path is not None:
        files[map_path] = map_text()
    if report_path is not None:
        files[report_path] = report_text()
    return files


def _say_written(out_dir: Path | None, map_path: Path | None, report_path: Path | None) -> None:
    for what, path in (("tables", out_dir), ("map", map_path), ("report", report_path)):
        if path is not None:
            err.print(f"wrote {what} to {path}", highlight=False)
