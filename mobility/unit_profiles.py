"""Unit profiles: what a routed unit is (kind and size) and how each mode carries it.

The numbers live in ``data/unit_profiles.yaml``, each with its source or stated assumption
(U1-U8 there). A profile combines a *kind* (``tracked_heavy``, ``wheeled``, ``personnel``:
the modes it may use, its road carrier and speed, its loading and unloading times) with a
*size* (tracked vehicles, wheeled vehicles, troops). From these :meth:`UnitProfile.lots` gives
how many trains, road vehicles, sailings and flights the whole unit needs, which sets how
long it takes to pass a terminal or a line (:mod:`mobility.routing`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeAlias, cast

from pydantic import Field, ValidationError, create_model, model_validator

from mobility._data import data_dir
from mobility._errors import MobilityError
from mobility._yaml import InputModel, cached_by_file, describe, read_yaml
from mobility.names import normalise, suggestions
from mobility.schema import DATA_MODES, LIFT_UNITS, DataMode, Mode

Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


class UnitProfileError(MobilityError):
    """A unit profile file or a unit name is invalid."""


class _Model(InputModel):
    """Unknown fields, NaN, inf and booleans for numbers refused (see InputModel)."""


class Carrier(_Model):
    """What one train, sailing or flight carries (0 or absent: cannot carry that item)."""

    tracked: NonNegative = 0
    wheeled: NonNegative = 0
    troops: NonNegative = 0


class _Carriers(_Model):
    bus_troops: Positive

    def lift(self, unit: str) -> Carrier:
        """What one ``unit`` (train, sailing, flight …) carries."""
        return cast(Carrier, getattr(self, unit))


if TYPE_CHECKING:
    Carriers: TypeAlias = _Carriers
else:  # a field per long-haul mode's lift, from the registry
    Carriers = create_model(
        "Carriers", __base__=_Carriers,
        __doc__="What one lift of each long-haul mode carries, and troops per bus.",
        **{unit: (Carrier, ...) for unit in LIFT_UNITS})


class RoadMarch(_Model):
    march_unit_vehicles: Annotated[int, Field(ge=1)] = 20
    march_unit_gap_min: NonNegative = 5
    short_halt_min_per_h: Annotated[float, Field(ge=0, lt=60)] = 0


class Handling(_Model):
    """Hours the unit itself needs to load onto / unload from a mode (after the node dwell)."""

    load_h: NonNegative
    unload_h: NonNegative


class _KindHandling(_Model):
    def of(self, mode: str) -> Handling | None:
        """The kind's handling hours onto / off ``mode`` (None: it cannot use it)."""
        return cast("Handling | None", getattr(self, mode, None))


if TYPE_CHECKING:
    KindHandling: TypeAlias = _KindHandling
else:  # road always (every move starts and ends on it), each other mode of the registry
    KindHandling = create_model(
        "KindHandling", __base__=_KindHandling, road=(Handling, ...),
        **{str(m): (Handling | None, None) for m in DATA_MODES if m != Mode.road})


class Kind(_Model):
    description: str
    modes: tuple[DataMode, ...] = Field(min_length=1)
    road_carrier: str
    road_speed_kph: Positive
    road_vehicles_per_km: Positive
    min_mlc: NonNegative | None = None
    min_axle_load_t: NonNegative | None = None
    handling: KindHandling
    gauge_transfer_h: NonNegative = 0

    @model_validator(mode="after")
    def _handling_for_each_mode(self) -> Kind:
        if "road" not in self.modes:
            raise ValueError("every kind moves by road at its start and end; add 'road' to modes")
        missing = [m for m in self.modes if self.handling.of(m) is None]
        if missing:
            raise ValueError(f"modes {missing} need handling times (load_h, unload_h)")
        return self


class Size(_Model):
    kind: str
    description: str
    tracked: Annotated[int, Field(ge=0)] = 0
    wheeled: Annotated[int, Field(ge=0)] = 0
    troops: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _not_empty(self) -> Size:
        if self.tracked + self.wheeled + self.troops == 0:
            raise ValueError("a unit needs some tracked, wheeled vehicles or troops")
        return self


class ProfileFile(_Model):
    carriers: Carriers
    road_march: RoadMarch = RoadMarch()
    kinds: dict[str, Kind]
    profiles: dict[str, Size] = Field(min_length=1)
    aliases: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> ProfileFile:
        for name, size in self.profiles.items():
            if size.kind not in self.kinds:
                valid = ", ".join(sorted(self.kinds))
                raise ValueError(f"profile {name!r}: kind {size.kind!r} is not one of: {valid}")
        for alias, target in self.aliases.items():
            if target not in self.profiles:
                raise ValueError(f"alias {alias!r} names unknown profile {target!r}")
        return self


@dataclass(frozen=True)
class UnitProfile:
    """One routable unit: its kind's movement rules and its size.

    Hashable, so routing can cache per profile.
    """

    name: str
    kind_name: str
    size: Size
    kind: Kind
    carriers: Carriers
    road_march: RoadMarch
    source: str

    @property
    def description(self) -> str:
        return self.size.description

    @property
    def modes(self) -> tuple[str, ...]:
        return self.kind.modes

    @property
    def road_vehicles(self) -> int:
        """Vehicles in the road column (buses for troops without vehicles)."""
        vehicles = self.size.tracked + self.size.wheeled
        if vehicles:
            return vehicles
        return math.ceil(self.size.troops / self.carriers.bus_troops)

    def lots(self) -> dict[str, int]:
        """Trains, road vehicles, sailings and flights the whole unit needs (0: cannot)."""
        lots = {unit: self._loads(self.carriers.lift(unit)) for unit in LIFT_UNITS}
        return {"vehicle": self.road_vehicles, **lots}

    def _loads(self, carrier: Carrier) -> int:
        size = self.size
        if size.tracked or size.wheeled:
            share = 0.0
            for count, per_load in ((size.tracked, carrier.tracked),
                                    (size.wheeled, carrier.wheeled)):
                if count and not per_load:
                    return 0
                share += count / per_load if count else 0.0
            return math.ceil(share - 1e-9)
        if not carrier.troops:
            return 0
        return math.ceil(size.troops / carrier.troops - 1e-9)

    def handling(self, mode: str) -> Handling:
        found = self.kind.handling.of(mode)
        if found is None:
            raise UnitProfileError(f"unit {self.name!r} has no handling times for {mode}")
        return found

    def column_pass_h(self, speed_kph: float) -> float:
        """Hours for the whole road column to pass a point (FM 3-21.8 densities, U4).

        ``(vehicles - 1) / density / speed + (march units - 1) x gap``.
        """
        vehicles = self.road_vehicles
        march_units = math.ceil(vehicles / self.road_march.march_unit_vehicles)
        length_km = (vehicles - 1) / self.kind.road_vehicles_per_km
        return length_km / speed_kph + (march_units - 1) * self.road_march.march_unit_gap_min / 60

    def summary(self) -> str:
        size = self.size
        parts = [f"{n:,} {what}" for n, what in ((size.tracked, "tracked"),
                                                  (size.wheeled, "wheeled vehicles"),
                                                  (size.troops, "troops")) if n]
        return f"{self.name} ({self.kind_name}: {', '.join(parts)})"


def default_profiles_path() -> Path:
    return data_dir() / "unit_profiles.yaml"


def load_unit_profiles(path: str | Path | None = None) -> dict[str, UnitProfile]:
    """Read and validate a profile file (default ``data/unit_profiles.yaml``), by name."""
    return dict(_load(str(Path(path) if path is not None else default_profiles_path())))


@cached_by_file(maxsize=8)
def _load(path: str) -> tuple[tuple[str, UnitProfile], ...]:
    raw = read_yaml(path, UnitProfileError)
    try:
        parsed = ProfileFile.model_validate(raw)
    except ValidationError as error:
        raise UnitProfileError(describe(error, path, ProfileFile)) from None
    profiles = []
    for name in sorted(parsed.profiles):
        size = parsed.profiles[name]
        profiles.append((name, UnitProfile(
            name=name, kind_name=size.kind, size=size, kind=parsed.kinds[size.kind],
            carriers=parsed.carriers, road_march=parsed.road_march, source=path)))
    aliases = tuple(sorted(parsed.aliases.items()))
    return (*profiles, *((f"alias:{a}", dict(profiles)[t]) for a, t in aliases))


def unit_profile(name: str | UnitProfile, path: str | Path | None = None) -> UnitProfile:
    """The profile called ``name`` (or an alias such as ``heavy``), case-insensitive."""
    if isinstance(name, UnitProfile):
        return name
    return _unit_profile(str(Path(path) if path is not None else default_profiles_path()), name)


@cached_by_file(maxsize=64)
def _unit_profile(path: str, name: str) -> UnitProfile:
    table = load_unit_profiles(path)
    wanted = normalise(name)
    for key, profile in table.items():
        if normalise(key.removeprefix("alias:")) == wanted:
            return profile
    names = sorted(k for k in table if not k.startswith("alias:"))
    aliases = sorted(k.removeprefix("alias:") for k in table if k.startswith("alias:"))
    close = suggestions(name, names + aliases)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    listing = "; ".join(f"{n} ({table[n].description})" for n in names)
    msg = (f"unknown unit {name!r}{hint}. Valid units: {listing}; aliases: {', '.join(aliases)} "
           f"(profiles in {table[names[0]].source})")
    raise UnitProfileError(msg)
