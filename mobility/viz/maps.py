"""Offline HTML maps of the network and of a closure result.

:func:`closure_map` draws the network by mode and gauge over an offline Natural Earth basemap,
outlines the Suwałki corridor and, when a :class:`~mobility.result.ClosureResult` is given,
the flows (line width proportional to troops per day), the bottlenecks and the arrivals at the
destinations, with a time slider that plays the closure day by day. :func:`save_map` writes
one self-contained HTML file that fetches nothing from the network (Leaflet is inlined, see
:mod:`mobility.viz._offline`), so briefing maps open on machines without internet.

Everything drawn comes from one JSON document embedded in the page and a small script of the
project's own (``mobility/viz/static/map.js``, styled by ``map.css``); every string that comes
from data or scenarios is HTML-escaped in Python before it is embedded, and the JSON is
written with ``<``, ``>`` and ``&`` escaped so no name can close the script or inject markup.
"""

from __future__ import annotations

import html
import logging
import math
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import folium
import networkx as nx
import numpy as np
import shapely
from branca.element import Figure, MacroElement
from shapely.geometry import mapping

from mobility._data import basemap_dir
from mobility._io import atomic_write_text
from mobility.settings import CRS, METRIC_CRS
from mobility.viz._offline import RawHtml, offline_html, script_json, static_text
from mobility.viz.briefing import ATTRIBUTIONS, BALTIC_BOUNDS, THEATRE_BOUNDS, Briefing, briefing
from mobility.viz.map_layers import (
    Highlight,
    RankedBottleneck,
    closed_highlights,
    highlight_layers,
    ranked_bottlenecks,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from mobility.result import ClosureResult
    from mobility.scenario import Scenario

logger = logging.getLogger(__name__)

#: Overlay layers, in the order the layer control lists them (key → label).
LAYER_NAMES: dict[str, str] = {
    "basemap": "Basemap (Natural Earth)",
    "suwalki": "Suwałki corridor",
    "rail_1435": "Rail 1435 mm (standard gauge)",
    "rail_1520": "Rail 1520 mm (broad gauge)",
    "rail_dual": "Rail dual gauge (1435 + 1520 mm)",
    "rail_baltica_phases": "Rail Baltica phases (planned)",
    "roads": "Roads",
    "sea_air": "Sea and air routes",
    "gauge_transfer": "Gauge-transfer sites",
    "border_crossings": "Border crossings",
    "ports_airfields": "Ports and airfields",
    "places": "Towns, terminals and junctions",
    "labels": "Place names",
    "origins_destinations": "Origins and destinations",
    "flows": "Flows (troops/day)",
    "bottlenecks": "Bottlenecks",
}
#: Layers drawn only when a result is given.
RESULT_LAYERS = ("flows", "bottlenecks")

SUWALKI_TOOLTIP = (
    "Suwałki corridor, ≈65 km between Kaliningrad (RU) and Belarus (LaSER report)"
)
#: Half-width of the corridor outline drawn around the Polish-Lithuanian border, in metres.
SUWALKI_HALF_WIDTH_M = 15_000.0
#: Basemap simplification tolerance in degrees (≈1 km; enough for a briefing map).
BASEMAP_SIMPLIFY_DEG = 0.01
#: Decimal places kept for coordinates: 4 for the basemap (≈10 m), 5 for the network (≈1 m).
BASEMAP_DECIMALS = 4
NETWORK_DECIMALS = 5
#: Where the map opens when the graph has no nodes: the three Baltic states.
DEFAULT_BOUNDS = ((53.5, 20.5), (59.8, 28.5))
ATTRIBUTION = " | ".join(("Leaflet", *ATTRIBUTIONS))
#: Fill opacity of the vector basemap over online tiles (opaque without them).
ONLINE_FILL_OPACITY = 0.3
#: Zoom levels the map allows: from the whole of the North Sea–Baltic area to a town.
ZOOM_RANGE = (4.5, 12)
OSM_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

EMPHASISED_ROAD_CORRIDORS = frozenset({"via_baltica", "suwalki"})

#: Line styles (Leaflet path options) by network layer.
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "rail_1435": {"color": "#2166ac", "weight": 3.5, "opacity": 0.9},
    "rail_1520": {"color": "#a6611a", "weight": 3.5, "opacity": 0.9, "dashArray": "10 6"},
    "rail_dual": {"color": "#5e3c99", "weight": 4.0, "opacity": 0.9, "dashArray": "14 4 2 4"},
    "rail_baltica_phases": {"color": "#e6ab02", "weight": 4.5, "opacity": 0.95,
                            "dashArray": "8 8"},
    "road": {"color": "#7f7f7f", "weight": 1.8, "opacity": 0.85},
    "road_corridor": {"color": "#404040", "weight": 4.0, "opacity": 0.9},
    "sea": {"color": "#2b8cbe", "weight": 1.3, "opacity": 0.8, "dashArray": "6 6"},
    "air": {"color": "#525252", "weight": 1.0, "opacity": 0.7, "dashArray": "2 6"},
}
#: Circle-marker styles by node layer.
NODE_STYLES: dict[str, dict[str, Any]] = {
    "gauge_transfer": {"radius": 7, "color": "#5e3c99", "weight": 3, "fillColor": "#ffffff",
                       "fillOpacity": 1.0},
    "border_crossings": {"radius": 5, "color": "#ffffff", "weight": 1.5, "fillColor": "#000000",
                         "fillOpacity": 1.0},
    "ports_airfields": {"radius": 5, "color": "#ffffff", "weight": 1.5, "fillColor": "#2b8cbe",
                        "fillOpacity": 1.0},
    "places": {"radius": 3, "color": "#ffffff", "weight": 1, "fillColor": "#737373",
               "fillOpacity": 1.0},
    "origin": {"radius": 7, "color": "#ffffff", "weight": 2, "fillColor": "#2166ac",
               "fillOpacity": 1.0},
    "destination": {"radius": 8, "color": "#ffffff", "weight": 2, "fillColor": "#1b7837",
                    "fillOpacity": 1.0},
}
BOTTLENECK_STYLE = {"color": "#d01c8b", "weight": 4, "opacity": 0.9, "fill": False}
BOTTLENECK_EDGE_STYLE = {"color": "#d01c8b", "weight": 14, "opacity": 0.35}
CORRIDOR_STYLE = {"color": "#b2182b", "weight": 2, "dashArray": "6 4", "fillColor": "#f4a582",
                  "fillOpacity": 0.18}
#: Flow colours by utilisation (fraction of capacity): below 0.5, below 0.9, from 0.9.
FLOW_COLOURS = (("#1a9850", 0.5), ("#fdae61", 0.9), ("#d73027", math.inf))
#: Flow line width in pixels: ``FLOW_MIN_WEIGHT_PX`` plus a share proportional to the flow
#: (the minimum is wider than any network line, so the casing shows on both sides).
FLOW_MIN_WEIGHT_PX = 7.0
FLOW_MAX_EXTRA_WEIGHT_PX = 10.0
#: Destination bubble radius in pixels: the minimum plus a share ∝ √(troops arrived).
BUBBLE_MIN_RADIUS_PX = 6.0
BUBBLE_MAX_EXTRA_RADIUS_PX = 12.0

_KIND_LAYER = {
    "gauge_transfer": "gauge_transfer",
    "border_crossing": "border_crossings",
    "port": "ports_airfields",
    "airport": "ports_airfields",
    "air_base": "ports_airfields",
    "origin": "origins_destinations",
}
#: Node layers in drawing order (later on top).
_DRAW_ORDER = {"places": 0, "border_crossings": 1, "ports_airfields": 2,
               "origins_destinations": 3, "gauge_transfer": 4}
_COUNTRY_FILLS = {
    **dict.fromkeys(("EE", "LV", "LT"), "#f6efd6"),
    **dict.fromkeys(("RU", "BY"), "#eadcdc"),
}
_DEFAULT_COUNTRY_FILL = "#f5f5f0"
_SEA_COLOUR = "#d7e6f0"
_PANES = (
    ("mobility-basemap", 250),
    ("mobility-corridor", 380),
    ("mobility-halo", 390),
    # flows under the network: each flow is a coloured casing around the line it uses, so
    # its gauge and mode stay readable inside it and its colour is not blended
    ("mobility-flows", 395),
    ("mobility-network", 400),
    ("mobility-highlights", 430),
    ("mobility-nodes", 450),
    ("mobility-labels", 460),
)


def closure_map(
    graph: nx.MultiDiGraph,
    result: ClosureResult | None = None,
    *,
    scenario: Scenario | str | None = None,
    online_tiles: bool = False,
    title: str | None = None,
    highlights: Sequence[Highlight] = (),
    summary: Sequence[str] = (),
    mark_changes: bool = True,
    key_rows: Sequence[tuple[str, float | None, str]] = (),
) -> folium.Map:
    """Draw the network, and a closure result if given, as a self-contained Leaflet map.

    Parameters
    ----------
    graph
        A network from :func:`mobility.network.load_network` (or any MultiDiGraph with the
        same node and edge attributes).
    result
        A closure result: adds the flows (width proportional to troops/day, tooltip with
        flow, capacity and utilisation in the mode's units), the bottlenecks, the arrivals at
        the destinations and a time slider that plays them day by day.
    scenario
        The scenario (or its name), shown under the title.
    online_tiles
        Add OpenStreetMap tiles under the vector basemap (needs internet). Off by default:
        the map then requests nothing from the network.
    title
        Title shown on the map; by default derived from the result or scenario.
    highlights
        Graph elements to mark (:mod:`mobility.viz.map_layers`): one switchable layer per
        distinct layer name, listed in the layer control and legend; edges as thick lines
        along their geometry, nodes as rings, both sized by score.
    summary
        Lines of plain text for the title panel, under the caveat (e.g. the days gained or
        lost per target of a comparison).
    mark_changes
        With a :class:`~mobility.scenario.Scenario`, mark the elements its
        ``capacity_changes`` close or reduce (layers "Closed" and "Reduced", drawn last).
    key_rows
        Extra legend rows under the highlight layers, ``(colour, score, text)``: a line of
        the width a highlight of that score is drawn with, or (colour ``""``) a note.

    Returns
    -------
    folium.Map
        Save it with :func:`save_map` (which inlines Leaflet); ``m._repr_html_`` in a
        notebook still uses Folium's CDN links.
    """
    scenario_name = str(getattr(scenario, "name", scenario) or
                        (result.scenario if result is not None else ""))
    description = result.description if result is not None else getattr(scenario, "description", "")
    if title is None:
        title = "Force closure" if result is not None else "Baltic military mobility network"
    about = briefing(title, scenario_name, str(description or ""))
    if mark_changes and getattr(scenario, "capacity_changes", None):
        highlights = [*highlights, *closed_highlights(graph, cast("Scenario", scenario))]

    bounds = _bounds(graph)
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(location=center, zoom_start=6, tiles=None, control_scale=False,
                   prefer_canvas=False)
    root = cast(Figure, m.get_root())
    root.title = _esc(about.page_title)
    if online_tiles:
        folium.TileLayer(OSM_TILES_URL, attr=OSM_ATTRIBUTION, name="OpenStreetMap (online)",
                         max_zoom=19).add_to(m)

    keys = [key for key in LAYER_NAMES if result is not None or key not in RESULT_LAYERS]
    groups = {key: folium.FeatureGroup(name=LAYER_NAMES[key], show=True) for key in keys}
    highlight_keys = {name: f"highlight_{n}"
                      for n, name in enumerate(highlight_layers(highlights))}
    for name, key in highlight_keys.items():
        # Leaflet's layer control shows the name as HTML: escape it
        groups[key] = folium.FeatureGroup(name=_esc(name), show=True)
    for group in groups.values():
        group.add_to(m)
    # collapsed: an icon that opens on hover or tap, so it never covers the theatre
    folium.LayerControl(collapsed=True, position="topright").add_to(m)

    data = _map_data(graph, result, about=about, bounds=bounds,
                     input_nodes=scenario_nodes(scenario, result), summary=summary)
    if online_tiles:  # let the tiles show through the land and lake fills
        data["basemap"] = [{**item, "style": {**item["style"], "fillOpacity": ONLINE_FILL_OPACITY}}
                           for item in data["basemap"] if not item.get("fade")]
    if highlights:
        data["lines"].extend(_highlight_lines(graph, highlights, highlight_keys))
        data["points"].extend(_highlight_points(graph, highlights, highlight_keys))
        data["ranks"].extend(_highlight_badges(graph, highlights, highlight_keys))
        data["legend_html"] = legend_html(
            with_result=result is not None, timeline=data["timeline"],
            highlights=[(name, next(h.colour for h in highlights if h.layer == name))
                        for name in highlight_keys], key_rows=key_rows)
    root.header.add_child(RawHtml(f"<style>{static_text('map.css')}</style>"),
                                  name="mobility_css")
    m.add_child(_ClosureMapScript(groups, data), name="mobility_closure_map")
    m._mobility_online_tiles = online_tiles  # type: ignore[attr-defined]  # read by save_map
    return m


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write ``m`` as one self-contained HTML file, atomically.

    Leaflet's JS and CSS are inlined, every CDN link is removed, and the page is checked to
    request nothing from the network (except OpenStreetMap tiles when the map was made with
    ``online_tiles=True``). The folder is created if needed; the file is written to a
    temporary name in the same folder and moved into place with :func:`os.replace`.

    Parameters
    ----------
    m
        A map from :func:`closure_map` (or any Folium map).
    path
        The ``.html`` file to write.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    return atomic_write_text(path, map_html(m))


def layer_control_last(m: folium.Map) -> folium.Map:
    """Move the map's layer control after the layers added to it since :func:`closure_map`
    (its script names its layers, so it must come after them)."""
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            del m._children[key]
            m.add_child(child, name=key)
    return m


def map_html(m: folium.Map) -> str:
    """The self-contained HTML text of ``m`` (what :func:`save_map` writes)."""
    online = getattr(m, "_mobility_online_tiles", False)
    allow = frozenset({"https://tile.openstreetmap.org/", "https://www.openstreetmap.org/"})
    return offline_html(m, allow_urls=allow if online else frozenset())


# --- building the embedded data -------------------------------------------------------------


def _map_data(
    graph: nx.MultiDiGraph,
    result: ClosureResult | None,
    *,
    about: Briefing,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    input_nodes: Iterable[str] = (),
    summary: Sequence[str] = (),
) -> dict[str, Any]:
    basemap = basemap_layers(str(basemap_dir()))
    ranked = [] if result is None else ranked_bottlenecks(
        result, scenario_nodes=input_nodes)
    data: dict[str, Any] = {
        "attribution": _esc(ATTRIBUTION),
        "bounds": [list(bounds[0]), list(bounds[1])],
        "theatre": [list(THEATRE_BOUNDS[0]), list(THEATRE_BOUNDS[1])],
        "baltic": [list(BALTIC_BOUNDS[0]), list(BALTIC_BOUNDS[1])],
        "max_bounds": _max_bounds(bounds),
        "zoom_range": list(ZOOM_RANGE),
        "panes": [list(pane) for pane in _PANES],
        "briefing_html": briefing_html(about, ranked, summary=summary),
        "basemap": basemap["layers"],
        "labels": basemap["labels"],
        "place_labels": place_labels(graph, _final_arrivals(result)),
        "areas": [],
        "lines": _edge_lines(graph),
        "points": _node_points(graph, result),
        "ranks": [],
        "timeline": None,
        "legend_html": "",
    }
    corridor = suwalki_corridor(basemap_dir(), graph)
    if corridor is not None:
        data["areas"].append({
            "layer": "suwalki",
            "geojson": _rounded_mapping(corridor, BASEMAP_DECIMALS),
            "style": {**CORRIDOR_STYLE, "pane": "mobility-corridor"},
            "tooltip": _esc(SUWALKI_TOOLTIP),
        })
    if result is not None:
        infrastructure = [b for b in ranked if b.infrastructure]
        data["lines"].extend(_bottleneck_lines(graph, result, infrastructure))
        data["points"].extend(_bottleneck_points(graph, result, infrastructure))
        data["ranks"] = _rank_badges(graph, infrastructure)
        data["timeline"] = timeline_data(graph, result)
    data["legend_html"] = legend_html(with_result=result is not None, timeline=data["timeline"])
    return data


def scenario_nodes(scenario: Any, result: ClosureResult | None = None) -> set[str]:
    """Nodes whose throughput the scenario sets, so that their gates are scenario inputs
    rather than infrastructure: the origins of the stress case (troops a day) and, in the
    exact method, the destinations (troops received a day) and where the result's
    arrivals end. A force list's homes and assembly areas are places whose loading and
    unloading sites are infrastructure (the fleet engine reports its reception limits as
    their own kind). Empty for a name or ``None``."""
    if getattr(scenario, "forces", None) is not None:
        return set()
    fields = ("origins",) if result is not None and result.method == "fleet" \
        else ("origins", "destinations")
    nodes = set()
    for field in fields:
        for entry in getattr(scenario, field, None) or ():
            node = getattr(entry, "node", None)
            if node:
                nodes.add(str(node))
    if "destinations" in fields:
        nodes |= set(_final_arrivals(result))
    return nodes


def _max_bounds(bounds: tuple[tuple[float, float], tuple[float, float]]) -> list[list[float]]:
    """How far the map may be panned: the graph and the theatre with a margin of 8° of
    latitude and 16° of longitude (wide enough that fitting the theatre beside the panels
    is never pushed off-centre by the limit)."""
    south = max(min(bounds[0][0], THEATRE_BOUNDS[0][0]) - 8, -85)
    west = min(bounds[0][1], THEATRE_BOUNDS[0][1]) - 16
    north = min(max(bounds[1][0], THEATRE_BOUNDS[1][0]) + 8, 85)
    east = max(bounds[1][1], THEATRE_BOUNDS[1][1]) + 16
    return [[round(south, 2), round(west, 2)], [round(north, 2), round(east, 2)]]


def briefing_html(about: Briefing, ranked: Sequence[RankedBottleneck] = (), *,
                  top: int = 8, summary: Sequence[str] = ()) -> str:
    """The title panel: title, scenario, as-of date and version, caveat, ranked bottlenecks.

    The ranked list (infrastructure, then scenario inputs that bind) is a collapsible
    ``<details>`` element, open by default.
    """
    parts = [f"<div class='mobility-heading'>{_esc(about.title)}</div>"]
    if about.description:
        parts.append(f"<div>{_esc(about.description)}</div>")
    parts += [f"<div class='mobility-stamp'>{_esc(about.stamp)}</div>",
              f"<div class='mobility-caveat'>{_esc(about.caveat)}</div>"]
    if summary:
        parts.append("<div class='mobility-summary'>"
                     + "".join(f"<div>{_esc(line)}</div>" for line in summary) + "</div>")
    infrastructure = [b for b in ranked if b.infrastructure][:top]
    inputs = [b for b in ranked if not b.infrastructure]
    if infrastructure or inputs:
        rows = "".join(
            f"<li><b>{_esc(_short_name(b.name))}</b> ({_esc(b.kind.replace('_', ' '))}, "
            f"{b.utilisation:.0%} used) <span class='mobility-value'>{_esc(b.value_text)}"
            "</span></li>" for b in infrastructure)
        extra = ""
        if inputs:
            extra = ("<div>Scenario inputs that bind (not on the map): " + "; ".join(
                f"{_esc(b.name)} ({_esc(b.kind)}: {_esc(b.value_text)})" for b in inputs)
                + "</div>")
        parts.append("<details class='mobility-ranks mobility-collapsible' open>"
                     "<summary>Bottlenecks, ranked by what one more unit buys</summary>"
                     f"<ol>{rows}</ol>{extra}</details>")
    return "".join(parts)


def _short_name(name: str) -> str:
    """A bottleneck's name without the bracketed mode and ends: ``Ełk–Suwałki line (41/39)``."""
    head, sep, tail = str(name).rpartition(" (")
    return head if sep and tail.endswith(")") and ("→" in tail or "mm" in tail) else str(name)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _plural(unit: str) -> str:
    return unit if unit.endswith("s") else f"{unit}s"


def format_number(value: float) -> str:
    """Numbers as the map shows them: ``12,345`` from 100 up, else ``12`` or ``3.1``."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value - round(value)) < 0.05:
        return f"{round(value):.0f}"
    return f"{value:.1f}"


def flow_text(flow_troops_per_day: float, flow_units_per_day: float,
              capacity_units_per_day: float, unit: str) -> str:
    """``"312 troops/day = 3.1 trains/day of 12 trains/day (26 %)"`` (plain text).

    The map's script formats the same way (function ``flowText`` in ``static/map.js``).
    """
    return (f"{format_number(flow_troops_per_day)} troops/day = "
            + use_text(flow_units_per_day, capacity_units_per_day, unit))


def use_text(units_per_day: float, capacity_units_per_day: float, unit: str) -> str:
    """``"3.1 trains/day of 12 trains/day (26 %)"`` (plain text; ``useText`` in map.js)."""
    share = units_per_day / capacity_units_per_day if capacity_units_per_day else 0.0
    units = _plural(unit)
    return (f"{format_number(units_per_day)} {units}/day of "
            f"{format_number(capacity_units_per_day)} {units}/day ({share * 100:.0f} %)")


def _bounds(graph: nx.MultiDiGraph) -> tuple[tuple[float, float], tuple[float, float]]:
    if graph.number_of_nodes() == 0:
        return DEFAULT_BOUNDS
    xs = [float(d["x"]) for _, d in graph.nodes(data=True)]
    ys = [float(d["y"]) for _, d in graph.nodes(data=True)]
    pad_deg = 0.3
    return ((round(min(ys) - pad_deg, 4), round(min(xs) - pad_deg, 4)),
            (round(max(ys) + pad_deg, 4), round(max(xs) + pad_deg, 4)))


def _latlon(x: float, y: float, decimals: int = NETWORK_DECIMALS) -> list[float]:
    return [round(float(y), decimals), round(float(x), decimals)]


def _line_latlons(geometry: Any, decimals: int = NETWORK_DECIMALS) -> list[list[float]]:
    return [_latlon(x, y, decimals) for x, y, *_ in geometry.coords]


def data_edges(graph: nx.MultiDiGraph) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """One directed edge per data edge (its ``forward`` direction), keyed by edge id, sorted."""
    chosen: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for u, v, key, data in sorted(graph.edges(keys=True, data=True),
                                  key=lambda item: (str(item[2]), str(item[0]), str(item[1]))):
        edge_id = str(data.get("edge_id", key))
        if edge_id not in chosen or data.get("direction") == "forward":
            chosen[edge_id] = (u, v, data)
    return dict(sorted(chosen.items()))


def edge_layer(data: dict[str, Any]) -> str:
    """The layer key of a data edge: by mode, rail by gauge, phased rail on its own layer."""
    mode = str(data.get("mode"))
    if mode == "rail":
        if data.get("phase"):
            return "rail_baltica_phases"
        gauge = str(data.get("gauge"))
        return {"1435": "rail_1435", "1520": "rail_1520"}.get(gauge, "rail_dual")
    if mode == "road":
        return "roads"
    return "sea_air"


def _edge_style(layer: str, data: dict[str, Any]) -> dict[str, Any]:
    mode = str(data.get("mode"))
    if layer == "roads":
        corridors = set(data.get("corridors") or ())
        style = EDGE_STYLES["road_corridor" if corridors & EMPHASISED_ROAD_CORRIDORS else "road"]
    elif layer == "sea_air":
        style = EDGE_STYLES["air" if mode == "air" else "sea"]
    else:
        style = EDGE_STYLES[layer]
    style = dict(style)
    if data.get("phase") and layer != "rail_baltica_phases":
        style["dashArray"] = EDGE_STYLES["rail_baltica_phases"]["dashArray"]
    return style


def _mode_label(data: dict[str, Any]) -> str:
    mode = str(data.get("mode"))
    if mode == "rail":
        gauge = str(data.get("gauge"))
        return "rail, dual gauge (1435 + 1520 mm)" if gauge == "dual" else f"rail, {gauge} mm"
    return mode


def _edge_tooltip(graph: nx.MultiDiGraph, u: str, v: str, data: dict[str, Any]) -> str:
    name = data.get("name") or data.get("edge_id")
    lines = [f"<b>{_esc(name)}</b> ({_esc(_mode_label(data))})",
             f"{_esc(graph.nodes[u].get('name', u))} to {_esc(graph.nodes[v].get('name', v))}"]
    facts = []
    if data.get("length_km") is not None:
        facts.append(f"{float(data['length_km']):,.0f} km")
    if data.get("speed_kph") is not None:
        facts.append(f"{float(data['speed_kph']):,.0f} km/h")
    if data.get("capacity_per_day") is not None:
        unit = _plural(str(data.get("unit") or "unit"))
        facts.append(f"{format_number(float(data['capacity_per_day']))} {unit}/day per direction")
    if facts:
        lines.append(_esc(" · ".join(facts)))
    corridors = tuple(data.get("corridors") or ())
    if corridors:
        lines.append(f"Corridors: {_esc(', '.join(sorted(corridors)))}")
    if data.get("phase"):
        lines.append(f"Phase: {_esc(data['phase'])} (not built today)")
    if data.get("source"):
        lines.append(f"<small>Source: {_esc(data['source'])}</small>")
    return "<br>".join(lines)


def _edge_lines(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for _edge_id, (u, v, data) in data_edges(graph).items():
        layer = edge_layer(data)
        lines.append({
            "layer": layer,
            "coords": _line_latlons(data["geometry"]),
            "style": {**_edge_style(layer, data), "pane": "mobility-network"},
            "tooltip": _edge_tooltip(graph, u, v, data),
        })
    return lines


def _node_tooltip(node_id: str, data: dict[str, Any], extra: Iterable[str] = ()) -> str:
    name = data.get("name", node_id)
    country = data.get("country")
    kind = str(data.get("kind", "")).replace("_", " ")
    lines = [f"<b>{_esc(name)}</b>" + (f" ({_esc(country)})" if country else ""), _esc(kind)]
    capacity = data.get("transfer_capacity_per_day")
    if capacity is not None and not _is_nan(capacity):
        from mobility.schema import KIND_TRANSFER_UNIT

        node_kind: Any = data.get("kind")  # a NodeKind (a str) read from the graph
        unit = KIND_TRANSFER_UNIT.get(node_kind, "unit")
        text = f"Transfer capacity {format_number(float(capacity))} {_plural(str(unit))}/day"
        dwell = data.get("transfer_dwell_h")
        if dwell is not None and not _is_nan(dwell):
            text += f", dwell {format_number(float(dwell))} h"
        lines.append(_esc(text))
    gauge = data.get("gauge")
    if gauge is not None and not _is_nan(gauge):
        lines.append(_esc(f"Gauge: {gauge}"))
    lines.extend(extra)
    return "<br>".join(lines)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _node_points(graph: nx.MultiDiGraph, result: ClosureResult | None) -> list[dict[str, Any]]:
    arrivals = _final_arrivals(result)
    use = _transfer_use(result)
    points: list[dict[str, Any]] = []
    # the more important markers last, drawn on top: a gauge-transfer site is never hidden
    # under the border-crossing dot beside it (Mockava, Trakiszki)
    ordered = sorted(graph.nodes(data=True),
                     key=lambda item: (_DRAW_ORDER.get(_KIND_LAYER.get(
                         str(item[1].get("kind")), "places"), 0), str(item[0])))
    for node_id, data in ordered:
        if node_id in arrivals:
            continue  # drawn by the timeline as a destination
        kind = str(data.get("kind"))
        layer = _KIND_LAYER.get(kind, "places")
        style = NODE_STYLES["origin" if kind == "origin" else layer]
        points.append({
            "layer": layer,
            "node": str(node_id),
            "latlon": _latlon(data["x"], data["y"]),
            "style": {**style, "pane": "mobility-nodes"},
            "tooltip": _node_tooltip(str(node_id), data, _peak_use(use.get(str(node_id)))),
        })
    return points


def _transfer_use(result: ClosureResult | None) -> dict[str, Any]:
    """The result's ``transfer_use`` rows by node (empty without)."""
    use = getattr(result, "transfer_use", None)
    if use is None or use.empty:
        return {}
    return {str(node): group.sort_values("day") for node, group in use.groupby("node")}


def _peak_use(group: Any) -> list[str]:
    """A node's ``transfer_use`` rows as ``["Transfers: peak 4 trains/day of 4 trains/day
    (100 %) on day 7"]``; ``[]`` for ``None``."""
    if group is None:
        return []
    peak = group.loc[group["flow_units_per_day"].idxmax()]
    text = use_text(float(peak.flow_units_per_day), float(peak.capacity_units_per_day),
                    str(peak.unit))
    return [_esc(f"Transfers: peak {text} on day {int(peak.day)}")]


def _transfer_timeline(result: ClosureResult, index: dict[int, int]) -> list[dict[str, Any]]:
    """Per node with transfer use: items through it on each slider day, and its capacity."""
    out = []
    for node, group in _transfer_use(result).items():
        per_day = [0.0] * len(index)
        for row in group.itertuples(index=False):
            i = index.get(int(row.day))
            if i is not None:
                per_day[i] = round(float(row.flow_units_per_day), 2)
        capacity = round(float(group["capacity_units_per_day"].max()), 3)
        out.append({"node": node, "units_per_day": per_day, "capacity_units_per_day": capacity,
                    "unit_html": _esc(_plural(str(group["unit"].iloc[0])))})
    return out


def _final_arrivals(result: ClosureResult | None) -> dict[str, float]:
    if result is None or result.node_arrivals.empty:
        return {}
    frame = result.node_arrivals.sort_values(["node", "day"])
    return {str(node): float(group["troops"].iloc[-1]) for node, group in frame.groupby("node")}


def _bottleneck_tooltip(bottleneck: Any, ranked: RankedBottleneck | None = None) -> str:
    rank = f"#{ranked.rank} " if ranked is not None else ""
    lines = [f"<b>{rank}Bottleneck: {_esc(bottleneck.describe())}</b>",
             _esc(f"{bottleneck.kind.replace('_', ' ')}, capacity "
                  f"{format_number(bottleneck.capacity_per_day)} "
                  f"{_plural(bottleneck.unit)}/day, {bottleneck.utilisation:.0%} used"
                  + (f" from day {bottleneck.from_day:g}" if bottleneck.from_day is not None
                     else ""))]
    if ranked is not None:
        lines.append(_esc(f"One more unit: {ranked.value_text}"))
    if bottleneck.in_min_cut:
        lines.append("In the minimum cut: limits the long-run throughput")
    return "<br>".join(lines)


def _ranked_elements(result: ClosureResult, ranked: Sequence[RankedBottleneck],
                     ) -> list[tuple[Any, RankedBottleneck]]:
    by_id = {b.element_id: b for b in result.bottlenecks}
    return [(by_id[r.element_id], r) for r in ranked if r.element_id in by_id]


def _bottleneck_points(graph: nx.MultiDiGraph, result: ClosureResult,
                       ranked: Sequence[RankedBottleneck]) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    for bottleneck, rank in _ranked_elements(result, ranked):
        if bottleneck.element_id not in graph.nodes:
            continue
        data = graph.nodes[bottleneck.element_id]
        points.append({
            "layer": "bottlenecks",
            "latlon": _latlon(data["x"], data["y"]),
            "style": {**BOTTLENECK_STYLE, "radius": 14, "pane": "mobility-nodes"},
            "tooltip": _bottleneck_tooltip(bottleneck, rank),
        })
    return points


def _bottleneck_lines(graph: nx.MultiDiGraph, result: ClosureResult,
                      ranked: Sequence[RankedBottleneck]) -> list[dict[str, Any]]:
    edges = data_edges(graph)
    lines: list[dict[str, Any]] = []
    for bottleneck, rank in _ranked_elements(result, ranked):
        if bottleneck.element_id in graph.nodes:
            continue  # nodes are drawn as points
        if bottleneck.element_id not in edges:
            logger.warning("bottleneck %r is neither a node nor an edge of the graph",
                           bottleneck.element_id)
            continue
        _, _, data = edges[bottleneck.element_id]
        lines.append({
            "layer": "bottlenecks",
            "coords": _line_latlons(data["geometry"]),
            "style": {**BOTTLENECK_EDGE_STYLE, "pane": "mobility-halo"},
            "tooltip": _bottleneck_tooltip(bottleneck, rank),
        })
    return lines


def _badge_latlon(graph: nx.MultiDiGraph, edges: dict[str, Any],
                  element_id: str) -> list[float] | None:
    """Where an element's badge goes: on the node, or half-way along the edge."""
    if element_id in graph.nodes:
        data = graph.nodes[element_id]
        return _latlon(data["x"], data["y"])
    if element_id in edges:
        middle = edges[element_id][2]["geometry"].interpolate(0.5, normalized=True)
        return _latlon(middle.x, middle.y)
    return None


def _rank_badges(graph: nx.MultiDiGraph, ranked: Sequence[RankedBottleneck],
                 ) -> list[dict[str, Any]]:
    """A numbered badge per ranked infrastructure bottleneck."""
    edges = data_edges(graph)
    badges: list[dict[str, Any]] = []
    for b in ranked:
        latlon = _badge_latlon(graph, edges, b.element_id)
        if latlon is None:
            continue
        badges.append({"layer": "bottlenecks", "latlon": latlon, "rank": b.rank,
                       "colour": BOTTLENECK_STYLE["color"],
                       "tooltip": (f"<b>#{b.rank} {_esc(_short_name(b.name))}</b><br>"
                                   f"{_esc(b.kind.replace('_', ' '))}, {b.utilisation:.0%} used"
                                   f"<br>{_esc(b.value_text)}")})
    return badges


def _element_name(graph: nx.MultiDiGraph, edges: dict[str, Any], element_id: str) -> str:
    if element_id in graph.nodes:
        return str(graph.nodes[element_id].get("name", element_id))
    return str(edges[element_id][2].get("name") or element_id) if element_id in edges \
        else element_id


def _highlight_badges(graph: nx.MultiDiGraph, highlights: Sequence[Highlight],
                      keys: dict[str, str]) -> list[dict[str, Any]]:
    """A numbered badge, in the layer's colour, per highlight that has a rank."""
    edges = data_edges(graph)
    badges: list[dict[str, Any]] = []
    for h in highlights:
        if h.rank is None:
            continue
        latlon = _badge_latlon(graph, edges, str(h.element_id))
        if latlon is None:
            continue
        badges.append({"layer": keys[h.layer], "latlon": latlon, "rank": int(h.rank),
                       "colour": _colour(h.colour),
                       "tooltip": _highlight_tooltip(h, _element_name(graph, edges,
                                                                       str(h.element_id)))})
    return badges


#: Label priority by node kind (0 first) and the zoom from which the label may show.
LABEL_PRIORITY = {"destination": 0, "capital": 1, "base": 2, "origin": 2, "gauge_transfer": 2,
                  "border_crossing": 3, "city": 4, "port": 4, "loading_site": 5,
                  "rail_terminal": 5, "air_base": 5, "airport": 6, "junction": 7}
LABEL_MIN_ZOOM = {0: 0, 1: 0, 2: 5.5, 3: 6.5, 4: 6, 5: 7, 6: 7.5, 7: 8}
#: Capitals, labelled first and in bold.
CAPITALS = frozenset({"vilnius", "riga", "tallinn", "warszawa", "berlin"})


def _label_text(name: str) -> str:
    """A short label: ``Rukla (Gaižiūnai)`` → ``Rukla``; ``Port of Rīga`` stays."""
    head, sep, _ = str(name).partition(" (")
    return head if sep and head else str(name)


def place_labels(graph: nx.MultiDiGraph, destinations: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Labels of the towns, terminals, ports, crossings and bases, most important first.

    The map's script places them in this order beside their point and hides any that would
    overlap a label placed before it or another labelled point, and any whose
    ``min_zoom`` has not been reached: the map thins them as it zooms out.
    """
    arriving = set(destinations)
    labels = []
    for node_id, data in graph.nodes(data=True):
        kind = str(data.get("kind"))
        key = ("destination" if node_id in arriving else
               "capital" if node_id in CAPITALS else kind)
        priority = LABEL_PRIORITY.get(key, 7)
        layer = _KIND_LAYER.get(kind, "places")
        style = NODE_STYLES["origin" if kind == "origin" else layer]
        css = ("mobility-arrival" if key == "destination" else
               "mobility-major" if priority <= 2 else "")
        labels.append({"node": str(node_id), "latlon": _latlon(data["x"], data["y"]),
                       "html": _esc(_label_text(data.get("name", node_id))),
                       "priority": priority, "min_zoom": LABEL_MIN_ZOOM[priority],
                       "radius": 14 if key == "destination" else float(style["radius"]) + 1,
                       "css": css})
    labels.sort(key=lambda label: (label["priority"], label["node"]))
    return labels


#: Highlight line width in pixels: ``HIGHLIGHT_MIN_WEIGHT_PX`` plus a share of the score.
HIGHLIGHT_MIN_WEIGHT_PX = 6.0
HIGHLIGHT_MAX_EXTRA_WEIGHT_PX = 10.0
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


def _colour(value: str) -> str:
    """A ``#rgb``/``#rrggbb`` colour, or the default red (colours are put into SVG markup)."""
    return value if _HEX_COLOUR.fullmatch(str(value)) else "#e31a1c"


def _highlight_share(highlight: Highlight) -> float:
    score = 0.5 if highlight.score is None else float(highlight.score)
    return 0.5 if math.isnan(score) else min(1.0, max(0.0, score))


def _highlight_tooltip(highlight: Highlight, what: str) -> str:
    lines = [f"<b>{_esc(highlight.layer)}</b>", _esc(highlight.label),
             f"<small>{_esc(what)}</small>"]
    if highlight.score is not None and highlight.show_score:
        lines.append(_esc(f"Score {float(highlight.score):.3f}"))
    if highlight.detail:
        lines.append(_esc(highlight.detail))
    return "<br>".join(lines)


def _highlight_lines(graph: nx.MultiDiGraph, highlights: Sequence[Highlight],
                     keys: dict[str, str]) -> list[dict[str, Any]]:
    edges = data_edges(graph)
    lines: list[dict[str, Any]] = []
    for highlight in highlights:
        element = str(highlight.element_id)
        if element in graph.nodes:
            continue
        if element not in edges:
            logger.warning("highlight %r is neither a node nor an edge of the graph", element)
            continue
        u, v, data = edges[element]
        share = _highlight_share(highlight)
        what = (f"{data.get('name') or element}: {graph.nodes[u].get('name', u)} to "
                f"{graph.nodes[v].get('name', v)}")
        lines.append({
            "layer": keys[highlight.layer],
            "coords": _line_latlons(data["geometry"]),
            "style": {"color": _colour(highlight.colour), "opacity": 0.45 + 0.35 * share,
                      "weight": HIGHLIGHT_MIN_WEIGHT_PX + HIGHLIGHT_MAX_EXTRA_WEIGHT_PX * share,
                      "lineCap": "round", "pane": "mobility-highlights"},
            "tooltip": _highlight_tooltip(highlight, what),
        })
    return lines


def _highlight_points(graph: nx.MultiDiGraph, highlights: Sequence[Highlight],
                      keys: dict[str, str]) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    for highlight in highlights:
        element = str(highlight.element_id)
        if element not in graph.nodes:
            continue
        data = graph.nodes[element]
        share = _highlight_share(highlight)
        points.append({
            "layer": keys[highlight.layer],
            "latlon": _latlon(data["x"], data["y"]),
            "style": {"radius": 10 + 8 * share, "color": _colour(highlight.colour),
                      "weight": 3 + 3 * share, "opacity": 0.9, "fill": False,
                      "pane": "mobility-nodes"},
            "tooltip": _highlight_tooltip(highlight, str(data.get("name", element))),
        })
    return points


def result_days(result: ClosureResult) -> list[int]:
    """The days the time slider steps through: 1 … ⌈horizon⌉ (end of each day)."""
    return list(range(1, math.ceil(result.horizon_days) + 1))


def timeline_data(graph: nx.MultiDiGraph, result: ClosureResult) -> dict[str, Any]:
    """Per-day values the time slider plays: one entry per day of :func:`result_days`.

    Returns
    -------
    dict
        ``days``; ``troops`` (cumulative troops arrived at the end of each day); ``flows``,
        one per directed edge with flow on some day: ``coords``, ``head_html`` (escaped
        description), ``troops_per_day`` (list), ``troops_per_unit``,
        ``capacity_units_per_day`` (number, or list when it changes), ``unit_html``;
        ``max_flow_troops_per_day``; ``destinations``: ``latlon``, ``name_html``, ``troops``
        (cumulative, list); ``max_destination_troops``.
    """
    days = result_days(result)
    index = {day: i for i, day in enumerate(days)}
    flows: list[dict[str, Any]] = []
    frame = result.edge_flows
    if not frame.empty:
        frame = frame.sort_values(["edge_id", "u", "v", "day"])
        for (edge_id, u, v), group in frame.groupby(["edge_id", "u", "v"], sort=True):
            data = graph.get_edge_data(u, v, key=edge_id)
            if data is None:
                logger.warning("flow on edge %r (%s → %s) is not in the graph", edge_id, u, v)
                continue
            per_day = [0.0] * len(days)
            capacity: list[float | None] = [None] * len(days)
            for row in group.itertuples(index=False):
                i = index.get(math.ceil(float(row.day)))
                if i is None:
                    continue
                per_day[i] = round(float(row.flow_troops_per_day), 1)
                capacity[i] = round(float(row.capacity_units_per_day), 3)
            first = group.iloc[0]
            troops_per_unit = (float(first.capacity_troops_per_day)
                               / float(first.capacity_units_per_day)
                               if float(first.capacity_units_per_day) else 1.0)
            known = [c for c in capacity if c is not None]
            filled = _forward_fill(capacity, default=known[0] if known else 0.0)
            nodes = graph.nodes
            head = (f"<b>{_esc(data.get('name') or edge_id)}</b> ({_esc(_mode_label(data))})<br>"
                    f"{_esc(nodes[u].get('name', u))} → {_esc(nodes[v].get('name', v))}")
            flows.append({
                "coords": _line_latlons(data["geometry"]),
                "head_html": head,
                "troops_per_day": per_day,
                "troops_per_unit": round(troops_per_unit, 4),
                "capacity_units_per_day": filled[0] if len(set(filled)) == 1 else filled,
                "unit_html": _esc(_plural(str(first.unit))),
            })
    arrivals = result.node_arrivals
    destinations: list[dict[str, Any]] = []
    if not arrivals.empty:
        arrivals = arrivals.sort_values(["node", "day"])
        for node, group in arrivals.groupby("node", sort=True):
            cumulative: list[float | None] = [None] * len(days)
            for row in group.itertuples(index=False):
                i = index.get(math.ceil(float(row.day)))
                if i is not None:
                    cumulative[i] = round(float(row.troops), 1)
            data = graph.nodes.get(node)
            if data is None:
                logger.warning("destination %r is not in the graph", node)
                continue
            destinations.append({
                "node": str(node),
                "latlon": _latlon(data["x"], data["y"]),
                "name_html": _esc(data.get("name", group["name"].iloc[0])),
                "name_text": _label_text(data.get("name", group["name"].iloc[0])),
                "troops": _forward_fill(cumulative, default=0.0),
                "tooltip_html": _node_tooltip(str(node), data),
            })
    troops = [round(result.arrivals_by(float(day)), 1) for day in days]
    return {
        "days": days,
        "troops": troops,
        "flows": flows,
        "max_flow_troops_per_day": max((max(f["troops_per_day"]) for f in flows), default=0.0),
        "destinations": destinations,
        "max_destination_troops": max((max(d["troops"]) for d in destinations), default=0.0),
        "flow_colours": [[colour, None if math.isinf(limit) else limit]
                         for colour, limit in FLOW_COLOURS],
        "flow_weight_px": [FLOW_MIN_WEIGHT_PX, FLOW_MAX_EXTRA_WEIGHT_PX],
        "bubble_radius_px": [BUBBLE_MIN_RADIUS_PX, BUBBLE_MAX_EXTRA_RADIUS_PX],
        "marks_html": _slider_marks(result, days),
        "transfers": _transfer_timeline(result, index),
    }


def milestone_days(result: ClosureResult) -> dict[int, str]:
    """Days worth a mark on the slider: target deadlines and the days formations close."""
    marks: dict[int, str] = {}
    for number, target in enumerate(sorted(result.targets, key=lambda t: t.deadline_day), 1):
        marks[math.ceil(target.deadline_day)] = f"T{number} deadline"
    formations = getattr(result, "formations", None)
    if formations is not None and not formations.empty and "closed_day" in formations:
        for row in formations.itertuples():
            closed = row.closed_day
            if closed is not None and closed == closed:
                marks.setdefault(math.ceil(float(closed)), f"{row.formation} closed")
    return dict(sorted(marks.items()))


def _slider_marks(result: ClosureResult, days: list[int]) -> str:
    index = {day: i for i, day in enumerate(days)}
    options = "".join(f"<option value='{index[day]}' label='{_esc(text)}'></option>"
                      for day, text in milestone_days(result).items() if day in index)
    return f"<datalist id='mobility-marks'>{options}</datalist>"


def _forward_fill(values: list[float | None], *, default: float) -> list[float]:
    out, last = [], default
    for value in values:
        last = value if value is not None else last
        out.append(last)
    return out


# --- basemap and corridor ------------------------------------------------------------------


def _rounded_mapping(geometry: Any, decimals: int) -> dict[str, Any]:
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, decimals))
    return mapping(rounded)


def _read(folder: Path, name: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.read_file(folder / f"{name}.geojson", engine="pyogrio")


def _collection(frame: gpd.GeoDataFrame, styles: list[dict[str, Any]] | None = None,
                clip: Any = None) -> dict[str, Any]:
    features = []
    for position, geometry in enumerate(frame.geometry):
        if clip is not None and geometry is not None:
            geometry = geometry.intersection(clip)
        if geometry is None or geometry.is_empty:
            continue
        simplified = geometry.simplify(BASEMAP_SIMPLIFY_DEG, preserve_topology=True)
        if simplified.is_empty:
            continue
        properties = {"style": styles[position]} if styles else {}
        features.append({"type": "Feature", "properties": properties,
                         "geometry": _rounded_mapping(simplified, BASEMAP_DECIMALS)})
    return {"type": "FeatureCollection", "features": features}


@cache
def basemap_layers(folder: str) -> dict[str, Any]:
    """The offline vector basemap as GeoJSON for the map, simplified to ≈1 km.

    Parameters
    ----------
    folder
        A folder with Natural Earth ``countries``, ``lakes``, ``coastline`` and ``borders``
        GeoJSON files (see :func:`mobility._data.basemap_dir`).

    Returns
    -------
    dict
        ``layers`` (GeoJSON collections with Leaflet styles, drawn in order) and ``labels``
        (country names, HTML-escaped, at a point inside each country).
    """
    root = Path(folder)
    countries = _read(root, "countries").sort_values("NAME").reset_index(drop=True)
    fills = [{"fillColor": _COUNTRY_FILLS.get(str(code), _DEFAULT_COUNTRY_FILL)}
             for code in countries["ISO_A2"]]
    west, south, east, north = (float(v) for v in countries.total_bounds)
    # the lines stop just inside the edge, where the fade is all but opaque: no stroke (a
    # lake cut by the extract) shows where the land has faded out
    step_y, step_x = FADE_DEG[0] / 12, FADE_DEG[1] / 12
    inside = shapely.box(west + step_x, south + step_y, east - step_x, north - step_y)
    layers: list[dict[str, Any]] = [
        {"layer": "basemap", "geojson": _collection(countries, fills),
         "style": {"color": "#bdbdbd", "weight": 0.5, "fillOpacity": 1.0, "stroke": False}},
        {"layer": "basemap", "geojson": _collection(_read(root, "lakes"), clip=inside),
         "style": {"color": "#9ecae1", "weight": 0.5, "fillColor": _SEA_COLOUR,
                   "fillOpacity": 1.0}},
        {"layer": "basemap", "geojson": _collection(_read(root, "coastline"), clip=inside),
         "style": {"color": "#6baed6", "weight": 0.8, "fill": False}},
        {"layer": "basemap", "geojson": _collection(_read(root, "borders"), clip=inside),
         "style": {"color": "#8c8c8c", "weight": 1.2, "dashArray": "4 3", "fill": False}},
        {"layer": "basemap", "fade": True,
         "geojson": fade_frame((south, west), (north, east)),
         "style": {"stroke": False, "fillOpacity": 1.0, "fadeColour": _SEA_COLOUR}},
    ]
    for layer in layers:
        layer["style"]["pane"] = "mobility-basemap"
    labels = []
    for code, name, geometry in zip(countries["ISO_A2"], countries["NAME"], countries.geometry,
                                    strict=True):
        if geometry is None or geometry.is_empty:
            continue
        parts = sorted(getattr(geometry, "geoms", [geometry]), key=lambda g: -g.area)
        point = parts[0].representative_point()
        labels.append({"latlon": _latlon(point.x, point.y, 3), "html": _esc(name)})
        if code == "RU":
            kaliningrad = [p for p in parts if p.bounds[2] < 23.0]
            if kaliningrad:
                spot = kaliningrad[0].representative_point()
                labels.append({"latlon": _latlon(spot.x, spot.y, 3),
                               "html": _esc("Kaliningrad (RU)")})
    return {"layers": layers, "labels": labels}


#: The basemap's edge fades into the sea colour over this many degrees (lat, lon): about
#: 40 px at the smallest zoom, so the clipped land never ends in a hard rectangle.
FADE_DEG = (1.4, 2.5)
#: SVG gradients the map's script defines (``static/map.js``): opaque at the side named,
#: clear inwards.
FADE_SIDES = ("n", "s", "e", "w")


def fade_frame(south_west: tuple[float, float], north_east: tuple[float, float],
               ) -> dict[str, Any]:
    """Four strips along the inside of the basemap's rectangle (lat, lon corners), each
    filled with a gradient from the sea colour at the edge to clear inwards (``fillColor``
    ``url(#mobility-fade-SIDE)``): the land fades out instead of ending in a rectangle."""
    (south, west), (north, east) = south_west, north_east
    dy, dx = FADE_DEG
    strips = {"n": (west, north - dy, east, north), "s": (west, south, east, south + dy),
              "e": (east - dx, south, east, north), "w": (west, south, west + dx, north)}
    features = [{"type": "Feature",
                 "properties": {"style": {"fillColor": f"url(#mobility-fade-{side})"}},
                 "geometry": mapping(shapely.box(*strips[side]))} for side in FADE_SIDES]
    return {"type": "FeatureCollection", "features": features}


def suwalki_corridor(folder: Path, graph: nx.MultiDiGraph | None = None) -> Any | None:
    """The Suwałki corridor outline: the Polish-Lithuanian border buffered by 15 km.

    The PL-LT boundary (Natural Earth ``borders.geojson``) runs between the Kaliningrad
    oblast (RU) and Belarus; buffering it by :data:`SUWALKI_HALF_WIDTH_M` in ETRS89-LAEA
    (EPSG:3035) and keeping the part on Polish or Lithuanian land gives a band that spans the
    gap from the Russian to the Belarusian border and covers the crossings through it.
    Without that boundary the convex hull of the edges tagged ``suwalki`` is used, buffered
    the same way.

    Returns
    -------
    shapely.Polygon or None
        In EPSG:4326, or ``None`` when neither source is available.
    """
    import geopandas as gpd

    geometry = None
    path = Path(folder) / "borders.geojson"
    if path.exists():
        borders = _read(Path(folder), "borders")
        pair = {"POL", "LTU"}
        mask = [{str(a), str(b)} == pair
                for a, b in zip(borders["adm0_a3_l"], borders["adm0_a3_r"], strict=True)]
        if any(mask):
            geometry = shapely.union_all(list(borders.geometry[mask]))
    if geometry is None and graph is not None:
        lines = [data["geometry"] for _, _, data in data_edges(graph).values()
                 if "suwalki" in tuple(data.get("corridors") or ())]
        if lines:
            geometry = shapely.union_all(lines).convex_hull
    if geometry is None:
        return None
    metric = gpd.GeoSeries([geometry], crs=CRS).to_crs(METRIC_CRS)
    band = metric.buffer(SUWALKI_HALF_WIDTH_M).to_crs(CRS).iloc[0]
    countries_path = Path(folder) / "countries.geojson"
    if countries_path.exists():
        # keep the band on Polish and Lithuanian soil: it ends where RU and BY begin
        countries = _read(Path(folder), "countries")
        land = shapely.union_all(list(countries.geometry[countries["ISO_A2"].isin(["PL", "LT"])]))
        if not land.is_empty:
            band = band.intersection(land)
    return band.simplify(0.005, preserve_topology=True)


# --- legend ---------------------------------------------------------------------------------


def _line_swatch(style: dict[str, Any]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    width = min(float(style.get("weight", 2)), 6)
    return (f'<svg width="38" height="12" aria-hidden="true"><line x1="2" y1="6" x2="36" y2="6" '
            f'stroke="{style["color"]}" stroke-width="{width}"{dash}/></svg>')


def _flow_swatch(colour: str) -> str:
    """A flow as the map draws it: a coloured casing around the line it uses."""
    line = EDGE_STYLES["road"]
    return (f'<svg width="38" height="12" aria-hidden="true"><line x1="3" y1="6" x2="35" y2="6" '
            f'stroke="{colour}" stroke-width="{FLOW_MIN_WEIGHT_PX:g}" stroke-linecap="round"/>'
            f'<line x1="3" y1="6" x2="35" y2="6" stroke="{line["color"]}" stroke-width="2"/>'
            "</svg>")


def _point_swatch(style: dict[str, Any]) -> str:
    radius = min(float(style.get("radius", 5)), 6)
    fill = style.get("fillColor", "none") if style.get("fill", True) else "none"
    return (f'<svg width="38" height="14" aria-hidden="true"><circle cx="19" cy="7" r="{radius}" '
            f'fill="{fill}" stroke="{style["color"]}" stroke-width="2"/></svg>')


def nice_number(value: float) -> float:
    """``value`` rounded down to 1, 2 or 5 times a power of ten (0 for 0)."""
    if value <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    return max(step * power for step in (1, 2, 5) if step * power <= value)


def _size_key(timeline: dict[str, Any]) -> str:
    """The key for flow widths and destination bubble sizes, drawn as the map draws them."""
    rows = []
    top_flow = float(timeline["max_flow_troops_per_day"])
    if top_flow > 0:
        base, extra = timeline["flow_weight_px"]
        for value in sorted({nice_number(top_flow), nice_number(top_flow / 4)}, reverse=True):
            if value <= 0:
                continue
            width = base + extra * value / top_flow
            rows.append((f'<svg width="38" height="16" aria-hidden="true"><line x1="2" y1="8" '
                         f'x2="36" y2="8" stroke="#555" stroke-width="{width:.1f}"/></svg>',
                         f"{value:,.0f} troops/day"))
    top_arrived = float(timeline["max_destination_troops"])
    if top_arrived > 0:
        base, extra = timeline["bubble_radius_px"]
        for value in sorted({nice_number(top_arrived), nice_number(top_arrived / 10)},
                            reverse=True):
            if value <= 0:
                continue
            radius = base + extra * math.sqrt(value / top_arrived)
            size = 2 * radius + 4
            rows.append((f'<svg width="38" height="{size:.0f}" aria-hidden="true"><circle '
                         f'cx="19" cy="{size / 2:.1f}" r="{radius:.1f}" fill="#1b7837" '
                         f'stroke="#fff" stroke-width="2"/></svg>',
                         f"{value:,.0f} troops arrived"))
    return "".join(f"<div class='mobility-legend-row'>{swatch}<span>{_esc(label)}</span></div>"
                   for swatch, label in rows)


def legend_html(*, with_result: bool, highlights: Sequence[tuple[str, str]] = (),
                timeline: dict[str, Any] | None = None,
                key_rows: Sequence[tuple[str, float | None, str]] = ()) -> str:
    """The legend as HTML (static text; swatches drawn as inline SVG), collapsible.

    ``highlights``: (layer name, colour) of each highlight layer, shown last.
    ``timeline``: :func:`timeline_data`, for the key of flow widths and bubble sizes.
    ``key_rows``: see :func:`closure_map`.
    """
    rows = [
        (_line_swatch(EDGE_STYLES["rail_1435"]), "Rail 1435 mm (standard gauge)"),
        (_line_swatch(EDGE_STYLES["rail_1520"]), "Rail 1520 mm (broad gauge)"),
        (_line_swatch(EDGE_STYLES["rail_dual"]), "Rail dual gauge"),
        (_line_swatch(EDGE_STYLES["rail_baltica_phases"]), "Rail Baltica phase (planned)"),
        (_line_swatch(EDGE_STYLES["road_corridor"]), "Road, Via Baltica / Suwałki"),
        (_line_swatch(EDGE_STYLES["road"]), "Road"),
        (_line_swatch(EDGE_STYLES["sea"]), "Sea route"),
        (_line_swatch(EDGE_STYLES["air"]), "Air route"),
        (_point_swatch(NODE_STYLES["gauge_transfer"]), "Gauge-transfer site"),
        (_point_swatch(NODE_STYLES["border_crossings"]), "Border crossing"),
        (_point_swatch(NODE_STYLES["ports_airfields"]), "Port or airfield"),
        (_point_swatch(NODE_STYLES["origin"]), "Origin"),
        (_point_swatch({**CORRIDOR_STYLE, "radius": 6}), "Suwałki corridor"),
    ]
    if with_result:
        rows += [
            (_point_swatch(NODE_STYLES["destination"]), "Destination (troops arrived)"),
            (_flow_swatch(FLOW_COLOURS[0][0]), "Flow, under 50 % used"),
            (_flow_swatch(FLOW_COLOURS[1][0]), "Flow, 50-90 % used"),
            (_flow_swatch(FLOW_COLOURS[2][0]), "Flow, 90 % or more used"),
            (_point_swatch({**BOTTLENECK_STYLE, "radius": 6}), "Bottleneck"),
        ]
        note = ("<div class='mobility-legend-title'>Sizes (on the last day)</div>"
                + (_size_key(timeline) if timeline else "")
                + "<div class='mobility-note'>Flows are drawn as a casing around the line "
                "they use (its gauge stays readable); width ∝ troops/day; bubble area ∝ "
                "troops arrived. Numbered badges: bottlenecks by rank.</div>")
    else:
        note = ""
    rows += [(_line_swatch({"color": _colour(colour), "weight": 6}), name)
             for name, colour in highlights]
    body = "".join(f"<div class='mobility-legend-row'>{swatch}<span>{_esc(label)}</span></div>"
                   for swatch, label in rows)
    for colour, score, label in key_rows:
        if not colour or score is None:
            body += f"<div class='mobility-note'>{_esc(label)}</div>"
            continue
        width = HIGHLIGHT_MIN_WEIGHT_PX + HIGHLIGHT_MAX_EXTRA_WEIGHT_PX * min(1.0, max(0.0, score))
        swatch = (f'<svg width="38" height="18" aria-hidden="true"><line x1="4" y1="9" x2="34" '
                  f'y2="9" stroke="{_colour(colour)}" stroke-width="{width:.1f}" '
                  'stroke-linecap="round"/></svg>')
        body += f"<div class='mobility-legend-row'>{swatch}<span>{_esc(label)}</span></div>"
    if highlights and not key_rows:
        note += ("<div class='mobility-note'>Highlights: line width and ring size grow with "
                 "the score.</div>")
    return (f"<details class='mobility-collapsible' open><summary class='mobility-legend-title'>"
            f"Legend</summary>{body}{note}</details>")


# --- the page's own script ------------------------------------------------------------------


class _ClosureMapScript(MacroElement):
    """Embeds the map data as JSON and calls ``static/map.js`` on the Folium map and layers."""

    def __init__(self, groups: dict[str, folium.FeatureGroup], data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "mobility_closure_map"
        self.groups = groups
        self.data = data

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca's returns None
        figure = cast(Figure, self.get_root())
        assert self._parent is not None  # added to the map before it renders
        figure.html.add_child(
            RawHtml('<script type="application/json" id="mobility-closure-data">'
                    f"{script_json(self.data)}</script>"),
            name="mobility_closure_data",
        )
        layers = ",".join(f"{script_json(key)}:{group.get_name()}"
                          for key, group in self.groups.items())
        call = (f"{static_text('map.js')}\nmobilityClosureMap({self._parent.get_name()}, "
                f"{{{layers}}}, JSON.parse(document.getElementById("
                "'mobility-closure-data').textContent));")
        figure.script.add_child(RawHtml(call), name="mobility_closure_script")
