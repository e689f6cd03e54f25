"""Terminals, bases, ports and airfields from OSM tags, with labelled default capacities.

A node or closed way tagged ``railway=station|yard``, ``military=*`` (but ranges, bunkers …:
:data:`~mobility.osm.tags.MILITARY_NOT_BASES`), ``landuse=port``, ``harbour=*`` or
``aeroway=aerodrome`` becomes a rail terminal, base, port, airport or air base
(:func:`~mobility.osm.tags.site_kind`). OSM holds no capacity or dwell: each kind takes the
planning assumption of :data:`~mobility.osm.tags.SITE_DEFAULTS` (O1-O4 of data/SOURCES.md),
stated in the node's ``source``, unless a table (:func:`read_site_defaults`) gives others.
The import then joins each site to the nearest road and rail of the kinds it handles, as it
does curated sites; a site within the snap distance of a curated node of the same kind is
left out (the curated one, with sourced figures, stands for it) and reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from mobility._errors import NetworkDataError
from mobility.osm import tags as osm_tags
from mobility.osm.index import PointIndex
from mobility.osm.read import OsmExtract
from mobility.schema import KIND_TRANSFER_UNIT, NodeKind, NodeRecord, transfer_modes

SiteDefaults = dict[NodeKind, tuple[float, float]]
_COLUMNS = ("kind", "transfer_capacity_per_day", "transfer_dwell_h")


def read_site_defaults(path: str | Path) -> SiteDefaults:
    """The defaults table with the rows of a CSV or YAML file laid over it.

    CSV: columns ``kind,transfer_capacity_per_day,transfer_dwell_h``; YAML: a mapping of kind
    to ``{transfer_capacity_per_day: …, transfer_dwell_h: …}``. A kind left out keeps its
    default; a value left blank keeps the default of that value.
    """
    from mobility._yaml import read_yaml

    path = Path(path)
    if not path.is_file():
        raise NetworkDataError(f"{path}: no such file (expected the site defaults table, "
                               f".csv or .yaml, columns {', '.join(_COLUMNS)})")
    if path.suffix.lower() == ".csv":
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
            raise NetworkDataError(f"{path}: cannot be read as CSV: {error}") from None
        unknown = sorted(set(frame.columns) - set(_COLUMNS))
        if unknown or "kind" not in frame.columns:
            raise NetworkDataError(f"{path}: column {(unknown or ['kind'])[0]!r}: expected "
                                   f"columns {', '.join(_COLUMNS)}")
        rows = {str(r["kind"]).strip(): {k: r[k] for k in _COLUMNS[1:] if k in r}
                for r in frame.to_dict("records")}
    elif path.suffix.lower() in (".yaml", ".yml"):
        raw = read_yaml(path, NetworkDataError) or {}
        if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
            raise NetworkDataError(f"{path}: expected a mapping of kind to "
                                   "{transfer_capacity_per_day: …, transfer_dwell_h: …}")
        rows = {str(k): v for k, v in raw.items()}
    else:
        raise NetworkDataError(f"{path}: the site defaults table must be .csv or .yaml")
    table = dict(osm_tags.SITE_DEFAULTS)
    valid = ", ".join(str(k) for k in osm_tags.SITE_DEFAULTS)
    for kind_text, values in rows.items():
        try:
            kind = NodeKind(kind_text)
        except ValueError:
            kind = None
        if kind not in table:
            raise NetworkDataError(f"{path}: field 'kind' = {kind_text!r}: valid kinds: "
                                   f"{valid}")
        numbers = list(table[kind])
        for position, name in enumerate(_COLUMNS[1:]):
            value = values.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            low_ok = number > 0 if position == 0 else number >= 0
            if not (low_ok and number <= (100_000 if position == 0 else 8760)):
                what = "a positive number" if position == 0 else "hours, 0 or more"
                raise NetworkDataError(f"{path}: kind {kind_text!r}: field '{name}' = "
                                       f"{value!r}: expected {what}")
            numbers[position] = number
        table[kind] = (numbers[0], numbers[1])
    return table


def site_records(extract: OsmExtract, locate: Callable[[float, float, str], str],
                 curated: list[NodeRecord], snap_m: float, defaults: SiteDefaults | None,
                 report: list[str]) -> list[NodeRecord]:
    """One node record per tagged site of the extract (see the module docstring)."""
    table = defaults or osm_tags.SITE_DEFAULTS
    handling = [c for c in curated if transfer_modes(c.kind)]
    index = PointIndex([c.lon for c in handling], [c.lat for c in handling])
    records: list[NodeRecord] = []
    left_out: list[str] = []
    for key in sorted(extract.sites, key=_order):
        tags, lon, lat = extract.sites[key]
        found = osm_tags.site_kind(tags)
        if found is None:
            continue
        kind, tag = found
        element, osm_id = key.split("/")
        twin = next((handling[i] for _, i in index.within(lon, lat, snap_m)
                     if handling[i].kind == kind), None)
        if twin is not None:
            left_out.append(f"{element} {osm_id} ({tag}) → '{twin.id}'")
            continue
        capacity, dwell = table[kind]
        unit = KIND_TRANSFER_UNIT[kind]
        label = (f"default (assumption {osm_tags.SITE_ASSUMPTION[kind]})"
                 if table[kind] == osm_tags.SITE_DEFAULTS[kind] else "from the table given")
        name = tags.get("name", "").strip() or f"{tag} (OSM {element} {osm_id})"
        records.append(NodeRecord(
            id=f"osm-{element}-{osm_id}", name=name, kind=kind, lon=lon, lat=lat,
            country=locate(lon, lat, f"OSM {element} {osm_id}"),
            transfer_capacity_per_day=capacity, transfer_dwell_h=dwell,
            source=(f"OSM {element} {osm_id} {tag}; {kind} by tag; capacity {capacity:g} "
                    f"{unit}s/day and dwell {dwell:g} h {label}")))
    if left_out:
        report.append(f"{len(left_out)} OSM site(s) left out, a curated site of the same "
                      f"kind within {snap_m / 1000:g} km: " + "; ".join(left_out[:10])
                      + (" …" if len(left_out) > 10 else ""))
    return records


def _order(key: str) -> tuple[str, int]:
    element, osm_id = key.split("/")
    return element, int(re.sub(r"\D", "", osm_id) or 0)
