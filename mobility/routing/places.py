"""Typed places (names, ids, ``lat,lon``) and avoided elements, read onto a routing graph."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import networkx as nx

from mobility._errors import InfeasibleError, MobilityError, UnknownNodeError
from mobility.names import suggestions
from mobility.routing.graph import END, START, _EdgeArc
from mobility.routing.profiles import _Core
from mobility.routing.result import Place

EARTH_RADIUS_KM = 6371.0088
#: Farthest (km) a typed 'lat,lon' may lie from the node it snaps to: a town's railway
#: station or road junction is within a few km; hundreds of km means wrong coordinates.
MAX_SNAP_KM = 25.0
_COORDS = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$")

# --- places and avoided elements -----------------------------------------------------------


def _place(core: _Core, text: str, role: str, max_snap_km: float = MAX_SNAP_KM) -> Place:
    graph = core.base.graph
    match = _COORDS.match(text)
    if match:
        lat, lon = float(match.group(1)), float(match.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise MobilityError(f"{text!r}: latitude must be in [-90, 90] and longitude in "
                                "[-180, 180] (give 'lat,lon')")
        candidates = core.nodes_with[role] if role in (START, END) else set(core.node_vertices)
        if not candidates:
            raise InfeasibleError(f"no node of this network can serve as {role} for this unit")
        node, distance = _nearest(graph, candidates, lat, lon)
        if distance > max_snap_km:
            data = graph.nodes[node]
            msg = (f"{text!r} is {distance:,.1f} km from the nearest node where a "
                   f"{core.profile.name} can {_ROLE_VERB[role]}, {data['name']} ({node}); "
                   f"the limit is {max_snap_km:g} km (`snap_km`)")
            if -90 <= lon <= 90:
                swapped, swapped_km = _nearest(graph, candidates, lon, lat)
                if swapped_km <= max_snap_km:
                    msg += (f"; did you give lon,lat? '{lon:g},{lat:g}' is {swapped_km:,.1f} km "
                            f"from {graph.nodes[swapped]['name']} (give 'lat,lon')")
            raise InfeasibleError(msg)
        return _make_place(graph, text, node, distance)
    node = core.base.find_node(text)
    usable = core.nodes_with[role] if role in (START, END) else set(core.node_vertices)
    if node not in usable:
        data = graph.nodes[node]
        what = {START: "start from", END: "end at", "via": "pass"}[role]
        msg = (f"{data['name']} ({data['kind']}) is not a place a {core.profile.name} can "
               f"{what} by {core.mode if core.mode != 'any' else 'any mode'}: it has no road "
               "or terminal for this unit; choose a nearby town, terminal or base")
        raise InfeasibleError(msg)
    return _make_place(graph, text, node, None)


_ROLE_VERB = {START: "start", END: "end", "via": "pass"}


def _nearest(graph: nx.MultiDiGraph, candidates: Iterable[str], lat: float,
             lon: float) -> tuple[str, float]:
    """The candidate node nearest to (lat, lon) and its great-circle distance (km)."""
    node = min(sorted(candidates), key=lambda n: _haversine_km(
        lat, lon, graph.nodes[n]["y"], graph.nodes[n]["x"]))
    return node, _haversine_km(lat, lon, graph.nodes[node]["y"], graph.nodes[node]["x"])


def _make_place(graph: nx.MultiDiGraph, text: str, node: str, snap_km: float | None) -> Place:
    data = graph.nodes[node]
    return Place(text, node, data["name"], data["country"], snap_km)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


# ("corridor", tag), ("edge", id), ("node", id), ("facility", id) or ("mode", mode)
_Element = tuple[str, str]


def _avoid(core: _Core, texts: list[str], origin: str, destination: str
           ) -> tuple[set[int], tuple[str, ...], tuple[str, ...]]:
    graph = core.base.graph
    edge_ids = core.base.edge_ids
    elements: list[_Element] = []
    for text in texts:
        prefix, _, rest = text.partition(":")
        if rest and prefix in ("node", "edge", "corridor", "facility"):
            kind, value = prefix, rest.strip()
        else:
            kind, value = "", text.strip()
        if kind in ("", "edge") and value in edge_ids:
            elements.append(("edge", value))
        elif kind in ("", "corridor") and value.lower() in core.base.corridors:
            elements.append(("corridor", value.lower()))
        elif kind in ("", "node", "facility"):
            try:
                node = core.base.find_node(value)
            except UnknownNodeError:
                raise UnknownNodeError(_unknown_avoid(core, text)) from None
            whole = kind == "node" or (kind == "" and node not in core.base.gates)
            elements.append(("node" if whole else "facility", node))
        else:
            raise UnknownNodeError(_unknown_avoid(core, text))
    for kind, ref in elements:
        if kind == "node" and ref in (origin, destination):
            name = graph.nodes[ref]["name"]
            raise InfeasibleError(f"avoid {name!r}: it is the start or the end of the move")
    bans: set[int] = set()
    for element in elements:
        bans |= _arcs_of(core, element)
    labels = tuple(_label(core, e) for e in elements)
    notes = tuple(f"avoided: {label}" for label in labels)
    return bans, labels, notes


def _unknown_avoid(core: _Core, text: str) -> str:
    graph = core.base.graph
    names = [d["name"] for _, d in graph.nodes(data=True)]
    # Display names last: where a name and an id fold alike, the suggestion shows the name.
    candidates = [*sorted(graph.nodes), *sorted(core.base.corridors),
                  *sorted(core.base.edge_ids), *names]
    close = list(dict.fromkeys(suggestions(text.partition(":")[2] or text, candidates)))
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return (f"avoid {text!r}: not a node name or id, edge id or corridor tag{hint} "
            f"(corridors here: {', '.join(sorted(core.base.corridors)) or 'none'})")


def _arcs_of(core: _Core, element: _Element) -> set[int]:
    kind, ref = element
    found = set()
    for a, info in enumerate(core.info):
        if isinstance(info, _EdgeArc):
            hit = ((kind == "edge" and info.ref == ref)
                   or (kind == "corridor" and ref in info.corridors)
                   or (kind == "node" and ref in (info.u, info.v))
                   or (kind == "mode" and info.mode == ref))
        else:
            hit = ((kind == "node" and info.node == ref)
                   or (kind == "facility" and info.node == ref and info.terminal))
        if hit:
            found.add(a)
    return found


def _label(core: _Core, element: _Element) -> str:
    kind, ref = element
    graph = core.base.graph
    if kind == "corridor":
        return f"corridor {ref}"
    if kind == "mode":
        return f"{ref} mode"
    if kind == "edge":
        u, v, data = next((u, v, d) for u, v, k, d in graph.edges(keys=True, data=True)
                          if k == ref)
        name = f"{data['name']} " if data.get("name") else ""
        return f"{name}{graph.nodes[u]['name']}-{graph.nodes[v]['name']} {data['mode']} ({ref})"
    data = graph.nodes[ref]
    if kind == "node":
        return f"{data['name']} (bypassed)"
    return f"{data['name']} {str(data['kind']).replace('_', ' ')} (closed)"


