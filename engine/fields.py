"""Reading typed fields out of positioned YAML, recording a problem for each mistake.

The pack loader asks this reader for strings, numbers, localized texts and lists; each
mismatch becomes a problem with file:line:col and, for unknown keys, the nearest name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import ProblemLog
from .model import Text, frozen_map
from .suggest import nearest
from .yamlsource import LocDict, LocList, where

ID = re.compile(r"^[a-z][a-z0-9_]*$")
REPLY_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
FACT_PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
VERSION = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")

class FieldReader:
    """Shared checks: allowed keys, required keys, scalar types, localized texts."""

    def __init__(self, problems: ProblemLog, locales: tuple[str, ...]) -> None:
        self.problems = problems
        self.locales = locales

    def mapping(self, raw: Any, container: Any, key: Any, what: str) -> LocDict | None:
        if isinstance(raw, LocDict):
            return raw
        self.problems.add(where(container, key), f"{what}: expected a mapping, got "
                          f"{kind_of(raw)}", code="E010")
        return None

    def keys(self, raw: LocDict, allowed: Iterable[str], required: Iterable[str],
             what: str) -> None:
        allowed = tuple(allowed)
        for key in raw:
            if key not in allowed:
                self.problems.add(where(raw, key, key_side=True),
                                  f"unknown key '{key}' in {what}", nearest(str(key), allowed),
                                  code="E011")
        for key in required:
            if key not in raw:
                self.problems.add(raw.pos, f"{what} is missing required key '{key}'",
                                  code="E012")

    def string(self, raw: LocDict, key: str, what: str, default: str = "",
               pattern: re.Pattern[str] | None = None) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or (key in raw and not value):
            self.problems.add(where(raw, key), f"{what}: '{key}' expects text, got "
                              f"{kind_of(value)}", code="E013")
            return default
        if pattern is not None and key in raw and not pattern.match(value):
            self.problems.add(where(raw, key), f"{what}: '{value}' is not a valid {key} "
                              f"(expected {_describe_pattern(pattern)})", code="E014")
        return value

    def integer(self, raw: LocDict, key: str, what: str, default: int | None,
                minimum: int = 0) -> int | None:
        value = raw.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problems.add(where(raw, key), f"{what}: '{key}' expects a whole number "
                              f">= {minimum}, got {value!r}", code="E013")
            return default
        return value

    def boolean(self, raw: LocDict, key: str, what: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.problems.add(where(raw, key), f"{what}: '{key}' expects true or false",
                              code="E013")
            return default
        return value

    def text(self, raw: LocDict, key: str, what: str, required: bool = True) -> Text:
        if key not in raw:
            if required:
                self.problems.add(raw.pos, f"{what} is missing required key '{key}'",
                                  code="E012")
            return Text()
        value = raw[key]
        if isinstance(value, str):
            return Text(frozen_map({loc: value for loc in self.locales}))
        return Text(frozen_map(self._per_locale(value, raw, key, what, single=True)))

    def texts(self, raw: LocDict, key: str, what: str) -> dict[str, tuple[str, ...]]:
        if key not in raw:
            return {}
        value = raw[key]
        if isinstance(value, LocList):
            items = tuple(self._strings(value, what))
            return {loc: items for loc in self.locales}
        return self._per_locale(value, raw, key, what, single=False)

    def _per_locale(self, value: Any, container: Any, key: Any, what: str,
                    single: bool) -> dict[str, Any]:
        mapping = self.mapping(value, container, key, f"{what} '{key}'")
        if mapping is None:
            return {}
        out: dict[str, Any] = {}
        reported: set[str] = set()  # locales given but wrong: no "has no text" for them
        for locale, item in mapping.items():
            reported.add(str(locale))
            if locale not in self.locales:
                self.problems.add(where(mapping, locale, key_side=True),
                                  f"{what}: locale '{locale}' is not declared in the manifest",
                                  nearest(str(locale), self.locales), code="E015")
                continue
            if single:
                if not isinstance(item, str) or not item.strip():
                    self.problems.add(where(mapping, locale), f"{what}: expected text",
                                      code="E013")
                    continue
                out[locale] = item
            elif isinstance(item, LocList):
                out[locale] = tuple(self._strings(item, what))
            else:
                self.problems.add(where(mapping, locale), f"{what}: expected a list of texts",
                                  code="E013")
        if single:
            for locale in self.locales:
                if locale not in out and locale not in reported:
                    self.problems.add(mapping.pos, f"{what} '{key}' has no {locale} text",
                                      code="E016")
        return out

    def _strings(self, items: LocList, what: str) -> list[str]:
        out = []
        for i, item in enumerate(items):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                out.append(str(item))
            else:
                self.problems.add(where(items, i), f"{what}: expected text, got {kind_of(item)}",
                                  code="E013")
        return out

    def items(self, raw: Any, container: Any, key: Any,
              what: str) -> list[tuple[LocDict, Any, int]]:
        """The mappings of a list, with their container and index for positions."""
        if raw is None:
            return []
        if not isinstance(raw, LocList):
            self.problems.add(where(container, key), f"{what}: expected a list, got "
                              f"{kind_of(raw)}", code="E010")
            return []
        out = []
        for i, item in enumerate(raw):
            if isinstance(item, LocDict):
                out.append((item, raw, i))
            else:
                self.problems.add(where(raw, i), f"{what}: expected a mapping, got "
                                  f"{kind_of(item)}", code="E010")
        return out


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, LocDict):
        return "a mapping"
    if isinstance(value, LocList):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"'{value}'"


def _describe_pattern(pattern: re.Pattern[str]) -> str:
    return {ID.pattern: "snake_case like 'no_time'",
            REPLY_ID.pattern: "snake_case with dots like 'no_time.a'",
            FACT_PATH.pattern: "dotted snake_case like 'customer.type'",
            VERSION.pattern: "a semantic version like '1.0.0'"}.get(pattern.pattern,
                                                                    pattern.pattern)
