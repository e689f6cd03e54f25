"""A hostile-input corpus for the ``mobility`` command (issue 15), and its runner.

Each case is a real ``mobility`` process in its own empty folder: the input files the case
needs are written there first, then the command runs, and the outcome is classified:

``traceback``
    a Python traceback on stdout or stderr (or an exit status other than 0, 1, 2, 130);
``hang``
    still running after :data:`TIMEOUT_S` seconds (killed);
``partial``
    the command failed but left an output behind in the folder;
``silent``
    a bad input was accepted: exit status 0 where an error was due;
``unclear``
    an error, but not one line ``error: …`` naming the expected fragment with exit 2
    (or, for a valid input, a wrong result: text lost, wrong status);
``ok``
    what the case expects.

``python tests/_hostile.py`` runs the corpus through the installed console script and prints
the counts (issue 15 asks for them before and after the fixes);
``tests/test_hostile.py`` runs it through forked children of one warm interpreter.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"
TIMEOUT_S = 30.0
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@dataclass(frozen=True)
class Case:
    """One hostile input: the command, the files it needs, and what must happen.

    ``expect`` is ``"error"`` (one line ``error: …`` holding every ``fragments`` item, exit
    ``code``), ``"ok"`` (exit 0 and every fragment in stdout+stderr) or ``"interrupt"`` (sent
    SIGINT once it is at work: one line ``interrupted: …``, exit 130). ``leaves`` are the
    outputs a successful case must write (relative to the folder).
    """

    id: str
    argv: tuple[str, ...]
    expect: str = "error"
    fragments: tuple[str, ...] = ()
    files: dict[str, str | bytes] = field(default_factory=dict)
    leaves: tuple[str, ...] = ()
    code: int = 2
    absent: tuple[str, ...] = ()  # text that must not appear in the output (case "ok")


def _yaml_scenario(**changes: str) -> str:
    """The tiny test scenario with some top-level fields replaced by raw YAML text."""
    fields = {
        "name": "hostile",
        "description": "hostile test",
        "network": f"{{path: {TINY}}}",
        "horizon_days": "30",
        "targets": "{custom: [{troops: 1000, deadline_day: 5}, {troops: 5000, deadline_day: 20}]}",
        "origins": "[{node: Test Hub, troops_per_day: 5000}]",
        "destinations": "[{node: rudninkai, reception_troops_per_day: 4000}]",
        "border_delays": "{default_h: 6}",
    }
    fields.update(changes)
    return "".join(f"{key}: {value}\n" for key, value in fields.items() if value is not None)


def _run_scenario(text: str, *extra: str) -> dict:
    return {"argv": ("run", "s.yaml", *extra), "files": {"s.yaml": text}}


def _sweep(**changes: str) -> str:
    fields = {"name": "hostile", "base_scenario": "s.yaml", "runs": "2", "seed": "1"}
    fields.update(changes)
    return "".join(f"{key}: {value}\n" for key, value in fields.items() if value is not None)


def _sweep_case(sweep_text: str, *extra: str) -> dict:
    return {"argv": ("sweep", "w.yaml", "--out", "out", "--workers", "0", *extra),
            "files": {"w.yaml": sweep_text, "s.yaml": _yaml_scenario()}}


def _network_with(nodes: str | None = None, edges: str | None = None) -> dict[str, str]:
    """The tiny network copied into folder ``n``, with nodes.csv or edges.csv replaced."""
    files = {f"n/{p.name}": p.read_text(encoding="utf-8") for p in sorted(TINY.iterdir())}
    if nodes is not None:
        files["n/nodes.csv"] = nodes
    if edges is not None:
        files["n/edges.csv"] = edges
    return files


def _tiny_nodes(**renames: str) -> str:
    text = (TINY / "nodes.csv").read_text(encoding="utf-8")
    for old, new in renames.items():
        text = text.replace(old.replace("_", " "), new)
    return text


def _tiny_edges_append(line: str) -> str:
    return (TINY / "edges.csv").read_text(encoding="utf-8") + line + "\n"


BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{b}: &{b} [*{a},*{a},*{a},*{a},*{a},*{a},*{a},*{a},*{a}]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True))
DEEP_LIST = "name: deep\nx: " + "[" * 20000 + "]" * 20000 + "\n"
DEEP_MAP = "name: deep\nx:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400)) + \
    "  " * 400 + "v: 1\n"
HUGE = "# padding\n" * 1_200_000 + _yaml_scenario()  # about 12 MB
MARKUP = "Depot [/x] [bold]loud[/bold] [link=http://a]"
URL = "see https://example.org/a?b=1&c=<d> and www.example.com"
SYDNEY = "-33.87,151.21"
OSM = str(FIXTURES / "osm" / "suwalki-gap.osm")
SWAPPED = "23.30,54.20"  # lon,lat of Trakiszki


def _cases() -> list[Case]:
    cases: list[Case] = []

    def add(case_id: str, expect: str = "error", *fragments: str, argv=(), files=None,
            leaves=(), code: int = 2, absent=(), **spec) -> None:
        if spec:
            argv, files = spec["spec"]["argv"], spec["spec"]["files"]
        cases.append(Case(case_id, tuple(argv), expect, tuple(fragments), dict(files or {}),
                          tuple(leaves), code, tuple(absent)))

    S = _yaml_scenario
    # --- safe YAML ------------------------------------------------------------------------
    add("yaml-duplicate-top-key", "error", "duplicate key 'origins'",
        spec=_run_scenario(S() + "origins: [{node: Mockava, troops_per_day: 10}]\n"))
    add("yaml-duplicate-nested-key", "error", "duplicate key 'troops_per_day'",
        spec=_run_scenario(S(origins="[{node: Test Hub, troops_per_day: 5, "
                             "troops_per_day: 50}]")))
    add("yaml-alias-bomb", "error", "alias", spec=_run_scenario(BOMB + S()))
    add("yaml-deep-list", "error", "nest", spec=_run_scenario(DEEP_LIST))
    add("yaml-deep-map", "error", "nest", spec=_run_scenario(DEEP_MAP))
    add("yaml-huge-file", "error", "MB", spec=_run_scenario(HUGE))
    add("yaml-python-tag", "error", "s.yaml", spec=_run_scenario(
        S(description="!!python/object/apply:os.system ['echo hacked']")))
    add("yaml-binary", "error", "s.yaml", spec=_run_scenario(b"\x00\x01\x02name: x\n"))  # type: ignore[arg-type]
    add("yaml-one-alias-is-fine", "ok", "Force Model targets",
        spec=_run_scenario(S(description="&d one text", origins="[{node: Test Hub, "
                             "troops_per_day: 5000, note: *d}]")))
    add("yaml-merge-key-bomb", "error", "alias",
        spec=_run_scenario(BOMB + S(description="*i")))
    add("yaml-sweep-duplicate-key", "error", "duplicate key 'runs'",
        spec=_sweep_case(_sweep() + "runs: 3\n"))
    add("yaml-sweep-alias-bomb", "error", "alias", spec=_sweep_case(BOMB + _sweep()))
    add("yaml-sweep-deep", "error", "nest", spec=_sweep_case(DEEP_LIST))
    forces = (FIXTURES / "tiny-forces.yaml").read_text(encoding="utf-8")
    fleets = (FIXTURES / "tiny-fleets.yaml").read_text(encoding="utf-8")
    fleet_scenario = S(origins=None, forces="f.yaml", fleets="fl.yaml")
    add("yaml-forces-alias-bomb", "error", "alias",
        argv=("run", "s.yaml"), files={"s.yaml": fleet_scenario, "f.yaml": BOMB + forces,
                                       "fl.yaml": fleets})
    add("yaml-forces-duplicate-key", "error", "duplicate key 'formations'",
        argv=("run", "s.yaml"), files={"s.yaml": fleet_scenario,
                                       "f.yaml": forces + "formations: []\n", "fl.yaml": fleets})
    add("yaml-fleets-duplicate-key", "error", "duplicate key 'fleets'",
        argv=("run", "s.yaml"), files={"s.yaml": fleet_scenario, "f.yaml": forces,
                                       "fl.yaml": fleets + "fleets: []\n"})
    add("yaml-profiles-alias-bomb", "error", "alias",
        argv=("route", "Vilnius", "Kaunas", "--profiles", "p.yaml"), files={"p.yaml": BOMB})
    add("yaml-profiles-deep", "error", "nest",
        argv=("route", "Vilnius", "Kaunas", "--profiles", "p.yaml"), files={"p.yaml": DEEP_LIST})
    add("yaml-catalogue-alias-bomb", "error", "alias",
        argv=("invest", "s.yaml", "--catalogue", "c.yaml"),
        files={"s.yaml": S(), "c.yaml": BOMB})
    # --- numbers: NaN, inf and bounds in scenario fields ----------------------------------
    for name, value, fragment in [
        ("horizon-inf", ".inf", "horizon_days"), ("horizon-minus-inf", "-.inf", "horizon_days"),
        ("horizon-zero", "0", "horizon_days"),
        ("horizon-bool", "true", "field 'horizon_days' = true: give a number, not true/false"),
    ]:
        add(f"scenario-{name}", "error", fragment, spec=_run_scenario(S(horizon_days=value)))
    for value in (".nan", ".inf", "0", "0.001", "1000", "-1"):
        add(f"scenario-step-h-{value}", "error", "step_h", spec=_run_scenario(
            S() + f"step_h: {value}\n"))
    for value in (".nan", "25", "0"):
        add(f"scenario-march-hours-{value}", "error", "road_march_hours_per_day",
            spec=_run_scenario(S() + f"road_march_hours_per_day: {value}\n"))
    for value in (".inf", ".nan", "-1", "1e9"):
        add(f"scenario-border-default-{value}", "error", "border_delays.default_h",
            spec=_run_scenario(S(border_delays=f"{{default_h: {value}}}")))
    add("scenario-border-pair-inf", "error", "pairs_h",
        spec=_run_scenario(S(border_delays="{pairs_h: {PL-LT: .inf}}")))
    add("scenario-border-pair-unknown", "error", "pairs_h", "PL-XX",
        spec=_run_scenario(S(border_delays="{pairs_h: {PL-XX: 3}}")))
    add("scenario-border-pair-not-a-pair", "error", "pairs_h", "Poland",
        spec=_run_scenario(S(border_delays="{pairs_h: {Poland: 3}}")))
    for value in (".inf", ".nan", "-1"):
        add(f"scenario-change-from-day-{value}", "error", "from_day", spec=_run_scenario(
            S() + f"capacity_changes: [{{element: mockava, from_day: {value}}}]\n"))
    for value in (".nan", ".inf"):
        add(f"scenario-change-factor-{value}", "error", "factor", spec=_run_scenario(
            S() + f"capacity_changes: [{{element: mockava, factor: {value}}}]\n"))
    add("scenario-change-unknown-element", "error", "Mockavaa", "did you mean",
        spec=_run_scenario(S() + "capacity_changes: [{element: Mockavaa}]\n"))
    add("scenario-change-unknown-edge", "error", "rail-hub-bordr", "did you mean edge "
        "'rail-hub-border'", spec=_run_scenario(
            S() + "capacity_changes: [{element: rail-hub-bordr}]\n"))
    add("scenario-targets-custom-empty", "error", "targets.custom",
        spec=_run_scenario(S(targets="{custom: []}")))
    add("scenario-target-deadline-nan", "error", "deadline_day",
        spec=_run_scenario(S(targets="{custom: [{troops: 1000, deadline_day: .nan}]}")))
    add("scenario-target-troops-inf", "error", "troops",
        spec=_run_scenario(S(targets="{custom: [{troops: .inf, deadline_day: 5}]}")))
    for value in (".nan", ".inf"):
        add(f"scenario-origin-rate-{value}", "error", "troops_per_day", spec=_run_scenario(
            S(origins=f"[{{node: Test Hub, troops_per_day: {value}}}]")))
        add(f"scenario-reception-{value}", "error", "reception_troops_per_day",
            spec=_run_scenario(S(destinations=f"[{{node: rudninkai, "
                                 f"reception_troops_per_day: {value}}}]")))
    add("scenario-heavy-share-nan", "error", "heavy_share",
        spec=_run_scenario(S() + "force: {heavy_share: .nan}\n"))
    for value in ("-5", "1e9", ".nan", "2030.5"):
        add(f"scenario-year-{value}", "error", "network.year",
            spec=_run_scenario(S(network=f"{{path: {TINY}, year: {value}}}")))
    add("scenario-origin-is-destination", "error", "Test Hub", "destination",
        spec=_run_scenario(S(destinations="[{node: hub, reception_troops_per_day: 4000}]")))
    add("scenario-planning-factor-inf", "error", "planning_factors", spec=_run_scenario(
        S() + "planning_factors: {heavy: {vehicle: .inf, train: 1, sailing: 1, flight: 1}, "
        "light: {vehicle: 1, train: 1, sailing: 1, flight: 1}}\n"))
    add("scenario-name-not-text", "error", "name", spec=_run_scenario(S(name="[1, 2]")))
    add("scenario-description-markup", "ok", MARKUP, spec=_run_scenario(
        S(description=json.dumps(MARKUP))))
    add("scenario-show-markup", "ok", MARKUP, argv=("scenario", "show", "s.yaml"),
        files={"s.yaml": S(description=json.dumps(MARKUP))})
    add("scenario-description-url-map", "ok", "wrote", argv=("map", "s.yaml", "--out", "m.html"),
        files={"s.yaml": S(description=json.dumps(URL))}, leaves=("m.html",))
    add("scenario-description-url-report", "ok", "wrote",
        argv=("report", "s.yaml", "--out", "r.html"),
        files={"s.yaml": S(description=json.dumps(URL))}, leaves=("r.html",))
    add("scenario-reason-url-map", "ok", "wrote", argv=("map", "s.yaml", "--out", "m.html"),
        files={"s.yaml": S() + f"capacity_changes: [{{element: mockava, factor: 0.5, "
               f"reason: {json.dumps(URL)}}}]\n"}, leaves=("m.html",))
    add("scenario-forces-missing", "error", "forces", "nope.yaml",
        spec=_run_scenario(S(origins=None, forces="nope.yaml")))
    # --- names steering paths ---------------------------------------------------------------
    add("name-escapes-map", "error", "field 'name' = '../../escaped'", "file or folder name",
        argv=("map", "sub/s.yaml"), files={"sub/s.yaml": S(name="../../escaped")})
    add("name-escapes-report", "error", "field 'name' = '../../escaped'",
        argv=("report", "sub/s.yaml"), files={"sub/s.yaml": S(name="../../escaped")})
    add("name-escapes-sweep", "error", "field 'name' = '../../escaped'",
        argv=("sweep", "sub/w.yaml", "--workers", "0"),
        files={"sub/w.yaml": _sweep(name="../../escaped", base_scenario="s.yaml"),
               "sub/s.yaml": S()})
    add("name-absolute-sweep", "error", "field 'name' = '/tmp/escaped-hostile'",
        argv=("sweep", "w.yaml", "--workers", "0"),
        files={"w.yaml": _sweep(name="/tmp/escaped-hostile"), "s.yaml": S()})
    add("name-with-spaces-is-fine", "ok", "wrote", argv=("map", "s.yaml"),
        files={"s.yaml": S(name="Rail Baltica 2030 (test)")},
        leaves=("maps/Rail Baltica 2030 (test).html",))
    # --- output paths: checked before any work, nothing half-written --------------------------
    add("out-is-a-file", "error", "--out", "f.txt", argv=("run", "s.yaml", "--out", "f.txt"),
        files={"s.yaml": S(), "f.txt": "keep"})
    add("out-under-a-file", "error", "--out", "f.txt",
        argv=("run", "s.yaml", "--out", "f.txt/o"), files={"s.yaml": S(), "f.txt": "keep"})
    add("out-unwritable", "error", "--out", "/proc/nope",
        argv=("run", "s.yaml", "--out", "/proc/nope/o"), files={"s.yaml": S()})
    add("map-unwritable-with-out", "error", "--map", "/proc/nope",
        argv=("run", "s.yaml", "--out", "o", "--map", "/proc/nope/m.html"),
        files={"s.yaml": S()})
    add("map-is-a-directory", "error", "--map", argv=("run", "s.yaml", "--map", "d"),
        files={"s.yaml": S(), "d/keep": "x"})
    add("map-out-under-a-file", "error", "--out", "f.txt",
        argv=("map", "s.yaml", "--out", "f.txt/m.html"), files={"s.yaml": S(), "f.txt": "k"})
    add("map-out-unwritable", "error", "--out", "/proc/nope",
        argv=("map", "s.yaml", "--out", "/proc/nope/m.html"), files={"s.yaml": S()})
    add("report-out-under-a-file", "error", "--out", "f.txt",
        argv=("report", "s.yaml", "--out", "f.txt/r.html"), files={"s.yaml": S(), "f.txt": "k"})
    add("report-out-is-a-directory", "error", "--out",
        argv=("report", "s.yaml", "--out", "d"), files={"s.yaml": S(), "d/keep": "x"})
    add("critical-map-unwritable", "error", "--map", "/proc/nope",
        argv=("critical", "s.yaml", "--workers", "1", "--map", "/proc/nope/m.html"),
        files={"s.yaml": S()})
    add("interdict-map-under-file", "error", "--map", "f.txt",
        argv=("interdict", "s.yaml", "--map", "f.txt/m.html"),
        files={"s.yaml": S(), "f.txt": "k"})
    add("invest-map-unwritable", "error", "--map", "/proc/nope",
        argv=("invest", "--map", "/proc/nope/m.html"))
    add("maps-out-is-a-file", "error", "--out", "f.txt", argv=("maps", "--out", "f.txt"),
        files={"f.txt": "k"})
    add("sweep-out-under-a-file", "error", "--out", "f.txt",
        spec={"argv": ("sweep", "w.yaml", "--out", "f.txt/o", "--workers", "0"),
              "files": {"w.yaml": _sweep(), "s.yaml": S(), "f.txt": "k"}})
    add("import-osm-out-under-file", "error", "--out", "f.txt",
        argv=("import-osm", str(OSM), "--out", "f.txt/n.gpkg"),
        files={"f.txt": "k"})
    add("run-out-ok", "ok", "wrote", argv=("run", "s.yaml", "--out", "o", "--map", "m.html"),
        files={"s.yaml": S()}, leaves=("o/curve.csv", "o/result.json", "m.html"))
    # --- exports by extension ------------------------------------------------------------------
    add("run-out-gpkg", "ok", "wrote", argv=("run", "s.yaml", "--out", "flows.gpkg"),
        files={"s.yaml": S()}, leaves=("flows.gpkg",))
    add("run-out-geoparquet", "ok", "wrote", argv=("run", "s.yaml", "--out", "flows.parquet"),
        files={"s.yaml": S()}, leaves=("flows.parquet",))
    add("run-out-unknown-extension", "error", "--out", ".xlsx",
        argv=("run", "s.yaml", "--out", "flows.xlsx"), files={"s.yaml": S()})
    # --- CLI option bounds -----------------------------------------------------------------
    for case_id, argv, fragments in [
        ("route-day-inf", ("route", "Vilnius", "Kaunas", "--day", "inf"), ("--day", "inf")),
        ("route-day-negative", ("route", "Vilnius", "Kaunas", "--day", "-1"), ("--day",)),
        ("route-day-huge", ("route", "Vilnius", "Kaunas", "--day", "1e9"), ("--day",)),
        ("route-k-huge", ("route", "Vilnius", "Kaunas", "-k", "100000"), ("-k", "100000")),
        ("route-k-negative", ("route", "Vilnius", "Kaunas", "-k", "-1"), ("-k",)),
        ("route-unknown-unit", ("route", "Vilnius", "Kaunas", "--unit", "tank-compny"),
         ("tank-compny", "did you mean")),
        ("route-unknown-mode", ("route", "Vilnius", "Kaunas", "--mode", "teleport"),
         ("teleport",)),
        ("route-unknown-node", ("route", "Vilnus", "Kaunas"), ("Vilnus", "did you mean")),
        ("route-unknown-via", ("route", "Vilnius", "Kaunas", "--via", "Rigaa"), ("Rigaa",)),
        ("route-avoid-unknown-edge", ("route", "Vilnius", "Kaunas", "--avoid",
                                      "rail-vilnius-kaunass"), ("rail-vilnius-kaunass",
                                                                "did you mean")),
        ("route-same-place", ("route", "Vilnius", "Vilnius"), ("Vilnius", "same")),
        ("route-coords-nan", ("route", "nan,nan", "Kaunas"), ("nan",)),
        ("route-coords-inf", ("route", "inf,20", "Kaunas"), ("inf",)),
        ("route-coords-out-of-range", ("route", "95,20", "Kaunas"), ("95,20", "latitude")),
        ("route-coords-sydney", ("route", "--", SYDNEY, "Kaunas"), (SYDNEY, "km", "nearest")),
        ("route-coords-swapped", ("route", SWAPPED, "Kaunas"), (SWAPPED, "lat,lon")),
        ("route-coords-far-sea", ("route", "57.0,18.0", "Kaunas"), ("57.0,18.0", "km")),
        ("route-snap-negative", ("route", "54.68,25.28", "Kaunas", "--snap-km", "-1"),
         ("--snap-km",)),
        ("route-profiles-missing", ("route", "Vilnius", "Kaunas", "--profiles", "p.yaml"),
         ("p.yaml", "no such file")),
        ("network-year-negative", ("network", "info", "--year", "-5"), ("--year", "-5")),
        ("network-year-huge", ("network", "info", "--year", "99999"), ("--year", "99999")),
        ("network-unknown-phase", ("network", "info", "--phase", "rb-2099"), ("rb-2099",)),
        ("network-path-missing", ("network", "info", "--path", "nope"), ("nope",)),
        ("critical-workers-huge", ("critical", "--workers", "100000"), ("--workers", "100000")),
        ("critical-workers-zero", ("critical", "--workers", "0"), ("--workers",)),
        ("critical-top-zero", ("critical", "--top", "0"), ("--top",)),
        ("critical-unknown-element", ("critical", "--elements", "Sestokay"), ("Sestokay",)),
        ("critical-bad-scheduler", ("critical", "--scheduler", "not-an-address"),
         ("--scheduler",)),
        ("interdict-cuts-huge", ("interdict", "--cuts", "100000"), ("--cuts", "100000")),
        ("interdict-unknown-protect", ("interdict", "--protect", "Sestokay"), ("Sestokay",)),
        ("invest-budget-nan", ("invest", "--budget", "nan"), ("--budget", "nan")),
        ("invest-budget-inf", ("invest", "--budget", "inf"), ("--budget", "inf")),
        ("invest-unknown-objective", ("invest", "--objective", "troops-11"), ("troops-11",)),
        ("invest-catalogue-missing", ("invest", "--catalogue", "c.yaml"), ("c.yaml",)),
        ("bench-sizes-negative", ("bench", "--sizes", "-5"), ("--sizes", "-5")),
        ("bench-sizes-zero", ("bench", "--sizes", "0"), ("--sizes",)),
        ("bench-sizes-huge", ("bench", "--sizes", "1000000000000"), ("--sizes",)),
        ("bench-timeout-negative", ("bench", "--timeout", "-1"), ("--timeout",)),
        ("bench-timeout-nan", ("bench", "--timeout", "nan"), ("--timeout",)),
        ("bench-budget-nan", ("bench", "--baseline-budget-gb", "nan"), ("--baseline-budget-gb",)),
        ("compare-top-negative", ("compare", "baseline", "unlimited", "--top", "-1"), ("--top",)),
        ("compare-missing-scenario", ("compare", "baseline", "nope.yaml"), ("nope.yaml",)),
        ("import-osm-snap-nan", ("import-osm", str(OSM), "--snap-km",
                                 "nan"), ("--snap-km",)),
        ("import-osm-snap-negative", ("import-osm", str(OSM),
                                      "--snap-km", "-1"), ("--snap-km",)),
        ("import-osm-bad-bbox", ("import-osm", str(OSM), "--bbox",
                                 "1,2,3"), ("--bbox",)),
        ("import-osm-bbox-nan", ("import-osm", str(OSM), "--bbox",
                                 "nan,53,24,54"), ("--bbox",)),
        ("import-osm-missing", ("import-osm", "nope.osm"), ("nope.osm",)),
        ("sweep-workers-huge", ("sweep", "w.yaml", "--workers", "100000"), ("--workers",)),
    ]:
        files = {}
        if argv[0] == "sweep":
            files = {"w.yaml": _sweep(), "s.yaml": S()}
        add(case_id, "error", *fragments, argv=argv, files=files)
    # --- sweeps ----------------------------------------------------------------------------
    add("sweep-runs-yes", "error", "field 'runs' = true: give a number",
        spec=_sweep_case(_sweep(runs="yes")))
    for name, value in [("runs-true", "true"), ("runs-nan", ".nan"), ("runs-zero", "0"),
                        ("runs-negative", "-1"), ("runs-float", "2.5")]:
        add(f"sweep-{name}", "error", "runs", spec=_sweep_case(_sweep(runs=value)))
    add("sweep-seed-nan", "error", "seed", spec=_sweep_case(_sweep(seed=".nan")))
    add("sweep-seed-negative", "error", "seed", spec=_sweep_case(_sweep(seed="-1")))
    add("sweep-chunk-zero", "error", "chunk_runs", spec=_sweep_case(_sweep() + "chunk_runs: 0\n"))
    add("sweep-failure-nan", "error", "failures", spec=_sweep_case(
        _sweep() + "failures: {by_kind: {gauge_transfer: .nan}}\n"))
    add("sweep-range-inf", "error", "capacity_ranges", spec=_sweep_case(
        _sweep() + "capacity_ranges: [{corridor: suwalki, low: 0.3, high: .inf}]\n"))
    add("sweep-delay-inf", "error", "border_delays", spec=_sweep_case(
        _sweep() + "border_delays: {pairs_h: {PL-LT: {distribution: uniform, low_h: 1, "
        "high_h: .inf}}}\n"))
    add("sweep-grid-nan", "error", "grid", spec=_sweep_case(
        _sweep() + "grid: [{parameter: border_delay_h, values: [.nan]}]\n"))
    add("sweep-grid-empty", "error", "grid", spec=_sweep_case(
        _sweep() + "grid: [{parameter: border_delay_h, values: []}]\n"))
    add("sweep-corrupt-part", "error", "part-0000000-0000001.parquet",
        spec={"argv": ("sweep", "w.yaml", "--out", "out", "--workers", "0", "--summary-only"),
              "files": {"w.yaml": _sweep(), "s.yaml": S()}})  # corrupted after a sweep
    add("sweep-corrupt-manifest", "error", "sweep.json",
        spec={"argv": ("sweep", "w.yaml", "--out", "out", "--workers", "0"),
              "files": {"w.yaml": _sweep(), "s.yaml": S(), "out/sweep.json": "{not json"}})
    add("sweep-readable-by-pandas", "ok", "", argv=(
        sys.executable, "-c", "import pandas; print(len(pandas.read_parquet('out/runs')))"),
        files={"w.yaml": _sweep(), "s.yaml": S()})  # preceded by a sweep: see _prepare
    # --- networks with hostile contents -------------------------------------------------------
    net = ("network", "info", "--path", "n")
    add("network-markup-name", "ok", MARKUP, argv=net,
        files=_network_with(nodes=_tiny_nodes(Trakiszki=MARKUP.replace(",", ""))))
    add("network-markup-name-run", "ok", "Force Model targets",
        spec=_run_scenario(S(network="{path: n}")) | {"files": {
            "s.yaml": S(network="{path: n}"), **_network_with(
                nodes=_tiny_nodes(Šeštokai="Šeštokai [/x]"))}})
    add("network-markup-name-route", "ok", "[/x]", argv=(
        "route", "Test Hub", "camp", "--scenario", "s.yaml"),
        files={"s.yaml": S(network="{path: n}"),
               **_network_with(nodes=_tiny_nodes(Rūdninkai="Rūdninkai [/x]"))})
    add("network-markup-name-in-error", "error", "[/x]", argv=(
        "route", "Test Hub", "[/x]", "--scenario", "s.yaml"),
        files={"s.yaml": S(network="{path: n}"), **_network_with()})
    nodes_text = (TINY / "nodes.csv").read_text(encoding="utf-8")
    for what, old, new, fragment in [
        ("lat-nan", "54.20,", "nan,", "lat"), ("lon-inf", "23.30,", "inf,", "lon"),
        ("dwell-inf", "4,12,test", "4,inf,test", "transfer_dwell_h"),
        ("transfer-capacity-nan", "4,12,test", "nan,12,test", "transfer_capacity_per_day"),
    ]:
        add(f"network-{what}", "error", fragment, argv=net,
            files=_network_with(nodes=nodes_text.replace(old, new, 1)))
    edges_text = (TINY / "edges.csv").read_text(encoding="utf-8")
    for what, old, new, fragment in [
        ("capacity-inf", "60,20,1435", "60,inf,1435", "capacity_per_day"),
        ("capacity-nan", "60,20,1435", "60,nan,1435", "capacity_per_day"),
        ("speed-nan", "60,20,1435", "nan,20,1435", "speed_kph"),
        ("length-negative", "PL line,,,60", "PL line,,-5,60", "length_km"),
        ("length-inf", "PL line,,,60", "PL line,,inf,60", "length_km"),
    ]:
        add(f"network-edge-{what}", "error", fragment, argv=net,
            files=_network_with(edges=edges_text.replace(old, new, 1)))
    add("network-edge-replaces-itself", "error", "replaces", "rail-rb2", argv=net,
        files=_network_with(edges=_tiny_edges_append(
            "rail-rb2,hub,camp,rail,RB2,border,,100,40,1435,2,true,,,,,,rail_baltica,rb,"
            "rail-rb2,test")))
    add("network-edge-self-loop", "error", "rail-loop", argv=net,
        files=_network_with(edges=_tiny_edges_append(
            "rail-loop,hub,hub,rail,loop,,,100,40,1435,2,true,,,,,,,,,test")))
    add("network-duplicate-edge-id", "error", "rail-rb", argv=net,
        files=_network_with(edges=_tiny_edges_append(
            "rail-rb,hub,camp,rail,again,,,100,40,1435,2,true,,,,,,,,,test")))
    # --- internal errors and interrupts --------------------------------------------------------
    add("ctrl-c-run", "interrupt", "interrupted: mobility run", argv=("run", "baseline"))
    add("ctrl-c-sweep", "interrupt", "interrupted: mobility sweep",
        argv=("sweep", str(FIXTURES.parents[1] / "data" / "sweeps" / "example.yaml"),
              "--out", "out", "--workers", "0"))
    add("ctrl-c-bench", "interrupt", "interrupted: mobility bench", argv=("bench", "--quick"))
    add("ctrl-c-critical", "interrupt", "interrupted: mobility critical",
        argv=("critical", "--workers", "1"))
    add("ctrl-c-compare", "interrupt", "interrupted: mobility compare",
        argv=("compare", "baseline", "suwalki-closed"))
    return cases


CASES = _cases()
#: Cases that run on the output of a two-run sweep of ``w.yaml`` into ``out``.
PRECEDED_BY_A_SWEEP = {"sweep-readable-by-pandas", "sweep-corrupt-part"}


# --- running ----------------------------------------------------------------------------------


def prepare(case: Case, folder: Path) -> None:
    """Write the case's input files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def inputs(case: Case, folder: Path) -> set[str]:
    """Every path under ``folder`` that the case wrote itself (files and their folders)."""
    found = set()
    for name in case.files:
        parts = Path(name).parts
        found |= {str(Path(*parts[:i])) for i in range(1, len(parts) + 1)}
    return found


def contents(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def classify(case: Case, code: int | None, stdout: str, stderr: str, folder: Path,
             before: set[str]) -> str:
    """One of ok, traceback, hang, partial, silent, unclear (see the module docstring)."""
    text = stdout + stderr
    if code is None:
        return "hang"
    if "Traceback" in text or code not in (0, 1, 2, 130):
        return "traceback"
    new = contents(folder) - before
    lines = stderr.strip().splitlines()
    if case.id.startswith("name-") and escaped(folder):  # a name steered an output outside
        return "partial"
    if case.expect == "error":
        if code == 0:
            return "silent"
        if new:
            return "partial"
        clear = (code == case.code and len(lines) == 1 and lines[0].startswith("error: ")
                 and all(f in lines[0] for f in case.fragments))
        return "ok" if clear else "unclear"
    if case.expect == "interrupt":
        if code != 130:
            return "unclear"
        # progress lines (bench) may come first; the last line says what stopped
        clear = bool(lines) and all(lines[-1].startswith(f) for f in case.fragments)
        return "ok" if clear else "unclear"
    if code != 0:
        return "unclear"
    if not all(f in text for f in case.fragments) or any(a in text for a in case.absent):
        return "unclear"
    if not all((folder / leaf).exists() for leaf in case.leaves):
        return "unclear"
    return "ok"


def escaped(folder: Path) -> list[Path]:
    """Outputs a name steered outside the case's folder (``../../escaped``, ``/tmp/…``)."""
    return [*folder.parent.glob("escaped*"), *folder.parent.parent.glob("escaped*"),
            *Path("/tmp").glob("escaped-hostile*")]


def _cpu_s(group: int) -> float:
    """CPU seconds used by the processes of a process group (a command and its children)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_case(case: Case, folder: Path, command: list[str]) -> tuple[str, int | None, str, str]:
    """Run one case as a subprocess of ``command`` (e.g. the console script) in ``folder``."""
    prepare(case, folder)
    if case.id in PRECEDED_BY_A_SWEEP:
        subprocess.run([*command, "sweep", "w.yaml", "--out", "out", "--workers", "0"],
                       cwd=folder, capture_output=True, timeout=TIMEOUT_S,
                       env={**os.environ, **ENV})
        for part in (folder / "out").glob("**/part-*.parquet"):
            if case.id == "sweep-corrupt-part":
                part.write_bytes(b"not parquet")
    before = contents(folder)
    argv = list(case.argv) if case.argv[0] == sys.executable else [*command, *case.argv]
    process = subprocess.Popen(argv, cwd=folder, env={**os.environ, **ENV}, text=True,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=_default_sigint,
                               start_new_session=True)
    if case.expect == "interrupt":
        deadline = time.monotonic() + TIMEOUT_S
        # at work once it has spent more CPU than start-up takes
        while _cpu_s(process.pid) < 3.0 and process.poll() is None and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        code = None
    return classify(case, code, stdout, stderr, folder, before), code, stdout, stderr


# --- many cases in forked children of one warm interpreter (the test suites) ---------------

#: Runs jobs ``{"folder", "logs", "steps": [argv, …]}``, each in a forked child of one warm
#: interpreter that calls ``mobility.cli.main`` as the console script does: a real process
#: with its own exit status, stdout and stderr (files in ``logs``), without paying the 1-2 s
#: of imports per case. Steps before the last prepare the case (their output is discarded;
#: ``["corrupt"]`` damages the sweep parts in ``out``); ``logs/before.json`` lists the files
#: they left.
FORK_RUNNER = r"""
import json, os, signal, sys
import mobility.cli, mobility.engines, mobility.network, mobility.sweep, mobility.routing
import mobility.viz.maps, mobility.viz.report, mobility.viz.export  # warm imports
import mobility.analysis.criticality
jobs = json.loads(sys.argv[1])
import time
for job in jobs:
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        signal.alarm(120)
        os.chdir(job["folder"])
        for fd, name in ((1, "stdout"), (2, "stderr")):
            handle = os.open(os.path.join(job["logs"], name), os.O_WRONLY | os.O_CREAT)
            os.dup2(handle, fd)
        code = 0
        for argv in job["steps"]:
            if argv == ["corrupt"]:
                for root, _, files in os.walk("out"):
                    for name in files:
                        if name.startswith("part-"):
                            open(os.path.join(root, name), "wb").write(b"not parquet")
                continue
            if argv is job["steps"][-1] and len(job["steps"]) > 1:  # what the steps before made
                listing = [os.path.relpath(os.path.join(r, n)) for r, ds, fs in os.walk(".")
                           for n in ds + fs]
                with open(os.path.join(job["logs"], "before.json"), "w") as out:
                    json.dump(listing, out)
            if argv is not job["steps"][-1]:  # a preceding step: its output is not the case's
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
                os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            sys.argv = ["mobility", *argv]
            try:
                mobility.cli.main()
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 1
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            if argv is not job["steps"][-1]:
                for fd, name in ((1, "stdout"), (2, "stderr")):
                    os.dup2(os.open(os.path.join(job["logs"], name),
                                    os.O_WRONLY | os.O_CREAT), fd)
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    with open(os.path.join(job["logs"], "rc"), "w") as out:
        out.write(str(os.waitstatus_to_exitcode(status)))
    with open(os.path.join(job["logs"], "seconds"), "w") as out:
        out.write(f"{time.monotonic() - started:.2f}")
"""


def run_forked(jobs: list[dict], *, processes: int = 2) -> None:
    """Run :data:`FORK_RUNNER` jobs, split over ``processes`` warm interpreters."""
    env = {**os.environ, **ENV}
    running = [subprocess.Popen([sys.executable, "-c", FORK_RUNNER,
                                 json.dumps(jobs[i::processes])], env=env)
               for i in range(processes)]
    for process in running:
        assert process.wait(timeout=900) == 0


def main() -> None:
    import argparse
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="case ids")
    parser.add_argument("--json", type=Path, default=None, help="write every outcome here")
    args = parser.parse_args()
    script = Path(sys.executable).parent / "mobility"
    command = [str(script if script.is_file() else shutil.which("mobility"))]
    for stale in Path("/tmp").glob("escaped-hostile*"):  # left by a run on unfixed code
        shutil.rmtree(stale, ignore_errors=True)
    root = Path(tempfile.mkdtemp(prefix="hostile-"))
    chosen = [c for c in CASES if args.only is None or c.id in args.only]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda c: (c, run_case(c, root / c.id / "work", command)),
                                chosen))
    counts = Counter(outcome for _, (outcome, *_rest) in results)
    for case, (outcome, code, _stdout, stderr) in results:
        if outcome != "ok":
            tail = (stderr.strip().splitlines() or [""])[-1][:160]
            print(f"{outcome:9} {case.id:36} rc={code} lines={len(stderr.splitlines())} {tail}")
    print(f"{len(results)} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if args.json:
        args.json.write_text(json.dumps({c.id: {"outcome": o, "code": code, "stderr": e[-2000:]}
                                         for c, (o, code, _out, e) in results}, indent=1))


if __name__ == "__main__":
    main()
