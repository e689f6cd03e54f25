"""Property-based tests: the network loader and the flow solvers on random small inputs.

Loader: random valid node/edge tables round-trip through :func:`mobility.load_network`;
one random invalid value is rejected with :class:`NetworkDataError` naming its field.
Solvers: on random small single-commodity problems with integer capacities and integer
transit times, the static flow behind the earliest-arrival curve conserves flow and respects
capacities, the curve is monotone, and the exact method (Ford & Fulkerson 1958) agrees with
the time-expanded network at 1 h steps.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility import load_network
from mobility._errors import NetworkDataError
from mobility.flows import FlowProblem, earliest_arrival_curve, time_expanded_flow
from mobility.schema import EDGE_COLUMNS, NODE_COLUMNS

SETTINGS = settings(deadline=None, max_examples=50,
                    suppress_health_check=[HealthCheck.too_slow])

COUNTRIES = ("PL", "LT", "LV", "EE", "DE")
PASS_THROUGH_KINDS = ("city", "junction", "border_crossing")  # need no transfer capacity
ids = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
                min_size=1, max_size=20).map(str.strip).filter(bool)


@st.composite
def network_tables(draw) -> tuple[pd.DataFrame, pd.DataFrame]:
    node_ids = draw(st.lists(ids, min_size=2, max_size=6, unique=True))
    nodes = pd.DataFrame({
        "id": node_ids,
        "name": [draw(names) for _ in node_ids],
        "country": [draw(st.sampled_from(COUNTRIES)) for _ in node_ids],
        "kind": [draw(st.sampled_from(PASS_THROUGH_KINDS)) for _ in node_ids],
        "lon": [round(draw(st.floats(14, 28)), 5) for _ in node_ids],
        "lat": [round(draw(st.floats(50, 59)), 5) for _ in node_ids],
        "source": "hypothesis",
    })
    n_edges = draw(st.integers(1, 8))
    rows = []
    for i in range(n_edges):
        u, v = draw(st.lists(st.sampled_from(node_ids), min_size=2, max_size=2, unique=True))
        rows.append({
            "id": f"road-{i}", "u": u, "v": v, "mode": "road", "name": draw(names),
            "length_km": round(draw(st.floats(0.5, 900)), 3),
            "speed_kph": round(draw(st.floats(5, 130)), 3),
            "capacity_per_day": draw(st.integers(1, 20_000)), "source": "hypothesis",
        })
    return nodes, pd.DataFrame(rows)


def _write(folder: Path, nodes: pd.DataFrame, edges: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nodes.reindex(columns=NODE_COLUMNS).to_csv(folder / "nodes.csv", index=False)
    edges.reindex(columns=EDGE_COLUMNS).to_csv(folder / "edges.csv", index=False)
    return folder


@SETTINGS
@given(network_tables())
def test_random_valid_tables_round_trip_through_the_loader(tables):
    nodes, edges = tables
    with tempfile.TemporaryDirectory() as tmp:
        graph = load_network(_write(Path(tmp) / "net", nodes, edges))
    assert sorted(graph.nodes) == sorted(nodes["id"])
    for row in nodes.itertuples():
        data = graph.nodes[row.id]
        assert (data["name"], data["country"], str(data["kind"])) == (row.name, row.country,
                                                                      row.kind)
        assert (data["x"], data["y"]) == pytest.approx((row.lon, row.lat))
    assert graph.number_of_edges() == 2 * len(edges)  # one directed edge each way
    for row in edges.itertuples():
        for u, v in ((row.u, row.v), (row.v, row.u)):
            data = graph.edges[u, v, row.id]
            assert data["capacity_per_day"] == row.capacity_per_day
            assert data["speed_kph"] == pytest.approx(row.speed_kph)
            assert data["length_km"] == pytest.approx(row.length_km)
            assert data["transit_h"] == pytest.approx(row.length_km / row.speed_kph)


INVALID = st.one_of(
    st.tuples(st.just(("edges", "speed_kph")),
              st.sampled_from(["0", "-3", "fast", "1e9", "nan", "inf"])),
    st.tuples(st.just(("edges", "capacity_per_day")),
              st.one_of(st.integers(-10**6, 0).map(str), st.sampled_from(["lots", "2e30"]))),
    st.tuples(st.just(("edges", "length_km")), st.sampled_from(["-1", "0", "1e12", "far"])),
    st.tuples(st.just(("edges", "mode")), st.sampled_from(["ferry", "transfer", "Road"])),
    st.tuples(st.just(("edges", "u")), st.just("not-a-node-anywhere")),
    st.tuples(st.just(("nodes", "lat")),
              st.one_of(st.floats(90.001, 1e9).map(repr), st.floats(-1e9, -90.001).map(repr))),
    st.tuples(st.just(("nodes", "lon")), st.floats(180.001, 1e12).map(repr)),
    st.tuples(st.just(("nodes", "country")), st.sampled_from(["lt", "LTU", "L", "12"])),
    st.tuples(st.just(("nodes", "kind")), st.sampled_from(["bridge", "harbour", "CITY"])),
    st.tuples(st.just(("nodes", "id")), st.sampled_from(["Kaunas", "kaunas city", "-x", "ą"])),
)


@SETTINGS
@given(network_tables(), INVALID, st.data())
def test_random_invalid_values_are_rejected_naming_the_field(tables, invalid, data):
    nodes, edges = (frame.astype(str) for frame in tables)
    (table, column), value = invalid
    frame = nodes if table == "nodes" else edges
    row = data.draw(st.integers(0, len(frame) - 1))
    frame.loc[row, column] = value
    with tempfile.TemporaryDirectory() as tmp, pytest.raises(NetworkDataError) as caught:
        load_network(_write(Path(tmp) / "net", nodes, edges))
    message = str(caught.value)
    assert f"{table}.csv" in message
    # the field, or the bad value with what is valid (e.g. mode 'transfer' is generated …)
    assert f"'{column}'" in message or f"'{value}'" in message or "is not a node id" in message


# --- solvers ------------------------------------------------------------------------------


@st.composite
def flow_problems(draw) -> FlowProblem:
    n = draw(st.integers(3, 7))
    n_arcs = draw(st.integers(2, 14))
    tails, heads = [], []
    for _ in range(n_arcs):
        u = draw(st.integers(0, n - 2))  # nothing leaves the sink (n - 1)
        v = draw(st.integers(1, n - 1).filter(lambda x, u=u: x != u))  # nothing enters 0
        tails.append(u)
        heads.append(v)
    return FlowProblem(
        n_nodes=n, tail=np.array(tails), head=np.array(heads),
        capacity_per_h=np.array([draw(st.integers(1, 10)) for _ in range(n_arcs)], float),
        transit_h=np.array([draw(st.integers(0, 5)) for _ in range(n_arcs)], float),
        source=0, sink=n - 1,
    )


@SETTINGS
@given(flow_problems(), st.integers(1, 16))
def test_exact_curve_is_monotone_conserves_flow_and_respects_capacities(problem, horizon_h):
    curve = earliest_arrival_curve(problem, float(horizon_h), time_resolution_h=1.0)
    hours = np.linspace(0, horizon_h, 4 * horizon_h + 1)
    arrived = np.asarray(curve.arrivals(hours))
    assert np.all(np.diff(arrived) >= -1e-9)
    assert arrived[0] == pytest.approx(0.0, abs=1e-9)
    for t in (horizon_h / 2, float(horizon_h)):
        flow = curve.static_flow(t)
        assert np.all(flow >= -1e-9)
        assert np.all(flow <= problem.capacity_per_h + 1e-9)
        net = np.zeros(problem.n_nodes)
        np.add.at(net, problem.tail, -flow)
        np.add.at(net, problem.head, flow)
        inner = [v for v in range(problem.n_nodes) if v not in (problem.source, problem.sink)]
        assert np.allclose(net[inner], 0.0, atol=1e-7)
        assert net[problem.sink] == pytest.approx(-net[problem.source], abs=1e-7)


@SETTINGS
@given(flow_problems(), st.integers(1, 16))
def test_exact_and_time_expanded_methods_agree_on_integer_transit_times(problem, horizon_h):
    curve = earliest_arrival_curve(problem, float(horizon_h), time_resolution_h=1.0)
    expanded = time_expanded_flow(problem, float(horizon_h), 1.0)
    assert expanded.value == pytest.approx(float(curve.arrivals(float(horizon_h))),
                                           rel=1e-6, abs=1e-6)
    per_step = problem.capacity_per_h[:, None] * expanded.step_h
    assert np.all(expanded.arc_flow <= per_step + 1e-9)
    assert np.all(expanded.arc_flow >= -1e-9)
