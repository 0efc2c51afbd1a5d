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
from .session import Session

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
    "Session",
    "load_pack",
    "shipped_packs",
    "validate_pack",
]
__version__ = "0.1.0"
