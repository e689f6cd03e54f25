"""The fastest feasible military move of one unit between two places, and real alternatives.

A route is searched on the movement graph (:mod:`mobility.movement`), so the gauge is physics:
a 1435 mm train reaches 1520 mm track only through a ``gauge_transfer`` node. Each node's gate
is expanded into one *transfer arc* per pair of layers it joins, so that loading
(road → rail/sea/air), unloading (→ road), gauge transfer (rail-1435 ↔ rail-1520) and
transshipment (e.g. rail → sea) each cost the node's dwell plus the unit's own handling time
(:mod:`mobility.unit_profiles`). Every query starts on the road layer of its origin (the unit
is on its own wheels or tracks) and ends on the road layer of its destination.

Move time
---------
The time a move takes is the time until the *whole unit* has arrived:

``hours = first_arrival_h + closing_h``

* ``first_arrival_h``: the first element (first train, first ship, head of the road column)
  — loading and marshalling, the legs at military speeds (the network's ``speed_kph`` are
  military averages; road marches count whole march days of ``road_march_hours_per_day``
  with the night's rest between them), terminal and gauge-transfer dwell, border clearance
  (the scenario's ``border_delays``) and unloading;
* ``closing_h``: how long the rest of the unit follows the first element. Moving a unit of
  ``n`` identical loads through stages in series, the last load arrives ``(n - 1) x h`` after
  the first, where ``h`` is the time the slowest stage needs per load (the makespan of
  identical jobs in a flow shop). A stage of capacity ``c`` loads/day takes ``24 / c`` h per
  load; a road column takes its pass time (FM 3-21.8 densities, :meth:`UnitProfile.column_pass_h`).

Minimising ``l(P) + max_a p_a`` over paths ``P`` (``l`` additive, ``p`` the closing time
each arc imposes) is the *quickest path problem* (Chen & Chin 1990, "The quickest path
problem", Computers & Operations Research 17(2); Rosen, Sun & Xue 1991). It is solved exactly
by running Dijkstra's algorithm (1959) on the arcs with ``p_a ≤ θ`` for each distinct ``θ``,
pruned by the unrestricted shortest path. During the search a road march is stretched
evenly by ``24 / road_march_hours_per_day`` (as the closure model does); the reported legs then
count whole march days, so a short march is not charged a night's rest.

Alternatives (``alternatives=k``) are found by forbidding the elements that characterise
earlier routes — corridor tags, transfer sites, border-crossing edges and modes — one more at
a time (a Lawler-style search tree, Lawler 1972) and keeping only routes whose set of such
elements is new; each reports what distinguishes it from the fastest route.

The movement graph and the per-unit arc weights are cached per (network, scenario, day) and
per (unit, mode) in a :class:`RoutingCache` (one per process unless ``cache=`` gives another);
treat a network as read-only once you route on it.

Modules, in the order a search uses them: ``graph`` (the movement graph read into routing
tables under a scenario's settings, and the cache), ``profiles`` (the routing graph of one
unit profile and mode: arcs, weights, closing lags), ``places`` (typed places and avoided
elements), ``search`` (the quickest-path search, alternatives, messages, :func:`route`) and
``result`` (what a search returns).
"""

from __future__ import annotations

from mobility.routing.graph import DEFAULT_CACHE, RoutingCache, route_network
from mobility.routing.result import BorderCrossing, Leg, Place, Route, Transfer
from mobility.routing.search import DEFAULT_UNIT, MODES, route, route_timing

__all__ = [
    "DEFAULT_CACHE",
    "DEFAULT_UNIT",
    "MODES",
    "BorderCrossing",
    "Leg",
    "Place",
    "Route",
    "RoutingCache",
    "Transfer",
    "route",
    "route_network",
    "route_timing",
]
