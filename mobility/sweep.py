"""Sweeps: Monte Carlo over disruptions and grids over parameters, run on Dask.

A sweep is a YAML file validated into :class:`Sweep`. Every run is a variant of one base
scenario: elements fail with a probability (closed from day 0), capacities are multiplied by
factors drawn from ranges, border delays are drawn from distributions (hours), and a grid
sets parameters to every combination of listed values. Each variant is solved with the fast
closure (:func:`mobility.closure.closure` with ``detail=False``) and reduced to one row of key
outputs.

Runs are independent: run ``i`` draws from ``numpy.random.default_rng(SeedSequence(seed,
spawn_key=(i,)))``, so the rows do not depend on how the runs are split between workers
or on their order. Rows are written to a Parquet dataset, one file per chunk of runs, each
written atomically (temporary file, then :func:`os.replace`); a sweep started again on the
same output folder computes only the runs that are missing.

Layout of an output folder::

    sweep.json                 the sweep and a digest of every input it depends on
                               (:func:`input_digests`): a resume with other inputs is refused
    runs/part-0000000-0000024.parquet   one row per run, runs 0 … 24
    runs/…                     only parts: ``pandas.read_parquet(OUT / "runs")`` reads them all
    summary.json, summary.png  written by :func:`write_summary`

Semantics of a capacity factor: on an edge it multiplies ``capacity_per_day`` (both
directions); on a node it multiplies the transfer capacity (``transfer_capacity_per_day``:
trains, sailings or flights a day) and leaves the edges that touch the node alone; a factor
of 0 closes the element as a failure does. A failed node is closed with everything that
touches it (the scenario's ``capacity_changes`` semantics); an origin or destination at a
failed node is dropped, as is one that the failures cut off from the network (listed in the
row's ``cut_off``).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import math
import os
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import networkx as nx
import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Field, ValidationError, model_validator

from mobility import _parallel, disruption
from mobility._errors import InfeasibleError, MobilityError, ScenarioError, UnknownNodeError
from mobility._progress import RunProgress as Progress
from mobility._yaml import InputModel
from mobility.names import resolve_node, suggestions
from mobility.scenario import (
    BorderDelays,
    Force,
    Name,
    Scenario,
    load_scenario,
)
from mobility.settings import REPORT_DAYS

logger = logging.getLogger(__name__)

#: Days at which every row records the cumulative troops arrived (besides target deadlines).
#: Largest number of runs one sweep may ask for (grid points x runs).
MAX_TOTAL_RUNS = 1_000_000
#: Largest number of local worker processes ``--workers`` accepts.
MAX_WORKERS = 256
MANIFEST = "sweep.json"
#: The subfolder of the output folder that holds only the Parquet parts, so that
#: ``pandas.read_parquet(OUT / "runs")`` reads every run.
PARTS = "runs"
PART_PATTERN = re.compile(r"^part-(\d{7})-(\d{7})\.parquet$")



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
    """Load and validate a sweep YAML file (errors name the file, the field and the value)."""
    from mobility._yaml import describe, read_yaml

    path = Path(path)
    raw = read_yaml(path, SweepError)
    if not isinstance(raw, dict):
        msg = f"{path}: a sweep is a YAML mapping of fields, not {type(raw).__name__}"
        raise SweepError(msg)
    raw.setdefault("name", path.stem)
    try:
        sweep = Sweep.model_validate(raw)
    except ValidationError as error:
        raise SweepError(describe(error, path, Sweep)) from None
    return sweep.model_copy(update={"source_file": str(path)})


# --- a plan: the sweep checked against its network --------------------------------------


@dataclass(frozen=True)
class SweepPlan:
    """A sweep checked against its base scenario and network, with every name resolved.

    Picklable and small (no graph): workers load the network themselves, once per process.
    """

    sweep: Sweep
    base: Scenario
    candidates: tuple[tuple[str, float], ...]  # (element id, failure probability), sorted
    ranges: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (label, ((kind, id), …))
    axes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (label, targets) per grid axis
    report_days: tuple[int, ...]
    targets: tuple[tuple[float, float], ...]  # (troops, deadline_day)
    inputs: tuple[tuple[str, str], ...] = ()  # (input, digest): see input_digests

    @property
    def total_runs(self) -> int:
        return self.sweep.total_runs

    @property
    def fingerprint(self) -> str:
        """One digest of every input the runs depend on (see :func:`input_digests`)."""
        return hashlib.sha256(json.dumps(self.inputs).encode()).hexdigest()[:16]

    def columns(self) -> list[str]:
        return list(_schema(self).names)


def plan_sweep(sweep: Sweep | str | Path, graph: nx.MultiDiGraph | None = None) -> SweepPlan:
    """Check a sweep against its base scenario and network; resolve every name it uses.

    Raises :class:`SweepError` (or the scenario's and network's own errors) naming the sweep
    file, the field and the bad value; nothing is computed or written.
    """
    from mobility.closure import build_model
    from mobility.closure.fleet import build_fleet_model

    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    where = sweep.source_file or f"sweep '{sweep.name}'"
    base = _base_scenario(sweep, where)
    graph = graph if graph is not None else _network(base)
    try:
        build_fleet_model(graph, base) if base.forces is not None else \
            build_model(graph, base)  # the base scenario itself must be solvable
    except MobilityError as error:
        raise SweepError(f"{where}: field 'base_scenario': {error}") from None
    index = _ElementIndex(graph)
    probability: dict[str, float] = {}
    for kind, p in sorted(sweep.failures.by_kind.items()):
        for _, ref in index.targets("kind", kind, where, f"failures.by_kind.{kind}"):
            probability[ref] = p
    for text, p in sorted(sweep.failures.elements.items()):
        for _, ref in index.targets("element", text, where, f"failures.elements.{text}"):
            probability[ref] = p
    candidates = tuple((ref, p) for ref, p in sorted(probability.items()) if p > 0)
    ranges = []
    for i, entry in enumerate(sweep.capacity_ranges):
        what, text = entry.target()
        targets = index.targets(what, text, where, f"capacity_ranges.{i}.{what}")
        ranges.append((text, tuple(targets)))
    axes = []
    for i, axis in enumerate(sweep.grid):
        targets = ()
        if axis.parameter == "capacity_factor":
            what, text = axis.target()
            targets = tuple(index.targets(what, text, where, f"grid.{i}.{what}"))
        axes.append((axis.label(), targets))
    resolved = base.targets.resolved()
    wanted = set(REPORT_DAYS) | {int(t.deadline_day) for t in resolved}
    return SweepPlan(
        sweep=sweep, base=base, candidates=candidates, ranges=tuple(ranges), axes=tuple(axes),
        report_days=tuple(sorted(wanted)),
        targets=tuple((float(t.troops), float(t.deadline_day)) for t in resolved),
        inputs=tuple(input_digests(sweep, base).items()),
    )


def input_digests(sweep: Sweep, base: Scenario) -> dict[str, str]:
    """A digest of each input a sweep's runs depend on, by name.

    The sweep and its base scenario (every field, defaults filled in), the bytes of the
    network files, the force list and fleet file (if the scenario has a force list), the unit
    profiles and planning factors, and the package version: change any of them and the rows
    already in an output folder no longer belong to this sweep.
    """
    from mobility._data import data_dir
    from mobility._version import package_version
    from mobility.forces import load_fleets, load_force_list

    def digest(*paths: Path | str | None) -> str:
        hashed = hashlib.sha256()
        for path in paths:
            if path is None:
                continue
            path = Path(path)
            for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
                if file.is_file():
                    hashed.update(file.name.encode() + b"\0" + file.read_bytes())
        return hashed.hexdigest()[:16]

    network = base.network.path
    if network is not None and base.source_file:
        candidate = Path(base.source_file).parent / network
        network = str(candidate) if candidate.exists() else network
    digests = {
        "sweep": hashlib.sha256(sweep.model_dump_json().encode()).hexdigest()[:16],
        "base scenario": hashlib.sha256(base.model_dump_json().encode()).hexdigest()[:16],
        "network": digest(network if network is not None else data_dir() / "network"),
        "unit profiles": digest(data_dir() / "unit_profiles.yaml"),
        "planning factors": digest(data_dir() / "planning_factors.yaml"),
    }
    if base.forces is not None:
        digests["force list"] = digest(load_force_list(
            base.forces, relative_to=base.source_file).source_file)
        if base.fleets is not None:
            digests["fleets"] = digest(load_fleets(
                base.fleets, relative_to=base.source_file).source_file)
    digests["package version"] = package_version()  # "unknown" outside an installation
    return digests


def _base_scenario(sweep: Sweep, where: str) -> Scenario:
    name = sweep.base_scenario
    if sweep.source_file and (name.endswith((".yaml", ".yml")) or "/" in name):
        candidate = Path(sweep.source_file).parent / name
        name = str(candidate) if candidate.exists() else name
    try:
        return load_scenario(name)
    except ScenarioError as error:
        raise SweepError(f"{where}: field 'base_scenario': {error}") from None


_GRAPHS: dict[str, nx.MultiDiGraph] = {}


def _network(scenario: Scenario) -> nx.MultiDiGraph:
    """The scenario's network, loaded once per process (workers reuse it across tasks)."""
    from mobility.closure import network_for

    key = f"{scenario.source_file}|{scenario.network.model_dump_json()}"
    if key not in _GRAPHS:
        _GRAPHS[key] = network_for(scenario)
    return _GRAPHS[key]


class _ElementIndex:
    """Resolve node names, edge ids, corridors and kinds to sorted (kind, id) targets."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.edges: dict[str, str] = {}
        self.corridors: dict[str, set[str]] = {}
        for _, _, key, data in graph.edges(keys=True, data=True):
            self.edges[key] = str(data["mode"])
            for tag in data.get("corridors") or ():
                self.corridors.setdefault(tag, set()).add(key)
        self.kinds: dict[str, set[tuple[str, str]]] = {}
        for node, data in graph.nodes(data=True):
            self.kinds.setdefault(str(data["kind"]), set()).add(("node", node))
        for key, mode in self.edges.items():
            self.kinds.setdefault(mode, set()).add(("edge", key))

    def targets(self, what: str, text: str, where: str, field_name: str) -> list[tuple[str, str]]:
        if what == "kind":
            if text not in self.kinds:
                valid = ", ".join(sorted(self.kinds))
                msg = f"{where}: field '{field_name}' = {text!r}: unknown kind; valid: {valid}"
                raise SweepError(msg)
            return sorted(self.kinds[text])
        if what == "corridor":
            if text not in self.corridors:
                close = suggestions(text, sorted(self.corridors))
                hint = f"did you mean {close[0]!r}? " if close else ""
                msg = (f"{where}: field '{field_name}' = {text!r}: unknown corridor; {hint}valid "
                       f"corridors in this network: {', '.join(sorted(self.corridors))}")
                raise SweepError(msg)
            return sorted(("edge", key) for key in self.corridors[text])
        if text in self.edges:
            return [("edge", text)]
        try:
            return [("node", resolve_node(self.graph, text))]
        except UnknownNodeError as error:
            msg = f"{where}: field '{field_name}' = {text!r}: {error} (nor an edge id)"
            raise SweepError(msg) from None


# --- one run ----------------------------------------------------------------------------


def run_rng(seed: int, run: int) -> np.random.Generator:
    """The random generator of run ``run``: independent of every other run and of order."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(run,)))


def grid_values(plan: SweepPlan, point: int) -> tuple[float, ...]:
    """The grid values of grid point ``point`` (the last axis varies fastest)."""
    combos = itertools.product(*(axis.values for axis in plan.sweep.grid))
    return next(itertools.islice(combos, point, None)) if plan.sweep.grid else ()


def run_one(plan: SweepPlan, run: int, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """Draw run ``run`` of a sweep, solve its closure (fast mode) and return its row."""
    sweep, base = plan.sweep, plan.base
    graph = graph if graph is not None else _network(base)
    point, replicate = divmod(run, sweep.runs)
    rng = run_rng(sweep.seed, run)
    row: dict[str, Any] = {"run": run, "grid_point": point, "replicate": replicate,
                           "seed": sweep.seed}

    # Draw in a fixed order: failures, capacity ranges, border delays.
    draws = rng.random(len(plan.candidates))
    failed = sorted(ref for (ref, p), u in zip(plan.candidates, draws, strict=True) if u < p)
    factors: dict[tuple[str, str], float] = {}
    for (label, targets), entry in zip(plan.ranges, sweep.capacity_ranges, strict=True):
        value = float(rng.uniform(entry.low, entry.high))
        row[f"factor.{label}"] = value
        for target in targets:
            factors[target] = factors.get(target, 1.0) * value
    delays = dict(base.border_delays.pairs_h)
    default_h = base.border_delays.default_h
    if sweep.border_delays.default_h is not None:
        default_h = sweep.border_delays.default_h.draw(rng)
        row["border_h.default"] = default_h
    for pair, distribution in sorted(sweep.border_delays.pairs_h.items()):
        delays[pair] = distribution.draw(rng)
        row[f"border_h.{pair}"] = delays[pair]

    updates: dict[str, Any] = {}
    for (label, targets), axis, value in zip(plan.axes, sweep.grid, grid_values(plan, point),
                                             strict=True):
        row[f"grid.{label}"] = float(value)
        if axis.parameter == "capacity_factor":
            for target in targets:
                factors[target] = factors.get(target, 1.0) * value
        elif axis.parameter == "border_delay_h":
            if axis.pair:
                delays[axis.pair] = float(value)
            else:
                default_h = float(value)
        elif axis.parameter == "heavy_share":
            updates["force"] = Force(heavy_share=value)
        else:
            updates["road_march_hours_per_day"] = float(value)

    # A factor of 0 closes the element (a node with its edges), like a failure; a positive
    # factor scales an edge's capacity or a node's transfer capacity (mobility.disruption).
    closed = set(failed) | {ref for (_, ref), f in factors.items() if f <= 0}
    variant_graph = disruption.scaled_network(
        graph, {t: f for t, f in factors.items() if f > 0 and f != 1.0})
    updates |= {"border_delays": BorderDelays(default_h=default_h, pairs_h=delays)}
    variant = disruption.scale_elements(base.model_copy(update=updates),
                                        [(ref, 0.0) for ref in sorted(closed)],
                                        reason="sweep: failed")
    cut_off: list[str] = []
    if base.forces is not None:  # a force list: the fleet engine names what is cut off
        result, status = _force_run(variant_graph, variant)
    else:
        closed_nodes = {ref for ref in closed if ref in graph.nodes}
        result, status, cut_off = _origins_run(variant_graph, variant, closed_nodes)
    row["failed"] = failed
    row["cut_off"] = cut_off
    row["status"] = status
    for day in plan.report_days:
        beyond = day > base.horizon_days
        row[f"troops_day_{day}"] = (math.nan if beyond else result.troops_by_day.get(
            day, result.arrivals_by(day)) if result is not None else 0.0)
    for k, (troops, deadline) in enumerate(plan.targets, start=1):
        outcome = result.targets[k - 1] if result is not None else None
        reached = outcome.reached_day if outcome is not None else None
        row[f"target_{k}_troops"] = troops
        row[f"target_{k}_deadline_day"] = deadline
        row[f"target_{k}_reached_day"] = math.nan if reached is None else reached
        row[f"target_{k}_met"] = bool(reached is not None and reached <= deadline)
    necks = [b.name for b in result.bottlenecks] if result is not None else []
    row["top_bottleneck"] = necks[0] if necks else None
    row["bottlenecks"] = necks
    return row


def _force_run(graph: nx.MultiDiGraph, variant: Scenario):
    from mobility.closure import closure

    try:
        return closure(graph, variant, detail=False), "ok"
    except InfeasibleError:
        return None, "no formation can arrive"


def _origins_run(graph: nx.MultiDiGraph, variant: Scenario, closed_nodes: set[str]):
    """The stress case: drop the origins and destinations the failures cut off, solve the
    rest; returns (result or None, status, cut-off nodes)."""
    from mobility.closure import closure

    reachable = disruption.without_cut_off(graph, variant, closed_nodes)
    cut_off = sorted({node for _, node in reachable.cut_off})
    kept = reachable.scenario
    if not kept.origins or not kept.destinations:
        return None, "no origin left" if not kept.origins else "no destination left", cut_off
    return closure(graph, kept, detail=False), "ok", cut_off


def run_chunk(plan: SweepPlan, runs: list[int]) -> list[dict[str, Any]]:
    """Rows of the given runs (the unit of work sent to one Dask worker)."""
    graph = _network(plan.base)
    return [run_one(plan, run, graph) for run in runs]


# --- the Parquet dataset ----------------------------------------------------------------


def _schema(plan: SweepPlan):
    import pyarrow as pa

    fields = [pa.field("run", pa.int64()), pa.field("grid_point", pa.int64()),
              pa.field("replicate", pa.int64()), pa.field("seed", pa.int64())]
    fields += [pa.field(f"grid.{label}", pa.float64()) for label, _ in plan.axes]
    fields += [pa.field(f"factor.{label}", pa.float64()) for label, _ in plan.ranges]
    if plan.sweep.border_delays.default_h is not None:
        fields.append(pa.field("border_h.default", pa.float64()))
    fields += [pa.field(f"border_h.{pair}", pa.float64())
               for pair in sorted(plan.sweep.border_delays.pairs_h)]
    fields += [pa.field("failed", pa.list_(pa.string())),
               pa.field("cut_off", pa.list_(pa.string())), pa.field("status", pa.string())]
    fields += [pa.field(f"troops_day_{day}", pa.float64()) for day in plan.report_days]
    for k in range(1, len(plan.targets) + 1):
        fields += [pa.field(f"target_{k}_troops", pa.float64()),
                   pa.field(f"target_{k}_deadline_day", pa.float64()),
                   pa.field(f"target_{k}_reached_day", pa.float64()),
                   pa.field(f"target_{k}_met", pa.bool_())]
    fields += [pa.field("top_bottleneck", pa.string()),
               pa.field("bottlenecks", pa.list_(pa.string()))]
    return pa.schema(fields, metadata={"sweep": plan.sweep.name,
                                       "fingerprint": plan.fingerprint})


def write_part(plan: SweepPlan, rows: list[dict[str, Any]], out_dir: Path) -> Path:
    """Write rows as one Parquet part, atomically (temporary file, then os.replace)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = sorted(rows, key=lambda r: r["run"])
    table = pa.Table.from_pylist(rows, schema=_schema(plan))
    folder = Path(out_dir) / PARTS
    folder.mkdir(exist_ok=True)
    path = folder / f"part-{rows[0]['run']:07d}-{rows[-1]['run']:07d}.parquet"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if this failed part was to be its first
        raise
    return path


def done_runs(out_dir: str | Path) -> set[int]:
    """Run ids already stored in the parts of an output folder."""

    done: set[int] = set()
    for path in _parts(Path(out_dir)):
        done.update(_read_part(path, columns=["run"])["run"].tolist())
    return done


def _read_part(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=columns).to_pandas()
    except Exception as error:  # pyarrow raises several types for a damaged file
        what = " ".join(str(error).split())[:120]
        msg = f"{path}: not a readable sweep part ({what}); delete it to recompute its runs"
        raise SweepError(msg) from None


def _parts(out_dir: Path) -> list[Path]:
    """The part files: in ``OUT/runs/`` (older sweeps wrote them into ``OUT/`` itself)."""
    found = []
    for folder in (out_dir / PARTS, out_dir):
        if folder.is_dir():
            found += [p for p in folder.iterdir() if PART_PATTERN.match(p.name)]
    return sorted(found, key=lambda p: p.name)


def read_results(out_dir: str | Path) -> pd.DataFrame:
    """All rows of a sweep output folder as one DataFrame, sorted by run."""

    out_dir = Path(out_dir)
    _check_output_folder(out_dir, None, must_exist=True)
    parts = _parts(out_dir)
    if not parts:
        raise SweepError(f"{out_dir}: no sweep results yet (no part-*.parquet files)")
    frame = pd.concat([_read_part(p) for p in parts], ignore_index=True)
    frame = frame.drop_duplicates("run").sort_values("run", kind="stable")
    return frame.reset_index(drop=True)


def _check_output_folder(out_dir: Path, plan: SweepPlan | None, *, must_exist: bool) -> None:
    """A sweep output folder: absent, empty, or holding the parts of this very sweep, computed
    from the same inputs (see :func:`input_digests`)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise SweepError(f"{out_dir}: --out must be a folder, but this is a file")
    if not out_dir.exists():
        if must_exist:
            raise SweepError(f"{out_dir}: no such sweep output folder")
        return
    manifest = out_dir / MANIFEST
    entries = [p for p in out_dir.iterdir() if not p.name.startswith(".")]
    if not manifest.exists():
        if entries:
            msg = (f"{out_dir}: not a sweep output folder (no {MANIFEST}) and not empty; "
                   "give a new or empty folder")
            raise SweepError(msg)
        if must_exist:
            raise SweepError(f"{out_dir}: no sweep results here (no {MANIFEST})")
        return
    try:
        stored = json.loads(manifest.read_text(encoding="utf-8"))
        fingerprint = stored["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SweepError(f"{manifest}: unreadable sweep manifest ({error})") from None
    if plan is None or fingerprint == plan.fingerprint:
        return
    before = stored.get("inputs") if isinstance(stored.get("inputs"), dict) else {}
    changed = [name for name, value in plan.inputs if before.get(name) != value]
    if "sweep" in changed or stored.get("name") != plan.sweep.name:
        msg = (f"{out_dir}: holds results of a different sweep ({stored.get('name')!r}, "
               f"fingerprint {fingerprint}); resume only the same sweep file, or give a new --out")
    else:
        msg = (f"{out_dir}: holds runs of this sweep computed from other inputs (changed "
               f"since: {', '.join(changed) or 'an input this version does not record'}); "
               "mixing them would summarise two models together: give a new --out, or delete "
               "the folder to start again")
    raise SweepError(msg)


# --- running a sweep --------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRun:
    """What :func:`run_sweep` did."""

    out_dir: Path
    total_runs: int
    computed_runs: int  # runs computed by this call
    resumed_runs: int  # runs found already done in the output folder
    elapsed_s: float
    parts: list[Path] = field(default_factory=list)
    executor: str = "in-process"  # where the runs were computed, and why (mobility._parallel)

    @property
    def runs_per_s(self) -> float:
        return self.computed_runs / self.elapsed_s if self.elapsed_s > 0 else math.nan


def run_sweep(
    sweep: Sweep | str | Path,
    out_dir: str | Path,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Progress | None = None,
    max_runs: int | None = None,
    dask: bool | None = None,
) -> SweepRun:
    """Run the missing runs of a sweep into ``out_dir`` (a Parquet dataset).

    Parameters
    ----------
    sweep
        A :class:`Sweep` or the path of a sweep YAML file.
    out_dir
        Output folder: created if absent; if it holds parts of the same sweep, only the
        missing runs are computed (resume).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); ``None`` starts a
        LocalCluster of ``workers`` processes (one thread each).
    workers
        Local worker processes at most; 0 runs everything in this process, without Dask.
        The first chunks run in this process and are timed; a LocalCluster is started for
        the rest only if it finishes sooner, its start-up included
        (:func:`mobility._parallel.cluster_pays`); ``SweepRun.executor`` says which.
    progress
        Called as ``progress(done_runs, total_runs)`` after each part is written.
    max_runs
        Compute at most this many of the missing runs (a partial sweep, resumable).
    dask
        ``True``: a LocalCluster of ``workers`` processes whatever the runs cost; ``False``:
        this process; ``None`` (default): decided as above.
    """
    if isinstance(workers, bool) or not 0 <= workers <= MAX_WORKERS:
        msg = f"--workers = {workers!r}: give 0 (in-process) to {MAX_WORKERS} worker processes"
        raise SweepError(msg)
    out_dir = Path(out_dir)
    plan = plan_sweep(sweep)
    _check_output_folder(out_dir, plan, must_exist=False)
    started = time.perf_counter()
    done = done_runs(out_dir)
    missing = [run for run in range(plan.total_runs) if run not in done]
    if max_runs is not None:
        missing = missing[:max_runs]
    chunks = _chunks(missing, plan.sweep.chunk_runs)
    say = progress or (lambda _done, _total: None)
    count = len(done & set(range(plan.total_runs)))
    say(count, plan.total_runs)
    # A scheduler address is checked (connected to) before anything is written.
    client = _client(scheduler, workers) if chunks and scheduler else None
    runner = _Runner(plan, client, workers=workers, dask=dask)
    # The folder appears only once the sweep is known to be valid and runnable.
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in [*out_dir.glob(".part-*.tmp"), *(out_dir / PARTS).glob(".part-*.tmp")]:
        stale.unlink(missing_ok=True)  # left by a run that was killed mid-write
    _write_manifest(plan, out_dir)
    parts = []
    try:
        for rows in runner.results(chunks):
            parts.append(write_part(plan, rows, out_dir))
            count += len(rows)
            say(count, plan.total_runs)
    finally:
        runner.close()
    elapsed = time.perf_counter() - started
    return SweepRun(out_dir, plan.total_runs, len(missing), len(done), elapsed, parts,
                    executor=runner.executor)


def _chunks(runs: list[int], size: int) -> list[list[int]]:
    """Missing runs grouped by their fixed chunk (run // size), so parts stay aligned."""
    grouped: dict[int, list[int]] = {}
    for run in runs:
        grouped.setdefault(run // size, []).append(run)
    return [grouped[key] for key in sorted(grouped)]


class _Runner:
    """Computes chunks of runs in this process or on Dask (:mod:`mobility._parallel`), and
    closes the local cluster it started."""

    def __init__(self, plan: SweepPlan, client, *, workers: int, dask: bool | None) -> None:
        self.plan, self.client, self.workers, self.dask = plan, client, workers, dask
        self.owns_client = False
        self.executor = "in-process" if client is None else "Dask scheduler"

    def results(self, chunks: list[list[int]]) -> Iterable[list[dict]]:
        left = list(chunks)
        if self.client is None and (self.workers == 0 or self.dask is False):
            yield from self._here(left)
            return
        if self.client is None and self.dask is None:
            # Time the first chunks here (their rows count), then decide for the rest.
            spent, timed = 0.0, 0
            while left and spent < _parallel.PROBE_S:
                chunk = left.pop(0)
                started = time.perf_counter()
                yield from self._here([chunk])
                spent, timed = spent + time.perf_counter() - started, timed + len(chunk)
            runs_left = sum(len(chunk) for chunk in left)
            if not _parallel.cluster_pays(spent / max(timed, 1), runs_left, self.workers):
                self.executor = (f"in-process ({1000 * spent / max(timed, 1):.0f} ms a run: a "
                                 f"cluster of {self.workers} would not pay for {runs_left} runs)")
                yield from self._here(left)
                return
        if not left:
            return
        if self.client is None:
            self.client = _client(None, self.workers)
            self.owns_client = True
            self.executor = f"Dask LocalCluster, {self.workers} worker processes"
        yield from self._on_dask(left)

    def _here(self, chunks: list[list[int]]) -> Iterable[list[dict]]:
        graph = _network(self.plan.base)
        for chunk in chunks:
            yield [run_one(self.plan, run, graph) for run in chunk]

    def _on_dask(self, chunks: list[list[int]]) -> Iterable[list[dict]]:
        from dask.distributed import as_completed

        shared = self.client.scatter(self.plan, broadcast=True)
        futures = self.client.map(run_chunk, [shared] * len(chunks), chunks, pure=False)
        for future in as_completed(futures):
            yield future.result()
            future.release()

    def close(self) -> None:
        if self.client is not None and self.owns_client:
            _parallel.close(self.client)
        elif self.client is not None:
            self.client.close()  # a user's scheduler: disconnect, leave it running
        self.client = None


_SCHEDULER = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?[A-Za-z0-9_.\[\]:-]+:\d{1,5}$")


def check_scheduler(address: str) -> str:
    """``address`` if it has the form of a Dask scheduler address (``tcp://host:8786``)."""
    if not _SCHEDULER.match(address):
        raise SweepError(f"--scheduler = {address!r}: not a Dask scheduler address; give "
                         "e.g. tcp://10.0.0.5:8786 (protocol, host and port)")
    return address


def _client(scheduler: str | None, workers: int):
    if scheduler:
        from dask.distributed import Client

        check_scheduler(scheduler)
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError, TypeError) as error:
            msg = f"--scheduler = {scheduler!r}: cannot connect to a Dask scheduler: {error}"
            raise SweepError(msg) from None
    return _parallel.local_client(workers)


def _write_manifest(plan: SweepPlan, out_dir: Path) -> None:
    from mobility._io import atomic_write_text

    manifest = {"name": plan.sweep.name, "fingerprint": plan.fingerprint,
                "inputs": dict(plan.inputs),
                "total_runs": plan.total_runs, "sweep_file": plan.sweep.source_file,
                "sweep": plan.sweep.model_dump(mode="json"), "columns": plan.columns()}
    path = out_dir / MANIFEST
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)


# --- summary ----------------------------------------------------------------------------

PERCENTILES = (5, 50, 95)


@dataclass(frozen=True)
class TargetSummary:
    troops: float
    deadline_day: float
    probability_met: float  # share of runs that reach the target by its deadline
    reached_share: float  # share of runs that reach it within the horizon at all
    days_percentiles: dict[int, float | None]  # p → day reached; None = beyond the horizon


@dataclass(frozen=True)
class SweepSummary:
    """Percentiles of days to each target, probability of meeting it, binding bottlenecks."""

    name: str
    runs: int
    total_runs: int
    runs_with_failures: int
    runs_cut_off: int  # runs in which an origin or destination was dropped
    targets: list[TargetSummary]
    troops_percentiles: dict[int, dict[int, float]]  # day → p → troops
    bottlenecks: list[tuple[str, float]]  # (name, share of runs in which it binds)
    top_bottlenecks: list[tuple[str, float]]  # (name, share of runs it is the top one)
    failures: list[tuple[str, float]]  # (element id, share of runs in which it failed)
    grid: list[dict[str, Any]] = field(default_factory=list)  # per grid point

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=str))


def summarise(frame: pd.DataFrame, *, name: str = "", total_runs: int | None = None,
              top: int = 10) -> SweepSummary:
    """Summarise the rows of a sweep (from :func:`read_results`)."""
    n = len(frame)
    targets = []
    k = 1
    while f"target_{k}_met" in frame:
        days = frame[f"target_{k}_reached_day"].to_numpy(dtype=float)
        finite = np.where(np.isnan(days), np.inf, days)
        targets.append(TargetSummary(
            troops=float(frame[f"target_{k}_troops"].iloc[0]),
            deadline_day=float(frame[f"target_{k}_deadline_day"].iloc[0]),
            probability_met=float(frame[f"target_{k}_met"].mean()),
            reached_share=float(np.isfinite(finite).mean()),
            days_percentiles={p: _finite(np.percentile(finite, p, method="lower"))
                              for p in PERCENTILES},
        ))
        k += 1
    troops = {int(c.removeprefix("troops_day_")): {
        p: float(np.nanpercentile(frame[c], p)) if frame[c].notna().any() else math.nan
        for p in PERCENTILES} for c in frame if c.startswith("troops_day_")}
    binds = Counter(name for names in frame["bottlenecks"] for name in set(names))
    tops = Counter(frame["top_bottleneck"].dropna())
    failed = Counter(ref for refs in frame["failed"] for ref in refs)
    grid_columns = [c for c in frame if c.startswith("grid.")]
    grid = []
    if grid_columns:
        for point, rows in frame.groupby("grid_point", sort=True):
            entry: dict[str, Any] = {"grid_point": int(point)}
            entry |= {c.removeprefix("grid."): float(rows[c].iloc[0]) for c in grid_columns}
            entry["runs"] = len(rows)
            for j in range(1, len(targets) + 1):
                entry[f"target_{j}_probability_met"] = float(rows[f"target_{j}_met"].mean())
                days = rows[f"target_{j}_reached_day"].to_numpy(dtype=float)
                entry[f"target_{j}_median_day"] = _finite(
                    np.percentile(np.where(np.isnan(days), np.inf, days), 50, method="lower"))
            grid.append(entry)
    return SweepSummary(
        name=name, runs=n, total_runs=total_runs or n,
        runs_with_failures=int(sum(1 for refs in frame["failed"] if len(refs))),
        runs_cut_off=int(sum(1 for refs in frame["cut_off"] if len(refs))),
        targets=targets, troops_percentiles=troops,
        bottlenecks=_shares(binds, n, top),
        top_bottlenecks=_shares(tops, n, top),
        failures=_shares(failed, n, top),
        grid=grid,
    )


def _shares(counts: Counter, n: int, top: int) -> list[tuple[str, float]]:
    """The ``top`` most frequent keys with their share of ``n`` runs (ties by name)."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [(str(key), count / n) for key, count in ranked]


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def summarise_dir(out_dir: str | Path) -> SweepSummary:
    """Summarise the rows stored in a sweep output folder."""
    out_dir = Path(out_dir)
    frame = read_results(out_dir)
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    return summarise(frame, name=manifest.get("name", ""), total_runs=manifest.get("total_runs"))


def write_summary(summary: SweepSummary, frame: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """Write ``summary.json`` and ``summary.png`` into the output folder, both or neither."""
    from mobility._io import atomic_write_set

    out_dir = Path(out_dir)
    return atomic_write_set({
        out_dir / "summary.json": json.dumps(summary.to_dict(), ensure_ascii=False, indent=2),
        out_dir / "summary.png": sweep_plot_png(summary, frame)})


def sweep_plot_png(summary: SweepSummary, frame: pd.DataFrame) -> bytes:
    """PNG: distribution of the day each target is reached, and the most binding bottlenecks."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11.0, 4.8), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(1.1, 1))
    for k, target in enumerate(summary.targets, start=1):
        days = np.sort(frame[f"target_{k}_reached_day"].dropna().to_numpy(dtype=float))
        share = np.arange(1, len(days) + 1) / max(len(frame), 1)
        line = left.step(days, share, where="post",
                         label=f"{target.troops:,.0f} troops (P(met) {target.probability_met:.0%})")
        left.axvline(target.deadline_day, ls=":", color=line[0].get_color())
    left.set_xlabel("day the target is reached")
    left.set_ylabel("share of runs (cumulative)")
    left.set_ylim(0, 1.02)
    left.set_title(f"Days to each Force Model target — {summary.runs:,} runs")
    left.legend(loc="lower right", fontsize="small")
    names = [name for name, _ in summary.bottlenecks][::-1]
    right.barh(range(len(names)), [share for _, share in summary.bottlenecks][::-1],
               color="#d73027")
    right.set_yticks(range(len(names)), [n if len(n) < 45 else n[:42] + "…" for n in names],
                     fontsize="small")
    right.set_xlim(0, 1)
    right.set_xlabel("share of runs in which it binds")
    right.set_title("Bottlenecks that bind most often")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


# --- throughput (for `mobility bench`) ----------------------------------------------------


def sweep_throughput(n_runs: int = 40, *, workers: int = 1, scheduler: str | None = None,
                     seed: int = 0) -> float:
    """Runs per second of a Monte Carlo sweep of the stress case ``unlimited`` (steady state).

    The exact flows-over-time closure, as the sweeps of a stress case use it. Runs ``n_runs``
    runs (5 % failure of each gauge transfer, port and border crossing,
    border delays 6-48 h) into a temporary folder on a LocalCluster of ``workers`` processes
    (0: in-process) or on ``scheduler``. Cluster start-up and the first network load on every
    worker are excluded: a warm-up chunk runs first.
    """
    sweep = Sweep(
        name="throughput", base_scenario="unlimited", runs=n_runs + 1, seed=seed, chunk_runs=1,
        failures=Failures(by_kind={"gauge_transfer": 0.05, "port": 0.05,
                                   "border_crossing": 0.05}),
        border_delays=BorderDelayDraws(default_h=Uniform(distribution="uniform", low_h=6,
                                                         high_h=48)),
    )
    plan = plan_sweep(sweep)
    chunk = max(1, math.ceil(n_runs / max(workers, 1) / 4))
    timed = _chunks(list(range(1, n_runs + 1)), chunk)
    client = _client(scheduler, workers) if (scheduler or workers) else None
    try:
        if client is None:
            run_chunk(plan, [0])
            started = time.perf_counter()
            for runs in timed:
                run_chunk(plan, runs)
            return n_runs / (time.perf_counter() - started)
        client.run(_warm, plan)  # every worker loads the network and solves one run
        shared = client.scatter(plan, broadcast=True)
        started = time.perf_counter()
        client.gather(client.map(run_chunk, [shared] * len(timed), timed, pure=False))
        return n_runs / (time.perf_counter() - started)
    finally:
        if client is not None:
            _parallel.close(client)


def _warm(plan: SweepPlan) -> None:
    run_chunk(plan, [0])
