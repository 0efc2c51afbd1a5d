"""The typed, immutable model of a loaded pack.

Everything here is plain frozen data: the loader builds it from YAML, the compiler turns
its conditions into matcher rules, sessions and gates read it. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .conditions import ALWAYS, Condition
from .errors import InputError, Position
from .factvalues import FactTable

NOWHERE = Position("<pack>")


def frozen_map(data: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True)
class Text:
    """A text written once per locale."""

    by_locale: Mapping[str, str] = field(default_factory=frozen_map)

    def get(self, locale: str, fallback: str | None = None) -> str:
        if locale in self.by_locale:
            return self.by_locale[locale]
        if fallback and fallback in self.by_locale:
            return self.by_locale[fallback]
        return next(iter(self.by_locale.values()), "")

    def to_dict(self) -> dict[str, str]:
        return dict(self.by_locale)


@dataclass(frozen=True)
class Pattern:
    """One written detection pattern: its parts (one for a plain phrase), each the set of
    normalized strings that may fill it, and a weight."""

    source: str
    slots: tuple[frozenset[str], ...]
    weight: float
    locale: str
    ordered: bool = True  # parts in order (`a…b`), or in any order in one clause (`a & b`)
    position: Position = NOWHERE
    alone: bool = False  # counts only when no other entry is heard in the utterance

    @classmethod
    def phrase(cls, text: str, locale: str, weight: float = 1.0) -> Pattern:
        """A plain phrase, already normalized."""
        return cls(text, (frozenset((text,)),), weight, locale)


@dataclass(frozen=True)
class Action:
    type: str
    params: Mapping[str, Any] = field(default_factory=frozen_map)
    when: Condition = ALWAYS
    position: Position = NOWHERE

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.params}


@dataclass(frozen=True)
class Reply:
    id: str
    when: Condition = ALWAYS
    priority: int = 0
    key_points: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    position: Position = NOWHERE


@dataclass(frozen=True)
class Escalation:
    reply: str | None = None
    actions: tuple[Action, ...] = ()
    position: Position = NOWHERE


@dataclass(frozen=True)
class Objection:
    id: str
    kind: str  # "objection" | "question"
    title: Text
    patterns: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...]
    replies: tuple[Reply, ...]
    repeat: str = "rotate"  # "rotate" | "first"
    escalate_after: int | None = None
    escalation: Escalation | None = None
    next_actions: tuple[Action, ...] = ()
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    position: Position = NOWHERE
    speaker_only: bool = False  # a hit must describe the speaker, not someone else


@dataclass(frozen=True)
class Criterion:
    id: str
    when: Condition
    required: bool = True
    message: Text = field(default_factory=Text)
    question: Text | None = None
    action: Action | None = None
    position: Position = NOWHERE


@dataclass(frozen=True)
class Approvals:
    parties: tuple[str, ...]
    on_refusal: str = "escalate"  # "escalate" | "terminate"
    position: Position = NOWHERE


@dataclass(frozen=True)
class Stage:
    id: str
    title: Text
    owner: str | None = None
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    activities: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    max_days: int | None = None
    exit: tuple[Criterion, ...] = ()
    terminate: tuple[Criterion, ...] = ()
    approvals: Approvals | None = None
    position: Position = NOWHERE


@dataclass(frozen=True)
class Pipeline:
    id: str
    title: Text
    stage_fact: str
    stages: tuple[Stage, ...]
    entered_fact: str | None = None
    allow_skip: bool = False
    allow_backward: bool = False
    escalate_to: str | None = None
    position: Position = NOWHERE

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def index(self, stage_id: str) -> int:
        return next((i for i, s in enumerate(self.stages) if s.id == stage_id), -1)


@dataclass(frozen=True)
class Disclosure:
    id: str
    objections: tuple[str, ...]
    text: Text
    position: Position = NOWHERE


@dataclass(frozen=True)
class Compliance:
    forbid: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    disclosures: tuple[Disclosure, ...] = ()


@dataclass(frozen=True)
class Detection:
    threshold: float = 0.5
    negation_window: int = 3
    negation_cues: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    # person words by role ("self", "others", "not_persons"), each {locale: words}:
    # whose situation a hit describes, for entries with `speaker: self`
    speaker_words: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=frozen_map)


@dataclass(frozen=True)
class PackModel:
    id: str
    version: str
    title: Text
    locales: tuple[str, ...]
    facts: FactTable
    action_types: Mapping[str, Mapping[str, str]]
    detection: Detection
    compliance: Compliance
    objections: tuple[Objection, ...]
    pipelines: tuple[Pipeline, ...]
    escalation: Escalation | None
    match_nothing: Mapping[str, tuple[str, ...]]
    root: Path
    responses_root: Path
    files: tuple[Path, ...] = ()
    unused_word_lists: tuple[tuple[str, Position], ...] = ()  # lexicon names no pattern uses

    @property
    def default_locale(self) -> str:
        return self.locales[0]

    def locale(self, requested: str | None) -> str:
        """The locale to use: the requested one, which must be the pack's, or the default."""
        if requested is None:
            return self.default_locale
        if requested not in self.locales:
            raise InputError(f"locale '{requested}' is not one of the pack's locales "
                             f"({', '.join(self.locales)})")
        return requested

    def objection(self, objection_id: str) -> Objection | None:
        return next((o for o in self.objections if o.id == objection_id), None)

    def pipeline(self, pipeline_id: str | None = None) -> Pipeline | None:
        if pipeline_id is None:
            return self.pipelines[0] if self.pipelines else None
        return next((p for p in self.pipelines if p.id == pipeline_id), None)

    def reply_positions(self) -> dict[str, Position]:
        """Every reply id a template must exist for, with where it is declared."""
        positions: dict[str, Position] = {}
        for objection in self.objections:
            for reply in objection.replies:
                positions.setdefault(reply.id, reply.position)
            if objection.escalation and objection.escalation.reply:
                positions.setdefault(objection.escalation.reply, objection.escalation.position)
        if self.escalation and self.escalation.reply:
            positions.setdefault(self.escalation.reply, self.escalation.position)
        return positions

    def reply_ids(self) -> list[str]:
        ids: list[str] = []
        for objection in self.objections:
            ids.extend(r.id for r in objection.replies)
            if objection.escalation and objection.escalation.reply:
                ids.append(objection.escalation.reply)
        if self.escalation and self.escalation.reply:
            ids.append(self.escalation.reply)
        return list(dict.fromkeys(ids))
