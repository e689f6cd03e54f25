"""Materiel plans: can the Baltic Defence Line's bunkers reach their storage areas in time?

files → plan → lanes over the network → weekly LP → result → map/report:

- :mod:`~mobility.materiel.plan`: the plan's YAML schema (items, plants, storage areas,
  fleet, calendar, deadline);
- :mod:`~mobility.materiel.lanes`: plant → storage-area lanes by road and 1520 mm rail, the
  oversize rules, cycle times;
- :mod:`~mobility.materiel.model`: the weekly production–transport–installation LP
  (OR-Tools), the exact completion week;
- :mod:`~mobility.materiel.engine`: :func:`materiel`: schedule, what binds, what one more
  unit buys;
- :mod:`~mobility.materiel.result`: the result objects, their JSON and CSV;
- :mod:`~mobility.materiel.views`: the offline map, the HTML report, plans side by side.

>>> from mobility.materiel import materiel
>>> result = materiel("estonia-bunkers")
>>> result.completion, result.binding, result.marginal[0].change
"""

from __future__ import annotations

from mobility.materiel.engine import materiel, network_for_plan
from mobility.materiel.plan import MaterielPlan, MaterielPlanError, available_plans, load_plan
from mobility.materiel.result import MaterielResult

__all__ = [
    "MaterielPlan",
    "MaterielPlanError",
    "MaterielResult",
    "available_plans",
    "load_plan",
    "materiel",
    "network_for_plan",
]
