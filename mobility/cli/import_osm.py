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
    print_merge,
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
    site_defaults: Annotated[Path | None, typer.Option(help="CSV/YAML table: transfer "
                                                       "capacity and dwell by kind for "
                                                       "stations, bases, ports, airfields "
                                                       "found by OSM tags")] = None,
    merge: Annotated[bool, typer.Option("--merge", help="one network: the curated layer "
                                        "(--network) with the OSM detail; curated node ids "
                                        "kept, covered curated edges replaced")] = False,
    network: Annotated[Path | None, typer.Option(help="with --merge: the curated network "
                                                 "folder or .gpkg (default: the shipped one)")
                       ] = None,
    corridor_km: Annotated[float, typer.Option(min=0, max=100, help="with --merge: how near "
                                               "the curated line an OSM path must run (km)")
                           ] = 5.0,
    min_coverage: Annotated[float, typer.Option(min=0, max=1, help="with --merge: share of a "
                                                "curated edge the OSM path must cover to "
                                                "replace it")] = 0.8,
    keep_unused: Annotated[bool, typer.Option("--keep-unused", help="with --merge: "
                                              "keep OSM parts joined to no curated node "
                                              "and dead-end spurs")] = False,
) -> None:
    """Import rail and main roads from OpenStreetMap (see :mod:`mobility.osm_import`)."""
    from mobility import osm_import

    if (path is None) == (place is None):
        raise MobilityError("import-osm: give either an OSM extract PATH or --place NAME "
                            "(not both); valid extracts: " + ", ".join(osm_import.OSM_SUFFIXES))
    if merge and path is None:
        raise MobilityError("import-osm: --merge needs an OSM extract PATH (not --place); "
                            "valid extracts: " + ", ".join(osm_import.OSM_SUFFIXES))
    if not merge and network is not None:
        raise MobilityError("import-osm: --network is the curated layer of --merge; add "
                            "--merge or leave --network out")
    options: dict[str, Any] = {"bbox": bbox, "secondary": secondary, "attach": attach,
                               "country": country, "service_tracks": service_tracks,
                               "snap_km": snap_km, "site_defaults": site_defaults}
    stem = (path.name.split(".")[0] if path is not None
            else "".join(c if c.isalnum() else "-" for c in str(place).lower()))
    target = out_path or Path(f"{stem}{'-merged' if merge else ''}.gpkg")
    _check_outputs(out=target)
    osm_import.check_out(target)
    if merge:
        assert path is not None
        with _progress() as progress:
            merged = osm_import.merged_network_from_osm(
                path, network=network, bbox=bbox, secondary=secondary, country=country,
                service_tracks=service_tracks, snap_km=snap_km, corridor_km=corridor_km,
                min_coverage=min_coverage, site_defaults=site_defaults,
                keep_unused=keep_unused, progress=progress)
            progress(f"writing {target}")
            osm_import.write_network(merged.nodes, merged.edges, target, phases=merged.phases,
                                     frictions=merged.frictions)
        print_merge(path, merged, target)
        return
    with _progress() as progress:
        if path is not None:
            nodes, edges = osm_import.network_from_osm(path, progress=progress, **options)
        else:
            nodes, edges = osm_import.network_from_place(str(place), progress=progress, **options)
        progress(f"writing {target}")
        osm_import.write_network(nodes, edges, target)
    print_import(path or place, nodes, edges, target)

