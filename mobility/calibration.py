"""Calibration of the routing frictions on published real moves (data/calibration.yaml).

Two frictions are fitted, each on the cases whose time depends on it:

* ``rail_speed_factor`` (``data/network/frictions.yaml``): multiplies every rail edge's stated
  class speed (data/SOURCES.md A10) when the network is loaded, so that ``speed_kph`` is the
  average speed of a military train *including* waits for train paths and crew or locomotive
  changes. Routing and the closure engine both read the loaded speeds, so they share it.
* ``road_march_hours_per_day`` (the scenario field, S7; every shipped scenario states the
  fitted value): the hours a day a road column moves, i.e. the daily march limit. Routing
  counts whole march days with it; the closure engine stretches road legs by
  ``24 / hours``.

Everything else (terminal, port and gauge-transfer dwell, handling, convoy speeds, carriers)
stays as shipped; the cases that depend only on those are in the table as checks
(``informs: none``). The fit minimises the squared log ratio model / observed over a grid;
``leave_one_out`` refits without each case in turn and predicts it.

``python -m mobility.calibration`` prints the table of data/VALIDATION.md, Part C.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import networkx as nx

from mobility._data import data_dir, network_dir
from mobility._errors import MobilityError
from mobility._yaml import read_yaml
from mobility.network import load_network, read_frictions
from mobility.routing import route
from mobility.scenario import BorderDelays, Scenario, load_scenario
from mobility.settings import UNCALIBRATED_MARCH_HOURS_PER_DAY
from mobility.unit_profiles import Size, UnitProfile, load_unit_profiles

#: The fitted frictions and the grid each is searched on.
GRIDS: dict[str, tuple[float, ...]] = {
    "rail_speed_factor": tuple(round(0.20 + 0.01 * i, 2) for i in range(101)),  # 0.20-1.20
    "road_march_hours_per_day": tuple(3.0 + 0.5 * i for i in range(19)),  # 3-12 h
}
INFORMS = {"rail": "rail_speed_factor", "road": "road_march_hours_per_day"}
#: The stated speed (A10) at which an off-network rail approach is charged: a 1435 mm
#: double-track main line.
APPROACH_KPH = 50.0
MEASURES = ("total", "after_load", "after_sea", "sea_leg")
#: The frictions before calibration (A10 speeds as stated, the old 10 h march day), for the
#: table's "before" column.
BEFORE = {"rail_speed_factor": 1.0, "road_march_hours_per_day": UNCALIBRATED_MARCH_HOURS_PER_DAY}


class CalibrationError(MobilityError):
    """A malformed calibration table."""


@dataclass(frozen=True)
class Step:
    from_: str
    to: str
    mode: str
    via: tuple[str, ...] = ()
    measure: str = "total"


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    validation: str
    published: str
    sources: tuple[str, ...]
    observed_h: float
    range_h: tuple[float, float]
    unit: tuple[tuple[str, int], ...]
    steps: tuple[Step, ...]
    measure: str
    informs: str
    approach_km: float = 0.0


def default_cases_path() -> Path:
    return data_dir() / "calibration.yaml"


def load_cases(path: str | Path | None = None) -> list[Case]:
    """Read and check the calibration table (one-line errors)."""
    path = Path(path) if path is not None else default_cases_path()
    raw = read_yaml(path, CalibrationError)
    if not isinstance(raw, dict) or not isinstance(raw.get("cases"), list):
        raise CalibrationError(f"{path}: expected a mapping with a list 'cases'")
    cases, seen = [], set()
    for i, item in enumerate(raw["cases"]):
        where = f"{path}: cases.{i}"
        try:
            case = _case(item)
        except (KeyError, TypeError, ValueError) as error:
            raise CalibrationError(f"{where}: {error}") from None
        if case.id in seen:
            raise CalibrationError(f"{where}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return cases


def _case(item: dict) -> Case:
    measure = item.get("measure", "total")
    informs = item.get("informs", "none")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    if informs not in (*INFORMS, "none"):
        raise ValueError(f"informs must be rail, road or none, not {informs!r}")
    low, high = (float(x) for x in item["range_h"])
    observed = float(item["observed_h"])
    if not 0 < low <= observed <= high:
        raise ValueError(f"observed_h {observed:g} must lie in range_h [{low:g}, {high:g}]")
    if not item.get("sources"):
        raise ValueError("a case needs at least one source")
    steps = []
    for step in item["steps"]:
        step_measure = step.get("measure", "total")
        if step_measure not in MEASURES:
            raise ValueError(f"step measure must be one of {', '.join(MEASURES)}")
        steps.append(Step(step["from"], step["to"], step["mode"], tuple(step.get("via", ())),
                          step_measure))
    unit = dict(item["unit"])
    kind = unit.pop("kind")
    counts = tuple(sorted((k, int(v)) for k, v in unit.items()))
    return Case(str(item["id"]), item["name"], str(item.get("validation", "new")),
                " ".join(str(item["published"]).split()), tuple(item["sources"]), observed,
                (low, high), (("kind", kind), *counts), tuple(steps), measure, informs,
                float(item.get("approach_km", 0.0)))


def shipped_parameters() -> dict[str, float]:
    """The frictions the model ships with (network folder, baseline scenario)."""
    return {"rail_speed_factor": read_frictions(network_dir())["rail_speed_factor"],
            "road_march_hours_per_day": load_scenario("baseline").road_march_hours_per_day}


class Evaluator:
    """Model move times of the cases for given frictions (graphs and scenarios cached)."""

    def __init__(self, graph: nx.MultiDiGraph | None = None,
                 scenario: Scenario | None = None) -> None:
        self.graph = graph if graph is not None else load_network()
        self.loaded_factor = float(self.graph.graph.get("rail_speed_factor", 1.0))
        self.scenario = scenario if scenario is not None else load_scenario("baseline")
        self.profiles = load_unit_profiles()
        self._graphs: dict[float, nx.MultiDiGraph] = {}
        self._scenarios: dict[float, Scenario] = {}
        self._hours: dict[tuple, float] = {}

    def graph_for(self, factor: float) -> nx.MultiDiGraph:
        if factor not in self._graphs:
            graph = self.graph.copy()
            scale = factor / self.loaded_factor
            for _, _, data in graph.edges(data=True):
                if data["mode"] == "rail":
                    data["speed_kph"] = data["speed_kph"] * scale
                    data["transit_h"] = data["length_km"] / data["speed_kph"]
                    data["travel_time"] = data["transit_h"] * 3600
            graph.graph["rail_speed_factor"] = factor
            self._graphs[factor] = graph
        return self._graphs[factor]

    def scenario_for(self, hours: float) -> Scenario:
        if hours not in self._scenarios:
            self._scenarios[hours] = self.scenario.model_copy(update={
                "name": f"calibration ({hours:g} h march day, no border clearance)",
                "border_delays": BorderDelays(), "road_march_hours_per_day": hours,
                "source_file": None})
        return self._scenarios[hours]

    def profile(self, case: Case) -> UnitProfile:
        unit = dict(case.unit)
        kind = unit.pop("kind")
        template = next(p for p in self.profiles.values() if p.kind_name == kind)
        size = Size(kind=kind, description=case.name, **unit)
        return replace(template, name=f"calibration-{case.id}", size=size)

    def model_h(self, case: Case, params: dict[str, float]) -> float:
        """The model's figure for a case, measured as its published figure is."""
        factor = params["rail_speed_factor"]
        hours = params["road_march_hours_per_day"]
        key = (case.id, factor if case.informs != "road" else None,
               hours if case.informs != "rail" else None)
        if key in self._hours:
            return self._hours[key]
        graph, scenario, profile = self.graph_for(factor), self.scenario_for(hours), \
            self.profile(case)
        total = case.approach_km / (APPROACH_KPH * factor)
        steps = case.steps
        for i, step in enumerate(steps):
            found = route(graph, step.from_, step.to, mode=step.mode, unit=profile,
                          scenario=scenario, via=step.via)
            measure = step.measure
            if len(steps) == 1:
                measure = case.measure
            total += _measured(found, measure, f"{case.id} step {i + 1}")
        self._hours[key] = total
        return total

    def table(self, cases: Sequence[Case], params: dict[str, float]) -> list[dict]:
        return [{"case": c, "model_h": self.model_h(c, params)} for c in cases]


def _measured(found, measure: str, where: str) -> float:
    if measure == "total":
        return found.hours
    if not found.transfers or found.transfers[0].action != "load":
        raise CalibrationError(f"{where}: the route does not start with a loading")
    if measure == "after_load":
        return found.hours - found.transfers[0].hours
    if not found.legs or found.legs[0].mode != "sea":
        raise CalibrationError(f"{where}: the route does not start with a sea leg")
    if measure == "sea_leg":
        return found.legs[0].hours
    return found.hours - found.transfers[0].hours - found.legs[0].hours


def log_error(model_h: float, observed_h: float) -> float:
    return math.log(model_h / observed_h)


def fit(evaluator: Evaluator, cases: Sequence[Case],
        start: dict[str, float] | None = None) -> dict[str, float]:
    """Frictions minimising the squared log error of the cases each one informs.

    A friction no case informs keeps its ``start`` value (default: the shipped one). The
    two are fitted one after the other: road cases never use rail and the rail cases' road
    access is not stretched by the march day at these distances, so one pass is exact; a
    second pass checks it.
    """
    params = dict(start or shipped_parameters())
    for _ in range(2):
        for informs, name in INFORMS.items():
            chosen = [c for c in cases if c.informs == informs]
            if not chosen:
                continue
            def loss(value: float, chosen: list[Case] = chosen,
                     name: str = name) -> tuple[float, float]:
                return (sum(log_error(evaluator.model_h(c, {**params, name: value}),
                                      c.observed_h) ** 2 for c in chosen), value)

            params[name] = min(GRIDS[name], key=loss)
    return params


@dataclass(frozen=True)
class Report:
    params: dict[str, float]
    shipped: dict[str, float]
    rows: tuple[dict, ...]  # case, model_h (shipped frictions), fitted model_h, loo_h, loo params

    def mean_abs_pct(self, key: str = "loo_h", rows: Sequence[dict] | None = None) -> float:
        """Mean |model / observed - 1| in per cent (``key``: before_h, fitted_h, loo_h)."""
        rows = self.rows if rows is None else rows
        return 100 * sum(abs(r[key] / r["case"].observed_h - 1) for r in rows) / len(rows)

    @property
    def loo_median_abs_pct(self) -> float:
        errors = sorted(abs(r["loo_h"] / r["case"].observed_h - 1) for r in self.rows)
        mid = len(errors) // 2
        median = errors[mid] if len(errors) % 2 else (errors[mid - 1] + errors[mid]) / 2
        return 100 * median


def calibrate(cases: Iterable[Case] | None = None,
              evaluator: Evaluator | None = None) -> Report:
    """Fit on all cases, then leave each case out, refit and predict it."""
    cases = list(cases if cases is not None else load_cases())
    evaluator = evaluator or Evaluator()
    shipped = shipped_parameters()
    params = fit(evaluator, cases, shipped)
    rows = []
    for case in cases:
        others = [c for c in cases if c.id != case.id]
        loo = fit(evaluator, others, params) if case.informs != "none" else params
        rows.append({"case": case, "shipped_h": evaluator.model_h(case, shipped),
                     "before_h": evaluator.model_h(case, BEFORE),
                     "fitted_h": evaluator.model_h(case, params),
                     "loo_h": evaluator.model_h(case, loo), "loo_params": loo})
    return Report(params, shipped, tuple(rows))


def markdown(report: Report) -> str:
    """The table of data/VALIDATION.md Part C (what ``python -m mobility.calibration`` prints)."""
    lines = ["| # | case (Part A row) | informs | observed h (range) | before h (ratio) "
             "| model h | model/observed | leave-one-out h | LOO model/observed |",
             "|---|---|---|---|---:|---:|---:|---:|---:|"]
    for row in report.rows:
        c = row["case"]
        lines.append(
            f"| {c.id} | {c.name} ({c.validation}) | {c.informs} | {c.observed_h:g} "
            f"({c.range_h[0]:g}–{c.range_h[1]:g}) | {row['before_h']:.1f} "
            f"({row['before_h'] / c.observed_h:.2f}) | {row['fitted_h']:.1f} | "
            f"{row['fitted_h'] / c.observed_h:.2f} | {row['loo_h']:.1f} | "
            f"{row['loo_h'] / c.observed_h:.2f} |")
    p = report.params
    lines += ["", f"Fitted: **rail_speed_factor = {p['rail_speed_factor']:g}**, "
              f"**road_march_hours_per_day = {p['road_march_hours_per_day']:g}**. "
              f"Mean |model/observed − 1| over the {len(report.rows)} cases: before "
              f"{report.mean_abs_pct('before_h'):.0f} %, fitted "
              f"{report.mean_abs_pct('fitted_h'):.0f} %, **leave-one-out "
              f"{report.mean_abs_pct('loo_h'):.0f} %** (median "
              f"{report.loo_median_abs_pct:.0f} %)."]
    for informs in (*INFORMS, "none"):
        chosen = [r for r in report.rows if r["case"].informs == informs]
        if chosen:
            lines.append(f"- cases informing {informs}: leave-one-out mean "
                         f"{report.mean_abs_pct('loo_h', chosen):.0f} %, before "
                         f"{report.mean_abs_pct('before_h', chosen):.0f} % ({len(chosen)} cases)")
    return "\n".join(lines)


def main() -> None:  # pragma: no cover - a report printer
    report = calibrate()
    print(markdown(report))
    for row in report.rows:
        if row["loo_params"] != report.params:
            print(f"{row['case'].id} left out: refitted {row['loo_params']}")


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["Case", "Evaluator", "Report", "calibrate", "fit", "load_cases", "markdown",
           "shipped_parameters"]
