"""Can a condition ever be true? A small, exact check over the condition AST.

Every fact a condition reads gets a finite set of representative values (each enum value,
true and false, the number literals and their neighbours one quantum apart, one text the
pack never mentions, and "not known"); the condition is satisfiable exactly when one
combination makes the reference evaluator return True. Conditions are small, so the
product is small; beyond `MAX_COMBINATIONS` the answer is "don't know" (None).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from .conditions import All, AnyOf, Compare, Condition, Not, evaluate, paths_of
from .factvalues import NUMBER_SCALE, FactTable, Value

MAX_COMBINATIONS = 200_000
_MISSING = object()
_STEP = 1 / NUMBER_SCALE


def satisfiable(cond: Condition, facts: FactTable,
                fixed: Mapping[str, Value] | None = None) -> bool | None:
    """True if some facts make `cond` true, False if none can, None when too large.

    `fixed` pins facts to one value (a stage's criteria are read with the stage fact set
    to that stage).
    """
    fixed = fixed or {}
    paths = sorted(paths_of(cond))
    domains: list[list[Any]] = []
    for path in paths:
        if path in fixed:
            domains.append([fixed[path]])
        else:
            domains.append(_domain(path, cond, facts))
    if math.prod(len(d) for d in domains) > MAX_COMBINATIONS:
        return None
    for values in itertools.product(*domains):
        assignment = {p: v for p, v in zip(paths, values, strict=True) if v is not _MISSING}
        if evaluate(cond, assignment) is True:
            return True
    return False


def _literals(path: str, cond: Condition) -> list[Any]:
    out: list[Any] = []
    stack = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, Compare):
            if node.path == path:
                out.extend(node.value if isinstance(node.value, tuple) else (node.value,))
        elif isinstance(node, (All, AnyOf)):
            stack.extend(node.items)
        elif isinstance(node, Not):
            stack.append(node.item)
    return out


def _domain(path: str, cond: Condition, facts: FactTable) -> list[Any]:
    spec = facts.get(path)
    kind = spec.kind if spec else "string"
    values: list[Any]
    if kind == "enum" and spec is not None:
        values = list(spec.enum or ())
    elif kind == "boolean":
        values = [True, False]
    elif kind in ("number", "integer"):
        values = _numbers([v for v in _literals(path, cond)
                           if isinstance(v, (int, float)) and not isinstance(v, bool)],
                          integer=kind == "integer")
    else:  # string or date: the mentioned texts and one text nobody mentions
        mentioned = [v for v in _literals(path, cond) if isinstance(v, str)]
        values = list(dict.fromkeys(mentioned)) + ["\u0000other"]
    return values + [_MISSING]


def _numbers(literals: list[float | int], integer: bool) -> list[float | int]:
    if not literals:
        return [0]
    points: set[float | int] = set()
    for c in literals:
        if integer:
            low, high = math.floor(c), math.ceil(c)
            points.update((low - 1, low, high, high + 1))
        else:
            points.update((c - _STEP, c, c + _STEP))
    return sorted(points)
