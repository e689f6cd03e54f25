"""Scenarios: what moves, from where, to where, on which network, against which targets.

A scenario is a YAML file validated into :class:`Scenario`. Every field has a unit in its
name and a documented default; ``mobility scenario fields`` lists them. Shipped examples
live in ``data/scenarios/``; ``baseline`` is the default.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias, cast

from pydantic import AfterValidator, BaseModel, Field, create_model, model_validator

from mobility._data import data_dir, scenarios_dir
from mobility._errors import ScenarioError
from mobility._yaml import (
    InputModel,
    first_model,
    model_from_mapping,
    read_yaml,
    shipped_or_path,
)
from mobility.names import suggestions
from mobility.schema import DATA_MODES, MODE_UNITS, DataMode
from mobility.settings import CALIBRATED_MARCH_HOURS_PER_DAY

DEFAULT_SCENARIO = "baseline"

#: The LaSER report's (2025) cumulative reading of the NATO Force Model.
CUMULATIVE_TARGETS = ((100_000, 10), (200_000, 30), (500_000, 180))
#: NATO's tiers read as additional tranches: >100k in 10 days, +200k by 30, +500k by 180.
ADDITIVE_TARGETS = ((100_000, 10), (300_000, 30), (800_000, 180))

Positive = Annotated[float, Field(gt=0)]
#: More troops than every NATO army together: larger figures are typos, not scenarios.
MAX_TROOPS = 10_000_000
Troops = Annotated[float, Field(gt=0, le=MAX_TROOPS)]
NonNegative = Annotated[float, Field(ge=0)]
#: A delay at a border beyond 30 days is a typo, not red tape.
DelayHours = Annotated[float, Field(ge=0, le=720)]
#: A day within ten years: later days are typos.
Day = Annotated[float, Field(ge=0, le=3650)]
def _file_name(value: str) -> str:
    if value.startswith(".") or any(c in "/\\" or ord(c) < 32 for c in value):
        raise ValueError("a name becomes a file or folder name (maps/NAME.html, "
                         "sweeps/NAME/): no '/', '\\' or control characters, and not "
                         "starting with '.'")
    return value


def _country_pair(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}-[A-Z]{2}", value):
        raise ValueError("a pair of two-letter country codes, e.g. 'PL-LT'")
    return value


#: Names become file names (maps/NAME.html, sweeps/NAME/): no folders, no '..'.
Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_file_name)]
CountryPair = Annotated[str, AfterValidator(_country_pair)]

class _Model(InputModel):
    """Unknown fields, NaN, inf and booleans for numbers refused (see InputModel)."""


class NetworkChoice(_Model):
    """Which network and which dated phases (e.g. Rail Baltica sections) exist."""

    path: str | None = Field(None, description="network folder or .gpkg; default: curated")
    year: int | None = Field(None, ge=2000, le=2100,
                             description="include phases opening by this year; default today")
    phases: tuple[str, ...] = Field((), description="phase ids to include explicitly")


class Origin(_Model):
    """Where forces start: a garrison or rail hub, an embarkation port or an airfield."""

    node: str = Field(description="node id or name")
    troops_per_day: Troops = Field(description="troops (with equipment) it can dispatch a day")
    modes: tuple[DataMode, ...] = Field(
        tuple(map(str, DATA_MODES)),
        description="how forces leave this origin: by road march, or loaded onto trains, "
        "ships or aircraft through the node's transfer capacity",
    )
    note: str = ""


class Destination(_Model):
    """An assembly area in the Baltic states (or Poland) with its reception capacity."""

    node: str = Field(description="node id or name")
    reception_troops_per_day: Troops = Field(description="troops it can receive a day")
    note: str = ""


class Reception(_Model):
    """What a port, railhead or assembly area can receive a day: vehicles (and tonnes of
    supplies) unloaded or arriving there, troops processed there (reception and staging).
    At least one limit; movements through the node count on the day they reach it."""

    node: str = Field(description="node id or name")
    vehicles_per_day: Annotated[float, Field(gt=0, le=1e6)] | None = Field(
        None, description="vehicles a day (tracked and wheeled, supply trucks' loads)")
    troops_per_day: Troops | None = Field(None, description="troops a day")
    tonnes_per_day: Annotated[float, Field(gt=0, le=1e7)] | None = Field(
        None, description="tonnes of supplies a day")
    staging_troops: Troops | None = Field(
        None, description="troops an assembly area holds at once between closing and "
        "combat-ready (staging space; needs integration_days)")
    note: str = ""

    @model_validator(mode="after")
    def _some_limit(self) -> Reception:
        if self.vehicles_per_day is None and self.troops_per_day is None \
                and self.tonnes_per_day is None and self.staging_troops is None:
            raise ValueError("give at least one of vehicles_per_day, troops_per_day, "
                             "tonnes_per_day, staging_troops")
        return self

    def limits(self) -> dict[str, float]:
        """Measure -> limit, for the limits given: vehicles, troops, tonnes a day, and
        ``staging``: troops at once."""
        found = {"vehicles": self.vehicles_per_day, "troops": self.troops_per_day,
                 "tonnes": self.tonnes_per_day, "staging": self.staging_troops}
        return {k: float(v) for k, v in found.items() if v is not None}


class Target(_Model):
    troops: Troops
    deadline_day: Annotated[float, Field(gt=0, le=3650)]


class Targets(_Model):
    """The Force Model targets; ``reading`` chooses the default set."""

    reading: Literal["cumulative", "additive"] = Field(
        "cumulative",
        description="cumulative: LaSER report (100k by day 10, 200k by 30, 500k by 180); "
        "additive: NATO tiers as extra tranches (100k, 300k, 800k)",
    )
    custom: tuple[Target, ...] | None = Field(None, min_length=1,
                                              description="explicit targets instead")

    def resolved(self) -> tuple[Target, ...]:
        if self.custom:
            return tuple(sorted(self.custom, key=lambda t: t.deadline_day))
        pairs = CUMULATIVE_TARGETS if self.reading == "cumulative" else ADDITIVE_TARGETS
        return tuple(Target(troops=t, deadline_day=d) for t, d in pairs)


class Force(_Model):
    heavy_share: float = Field(0.5, ge=0, le=1,
                               description="share of troops in heavy (armoured) formations")


class _UnitFactors(_Model):
    def per(self, unit: str) -> float:
        """Troops per ``unit`` (vehicle, train, sailing, flight …)."""
        return float(getattr(self, unit))


if TYPE_CHECKING:
    UnitFactors: TypeAlias = _UnitFactors
else:  # a field per mode's unit, from the registry
    UnitFactors = create_model(
        "UnitFactors", __base__=_UnitFactors,
        __doc__="Troops (with their equipment) carried per unit of each mode.",
        **{unit: (Positive, ...) for unit in MODE_UNITS})


class PlanningFactors(_Model):
    heavy: UnitFactors
    light: UnitFactors


class BorderDelays(_Model):
    """Red tape: hours added to every road and rail crossing of a land border."""

    default_h: DelayHours = Field(0.0, description="hours at any land border crossing")
    pairs_h: dict[CountryPair, DelayHours] = Field(
        default_factory=dict, description="hours by country pair, e.g. {'PL-LT': 24}"
    )
    outside_schengen_h: DelayHours | None = Field(
        None, description="hours where either country is outside the Schengen area "
        "(data/permissions.yaml); default: default_h")

    def hours(self, country_a: str, country_b: str) -> float:
        for key in (f"{country_a}-{country_b}", f"{country_b}-{country_a}"):
            if key in self.pairs_h:
                return self.pairs_h[key]
        if self.outside_schengen_h is not None and not {country_a, country_b} <= schengen():
            return self.outside_schengen_h
        return self.default_h


@lru_cache(maxsize=1)
def schengen() -> frozenset[str]:
    """Members of the Schengen area (data/permissions.yaml)."""
    found = cast(dict, read_yaml(data_dir() / "permissions.yaml", ScenarioError))
    return frozenset(found["schengen"])


class Permissions(_Model):
    """The clock of permissions: no cross-border move starts before its lead time, and each
    land border crossing takes the regime's clearance time (inside Schengen or at its
    external borders).

    ``regime`` picks both from data/permissions.yaml (sourced or labelled); ``lead_days``
    and the ``*_border_h`` fields, if given, override them. A scenario that gives
    ``border_delays`` keeps those crossing times instead."""

    regime: Literal["peacetime", "eu-2025", "emergency", "military-schengen", "custom"] = Field(
        description="peacetime (45 days' notice), eu-2025 (3 days), emergency (2 days to "
        "activate + 6 h), military-schengen (none, no clearance inside Schengen), or custom "
        "(give lead_days)")
    lead_days: Day | None = Field(None, description="days from the decision to the first "
                                  "cross-border move; default: the regime's")
    internal_border_h: DelayHours | None = Field(
        None, description="hours at a crossing inside Schengen; default: the regime's "
        "(custom: 12)")
    external_border_h: DelayHours | None = Field(
        None, description="hours at an external Schengen border; default: the regime's "
        "(custom: 24)")

    @model_validator(mode="after")
    def _custom_needs_days(self) -> Permissions:
        if self.regime == "custom" and self.lead_days is None:
            raise ValueError("regime 'custom' needs 'lead_days'")
        return self

    def _shipped(self) -> dict:
        regimes = permission_regimes()
        return regimes["peacetime" if self.regime == "custom" else self.regime]

    def lead(self) -> tuple[float, str]:
        """(lead time in days, where it comes from)."""
        if self.lead_days is not None:
            return float(self.lead_days), "scenario field 'permissions.lead_days'"
        regime = self._shipped()
        return float(regime["lead_days"]), str(regime["source"]).split(":")[0]

    def border_delays(self) -> BorderDelays:
        """The regime's clearance time at land border crossings."""
        regime = self._shipped()
        inside = self.internal_border_h if self.internal_border_h is not None \
            else regime["internal_border_h"]
        outside = self.external_border_h if self.external_border_h is not None \
            else regime["external_border_h"]
        return BorderDelays(default_h=float(inside), outside_schengen_h=float(outside))


@lru_cache(maxsize=1)
def permission_regimes() -> dict[str, dict]:
    """The shipped permission regimes (data/permissions.yaml)."""
    found = cast(dict, read_yaml(data_dir() / "permissions.yaml", ScenarioError))
    return found["regimes"]


class Sustainment(_Model):
    """What the arrived forces consume: tonnes a day carried to their assembly areas by the
    same network and fleets (defaults: data/sustainment.yaml, sourced)."""

    intensity: Literal["low", "medium", "high"] = Field(
        "medium", description="kg per soldier a day: low 25, medium 37.5, high 50 (the "
        "published 25-50 kg range; high-intensity combat needs more)")
    kg_per_troop_day: Annotated[float, Field(ge=0, le=1000)] | None = Field(
        None, description="kg per soldier a day; default: the intensity's")
    days_carried: Annotated[float, Field(ge=0, le=90)] | None = Field(
        None, description="days of supply a formation arrives with; default 3")
    host_nation_share: Annotated[float, Field(ge=0, le=1)] = Field(
        0.0, description="share supplied inside the Baltic states (not carried); default 0")
    bases: tuple[str, ...] | None = Field(
        None, min_length=1, description="node ids or names where supplies load; default "
        "data/sustainment.yaml's")
    planned: Literal["with_forces", "after_forces"] = Field(
        "with_forces", description="with_forces: supplies share the lift with the forces in "
        "one plan (the closure they allow; slow: minutes); after_forces: the forces are "
        "planned first and the supplies carried on the lift and capacity that plan leaves "
        "(a check in seconds: where they fit, the closure holds with sustainment)")

    def tonnes_per_troop_day(self) -> float:
        """Tonnes to carry per soldier a day (after the host nation's share)."""
        kg = self.kg_per_troop_day if self.kg_per_troop_day is not None else \
            float(sustainment_defaults()["kg_per_troop_day"][self.intensity])
        return kg / 1000 * (1 - self.host_nation_share)

    def carried_days(self) -> float:
        return float(self.days_carried if self.days_carried is not None
                     else sustainment_defaults()["days_carried"])

    def base_nodes(self) -> tuple[str, ...]:
        return tuple(self.bases or sustainment_defaults()["bases"])

    def describe(self) -> str:
        kg = self.tonnes_per_troop_day() * 1000
        host = f", {self.host_nation_share:.0%} supplied locally" if self.host_nation_share \
            else ""
        return (f"sustainment: {kg:g} kg per soldier a day carried ({self.intensity}"
                f"{host}), from the day troops arrive after {self.carried_days():g} days "
                f"carried; loaded at {', '.join(self.base_nodes())}; "
                + ("planned with the forces" if self.planned == "with_forces" else
                   "carried on the lift the forces' plan leaves (planned after them)"))


@lru_cache(maxsize=1)
def sustainment_defaults() -> dict:
    """The shipped sustainment defaults (data/sustainment.yaml)."""
    found = cast(dict, read_yaml(data_dir() / "sustainment.yaml", ScenarioError))
    return found


class CapacityChange(_Model):
    """A closure or capacity change from a given day (factor 0 closes, 0.5 halves)."""

    element: str | None = Field(None, description="node or edge id or name")
    corridor: str | None = Field(None, description="every edge tagged with this corridor")
    from_day: Day = 0.0
    factor: float = Field(0.0, ge=0, le=100, description="capacity multiplier; 0 = closed")
    reason: str = ""

    @model_validator(mode="after")
    def _one_target(self) -> CapacityChange:
        if (self.element is None) == (self.corridor is None):
            raise ValueError("give exactly one of 'element' (node/edge) or 'corridor'")
        return self


class Scenario(_Model):
    """A closure question: network, force, origins, destinations, changes and targets."""

    name: Name
    description: str = ""
    network: NetworkChoice = NetworkChoice()
    horizon_days: float = Field(180, gt=0, le=730, description="days to simulate")
    targets: Targets = Targets()
    force: Force = Force()
    planning_factors: PlanningFactors | None = Field(
        None, description="default: data/planning_factors.yaml"
    )
    forces: str | None = Field(
        None, description="time-phased force list: a name in data/forces/ or a YAML path")
    fleets: str | None = Field(
        "default", description="lift fleets: 'default' (data/fleets.yaml), a YAML path, or "
        "null for unlimited lift")
    origins: tuple[Origin, ...] = Field(
        (), description="the unlimited stress case instead of a force list: origins "
        "dispatching a rate for ever")
    destinations: tuple[Destination, ...] = Field(min_length=1)
    border_delays: BorderDelays = BorderDelays()
    permissions: Permissions | None = Field(
        None, description="permission regime: no cross-border move before its lead time, "
        "and its clearance time at each land border crossing unless 'border_delays' is given "
        "(force lists only); default none")
    sustainment: Sustainment | None = Field(
        None, description="supplies the arrived forces consume, carried by the same lift "
        "(force lists only); default none")
    reception: tuple[Reception, ...] = Field(
        (), description="reception limits at ports, railheads and assembly areas (vehicles, "
        "troops, tonnes a day; fleet engine); default none beyond the destinations' troops")
    integration_days: Annotated[float, Field(ge=0, le=90)] = Field(
        0.0, description="days from closing at the assembly area to combat-ready "
        "(integration of RSOI); default 0")
    capacity_changes: tuple[CapacityChange, ...] = ()
    road_march_hours_per_day: float = Field(
        CALIBRATED_MARCH_HOURS_PER_DAY, gt=0, le=24,
        description="hours a day road columns move (the rest: halts, rest); default the "
        "calibrated march day (data/VALIDATION.md, Part C)")
    method: Literal["auto", "exact", "fleet"] = Field(
        "auto", description="fleet: the fleet-constrained closure LP (any scenario); exact: "
        "flows over time (stress case with static capacities only); auto: exact where it "
        "applies, else fleet"
    )
    step_h: float = Field(12, ge=1, le=168, description="first periods of the closure LP, "
                          "hours (to day 10; twice that to day 30, 4 times to day 90, 8 times "
                          "after); transit times are not rounded to it")
    source_file: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _force_or_origins(self) -> Scenario:
        if (self.forces is None) == (not self.origins):
            raise ValueError("give either 'forces' (a force list) or 'origins' (the unlimited "
                             "stress case), not both and not neither")
        if self.sustainment is not None and self.forces is None:
            raise ValueError("'sustainment' applies to a force list ('forces'), not to the "
                             "stress case's origins")
        if self.permissions is not None and self.forces is None:
            raise ValueError("'permissions' applies to a force list ('forces'), not to the "
                             "stress case's origins")
        staging = [i for i, r in enumerate(self.reception) if r.staging_troops is not None]
        if staging and (self.forces is None or not self.integration_days):
            raise ValueError(f"'reception.{staging[0]}.staging_troops': staging holds troops "
                             "between closing and combat-ready; it needs a force list "
                             "('forces') and 'integration_days' above 0")
        return self

    def crossings(self) -> BorderDelays:
        """Hours at each land border crossing: the scenario's own ``border_delays`` where
        given, else its permission regime's, else none."""
        if self.permissions is None or "border_delays" in self.model_fields_set:
            return self.border_delays
        return self.permissions.border_delays()

    def network_path(self) -> str | None:
        """The network folder or file to load: ``network.path`` beside the scenario file
        where one exists there, else as given (None: the shipped network)."""
        path = self.network.path
        if path is not None and self.source_file:
            candidate = Path(self.source_file).parent / path
            return str(candidate) if candidate.exists() else path
        return path

    def factors(self) -> PlanningFactors:
        return self.planning_factors or default_planning_factors()

    def troops_per_unit(self) -> dict[str, float]:
        """Troops per vehicle/train/sailing/flight for this force mix (harmonic blend)."""
        factors = self.factors()
        heavy = self.force.heavy_share
        blended = {}
        for unit in MODE_UNITS:
            units_per_troop = (heavy / factors.heavy.per(unit)
                               + (1 - heavy) / factors.light.per(unit))
            blended[unit] = 1 / units_per_troop
        return blended


@lru_cache(maxsize=1)
def default_planning_factors() -> PlanningFactors:
    """The shipped planning factors (read once; the model is frozen, so sharing is safe)."""
    path = data_dir() / "planning_factors.yaml"
    return PlanningFactors.model_validate(read_yaml(path, ScenarioError))


def available_scenarios() -> list[str]:
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


def load_scenario(name_or_path: str | Path | None = None) -> Scenario:
    """Load a shipped scenario by name (``baseline``) or a YAML file by path.

    Parameters
    ----------
    name_or_path
        A shipped scenario's name (``mobility scenarios`` lists them), or a YAML file; a file
        with ``base: NAME`` inherits that scenario's fields. ``None``: ``baseline``.

    Returns
    -------
    Scenario
        The validated scenario (horizon in days, targets in troops by day, capacities a day,
        delays in hours).

    Raises
    ------
    ScenarioError
        One line: the file, the field, the bad value and what would be valid.
    """
    path = shipped_or_path(str(name_or_path or DEFAULT_SCENARIO), scenarios_dir(),
                           available_scenarios, ScenarioError, "scenario", "Shipped scenarios")
    return model_from_mapping(_raw_with_base(path, ()), path, Scenario, ScenarioError,
                              "scenario", path.stem)


def _raw_with_base(path: Path, seen: tuple[str, ...]) -> dict:
    """A scenario file's fields; with ``base: NAME`` (a shipped scenario or a path beside
    this file) the base's fields, each replaced by the one given here."""
    raw = read_yaml(path, ScenarioError)
    if not isinstance(raw, dict):
        kind = type(raw).__name__
        raise ScenarioError(f"{path}: a scenario is a YAML mapping of fields, not {kind}")
    base = raw.pop("base", None)
    if base is None:
        return raw
    if not isinstance(base, str) or not base:
        raise ScenarioError(f"{path}: field 'base' = {base!r}: give a shipped scenario's "
                            f"name ({', '.join(available_scenarios())}) or a YAML path")
    beside = path.parent / base
    base_path = beside if beside.suffix and beside.exists() else scenarios_dir() / f"{base}.yaml"
    if not base_path.exists():
        close = suggestions(base, available_scenarios())
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(f"{path}: field 'base' = {base!r}: no such scenario{hint} "
                            f"Shipped scenarios: {', '.join(available_scenarios())}")
    if str(base_path.resolve()) in (*seen, str(path.resolve())):
        raise ScenarioError(f"{path}: field 'base' = {base!r}: scenarios that are each "
                            "other's base")
    inherited = _raw_with_base(base_path, (*seen, str(path.resolve())))
    inherited.pop("name", None)
    inherited.pop("description", None)
    return {**_paths_from(inherited, base_path.parent), **raw}


def _paths_from(raw: dict, folder: Path) -> dict:
    """A base's file paths (network, forces, fleets) made absolute where they name a file
    beside the base, so they still resolve from the scenario that inherits them."""
    def fixed(value):
        if isinstance(value, str) and not Path(value).is_absolute() \
                and (folder / value).exists():
            return str((folder / value).resolve())
        return value

    out = {key: fixed(raw[key]) if key in ("forces", "fleets") else raw[key] for key in raw}
    if isinstance(out.get("network"), dict) and "path" in out["network"]:
        out["network"] = {**out["network"], "path": fixed(out["network"]["path"])}
    return out


def field_docs(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """One line per scenario field: dotted name, type, default and description."""
    lines = ["base (str) = None: a shipped scenario's name or a YAML path to start from; "
             "every field given here replaces the base's"] if model is Scenario and not prefix \
        else []
    for name, info in model.model_fields.items():
        if name == "source_file":
            continue
        inner = first_model(info.annotation)
        if inner is not None and inner is not model:
            dotted = f"{prefix}{name}{'[]' if 'tuple' in str(info.annotation) else ''}"
            lines.append(f"{dotted}: {info.description or ''}".rstrip(": "))
            lines.extend(field_docs(inner, prefix=f"{dotted}."))
            continue
        default = ("" if info.is_required()
                   else f" = {info.get_default(call_default_factory=True)!r}")
        kind = getattr(info.annotation, "__name__", str(info.annotation)).replace("typing.", "")
        lines.append(f"{prefix}{name} ({kind}){default}: {info.description or ''}".rstrip(": "))
    return lines
