"""Conditions, values and actions in plain words, for sales managers and reps.

`describe()` in conditions.py is for traces; this reads like a sentence and never shows
Python values (no brackets, no quotes, no True/False).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .conditions import Condition, Wording, describe

_OPS = {"eq": "is", "ne": "is not", "lt": "is less than", "lte": "is at most",
        "gt": "is more than", "gte": "is at least", "in": "is one of",
        "not_in": "is none of"}


def value(v: Any) -> str:
    """A fact value as a person writes it."""
    if v is None:
        return "not known"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (list, tuple)):
        return choices([value(x) for x in v], "or")
    return str(v)


PLAIN = Wording(_OPS, value, negation="it is not the case that ")


def choices(items: list[str], joiner: str = "and") -> str:
    if not items:
        return "nothing"
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def condition(cond: Condition) -> str:
    """`{customer.capital: {gte: 50000}}` → 'customer.capital is at least 50000'."""
    return describe(cond, PLAIN)


def evidence(paths: list[str], facts: Mapping[str, Any]) -> str:
    """'customer.type is retiree; customer.capital is not known'."""
    return "; ".join(f"{p} is {value(facts.get(p))}" for p in sorted(paths)) or "no facts"


def action(params: Mapping[str, Any]) -> str:
    """{'type': 'schedule_callback', 'within_days': 2} → 'schedule_callback (within_days 2)'."""
    rest = ", ".join(f"{k} {value(v)}" for k, v in params.items() if k not in ("type", "because"))
    return f"{params['type']}{f' ({rest})' if rest else ''}"
