"""Detection pattern syntax: alternatives `{a,b}`, lexicon words `{@name}`, ordered parts
`a…b`, unordered parts `a & b`.

A pattern is parsed at load into *slots*: one set of literal strings per part. The
automaton holds the strings, so a turn never interprets pattern syntax and no pattern can
take more than linear time to match. Alternatives multiply only inside one part, so
`{@spouse}…{@discuss}` costs the sum of two word lists, not their product.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .textnorm import normalize_many

MAX_ALTERNATIVES = 1024  # strings one part of a pattern may stand for
MAX_PARTS = 4
GAP_MARKERS = re.compile(r"…|\.\.\.")
UNORDERED_MARKER = re.compile(r"\s&\s")
_BRACES = re.compile(r"\{([^{}]*)\}")

Lexicon = Mapping[str, tuple[str, ...]]  # name -> normalized words, for one locale


class PatternSyntaxError(ValueError):
    def __init__(self, message: str, unknown_word_list: str | None = None) -> None:
        super().__init__(message)
        self.unknown_word_list = unknown_word_list


@dataclass(frozen=True)
class ParsedPattern:
    slots: tuple[frozenset[str], ...]
    ordered: bool  # True: parts in this order (`…`); False: any order in one clause (`&`)
    word_lists: frozenset[str] = frozenset()  # names referenced as {@name}


def parse(source: str, lexicon: Lexicon | None = None,
          cache: dict[str, frozenset[str]] | None = None) -> ParsedPattern:
    """The slots a pattern stands for, normalized; raises PatternSyntaxError. `cache`
    (one per locale) keeps parts already expanded: a pack repeats its parts a lot."""
    if not source.strip():
        raise PatternSyntaxError("empty pattern")
    if source.count("{") != source.count("}"):
        raise PatternSyntaxError("unbalanced '{' '}' in pattern")
    has_gap = bool(GAP_MARKERS.search(source))
    has_and = bool(UNORDERED_MARKER.search(source))
    if has_gap and has_and:
        raise PatternSyntaxError("a pattern joins its parts with '…' or with ' & ', not both")
    parts = (UNORDERED_MARKER if has_and else GAP_MARKERS).split(source)
    if len(parts) > MAX_PARTS:
        raise PatternSyntaxError(f"at most {MAX_PARTS} parts joined by '…' or ' & '")
    slots = []
    for part in parts:
        strings = cache.get(part) if cache is not None else None
        if strings is None:
            strings = frozenset(normalize_many(_alternatives(part, lexicon or {})))
            if "" in strings or not strings:
                raise PatternSyntaxError("a '…' or ' & ' needs text on both sides")
            if cache is not None:
                cache[part] = strings
        slots.append(strings)
    used = frozenset(name.strip()[1:] for group in _BRACES.findall(source)
                     for name in group.split(",") if name.strip().startswith("@"))
    return ParsedPattern(tuple(slots), not has_and, used)


def expand_words(source: str) -> list[str]:
    """The strings one lexicon word stands for (`{a,b}` allowed, no `@` or `…`)."""
    if "@" in source or GAP_MARKERS.search(source) or UNORDERED_MARKER.search(source):
        raise PatternSyntaxError("a lexicon word may use '{a,b}' but not '@', '…' or ' & '")
    if source.count("{") != source.count("}"):
        raise PatternSyntaxError("unbalanced '{' '}'")
    words = normalize_many(_alternatives(source, {}))
    if any(not w for w in words):
        raise PatternSyntaxError("empty word")
    return list(dict.fromkeys(words))


def _alternatives(part: str, lexicon: Lexicon) -> list[str]:
    pieces: list[list[str]] = []
    last = 0
    for match in _BRACES.finditer(part):
        pieces.append([part[last:match.start()]])
        options: list[str] = []
        for option in match.group(1).split(","):
            name = option.strip()
            if not name:
                raise PatternSyntaxError("empty alternative in '{...}'")
            if name.startswith("@"):
                if name[1:] not in lexicon:
                    raise PatternSyntaxError(f"unknown word list '{name}'", name[1:])
                options.extend(lexicon[name[1:]])
            else:
                options.append(option)
        pieces.append(options)
        last = match.end()
    pieces.append([part[last:]])
    total = 1
    for options in pieces:
        total *= len(options)
    if total > MAX_ALTERNATIVES:
        raise PatternSyntaxError(f"one part expands to {total} strings; at most "
                                 f"{MAX_ALTERNATIVES}")
    out = []
    for combo in itertools.product(*pieces):
        text = "".join(combo)
        if "{" in text or "}" in text:
            raise PatternSyntaxError("nested '{' '}' in pattern")
        out.append(text)
    return out
