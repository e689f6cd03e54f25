"""Bench plumbing on tiny sizes: the synthetic generator and one small bench run (no timing
assertions: timings are measured by ``mobility bench``, not asserted)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mobility.bench import BenchConfig, _baseline_plan, run_bench, summary_rows
from mobility.flows import earliest_arrival_curve, max_static_flow, time_expanded_max_flow
from mobility.synthetic import synthetic_problem


@pytest.mark.parametrize("n_arcs", [60, 500, 3_000, 20_000])
def test_synthetic_arc_count(n_arcs):
    problem = synthetic_problem(n_arcs)
    assert abs(problem.n_arcs - n_arcs) <= 0.1 * n_arcs


def test_synthetic_is_deterministic_and_shaped():
    a, b, c = synthetic_problem(1_000), synthetic_problem(1_000), synthetic_problem(1_000, seed=1)
    for name in ("tail", "head", "capacity_per_h", "transit_h"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.transit_h, c.transit_h)
    assert np.array_equal(a.transit_h, np.round(a.transit_h))  # integer hours by default
    assert not np.array_equal(
        synthetic_problem(1_000, integer_transit=False).transit_h,
        np.round(synthetic_problem(1_000, integer_transit=False).transit_h),
    )
    assert (a.tail == a.source).sum() == 4 and (a.head == a.sink).sum() == 4
    assert max_static_flow(a) > 0


def test_synthetic_exact_equals_time_expanded():
    problem = synthetic_problem(300)
    curve = earliest_arrival_curve(problem, 72.0, time_resolution_h=1.0)
    for t_h in (12.0, 40.0, 72.0):
        assert curve.arrivals(t_h) == pytest.approx(
            time_expanded_max_flow(problem, t_h, 1.0), rel=1e-9, abs=1e-6
        )


def test_synthetic_rejects_tiny():
    with pytest.raises(ValueError, match="too small"):
        synthetic_problem(10)


def test_baseline_refused_when_it_does_not_fit():
    spec = {"kind": "synthetic", "n_arcs": 500, "seed": 0}
    plan = _baseline_plan(spec, BenchConfig(), available=1_000)
    assert not plan["run"] and plan["why"].startswith("does not fit (est.")
    plan = _baseline_plan(spec, BenchConfig(baseline_budget_gb=1e-6), available=None)
    assert not plan["run"] and plan["status"] == "not run"


def test_tiny_bench_run():
    config = BenchConfig(sizes=(200,), check_sizes=(), horizon_days=3.0, check_days=(1.0, 3.0),
                         timeout_s=120.0, curated=False, other_timings=False)
    result = run_bench(config)
    json.dumps(result)  # what --json prints
    assert set(result) >= {"config", "machine", "networks", "notes"}
    (net,) = result["networks"]
    assert net["name"] == "synthetic-200"
    for exact in net["exact"].values():
        assert exact["status"] == "ok"
        assert set(exact) >= {"seconds", "pieces", "arrivals", "peak_rss_mb"}
        assert len(exact["arrivals"]) == 2
    assert net["baseline"]["status"] == "ok"
    assert net["same_answer"] is True
    assert net.get("methods_agree", True) is True
    assert net["ratio"] > 0
    assert len(summary_rows(result)) == len(net["exact"]) + 1


@pytest.mark.parametrize("seed", range(12))
def test_phases_equal_parametric_on_random_graphs(seed):
    from test_flows_exact import check_invariants, random_problem

    for problem in (random_problem(seed), random_problem(100 + seed, n=7),
                    random_problem(seed, n=9, p_arc=0.5, max_transit=9)):
        phases = earliest_arrival_curve(problem, 20, method="phases")
        parametric = earliest_arrival_curve(problem, 20, method="parametric")
        check_invariants(problem, phases)
        np.testing.assert_allclose(phases.breakpoints_h, parametric.breakpoints_h)
        np.testing.assert_allclose(phases.rates_per_h, parametric.rates_per_h)
        t = np.linspace(0, 20, 81)
        np.testing.assert_allclose(phases.arrivals(t), parametric.arrivals(t), atol=1e-9)


def test_phases_equal_parametric_on_synthetic():
    problem = synthetic_problem(1_500, seed=3)
    phases = earliest_arrival_curve(problem, 24 * 20, time_resolution_h=1.0, method="phases")
    parametric = earliest_arrival_curve(problem, 24 * 20, time_resolution_h=1.0,
                                        method="parametric")
    t = np.linspace(0, 24 * 20, 200)
    np.testing.assert_allclose(phases.arrivals(t), parametric.arrivals(t), rtol=1e-9)
    with pytest.raises(ValueError, match="options: parametric, phases"):
        earliest_arrival_curve(problem, 10, method="dijkstra")


def test_the_curated_bench_problem_is_the_stress_case():
    # The baseline scenario is a force list (no origins): the bench compares the methods on
    # the stress case, whose flow problem the exact method and the baseline both solve.
    from mobility.bench import _problem

    problem = _problem({"kind": "curated", "round_up_h": True})
    assert problem.n_arcs > 500
    assert np.all(problem.transit_h == np.round(problem.transit_h))


def test_answers_are_compared_horizon_by_horizon_strictly():
    from mobility.bench import _compare

    assert _compare([1.0, 2.0], [1.0, 2.0]) == (True, 0.0)
    assert not _compare([1.0, 2.0], [1.0, 2.1])[0]
    with pytest.raises(ValueError):
        _compare([1.0, 2.0], [1.0])  # a horizon missing on one side is not agreement


def test_sweep_rows_report_the_scaling_and_the_cluster_overhead():
    from mobility.bench import _sweep_rows

    rows = dict((m, t) for m, t, _ in _sweep_rows({
        "0": {"status": "ok", "runs_per_s": 40.0}, "1": {"status": "ok", "runs_per_s": 30.0},
        "2": {"status": "ok", "runs_per_s": 57.0},
        "overhead": {"status": "ok", "cluster_up_s": 0.7, "workers_ready_s": 3.1,
                     "ms_per_task": 2.0, "close_s": 0.3}}))
    assert rows["sweep scaling, 2 workers / 1"] == "1.90x"
    assert rows["sweep, LocalCluster of 2 / this process (steady state)"] == "1.43x"
    assert any(m.startswith("LocalCluster: up") for m in rows)


def test_the_country_mesh_covers_the_country_and_joins_its_curated_nodes():
    from mobility.network import graph_from_tables, read_network_tables
    from mobility.osm.build import CountryLocator
    from mobility.synthetic import country_mesh

    curated = read_network_tables(None)
    tables = country_mesh(curated, "LT", spacing_km=20.0)
    mesh = [n for n in tables.nodes.values() if n.id.startswith("mesh-")]
    assert 100 < len(mesh) < 250  # Lithuania is about 65,000 km², 400 km² a point
    locate = CountryLocator()
    assert all(locate(n.lon, n.lat, n.id) == "LT" for n in mesh)
    graph = graph_from_tables(tables)
    roads = [(u, v) for u, v, d in graph.edges(data=True) if str(d["edge_id"]).startswith("mesh-")]
    assert all(graph.has_edge(v, u) for u, v in roads), "two-way roads"
    lengths = [d["length_km"] for u, v, d in graph.edges(data=True)
               if u.startswith("mesh-") and v.startswith("mesh-")]
    # east-west spacing is 20 km at the middle latitude, a few per cent off north and south
    assert all(abs(km / 20.0 - 1) < 0.05 for km in lengths) and lengths
    for node in curated.nodes.values():  # every curated Lithuanian node is on the mesh
        if node.country == "LT" and not node.hostile:
            assert any(v.startswith("mesh-") for v in graph.successors(node.id)), node.id
    assert set(curated.edges) < set(tables.edges) and len(curated.nodes) + len(mesh) == len(
        tables.nodes)


def test_the_country_scale_closure_runs_and_a_later_cut_never_closes_more():
    from mobility.bench import _mesh_rows, _task_mesh_closure

    measured = _task_mesh_closure({"spacing_km": 40.0, "detail": False})
    base, cut = measured["baseline"], measured["suwalki_cut_day_12"]
    assert measured["nodes"] > 130 and set(base["troops_by_day"]) == {"10", "30", "180"}
    for day, troops in cut["troops_by_day"].items():
        assert troops <= base["troops_by_day"][day] * (1 + 1e-6) + 1e-6, day
    assert cut["troops_by_day"]["30"] < base["troops_by_day"]["30"]
    rows = _mesh_rows({**measured, "status": "ok", "peak_rss_mb": 900.0})
    assert rows[0][0].startswith("closure with bound and marginal re-solves, baseline, "
                                 "synthetic road mesh over Lithuania (")
    assert "peak 900 MB" in rows[1][1] and rows[1][2] == "≤ 60 s, < 8 GB"
