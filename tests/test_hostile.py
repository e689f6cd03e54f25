"""The hostile-input corpus of ``tests/_hostile.py`` (issue 15): every case gives what it
expects — one line ``error: …`` naming the file, field or option and the value, exit 2, and
nothing written; or, for valid but unusual input, the right output — never a traceback, a
hang, a partial output or a bad input accepted.

The cases run as forked children of one warm interpreter that call ``mobility.cli.main``
exactly as the console script does (a real process each, with its own exit status, stdout and
stderr) so that some 170 cases take seconds, not minutes; a sample of every family, the
interrupts and the internal-error handler run through the installed ``mobility`` command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import _hostile
import pytest
from _hostile import CASES, PRECEDED_BY_A_SWEEP, Case, classify, contents, prepare
from conftest import installed_mobility

BY_ID = {case.id: case for case in CASES}
FORKED = [c for c in CASES if c.expect != "interrupt" and c.argv[0] != sys.executable]
#: One case of each family, also run through the installed console script.
THROUGH_THE_SCRIPT = ["yaml-merge-key-bomb", "out-under-a-file", "route-coords-swapped",
                      "network-markup-name"]


def _steps(case: Case) -> list[list[str]]:
    steps = []
    if case.id in PRECEDED_BY_A_SWEEP:
        steps.append(["sweep", "w.yaml", "--out", "out", "--workers", "0"])
        if case.id == "sweep-corrupt-part":
            steps.append(["corrupt"])
    return [*steps, list(case.argv)]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[str, subprocess.CompletedProcess]]:
    root = tmp_path_factory.mktemp("hostile")
    logs = tmp_path_factory.mktemp("hostile-logs")
    for stale in Path("/tmp").glob("escaped-hostile*"):
        shutil.rmtree(stale, ignore_errors=True)
    jobs, before = [], {}
    for case in FORKED:
        folder, log = root / case.id / "work", logs / case.id
        prepare(case, folder)
        log.mkdir()
        jobs.append({"folder": str(folder), "logs": str(log), "steps": _steps(case)})
        before[case.id] = contents(folder)
    _hostile.run_forked(jobs)
    results = {}
    for case in FORKED:
        log, folder = logs / case.id, root / case.id / "work"
        if (log / "before.json").exists():  # the preceding sweep's output is the case's input
            before[case.id] = set(json.loads((log / "before.json").read_text()))
        done = subprocess.CompletedProcess(case.argv, int((log / "rc").read_text()),
                                           (log / "stdout").read_text(),
                                           (log / "stderr").read_text())
        results[case.id] = (classify(case, done.returncode, done.stdout, done.stderr, folder,
                                     before[case.id]), done)
    return results


def test_the_corpus_is_large_and_its_ids_are_unique():
    assert len(CASES) >= 150
    assert len(BY_ID) == len(CASES)


@pytest.mark.parametrize("case_id", [c.id for c in FORKED])
def test_hostile_input(outcomes, case_id):
    outcome, done = outcomes[case_id]
    assert outcome == "ok", f"{outcome}: exit {done.returncode}\n{done.stderr[-3000:]}"


_script = installed_mobility


@pytest.mark.parametrize("case_id", THROUGH_THE_SCRIPT)
def test_through_the_installed_command(tmp_path, case_id):
    outcome, code, _, stderr = _hostile.run_case(BY_ID[case_id], tmp_path / "work", [_script()])
    assert outcome == "ok", f"{outcome}: exit {code}\n{stderr[-3000:]}"


def test_sweep_parts_read_with_pandas(tmp_path):
    outcome, code, stdout, stderr = _hostile.run_case(
        BY_ID["sweep-readable-by-pandas"], tmp_path / "work", [_script()])
    assert outcome == "ok", f"{outcome}: exit {code}\n{stderr[-3000:]}"
    assert stdout.strip() == "2"  # both runs of the two-run sweep


# (ctrl-c-sweep is in tests/test_cli_usage.py; run, critical and compare in the corpus script:
# each waits for its LP solve to return before it stops, 5-10 s here)
@pytest.mark.parametrize("case_id", ["ctrl-c-bench"])
def test_ctrl_c_in_a_long_command_exits_130(tmp_path, case_id):
    outcome, code, _, stderr = _hostile.run_case(BY_ID[case_id], tmp_path / "work", [_script()])
    assert outcome == "ok", f"{outcome}: exit {code}\n{stderr[-3000:]}"


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(tmp_path):
    # A bug, simulated: the network summary raises what no input check would.
    bug = ("import sys, mobility.network, mobility.cli\n"
           "def broken(*a, **k):\n    raise ZeroDivisionError('simulated bug')\n"
           "mobility.network.summary = broken\nsys.argv[0] = 'mobility'\nmobility.cli.main()\n")
    env = {**os.environ, **_hostile.ENV}
    done = subprocess.run([sys.executable, "-c", bug, "network", "info"], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: internal error in mobility network info: "
                               "ZeroDivisionError: simulated bug; please report it")
    assert "--debug" in lines[0] and "Traceback" not in done.stderr
    debug = subprocess.run([sys.executable, "-c", bug, "network", "info", "--debug"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "ZeroDivisionError: simulated bug" in debug.stderr
