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
from mobility.network import load_network, network_gdfs
from mobility.result import Bottleneck, ClosureResult, TargetOutcome
from mobility.routing import Route, route, route_timing
from mobility.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "Bottleneck",
    "ClosureResult",
    "InfeasibleError",
    "MobilityError",
    "NetworkDataError",
    "Route",
    "Scenario",
    "ScenarioError",
    "TargetOutcome",
    "UnknownNodeError",
    "closure",
    "load_network",
    "load_scenario",
    "network_gdfs",
    "route",
    "route_timing",
]
