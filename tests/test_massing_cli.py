"""``mobility mass`` through the installed console script: tables, JSON, the output set, a
comparison, and bad input refused in one line (file, field, value, what is valid), exit 2,
no traceback, nothing written."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import installed_mobility

from mobility.viz._offline import fetched_urls

ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def mobility(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([installed_mobility(), *args], capture_output=True, text=True, cwd=cwd,
                          env=ENV, timeout=300)


def test_json_gives_troops_by_each_hour_asked() -> None:
    done = mobility("mass", "narva", "--by", "24h,2d,96h", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data["troops_by"]) == ["24", "48", "96"]
    troops = list(data["troops_by"].values())
    assert troops == sorted(troops) and troops[-1] <= data["force_troops"]
    assert data["area_nodes"] == ["narva"] and data["rules"] == "emergency-regime"
    assert {m["hour"] for m in data["milestones"]} == {36.0, 60.0}
    assert {u["id"] for u in data["units"]} >= {"ee-1bde-active", "mnb-latvia", "lt-iron-wolf"}


def test_two_scenarios_are_compared_and_written(tmp_path: Path) -> None:
    out, page, report = tmp_path / "out", tmp_path / "m.html", tmp_path / "r.html"
    done = mobility("mass", "daugavpils", "daugavpils-bridge-closed", "--out", str(out),
                    "--map", str(page), "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert "Compared with daugavpils" in done.stdout and "hours later" in done.stdout
    for name in ("daugavpils", "daugavpils-bridge-closed"):
        for table in ("units.csv", "by_hour.csv", "binding.csv", "milestones.csv",
                      "curve.csv", "result.json"):
            assert (out / name / table).is_file()
    for path in (page, report):
        text = path.read_text("utf-8")
        assert fetched_urls(text) == []  # offline
        assert "daugavpils vs daugavpils-bridge-closed" in text  # the scenario ids
        assert "baltic-mobility" in text and "as of" in text  # version, as-of date
        assert "not an operational plan" in text  # the caveat
    assert "Flashpoint massing" in page.read_text("utf-8")
    assert "hours gained or lost" in report.read_text("utf-8")


def test_compare_takes_flashpoints_and_refuses_a_mix() -> None:
    done = mobility("compare", "narva", "narva-military-schengen", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    rows = data["comparison"]["rows"]
    assert [r["by_h"] for r in rows] == [48.0, 72.0, 96.0]
    for row in rows:  # no permission clock never needs more hours
        assert row["hours_later"] is not None and row["hours_later"] <= 1e-9
    mixed = mobility("compare", "narva", "baseline")
    assert mixed.returncode == 2 and "compare scenarios of one kind" in mixed.stderr


BAD = {
    "unknown.yaml": ("name: x\narea: {node: Narvv, radius_km: 40}\n",
                     "field 'area.node' = 'Narvv'", "Narva"),
    "radius.yaml": ("name: x\narea: {node: narva, radius_km: -5}\n",
                    "field 'area.radius_km' = -5", "greater than 0"),
    "home.yaml": ("name: x\narea: {node: narva, radius_km: 40}\nforces: null\n"
                  "reinforcements:\n  - {id: r1, name: R, nation: US, profile: "
                  "wheeled-battalion, home: Tallin Port, source: test}\n",
                  "field 'reinforcements[0].home' = 'Tallin Port'", "did you mean"),
    "abroad.yaml": ("name: x\narea: {node: narva, radius_km: 40}\nforces: null\n"
                    "reinforcements:\n  - {id: r1, name: R, nation: US, profile: "
                    "wheeled-battalion, home: powidz, source: test}\n",
                    "field 'reinforcements[0].home' = 'powidz'", "outside the Baltic"),
    "field.yaml": ("name: x\narea: {node: narva, radius: 40}\n",
                   "unknown field 'area.radius'", "radius_km"),
}


def _case(args: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess:
    return mobility("mass", *args, "--out", "out", "--map", "m.html", cwd=cwd)


def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    cases: list[tuple[tuple[str, ...], str, str]] = [
        (("narva", "--by", "48h,x"), "--by = '48h,x'", "48h,72h,96h"),
        (("narva", "--by", "300h"), "--by = '300h'", "at most 240h"),
        (("narvaa",), "unknown flashpoint scenario 'narvaa'", "did you mean 'narva'"),
    ]
    for name, (text, field, valid) in BAD.items():
        (tmp_path / name).write_text(text, "utf-8")
        cases.append(((name,), f"{name}: {field}", valid))
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda case: _case(case[0], tmp_path), cases))
    for (args, field, valid), result in zip(cases, done, strict=True):
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (args, result.stderr)
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)
        assert field in lines[0] and valid in lines[0], (args, lines[0])
        assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "m.html").exists()
