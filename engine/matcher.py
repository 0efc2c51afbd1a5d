"""The rule sets a pack's conditions compile into, and the backend-neutral interface.

A *rule* is a condition with an id, grouped under a *key* (an objection id, or a
pipeline stage). `Matcher.matching(key, facts)` returns the ids of the rules of that key
whose condition is True. Gate criteria need three values, so a criterion compiles into
two rules: `<id>` (true) and `<id>!` (false); neither firing means unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .conditions import Condition, Not, evaluate
from .errors import Position
from .factvalues import Value
from .model import PackModel

FALSE_SUFFIX = "!"


@dataclass(frozen=True)
class Rule:
    id: str
    condition: Condition
    position: Position


@dataclass
class RuleBook:
    """All rules of a pack, by key, in declaration order."""

    by_key: dict[str, list[Rule]] = field(default_factory=dict)

    def add(self, key: str, rule_id: str, condition: Condition, position: Position) -> None:
        self.by_key.setdefault(key, []).append(Rule(rule_id, condition, position))

    def add_three_valued(self, key: str, rule_id: str, condition: Condition,
                         position: Position) -> None:
        self.add(key, rule_id, condition, position)
        self.add(key, rule_id + FALSE_SUFFIX, Not(condition), position)

    def rule_count(self) -> int:
        return sum(len(rules) for rules in self.by_key.values())


def reply_key(objection_id: str) -> str:
    return f"objection:{objection_id}"


def stage_key(pipeline_id: str, stage_id: str) -> str:
    return f"stage:{pipeline_id}:{stage_id}"


def build_rulebook(model: PackModel) -> RuleBook:
    """Every condition of the pack, keyed so one turn evaluates only what it needs."""
    book = RuleBook()
    for objection in model.objections:
        key = reply_key(objection.id)
        for reply in objection.replies:
            book.add(key, f"reply:{reply.id}", reply.when, reply.position)
        for i, action in enumerate(objection.next_actions):
            book.add(key, f"action:{i}", action.when, action.position)
        if objection.escalation:
            for i, action in enumerate(objection.escalation.actions):
                book.add(key, f"escalation_action:{i}", action.when, action.position)
    if model.escalation:
        for i, action in enumerate(model.escalation.actions):
            book.add("escalation", f"escalation_action:{i}", action.when, action.position)
    for pipeline in model.pipelines:
        for stage in pipeline.stages:
            key = stage_key(pipeline.id, stage.id)
            for criterion in stage.exit:
                book.add_three_valued(key, f"exit:{criterion.id}", criterion.when,
                                      criterion.position)
                if criterion.action is not None:
                    book.add(key, f"exit_action:{criterion.id}", criterion.action.when,
                             criterion.action.position)
            for criterion in stage.terminate:
                book.add_three_valued(key, f"terminate:{criterion.id}", criterion.when,
                                      criterion.position)
    return book


class Matcher(Protocol):
    name: str

    def matching(self, key: str, facts: Mapping[str, Value]) -> frozenset[str]: ...

    def close(self) -> None: ...


class PythonMatcher:
    """The reference evaluator as a backend: plain Python, no native code."""

    name = "python"

    def __init__(self, book: RuleBook) -> None:
        self._book = book

    def matching(self, key: str, facts: Mapping[str, Value]) -> frozenset[str]:
        return frozenset(r.id for r in self._book.by_key.get(key, ())
                         if evaluate(r.condition, facts) is True)

    def close(self) -> None:
        pass
