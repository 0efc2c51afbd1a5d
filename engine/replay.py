"""Replaying a recorded input through a pack: a conversation turn by turn, or a deal's gate.

The input file is a conversation (YAML with `turns`, a YAML list, or JSONL) or a deal
(YAML/JSON: `{facts: ..., now: ..., pipeline: ...}` or plain facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .conversation import Conversation, read_recorded
from .pack import Pack


@dataclass(frozen=True)
class Step:
    """What a pack did at one step: a turn of a conversation, or a deal's gate."""

    label: str  # "turn 3", "deal"
    said: str
    result: dict[str, Any]  # a turn's Recommendation dict, or a gate result


def replay(pack: Pack, path: Path) -> list[Step]:
    """Run one input file through the pack."""
    recorded = read_recorded(path)
    if isinstance(recorded, Conversation):
        conversation = recorded
        session = pack.session(conversation.session, conversation.facts,
                               locale=conversation.locale)
        steps = []
        for number, turn in enumerate(conversation.turns, start=1):
            rec = session.turn(utterance=turn.utterance, facts=turn.facts,
                               now=turn.now or conversation.now)
            steps.append(Step(f"turn {number}", turn.utterance, rec.to_dict()))
        return steps
    return [Step("deal", "", gate_deal(pack, recorded))]


def gate_deal(pack: Pack, deal: dict[str, Any], now: str | None = None,
              pipeline: str | None = None, move_to: str | None = None,
              locale: str | None = None) -> dict[str, Any]:
    """The gate of a deal file ({facts, now?, pipeline?, to?, override?}); arguments given
    here (the CLI's flags) win over the file's own keys."""
    recorded_now = deal.get("now")
    return pack.gate(deal["facts"],
                     now=now or (str(recorded_now) if recorded_now is not None else None),
                     pipeline=pipeline or deal.get("pipeline"), locale=locale,
                     move_to=move_to or deal.get("to"), override=deal.get("override"))
