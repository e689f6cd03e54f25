"""A closure LP that would not fit in memory is refused before it is solved (issue 16):
one line with the estimate, exit 2, nothing written."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import installed_mobility

from mobility._errors import MobilityError
from mobility.engines import lp_model

SCENARIO = Path(__file__).parent / "fixtures" / "tiny-fleet-scenario.yaml"


def _run(limit_mb: str, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, lp_model.MEMORY_LIMIT_ENV: limit_mb}
    return subprocess.run([installed_mobility(), "run", str(SCENARIO), "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)


def test_an_lp_over_the_memory_limit_is_refused_in_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "flows"
    done = _run("0.01", out)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "would need about" in lines[0] and lp_model.MEMORY_LIMIT_ENV in lines[0]
    assert not out.exists()
    # within the limit the same run solves and writes its flows
    fits = _run("100000", out)
    assert fits.returncode == 0, fits.stderr
    assert out.is_dir() and any(out.iterdir())


def test_the_estimate_grows_with_the_coefficients_and_a_bad_limit_is_named(monkeypatch):
    monkeypatch.setenv(lp_model.MEMORY_LIMIT_ENV, "1")  # 1 MB
    fits = 2**20 // lp_model.BYTES_PER_COEFFICIENT
    lp_model.check_memory(10, 10, fits)  # fits: no error
    with pytest.raises(MobilityError, match="would need about"):
        lp_model.check_memory(10, 10, fits + 1)
    for bad in ("abc", "0", "-5", "nan"):
        monkeypatch.setenv(lp_model.MEMORY_LIMIT_ENV, bad)
        with pytest.raises(MobilityError, match=f"{lp_model.MEMORY_LIMIT_ENV} = '{bad}'"):
            lp_model.memory_budget_bytes()
