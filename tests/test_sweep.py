"""Sweeps: reproducible on 1 or N workers, resumable, honest about failures and summaries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mobility import sweep as sweeps
from mobility.sweep import SweepError, load_sweep, plan_sweep, read_results, run_one, run_sweep

FIXTURES = Path(__file__).parent / "fixtures"
TINY_SCENARIO = FIXTURES / "tiny-scenario.yaml"
ROOT = Path(__file__).parent.parent


def _write_sweep(tmp_path: Path, **fields) -> Path:
    spec = {
        "name": "tiny-sweep",
        "base_scenario": str(TINY_SCENARIO),
        "runs": 6,
        "seed": 7,
        "chunk_runs": 4,
        "failures": {"by_kind": {"gauge_transfer": 0.3}, "elements": {"rail-sestokai-camp": 0.5}},
        "capacity_ranges": [{"corridor": "suwalki", "low": 0.4, "high": 1.0}],
        "border_delays": {"pairs_h": {"PL-LT": {"distribution": "triangular", "low_h": 2,
                                                "mode_h": 6, "high_h": 30}}},
        "grid": [{"parameter": "capacity_factor", "kind": "gauge_transfer", "values": [0.5, 2]},
                 {"parameter": "border_delay_h", "values": [0, 24]}],
    } | fields
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def sweep_file(tmp_path: Path) -> Path:
    return _write_sweep(tmp_path)


def _children() -> set[int]:
    """Live child processes of this one (Linux /proc; empty elsewhere), leaving out
    multiprocessing's resource tracker, which lives as long as this process by design."""
    import os

    found = set()
    for task in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        for pid in task.read_text().split():
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split()[2]
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:  # it has just exited
                continue
            if state != "Z" and b"resource_tracker" not in command:
                found.add(int(pid))
    return found


def test_same_rows_in_process_and_on_a_two_worker_local_cluster(sweep_file, tmp_path):
    before = _children()
    one = run_sweep(sweep_file, tmp_path / "one", workers=0)
    two = run_sweep(sweep_file, tmp_path / "two", workers=2, dask=True)
    assert two.executor.startswith("Dask LocalCluster")
    assert one.total_runs == two.total_runs == 4 * 6
    assert one.computed_runs == two.computed_runs == 24
    pd.testing.assert_frame_equal(read_results(tmp_path / "one"), read_results(tmp_path / "two"))
    assert _children() <= before, "the local cluster left worker processes behind"


def test_a_small_sweep_stays_in_process_and_says_why(sweep_file, tmp_path):
    done = run_sweep(sweep_file, tmp_path / "auto", workers=2)
    assert done.executor.startswith("in-process")
    assert "would not pay" in done.executor or done.computed_runs <= 4  # all in the probe
    pd.testing.assert_frame_equal(read_results(tmp_path / "auto"),
                                  read_results(run_sweep(sweep_file, tmp_path / "zero",
                                                         workers=0).out_dir))


def test_lp_solves_at_once_keep_their_order_and_raise_the_first_error(monkeypatch):
    import threading
    import time

    from mobility import _parallel

    monkeypatch.setattr(_parallel, "LP_THREADS", 2)
    threads = set()

    def call(i):
        def run():
            threads.add(threading.current_thread().name)
            time.sleep(0.05 * (3 - i))  # the first call ends last
            return i
        return run

    assert _parallel.at_once([call(i) for i in range(3)]) == [0, 1, 2]
    assert len(threads) == 2 and threading.main_thread().name not in threads

    def fails():
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        _parallel.at_once([call(0), fails, call(1)])
    monkeypatch.setattr(_parallel, "LP_THREADS", 1)
    threads.clear()
    assert _parallel.at_once([call(i) for i in range(3)]) == [0, 1, 2]
    assert threads == {threading.main_thread().name}


def test_a_cluster_pays_only_for_enough_work_and_free_processors(monkeypatch):
    from mobility import _parallel
    from mobility._parallel import batches, cluster_pays

    monkeypatch.setattr(_parallel, "free_processors", lambda: 2)
    assert not cluster_pays(0.02, 200, 2)  # 4 s of runs: start-up eats the gain
    assert cluster_pays(0.02, 5_000, 2)
    assert not cluster_pays(10.0, 1_000, 1)  # one worker never beats this process
    monkeypatch.setattr(_parallel, "free_processors", lambda: 1)  # others keep the cores busy
    assert not cluster_pays(0.02, 5_000, 2)
    items = list(range(1000))
    parts = batches(items, 0.02, 2)
    assert [i for part in parts for i in part] == items
    assert len(parts) >= 6 and max(map(len, parts)) <= 25


def test_a_run_does_not_depend_on_the_other_runs_or_their_order(sweep_file):
    plan = plan_sweep(sweep_file)
    forward = [run_one(plan, run) for run in range(plan.total_runs)]
    backward = [run_one(plan, run) for run in reversed(range(plan.total_runs))][::-1]
    assert pd.DataFrame(forward).equals(pd.DataFrame(backward))
    # another seed changes the draws
    other = plan_sweep(load_sweep(sweep_file).model_copy(update={"seed": 8}))
    assert run_one(other, 3)["border_h.PL-LT"] != forward[3]["border_h.PL-LT"]


def test_resume_computes_only_the_missing_runs_and_loses_none(sweep_file, tmp_path):
    out = tmp_path / "out"
    first = run_sweep(sweep_file, out, workers=0, max_runs=9)  # killed after 9 runs
    assert (first.computed_runs, first.resumed_runs) == (9, 0)
    assert sweeps.done_runs(out) == set(range(9))
    (out / ".part-0000012-0000015.parquet.123.tmp").write_bytes(b"half a file")
    seen = []
    second = run_sweep(sweep_file, out, workers=0, progress=lambda _m, d, t: seen.append((d, t)))
    assert (second.computed_runs, second.resumed_runs) == (24 - 9, 9)
    assert seen[0] == (9, 24) and seen[-1] == (24, 24)
    assert not list(out.glob(".*.tmp"))
    third = run_sweep(sweep_file, out, workers=0)
    assert third.computed_runs == 0
    fresh = tmp_path / "fresh"
    run_sweep(sweep_file, fresh, workers=0)
    pd.testing.assert_frame_equal(read_results(out), read_results(fresh))


def test_a_failure_while_writing_a_part_leaves_no_file(sweep_file, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    def broken(table, where, **_kwargs):
        Path(where).write_bytes(b"PAR1 half")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="disk full"):
        run_sweep(sweep_file, out, workers=0, max_runs=3)
    assert sorted(p.name for p in out.iterdir()) == ["sweep.json"]


def test_rows_record_inputs_and_outputs(sweep_file):
    plan = plan_sweep(sweep_file)
    frame = pd.DataFrame([run_one(plan, run) for run in range(plan.total_runs)])
    assert frame["run"].tolist() == list(range(24))
    assert set(frame["grid.gauge_transfer_capacity_factor"]) == {0.5, 2.0}
    assert set(frame["grid.border_delay_h"]) == {0.0, 24.0}
    assert frame["factor.suwalki"].between(0.4, 1.0).all()
    assert frame["border_h.PL-LT"].between(2, 30).all()
    # the tiny scenario's targets: 1,000 by day 5 and 5,000 by day 20; horizon 30 days
    assert frame["target_1_troops"].eq(1000).all() and frame["target_2_deadline_day"].eq(20).all()
    met = frame["target_2_reached_day"] <= 20
    assert (frame["target_2_met"] == met).all()
    assert frame["troops_day_180"].isna().all()  # beyond the 30-day horizon
    assert (frame["troops_day_30"] >= frame["troops_day_10"]).all()
    failed = {ref for refs in frame["failed"] for ref in refs}
    assert failed <= {"mockava", "sestokai", "rail-sestokai-camp"} and failed
    # a failed gauge transfer never binds
    for refs, necks in zip(frame["failed"], frame["bottlenecks"], strict=True):
        if "sestokai" in refs:
            assert "Šeštokai gauge transfer" not in necks


def test_certain_failures_that_cut_every_route_give_zero_troops(tmp_path):
    path = _write_sweep(tmp_path, runs=2, grid=[], capacity_ranges=[], border_delays={},
                        failures={"elements": {"road-hub-camp": 1.0, "rail-hub-border": 1.0}})
    frame = pd.DataFrame([run_one(plan_sweep(path), run) for run in range(2)])
    assert frame["status"].tolist() == ["no destination left"] * 2
    assert frame["cut_off"].map(list).tolist() == [["camp"], ["camp"]]
    assert (frame["troops_day_30"] == 0).all() and not frame["target_1_met"].any()
    assert frame["target_1_reached_day"].isna().all()


def test_failure_frequencies_follow_the_probabilities(tmp_path):
    path = _write_sweep(tmp_path, runs=400, grid=[], capacity_ranges=[], border_delays={},
                        failures={"by_kind": {"gauge_transfer": 0.25}})
    plan = plan_sweep(path)
    assert [ref for ref, _ in plan.candidates] == ["mockava", "sestokai"]
    draws = np.array([sweeps.run_rng(plan.sweep.seed, run).random(2) < 0.25
                      for run in range(400)])
    share = draws.mean(axis=0)
    assert np.all(np.abs(share - 0.25) < 0.07)  # binomial sd ≈ 0.022


def test_summary_matches_the_rows_and_the_plot_is_a_png(sweep_file, tmp_path):
    out = tmp_path / "out"
    run_sweep(sweep_file, out, workers=0)
    frame = read_results(out)
    summary = sweeps.summarise_dir(out)
    assert summary.runs == summary.total_runs == 24
    for k, target in enumerate(summary.targets, start=1):
        assert target.probability_met == pytest.approx(frame[f"target_{k}_met"].mean())
        days = [d for d in target.days_percentiles.values() if d is not None]
        assert days == sorted(days)
    shares = dict(summary.bottlenecks)
    for name, share in shares.items():
        assert share == pytest.approx(frame["bottlenecks"].map(lambda b, n=name: n in b).mean())
    assert len(summary.grid) == 4 and sum(g["runs"] for g in summary.grid) == 24
    written = sweeps.write_summary(summary, frame, out)
    assert written[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(written[0].read_text())["runs"] == 24


def test_an_output_folder_of_another_sweep_is_refused(sweep_file, tmp_path):
    out = tmp_path / "out"
    run_sweep(sweep_file, out, workers=0, max_runs=1)
    (tmp_path / "x").mkdir()
    other = _write_sweep(tmp_path / "x", seed=99)
    with pytest.raises(SweepError, match="different sweep"):
        run_sweep(other, out, workers=0)
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not a sweep output folder"):
        run_sweep(sweep_file, stranger, workers=0)


@pytest.mark.parametrize(("fields", "fragment"), [
    ({"runs": 0}, "field 'runs' = 0"),
    ({"failures": {"by_kind": {"gauge_transfer": 1.5}}}, "failures.by_kind.gauge_transfer"),
    ({"failures": {"by_kind": {"bridge": 0.1}}}, "unknown kind; valid:"),
    ({"failures": {"elements": {"Sestokay": 0.1}}}, "did you mean 'Šeštokai'"),
    ({"capacity_ranges": [{"corridor": "suwalky", "low": 0.1, "high": 1}]}, "did you mean"),
    ({"capacity_ranges": [{"kind": "port", "low": 2, "high": 1}]}, "must not exceed"),
    ({"border_delays": {"default_h": {"distribution": "gamma"}}}, "border_delays.default_h"),
    ({"grid": [{"parameter": "border_delay_h", "values": [1]}],
      "border_delays": {"default_h": 5}}, "both on the grid"),
    ({"grid": [{"parameter": "heavy_share", "values": [1.5]}]}, "out of range"),
    ({"runs": 10**6}, "more than 1,000,000"),
    ({"bogus": 1}, "valid fields here: name, description, base_scenario, runs"),
    ({"base_scenario": "no-such-scenario"}, "field 'base_scenario': unknown scenario"),
])
def test_invalid_sweeps_are_rejected_with_the_field(tmp_path, fields, fragment):
    path = _write_sweep(tmp_path, **fields)
    with pytest.raises(SweepError) as caught:
        plan_sweep(path)
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)


def test_the_shipped_example_plans():
    plan = plan_sweep(ROOT / "data" / "sweeps" / "example.yaml")
    assert plan.total_runs == 180
    assert {"sestokai", "mockava", "palemonas"} <= {ref for ref, _ in plan.candidates}


def test_throughput_is_positive_in_process():
    assert sweeps.sweep_throughput(3, workers=0) > 0


def test_cli_runs_resumes_and_summarises(sweep_file, tmp_path):
    out = tmp_path / "cli-out"
    command = [sys.executable, "-m", "mobility.cli", "sweep", str(sweep_file), "--out", str(out),
               "--workers", "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Force Model targets over the runs" in done.stdout
    assert "24 runs computed" in done.stderr
    again = subprocess.run([*command, "--summary-only", "--json"], capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["runs"] == 24
    assert (out / "summary.png").exists()


def test_a_sweep_of_a_force_list_solves_the_fleet_engine(tmp_path):
    """A force-list base (the shipped example's baseline is one) is swept with the fleet
    engine: runs solve, a certain loss of the only road costs troops, and losing the
    assembly area leaves no formation that can arrive."""
    def row(name: str, failures: dict) -> dict:
        folder = tmp_path / name
        folder.mkdir()
        path = _write_sweep(folder, base_scenario=str(FIXTURES / "tiny-fleet-scenario.yaml"),
                            runs=1, grid=[], capacity_ranges=[], border_delays={"pairs_h": {}},
                            failures={"elements": failures})
        return run_one(plan_sweep(load_sweep(path)), 0)

    intact, no_road, no_camp = (row("intact", {"road-hub-camp": 0.0}),
                                row("no-road", {"road-hub-camp": 1.0}),
                                row("no-camp", {"camp": 1.0}))
    assert intact["status"] == no_road["status"] == "ok"
    assert no_road["troops_day_5"] < intact["troops_day_5"]
    assert no_camp["status"] == "no formation can arrive" and no_camp["troops_day_10"] == 0
