"""Word lists a pack shares between its detection patterns (`lexicon:`).

Any pack file may define lists; a name is defined once in the whole pack. A pattern refers
to a list as `{@name}` (alone or among alternatives: `{@spouse,家里人}`), so one concept
(a spouse, a verb of consulting) is written once and every pattern that needs it grows
with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .errors import Position, ProblemLog
from .patterns import Lexicon, PatternSyntaxError, expand_words
from .suggest import nearest
from .yamlsource import LocDict, LocList, where

LIST_NAME = re.compile(r"[a-z][a-z0-9_]*")
MAX_WORDS = 512  # strings one list may stand for


class LexiconReader:
    """Collects `lexicon:` sections of every pack file into one lexicon per locale."""

    def __init__(self, problems: ProblemLog, locales: tuple[str, ...]) -> None:
        self.problems = problems
        self.locales = locales
        self.by_locale: dict[str, dict[str, tuple[str, ...]]] = {loc: {} for loc in locales}
        self._defined: dict[str, Position] = {}
        self._used: set[str] = set()

    def read(self, documents: Iterable[tuple[LocDict, Path]]) -> None:
        for doc, _path in documents:
            raw = doc.get("lexicon")
            if raw is None:
                continue
            if not isinstance(raw, LocDict):
                self.problems.add(where(doc, "lexicon"), "'lexicon' expects a mapping of list "
                                  "names to {locale: [words]}", code="E013")
                continue
            for name, lists in raw.items():
                self._list(raw, name, lists)

    def for_locale(self, locale: str) -> Lexicon:
        return self.by_locale.get(locale, {})

    def names(self) -> list[str]:
        return sorted(self._defined)

    def mark_used(self, names: Iterable[str]) -> None:
        self._used.update(names)

    def unused(self) -> tuple[tuple[str, Position], ...]:
        """Lists no pattern refers to (lint PB112)."""
        return tuple((n, at) for n, at in self._defined.items() if n not in self._used)

    def _list(self, raw: LocDict, name: object, lists: object) -> None:
        at = where(raw, name, key_side=True)
        if not isinstance(name, str) or not LIST_NAME.fullmatch(name):
            self.problems.add(at, f"word list name '{name}' must be snake_case like 'spouse'",
                              code="E014")
            return
        if name in self._defined:
            first = self._defined[name]
            self.problems.add(at, f"duplicate word list '{name}' (first defined at {first})",
                              code="E007")
            return
        self._defined[name] = at
        if not isinstance(lists, LocDict):
            self.problems.add(where(raw, name), f"word list '{name}' expects "
                              "{locale: [words]}", code="E013")
            return
        for locale, words in lists.items():
            if locale not in self.locales:
                self.problems.add(where(lists, locale, key_side=True),
                                  f"word list '{name}': locale '{locale}' is not declared",
                                  nearest(str(locale), self.locales), code="E015")
                continue
            if not isinstance(words, LocList) or not words:
                self.problems.add(where(lists, locale), f"word list '{name}' ({locale}) "
                                  "expects a non-empty list of words", code="E013")
                continue
            self.by_locale[locale][name] = self._words(name, words)

    def _words(self, name: str, words: LocList) -> tuple[str, ...]:
        out: dict[str, None] = {}
        for i, word in enumerate(words):
            if not isinstance(word, str):
                self.problems.add(where(words, i), f"word list '{name}': a word is text",
                                  code="E013")
                continue
            try:
                out.update(dict.fromkeys(expand_words(word)))
            except PatternSyntaxError as error:
                self.problems.add(where(words, i), f"word list '{name}': '{word}': {error}",
                                  code="E030")
                continue
            if len(out) > MAX_WORDS:  # checked as it grows: a hostile list stops early
                self.problems.add(where(words, i), f"word list '{name}' stands for more "
                                  f"than {MAX_WORDS} strings", code="E030")
                return ()
        return tuple(out)
