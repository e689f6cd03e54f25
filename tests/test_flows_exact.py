"""Exact earliest-arrival curve: hand-worked small graphs, invariants, independent checks."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from mobility.flows import (
    FlowProblem,
    earliest_arrival_curve,
    max_flow_over_time,
    max_static_flow,
    min_cut,
    time_expanded_max_flow,
)


def make(n, arcs, source=0, sink=None):
    """arcs: list of (tail, head, capacity_per_h, transit_h)."""
    t, h, c, tau = zip(*arcs, strict=True)
    return FlowProblem(
        n_nodes=n,
        tail=np.array(t, dtype=np.int64),
        head=np.array(h, dtype=np.int64),
        capacity_per_h=np.array(c, dtype=float),
        transit_h=np.array(tau, dtype=float),
        source=source,
        sink=n - 1 if sink is None else sink,
    )


def random_problem(seed, n=6, p_arc=0.45, max_transit=4):
    rng = np.random.default_rng(seed)
    arcs = []
    for u in range(n):
        for v in range(n):
            if u != v and v != 0 and u != n - 1 and rng.random() < p_arc:
                arcs.append((u, v, int(rng.integers(1, 6)), int(rng.integers(0, max_transit + 1))))
    arcs.append((0, 1, 3, 1))  # never empty
    arcs = list({(a[0], a[1]): a for a in arcs}.values())  # no parallel arcs (networkx)
    return make(n, arcs)


# The classic example where the second successive-shortest path uses a reverse arc:
#   s=0, a=1, b=2, t=3, all capacities 1
#   s->a 1h, s->b 3h, a->b 1h, a->t 3h, b->t 1h
# Phase 1: s-a-b-t, length 3. Phase 2: s-b-(b->a reversed, -1h)-a-t, length 3-1+3 = 5.
# So arrivals(T) = (T-3)^+ + (T-5)^+ ; e.g. arrivals(4) = 1, arrivals(10) = 7 + 5 = 12.
# The final static flow uses s-a-t and s-b-t (both 4 h): the sum of *their* path curves,
# 2 (T-4)^+, would give 2 at T = 5 instead of the true 2: equal there, but 0 instead of 1 at
# T = 4 and 12 at T = 10 vs 12: the curve is not the sum of the final flow's path curves.
CLASSIC = make(4, [(0, 1, 1, 1), (0, 2, 1, 3), (1, 2, 1, 1), (1, 3, 1, 3), (2, 3, 1, 1)])


def check_invariants(problem, curve):
    bp, rates = curve.breakpoints_h, curve.rates_per_h
    assert np.all(np.diff(bp) > 0)
    assert np.all(np.diff(rates) > 0)  # convex: slopes strictly increase at breakpoints
    assert np.all(rates > 0)
    times = np.linspace(0, curve.horizon_h, 97)
    arr = curve.arrivals(times)
    assert np.all(np.diff(arr) >= -1e-9)
    assert arr[0] == 0.0 or bp[0] == 0.0
    if rates.size:
        assert rates[-1] <= curve.max_static_flow_per_h + 1e-9
    for t in times[1:]:
        x = curve.static_flow(t)
        assert np.all(x >= -1e-12)
        assert np.all(x <= problem.capacity_per_h + 1e-9)
        net = np.zeros(problem.n_nodes)
        np.add.at(net, problem.tail, -x)
        np.add.at(net, problem.head, x)
        inner = np.ones(problem.n_nodes, dtype=bool)
        inner[[problem.source, problem.sink]] = False
        np.testing.assert_allclose(net[inner], 0.0, atol=1e-9)
        k = np.searchsorted(bp, t, side="left") - 1
        expected_rate = rates[k] if k >= 0 else 0.0
        assert net[problem.sink] == pytest.approx(expected_rate)  # flow value = slope
        first = curve.first_use_h(t)
        assert np.array_equal(np.isnan(first), x <= 0)
        assert np.all(first[x > 0] >= 0)
        # Flow on an arc starts after flow reached its tail and arrives before the horizon
        # along the shortest flow-carrying path through it.
        assert np.all(first[x > 0] <= t)


def test_problem_validation():
    with pytest.raises(ValueError, match="source and sink must differ"):
        make(2, [(0, 1, 1, 1)], source=1, sink=1)
    with pytest.raises(ValueError, match="capacity_per_h"):
        make(2, [(0, 1, 0, 1)])
    with pytest.raises(ValueError, match="transit_h"):
        make(2, [(0, 1, 1, -1)])
    with pytest.raises(ValueError, match="not a node"):
        make(2, [(0, 2, 1, 1)])


def test_single_path():
    # s -3/h, 2h-> a -5/h, 3h-> t: rate min(3,5) = 3, length 5: arrivals(T) = 3 (T-5)^+.
    p = make(3, [(0, 1, 3, 2), (1, 2, 5, 3)])
    c = earliest_arrival_curve(p, 20)
    np.testing.assert_allclose(c.breakpoints_h, [5])
    np.testing.assert_allclose(c.rates_per_h, [3])
    t = np.array([0, 4.5, 5, 6, 12.25, 20])
    np.testing.assert_allclose(c.arrivals(t), 3 * np.maximum(0, t - 5))
    np.testing.assert_allclose(c.static_flow(10), [3, 3])
    np.testing.assert_allclose(c.static_flow(5), [0, 0])  # nothing arrives by 5
    np.testing.assert_allclose(c.first_use_h(10), [0, 2])
    assert c.time_to_deliver_h(9) == pytest.approx(8)
    assert math.isnan(c.time_to_deliver_h(1000))
    assert max_flow_over_time(p, 20) == pytest.approx(45)
    with pytest.raises(ValueError, match="horizon"):
        c.arrivals(21)


def test_two_parallel_paths():
    # Direct s->t: 1/h, 2h. Via a: s->a 2/h 1h, a->t 2/h 4h (length 5).
    # arrivals(T) = (T-2)^+ + 2 (T-5)^+.
    p = make(3, [(0, 2, 1, 2), (0, 1, 2, 1), (1, 2, 2, 4)])
    c = earliest_arrival_curve(p, 30)
    np.testing.assert_allclose(c.breakpoints_h, [2, 5])
    np.testing.assert_allclose(c.rates_per_h, [1, 3])
    t = np.linspace(0, 30, 61)
    np.testing.assert_allclose(
        c.arrivals(t), np.maximum(0, t - 2) + 2 * np.maximum(0, t - 5), atol=1e-9
    )
    check_invariants(p, c)


def test_classic_reverse_arc_example():
    c = earliest_arrival_curve(CLASSIC, 12)
    np.testing.assert_allclose(c.breakpoints_h, [3, 5])
    np.testing.assert_allclose(c.rates_per_h, [1, 2])
    assert c.arrivals(4.0) == pytest.approx(1)
    assert c.arrivals(10.0) == pytest.approx(12)
    # Before 5 the flow uses s-a-b-t; after, s-a-t and s-b-t (a->b is emptied).
    np.testing.assert_allclose(c.static_flow(4), [1, 0, 1, 0, 1])
    np.testing.assert_allclose(c.static_flow(10), [1, 1, 0, 1, 1])
    np.testing.assert_allclose(c.first_use_h(10), [0, 0, np.nan, 1, 3])
    check_invariants(CLASSIC, c)


def test_zero_transit():
    # All transit 0: arrivals(T) = max static flow * T from T = 0.
    p = make(4, [(0, 1, 2, 0), (0, 2, 3, 0), (1, 3, 5, 0), (2, 3, 1, 0), (1, 2, 4, 0)])
    c = earliest_arrival_curve(p, 10)
    np.testing.assert_allclose(c.breakpoints_h, [0])
    np.testing.assert_allclose(c.rates_per_h, [3])
    assert c.arrivals(7.0) == pytest.approx(21)
    check_invariants(p, c)


def test_unreachable_sink():
    p = make(3, [(0, 1, 2, 1), (2, 1, 2, 1)])
    c = earliest_arrival_curve(p, 10)
    assert c.breakpoints_h.size == 0
    assert c.arrivals(10.0) == 0.0
    assert max_flow_over_time(p, 10) == 0.0
    assert not min_cut(p).any() or max_static_flow(p) == 0.0


@pytest.mark.parametrize("seed", range(12))
def test_random_invariants_and_time_expanded_agreement(seed):
    p = random_problem(seed)
    c = earliest_arrival_curve(p, 14)
    check_invariants(p, c)
    # Integer transit times: the discrete model with 1 h steps is exact at integer T.
    for horizon in (0, 3, 7, 14):
        assert time_expanded_max_flow(p, horizon, 1.0) == pytest.approx(
            c.arrivals(float(horizon)), abs=1e-9
        )
        assert max_flow_over_time(p, horizon) == pytest.approx(c.arrivals(float(horizon)))


def networkx_max_flow_over_time(problem, horizon):
    """V(T) = T*U - (min cost of sending U from s to t with a bypass of cost T), networkx."""
    g = nx.DiGraph()
    for e in range(problem.n_arcs):
        g.add_edge(
            int(problem.tail[e]),
            int(problem.head[e]),
            capacity=int(problem.capacity_per_h[e]),
            weight=int(problem.transit_h[e]),
        )
    big = int(problem.capacity_per_h.sum()) + 1
    g.add_edge(problem.source, "bypass", capacity=big, weight=int(horizon))
    g.add_edge("bypass", problem.sink, capacity=big, weight=0)
    g.nodes[problem.source]["demand"] = -big
    g.nodes[problem.sink]["demand"] = big
    return horizon * big - nx.min_cost_flow_cost(g)


@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_networkx(seed):
    p = random_problem(100 + seed, n=7)
    c = earliest_arrival_curve(p, 15)
    for horizon in (2, 5, 9, 15):
        assert c.arrivals(float(horizon)) == pytest.approx(networkx_max_flow_over_time(p, horizon))


@pytest.mark.parametrize("seed", range(8))
def test_min_cut(seed):
    p = random_problem(200 + seed)
    cut = min_cut(p)
    value = max_static_flow(p)
    assert p.capacity_per_h[cut].sum() == pytest.approx(value)
    g = nx.DiGraph()
    g.add_nodes_from(range(p.n_nodes))
    for e in np.flatnonzero(~cut):
        g.add_edge(int(p.tail[e]), int(p.head[e]))
    if value > 0:
        assert not nx.has_path(g, p.source, p.sink)
    gm = nx.DiGraph()
    for e in range(p.n_arcs):
        gm.add_edge(int(p.tail[e]), int(p.head[e]), capacity=float(p.capacity_per_h[e]))
    gm.add_nodes_from([p.source, p.sink])
    assert value == pytest.approx(nx.maximum_flow_value(gm, p.source, p.sink))
    c = earliest_arrival_curve(p, 1000)
    assert c.max_static_flow_per_h == pytest.approx(value)
    if value > 0:
        assert c.rates_per_h[-1] == pytest.approx(value)  # long horizon: full throughput


def test_tolerance_bound():
    p = random_problem(7, n=9, p_arc=0.5, max_transit=9)
    exact = earliest_arrival_curve(p, 40)
    loose = earliest_arrival_curve(p, 40, tolerance=2.0)
    assert loose.max_error <= 2.0
    t = np.linspace(0, 40, 401)
    gap = exact.arrivals(t) - loose.arrivals(t)
    assert np.all(gap >= -1e-9)
    assert np.all(gap <= loose.max_error + 1e-9)


def test_fractional_transit_is_attainable_lower_bound():
    # 0.01 h is not a multiple of one minute: the optimiser sees 0.6 min -> 1 min, but the
    # reported curve uses the true transit, so it is exact on this single path.
    p = make(3, [(0, 1, 2, 0.01), (1, 2, 2, 1.5)])
    c = earliest_arrival_curve(p, 10)
    assert c.arrivals(10.0) == pytest.approx(2 * (10 - 1.51))


@pytest.mark.parametrize("seed", range(20))
def test_dijkstra_distances_equal_the_label_correcting_rounds(seed):
    """The primal-dual phases' shortest paths (scipy Dijkstra on the cheapest arc of each node
    pair) equal the integer label-correcting rounds, with parallel arcs, zero-cost arcs,
    missing arcs (no residual capacity) and an unreachable sink among the cases."""
    from mobility.flows import earliest_arrival as ea

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    m = int(rng.integers(0, 4 * n))
    tail, head = rng.integers(0, n, m), rng.integers(0, n, m)
    graph = ea._ResidualCSR.of(tail, head, n)
    cost = rng.integers(0, 4, m)[graph.order]  # about a quarter of the arcs cost zero
    cost[rng.random(m) < 0.3] = ea._INF
    source, sink = 0, n - 1
    expected = ea._capped_distances_rounds(graph.indptr, graph.head, cost, n, source, sink)
    np.testing.assert_array_equal(ea._capped_distances(graph, cost, source, sink), expected)
