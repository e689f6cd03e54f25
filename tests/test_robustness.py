"""Malformed inputs give one clear error line and a non-zero exit, never a traceback or a file.

The corpus lives in ``tests/fixtures/bad/``; :data:`CASES` says how each input is fed to the
CLI (run as a subprocess, as a user would) and which fragment the one-line error must carry:
the file, the field or the bad value. Every case runs in its own empty folder with ``--out`` /
``--map`` pointing inside it, and that folder must still be empty afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _hostile import run_forked

BAD = Path(__file__).parent / "fixtures" / "bad"
TINY_SCENARIO = Path(__file__).parent / "fixtures" / "tiny-scenario.yaml"

RUN = ["run", "{bad}/{file}", "--out", "{tmp}/out", "--map", "{tmp}/map.html"]
NET = ["network", "info", "--path", "{bad}/{file}"]
SWEEP = ["sweep", "{bad}/{file}", "--out", "{tmp}/out", "--workers", "0"]

#: (id, argv template, file, expected fragment of the error line)
CASES = [
    # scenarios
    ("scenario-missing-origins", RUN, "scenario-missing-origins.yaml",
     "give either 'forces' (a force list) or 'origins'"),
    ("scenario-wrong-type", RUN, "scenario-wrong-type-horizon.yaml",
     "field 'horizon_days' = 'soon'"),
    ("scenario-unknown-node", RUN, "scenario-unknown-node.yaml", "did you mean 'Test Hub'"),
    ("scenario-negative-troops", RUN, "scenario-negative-troops.yaml",
     "field 'origins.0.troops_per_day' = -5"),
    ("scenario-horizon-1e9-days", RUN, "scenario-horizon-1e9-days.yaml",
     "field 'horizon_days' = 1000000000.0"),
    ("scenario-troops-1e30", RUN, "scenario-troops-1e30.yaml", "troops_per_day' = 1e+30"),
    ("scenario-reception-1e30", RUN, "scenario-reception-1e30.yaml",
     "reception_troops_per_day' = 1e+30"),
    ("scenario-nan-horizon", RUN, "scenario-nan-horizon.yaml", "field 'horizon_days' = nan"),
    ("scenario-is-a-list", RUN, "scenario-is-a-list.yaml", "YAML mapping of fields, not list"),
    ("scenario-empty-file", RUN, "scenario-empty.yaml", "YAML mapping of fields, not NoneType"),
    ("scenario-not-utf8", RUN, "scenario-not-utf8.yaml", "cannot be read: 'utf-8' codec"),
    ("scenario-broken-yaml", RUN, "scenario-broken-yaml.yaml", "not valid YAML (line 5"),
    ("scenario-unknown-field", RUN, "scenario-unknown-field.yaml",
     "unknown field 'horizon'; valid fields here: name"),
    ("scenario-is-a-directory", RUN, "scenario-is-a-directory.yaml", "Is a directory"),
    ("scenario-missing-file", RUN, "no-such-scenario.yaml", "no-such-scenario.yaml: no such file"),
    ("scenario-unknown-corridor", RUN, "scenario-unknown-corridor.yaml",
     "'capacity_changes.0.corridor' = 'suwalky'; valid corridors"),
    ("scenario-unreachable-destination", RUN, "scenario-unreachable-destination.yaml",
     "Rūdninkai cannot be reached"),
    ("scenario-missing-network", RUN, "scenario-missing-network.yaml",
     "field 'network': no-such-network: no such file or folder"),
    ("scenario-change-two-targets", RUN, "scenario-change-two-targets.yaml",
     "give exactly one of 'element'"),
    ("scenario-negative-factor", RUN, "scenario-negative-factor.yaml",
     "'capacity_changes.0.factor' = -1"),
    ("scenario-heavy-share-2", RUN, "scenario-heavy-share-2.yaml", "'force.heavy_share' = 2"),
    ("scenario-unknown-phase", RUN, "scenario-unknown-phase.yaml",
     "unknown phase 'rb-2099'; valid phases: rb"),
    ("scenario-year-1066", RUN, "scenario-year-1066.yaml", "'network.year' = 1066"),
    ("scenario-unknown-mode", RUN, "scenario-unknown-mode.yaml",
     "'origins.0.modes.0' = 'teleport'"),
    ("scenario-origins-not-a-list", RUN, "scenario-origins-not-a-list.yaml",
     "field 'origins' = 'Test Hub'"),
    ("scenario-unknown-name", ["run", "baselin", "--out", "{tmp}/out"], "",
     "did you mean 'baseline'"),
    # networks
    ("network-missing-edges", NET, "network-missing-edges", "edges.csv: file is missing"),
    ("network-negative-capacity", NET, "network-negative-capacity",
     "field 'capacity_per_day' = '-20'"),
    ("network-capacity-1e30", NET, "network-capacity-1e30", "field 'capacity_per_day' = '1e30'"),
    ("network-speed-1e30", NET, "network-speed-1e30", "field 'speed_kph' = '1e30'"),
    ("network-speed-not-a-number", NET, "network-speed-not-a-number",
     "field 'speed_kph' = 'fast'"),
    ("network-edge-unknown-node", NET, "network-edge-unknown-node",
     "'bordr' is not a node id; did you mean 'border'"),
    ("network-empty", NET, "network-empty", "nodes.csv: the network has no nodes"),
    ("network-no-edges", NET, "network-no-edges", "edges.csv: the network has no edges"),
    ("network-duplicate-node", NET, "network-duplicate-node", "node id 'border' (row 7)"),
    ("network-bad-gauge", NET, "network-bad-gauge", "field 'gauge' = '1000'"),
    ("network-unknown-column", NET, "network-unknown-column", "unknown column 'dwell_hours'"),
    ("network-not-utf8", NET, "network-not-utf8", "nodes.csv: cannot be read as UTF-8 CSV"),
    ("network-lat-out-of-range", NET, "network-lat-out-of-range", "field 'lat' = '154.20'"),
    ("network-broken-geojson", NET, "network-broken-geojson",
     "nodes.geojson: cannot be read as a geodata file"),
    ("network-wrong-crs", NET, "network-wrong-crs", "field 'lon' = 2290000.0"),
    ("network-nodes-not-points", NET, "network-nodes-not-points",
     "field 'geometry' = LineString"),
    ("network-not-a-network-file", NET, "network.txt", "unsupported network file type '.txt'"),
    # sweeps
    ("sweep-is-a-list", SWEEP, "sweep-is-a-list.yaml", "a sweep is a YAML mapping"),
    ("sweep-missing-runs", SWEEP, "sweep-missing-runs.yaml", "field 'runs' is missing"),
    ("sweep-runs-not-a-number", SWEEP, "sweep-runs-not-a-number.yaml", "field 'runs' = 'many'"),
    ("sweep-runs-1e9", SWEEP, "sweep-runs-1e9.yaml", "field 'runs' = 1000000000"),
    ("sweep-unknown-element", SWEEP, "sweep-unknown-element.yaml",
     "'failures.elements.Sestokay' = 'Sestokay'"),
    ("sweep-probability-2", SWEEP, "sweep-probability-2.yaml",
     "'failures.by_kind.gauge_transfer' = 2"),
    ("sweep-bad-distribution", SWEEP, "sweep-bad-distribution.yaml",
     "low_h (48) must not exceed high_h (6)"),
    ("sweep-base-missing", SWEEP, "sweep-base-missing.yaml",
     "field 'base_scenario': no-such-scenario.yaml: no such file"),
    ("sweep-base-invalid", SWEEP, "sweep-base-invalid.yaml",
     "field 'origins.0.node': unknown node 'Test Hubb'"),
    ("sweep-grid-without-target", SWEEP, "sweep-grid-without-target.yaml",
     "field 'grid.0'"),
    ("sweep-unknown-field", SWEEP, "sweep-unknown-field.yaml",
     "unknown field 'failure'; valid fields here: name, description, base_scenario"),
    ("sweep-unknown-kind", SWEEP, "sweep-unknown-kind.yaml",
     "'capacity_ranges.0.kind' = 'bridge': unknown kind"),
    ("sweep-not-utf8", SWEEP, "sweep-not-utf8.yaml", "cannot be read: 'utf-8' codec"),
    ("sweep-broken-yaml", SWEEP, "sweep-broken-yaml.yaml", "not valid YAML (line 2"),
    # CLI arguments
    ("cli-workers-negative", ["sweep", str(BAD / "sweep-ok.yaml"), "--out", "{tmp}/out",
                              "--workers", "-1"], "",
     "'--workers': Input should be greater than or equal to 0, got '-1'"),
    ("cli-workers-absurd", ["sweep", str(BAD / "sweep-ok.yaml"), "--out", "{tmp}/out",
                            "--workers", "100000"], "",
     "'--workers': Input should be less than or equal to 256, got '100000'"),
    ("cli-scheduler-not-an-address", ["sweep", str(BAD / "sweep-ok.yaml"), "--out", "{tmp}/out",
                                      "--scheduler", "not-an-address"], "",
     "--scheduler = 'not-an-address'"),
    ("cli-out-is-a-file", ["sweep", str(BAD / "sweep-ok.yaml"), "--out", str(BAD / "network.txt"),
                           "--workers", "0"], "", "network.txt: this is a file; give a folder"),
    ("cli-summary-only-without-results", ["sweep", str(BAD / "sweep-ok.yaml"), "--summary-only",
                                          "--out", "{tmp}/out"], "",
     "no such sweep output folder"),
    ("cli-sweep-file-is-a-directory", ["sweep", "{bad}/network-empty", "--out", "{tmp}/out"], "",
     "Is a directory"),
]


#: Cases also run as a plain ``python -m mobility.cli`` subprocess, one per input family.
PLAIN = {"scenario-unknown-node", "network-broken-geojson", "sweep-is-a-list",
         "cli-workers-negative"}


def _argv(case: tuple, folder: Path) -> list[str]:
    _, template, file, _ = case
    return [part.format(bad=BAD, file=file, tmp=folder) for part in template]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every case run once in a forked child (``_hostile.run_forked``); a few also as a plain
    ``python -m mobility.cli`` subprocess."""
    root = tmp_path_factory.mktemp("bad-inputs")
    logs = tmp_path_factory.mktemp("bad-input-logs")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    jobs = []
    for case in CASES:
        folder, log = root / case[0], logs / case[0]
        folder.mkdir()
        log.mkdir()
        jobs.append({"folder": str(folder), "logs": str(log), "steps": [_argv(case, folder)]})
    run_forked(jobs)
    results = {}
    for case in CASES:
        log = logs / case[0]
        results[case[0]] = (subprocess.CompletedProcess(
            args=case[1], returncode=int((log / "rc").read_text()),
            stdout=(log / "stdout").read_text(), stderr=(log / "stderr").read_text()),
            root / case[0])
    for case in CASES:
        if case[0] in PLAIN:
            folder = root / f"plain-{case[0]}"
            folder.mkdir()
            done = subprocess.run([sys.executable, "-m", "mobility.cli", *_argv(case, folder)],
                                  capture_output=True, text=True, cwd=folder, env=env,
                                  timeout=120)
            results[f"plain-{case[0]}"] = (done, folder)
    return results


def test_the_corpus_is_large_and_every_file_is_used():
    assert len(CASES) >= 40
    used = {case[2] for case in CASES} | {"sweep-ok.yaml"}
    on_disk = {path.name for path in BAD.iterdir()}
    assert on_disk <= used, f"fixtures without a case: {sorted(on_disk - used)}"


@pytest.mark.parametrize(("case_id", "fragment"), [(c[0], c[3]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_one_clear_error_line_and_nothing_written(outcomes, case_id, fragment):
    for key in (case_id, f"plain-{case_id}"):
        if key in outcomes:
            _check(*outcomes[key], fragment)


def _check(done: subprocess.CompletedProcess, folder: Path, fragment: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert fragment in lines[0]
    assert list(folder.iterdir()) == [], "a failed command left output behind"


# --- atomic writes ------------------------------------------------------------------------


@pytest.fixture
def replace_fails(monkeypatch):
    """Make the final rename of every atomic write fail, as a crash mid-write would."""

    def broken(_src, _dst):
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", broken)


def _assert_empty(folder: Path) -> None:
    assert not folder.exists() or list(folder.iterdir()) == []


def test_text_and_bytes_writers_leave_no_file_when_interrupted(tmp_path, replace_fails):
    from mobility._io import atomic_write_bytes
    from mobility.viz.export import atomic_write_text

    with pytest.raises(OSError, match="simulated"):
        atomic_write_text(tmp_path / "out" / "curve.csv", "day,troops\n" * 1000)
    with pytest.raises(OSError, match="simulated"):
        atomic_write_bytes(tmp_path / "out" / "plot.png", b"\x89PNG" * 1000)
    _assert_empty(tmp_path / "out")


def test_plots_maps_and_reports_leave_no_file_when_interrupted(
        tmp_path, replace_fails, maps_graph, maps_result):
    from mobility.viz.maps import closure_map, save_map
    from mobility.viz.plots import closure_plot
    from mobility.viz.report import closure_report

    with pytest.raises(OSError, match="simulated"):
        closure_plot(maps_result, tmp_path / "out" / "closure.png")
    with pytest.raises(OSError, match="simulated"):
        save_map(closure_map(maps_graph, maps_result), tmp_path / "out" / "map.html")
    with pytest.raises(OSError, match="simulated"):
        closure_report(maps_graph, maps_result, tmp_path / "out" / "report.html")
    _assert_empty(tmp_path / "out")


def test_write_outputs_leaves_no_file_when_interrupted(tmp_path, replace_fails, maps_graph,
                                                       maps_result):
    from mobility.viz.export import write_outputs

    with pytest.raises(OSError, match="simulated"):
        write_outputs(maps_result, tmp_path / "out", graph=maps_graph)
    _assert_empty(tmp_path / "out")
