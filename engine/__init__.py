"""Playbook engine: objection handling and stage gating from YAML rule packs.

    import engine
    pack = engine.load_pack("brokerage")
    session = pack.session("c-42", facts={"customer.type": "business_owner"})
    rec = session.turn(utterance="我最近太忙了")
    rec.to_dict()
"""

from .detect import Hit
from .errors import (
    InputError,
    MatcherError,
    PackError,
    PackNotFoundError,
    PlaybookError,
    Position,
    Problem,
)
from .pack import Pack, load_pack, validate_pack
from .packs import shipped_packs
from .recommendation import Recommendation
from .scenario import Scenario, ScenarioError, load_scenario
from .scoring import TurnScore, score_answer
from .session import Session
from .simulate import RunResult, monte_carlo, run_scenario, simulate_funnel

__all__ = [
    "Hit",
    "InputError",
    "MatcherError",
    "Pack",
    "PackError",
    "PackNotFoundError",
    "PlaybookError",
    "Position",
    "Problem",
    "Recommendation",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Session",
    "TurnScore",
    "load_pack",
    "load_scenario",
    "monte_carlo",
    "run_scenario",
    "score_answer",
    "shipped_packs",
    "simulate_funnel",
    "validate_pack",
]
__version__ = "0.1.0"
