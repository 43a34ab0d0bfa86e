"""Route optimisation for one delivery day, independent of the database.

>>> from luckygas.optimize import RoutingProblem, solve, check_plan  # doctest: +SKIP
"""

from luckygas.optimize.checker import Violation as Violation
from luckygas.optimize.checker import check_plan as check_plan
from luckygas.optimize.matrix import HaversineMatrix as HaversineMatrix
from luckygas.optimize.matrix import MatrixData as MatrixData
from luckygas.optimize.matrix import TravelMatrix as TravelMatrix
from luckygas.optimize.matrix import UserMatrix as UserMatrix
from luckygas.optimize.params import CostParams as CostParams
from luckygas.optimize.params import SearchParams as SearchParams
from luckygas.optimize.params import SeedingParams as SeedingParams
from luckygas.optimize.params import SolverParams as SolverParams
from luckygas.optimize.pipeline import solve as solve
from luckygas.optimize.problem import Depot as Depot
from luckygas.optimize.problem import Location as Location
from luckygas.optimize.problem import Order as Order
from luckygas.optimize.problem import RoutingProblem as RoutingProblem
from luckygas.optimize.problem import ServiceTime as ServiceTime
from luckygas.optimize.problem import Vehicle as Vehicle
from luckygas.optimize.reasons import ReasonCode as ReasonCode
from luckygas.optimize.replan import MoveRefused as MoveRefused
from luckygas.optimize.replan import ReplanRefused as ReplanRefused
from luckygas.optimize.result import PlanResult as PlanResult
from luckygas.optimize.result import RunRecord as RunRecord

__all__ = [
    "CostParams",
    "Depot",
    "HaversineMatrix",
    "Location",
    "MatrixData",
    "MoveRefused",
    "Order",
    "PlanResult",
    "ReasonCode",
    "ReplanRefused",
    "RoutingProblem",
    "RunRecord",
    "SearchParams",
    "SeedingParams",
    "ServiceTime",
    "SolverParams",
    "TravelMatrix",
    "UserMatrix",
    "Vehicle",
    "Violation",
    "check_plan",
    "solve",
]
