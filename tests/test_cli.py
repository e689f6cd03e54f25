"""The command line as a user meets it: JSON shapes, files written, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def mobility(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mobility.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def baseline_json() -> dict:
    done = mobility("run", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_run_json_has_the_documented_fields(baseline_json):
    data = baseline_json
    assert data["scenario"] == "baseline" and data["method"] == "exact"
    assert data["targets_reading"] == "cumulative"
    assert [(t["troops"], t["deadline_day"]) for t in data["targets"]] == [
        (100000, 10), (200000, 30), (500000, 180)]
    assert set(data["troops_by_day"]) == {"10", "30", "180"}
    assert all({"name", "kind", "utilisation"} <= set(b) for b in data["bottlenecks"])
    assert data["bottlenecks"] and sum(data["mode_split"].values()) == pytest.approx(1, abs=1e-3)


def test_run_json_is_consistent_with_itself(baseline_json):
    by_day = baseline_json["troops_by_day"]
    assert by_day["10"] <= by_day["30"] <= by_day["180"]
    for target in baseline_json["targets"]:
        at_deadline = by_day[str(int(target["deadline_day"]))]
        met = at_deadline >= target["troops"] - 1e-6
        assert (target["shortfall"] == 0) == met
        if met:
            assert target["reached_day"] <= target["deadline_day"]


def test_run_out_writes_flows_and_curve(tmp_path):
    done = mobility("run", "military-schengen", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["curve.csv", "edge_flows.csv", "edge_flows.geojson", "result.json"]
    geo = json.loads((tmp_path / "out" / "edge_flows.geojson").read_text())
    assert geo["features"] and geo["features"][0]["geometry"]["type"] == "LineString"


def test_network_info_json_names_the_gauge_break(tmp_path):
    done = mobility("network", "info", "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert {s["id"] for s in info["gauge_transfer_sites"]} >= {"sestokai", "mockava", "palemonas"}
    modes = sorted(c["mode"] for c in info["pl_lt_border_crossings"])
    assert modes == ["rail", "road", "road"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["run", "baselin"], "unknown scenario 'baselin'; did you mean 'baseline'?"),
    (["network", "info", "--path", "/nonexistent"], "/nonexistent: no such file or folder"),
    (["network", "info", "--phase", "rb-2099"], "unknown phase 'rb-2099'; valid phases:"),
])
def test_errors_are_one_line_without_traceback(args, fragment):
    done = mobility(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("error:") and fragment in " ".join(lines)
