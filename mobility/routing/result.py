"""What a route search returns: places, legs, transfers, border crossings and the route."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Place:
    """A route end or waypoint: what the user typed and the node it resolved to."""

    query: str
    node: str
    name: str
    country: str
    snap_km: float | None = None  # distance from the typed lat,lon to the node


@dataclass(frozen=True)
class Leg:
    """A run of edges in one mode on one track gauge; ``hours`` is the elapsed moving time.

    Road legs also give ``driving_h`` (at the column's rate of march), ``halts_h`` (short
    halts), ``rest_h`` (nights between march days) and ``march_days``.
    """

    mode: str
    gauge: str | None
    from_node: str
    to_node: str
    from_name: str
    to_name: str
    km: float
    hours: float
    speed_kph: float
    edges: tuple[str, ...]
    corridors: tuple[str, ...]
    driving_h: float | None = None
    halts_h: float | None = None
    rest_h: float | None = None
    march_days: int | None = None


@dataclass(frozen=True)
class Transfer:
    """Loading, unloading, a gauge transfer or a transshipment at a node.

    ``hours = dwell_h + handling_h``: the node's terminal dwell (network data) plus the
    unit's own loading/unloading time (unit profile).
    """

    node: str
    name: str
    action: str  # load, unload, gauge_transfer, transship
    from_mode: str | None
    to_mode: str | None
    from_gauge: str | None
    to_gauge: str | None
    dwell_h: float
    handling_h: float
    hours: float


@dataclass(frozen=True)
class BorderCrossing:
    """A road or rail edge that crosses a land border, with the scenario's clearance delay."""

    edge: str
    name: str
    mode: str
    from_node: str
    to_node: str
    from_country: str
    to_country: str
    delay_h: float


@dataclass(frozen=True)
class Route:
    """The move of one unit; ``hours = first_arrival_h + closing_h``.

    ``first_arrival_h`` equals the sum of the legs' hours, the transfers' hours and the
    border delays.
    """

    from_: Place
    to: Place
    via: tuple[Place, ...]
    unit: str
    unit_kind: str
    mode: str
    scenario: str
    hours: float
    km: float
    first_arrival_h: float
    closing_h: float
    closing_bottleneck: str
    legs: tuple[Leg, ...]
    transfers: tuple[Transfer, ...]
    border_crossings: tuple[BorderCrossing, ...]
    corridors: tuple[str, ...]
    avoided: tuple[str, ...] = ()
    distinguished_by: tuple[str, ...] = ()
    alternatives: tuple[Route, ...] = ()
    assumptions: tuple[str, ...] = ()

    @property
    def days(self) -> float:
        return self.hours / 24

    @property
    def gauge_transfers(self) -> tuple[Transfer, ...]:
        return tuple(t for t in self.transfers if t.action == "gauge_transfer")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``from`` instead of ``from_``); hours and km unrounded."""
        return {
            "from": asdict(self.from_),
            "to": asdict(self.to),
            "via": [asdict(p) for p in self.via],
            "unit": self.unit,
            "unit_kind": self.unit_kind,
            "mode": self.mode,
            "scenario": self.scenario,
            "hours": self.hours,
            "days": self.days,
            "km": self.km,
            "first_arrival_h": self.first_arrival_h,
            "closing_h": self.closing_h,
            "closing_bottleneck": self.closing_bottleneck,
            "legs": [asdict(leg) for leg in self.legs],
            "transfers": [asdict(t) for t in self.transfers],
            "gauge_transfers": [asdict(t) for t in self.gauge_transfers],
            "border_crossings": [asdict(b) for b in self.border_crossings],
            "corridors": list(self.corridors),
            "avoided": list(self.avoided),
            "distinguished_by": list(self.distinguished_by),
            "alternatives": [alt.to_dict() for alt in self.alternatives],
            "assumptions": list(self.assumptions),
        }


# --- the public functions -------------------------------------------------------------------
