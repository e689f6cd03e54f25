"""Flashpoint massing: how many troops, and which, can be near Narva by hour 48, 72, 96?

files → flashpoint scenario and force list → area and moves on the network → LP → result →
map/report:

- :mod:`~mobility.massing.scenario`: the flashpoint YAML schema (area, force list,
  reinforcements, rules, hours asked, closures, adversary timeline) and the force list;
- :mod:`~mobility.massing.routes`: the area's network nodes and each unit's moves into it
  (the routing's fastest routes, same frictions), read into capacity uses over time;
- :mod:`~mobility.massing.model`: the time-stepped LP sharing road, rail and gate
  capacities (OR-Tools);
- :mod:`~mobility.massing.engine`: :func:`mass`: troops by hour, arrivals, what binds,
  the adversary timeline; :func:`compare`;
- :mod:`~mobility.massing.result`: the result objects, their JSON and CSV;
- :mod:`~mobility.massing.views`: tables, the offline map, the report.

>>> from mobility.massing import mass
>>> result = mass("narva")
>>> result.troops_by["48"], result.binding[0].name
"""

from __future__ import annotations

from mobility.massing.engine import compare, hour_to_reach, mass, network_for_flashpoint
from mobility.massing.result import MassingResult
from mobility.massing.scenario import (
    FlashpointError,
    FlashpointScenario,
    available_flashpoints,
    load_flashpoint,
    parse_hours,
)

__all__ = [
    "FlashpointError",
    "FlashpointScenario",
    "MassingResult",
    "available_flashpoints",
    "compare",
    "hour_to_reach",
    "load_flashpoint",
    "mass",
    "network_for_flashpoint",
    "parse_hours",
]
