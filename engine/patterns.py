"""Detection pattern syntax: alternatives `{a,b}`, ordered fragments `a…b`, weights.

Patterns are expanded at load into plain fragments for the automaton, so a turn never
interprets pattern syntax and no pattern can take more than linear time to match.
"""

from __future__ import annotations

import itertools
import re

from .textnorm import normalize

MAX_VARIANTS = 256
MAX_FRAGMENTS = 4
GAP_MARKERS = re.compile(r"…|\.\.\.")
_BRACES = re.compile(r"\{([^{}]*)\}")


class PatternSyntaxError(ValueError):
    pass


def expand(source: str) -> list[tuple[str, ...]]:
    """All fragment tuples a pattern stands for, normalized; raises on bad syntax."""
    if not source.strip():
        raise PatternSyntaxError("empty pattern")
    if source.count("{") != source.count("}"):
        raise PatternSyntaxError("unbalanced '{' '}' in pattern")
    pieces: list[list[str]] = []
    last = 0
    for match in _BRACES.finditer(source):
        pieces.append([source[last:match.start()]])
        options = [o for o in match.group(1).split(",")]
        if any(not o.strip() for o in options):
            raise PatternSyntaxError("empty alternative in '{...}'")
        pieces.append(options)
        last = match.end()
    pieces.append([source[last:]])
    total = 1
    for options in pieces:
        total *= len(options)
    if total > MAX_VARIANTS:
        raise PatternSyntaxError(f"pattern expands to {total} variants; at most {MAX_VARIANTS}")
    variants: list[tuple[str, ...]] = []
    for combo in itertools.product(*pieces):
        text = "".join(combo)
        if "{" in text or "}" in text:
            raise PatternSyntaxError("nested '{' '}' in pattern")
        fragments = tuple(normalize(f) for f in GAP_MARKERS.split(text))
        if any(not f for f in fragments):
            raise PatternSyntaxError("a '…' gap needs text on both sides")
        if len(fragments) > MAX_FRAGMENTS:
            raise PatternSyntaxError(f"at most {MAX_FRAGMENTS} fragments joined by '…'")
        variants.append(fragments)
    return list(dict.fromkeys(variants))
