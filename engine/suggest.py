"""'Did you mean' for unknown names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest valid name to a mistyped one, or None when nothing is close."""
    pool = [c for c in candidates if isinstance(c, str)]
    matches = difflib.get_close_matches(str(name), pool, n=1, cutoff=0.6)
    return matches[0] if matches else None
