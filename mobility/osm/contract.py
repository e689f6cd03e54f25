"""Contraction of the degree-2 chains a merge leaves (the junctions its dropped spurs met).

An imported junction with exactly two edges, alike in mode, gauge, road class and corridor
tags, is a bend, not a junction, once the spur that made it a junction is gone: its two edges
become one, with the import's merge rules (:mod:`mobility.osm.build`): lengths add up, the
speed keeps the travel time, capacity, tracks and lanes are the smaller, electrified only if
both are. Connectors, curated nodes, towns and sites are never contracted. Fewer nodes and
edges make the same network for routes and the closure engine (same lengths, times and
bottlenecks) at a smaller size.
"""

from __future__ import annotations

from collections import defaultdict

from shapely.geometry import LineString

from mobility.schema import EdgeRecord, NodeKind, NodeRecord

CONNECTOR_PREFIX = "osm-link-"


def contract_degree_two(nodes: dict[str, NodeRecord], edges: dict[str, EdgeRecord],
                        geometries: dict[str, LineString]) -> dict[str, str]:
    """Contract in place; return each removed edge id → the id of the edge that holds it."""
    touching: dict[str, set[str]] = defaultdict(set)
    for eid, edge in edges.items():
        touching[edge.u].add(eid)
        touching[edge.v].add(eid)
    held: dict[str, list[str]] = {eid: [eid] for eid in edges}
    alias: dict[str, str] = {}
    coords: dict[str, list[tuple[float, ...]]] = {}  # joined lines, made LineStrings at the end
    for node in sorted(nodes):
        pair = sorted(touching.get(node, ()))
        record = nodes[node]
        if (len(pair) != 2 or not node.startswith("osm-") or record.kind != NodeKind.junction
                or any(eid.startswith(CONNECTOR_PREFIX) for eid in pair)):
            continue
        first, second = edges[pair[0]], edges[pair[1]]
        a = first.v if first.u == node else first.u
        b = second.v if second.u == node else second.u
        if a in (b, node) or b == node or _key(first) != _key(second):
            continue
        merged, line = _joined(first, second, node, a, b, coords, geometries)
        for eid in pair:
            del edges[eid]
            geometries.pop(eid, None)
            coords.pop(eid, None)
            touching[a].discard(eid)
            touching[b].discard(eid)
        keep = merged.id
        edges[keep], coords[keep] = merged, line
        touching[a].add(keep)
        touching[b].add(keep)
        touching.pop(node)
        del nodes[node]
        held[keep] = held.pop(pair[0]) + held.pop(pair[1])
        for old in held[keep]:
            if old != keep:
                alias[old] = keep
    for eid, line in coords.items():
        geometries[eid] = LineString(line)
    for eid, parts in held.items():
        if len(parts) > 1:
            edge = edges[eid]
            listed = ", ".join(parts[:4]) + (f" +{len(parts) - 4} more" if len(parts) > 4 else "")
            edges[eid] = edge.model_copy(update={
                "source": f"{edge.source}; joined from imported edges {listed} (a bend once "
                          "the merge dropped the spurs between them)"})
    return alias


def _key(edge: EdgeRecord) -> tuple:
    return (edge.mode, edge.gauge, edge.road_class, tuple(sorted(edge.corridors)))


def _joined(first: EdgeRecord, second: EdgeRecord, node: str, a: str, b: str,
            coords: dict[str, list[tuple[float, ...]]], geometries: dict[str, LineString],
            ) -> tuple[EdgeRecord, list[tuple[float, ...]]]:
    """One edge from ``a`` through ``node`` to ``b``: the two edges' merge, and its line."""
    one = list(coords[first.id] if first.id in coords else geometries[first.id].coords)
    two = list(coords[second.id] if second.id in coords else geometries[second.id].coords)
    if first.u == node:
        one.reverse()  # now a → node
    if second.v == node:
        two.reverse()  # now node → b
    length_1, length_2 = first.length_km or 0.001, second.length_km or 0.001
    hours = length_1 / first.speed_kph + length_2 / second.speed_kph
    longer, shorter = (first, second) if length_1 >= length_2 else (second, first)
    carried = [part for part in shorter.source.split("; ")
               if part.startswith("carries curated") and part not in longer.source]
    merged = longer.model_copy(update={
        "source": "; ".join([longer.source, *carried]),
        "carries": tuple(sorted(set(first.carries) | set(second.carries))),
        "id": min(first.id, second.id), "u": a, "v": b,
        "length_km": round(length_1 + length_2, 6),
        "speed_kph": (length_1 + length_2) / hours,
        "capacity_per_day": min(first.capacity_per_day, second.capacity_per_day),
        "tracks": _smaller(first.tracks, second.tracks),
        "lanes": _smaller(first.lanes, second.lanes),
        "electrified": (False if False in (first.electrified, second.electrified) else
                        True if first.electrified and second.electrified else None),
    })
    return merged, one + two[1:]


def _smaller(x: int | None, y: int | None) -> int | None:
    return None if x is None or y is None else min(x, y)
