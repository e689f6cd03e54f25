"""``mobility network`` and ``mobility scenario``: the inputs, inspected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mobility.cli._app import (
    JsonOpt,
    ScenarioArg,
    network_app,
    scenario_app,
)
from mobility.cli._render import (
    out,
    print_network_info,
)


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
    print_network_info(info)


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

