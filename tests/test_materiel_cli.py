"""``mobility materiel`` through the installed console script: tables, JSON, the output set,
and bad plans refused in one line (file, field, value, what is valid), exit 2, no traceback,
nothing written."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import installed_mobility

from mobility.materiel.plan import plans_dir
from mobility.viz._offline import fetched_urls

ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
SHIPPED = plans_dir() / "estonia-bunkers.yaml"


def mobility(*args: str, cwd: Path | None = None, env: dict | None = None
             ) -> subprocess.CompletedProcess:
    return subprocess.run([installed_mobility(), *args], capture_output=True, text=True, cwd=cwd,
                          env=env or ENV, timeout=300)


def small_plan_text(**replace: str) -> str:
    """A valid small plan (one plant, one area, one truck type) with lines replaced."""
    text = """\
name: small
start: 2029-01-01
deadline: 2029-12-31
items:
  - {id: bunker, name: bunker, pieces_per_unit: 2, piece_weight_t: 10, piece_length_m: 4,
     piece_width_m: 2.5, piece_height_m: 2.5, source: test}
production:
  - {id: plant, name: plant, node: tartu, output_units_per_week: {bunker: 5}, source: test}
storage_areas:
  - id: area
    name: area
    lon: 27.0
    lat: 58.4
    access_node: tartu
    last_mile_km: 30
    last_mile_road_class: primary
    demand_units: {bunker: 20}
    installation: {crews: 4, units_per_crew_per_week: 2, cranes: 2, units_per_crane_per_week: 5}
    source: test
fleet:
  - {id: truck, name: truck, kind: truck, count: 4, payload_t: 20, deck_length_m: 8,
     deck_width_m: 2.55, loaded_speed_kph: 60, empty_speed_kph: 60, source: test}
"""
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_shipped_plan_prints_the_answer():
    done = mobility("materiel", "estonia-bunkers", "--no-marginal")
    assert done.returncode == 0, done.stderr
    assert "estonia-bunkers: 600 units (9 installed before" in done.stdout
    assert "all installed by 20" in done.stdout
    for area in ("ne-1-narva", "ne-2-alutaguse", "se-1-luhamaa", "se-2-rapina"):
        assert area in done.stdout


def test_json_out_map_and_report_written_as_a_set(tmp_path):
    plan = tmp_path / "small.yaml"
    plan.write_text(small_plan_text())
    out, page, report = tmp_path / "out", tmp_path / "m" / "map.html", tmp_path / "r.html"
    done = mobility("materiel", str(plan), "--json", "--out", str(out), "--map", str(page),
                    "--report", str(report))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["plan"] == "small" and data["completion_week"] == 4  # 20 at 5 a week
    assert data["binding"] == "production"
    assert [a["id"] for a in data["areas"]] == ["area"]
    assert sorted(p.name for p in out.iterdir()) == [
        "areas.csv", "capacities.csv", "fleet.csv", "lanes.csv", "marginal.csv",
        "production.csv", "result.json", "weekly.csv"]
    assert json.loads((out / "result.json").read_text())["completion"] == data["completion"]
    assert (out / "weekly.csv").read_text().startswith(
        "week,week_start,area,delivered_units,installed_units,installed_cumulative_units")
    for html in (page.read_text(), report.read_text()):
        assert not fetched_urls(html)
    assert "Storage areas: small" in page.read_text()


def test_a_file_name_that_is_no_plan_name_gives_a_safe_one(tmp_path):
    plan = tmp_path / "My plan (v2).yaml"
    plan.write_text(small_plan_text(**{"name: small\n": ""}))
    done = mobility("materiel", str(plan), "--json", "--no-marginal")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plan"] == "My-plan-v2"


def test_two_plans_are_compared(tmp_path):
    slower = tmp_path / "slower.yaml"
    slower.write_text(small_plan_text(**{"name: small": "name: slower",
                                         "{bunker: 5}": "{bunker: 4}"}))
    plan = tmp_path / "small.yaml"
    plan.write_text(small_plan_text())
    done = mobility("materiel", str(plan), str(slower), "--json", "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    first, second = json.loads(done.stdout)
    assert second["completion"] > first["completion"]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["slower", "small"]
    done = mobility("materiel", str(plan), str(slower), "--no-marginal")
    assert "Completion compared with small" in done.stdout
    # 20 bunkers at 4 a week instead of 5: made by the Friday of week 5, not of week 4
    assert "+7" in done.stdout


BAD = [
    ("unknown-plan", None, ["materiel", "estonia-bunkerz"],
     ["unknown materiel plan 'estonia-bunkerz'", "did you mean 'estonia-bunkers'"]),
    ("no-file", None, ["materiel", "missing.yaml"], ["missing.yaml: no such file"]),
    ("not-yaml", "name: [oops\n", None, ["plan.yaml: not valid YAML (line"]),
    ("not-a-mapping", "- a\n- b\n", None, ["a materiel plan is a YAML mapping", "not list"]),
    ("unknown-field", small_plan_text(**{"deadline: 2029-12-31":
                                         "deadline: 2029-12-31\ndeadlne: 2030-01-01"}), None,
     ["unknown field 'deadlne'", "valid fields here: name, description, start, deadline"]),
    ("negative-count", small_plan_text(**{"count: 4": "count: -1"}), None,
     ["field 'fleet.0.count' = -1", "greater than or equal to 0"]),
    ("bool-for-number", small_plan_text(**{"last_mile_km: 30": "last_mile_km: yes"}), None,
     ["field 'storage_areas.0.last_mile_km' = true: give a number"]),
    ("bad-road-class", small_plan_text(**{"road_class: primary": "road_class: track"}), None,
     ["field 'storage_areas.0.last_mile_road_class' = 'track'", "'primary'"]),
    ("unknown-item", small_plan_text(**{"{bunker: 5}": "{bunkr: 5}"}), None,
     ["production[0].output_units_per_week: unknown item 'bunkr'", "did you mean 'bunker'"]),
    ("unknown-node", small_plan_text(**{"access_node: tartu": "access_node: tartuu"}), None,
     ["field 'storage_areas[0].access_node' = 'tartuu'", "did you mean 'tartu'"]),
    ("railhead-without-rail", small_plan_text(**{
        "demand_units": "railhead: parnu-port\n    demand_units"}), None,
     ["field 'storage_areas[0].railhead' = 'parnu-port': no 1520 mm track", "tartu"]),
    ("duplicate-ids", small_plan_text().replace(
        "fleet:\n", "fleet:\n  - {id: truck, name: t2, kind: truck, count: 1, payload_t: 20, "
        "deck_length_m: 8, deck_width_m: 2.55, loaded_speed_kph: 60, empty_speed_kph: 60, "
        "source: t}\n"), None, ["field 'fleet'", "id 'truck' appears twice"]),
    ("deadline-before-start", small_plan_text(**{"deadline: 2029-12-31":
                                                 "deadline: 2028-12-31"}), None,
     ["deadline 2028-12-31 is before start 2029-01-01"]),
    ("bad-date", small_plan_text(**{"start: 2029-01-01": "start: 2029-13-01"}), None,
     ["plan.yaml: not valid YAML (line 2, column 8): '2029-13-01' is not a date: month "
      "must be in 1..12 (dates are YYYY-MM-DD)"]),
    ("no-truck-can-carry", small_plan_text(**{"piece_weight_t: 10": "piece_weight_t: 30"}),
     None, ["no vehicle of the fleet can carry 'bunker' there"]),
    ("horizon-too-short", small_plan_text(**{"deadline: 2029-12-31":
                                             "deadline: 2029-12-31\nhorizon_weeks: 2"}),
     None, ["units are still not installed after horizon_weeks = 2", "raise horizon_weeks"]),
    ("no-crew", small_plan_text(**{"crews: 4": "crews: 0"}), None,
     ["plan.yaml: storage_areas[0].installation.crews = 0: an area with units left to "
      "install needs at least 1"]),
    ("same-name-twice", small_plan_text(), ["materiel", "plan.yaml", "plan.yaml"],
     ["plan name 'small' is also the name of plan.yaml", "different 'name' fields"]),
    ("name-with-a-path", small_plan_text(**{"name: small": "name: ../../escaped"}), None,
     ["field 'name' = '../../escaped'", "String should match pattern"]),
    ("recursive-alias", small_plan_text(**{"items:": "loop: &x [1, *x]\nitems:"}), None,
     ["plan.yaml: not valid YAML (line 4, column 7): an anchor is used inside itself"]),
    ("out-is-a-file", small_plan_text(), ["materiel", "plan.yaml", "--out", "plan.yaml"],
     ["--out plan.yaml: this is a file; give a folder"]),
]


@pytest.mark.parametrize(("case", "text", "argv", "fragments"), BAD,
                         ids=[case[0] for case in BAD])
def test_bad_plans_get_one_line_and_write_nothing(tmp_path, case, text, argv, fragments):
    if text is not None:
        (tmp_path / "plan.yaml").write_text(text)
    args = argv or ["materiel", "plan.yaml"]
    if "--out" not in args:
        args = [*args, "--out", "out", "--map", "map.html"]
    before = sorted(p.name for p in tmp_path.iterdir())
    done = mobility(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_same_plan_gives_byte_identical_outputs(tmp_path):
    plan = tmp_path / "small.yaml"
    plan.write_text(small_plan_text())
    env = {**ENV, "SOURCE_DATE_EPOCH": "1800000000"}
    outputs = []
    for run in ("a", "b"):
        folder = tmp_path / run
        done = mobility("materiel", str(plan), "--no-marginal", "--out", str(folder / "out"),
                        "--map", str(folder / "map.html"), env=env)
        assert done.returncode == 0, done.stderr
        outputs.append({p.relative_to(folder): p.read_bytes()
                        for p in sorted(folder.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]


def test_a_bad_date_in_a_scenario_is_one_line_too(tmp_path):
    # the YAML reader is shared: a scenario with an impossible date was an internal error
    (tmp_path / "s.yaml").write_text("name: x\ndescription: 2029-02-30\ndestinations: []\n")
    done = mobility("run", "s.yaml", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("error: s.yaml: not valid YAML (line 2, column 14): "
                                   "'2029-02-30' is not a date: day is out of range for month "
                                   "(dates are YYYY-MM-DD)")
