"""``mobility import-osm``: OpenStreetMap into a network GeoPackage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mobility._errors import MobilityError
from mobility.cli._app import (
    _check_outputs,
    app,
)
from mobility.cli._render import (
    _progress,
    print_import,
)


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
    from mobility import osm_import

    if (path is None) == (place is None):
        raise MobilityError("import-osm: give either an OSM extract PATH or --place NAME "
                            "(not both); valid extracts: " + ", ".join(osm_import.OSM_SUFFIXES))
    options: dict[str, Any] = {"bbox": bbox, "secondary": secondary, "attach": attach,
                               "country": country, "service_tracks": service_tracks,
                               "snap_km": snap_km}
    stem = (path.name.split(".")[0] if path is not None
            else "".join(c if c.isalnum() else "-" for c in str(place).lower()))
    target = out_path or Path(f"{stem}.gpkg")
    _check_outputs(out=target)
    with _progress() as progress:
        if path is not None:
            nodes, edges = osm_import.network_from_osm(path, progress=progress, **options)
        else:
            nodes, edges = osm_import.network_from_place(str(place), progress=progress, **options)
        progress(f"writing {target}")
        osm_import.write_network(nodes, edges, target)
    print_import(path or place, nodes, edges, target)

