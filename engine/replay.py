"""Replaying a recorded input through a pack: a conversation turn by turn, or a deal's gate.

The input file is a conversation (YAML with `turns`, a YAML list, or JSONL) or a deal
(YAML/JSON: `{facts: ..., now: ..., pipeline: ...}` or plain facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .conversation import read_conversation
from .errors import InputError
from .pack import Pack


@dataclass(frozen=True)
class Step:
    """What a pack did at one step: a turn of a conversation, or a deal's gate."""

    label: str  # "turn 3", "deal"
    said: str
    result: dict[str, Any]  # a turn's Recommendation dict, or a gate result


def is_conversation(path: Path) -> bool:
    if path.suffix == ".jsonl":
        return True
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read: {error}", str(path)) from error
    except yaml.YAMLError as error:
        raise InputError(f"invalid YAML: {error}", str(path)) from error
    return isinstance(raw, list) or (isinstance(raw, dict) and "turns" in raw)


def read_deal(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read deal: {error}", str(path)) from error
    except yaml.YAMLError as error:
        raise InputError(f"invalid YAML: {error}", str(path)) from error
    if not isinstance(raw, dict):
        raise InputError("neither a conversation (with 'turns') nor a deal (a mapping of "
                         "facts, or {facts: {...}})", str(path))
    if "facts" not in raw:
        raw = {"facts": raw}
    if not isinstance(raw["facts"], dict):
        raise InputError("'facts' must be a mapping", str(path))
    return raw


def replay(pack: Pack, path: Path) -> list[Step]:
    """Run one input file through the pack."""
    if is_conversation(path):
        conversation = read_conversation(path)
        session = pack.session(conversation.session, conversation.facts,
                               locale=conversation.locale)
        steps = []
        for number, turn in enumerate(conversation.turns, start=1):
            rec = session.turn(utterance=turn.utterance, facts=turn.facts,
                               now=turn.now or conversation.now)
            steps.append(Step(f"turn {number}", turn.utterance, rec.to_dict()))
        return steps
    deal = read_deal(path)
    now = deal.get("now")
    gate = pack.gate(deal["facts"], now=str(now) if now is not None else None,
                     pipeline=deal.get("pipeline"), move_to=deal.get("to"),
                     override=deal.get("override"))
    return [Step("deal", "", gate)]
