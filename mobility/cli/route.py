"""``mobility route``: the fastest military move of one unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mobility.cli._app import (
    JsonOpt,
    app,
)
from mobility.cli._render import (
    out,
    print_route,
)


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
    print_route(found)

