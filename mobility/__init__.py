"""baltic-mobility: military mobility and logistics model of the Baltic states.

How fast can NATO move its Force Model volumes into Estonia, Latvia and Lithuania,
and which infrastructure fixes buy the most days?

>>> import mobility
>>> graph = mobility.load_network(year=2030)
>>> result = mobility.closure(graph, "rail-baltica-2030")

The public names are imported on first use (PEP 562), so ``import mobility`` and the
``mobility`` command's start-up do not pay for pandas, networkx, geopandas and OR-Tools
until a function that needs them is called. So are the stages, as modules:
``mobility.network``, ``mobility.scenario``, ``mobility.flows`` (solvers),
``mobility.routing``, ``mobility.disruption``, ``mobility.analysis``, ``mobility.sweep``,
``mobility.materiel`` (materiel plans: ``mobility.materiel.materiel(plan)``) and
``mobility.viz`` (maps, plots, reports). ``mobility.closure`` is the function (its
subpackage is ``mobility.engines.fleet`` etc., imported by name).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mobility._errors import (
    InfeasibleError,
    MobilityError,
    NetworkDataError,
    ScenarioError,
    UnknownNodeError,
)

if TYPE_CHECKING:
    from mobility.analysis.compare import Comparison, compare
    from mobility.analysis.criticality import criticality
    from mobility.analysis.interdiction import interdict
    from mobility.analysis.investments import evaluate_investments, load_catalogue
    from mobility.engines import closure
    from mobility.materiel import MaterielResult
    from mobility.network import load_network, network_gdfs
    from mobility.result import Bottleneck, ClosureResult, TargetOutcome
    from mobility.routing import Route, route, route_timing
    from mobility.scenario import Scenario, load_scenario
    from mobility.sweep import load_sweep, run_sweep

# Public name -> the module that defines it, imported when the name is first looked up.
_LAZY = {
    "closure": "mobility.engines",
    "Comparison": "mobility.analysis.compare",
    "compare": "mobility.analysis.compare",
    "criticality": "mobility.analysis.criticality",
    "interdict": "mobility.analysis.interdiction",
    "evaluate_investments": "mobility.analysis.investments",
    "load_catalogue": "mobility.analysis.investments",
    "MaterielResult": "mobility.materiel",
    "load_network": "mobility.network",
    "network_gdfs": "mobility.network",
    "Bottleneck": "mobility.result",
    "ClosureResult": "mobility.result",
    "TargetOutcome": "mobility.result",
    "Route": "mobility.routing",
    "route": "mobility.routing",
    "route_timing": "mobility.routing",
    "Scenario": "mobility.scenario",
    "load_scenario": "mobility.scenario",
    "load_sweep": "mobility.sweep",
    "run_sweep": "mobility.sweep",
}

#: Subpackages and modules reachable as attributes of the package, imported on first use.
_MODULES = frozenset({
    "analysis", "bench", "calibration", "disruption", "engines", "flows", "forces", "materiel",
    "movement", "names", "network", "osm", "osm_import", "result", "routing", "scenario",
    "schema", "settings", "sweep", "synthetic", "unit_profiles", "viz",
})

__all__ = [
    "Bottleneck",
    "ClosureResult",
    "Comparison",
    "InfeasibleError",
    "MaterielResult",
    "MobilityError",
    "NetworkDataError",
    "Route",
    "Scenario",
    "ScenarioError",
    "TargetOutcome",
    "UnknownNodeError",
    "closure",
    "compare",
    "criticality",
    "evaluate_investments",
    "interdict",
    "load_catalogue",
    "load_network",
    "load_scenario",
    "load_sweep",
    "network_gdfs",
    "route",
    "route_timing",
    "run_sweep",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # from the installed metadata, read on first use
        from mobility._version import package_version

        globals()[name] = version = package_version()
        return version
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")  # binds itself on import
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'mobility' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # cached: later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _MODULES)
