"""Flow solvers: exact flows over time and time-expanded baselines and LPs.

* `earliest_arrival_curve` - exact single-commodity earliest-arrival curve (continuous time).
* `max_flow_over_time`, `max_static_flow`, `min_cut` - single OR-Tools solves.
* `time_expanded_max_flow`, `time_expanded_flow` - the naive discrete baseline.
* `time_expanded_lp` - multi-commodity, time-varying capacities (GLOP or PDLP).
* `contract_chains` - merge series chains to keep time-expanded models small.
"""

from mobility.flows.contraction import ContractedProblem, contract_chains
from mobility.flows.earliest_arrival import (
    ArrivalCurve,
    FlowSolverError,
    earliest_arrival_curve,
    max_flow_over_time,
    max_static_flow,
    min_cut,
)
from mobility.flows.problem import FlowProblem
from mobility.flows.time_expanded import (
    ArcCapacityChange,
    Commodity,
    TimeExpandedFlow,
    TimeExpandedResult,
    TimeExpandedSize,
    time_expanded_flow,
    time_expanded_lp,
    time_expanded_max_flow,
    time_expanded_size,
)

__all__ = [
    "ArcCapacityChange",
    "ArrivalCurve",
    "Commodity",
    "ContractedProblem",
    "FlowProblem",
    "FlowSolverError",
    "TimeExpandedFlow",
    "TimeExpandedResult",
    "TimeExpandedSize",
    "contract_chains",
    "earliest_arrival_curve",
    "max_flow_over_time",
    "max_static_flow",
    "min_cut",
    "time_expanded_flow",
    "time_expanded_lp",
    "time_expanded_max_flow",
    "time_expanded_size",
]
