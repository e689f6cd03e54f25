"""Time-expanded baseline, multi-commodity LP and chain contraction on hand-built graphs."""

from __future__ import annotations

import numpy as np
import pytest

from mobility.flows import (
    ArcCapacityChange,
    Commodity,
    FlowProblem,
    contract_chains,
    earliest_arrival_curve,
    time_expanded_flow,
    time_expanded_lp,
    time_expanded_max_flow,
    time_expanded_size,
)


def make(n, arcs, source=0, sink=None):
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


def random_problem(seed, n=6, p_arc=0.45, transit=lambda rng: int(rng.integers(0, 5))):
    rng = np.random.default_rng(seed)
    arcs = [(0, 1, 3, 1)]
    for u in range(n):
        for v in range(n):
            if u != v and v != 0 and u != n - 1 and rng.random() < p_arc:
                arcs.append((u, v, int(rng.integers(1, 6)), transit(rng)))
    return make(n, arcs)


# s=0, a=1, b=2, t=3: the reverse-arc example, arrivals(T) = (T-3)^+ + (T-5)^+.
CLASSIC = make(4, [(0, 1, 1, 1), (0, 2, 1, 3), (1, 2, 1, 1), (1, 3, 1, 3), (2, 3, 1, 1)])


def test_size_estimate_counts_copies():
    # 3 steps; arc lags 2 and 3 -> 1 and 0 copies; 3 nodes x 2 holdover steps = 6.
    p = make(3, [(0, 1, 1, 2), (1, 2, 1, 3)])
    size = time_expanded_size(p, 3, 1)
    assert (size.n_steps, size.n_nodes, size.n_arcs) == (3, 9, 1 + 0 + 6)
    assert size.approx_bytes > 0


def test_time_expanded_flow_respects_capacity_per_step():
    flow = time_expanded_flow(CLASSIC, 9, 1)
    assert flow.value == pytest.approx(6 + 4)  # (9-3) + (9-5)
    assert flow.arc_flow.shape == (5, 9)
    assert np.all(flow.arc_flow <= CLASSIC.capacity_per_h[:, None] + 1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_coarse_steps_within_discretisation_bound(seed):
    # Fractional transit times, 0.5 h steps: each arc is delayed by < one step, so for
    # T multiple of the step: exact(T - k*step) <= discrete(T) <= exact(T), k = arcs per
    # path <= n_nodes - 1.
    p = random_problem(seed, transit=lambda rng: float(rng.uniform(0, 3)))
    curve = earliest_arrival_curve(p, 12)
    k = p.n_nodes - 1
    for horizon in (3.0, 6.5, 12.0):
        discrete = time_expanded_max_flow(p, horizon, 0.5)
        assert discrete <= curve.arrivals(horizon) + 1e-6
        assert discrete >= curve.arrivals(max(0.0, horizon - k * 0.5)) - 1e-6


@pytest.mark.parametrize("seed", range(5))
def test_lp_single_commodity_equals_exact_curve(seed):
    # Integer transit and 1 h steps: the LP's cumulative arrivals equal the exact
    # earliest-arrival curve at every step end (the 'cumulative' objective yields an
    # earliest-arrival flow).
    p = random_problem(seed)
    horizon = 10
    curve = earliest_arrival_curve(p, horizon)
    res = time_expanded_lp(p, horizon, 1.0)
    assert res.status == "OPTIMAL"
    np.testing.assert_allclose(
        res.total_arrivals, curve.arrivals(res.step_end_h), rtol=1e-7, atol=1e-6
    )
    assert res.n_rows > 0 and res.n_cols > 0


def test_lp_coarse_step_bounds():
    p = random_problem(3, transit=lambda rng: float(rng.uniform(0, 3)))
    curve = earliest_arrival_curve(p, 12)
    res = time_expanded_lp(p, 12, 2.0)
    k = p.n_nodes - 1
    exact_hi = curve.arrivals(res.step_end_h)
    exact_lo = curve.arrivals(np.maximum(0.0, res.step_end_h - k * 2.0))
    assert np.all(res.total_arrivals <= exact_hi + 1e-6)
    assert np.all(res.total_arrivals >= exact_lo - 1e-6)


def test_lp_shadow_price_of_bottleneck():
    # s -5/h,1h-> a -3/h,2h-> t, T = 10, 'final' weights: 3 * (10 - 3) = 21 arrive. One more
    # unit/h on a->t adds one unit in each of the 7 steps it can be entered (1..7): dual 7.
    p = make(3, [(0, 1, 5, 1), (1, 2, 3, 2)])
    res = time_expanded_lp(p, 10, 1, weights="final")
    assert res.total_arrivals[-1] == pytest.approx(21)
    np.testing.assert_allclose(res.capacity_dual, [0, 7], atol=1e-9)


def test_lp_multi_commodity_shared_capacity_and_restrictions():
    # s=0 -> a=1 (10/h, 1h); a -> t=3 (4/h, 1h); a -> b=2 (10/h, 1h); b -> t (10/h, 1h).
    # 'heavy' may not use a->b and takes 2 units of capacity per troop on a->t.
    p = make(4, [(0, 1, 10, 1), (1, 3, 4, 1), (1, 2, 10, 1), (2, 3, 10, 1)])
    allowed_heavy = np.array([True, True, False, True])
    heavy = Commodity(
        "heavy", np.full(4, np.inf), allowed_heavy, np.array([1.0, 2.0, 1.0, 1.0]), 6.0
    )
    light = Commodity("light", np.array([5.0]), np.ones(4, dtype=bool))  # per source arc
    res = time_expanded_lp(p, 8, 1, commodities=[heavy, light])
    assert res.commodity_names == ("heavy", "light")
    units = np.stack([heavy.units_per_troop, np.ones(4)])
    used = np.einsum("ce,cek->ek", units, res.arc_flow_by_commodity)
    assert np.all(used <= p.capacity_per_h[:, None] * 1.0 + 1e-7)
    assert np.all(res.arc_flow_by_commodity[0, 2] == 0)  # heavy never on a->b
    assert np.all(res.arc_flow_by_commodity[1, 0] <= 5 + 1e-9)  # light supply limit
    assert res.cumulative_arrivals[0, -1] == pytest.approx(6)  # heavy total supply
    np.testing.assert_allclose(res.arc_flow, res.arc_flow_by_commodity.sum(axis=0))
    assert np.all(np.diff(res.cumulative_arrivals, axis=1) >= -1e-9)


def test_capacity_change_closes_arc():
    # Single path s -2/h,1h-> t... plus a slower detour; close the direct arc at t = 5 h.
    p = make(3, [(0, 2, 2, 1), (0, 1, 1, 1), (1, 2, 1, 3)])
    closed = time_expanded_lp(p, 12, 1, capacity_changes=[ArcCapacityChange(0, 5.0, 0.0)])
    open_ = time_expanded_lp(p, 12, 1)
    assert np.all(closed.arc_flow[0, 5:] <= 1e-9)
    assert closed.arc_flow[0, :4].sum() > 0
    assert closed.total_arrivals[-1] < open_.total_arrivals[-1]
    # Halving from 2.5 h: the step [2, 3) keeps the time average 2 * (0.5 + 0.5 * 0.5) = 1.5.
    halved = time_expanded_lp(p, 12, 1, capacity_changes=[ArcCapacityChange(0, 2.5, 0.5)])
    assert halved.arc_flow[0, 2] <= 1.5 + 1e-9
    assert np.all(halved.arc_flow[0, 3:] <= 1.0 + 1e-9)


def test_lp_rejects_bad_options():
    with pytest.raises(ValueError, match="solver"):
        time_expanded_lp(CLASSIC, 5, 1, solver="CPLEX")
    with pytest.raises(ValueError, match="weights"):
        time_expanded_lp(CLASSIC, 5, 1, weights="latest")


def test_pdlp_close_to_glop():
    res = time_expanded_lp(CLASSIC, 9, 1, solver="PDLP")
    np.testing.assert_allclose(res.total_arrivals[-1], 10, rtol=1e-4)


def test_no_holdover_still_exact_single_commodity():
    holdover = np.zeros(CLASSIC.n_nodes, dtype=bool)
    res = time_expanded_lp(CLASSIC, 9, 1, holdover_nodes=holdover)
    assert res.total_arrivals[-1] == pytest.approx(10)


def test_contract_one_way_chain():
    # s -> a -> b -> t with capacities 5, 3, 4 and transits 1, 2, 3: one arc 3/h, 6 h.
    p = make(4, [(0, 1, 5, 1), (1, 2, 3, 2), (2, 3, 4, 3)])
    c = contract_chains(p)
    assert c.problem.n_arcs == 1 and c.problem.n_nodes == 2
    assert c.problem.capacity_per_h[0] == 3 and c.problem.transit_h[0] == 6
    np.testing.assert_array_equal(c.member_arcs, [0, 1, 2])
    np.testing.assert_allclose(c.member_offset_h, [0, 1, 3])
    np.testing.assert_allclose(c.expand_arc_values(np.array([2.0])), [2, 2, 2])
    kept = contract_chains(p, keep=np.array([False, False, True, False]))
    assert kept.problem.n_nodes == 3 and kept.problem.n_arcs == 2


def test_contract_two_way_chain_preserves_curve():
    # s -> a, a <-> b <-> c two-way road, c -> t; plus a parallel route s -> d -> t.
    arcs = [
        (0, 1, 4, 1),
        (1, 2, 3, 0.5),
        (2, 1, 3, 0.5),
        (2, 3, 2, 1.5),
        (3, 2, 2, 1.5),
        (3, 5, 4, 1),
        (0, 4, 1, 2),
        (4, 5, 1, 2),
    ]
    p = make(6, arcs)
    c = contract_chains(p)
    assert c.problem.n_arcs < p.n_arcs
    assert c.node_of[2] == -1  # b is a pass-through node on the two-way chain
    for t in (5.0, 10.0, 20.0):
        assert earliest_arrival_curve(c.problem, 20).arrivals(t) == pytest.approx(
            earliest_arrival_curve(p, 20).arrivals(t)
        )
    # Every original arc maps to a contracted arc with the same direction of travel.
    np.testing.assert_array_equal(np.sort(c.member_arcs), np.arange(p.n_arcs))
