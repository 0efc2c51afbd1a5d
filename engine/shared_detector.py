"""One compiled detector per distinct set of patterns, shared by the packs that use it.

Compiling a big pack's detector takes seconds and hundreds of megabytes (the brokerage
pack: about 4 s and 220 MB). A pack loaded again while an equal one is still in memory (the
two backends of one pack, `playbook diff` of two versions with the same patterns, a new
version loaded before the old one is dropped, a test suite) reuses its detector. The cache
holds detectors weakly: a detector lives exactly as long as some pack uses it, so the cache
never keeps memory alive.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import fields

from .detect import Detector
from .model import Detection, Objection, Pattern

_compiled: weakref.WeakValueDictionary[Hashable, Detector] = weakref.WeakValueDictionary()
_lock = threading.Lock()


def shared_detector(objections: Iterable[Objection], settings: Detection) -> Detector:
    """A detector for these entries and settings: a live one compiled from equal ones, or a
    new one. Equal means every input of `Detector` is equal (the entries' ids, speaker
    scope and patterns with their strings and weights; every field of the settings), so a
    shared detector answers exactly as a new one would."""
    objections = tuple(objections)
    key = (tuple((o.id, o.speaker_only, _patterns_key(o.patterns), _patterns_key(o.exclude))
                 for o in objections),
           _frozen({f.name: getattr(settings, f.name) for f in fields(settings)}))
    with _lock:
        found = _compiled.get(key)
    if found is not None:
        return found
    detector = Detector(objections, settings)  # outside the lock: compiling takes seconds
    with _lock:
        return _compiled.setdefault(key, detector)


def _patterns_key(patterns: tuple[Pattern, ...]) -> Hashable:
    # every field but where the pattern was written: a detector never reports it, and a
    # copy of a pack in another folder, or an edit that moves lines, shares the detector
    return tuple(tuple(getattr(p, f.name) for f in fields(p) if f.name != "position")
                 for p in patterns)


def _frozen(value: object) -> Hashable:
    if isinstance(value, Mapping):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value  # numbers, text, frozensets
