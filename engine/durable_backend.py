"""durable_rules as the matcher, wrapped so its rough edges never reach users.

What the wrapper guarantees (see ../shared/DESIGN.md for the measurements):
- one Host per loaded pack, with its background dispatch threads disabled: all work
  happens in the caller's thread, under this matcher's lock;
- durable_rules only ever sees integers: enum and text values become codes of the
  pack's literals, numbers become exact 1/10,000 units, booleans 0/1 (no string hashing,
  no JSON number formats its parser rejects);
- rules are sharded so no ruleset exceeds SHARD_RULES rules or SHARD_LITERALS distinct
  literals on one property (its hard limits are 4,096 and 512, the latter hanging the
  process), checked at load by `check_limits`;
- conversation state never lives in durable_rules: each evaluation asserts one fact on
  a scratch sid and retracts it right after (one bounded sid, never one per session);
- "no rule matched" is an empty result; any engine error becomes MatcherError.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import NEGATED, All, Compare, Condition, Exists, Not, paths_of
from .errors import MatcherError, Position, Problem
from .factvalues import FactTable, Value, quantize
from .matcher import Rule, RuleBook

SHARD_RULES = 1024
SHARD_LITERALS = 256
SCRATCH_SID = "scratch"
KEY_PROPERTY = "k"
_TRUE: dict[str, Any] = {"$true": 1}
_FALSE: dict[str, Any] = {"$false": 1}
_instances = itertools.count()
_DURABLE_OPS = {"eq": None, "ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt",
                "gte": "$gte"}


class Encoder:
    """Maps fact paths to property names and values to the integers durable compares."""

    def __init__(self, facts: FactTable) -> None:
        self.facts = facts
        self.properties: dict[str, str] = {}
        self.codes: dict[str, dict[Any, int]] = {}

    def prop(self, path: str) -> str:
        if path not in self.properties:
            self.properties[path] = f"p{len(self.properties)}"
        return self.properties[path]

    def literal(self, path: str, value: Any) -> int:
        spec = self.facts.get(path)
        kind = spec.kind if spec else "string"
        if kind in ("number", "integer"):
            return quantize(value)
        if kind == "boolean":
            return 1 if value else 0
        table = self.codes.setdefault(path, {})
        if value not in table:
            table[value] = len(table) + 1  # 0 is "a value no rule mentions"
        return table[value]

    def fact(self, path: str, value: Value) -> int:
        spec = self.facts.get(path)
        kind = spec.kind if spec else "string"
        if kind in ("number", "integer"):
            return quantize(value)  # type: ignore[arg-type]
        if kind == "boolean":
            return 1 if value else 0
        return self.codes.get(path, {}).get(value, 0)


def compile_condition(cond: Condition, enc: Encoder, positive: bool = True) -> dict[str, Any]:
    """A durable_rules expression that is true exactly when `cond` is True (or, with
    positive=False, exactly when it is False); Kleene logic pushes `not` to the leaves."""
    if isinstance(cond, Not):
        return compile_condition(cond.item, enc, not positive)
    if isinstance(cond, Exists):
        return {"$ex" if cond.expected == positive else "$nex": {enc.prop(cond.path): 1}}
    if isinstance(cond, Compare):
        op = cond.op if positive else NEGATED[cond.op]
        prop = enc.prop(cond.path)
        if op in ("in", "not_in"):
            single = "eq" if op == "in" else "ne"
            parts = [_leaf(single, prop, enc.literal(cond.path, v)) for v in cond.value]
            return _join("$or" if op == "in" else "$and", parts)
        return _leaf(op, prop, enc.literal(cond.path, cond.value))
    items = [compile_condition(i, enc, positive) for i in cond.items]
    conjunctive = isinstance(cond, All) == positive
    return _join("$and" if conjunctive else "$or", items)


def _leaf(op: str, prop: str, code: int) -> dict[str, Any]:
    durable_op = _DURABLE_OPS[op]
    return {prop: code} if durable_op is None else {durable_op: {prop: code}}


def _join(op: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    unit, zero = (_TRUE, _FALSE) if op == "$and" else (_FALSE, _TRUE)
    kept = [i for i in items if i is not unit]
    if any(i is zero for i in kept):
        return zero
    if not kept:
        return unit
    return kept[0] if len(kept) == 1 else {op: kept}


def literals_of(expr: Any, out: dict[str, set[int]]) -> None:
    """Distinct literals per property in a compiled expression (for the limits)."""
    if isinstance(expr, list):
        for item in expr:
            literals_of(item, out)
    elif isinstance(expr, dict):
        for key, value in expr.items():
            if key.startswith("$"):
                if key in ("$ex", "$nex"):
                    continue
                literals_of(value, out)
            else:
                out.setdefault(key, set()).add(value)


@dataclass
class _Shard:
    name: str
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    literals: dict[str, set[int]] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _CompiledKey:
    code: int
    expressions: list[tuple[Rule, dict[str, Any]]]
    literals: dict[str, set[int]]
    paths: set[str]


def _compile_book(book: RuleBook, facts: FactTable) -> tuple[Encoder, dict[str, _CompiledKey]]:
    enc = Encoder(facts)
    compiled: dict[str, _CompiledKey] = {}
    for code, (key, rules) in enumerate(sorted(book.by_key.items()), start=1):
        exprs = []
        literals: dict[str, set[int]] = {KEY_PROPERTY: {code}}
        paths: set[str] = set()
        for rule in rules:
            expr = compile_condition(rule.condition, enc)
            if expr is _FALSE:
                continue  # can never be True: no rule needed
            exprs.append((rule, expr))
            literals_of(expr, literals)
            paths |= paths_of(rule.condition)
        compiled[key] = _CompiledKey(code, exprs, literals, paths)
    return enc, compiled


def check_limits(book: RuleBook, facts: FactTable) -> list[Problem]:
    """Rule groups that no sharding can fit into durable_rules' limits."""
    problems = []
    _enc, compiled = _compile_book(book, facts)
    for key, item in compiled.items():
        if len(item.expressions) > SHARD_RULES:
            at = item.expressions[0][0].position
            problems.append(Problem(at, f"'{key}' has {len(item.expressions)} rules; at most "
                                    f"{SHARD_RULES} fit one group of the matcher", code="E050"))
        for _prop, values in item.literals.items():
            if len(values) > SHARD_LITERALS:
                at = item.expressions[0][0].position if item.expressions else Position("<pack>")
                problems.append(Problem(at, f"'{key}' tests {len(values)} distinct values of "
                                        f"one fact; at most {SHARD_LITERALS} fit the matcher "
                                        "(durable_rules fails at 512): split the rules or "
                                        "derive a coarser fact", code="E051"))
    return problems


class _QuietHost:
    """A durable_rules Host without its background dispatch threads."""

    def __new__(cls) -> Any:
        from durable import engine

        class Host(engine.Host):
            def _run(self) -> None:  # no timer threads: every call is synchronous
                pass

        return Host()


class DurableMatcher:
    name = "durable"

    def __init__(self, book: RuleBook, facts: FactTable, pack_id: str, version: str) -> None:
        from durable import engine

        self._not_handled = engine.MessageNotHandledException
        self._lock = threading.Lock()
        self._fired: list[str] = []
        self._encoder, compiled = _compile_book(book, facts)
        self._route: dict[str, tuple[_Shard, int]] = {}
        # rules without a condition hold for every fact: answered here, never sent to
        # durable_rules (most replies and actions have no `when`, so many turns need no
        # native call at all)
        self._always: dict[str, frozenset[str]] = {}
        instance = next(_instances)
        shards: list[_Shard] = []
        current: _Shard | None = None
        for key, item in compiled.items():
            self._always[key] = frozenset(r.id for r, e in item.expressions if e is _TRUE)
            conditional = [(r, e) for r, e in item.expressions if e is not _TRUE]
            if not conditional:
                continue
            if current is None or not self._fits(current, item):
                current = _Shard(f"{pack_id}@{version}#{len(shards)}~{instance}")
                shards.append(current)
            for rule, expr in conditional:
                condition = {"$and": [{KEY_PROPERTY: item.code}, expr]}
                current.rules[f"{item.code}|{rule.id}"] = {"all": [{"m": condition}],
                                                           "run": self._action(rule.id)}
            for prop, values in item.literals.items():
                current.literals.setdefault(prop, set()).update(values)
            current.paths |= item.paths
            self._route[key] = (current, item.code)
        self._host = _QuietHost()
        self._shard_props: dict[str, list[tuple[str, str]]] = {}
        try:
            self._host.register_rulesets({s.name: s.rules for s in shards})
        except Exception as error:  # noqa: BLE001 - durable raises bare Exception codes
            raise MatcherError(f"durable_rules refused the rules of {pack_id}@{version}: "
                               f"{error}") from error
        for shard in shards:
            self._shard_props[shard.name] = [(p, self._encoder.prop(p)) for p in
                                             sorted(shard.paths)]
        self.shard_count = len(shards)
        handles = [self._host.get_ruleset(s.name)._handle for s in shards]
        self._finalizer = weakref.finalize(self, _delete_rulesets, handles)

    @staticmethod
    def _fits(shard: _Shard, item: _CompiledKey) -> bool:
        if len(shard.rules) + len(item.expressions) > SHARD_RULES:
            return False
        for prop, values in item.literals.items():
            if len(shard.literals.get(prop, set()) | values) > SHARD_LITERALS:
                return False
        return True

    def _action(self, rule_id: str) -> Callable[[Any], None]:
        fired = self._fired

        def record(_closure: Any) -> None:
            fired.append(rule_id)

        return record

    def matching(self, key: str, facts: Mapping[str, Value]) -> frozenset[str]:
        always = self._always.get(key, frozenset())
        route = self._route.get(key)
        if route is None:
            return always
        shard, code = route
        message: dict[str, Any] = {"sid": SCRATCH_SID, KEY_PROPERTY: code}
        for path, prop in self._shard_props[shard.name]:
            if path in facts:
                message[prop] = self._encoder.fact(path, facts[path])
        with self._lock:
            self._fired.clear()
            try:
                self._host.assert_fact(shard.name, message)
            except self._not_handled:
                pass  # no rule matched: a normal, empty result
            except Exception as error:  # noqa: BLE001 - durable raises bare Exception codes
                raise MatcherError(f"durable_rules failed evaluating '{key}': {error}") from error
            finally:
                # retract, not delete_state: delete_state segfaults after some matches
                # (reproduced with nested $or/$neq rules, durable_rules 2.0.28)
                try:
                    self._host.retract_fact(shard.name, message)
                except Exception:  # noqa: S110, BLE001 - nothing asserted, nothing to retract
                    pass
            return always.union(self._fired)

    def close(self) -> None:
        self._finalizer()


def _delete_rulesets(handles: list[Any]) -> None:
    import durable_rules_engine

    for handle in handles:
        try:
            durable_rules_engine.delete_ruleset(handle)
        except Exception:  # noqa: S110, BLE001 - best effort at teardown
            pass
