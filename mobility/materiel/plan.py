"""A materiel plan: what must reach which storage areas, made where, moved by what, by when.

A plan is one YAML file (see ``data/materiel/estonia-bunkers.yaml``) validated here into
typed objects; cross-references (item ids, network nodes, rail track at a siding) are checked
against the network by :func:`check_plan`. Every problem is one line naming the file, the
field, the bad value and what would be valid.

Units are in the names: ``piece_weight_t``, ``payload_t``, ``loaded_speed_kph``,
``output_units_per_week``, ``last_mile_km``. A *unit* is one item as counted in the demand
(one bunker); a *piece* is what is lifted and carried (a precast element): a unit is
``pieces_per_unit`` pieces.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from mobility._data import data_dir
from mobility._errors import MobilityError
from mobility._yaml import InputModel, model_from_mapping, read_yaml, shipped_or_path
from mobility.names import suggestions

__all__ = [
    "FleetType",
    "Item",
    "MaterielPlan",
    "MaterielPlanError",
    "ProductionSite",
    "RoadLimits",
    "StorageArea",
    "available_plans",
    "check_distinct_names",
    "load_plan",
    "plans_dir",
]

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
Positive = Annotated[float, Field(gt=0, le=1e6)]
NonNegative = Annotated[float, Field(ge=0, le=1e6)]
Count = Annotated[int, Field(ge=0, le=100_000)]
Source = Annotated[str, Field(min_length=1, max_length=500)]


class MaterielPlanError(MobilityError):
    """A materiel plan file or one of its fields is invalid."""


class Calendar(InputModel):
    """When work happens: the same calendar for plants, drivers, cranes and crews."""

    working_days_per_week: int = Field(5, ge=1, le=7, description="Monday first")
    hours_per_day: float = Field(10, gt=0, le=24, description="driving and handling hours")
    holidays: tuple[dt.date, ...] = Field((), description="dates with no work (ISO)")
    installation_months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = Field(
        tuple(range(1, 13)), min_length=1,
        description="months in which bunkers can be installed (earthworks)")
    source: Source = "assumption"


class Item(InputModel):
    """One kind of materiel counted in units (a bunker) and carried in pieces (its elements)."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    pieces_per_unit: int = Field(1, ge=1, le=1000)
    piece_weight_t: Positive
    piece_length_m: Annotated[float, Field(gt=0, le=60)]
    piece_width_m: Annotated[float, Field(gt=0, le=10)]
    piece_height_m: Annotated[float, Field(gt=0, le=10)]
    install_effort: Positive = Field(1.0, description="crew and crane time per unit, relative "
                                     "to the areas' rates (1: as stated)")
    source: Source


class RoadLimits(InputModel):
    """Above these a road load is oversize and may only use the listed road classes."""

    width_m: Positive = 2.55
    height_m: Positive = 4.0
    gross_weight_t: Positive = 40.0
    oversize_road_classes: tuple[Literal["motorway", "expressway", "trunk", "primary",
                                         "secondary"], ...] = ("motorway", "expressway",
                                                               "trunk", "primary")
    oversize_speed_kph: Positive = Field(50, le=130, description="loaded speed of an "
                                         "oversize (escorted) load")
    source: Source = "assumption"


class ProductionSite(InputModel):
    """A plant: where it is on the network, what it makes a week, from when."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    node: str = Field(min_length=1, max_length=100, description="network node id")
    output_units_per_week: dict[Id, NonNegative] = Field(min_length=1)
    first_output: dt.date | None = Field(None, description="first week of output (default: "
                                         "the plan's start)")
    stock_units: dict[Id, NonNegative] = Field({}, description="units in the yard at the start")
    rail_siding: bool = Field(False, description="1520 mm wagons can be loaded at the node")
    source: Source


class Reception(InputModel):
    """Unloading at a storage area."""

    cranes: Count = 1
    pieces_per_crane_per_day: Positive = 16
    source: Source = "assumption"


class Installation(InputModel):
    """Installing units from a storage area into the line: crews and cranes both needed."""

    crews: Count = 1
    units_per_crew_per_week: Positive = 2
    cranes: Count = 1
    units_per_crane_per_week: Positive = 5
    source: Source = "assumption"


class StorageArea(InputModel):
    """A storage area: where it is, how it is reached, what it needs, how fast it works."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    access_node: str = Field(min_length=1, max_length=100,
                             description="network node where the last mile leaves the network")
    last_mile_km: NonNegative = Field(le=500)
    last_mile_road_class: Literal["motorway", "expressway", "trunk", "primary", "secondary"]
    railhead: str | None = Field(None, max_length=100, description="1520 mm network node where "
                                 "wagons for this area are unloaded onto trucks")
    demand_units: dict[Id, NonNegative] = Field(min_length=1)
    installed_units: dict[Id, NonNegative] = Field({}, description="installed before the start")
    storage_capacity_units: Positive | None = None
    reception: Reception = Reception()
    installation: Installation = Installation()
    priority: int = Field(1, ge=1, le=3, description="1 first: areas of priority 1 are served "
                          "before 2 and 3, within the earliest overall completion; equal "
                          "priorities share in proportion to demand")
    source: Source


class FleetType(InputModel):
    """Vehicles of one type; road vehicles work the calendar's hours, wagons run all week."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["truck", "low_loader", "rail_wagon"]
    count: Count
    availability: float = Field(0.85, gt=0, le=1)
    payload_t: Positive
    tare_t: NonNegative = Field(0, description="road vehicles: empty weight (gross = tare + load)")
    deck_length_m: Annotated[float, Field(gt=0, le=60)]
    deck_width_m: Annotated[float, Field(gt=0, le=10)]
    deck_height_m: Annotated[float, Field(ge=0, le=5)] = 1.0
    loaded_speed_kph: Annotated[float, Field(gt=0, le=130)] | None = Field(
        None, description="road vehicles (rail: the network's calibrated train speed)")
    empty_speed_kph: Annotated[float, Field(gt=0, le=130)] | None = None
    load_h: NonNegative = 1.0
    unload_h: NonNegative = 1.0
    turnaround_h: NonNegative = Field(0, description="rail wagons: shunting, train forming and "
                                      "waiting a cycle, on top of loading and unloading")
    max_load_width_m: Positive | None = Field(None, description="rail: loading gauge width")
    source: Source

    @model_validator(mode="after")
    def _speeds(self) -> FleetType:
        if self.kind != "rail_wagon" and (self.loaded_speed_kph is None
                                          or self.empty_speed_kph is None):
            raise ValueError(f"a {self.kind} needs loaded_speed_kph and empty_speed_kph")
        return self


class MaterielPlan(InputModel):
    """A materiel question: items, plants, storage areas, fleet, calendar and deadline."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                      description="names the outputs: letters, digits, '.', '_', '-'")
    description: str = Field("", max_length=1000)
    start: dt.date = Field(description="first day of the plan (a Monday is simplest)")
    deadline: dt.date = Field(description="reported against; it changes no schedule")
    horizon_weeks: int = Field(260, ge=1, le=1040, description="longest schedule searched")
    network_year: int | None = Field(None, ge=1990, le=2100,
                                     description="network phases open by this year")
    calendar: Calendar = Calendar()
    road_limits: RoadLimits = RoadLimits()
    items: tuple[Item, ...] = Field(min_length=1)
    production: tuple[ProductionSite, ...] = Field(min_length=1)
    storage_areas: tuple[StorageArea, ...] = Field(min_length=1)
    fleet: tuple[FleetType, ...] = Field(min_length=1)
    source_file: str = ""

    @field_validator("items", "production", "storage_areas", "fleet")
    @classmethod
    def _unique_ids(cls, value: tuple) -> tuple:
        seen: set[str] = set()
        for entry in value:
            if entry.id in seen:
                raise ValueError(f"id {entry.id!r} appears twice; ids must be unique")
            seen.add(entry.id)
        return value

    @model_validator(mode="after")
    def _references(self) -> MaterielPlan:
        items = [item.id for item in self.items]
        for where, entries in (("production", self.production), ("storage_areas",
                                                                  self.storage_areas)):
            for n, entry in enumerate(entries):
                for field in ("output_units_per_week", "stock_units", "demand_units",
                              "installed_units"):
                    for item in getattr(entry, field, {}) or {}:
                        if item not in items:
                            raise ValueError(_unknown(f"{where}[{n}].{field}", item, items,
                                                      "item"))
        for n, area in enumerate(self.storage_areas):
            for item, done in area.installed_units.items():
                if done > area.demand_units.get(item, 0):
                    raise ValueError(f"storage_areas[{n}].installed_units.{item} = {done:g} "
                                     f"is more than its demand_units "
                                     f"({area.demand_units.get(item, 0):g})")
        made = {item for site in self.production for item, rate in
                site.output_units_per_week.items() if rate > 0}
        made |= {item for site in self.production for item, n in site.stock_units.items()
                 if n > 0}
        for n, area in enumerate(self.storage_areas):
            for item, need in area.demand_units.items():
                left = need - area.installed_units.get(item, 0)
                if left > 0 and item not in made:
                    raise ValueError(f"storage_areas[{n}].demand_units.{item}: no production "
                                     f"site makes or holds {item!r}; give it an "
                                     "output_units_per_week")
        for n, area in enumerate(self.storage_areas):
            if not any(self.remaining_units(area, i) > 0 for i in area.demand_units):
                continue
            for field, count in (("installation.crews", area.installation.crews),
                                 ("installation.cranes", area.installation.cranes),
                                 ("reception.cranes", area.reception.cranes)):
                if count < 1:
                    raise ValueError(f"storage_areas[{n}].{field} = {count}: an area with "
                                     "units left to install needs at least 1")
        if self.deadline < self.start:
            raise ValueError(f"deadline {self.deadline} is before start {self.start}")
        if not any(f.kind != "rail_wagon" and f.count > 0 for f in self.fleet):
            raise ValueError("fleet: no road vehicle (truck or low_loader) with count > 0; "
                             "every delivery ends on the road")
        return self

    def item(self, item_id: str) -> Item:
        return next(item for item in self.items if item.id == item_id)

    def remaining_units(self, area: StorageArea, item_id: str) -> float:
        """Units still to install at ``area`` (demand less those installed before start)."""
        return max(0.0, area.demand_units.get(item_id, 0.0)
                   - area.installed_units.get(item_id, 0.0))

    @property
    def total_units(self) -> float:
        return sum(area.demand_units.get(i.id, 0.0) for area in self.storage_areas
                   for i in self.items)


def _unknown(field: str, value: str, valid: list[str], what: str) -> str:
    close = suggestions(value, valid)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{field}: unknown {what} {value!r}{hint} Valid: {', '.join(valid)}"


def check_distinct_names(plans: list[MaterielPlan]) -> None:
    """Plans compared side by side need different names (their outputs are named by them)."""
    seen: dict[str, str] = {}
    for plan in plans:
        if plan.name in seen:
            raise MaterielPlanError(f"{plan.source_file}: plan name {plan.name!r} is also the "
                                    f"name of {seen[plan.name]}; give the plans different "
                                    "'name' fields to compare them")
        seen[plan.name] = plan.source_file


def plans_dir() -> Path:
    """The shipped plans (``data/materiel/``)."""
    return data_dir() / "materiel"


def available_plans() -> list[str]:
    folder = plans_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_plan(name_or_path: str | Path) -> MaterielPlan:
    """Load a shipped plan by name (``estonia-bunkers``) or a YAML file by path.

    Parameters
    ----------
    name_or_path
        A shipped plan's name or a YAML file.

    Returns
    -------
    MaterielPlan
        Items (tonnes, dimensions), plants (output a week), storage areas (demand, reception
        and installation rates), the fleet, the calendar and the deadline.

    Raises
    ------
    MaterielPlanError
        One line: the file, the field, the bad value and what would be valid.
    """
    path = shipped_or_path(str(name_or_path), plans_dir(), available_plans, MaterielPlanError,
                           "materiel plan", "Shipped plans", "; or give a YAML file")
    # the file's name, made safe for the output folders it names
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip(".-_") or "plan"
    return model_from_mapping(read_yaml(path, MaterielPlanError), path, MaterielPlan,
                              MaterielPlanError, "materiel plan", safe)
