"""The command line as a user meets it: JSON shapes, files written, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def mobility(*args: str, cwd=None) -> subprocess.CompletedProcess:
    # 900 s: with the calibrated frictions (data/VALIDATION.md, Part C) the baseline closure LP
    # takes several times longer to solve (longer transit times span more periods).
    return subprocess.run([sys.executable, "-m", "mobility.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def baseline_json() -> dict:
    done = mobility("run", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_run_json_has_the_documented_fields(baseline_json):
    data = baseline_json
    assert data["scenario"] == "baseline" and data["method"] == "fleet"
    assert data["targets_reading"] == "cumulative"
    assert [(t["troops"], t["deadline_day"]) for t in data["targets"]] == [
        (100000, 10), (200000, 30), (500000, 180)]
    assert set(data["troops_by_day"]) == {"10", "30", "180"}
    assert all({"name", "kind", "utilisation"} <= set(b) for b in data["bottlenecks"])
    assert data["bottlenecks"] and sum(data["mode_split"].values()) == pytest.approx(1, abs=1e-3)
    # the fleet engine's parts: every day, the bounds, formations, marginal values, fleets
    assert len(data["troops_by_every_day"]) == 180
    assert set(data["bounds_by_day"]) == {"unlimited lift"}
    assert len(data["formations"]) == 45
    assert {"formation", "ready_day", "modes", "embarkation", "closed_day"} <= set(
        data["formations"][0])
    gains = [g for m in data["marginal_values"] for g in m["troops_gained_by_day"].values()]
    assert gains and min(gains) >= 0 and max(gains) > 0
    assert {"sailing", "train-1435", "train-1520", "flight", "het"} <= set(data["fleet_peak"])
    # sustainment carried on the lift the plan leaves: the need is the troops' 37.5 kg a day
    supplies = data["sustainment"]
    assert set(supplies["by_day"]) == {"10", "30", "180"}
    for day in supplies["by_day"].values():
        assert day["need_t_per_day"] == pytest.approx(day["troops_arrived"] * 0.0375, rel=1e-3)
    assert "stock_short_from_day" in supplies
    assert any("planned after them" in n for n in data["notes"])


def test_run_json_is_consistent_with_itself(baseline_json):
    by_day = baseline_json["troops_by_day"]
    assert by_day["10"] <= by_day["30"] <= by_day["180"]
    for target in baseline_json["targets"]:
        at_deadline = by_day[str(int(target["deadline_day"]))]
        met = at_deadline >= target["troops"] - 1e-6
        assert (target["shortfall"] == 0) == met
        if met:
            assert target["reached_day"] <= target["deadline_day"]
    # combat-ready agrees with the targets' combat-ready days (their earliest + 7 days)
    ready_by = baseline_json["combat_ready_by_day"]
    for day, ready in ready_by.items():
        assert ready <= by_day[day] + 1e-6
        for target, ready_day in zip(baseline_json["targets"],
                                     baseline_json["targets_combat_ready_day"], strict=True):
            if ready_day is not None and ready_day <= int(day):
                assert ready >= target["troops"] - 1e-6, (day, target)


def test_run_out_writes_flows_curve_and_formations(tmp_path):
    scenario = Path(__file__).parent / "fixtures" / "tiny-fleet-scenario.yaml"
    done = mobility("run", str(scenario), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["curve.csv", "edge_flows.csv", "edge_flows.geojson", "fleet_use.csv",
                     "formations.csv", "result.json", "transfer_use.csv"]
    use = (tmp_path / "out" / "transfer_use.csv").read_text().splitlines()
    assert use[0] == "node,day,flow_troops_per_day,flow_units_per_day,capacity_units_per_day," \
                     "utilisation,unit" and len(use) > 1
    geo = json.loads((tmp_path / "out" / "edge_flows.geojson").read_text())
    assert geo["features"] and geo["features"][0]["geometry"]["type"] == "LineString"
    formations = (tmp_path / "out" / "formations.csv").read_text().splitlines()
    assert formations[0].startswith("formation,name,nation,profile,troops,ready_day")
    assert len(formations) == 4  # header and the three lines of tiny-forces.yaml


def test_run_out_writes_the_stress_case_flows(tmp_path):
    scenario = Path(__file__).parent / "fixtures" / "tiny-scenario.yaml"
    done = mobility("run", str(scenario), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["curve.csv", "edge_flows.csv", "edge_flows.geojson", "result.json",
                     "transfer_use.csv"]


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
