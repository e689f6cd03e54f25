"""The one definition of the network's nodes, edges and phases.

A network is two tables (nodes and edges) and an optional table of dated phases. The curated
default network is stored as CSV in ``data/network/`` (edge geometry given as ``via``
waypoints); imported networks (e.g. from OpenStreetMap) are stored as a GeoPackage with
``nodes`` and ``edges`` layers carrying real geometry. Both are validated here, row by row,
into the records below.

Units are in the names: ``length_km``, ``speed_kph``, ``transfer_dwell_h``. Capacities are per
day and per direction, in the natural unit of the mode (:data:`MODE_UNIT`) or, for transfers
at a node, of the node's kind (:data:`KIND_TRANSFER_UNIT`).

Gauge is physics, not a label: rail edges carry a gauge (1435, 1520 or dual track usable by
both). A train keeps its gauge; it changes gauge only through the transfer of a
``gauge_transfer`` node (see :mod:`mobility.movement`), which has a capacity and a dwell time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mobility._errors import NetworkDataError
from mobility._yaml import InputModel


class Mode(StrEnum):
    """How a movement travels along an edge; ``transfer`` arcs are generated at nodes."""

    road = "road"
    rail = "rail"
    sea = "sea"
    air = "air"
    transfer = "transfer"


@dataclass(frozen=True)
class ModeSpec:
    """What the model knows of a transport mode: the mode registry's row (:data:`MODES`).

    A new mode is a :class:`Mode` member, a row of :data:`MODES`, the node kinds that handle it
    (:data:`KIND_TRANSFER_MODES`, :data:`KIND_TRANSFER_UNIT`) and its data: edges of that mode,
    a fleet of its carrier (``data/fleets.yaml``), what a carrier takes and the handling hours
    of each kind in ``data/unit_profiles.yaml``. Road and rail keep physics of their own in the
    modules that model them (the daily march limit; gauges).
    """

    #: What an edge's ``capacity_per_day`` counts, and what one lift of the mode is.
    unit: str
    #: Carried between terminals (trains, ships, aircraft); road is the first and last mile.
    long_haul: bool
    #: Runs over land borders, where crossing clearance applies.
    land: bool
    #: The fleet type that carries loads on its edges (``data/fleets.yaml`` carriers); ``None``:
    #: road (vehicles drive, or ride a transporter by cargo class) and rail (by gauge).
    carrier: str | None
    #: Name in map legends and tables.
    label: str


#: The mode registry: every data mode and what the model needs to know of it.
MODES: dict[Mode, ModeSpec] = {
    Mode.road: ModeSpec("vehicle", long_haul=False, land=True, carrier=None, label="Road"),
    Mode.rail: ModeSpec("train", long_haul=True, land=True, carrier=None, label="Rail"),
    Mode.sea: ModeSpec("sailing", long_haul=True, land=False, carrier="sailing",
                       label="Sea route"),
    Mode.air: ModeSpec("flight", long_haul=True, land=False, carrier="flight",
                       label="Air route"),
}
#: The modes of data edges, forces and profiles (``transfer`` arcs are generated at nodes).
DATA_MODES: tuple[Mode, ...] = tuple(MODES)
#: Modes a unit is carried on between terminals, in the registry's order.
LONG_HAUL_MODES: tuple[Mode, ...] = tuple(m for m, spec in MODES.items() if spec.long_haul)
#: Modes whose edges cross land borders.
LAND_MODES: frozenset[Mode] = frozenset(m for m, spec in MODES.items() if spec.land)
#: The units of the modes (vehicle, train, sailing, flight), in the registry's order.
MODE_UNITS: tuple[str, ...] = tuple(dict.fromkeys(spec.unit for spec in MODES.values()))
#: One lift of each long-haul mode (train, sailing, flight): what a carrier takes.
LIFT_UNITS: tuple[str, ...] = tuple(MODES[m].unit for m in LONG_HAUL_MODES)


def data_mode(value: str) -> str:
    """``value`` if it names a data mode; a ``ValueError`` listing the modes otherwise."""
    if value not in MODES:
        raise ValueError(f"unknown mode {value!r}; valid: {', '.join(DATA_MODES)}")
    return str(value)


#: A data mode in an input model (forces, scenarios, unit profiles), checked on the registry.
DataMode = Annotated[str, AfterValidator(data_mode)]


class Gauge(StrEnum):
    """Rail track gauge in millimetres; ``dual`` is interlaced (four-rail) track usable by both."""

    standard = "1435"
    broad = "1520"
    dual = "dual"


def track_gauges(gauge: Gauge | str) -> tuple[str, ...]:
    """The gauges trains can run on over this track: dual track carries both."""
    return ("1435", "1520") if Gauge(gauge) == Gauge.dual else (str(Gauge(gauge)),)


class NodeKind(StrEnum):
    city = "city"
    junction = "junction"
    border_crossing = "border_crossing"
    rail_terminal = "rail_terminal"
    loading_site = "loading_site"
    gauge_transfer = "gauge_transfer"
    port = "port"
    airport = "airport"
    air_base = "air_base"
    base = "base"
    origin = "origin"


class RoadClass(StrEnum):
    motorway = "motorway"
    expressway = "expressway"
    trunk = "trunk"
    primary = "primary"
    secondary = "secondary"


#: Unit of an edge's ``capacity_per_day`` by mode.
MODE_UNIT: dict[Mode, str] = {mode: spec.unit for mode, spec in MODES.items()}

_RAIL_HANDLING = frozenset({"road", "rail"})
#: Which modes a node of each kind can transfer between (load, unload, tranship).
#: Kinds not listed (city, junction, border_crossing) let traffic pass in its own mode only.
KIND_TRANSFER_MODES: dict[NodeKind, frozenset[str]] = {
    NodeKind.rail_terminal: _RAIL_HANDLING,
    NodeKind.loading_site: _RAIL_HANDLING,
    NodeKind.origin: _RAIL_HANDLING,
    NodeKind.base: _RAIL_HANDLING,
    NodeKind.gauge_transfer: _RAIL_HANDLING,
    NodeKind.port: frozenset({"sea", "road", "rail"}),
    NodeKind.airport: frozenset({"air", "road"}),
    NodeKind.air_base: frozenset({"air", "road"}),
}



def transfer_modes(kind: NodeKind | str) -> frozenset[str]:
    """Modes a node of this kind can transfer between (empty: traffic only passes through)."""
    return KIND_TRANSFER_MODES.get(NodeKind(kind), frozenset())


#: Unit of a node's ``transfer_capacity_per_day`` by kind.
KIND_TRANSFER_UNIT: dict[NodeKind, str] = {
    NodeKind.rail_terminal: "train",
    NodeKind.loading_site: "train",
    NodeKind.origin: "train",
    NodeKind.base: "train",
    NodeKind.gauge_transfer: "train",
    NodeKind.port: "sailing",
    NodeKind.airport: "flight",
    NodeKind.air_base: "flight",
}

#: Kinds whose transfer capacity must be stated (an unlimited port or gauge transfer would
#: silently remove the bottleneck the model exists to find).
KINDS_REQUIRING_CAPACITY = frozenset(
    {NodeKind.gauge_transfer, NodeKind.port, NodeKind.airport, NodeKind.air_base}
)

#: Corridor tags an edge may carry.
CORRIDORS = frozenset(
    {
        "via_baltica", "suwalki", "rail_baltica", "e77", "e85", "e262", "e20", "e263", "e67",
        "a2", "route16_135", "e28", "e30", "e40", "e22", "e272", "a12", "a6", "s8", "s61",
        "e75", "e261", "e65", "e55", "e45", "e26", "e264", "e67_pl", "kiel_canal",
    }
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")

PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]


class _Record(InputModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    @field_validator("id", check_fields=False)
    @classmethod
    def _ascii_id(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            msg = "must be lowercase ASCII letters, digits, '-' or '_' (e.g. 'kazlu-ruda')"
            raise ValueError(msg)
        return value


class NodeRecord(_Record):
    """One node: a town, junction, terminal, port, airport, base or border crossing."""

    id: str
    name: str = Field(min_length=1)
    country: str
    kind: NodeKind
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    gauge: Gauge | None = None
    # Upper bounds catch typos and unit slips (absurd magnitudes), not real limits.
    transfer_capacity_per_day: Annotated[float, Field(gt=0, le=100_000)] | None = None
    transfer_dwell_h: Annotated[float, Field(ge=0, le=8760)] | None = None
    #: A border crossing into a hostile state (RU, BY): the network ends there and nothing
    #: crosses it (e.g. a border-delay investment does not apply). Networks without the
    #: column have no hostile crossings: it defaults to false.
    hostile: bool = False
    source: str = Field(min_length=1)

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str) -> str:
        if not COUNTRY_PATTERN.match(value):
            raise ValueError("must be an ISO 3166-1 alpha-2 code such as 'LT'")
        return value

    @model_validator(mode="after")
    def _capacity_where_needed(self) -> NodeRecord:
        if self.kind in KINDS_REQUIRING_CAPACITY and self.transfer_capacity_per_day is None:
            unit = KIND_TRANSFER_UNIT[self.kind]
            msg = (
                f"transfer_capacity_per_day is required for kind '{self.kind}' "
                f"({unit}s per day; state an assumption in data/SOURCES.md)"
            )
            raise ValueError(msg)
        if self.hostile and self.kind != NodeKind.border_crossing:
            msg = (f"hostile is only for border crossings, not kind '{self.kind}' (true: a "
                   "crossing into a hostile state that nothing crosses)")
            raise ValueError(msg)
        return self

    @property
    def transfer_modes(self) -> frozenset[str]:
        return transfer_modes(self.kind)


class EdgeRecord(_Record):
    """One bidirectional link between two nodes; capacity is per direction."""

    id: str
    u: str
    v: str
    mode: Mode
    name: str = ""
    via: tuple[str, ...] = ()
    # Upper bounds catch typos and unit slips (absurd magnitudes), not real limits.
    length_km: Annotated[float, Field(gt=0, le=20_000)] | None = None
    speed_kph: Annotated[float, Field(gt=0, le=1_200)]
    capacity_per_day: Annotated[float, Field(gt=0, le=1_000_000)]
    gauge: Gauge | None = None
    tracks: Annotated[int, Field(ge=1, le=4)] | None = None
    electrified: bool | None = None
    max_train_length_m: PositiveFloat | None = None
    axle_load_t: PositiveFloat | None = None
    road_class: RoadClass | None = None
    lanes: Annotated[int, Field(ge=1, le=12)] | None = None
    mlc: PositiveFloat | None = None
    corridors: tuple[str, ...] = ()
    phase: str | None = None
    replaces: str | None = None
    #: Ids of the curated edges whose line this edge carries after conflation (an OSM edge
    #: on the path that replaced them): a capacity change naming such an id changes it.
    carries: tuple[str, ...] = ()
    source: str = Field(min_length=1)

    @field_validator("via", "corridors", "carries", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(";") if part.strip())
        return value

    @field_validator("corridors")
    @classmethod
    def _known_corridors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - CORRIDORS)
        if unknown:
            msg = f"unknown corridor tag(s) {unknown}; valid: {', '.join(sorted(CORRIDORS))}"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _mode_attributes(self) -> EdgeRecord:
        if self.mode == Mode.transfer:
            msg = ("mode 'transfer' is generated at nodes; data edges are "
                   f"{', '.join(DATA_MODES)}")
            raise ValueError(msg)
        if self.u == self.v:
            raise ValueError(f"u and v are both '{self.u}'; an edge joins two different nodes")
        if self.mode == Mode.rail and self.gauge is None:
            raise ValueError("rail edges need a gauge: 1435, 1520 or dual")
        if self.mode != Mode.rail and self.gauge is not None:
            raise ValueError(f"gauge is only for rail edges, not {self.mode}")
        return self

    @property
    def unit(self) -> str:
        return MODE_UNIT[self.mode]


class PhaseRecord(_Record):
    """A named, dated set of sections (e.g. a Rail Baltica construction phase)."""

    id: str
    name: str = Field(min_length=1)
    opens_year: int = Field(ge=1990, le=2100)
    description: str = ""
    source: str = Field(min_length=1)


NODE_COLUMNS = tuple(NodeRecord.model_fields)
EDGE_COLUMNS = tuple(EdgeRecord.model_fields)
PHASE_COLUMNS = tuple(PhaseRecord.model_fields)


def describe_validation_error(
    error: ValidationError, *, path: str, feature: str, row: int | None, record_id: str | None
) -> str:
    """One readable line for the first problem of a row: file, feature, field, value, fix."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(row)"
    where = f"{path}: {feature}"
    if record_id:
        where += f" '{record_id}'"
    if row is not None:
        where += f" (row {row})"
    value = first.get("input")
    if first["type"] == "missing":
        return f"{where}: field '{field}' is missing"
    if first["loc"]:
        return f"{where}: field '{field}' = {value!r}: {_clean(first['msg'])}"
    return f"{where}: {_clean(first['msg'])}"


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")


def parse_record(
    model: type[_Record], values: dict[str, Any], *, path: str, feature: str, row: int | None
) -> Any:
    """Validate one row into ``model``, raising :class:`NetworkDataError` with a clear message."""
    cleaned = {key: (None if _is_blank(value) else value) for key, value in values.items()}
    cleaned = {key: value for key, value in cleaned.items() if value is not None}
    try:
        return model.model_validate(cleaned)
    except ValidationError as error:
        record_id = values.get("id")
        msg = describe_validation_error(
            error, path=path, feature=feature, row=row, record_id=str(record_id or "") or None
        )
        raise NetworkDataError(msg) from None


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from pandas
        return True
    return isinstance(value, str) and not value.strip()
