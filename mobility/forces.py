"""Force lists and lift fleets: what must move, when it is ready, and what carries it.

A *force list* (``data/forces/*.yaml``) is a time-phased list of formations in the form a
TPFDD takes (unit, size, origin, ready-to-load day, destination): each formation names a
unit profile of ``data/unit_profiles.yaml`` (vehicles by kind and troops: the one source of
truth for what a formation is and how many trains, sailings and flights it fills), a home
node, the day it is ready to load, the modes it may use and its assembly area.

A *fleet file* (``data/fleets.yaml``) lists the lift that carries it: ro-ro ships, train sets
of each gauge, strategic airlift, heavy equipment transporters and buses, each with a count
that grows in tranches as ships and aircraft reach readiness. Capacities are counted in the
standard carriers of the unit-profile file (``carriers``: what one train, sailing or flight
carries); ``units_each`` says how many standard carriers one ship or train set is worth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationError, model_validator

from mobility._data import data_dir
from mobility._errors import MobilityError
from mobility._yaml import InputModel, cached_by_file, describe, read_yaml
from mobility.names import suggestions
from mobility.schema import DATA_MODES, MODES, DataMode, Mode
from mobility.unit_profiles import load_unit_profiles

#: What each fleet carrier type carries on which part of the movement graph: the carrier of
#: each mode of the registry (mobility.schema.MODES), train sets by gauge, and road transport.
CARRIERS = {
    **{spec.carrier: f"{spec.unit}s on {mode} legs" for mode, spec in MODES.items()
       if spec.carrier},
    "sailing": "ro-ro ships on sea legs (a standard sailing of data/unit_profiles.yaml)",
    "flight": "strategic airlift aircraft on air legs (a standard flight)",
    "train-1435": "standard-gauge train sets (locomotive, crew, flats) on 1435 mm track",
    "train-1520": "broad-gauge train sets on 1520 mm track in the Baltic states",
    "het": "heavy equipment transporters: one tracked vehicle each on roads",
    "bus": "buses for troops without vehicles on roads",
    "truck": "logistic trucks carrying supplies on roads",
}


def _known_carrier(value: str) -> str:
    if value not in CARRIERS:
        raise ValueError(f"unknown carrier {value!r}; valid: {', '.join(CARRIERS)}")
    return value


Carrier = Annotated[str, AfterValidator(_known_carrier)]
MAX_DAY = 3650


class ForceListError(MobilityError):
    """A force list or fleet file is invalid."""


class _Model(InputModel):
    """Unknown fields, NaN, inf and booleans for numbers refused (see InputModel)."""


class Formation(_Model):
    """One line of a time-phased force list (``count`` identical formations moving together)."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = ""
    nation: str = ""
    profile: str = Field(description="unit profile in data/unit_profiles.yaml")
    count: Annotated[int, Field(ge=1, le=1000)] = 1
    home: str = Field(description="node id or name where it starts")
    ready_day: Annotated[float, Field(ge=0, le=MAX_DAY)] = 0.0
    modes: tuple[DataMode, ...] = Field(tuple(map(str, DATA_MODES)), min_length=1)
    destination: str = Field("any", description="assembly-area node, or 'any' of the scenario's")
    note: str = ""


class ForceList(_Model):
    name: str
    description: str = ""
    formations: tuple[Formation, ...] = Field(min_length=1)
    source_file: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _unique_ids(self) -> ForceList:
        seen: set[str] = set()
        for formation in self.formations:
            if formation.id in seen:
                raise ValueError(f"formation id {formation.id!r} is given twice")
            seen.add(formation.id)
        return self


class Tranche(_Model):
    count: Annotated[float, Field(ge=0, le=100_000)]
    from_day: Annotated[float, Field(ge=0, le=MAX_DAY)] = 0.0


class Fleet(_Model):
    """A pool of carriers of one type that becomes available in tranches."""

    id: str = Field(min_length=1)
    name: str = ""
    carrier: Carrier
    units_each: Annotated[float, Field(gt=0, le=100)] = 1.0
    tranches: tuple[Tranche, ...] = Field(min_length=1)
    note: str = ""

    def available(self, day: float) -> float:
        """Standard carriers available on ``day``."""
        return self.units_each * sum(t.count for t in self.tranches if t.from_day <= day)


class FleetFile(_Model):
    fleets: tuple[Fleet, ...] = ()
    source_file: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _unique_ids(self) -> FleetFile:
        ids = [f.id for f in self.fleets]
        for fleet_id in ids:
            if ids.count(fleet_id) > 1:
                raise ValueError(f"fleet id {fleet_id!r} is given twice")
        return self

    def by_carrier(self) -> dict[str, tuple[Fleet, ...]]:
        found: dict[str, list[Fleet]] = {}
        for fleet in self.fleets:
            found.setdefault(fleet.carrier, []).append(fleet)
        return {carrier: tuple(fleets) for carrier, fleets in sorted(found.items())}

    def available(self, carrier: str, day: float) -> float | None:
        """Standard carriers of ``carrier`` type on ``day``; None: the type is not limited."""
        fleets = self.by_carrier().get(carrier)
        if fleets is None:
            return None
        return sum(f.available(day) for f in fleets)

    def change_days(self) -> list[float]:
        return sorted({t.from_day for f in self.fleets for t in f.tranches})


def forces_dir() -> Path:
    return data_dir() / "forces"


def available_force_lists() -> list[str]:
    return sorted(p.stem for p in forces_dir().glob("*.yaml"))


def _resolve(name_or_path: str | Path, folder: Path, what: str, relative_to: str | None) -> Path:
    text = str(name_or_path)
    path = Path(text)
    if relative_to is not None and not path.is_absolute():
        candidate = Path(relative_to).parent / path
        if candidate.exists():
            return candidate
    if path.suffix or path.exists():
        return path
    shipped = folder / f"{text}.yaml"
    if shipped.exists():
        return shipped
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    close = suggestions(text, names)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ForceListError(f"unknown {what} {text!r}{hint} Shipped: {', '.join(names) or 'none'}")


def _carries_vehicles(profile, mode: str) -> bool:
    """Road vehicles drive; a long-haul mode takes them if its lift has room for vehicles."""
    spec = MODES[Mode(mode)]
    if not spec.long_haul:
        return True
    lift = profile.carriers.lift(spec.unit)
    return bool(lift.tracked or lift.wheeled)


def load_force_list(name_or_path: str | Path, *, relative_to: str | None = None) -> ForceList:
    """A shipped force list by name (``force-model-baltic``) or a YAML file by path.

    Profiles are checked against ``data/unit_profiles.yaml``; node names are resolved when
    the force list is placed on a network (:mod:`mobility.engines.fleet`).

    Parameters
    ----------
    name_or_path
        A shipped force list's name or a YAML file.
    relative_to
        Folder a relative path is read from (the scenario file's, for its ``forces`` field).

    Returns
    -------
    ForceList
        The formations: profile, count, home, ready day (days from the decision), modes,
        destination.

    Raises
    ------
    ForceListError
        One line: the file, the field, the bad value and what would be valid.
    """
    path = _resolve(name_or_path, forces_dir(), "force list", relative_to)
    return _load_force_list(str(path))


def _read(path: str, model: type[_Model], what: str, **defaults) -> _Model:
    raw = read_yaml(path, ForceListError)
    if not isinstance(raw, dict):
        raise ForceListError(f"{path}: a {what} is a YAML mapping of fields")
    for key, value in defaults.items():
        raw.setdefault(key, value)
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise ForceListError(describe(error, path, model)) from None


@cached_by_file(maxsize=16)
def _load_force_list(path: str) -> ForceList:
    forces = _read(path, ForceList, "force list", name=Path(path).stem)
    assert isinstance(forces, ForceList)
    profiles = load_unit_profiles()
    valid = sorted(k for k in profiles if not k.startswith("alias:"))
    for i, formation in enumerate(forces.formations):
        if formation.profile not in profiles:
            close = suggestions(formation.profile, valid)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ForceListError(f"{path}: field 'formations.{i}.profile' = "
                                 f"{formation.profile!r}: unknown profile{hint} valid: "
                                 f"{', '.join(valid)}")
        profile = profiles[formation.profile]
        if (profile.size.tracked or profile.size.wheeled) and not any(
                _carries_vehicles(profile, mode) for mode in formation.modes):
            carried = [str(m) for m in DATA_MODES if _carries_vehicles(profile, m)]
            raise ForceListError(f"{path}: field 'formations.{i}.modes' = "
                                 f"{list(formation.modes)}: {formation.profile} has vehicles, "
                                 f"which no lift of these modes carries (add "
                                 f"{', '.join(carried[:-1])} or {carried[-1]})")
    return forces.model_copy(update={"source_file": path})


def load_fleets(name_or_path: str | Path | None = None, *,
                relative_to: str | None = None) -> FleetFile:
    """A fleet file (default ``data/fleets.yaml``).

    Parameters
    ----------
    name_or_path
        A YAML file, or ``None``/``"default"`` for the shipped fleets.
    relative_to
        Folder a relative path is read from (the scenario file's, for its ``fleets`` field).

    Returns
    -------
    FleetFile
        The fleets: carrier type, standard carriers each (units_each) and tranches (count from
        a day).

    Raises
    ------
    ForceListError
        One line: the file, the field, the bad value and what would be valid.
    """
    if name_or_path in (None, "default"):
        path = data_dir() / "fleets.yaml"
    else:
        path = _resolve(name_or_path, data_dir(), "fleet file", relative_to)
    return _load_fleets(str(path))


@cached_by_file(maxsize=16)
def _load_fleets(path: str) -> FleetFile:
    fleets = _read(path, FleetFile, "fleet file")
    assert isinstance(fleets, FleetFile)
    return fleets.model_copy(update={"source_file": path})
