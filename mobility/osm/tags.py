"""From OSM tags to the schema's edge attributes, with the defaults used where a tag is missing.

Military speeds and daily capacities are not in OpenStreetMap: they are the planning
assumptions A10 to A13 of ``data/SOURCES.md`` applied per class, and every edge says so in its
``source`` text. An OSM ``maxspeed`` lower than the planning speed caps it (a posted 30 km/h
bridge slows a convoy); a higher one does not raise it (a convoy does not run at 130 km/h
because a motorway allows it).

Rail (``railway=rail``)

=========  ====================  =========  ====================  ==================
gauge      tracks                speed_kph  trains/day/direction  assumption
=========  ====================  =========  ====================  ==================
1435       2 or more             50         12                    A10, A11
1435       1, or tag missing     35         6                     A10, A11
1520       2 or more             40         12                    A10, A11
1520       1, or tag missing     35         6                     A10, A11
dual       any                   20         6                     A10, A11
=========  ====================  =========  ====================  ==================

Road (``highway=*``; ``*_link`` ramps take their road's class)

=====================  ===========  =========  ======================  ==========
class                  lanes        speed_kph  vehicles/day/direction  assumption
=====================  ===========  =========  ======================  ==========
motorway               4 if missing 50         6000                    A12, A13
expressway (trunk with 4 if missing 50         6000                    A12, A13
``motorroad=yes`` or
``expressway=yes``)
trunk, 4+ lanes                     50         6000                    A12, A13
trunk                  2 if missing 40         3000                    A12, A13
primary                2 if missing 35         2000 (6000 if 4+ lanes) A12, A13
secondary              2 if missing 30         1000 (6000 if 4+ lanes) A12, A13
=====================  ===========  =========  ======================  ==========

``lanes`` is the total of both directions: a one-way carriageway's ``lanes`` is doubled (its
twin is assumed alike) and each carriageway gets half the per-direction capacity, because
both are stored as bidirectional edges that together carry the road's traffic. A roundabout
(``junction=roundabout|circular``) is one-way too but has no twin: it keeps the full capacity
and its own ``lanes``.
``bridge=yes`` with ``maxweight`` keeps the weight limit in ``source`` and leaves ``mlc``
blank: a gross-weight limit in tonnes is not a Military Load Class, and no conversion is
invented here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mobility.schema import KIND_TRANSFER_UNIT, Gauge, Mode, NodeKind, RoadClass

#: ``highway`` values imported; ``secondary`` only on request.
ROAD_CLASSES: dict[str, RoadClass] = {
    "motorway": RoadClass.motorway,
    "trunk": RoadClass.trunk,
    "primary": RoadClass.primary,
    "secondary": RoadClass.secondary,
}
#: ``railway=rail`` ``usage`` values kept; a missing ``usage`` is kept too.
RAIL_USAGE_KEPT = frozenset({"main", "branch"})
#: ``service`` values of side tracks, dropped unless ``service_tracks=True``.
RAIL_SERVICE_DROPPED = frozenset({"yard", "siding", "spur", "crossover"})
#: Gauge tag values (millimetres) per schema gauge; 1524 (Finland) runs 1520 stock.
GAUGE_VALUES: dict[str, Gauge] = {"1435": Gauge.standard, "1520": Gauge.broad,
                                  "1524": Gauge.broad}
#: Countries whose main-line gauge is 1520/1524, for rail ways without a ``gauge`` tag.
BROAD_GAUGE_COUNTRIES = frozenset({"LT", "LV", "EE", "BY", "RU", "UA", "FI"})
#: OSM ``oneway`` values meaning one-way (OSMnx's rule, so the XML and PBF readers agree).
ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})

#: (speed_kph, capacity trains/day/direction) by (gauge, double track?); A10, A11.
RAIL_DEFAULTS: dict[tuple[Gauge, bool], tuple[float, float]] = {
    (Gauge.standard, True): (50.0, 12.0),
    (Gauge.standard, False): (35.0, 6.0),
    (Gauge.broad, True): (40.0, 12.0),
    (Gauge.broad, False): (35.0, 6.0),
    (Gauge.dual, True): (20.0, 6.0),
    (Gauge.dual, False): (20.0, 6.0),
}
#: (speed_kph, capacity vehicles/day/direction, default total lanes) by class; A12, A13.
ROAD_DEFAULTS: dict[RoadClass, tuple[float, float, int]] = {
    RoadClass.motorway: (50.0, 6000.0, 4),
    RoadClass.expressway: (50.0, 6000.0, 4),
    RoadClass.trunk: (40.0, 3000.0, 2),
    RoadClass.primary: (35.0, 2000.0, 2),
    RoadClass.secondary: (30.0, 1000.0, 2),
}
#: Four or more lanes in total: motorway-like speed and capacity (A12, A13).
FOUR_LANE_SPEED_KPH, FOUR_LANE_CAPACITY = 50.0, 6000.0

#: A gauge-change facility tagged in OSM (``railway=gauge_conveyance``) without a curated
#: capacity: trains/day and dwell hours, like a bogie-exchange site (A2, assumption).
GAUGE_CONVEYANCE_CAPACITY_TRAINS_PER_DAY = 3.0
GAUGE_CONVEYANCE_DWELL_H = 10.0
GAUGE_TRANSFER_TAGS = frozenset({"gauge_conveyance"})

#: Connector edges from a curated site to the imported network (access track / road).
CONNECTOR_SPEED_KPH = 20.0

#: Tags that make an OSM node or closed way a site (terminal, base, port, airfield).
SITE_TAGS = ("military", "landuse", "harbour", "aeroway", "aerodrome", "aerodrome:type")
#: Tags read from ways and nodes (everything else is dropped while reading).
WAY_TAGS = ("railway", "usage", "service", "gauge", "maxspeed", "electrified", "tracks",
            "highway", "lanes", "bridge", "maxweight", "name", "ref", "oneway", "junction",
            "motorroad", "expressway", *SITE_TAGS)
NODE_TAGS = ("railway", "place", "name", *SITE_TAGS)
PLACE_CITY = frozenset({"city", "town"})

#: ``railway`` values that make a rail terminal.
RAIL_SITES = frozenset({"station", "yard"})
#: ``military`` values that are no place to load or receive a unit (ranges, bunkers …);
#: every other ``military=*`` is a base.
MILITARY_NOT_BASES = frozenset({"danger_area", "range", "bunker", "trench", "checkpoint",
                                "obstacle_course", "office", "no"})
#: Transfer capacity and dwell of a site found by its tags, by kind: planning assumptions
#: O1-O4 of data/SOURCES.md (the curated values of the same kinds, A5, A7, A8, A9), which a
#: table given to the import (``site_defaults``) overrides.
SITE_DEFAULTS: dict[NodeKind, tuple[float, float]] = {
    NodeKind.rail_terminal: (4.0, 6.0),   # O1 trains/day, dwell h (as A7)
    NodeKind.base: (4.0, 6.0),            # O2 trains/day, dwell h (as A5)
    NodeKind.port: (2.0, 24.0),           # O3 sailings/day, dwell h (A8, smaller ports)
    NodeKind.airport: (8.0, 3.0),         # O4 flights/day, dwell h (A9, smaller airfields)
    NodeKind.air_base: (8.0, 3.0),        # O4
}
SITE_ASSUMPTION = {NodeKind.rail_terminal: "O1", NodeKind.base: "O2", NodeKind.port: "O3",
                   NodeKind.airport: "O4", NodeKind.air_base: "O4"}


def site_kind(tags: dict[str, str]) -> tuple[NodeKind, str] | None:
    """The kind a tagged node or area becomes, and the tag that made it, or ``None``."""
    military = tags.get("military")
    if tags.get("aeroway") == "aerodrome":
        is_military = military == "airfield" or "military" in (
            tags.get("aerodrome:type"), tags.get("aerodrome"))
        return ((NodeKind.air_base, "aeroway=aerodrome (military)") if is_military
                else (NodeKind.airport, "aeroway=aerodrome"))
    if military is not None and military not in MILITARY_NOT_BASES:
        return NodeKind.base, f"military={military}"
    if tags.get("landuse") == "port":
        return NodeKind.port, "landuse=port"
    if tags.get("harbour") not in (None, "no"):
        return NodeKind.port, f"harbour={tags['harbour']}"
    if tags.get("railway") in RAIL_SITES:
        return NodeKind.rail_terminal, f"railway={tags['railway']}"
    return None


@dataclass(frozen=True)
class WayAttributes:
    """One OSM way's contribution to an edge, with how each value was obtained."""

    mode: Mode
    gauge: Gauge | None
    road_class: RoadClass | None
    speed_kph: float
    capacity_per_day: float
    tracks: int | None
    electrified: bool | None
    lanes: int | None
    name: str
    notes: tuple[str, ...]


def way_kind(tags: dict[str, str], *, secondary: bool, service_tracks: bool) -> Mode | None:
    """``rail``, ``road`` or ``None`` (not imported) for a way's tags."""
    if tags.get("railway") == "rail":
        usage, service = tags.get("usage"), tags.get("service")
        if service in RAIL_SERVICE_DROPPED or (usage is not None and usage not in RAIL_USAGE_KEPT):
            return Mode.rail if service_tracks else None
        return Mode.rail
    highway = tags.get("highway", "").removesuffix("_link")
    if highway in ROAD_CLASSES and (highway != "secondary" or secondary):
        return Mode.road
    return None


def parse_gauge(value: str | None) -> Gauge | str | None:
    """Schema gauge of a ``gauge`` tag; ``None`` when missing, the raw text when unsupported."""
    if value is None or not value.strip():
        return None
    parts = {part.strip() for part in value.split(";") if part.strip()}
    gauges = {GAUGE_VALUES.get(part) for part in parts}
    if None in gauges:
        return value
    return Gauge.dual if len(gauges) > 1 else gauges.pop()


def gauge_note(tag: str, gauge: Gauge) -> str:
    """How a ``gauge`` tag became the edge's gauge, for its ``source``."""
    parts = sorted({part.strip() for part in tag.split(";") if part.strip()})
    if parts == [str(gauge)]:
        return f"gauge {gauge} from OSM gauge={tag.strip()}"
    why = "dual-gauge track" if gauge == Gauge.dual else "1524 stock runs on 1520 track"
    return f"gauge {gauge}: OSM gauge={tag.strip()} mapped to {gauge} ({why})"


def parse_maxspeed(value: str | None) -> float | None:
    """Maxspeed in km/h (``mph`` converted); ``None`` for missing or symbolic values."""
    if not value:
        return None
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?", value.split(";")[0])
    if not match or float(match.group(1)) <= 0:
        return None
    speed = float(match.group(1))
    return speed * 1.609344 if match.group(2) == "mph" else speed


def _int_tag(value: str | None, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value.strip())
    return min(max(number, low), high) if number >= low else None


#: ``junction`` values of a ring (one-way by OSM's rules): the only carriageway there, not one
#: of twin carriageways, so it keeps its class's capacity and its ``lanes`` are not doubled.
#: Other ``junction=*`` values (``yes``, ``jughandle``, ``spui``, ``filter`` …) say nothing of
#: direction: the way's own ``oneway`` rules.
RING_JUNCTIONS = frozenset({"roundabout", "circular"})


def is_ring(tags: dict[str, str]) -> bool:
    return tags.get("junction") in RING_JUNCTIONS


def is_oneway(tags: dict[str, str]) -> bool:
    """A one-way carriageway of a divided road (its twin carries the other direction); a
    ring (:data:`RING_JUNCTIONS`) is one-way in OSM but the only carriageway: not."""
    return tags.get("oneway") in ONEWAY_VALUES and not is_ring(tags)


def rail_attributes(way_id: int, tags: dict[str, str], gauge: Gauge,
                    gauge_note: str | None) -> WayAttributes:
    """Edge attributes of a ``railway=rail`` way of the given (already resolved) gauge."""
    tracks = _int_tag(tags.get("tracks"), 1, 4)
    electrified = {"no": False}.get(tags.get("electrified", ""),
                                    True if tags.get("electrified") else None)
    double = tracks is not None and tracks >= 2
    default_speed, capacity = RAIL_DEFAULTS[(gauge, double)]
    kind = f"{gauge} {'double' if double else 'single'} track" if gauge != Gauge.dual else \
        "dual-gauge track"
    notes = [] if gauge_note is None else [gauge_note]
    speed = _capped_speed(default_speed, tags.get("maxspeed"), kind, "A10", notes)
    tracks_note = "" if tracks is not None else "; tracks missing, single assumed"
    notes.append(f"capacity {capacity:g} trains/day default for {kind} (assumption A11"
                 f"{tracks_note})")
    return WayAttributes(Mode.rail, gauge, None, speed, capacity, tracks, electrified, None,
                         _name(tags), tuple(notes))


def road_attributes(way_id: int, tags: dict[str, str], *, oneway: bool) -> WayAttributes:
    """Edge attributes of a ``highway`` way (motorway, trunk, primary, secondary, links)."""
    highway = tags["highway"].removesuffix("_link")
    road_class = ROAD_CLASSES[highway]
    if road_class == RoadClass.trunk and "yes" in (tags.get("motorroad"), tags.get("expressway")):
        road_class = RoadClass.expressway
    default_speed, capacity, default_lanes = ROAD_DEFAULTS[road_class]
    notes: list[str] = []
    lanes_tag = _int_tag(tags.get("lanes"), 1, 6)
    if lanes_tag is None:
        lanes = default_lanes
        notes.append(f"lanes {lanes} default for {road_class} (assumption; lanes missing)")
    else:
        lanes = min(lanes_tag * 2 if oneway else lanes_tag, 12)
    four_lane = lanes >= 4 and road_class not in (RoadClass.motorway, RoadClass.expressway)
    if four_lane:
        capacity = FOUR_LANE_CAPACITY
        if road_class == RoadClass.trunk:
            default_speed = FOUR_LANE_SPEED_KPH
    label = f"{road_class}{' with 4+ lanes' if four_lane else ''}"
    speed = _capped_speed(default_speed, tags.get("maxspeed"), label, "A12", notes)
    if is_ring(tags):
        notes.append(f"junction={tags['junction']}: the ring is the road's only carriageway, "
                     "full capacity (not halved as a one-way twin)")
    if oneway:
        capacity /= 2
        notes.append(f"capacity {capacity:g} vehicles/day: half of {label}'s "
                     f"{capacity * 2:g} on this one-way carriageway (assumption A13)")
    else:
        notes.append(f"capacity {capacity:g} vehicles/day default for {label} (assumption A13)")
    if tags.get("bridge") not in (None, "no") and tags.get("maxweight"):
        notes.append(f"bridge way {way_id} maxweight {tags['maxweight']} (OSM; mlc not derived)")
    return WayAttributes(Mode.road, None, road_class, speed, capacity, None, None, lanes,
                         _name(tags), tuple(notes))


def _capped_speed(default: float, maxspeed_tag: str | None, label: str, assumption: str,
                  notes: list[str]) -> float:
    maxspeed = parse_maxspeed(maxspeed_tag)
    if maxspeed is None:
        why = "maxspeed missing" if not maxspeed_tag else f"maxspeed {maxspeed_tag!r} not numeric"
        notes.append(f"speed {default:g} km/h default for {label} (assumption {assumption}; {why})")
        return default
    if maxspeed < default:
        notes.append(f"speed {maxspeed:g} km/h: OSM maxspeed below the {default:g} km/h "
                     f"default for {label} (assumption {assumption})")
        return maxspeed
    notes.append(f"speed {default:g} km/h default for {label} (assumption {assumption}; "
                 f"OSM maxspeed {maxspeed:g})")
    return default


def _name(tags: dict[str, str]) -> str:
    ref, name = tags.get("ref", "").strip(), tags.get("name", "").strip()
    return f"{ref} {name}".strip() if ref and name and ref not in name else (name or ref)


def defaults_table() -> str:
    """The defaults above as plain text lines (for ``mobility import-osm --help``)."""
    rail = [f"  rail {gauge:>4} {'double' if double else 'single'}: {speed:g} km/h, "
            f"{capacity:g} trains/day" for (gauge, double), (speed, capacity)
            in RAIL_DEFAULTS.items() if gauge != Gauge.dual or double]
    road = [f"  road {cls:<10}: {speed:g} km/h, {capacity:g} vehicles/day, {lanes} lanes"
            for cls, (speed, capacity, lanes) in ROAD_DEFAULTS.items()]
    return "\n".join([
        "Planning defaults where OSM has no tag (assumptions A10-A13,",
        "data/SOURCES.md; per direction; maxspeed only lowers a speed;",
        "single track where 'tracks' is missing):",
        *[line.replace("rail dual double", "rail dual (any)") for line in rail], *road,
        f"  4+ lanes: {FOUR_LANE_CAPACITY:g} vehicles/day (trunk "
        f"{FOUR_LANE_SPEED_KPH:g} km/h); one-way carriageway: half",
        "  roundabout (junction=roundabout|circular): full, lanes as tagged",
        *[f"  {kind}: {capacity:g} {KIND_TRANSFER_UNIT[kind]}s/day, dwell {dwell:g} h "
          f"(by tag, {SITE_ASSUMPTION[kind]})" for kind, (capacity, dwell)
          in SITE_DEFAULTS.items()],
        f"  railway=gauge_conveyance: "
        f"{GAUGE_CONVEYANCE_CAPACITY_TRAINS_PER_DAY:g} trains/day, dwell "
        f"{GAUGE_CONVEYANCE_DWELL_H:g} h",
        f"  connectors to curated sites: {CONNECTOR_SPEED_KPH:g} km/h",
        "  bridge maxweight: kept in 'source'; mlc blank (no t-to-MLC rule)",
    ])
