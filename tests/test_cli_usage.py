"""Usage errors and Ctrl-C through the installed ``mobility`` command, as a user meets them.

Every case is a real process of the console script that ``pip install`` made, so what the
installed typer (and the click it uses, bundled or not) really raises is what is tested.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import installed_mobility

ROOT = Path(__file__).resolve().parents[1]
#: A sweep of the stress case: runs of a tenth of a second (the shipped example's force
#: list takes seconds a run), so its first part is written soon after it starts.
SWEEP = ROOT / "tests" / "fixtures" / "stress-sweep.yaml"


_mobility = installed_mobility


#: A narrow terminal: the one line must not be wrapped into several.
ENV = {**os.environ, "COLUMNS": "60", "NO_COLOR": "1"}


def _default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored, and a Python started that way never
    # raises KeyboardInterrupt; give the child the default handling a terminal would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


#: argv, what the line must name (parameter, value or command).
USAGE_ERRORS = {
    "negative-budget": (["invest", "--budget", "-1"], ["--budget", "-1", "0",
                                                       "mobility invest --help"]),
    "zero-cuts": (["interdict", "--cuts", "0"], ["--cuts", "0", "1",
                                                 "mobility interdict --help"]),
    "one-scenario-to-compare": (["compare", "baseline"], ["SCENARIOS", "two scenarios"]),
    "nan-day": (["route", "Vilnius", "Kaunas", "--day", "nan"], ["--day", "nan"]),
    "unknown-option": (["run", "--bogus"], ["--bogus", "mobility run --help"]),
    "unknown-command": (["nosuch"], ["nosuch", "mobility --help"]),
}
HELP = {"help": ["--help"]}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """Every usage-error and help case at once, as parallel processes in an empty folder."""
    folder = tmp_path_factory.mktemp("usage")
    cases = {key: argv for key, (argv, _) in USAGE_ERRORS.items()} | HELP
    running = {
        key: subprocess.Popen([_mobility(), *argv], cwd=folder, env=ENV, text=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        for key, argv in cases.items()
    }
    done = {}
    for key, process in running.items():
        stdout, stderr = process.communicate(timeout=60)
        done[key] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    assert list(folder.iterdir()) == [], "a usage error left output behind"
    return done


@pytest.mark.parametrize("case", list(USAGE_ERRORS))
def test_usage_error_is_one_line_and_exit_2(outcomes, case):
    done = outcomes[case]
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines[0]
    for fragment in USAGE_ERRORS[case][1]:
        assert fragment in lines[0], lines[0]
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("case", list(HELP))
def test_help_still_works(outcomes, case):
    done = outcomes[case]
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout and done.stderr == ""


# --- Ctrl-C -------------------------------------------------------------------------------


def _start_sweep(out: Path, *extra: str, new_session: bool = False) -> subprocess.Popen:
    return subprocess.Popen([_mobility(), "sweep", str(SWEEP), "--out", str(out), *extra],
                            env=ENV, text=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_default_sigint, start_new_session=new_session)


def _wait_for(path: Path, process: subprocess.Popen, timeout_s: float = 30) -> None:
    """Until the command is at work (not still importing), so Ctrl-C lands in the command."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _check_interrupted(process: subprocess.Popen, out: Path) -> None:
    stdout, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("interrupted: mobility sweep"), lines[0]
    assert "resume" in lines[0]
    assert process.returncode == 130, stderr
    assert not (out / "summary.json").exists(), "an interrupted sweep wrote its summary"
    assert stdout == ""


def test_ctrl_c_in_a_sweep_exits_130_with_one_line(tmp_path):
    out = tmp_path / "out"
    process = _start_sweep(out, "--workers", "0")
    _wait_for(out / "runs" / "part-0000000-0000009.parquet", process)  # the first chunk is done
    process.send_signal(signal.SIGINT)
    _check_interrupted(process, out)


def test_ctrl_c_to_a_sweep_with_dask_workers_exits_130(tmp_path):
    # A terminal's Ctrl-C reaches the whole process group: the command and its workers.
    out = tmp_path / "out"
    process = _start_sweep(out, "--workers", "1", new_session=True)
    _wait_for(out / "sweep.json", process)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    _check_interrupted(process, out)
