"""The condition language of packs: AST, parser and the reference evaluator.

Conditions are structured YAML, never code:

    {customer.type: business_owner}                 equality
    {customer.capital: {gte: 50000}}                eq ne lt lte gt gte in not_in exists
    {all: [...]}  {any: [...]}  {not: {...}}        logic; several keys in one map = all

Logic is three-valued (Kleene): a comparison on a missing fact is *unknown* (None),
`not unknown` is unknown, and a rule applies only when its condition is True. The same
AST is compiled for durable_rules (`durable_backend.py`); this evaluator is the oracle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ProblemLog
from .factvalues import FactTable, Value, quantize
from .suggest import nearest
from .yamlsource import LocDict, LocList, where

COMPARISONS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "exists")
ORDERING = ("lt", "lte", "gt", "gte")
NEGATED = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "gt": "lte", "lte": "gt",
           "in": "not_in", "not_in": "in"}
LOGIC = ("all", "any", "not")
MAX_LITERALS_PER_LIST = 256


@dataclass(frozen=True)
class Compare:
    path: str
    op: str
    value: Any  # a scalar, or a tuple of scalars for in / not_in


@dataclass(frozen=True)
class Exists:
    path: str
    expected: bool


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Compare | Exists | All | AnyOf | Not
ALWAYS = All(())

Truth = bool | None


def evaluate(cond: Condition, facts: Mapping[str, Value]) -> Truth:
    """Three-valued truth of `cond` over normalized facts (missing fact → None)."""
    if isinstance(cond, Compare):
        return _compare(cond, facts)
    if isinstance(cond, Exists):
        return (cond.path in facts) == cond.expected
    if isinstance(cond, All):
        result: Truth = True
        for item in cond.items:
            value = evaluate(item, facts)
            if value is False:
                return False
            if value is None:
                result = None
        return result
    if isinstance(cond, AnyOf):
        result = False
        for item in cond.items:
            value = evaluate(item, facts)
            if value is True:
                return True
            if value is None:
                result = None
        return result
    inner = evaluate(cond.item, facts)
    return None if inner is None else not inner


def _comparable(value: Value) -> Any:
    # numbers compare on their quantized integer, exactly as the durable backend does
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return quantize(value)
    return value


def _compare(cond: Compare, facts: Mapping[str, Value]) -> Truth:
    # facts and literals are both normalized to the fact's declared type, so plain
    # comparison is well defined here (see factvalues.FactSpec.normalize)
    if cond.path not in facts:
        return None
    actual = _comparable(facts[cond.path])
    op = cond.op
    if op in ("in", "not_in"):
        found = any(actual == _comparable(v) for v in cond.value)
        return found if op == "in" else not found
    expected = _comparable(cond.value)
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "lt":
        return bool(actual < expected)
    if op == "lte":
        return bool(actual <= expected)
    if op == "gt":
        return bool(actual > expected)
    return bool(actual >= expected)


def paths_of(cond: Condition) -> set[str]:
    """Every fact path a condition reads."""
    if isinstance(cond, (Compare, Exists)):
        return {cond.path}
    if isinstance(cond, (All, AnyOf)):
        out: set[str] = set()
        for item in cond.items:
            out |= paths_of(item)
        return out
    return paths_of(cond.item)


@dataclass(frozen=True)
class Wording:
    """How `describe` reads a condition aloud: terse for traces, plain for managers."""

    ops: Mapping[str, str]
    value: Callable[[Any], str]
    negation: str = "not "


def _terse_value(value: Any) -> str:
    return str(list(value) if isinstance(value, tuple) else value)


TERSE = Wording({"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥",
                 "in": "in", "not_in": "not in"}, _terse_value)


def describe(cond: Condition, wording: Wording = TERSE) -> str:
    """A short human reading of a condition, for traces and explanations."""
    if isinstance(cond, Compare):
        return f"{cond.path} {wording.ops[cond.op]} {wording.value(cond.value)}"
    if isinstance(cond, Exists):
        return f"{cond.path} {'is known' if cond.expected else 'is not known'}"
    if isinstance(cond, All):
        if not cond.items:
            return "always"
        return " and ".join(_wrap(i, wording) for i in cond.items)
    if isinstance(cond, AnyOf):
        return " or ".join(_wrap(i, wording) for i in cond.items) if cond.items else "never"
    return f"{wording.negation}{_wrap(cond.item, wording)}"


def _wrap(cond: Condition, wording: Wording) -> str:
    text = describe(cond, wording)
    return f"({text})" if isinstance(cond, (All, AnyOf)) and len(cond.items) > 1 else text


class ConditionParser:
    """Turns a YAML `when:` value into an AST, checking facts, operators and types."""

    def __init__(self, facts: FactTable, problems: ProblemLog) -> None:
        self.facts = facts
        self.problems = problems

    def parse(self, raw: Any, container: Any, key: Any) -> Condition:
        at = where(container, key)
        if isinstance(raw, LocDict):
            items: list[Condition] = []
            for name, value in raw.items():
                items.append(self._entry(str(name), value, raw))
            return items[0] if len(items) == 1 else All(tuple(items))
        if isinstance(raw, LocList):
            return All(tuple(self.parse(item, raw, i) for i, item in enumerate(raw)))
        self.problems.add(at, "expected a condition map such as {customer.type: retiree}",
                          code="E020")
        return ALWAYS

    def _entry(self, name: str, value: Any, raw: LocDict) -> Condition:
        if name in ("all", "any"):
            if not isinstance(value, LocList):
                self.problems.add(where(raw, name), f"'{name}' expects a list of conditions",
                                  code="E020")
                return ALWAYS
            parts = tuple(self.parse(item, value, i) for i, item in enumerate(value))
            return All(parts) if name == "all" else AnyOf(parts)
        if name == "not":
            return Not(self.parse(value, raw, name))
        spec = self.facts.get(name)
        if spec is None:
            self.problems.add(where(raw, name, key_side=True), f"unknown fact '{name}'",
                              nearest(name, [*self.facts.names(), *LOGIC]), code="E021")
            return ALWAYS
        if isinstance(value, LocDict):
            tests: list[Condition] = []
            for op, operand in value.items():
                tests.append(self._comparison(name, str(op), operand, value))
            return tests[0] if len(tests) == 1 else All(tuple(tests))
        return self._comparison(name, "eq", value, raw, key=name)

    def _comparison(self, path: str, op: str, operand: Any, raw: LocDict,
                    key: Any = None) -> Condition:
        at = where(raw, key if key is not None else op)
        if op not in COMPARISONS:
            self.problems.add(where(raw, op, key_side=True), f"unknown operator '{op}'",
                              nearest(op, COMPARISONS), code="E022")
            return ALWAYS
        spec = self.facts.get(path)
        assert spec is not None
        if op == "exists":
            if not isinstance(operand, bool):
                self.problems.add(at, "'exists' expects true or false", code="E023")
                return ALWAYS
            return Exists(path, operand)
        if spec.kind == "date":
            self.problems.add(at, f"'{path}' is a date: compare '{path}.days_ago' instead",
                              code="E024")
            return ALWAYS
        if op in ORDERING and spec.kind not in ("number", "integer"):
            self.problems.add(at, f"'{op}' needs a number fact; '{path}' is {spec.kind}",
                              code="E024")
            return ALWAYS
        if op in ("in", "not_in"):
            if not isinstance(operand, LocList) or not operand:
                self.problems.add(at, f"'{op}' expects a non-empty list of values", code="E023")
                return ALWAYS
            if len(set(map(repr, operand))) > MAX_LITERALS_PER_LIST:
                self.problems.add(at, f"'{op}' lists {len(operand)} values; at most "
                                  f"{MAX_LITERALS_PER_LIST} fit one rule of the matcher "
                                  "(split the rule or add a derived fact)", code="E025")
                return ALWAYS
            values = tuple(self._literal(path, v, operand, i) for i, v in enumerate(operand))
            return Compare(path, op, values)
        return Compare(path, op, self._literal(path, operand, raw, key if key is not None else op))

    def _literal(self, path: str, value: Any, container: Any, key: Any) -> Any:
        spec = self.facts.get(path)
        assert spec is not None
        problem = spec.check(value)
        if problem:
            self.problems.add(where(container, key), problem,
                              nearest(str(value), spec.enum or ()), code="E023")
            return value
        return spec.normalize(value)
