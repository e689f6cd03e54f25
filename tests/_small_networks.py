"""Small road networks written as CSV folders, with answers known by hand."""

from __future__ import annotations

from pathlib import Path

from mobility.network import load_network
from mobility.scenario import (
    BorderDelays,
    Destination,
    NetworkChoice,
    Origin,
    Scenario,
    Target,
    Targets,
)

NODE_HEADER = "id,name,country,kind,lon,lat,gauge,transfer_capacity_per_day,transfer_dwell_h,source"
EDGE_HEADER = ("id,u,v,mode,name,via,length_km,speed_kph,capacity_per_day,gauge,tracks,electrified,"
               "max_train_length_m,axle_load_t,road_class,lanes,mlc,corridors,phase,replaces,source")


def write_network(folder: Path, nodes: list[tuple], edges: list[tuple]) -> Path:
    """nodes: (id, kind, lon, lat); edges: (id, u, v, km, kph, vehicles/day), all road."""
    folder.mkdir(parents=True, exist_ok=True)
    node_rows = [f"{i},{i.title()},LT,{kind},{lon},{lat},,,,test" for i, kind, lon, lat in nodes]
    edge_rows = [f"{i},{u},{v},road,{i},,{km},{kph},{cap},,,,,,trunk,2,,,,,test"
                 for i, u, v, km, kph, cap in edges]
    (folder / "nodes.csv").write_text("\n".join([NODE_HEADER, *node_rows]) + "\n", "utf-8")
    (folder / "edges.csv").write_text("\n".join([EDGE_HEADER, *edge_rows]) + "\n", "utf-8")
    return folder


def road_scenario(name: str = "small", *, horizon_days: float = 30) -> Scenario:
    """Road march from 'hub' to 'camp' with plenty of supply and reception."""
    return Scenario(
        name=name,
        network=NetworkChoice(),
        horizon_days=horizon_days,
        targets=Targets(custom=(Target(troops=2_000, deadline_day=5),
                                Target(troops=20_000, deadline_day=20))),
        origins=(Origin(node="hub", troops_per_day=100_000, modes=("road",)),),
        destinations=(Destination(node="camp", reception_troops_per_day=100_000),),
        border_delays=BorderDelays(),
        road_march_hours_per_day=24,
    )


def bridge_network(folder: Path, *, twin: bool) -> object:
    """hub → a → (bridge [and its twin]) → b → camp, plus an unused spur a → village."""
    nodes = [("hub", "origin", 24.0, 54.0), ("a", "junction", 24.1, 54.1),
             ("b", "junction", 24.2, 54.2), ("camp", "base", 24.3, 54.3),
             ("village", "junction", 24.0, 54.3)]
    edges = [("road-hub-a", "hub", "a", 10, 50, 6000),
             ("bridge", "a", "b", 10, 50, 1000),
             ("road-b-camp", "b", "camp", 10, 50, 6000),
             ("spur", "a", "village", 10, 50, 1000)]
    if twin:
        edges.append(("bridge-twin", "a", "b", 10, 50, 1000))
    return load_network(write_network(folder, nodes, edges))


def mesh_network(folder: Path) -> object:
    """Three routes of different capacity with cross links: interdiction has real choices."""
    nodes = [("hub", "origin", 24.0, 54.0), ("a", "junction", 24.1, 54.0),
             ("b", "junction", 24.1, 54.1), ("c", "junction", 24.1, 54.2),
             ("d", "junction", 24.2, 54.0), ("e", "junction", 24.2, 54.2),
             ("camp", "base", 24.3, 54.1)]
    edges = [("hub-a", "hub", "a", 10, 50, 3000), ("hub-b", "hub", "b", 10, 50, 2000),
             ("hub-c", "hub", "c", 10, 50, 2500), ("a-d", "a", "d", 10, 50, 1500),
             ("b-d", "b", "d", 10, 50, 1000), ("b-e", "b", "e", 10, 50, 1200),
             ("c-e", "c", "e", 10, 50, 2000), ("a-b", "a", "b", 5, 50, 800),
             ("d-camp", "d", "camp", 10, 50, 2200), ("e-camp", "e", "camp", 10, 50, 2600)]
    return load_network(write_network(folder, nodes, edges))
