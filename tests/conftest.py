"""Shared fixtures: a small hand-built Baltic graph and a closure result on it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from shapely.geometry import LineString

from mobility.result import Bottleneck, ClosureResult, TargetOutcome

#: A node name that would run a script if any map, report or tooltip failed to escape it.
INJECTED_NAME = "<img src=x onerror=alert(1)>"


def installed_mobility() -> str:
    """The installed ``mobility`` console script (beside this interpreter, else on PATH):
    the command-line tests run the command a user runs; missing it is a failure."""
    beside = Path(sys.executable).parent / "mobility"
    found = str(beside) if beside.is_file() else shutil.which("mobility")
    assert found, "the mobility console script is not installed (pip install -e .)"
    return found

_NODES = [
    # id, name, country, kind, lon, lat, gauge, transfer capacity/day, dwell h
    ("warszawa", "Warszawa Praga", "PL", "origin", 21.05, 52.25, "1435", 20.0, 6.0),
    ("trakiszki", "Trakiszki", "PL", "border_crossing", 23.27, 54.24, None, None, None),
    ("mockava", "Mockava", "LT", "gauge_transfer", 23.32, 54.22, "dual", 4.0, 12.0),
    ("sestokai", "Šeštokai", "LT", "gauge_transfer", 23.45, 54.36, "dual", 6.0, 8.0),
    ("kaunas", "Kaunas", "LT", "city", 23.90, 54.90, None, None, None),
    ("rukla", "Rukla", "LT", "base", 24.38, 55.03, "1520", None, None),
    ("budzisko", "Budzisko", "PL", "border_crossing", 23.36, 54.31, None, None, None),
    ("marijampole", "Marijampolė", "LT", "city", 23.35, 54.56, None, None, None),
    ("injected", INJECTED_NAME, "LT", "junction", 24.36, 55.73, None, None, None),
    ("mukran", "Mukran", "DE", "port", 13.63, 54.50, None, 4.0, 12.0),
    ("klaipeda", "Klaipėda", "LT", "port", 21.13, 55.71, None, 6.0, 12.0),
]

_EDGES = [
    # id, u, v, mode, name, km, kph, capacity/day, unit, gauge, corridors, phase, via (lon, lat)
    ("rail-warszawa-mockava", "warszawa", "mockava", "rail", "E75 Rail Baltica PL", 330, 60,
     12, "train", "1435", ("rail_baltica",), None, [(22.9, 53.9)]),
    ("rail-mockava-sestokai", "mockava", "sestokai", "rail", "Mockava-Šeštokai", 20, 40, 10,
     "train", "dual", (), None, []),
    ("rail-sestokai-kaunas", "sestokai", "kaunas", "rail", "Šeštokai-Kaunas", 95, 60, 20,
     "train", "1520", (), None, [(23.6, 54.7)]),
    ("rail-kaunas-rukla", "kaunas", "rukla", "rail", "Kaunas-Rukla", 40, 60, 20, "train",
     "1520", (), None, []),
    ("rb-kaunas-panevezys", "kaunas", "injected", "rail", "Rail Baltica Kaunas-Panevėžys", 100,
     120, 30, "train", "1435", ("rail_baltica",), "rb-2030", []),
    ("road-warszawa-budzisko", "warszawa", "budzisko", "road", "S61 Via Baltica", 300, 60, 3000,
     "vehicle", None, ("via_baltica",), None, [(22.5, 53.4)]),
    ("road-budzisko-marijampole", "budzisko", "marijampole", "road", "Via Baltica (Suwałki)",
     30, 50, 2500, "vehicle", None, ("suwalki", "via_baltica"), None, []),
    ("road-marijampole-kaunas", "marijampole", "kaunas", "road", "A5", 55, 60, 3000, "vehicle",
     None, (), None, []),
    ("road-kaunas-rukla", "kaunas", "rukla", "road", "A1", 45, 60, 3000, "vehicle", None, (),
     None, []),
    ("sea-mukran-klaipeda", "mukran", "klaipeda", "sea", "Mukran-Klaipėda ferry", 500, 30, 2,
     "sailing", None, (), None, []),
]


@pytest.fixture
def maps_graph() -> nx.MultiDiGraph:
    """Eleven nodes around the Suwałki gap with 1435, 1520, dual, phased, road and sea edges."""
    graph = nx.MultiDiGraph(crs="EPSG:4326", name="maps-test", phases=("rb-2030",))
    for node_id, name, country, kind, lon, lat, gauge, capacity, dwell in _NODES:
        graph.add_node(node_id, x=lon, y=lat, name=name, country=country, kind=kind,
                       gauge=gauge, transfer_capacity_per_day=capacity,
                       transfer_dwell_h=dwell, source="test fixture")
    for (edge_id, u, v, mode, name, km, kph, capacity, unit, gauge, corridors, phase,
         via) in _EDGES:
        points = [(graph.nodes[u]["x"], graph.nodes[u]["y"]), *via,
                  (graph.nodes[v]["x"], graph.nodes[v]["y"])]
        line = LineString(points)
        common = dict(edge_id=edge_id, mode=mode, name=name, length_km=km, speed_kph=kph,
                      capacity_per_day=capacity, unit=unit, gauge=gauge, corridors=corridors,
                      phase=phase, source="test fixture")
        graph.add_edge(u, v, key=edge_id, geometry=line, direction="forward", **common)
        graph.add_edge(v, u, key=edge_id, geometry=LineString(line.coords[::-1]),
                       direction="reverse", **common)
    return graph


@pytest.fixture
def maps_result() -> ClosureResult:
    """A 12-day closure on :func:`maps_graph`: rail and road flows growing, one destination."""
    horizon_days = 12
    days = [step / 4 for step in range(horizon_days * 4 + 1)]
    curve = pd.DataFrame({"day": days, "troops": [max(0.0, 1500.0 * (d - 1.5)) for d in days]})
    flows = []
    for day in range(1, horizon_days + 1):
        ramp = min(1.0, day / 6)
        for edge_id, u, v, mode, unit, per_unit, capacity_units in (
            ("rail-warszawa-mockava", "warszawa", "mockava", "rail", "train", 100.0, 12.0),
            ("rail-mockava-sestokai", "mockava", "sestokai", "rail", "train", 100.0, 10.0),
            ("rail-sestokai-kaunas", "sestokai", "kaunas", "rail", "train", 100.0, 20.0),
            ("rail-kaunas-rukla", "kaunas", "rukla", "rail", "train", 100.0, 20.0),
            ("road-budzisko-marijampole", "budzisko", "marijampole", "road", "vehicle", 4.0,
             2500.0),
        ):
            units = capacity_units * ramp * (0.95 if mode == "rail" else 0.1)
            if day < 2 and mode == "road":
                continue  # no road flow on day 1: the slider must hide and show lines
            flows.append({
                "edge_id": edge_id, "u": u, "v": v, "mode": mode, "day": day,
                "flow_troops_per_day": units * per_unit,
                "capacity_troops_per_day": capacity_units * per_unit,
                "utilisation": units / capacity_units, "flow_units_per_day": units,
                "capacity_units_per_day": capacity_units, "unit": unit,
            })
    # trains through the gauge transfers: Mockava (4 a day) from day 1, Šeštokai from day 3
    transfers = pd.DataFrame([
        {"node": node, "day": day, "flow_troops_per_day": 100.0 * units,
         "flow_units_per_day": units, "capacity_units_per_day": capacity,
         "utilisation": units / capacity, "unit": "train"}
        for node, capacity, start in (("mockava", 4.0, 1), ("sestokai", 6.0, 3))
        for day in range(start, horizon_days + 1)
        for units in [round(capacity * min(1.0, day / 6) * 0.95, 2)]
    ])
    arrivals = pd.DataFrame([
        {"node": "rukla", "name": "Rukla", "day": day,
         "troops": max(0.0, 1500.0 * (day - 1.5))}
        for day in range(1, horizon_days + 1)
    ])
    return ClosureResult(
        scenario="maps-test",
        description=f"Map test scenario {INJECTED_NAME}",
        method="exact",
        targets_reading="custom",
        horizon_days=float(horizon_days),
        curve=curve,
        targets=[
            TargetOutcome(troops=3000, deadline_day=5, reached_day=3.5,
                          troops_at_deadline=5250, shortfall=0),
            TargetOutcome(troops=20000, deadline_day=10, reached_day=None,
                          troops_at_deadline=12750, shortfall=7250),
        ],
        troops_by_day={5: 5250.0, 10: 12750.0},
        bottlenecks=[
            Bottleneck(name="Mockava gauge transfer", kind="gauge_transfer",
                       element_id="mockava", utilisation=0.95, capacity_per_day=4,
                       unit="train", from_day=2.0, in_min_cut=True),
            Bottleneck(name=f"Dual-gauge line {INJECTED_NAME}", kind="rail",
                       element_id="rail-mockava-sestokai", utilisation=0.95,
                       capacity_per_day=10, unit="train", from_day=3.0, in_min_cut=False),
        ],
        edge_flows=pd.DataFrame(flows),
        node_arrivals=arrivals,
        transfer_use=transfers,
        mode_split={"rail": 0.8, "road": 0.2},
        notes=["Test note."],
    )
