"""One compiled detector per distinct set of patterns, shared by the packs that use it.

Compiling a big pack's detector takes seconds and hundreds of megabytes (the brokerage
pack: about 3 s and 200 MB). A pack loaded again while an equal one is still in memory (a
reload after a reply edit, the two backends of one pack, `playbook diff` of two versions
with the same patterns, a test suite) reuses its detector. The cache holds detectors weakly:
a detector lives exactly as long as some pack uses it, so the cache never keeps memory alive.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable, Iterable

from .detect import Detector
from .model import Detection, Objection

_compiled: weakref.WeakValueDictionary[Hashable, Detector] = weakref.WeakValueDictionary()
_lock = threading.Lock()


def shared_detector(objections: Iterable[Objection], settings: Detection) -> Detector:
    """A detector for these entries and settings: a live one compiled from equal ones, or a
    new one. Equal means every input of `Detector` is equal (patterns with their strings,
    positions and weights; settings), so a shared detector answers exactly as a new one."""
    objections = tuple(objections)
    key = (tuple((o.id, o.speaker_only, o.patterns, o.exclude) for o in objections),
           _settings_key(settings))
    with _lock:
        found = _compiled.get(key)
    if found is not None:
        return found
    detector = Detector(objections, settings)  # outside the lock: compiling takes seconds
    with _lock:
        return _compiled.setdefault(key, detector)


def _settings_key(settings: Detection) -> Hashable:
    return (settings.threshold, settings.negation_window,
            tuple(sorted((locale, tuple(cues)) for locale, cues in
                         settings.negation_cues.items())),
            tuple(sorted((role, tuple(sorted((locale, tuple(words)) for locale, words in
                                             by_locale.items())))
                         for role, by_locale in settings.speaker_words.items())))
