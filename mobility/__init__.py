"""baltic-mobility: military mobility and logistics model of the Baltic states.

How fast can NATO move its Force Model volumes into Estonia, Latvia and Lithuania,
and which infrastructure fixes buy the most days?

>>> import mobility
>>> graph = mobility.load_network(year=2030)
>>> result = mobility.closure(graph, "rail-baltica-2030")
"""

from mobility._errors import (
    InfeasibleError,
    MobilityError,
    NetworkDataError,
    ScenarioError,
    UnknownNodeError,
)
from mobility.closure import closure
from mobility.compare import Comparison, compare
from mobility.criticality import criticality
from mobility.interdiction import interdict
from mobility.investments import evaluate_investments, load_catalogue
from mobility.network import load_network, network_gdfs
from mobility.result import Bottleneck, ClosureResult, TargetOutcome
from mobility.routing import Route, route, route_timing
from mobility.scenario import Scenario, load_scenario
from mobility.sweep import load_sweep, run_sweep

__version__ = "0.1.0"

__all__ = [
    "Bottleneck",
    "ClosureResult",
    "Comparison",
    "InfeasibleError",
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
