"""The sweep file: distributions, failures, capacity ranges and grid axes, validated into
:class:`Sweep`."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, model_validator

from mobility._errors import MobilityError
from mobility._yaml import InputModel
from mobility.scenario import (
    Name,
)

#: Largest number of runs one sweep may ask for (grid points x runs).
MAX_TOTAL_RUNS = 1_000_000


class SweepError(MobilityError):
    """A sweep file, a sweep output folder or a sweep option is invalid."""


class _Model(InputModel):
    """Unknown fields, NaN, inf and booleans for numbers refused (see InputModel)."""


Probability = Annotated[float, Field(ge=0, le=1)]
Hours = Annotated[float, Field(ge=0, le=24 * 365)]
Factor = Annotated[float, Field(ge=0, le=100)]


# --- distributions of border delays (hours) ---------------------------------------------


class Fixed(_Model):
    """Always ``value_h`` hours."""

    distribution: Literal["fixed"] = "fixed"
    value_h: Hours

    def draw(self, rng: np.random.Generator) -> float:
        return self.value_h


class Uniform(_Model):
    """Uniform between ``low_h`` and ``high_h`` hours."""

    distribution: Literal["uniform"]
    low_h: Hours
    high_h: Hours

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low_h > self.high_h:
            raise ValueError(f"low_h ({self.low_h:g}) must not exceed high_h ({self.high_h:g})")
        return self

    def draw(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low_h, self.high_h))


class Triangular(_Model):
    """Triangular between ``low_h`` and ``high_h`` hours, most likely ``mode_h``."""

    distribution: Literal["triangular"]
    low_h: Hours
    mode_h: Hours
    high_h: Hours

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low_h <= self.mode_h <= self.high_h or self.low_h == self.high_h:
            raise ValueError("need low_h <= mode_h <= high_h and low_h < high_h")
        return self

    def draw(self, rng: np.random.Generator) -> float:
        return float(rng.triangular(self.low_h, self.mode_h, self.high_h))


class Normal(_Model):
    """Normal with mean ``mean_h`` and standard deviation ``sd_h`` hours, cut at 0."""

    distribution: Literal["normal"]
    mean_h: Hours
    sd_h: Hours

    def draw(self, rng: np.random.Generator) -> float:
        return max(0.0, float(rng.normal(self.mean_h, self.sd_h)))


class Choice(_Model):
    """One of ``values_h`` hours, each equally likely."""

    distribution: Literal["choice"]
    values_h: tuple[Hours, ...] = Field(min_length=1)

    def draw(self, rng: np.random.Generator) -> float:
        return float(self.values_h[int(rng.integers(len(self.values_h)))])


def _number_is_fixed(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"distribution": "fixed", "value_h": value}
    return value


Distribution = Annotated[
    Fixed | Uniform | Triangular | Normal | Choice,
    Field(discriminator="distribution"),
    BeforeValidator(_number_is_fixed),
]


# --- the sweep file ---------------------------------------------------------------------


class Failures(_Model):
    """Independent failure probabilities (per run) of network elements.

    A failed element is closed from day 0. ``by_kind`` keys are node kinds (``gauge_transfer``,
    ``port``, ``airport``, ``air_base``, ``rail_terminal``, ``loading_site``, ``border_crossing``,
    ``city``, ``junction``, ``base``, ``origin``) or edge modes (``rail``, ``road``, ``sea``,
    ``air``); ``elements`` keys are node ids or names or edge ids and override ``by_kind``.
    """

    by_kind: dict[str, Probability] = Field(
        default_factory=dict, description="probability (0-1) that each element of a kind fails")
    elements: dict[str, Probability] = Field(
        default_factory=dict, description="probability (0-1) that this node or edge fails")


class _Target(_Model):
    element: str | None = Field(None, description="node id or name, or edge id")
    corridor: str | None = Field(None, description="every edge tagged with this corridor")
    kind: str | None = Field(None, description="every node of this kind or edge of this mode")

    def target(self) -> tuple[str, str]:
        for what in ("element", "corridor", "kind"):
            if getattr(self, what) is not None:
                return what, getattr(self, what)
        raise AssertionError("validated to have one target")

    def _check_one_target(self) -> None:
        given = [w for w in ("element", "corridor", "kind") if getattr(self, w) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'element', 'corridor' or 'kind'")


class CapacityRange(_Target):
    """A capacity multiplier drawn uniformly from ``[low, high]`` once per run.

    One draw applies to every element the entry names (a corridor or kind varies together).
    """

    low: Factor = Field(description="smallest capacity multiplier (0 closes)")
    high: Factor = Field(description="largest capacity multiplier")

    @model_validator(mode="after")
    def _valid(self) -> CapacityRange:
        self._check_one_target()
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) must not exceed high ({self.high:g})")
        return self


class BorderDelayDraws(_Model):
    """Border delays (hours) drawn per run; they replace the base scenario's values."""

    default_h: Distribution | None = Field(
        None, description="hours at any land border crossing; a number or a distribution")
    pairs_h: dict[str, Distribution] = Field(
        default_factory=dict, description="hours by country pair, e.g. {'PL-LT': {...}}")

    @model_validator(mode="after")
    def _pairs(self) -> BorderDelayDraws:
        for key in self.pairs_h:
            if not re.fullmatch(r"[A-Z]{2}-[A-Z]{2}", key):
                raise ValueError(f"country pair {key!r} must look like 'PL-LT'")
        return self


GRID_PARAMETERS = ("capacity_factor", "border_delay_h", "heavy_share", "road_march_hours_per_day")
_GRID_RANGES = {"capacity_factor": (0, 100), "border_delay_h": (0, 24 * 365),
                "heavy_share": (0, 1), "road_march_hours_per_day": (1e-9, 24)}


class GridAxis(_Target):
    """One axis of the parameter grid: every run of the sweep is repeated for each value.

    ``capacity_factor`` (multiplier; with ``element``, ``corridor`` or ``kind``),
    ``border_delay_h`` (hours; ``pair`` such as ``PL-LT``, or every border when omitted),
    ``heavy_share`` (0-1) or ``road_march_hours_per_day`` (hours, up to 24).
    """

    parameter: Literal["capacity_factor", "border_delay_h", "heavy_share",
                       "road_march_hours_per_day"]
    values: tuple[float, ...] = Field(min_length=1, max_length=1000)
    pair: str | None = Field(None, description="country pair for border_delay_h, e.g. 'PL-LT'")
    name: str | None = Field(None, description="column label; default from the parameter")

    @model_validator(mode="after")
    def _valid(self) -> GridAxis:
        if self.parameter == "capacity_factor":
            self._check_one_target()
        elif any(getattr(self, w) is not None for w in ("element", "corridor", "kind")):
            raise ValueError(f"'{self.parameter}' takes no element, corridor or kind")
        if self.pair is not None and (self.parameter != "border_delay_h"
                                      or not re.fullmatch(r"[A-Z]{2}-[A-Z]{2}", self.pair)):
            raise ValueError("'pair' is only for border_delay_h and looks like 'PL-LT'")
        low, high = _GRID_RANGES[self.parameter]
        for value in self.values:
            if not (low <= value <= high):
                raise ValueError(f"value {value!r} out of range for {self.parameter}: "
                                 f"{low:g} to {high:g}")
        return self

    def label(self) -> str:
        if self.name:
            return self.name
        if self.parameter == "capacity_factor":
            return f"{self.target()[1]}_capacity_factor"
        if self.parameter == "border_delay_h" and self.pair:
            return f"border_delay_h_{self.pair}"
        return self.parameter


class Sweep(_Model):
    """A Monte Carlo sweep over disruptions and a grid over parameters of one scenario."""

    name: Name = Field(description="sweep name (the default output folder sweeps/NAME)")
    description: str = ""
    base_scenario: str = Field(
        "baseline", description="shipped scenario name or YAML path (relative to this file)")
    runs: int = Field(ge=1, le=MAX_TOTAL_RUNS, description="Monte Carlo runs per grid point")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="root seed; run i uses (seed, i)")
    chunk_runs: int = Field(25, ge=1, le=100_000, description="runs per Parquet part file")
    failures: Failures = Failures()
    capacity_ranges: tuple[CapacityRange, ...] = Field(
        (), description="capacity multipliers drawn uniformly per run")
    border_delays: BorderDelayDraws = BorderDelayDraws()
    grid: tuple[GridAxis, ...] = Field((), max_length=6, description="parameter grid axes")
    source_file: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> Sweep:
        labels = [axis.label() for axis in self.grid]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValueError(f"grid axes need distinct names; {repeated[0]!r} is repeated "
                             "(set 'name')")
        drawn = {"default"} if self.border_delays.default_h is not None else set()
        drawn |= set(self.border_delays.pairs_h)
        for axis in self.grid:
            if axis.parameter == "border_delay_h" and (axis.pair or "default") in drawn:
                raise ValueError(f"border delay {axis.pair or 'default'} is both on the grid "
                                 "and drawn in border_delays; choose one")
        if self.total_runs > MAX_TOTAL_RUNS:
            raise ValueError(f"{self.total_runs:,} runs (grid points x runs) is more than "
                             f"{MAX_TOTAL_RUNS:,}")
        return self

    @property
    def grid_points(self) -> int:
        return math.prod(len(axis.values) for axis in self.grid)

    @property
    def total_runs(self) -> int:
        return self.grid_points * self.runs

    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


def load_sweep(path: str | Path) -> Sweep:
    """Load and validate a sweep YAML file.

    Parameters
    ----------
    path
        The sweep file (see ``data/sweeps/example.yaml``): base scenario, runs and seed,
        failure probabilities (0-1), capacity factor ranges, border delay distributions
        (hours) and grid axes. Its name defaults to the file's stem.

    Returns
    -------
    Sweep
        The validated sweep: base scenario, disruptions and their probabilities, parameter
        grid, runs and seed.

    Raises
    ------
    SweepError
        A malformed sweep: the message names the file, the field and the value.
    """
    from mobility._yaml import model_from_mapping, read_yaml

    path = Path(path)
    return model_from_mapping(read_yaml(path, SweepError), path, Sweep, SweepError, "sweep",
                              path.stem)


