"""A sweep checked against its base scenario and network: every name resolved, inputs digested."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from mobility._errors import MobilityError, ScenarioError, UnknownNodeError
from mobility.names import resolve_node, suggestions
from mobility.scenario import (
    Scenario,
    load_scenario,
)
from mobility.settings import REPORT_DAYS
from mobility.sweep.spec import Sweep, SweepError, load_sweep

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


def _schema(plan: SweepPlan):
    """The Arrow schema of a run's row: the columns of the Parquet dataset, in order."""
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


def plan_sweep(sweep: Sweep | str | Path, graph: nx.MultiDiGraph | None = None) -> SweepPlan:
    """Check a sweep against its base scenario and network; resolve every name it uses.

    Raises :class:`SweepError` (or the scenario's and network's own errors) naming the sweep
    file, the field and the bad value; nothing is computed or written.
    """
    from mobility.engines import build_model
    from mobility.engines.fleet import build_fleet_model

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
        found = index.targets(what, text, where, f"capacity_ranges.{i}.{what}")
        ranges.append((text, tuple(found)))
    axes = []
    for i, axis in enumerate(sweep.grid):
        targets: tuple[tuple[str, str], ...] = ()
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

    network = base.network_path()
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


#: Each base network, loaded once per process: a Dask worker keeps it across the chunks it runs
#: (the plan that is sent to workers holds no graph). Per process by design, not a hidden
#: global of the model: nothing else reads it.
_GRAPHS: dict[str, nx.MultiDiGraph] = {}


def _network(scenario: Scenario) -> nx.MultiDiGraph:
    """The scenario's network, loaded once per process (workers reuse it across tasks)."""
    from mobility.engines import network_for

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


