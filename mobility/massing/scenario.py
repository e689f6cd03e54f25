"""A flashpoint scenario and its force list: who moves from where, to which area, by when.

A scenario is one YAML file (``data/flashpoints/narva.yaml``) validated here into typed
objects; its force list is another (``data/flashpoints/forces/baltic-in-place.yaml``).
Names (nodes, unit profiles, closed elements) are checked against the network by
:mod:`mobility.massing.routes`.
Every problem is one line naming the file, the field, the bad value and what would be valid.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from mobility._data import data_dir
from mobility._errors import MobilityError
from mobility._yaml import (
    Id,
    InputModel,
    Source,
    model_from_mapping,
    read_yaml,
    shipped_or_path,
)
from mobility.names import suggestions

__all__ = [
    "Adversary",
    "Area",
    "FlashpointError",
    "FlashpointScenario",
    "ForceList",
    "Milestone",
    "Unit",
    "available_flashpoints",
    "load_flashpoint",
    "load_force_list",
    "parse_hours",
]

Hours = Annotated[float, Field(ge=0, le=24 * 60)]
#: Longest hour a question may ask about (ten days: a flashpoint question, not a closure).
MAX_HOUR = 240


class FlashpointError(MobilityError):
    """A flashpoint scenario, its force list or an option of ``mobility mass`` is invalid."""


class Unit(InputModel):
    """One entry of a force list: a formation as ``count`` x a unit profile at its home."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    nation: str = Field(min_length=2, max_length=3)
    profile: str = Field(min_length=1, max_length=60, description="data/unit_profiles.yaml")
    count: int = Field(1, ge=1, le=1000)
    home: str = Field(min_length=1, max_length=100, description="network node it starts from")
    ready_h: Hours = Field(0, description="hours after the decision when it can move")
    source: Source


def _unique(units: tuple[Unit, ...]) -> tuple[Unit, ...]:
    seen: set[str] = set()
    for unit in units:
        if unit.id in seen:
            raise ValueError(f"unit id {unit.id!r} appears twice; ids must be unique")
        seen.add(unit.id)
    return units


Units = Annotated[tuple[Unit, ...], AfterValidator(_unique)]


class ForceList(InputModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=1000)
    units: Units = Field(min_length=1)
    source_file: str = ""


class Area(InputModel):
    """The flashpoint area: a circle around a node or a point, or a polygon (lon, lat)."""

    name: str = Field("", max_length=100, description="shown on maps (default: the node's)")
    node: str | None = Field(None, max_length=100, description="network node at the centre")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    radius_km: float | None = Field(None, gt=0, le=500, description="circle radius, km")
    polygon: tuple[tuple[float, float], ...] | None = Field(
        None, min_length=3, max_length=200, description="[[lon, lat], ...], instead of a circle")

    @model_validator(mode="after")
    def _one_shape(self) -> Area:
        if self.polygon is not None:
            if self.radius_km is not None:
                raise ValueError("give a polygon or a radius_km, not both")
            for lon, lat in self.polygon:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError(f"polygon point [{lon}, {lat}] is not a [lon, lat] in "
                                     "degrees")
            return self
        if self.radius_km is None:
            raise ValueError("give radius_km (with node, or lon and lat) or a polygon")
        if self.node is None and (self.lon is None or self.lat is None):
            raise ValueError("a circle needs its centre: node, or lon and lat")
        if self.node is not None and (self.lon is not None or self.lat is not None):
            raise ValueError("give the centre as node or as lon/lat, not both")
        return self


class Milestone(InputModel):
    hour: Hours
    what: str = Field(min_length=1, max_length=300)
    troops: float | None = Field(None, ge=0, le=1e7, description="adversary troops, if given")
    source: Source


class Adversary(InputModel):
    """A user-given adversary timeline the NATO build-up is set against."""

    name: str = Field(min_length=1, max_length=200)
    milestones: tuple[Milestone, ...] = Field(min_length=1)


class FlashpointScenario(InputModel):
    """A flashpoint question: forces, area, rules of movement, hours asked, adversary."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=1000)
    area: Area
    rules: str = Field("emergency-regime", min_length=1, max_length=300, description=(
        "the closure scenario whose network, permissions (lead time, border hours), march "
        "hours and capacity changes apply (data/scenarios/ or a path)"))
    forces: Annotated[str, Field(min_length=1, max_length=300)] | None = Field(
        "baltic-in-place", description="force list: a name in data/flashpoints/forces/ or "
        "a path; null: only the reinforcements")
    only: tuple[Id, ...] = Field((), description="move only these units of the force list")
    reinforcements: Units = Field((), description="more units, as in a force list")
    by: tuple[Annotated[float, Field(gt=0, le=MAX_HOUR)], ...] = Field(
        (48, 72, 96), min_length=1, description="hours asked about")
    step_h: float = Field(1.0, ge=0.25, le=12, description="LP time step, hours")
    closed: tuple[Annotated[str, Field(min_length=1, max_length=100)], ...] = Field(
        (), description="edges (ids) or nodes (names/ids) closed from hour 0")
    modes: tuple[Literal["road", "rail"], ...] = Field(("road", "rail"), min_length=1)
    adversary: Adversary | None = None
    source_file: str = ""


def flashpoints_dir() -> Path:
    return data_dir() / "flashpoints"


def forces_dir() -> Path:
    """Massing force lists (``data/flashpoints/forces/``; the closure's are in data/forces/)."""
    return flashpoints_dir() / "forces"


def available_flashpoints() -> list[str]:
    folder = flashpoints_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _force_lists() -> list[str]:
    return sorted(p.stem for p in forces_dir().glob("*.yaml"))


def load_flashpoint(name_or_path: str | Path) -> FlashpointScenario:
    """A shipped flashpoint scenario by name (``narva``) or a YAML file; ``base: NAME`` in
    the file starts from a shipped scenario (or a file beside it) and replaces its fields."""
    path = shipped_or_path(str(name_or_path), flashpoints_dir(), available_flashpoints,
                           FlashpointError, "flashpoint scenario", "Shipped flashpoints",
                           "; or give a YAML file")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip(".-_") or "flashpoint"
    return model_from_mapping(_with_base(path, ()), path, FlashpointScenario, FlashpointError,
                              "flashpoint scenario", safe)


def _with_base(path: Path, seen: tuple[str, ...]) -> object:
    raw = read_yaml(path, FlashpointError)
    if not isinstance(raw, dict) or "base" not in raw:
        return raw
    base = raw.pop("base")
    beside = path.parent / str(base)
    base_path = beside if beside.suffix and beside.exists() else \
        flashpoints_dir() / f"{base}.yaml"
    if not isinstance(base, str) or not base_path.exists():
        close = suggestions(str(base), available_flashpoints())
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise FlashpointError(f"{path}: field 'base' = {base!r}: no such flashpoint "
                              f"scenario{hint} Shipped flashpoints: "
                              f"{', '.join(available_flashpoints())}")
    if str(base_path.resolve()) in (*seen, str(path.resolve())):
        raise FlashpointError(f"{path}: field 'base' = {base!r}: scenarios that are each "
                              "other's base")
    inherited = _with_base(base_path, (*seen, str(path.resolve())))
    if not isinstance(inherited, dict):
        return inherited
    inherited.pop("name", None)
    return {**inherited, **raw}


def load_force_list(name_or_path: str, where: str) -> ForceList:
    """A force list (``data/flashpoints/forces/NAME.yaml`` or a path) named by ``where``'s
    ``forces``."""
    path = shipped_or_path(name_or_path, forces_dir(), _force_lists, FlashpointError,
                           "force list", "Shipped force lists")
    raw = read_yaml(path, FlashpointError)
    if isinstance(raw, dict) and "units" not in raw:
        raise FlashpointError(f"{where}: field 'forces' = {name_or_path!r}: {path} has no "
                              "'units' (a massing force list: id, name, nation, profile, count, "
                              f"home, ready_h, source); shipped: {', '.join(_force_lists())}")
    return model_from_mapping(raw, path, ForceList, FlashpointError, "force list", path.stem)


def parse_hours(text: str) -> tuple[float, ...]:
    """``48h,72h,96h`` (or ``2d``, ``60``) as hours, sorted, each in (0, MAX_HOUR]; a bad
    one raises :class:`FlashpointError` naming the argument ``by``."""
    found = []
    for part in text.split(","):
        word = part.strip().lower()
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([hd]?)", word)
        if not match:
            raise FlashpointError(f"`by` = {text!r}: {part.strip()!r} is not an hour; give "
                                  f"hours like 48h,72h,96h (or days like 2d), each above 0 "
                                  f"and at most {MAX_HOUR}h")
        hours = float(match.group(1)) * (24 if match.group(2) == "d" else 1)
        if not 0 < hours <= MAX_HOUR:
            raise FlashpointError(f"`by` = {text!r}: {part.strip()} is outside 0-"
                                  f"{MAX_HOUR}h; give hours above 0 and at most {MAX_HOUR}h")
        found.append(hours)
    return tuple(sorted(set(found)))
