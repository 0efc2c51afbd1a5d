"""The declared fact vocabulary of a pack, and how supplied values are normalized.

A turn never fails because of its facts: a value of the wrong type, outside its enum or
out of range is dropped with a warning. Numbers are exact to 4 decimals (the matcher
compares them as integers of 1/10,000), dates give a virtual `<path>.days_ago` number.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .suggest import nearest

Value = str | int | float | bool
KINDS = ("string", "number", "integer", "boolean", "date", "enum")
NUMBER_LIMIT = 10**11
NUMBER_SCALE = 10_000
MAX_STRING = 10_000
DAYS_AGO = ".days_ago"


def quantize(number: float | int) -> int:
    """The exact integer the matcher compares: 1/10,000 units."""
    return int(round(number * NUMBER_SCALE))


@dataclass(frozen=True)
class FactSpec:
    path: str
    kind: str  # one of KINDS
    enum: tuple[str, ...] | None = None
    default: Any = None  # a value, or {locale: value}
    sample: Any = None
    virtual: bool = False  # derived by the engine (days_ago, approvals)

    def check(self, value: Any) -> str | None:
        """Why `value` is not acceptable for this fact, or None."""
        if self.kind == "enum":
            if not isinstance(value, str) or value not in (self.enum or ()):
                return f"'{value}' is not one of {list(self.enum or ())} for '{self.path}'"
            return None
        if self.kind == "string":
            if not isinstance(value, str):
                return f"'{self.path}' expects text, got {type(value).__name__}"
            if len(value) > MAX_STRING:
                return f"'{self.path}' is longer than {MAX_STRING} characters"
            return None
        if self.kind == "boolean":
            return None if isinstance(value, bool) else f"'{self.path}' expects true or false"
        if self.kind in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"'{self.path}' expects a number, got {type(value).__name__}"
            if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
                return f"'{self.path}' must be a finite number within ±10^11"
            if self.kind == "integer" and float(value) != int(value):
                return f"'{self.path}' expects a whole number"
            return None
        if self.kind == "date":
            return None if parse_date(value) else f"'{self.path}' expects an ISO date"
        return f"unknown kind {self.kind}"

    def normalize(self, value: Any) -> Any:
        if self.kind in ("number", "integer"):
            scaled = quantize(value)
            return scaled // NUMBER_SCALE if scaled % NUMBER_SCALE == 0 else scaled / NUMBER_SCALE
        if self.kind == "date":
            return parse_date(value).isoformat()  # type: ignore[union-attr]
        return value

    def default_for(self, locale: str) -> Any:
        if isinstance(self.default, Mapping):
            return self.default.get(locale)
        return self.default


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class FactTable:
    """All facts a pack may read: declared ones plus the engine's virtual ones."""

    specs: Mapping[str, FactSpec] = field(default_factory=dict)

    def get(self, path: str) -> FactSpec | None:
        return self.specs.get(path)

    def names(self) -> list[str]:
        return sorted(self.specs)

    def declared(self) -> Iterable[FactSpec]:
        return (s for s in self.specs.values() if not s.virtual)

    def with_virtuals(self, approval_parties: Iterable[str]) -> FactTable:
        specs = dict(self.specs)
        for spec in list(specs.values()):
            if spec.kind == "date":
                specs[spec.path + DAYS_AGO] = FactSpec(spec.path + DAYS_AGO, "integer",
                                                       virtual=True, sample=1)
        for party in approval_parties:
            path = f"approvals.{party}"
            # declared by the engine but supplied by the caller, like any other fact
            specs.setdefault(path, FactSpec(path, "enum", ("approved", "refused", "pending"),
                                            sample="pending"))
        return FactTable(specs)


MAX_LEAVES = 1_000
MAX_DEPTH = 8


def flatten(facts: Mapping[str, Any], prefix: str = "", depth: int = 0,
            out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Accept both `{"customer.type": x}` and `{"customer": {"type": x}}`. Stops after
    MAX_LEAVES values and below MAX_DEPTH levels, so shared or deep structures from a
    caller cannot blow up (the session warns when facts were cut)."""
    out = {} if out is None else out
    for key, value in facts.items():
        if len(out) >= MAX_LEAVES:
            break
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if depth < MAX_DEPTH:
                flatten(value, path + ".", depth + 1, out)
        else:
            out[path] = value
    return out


def nest(facts: Mapping[str, Any]) -> dict[str, Any]:
    """`{"customer.name": "王"}` → `{"customer": {"name": "王"}}` for templates."""
    out: dict[str, Any] = {}
    for path, value in facts.items():
        node = out
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    return out


def derive(facts: Mapping[str, Value], table: FactTable, today: dt.date) -> dict[str, Value]:
    """Add the virtual facts that depend on `now`: `<date>.days_ago`."""
    out = dict(facts)
    for path, value in facts.items():
        spec = table.get(path)
        if spec is not None and spec.kind == "date":
            day = parse_date(value)
            if day is not None:
                out[path + DAYS_AGO] = (today - day).days
    return out


def normalize_facts(table: FactTable, raw: Any) -> tuple[dict[str, Value],
                                                         list[dict[str, str]]]:
    """Keep the facts the pack declares, typed; everything else becomes a warning."""
    warnings: list[dict[str, str]] = []
    if raw is None:
        return {}, warnings
    if not isinstance(raw, Mapping):
        return {}, [{"code": "facts_ignored", "message": "facts must be a mapping; ignored"}]
    flat = flatten(raw)
    out: dict[str, Value] = {}
    for path, value in flat.items():
        key = str(path)
        spec = table.get(key)
        if spec is None or spec.virtual:
            hint = nearest(key, [s.path for s in table.declared()])
            warnings.append({"code": "unknown_fact", "message": f"fact '{key[:80]}' is not "
                             "declared by the pack; ignored" +
                             (f" (did you mean '{hint}'?)" if hint else "")})
            continue
        if value is None:
            continue
        problem = spec.check(value)
        if problem:
            warnings.append({"code": "bad_fact", "message": problem[:200] + "; ignored"})
            continue
        out[key] = spec.normalize(value)
    if len(flat) >= MAX_LEAVES:
        warnings.append({"code": "too_many_facts", "message": f"only the first {MAX_LEAVES} "
                         "facts were read"})
    return out, warnings
