"""Objection detection: normalized text, one automaton over every pattern fragment.

Deterministic and explainable: every hit names the text that matched. Cost per
utterance depends on its length and the number of hits, not on the number of phrases
(Aho-Corasick, pyahocorasick's C automaton).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from .model import Detection, Objection, Pattern
from .textnorm import is_word_char, is_wordy, normalize

MAX_GAP = 12  # characters allowed between consecutive parts of `a…b` or `a & b`
MAX_UTTERANCE = 5_000  # characters examined per utterance; the rest is ignored
MAX_CHAINS = 64  # occurrences of a pattern's first fragment examined per utterance
NEGATION_REACH = 80  # characters before a hit in which a negation cue may end
PERSON_REACH = 80  # characters before a hit in which its person word may start
MAX_MASK = 8  # longest not-a-person word (其他) that can hide a person word, in characters
MAX_MATCHES = 20_000  # automaton matches examined per utterance; the rest are ignored
MAX_STEPS = 50_000  # chain-building steps per utterance, whatever the pack
_CLAUSE_BREAK = re.compile(r"[,.!?;:,。!?;:、\n]")
_UNIT = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def _a_not_a(text: str, cue_start: int) -> bool:
    """是不是 / 对不对 / 好不好: a Chinese yes-no question, not a negation."""
    return (text[cue_start] == "不" and 0 < cue_start < len(text) - 1
            and text[cue_start - 1] == text[cue_start + 1])


_SUBJECT_AFTER = re.compile(r"\s*(you|it|this|that|these|those|they|he|she|we|i|there|"
                            r"the|your|my|a|an)\b")


_OPENING_WORD = re.compile(r"(?:^|\s)(?:but|so|and|or|well|then|oh|hmm|ok|okay)$")


def _question_opener(text: str, cue_start: int) -> bool:
    """"Isn't this risky?", "but isn't it gambling?": a negated auxiliary that opens a
    clause (or follows its subject in a clause ending with '?') asks a question that
    affirms; it is not a negation of what follows. "Don't need to ask my wife" opens a
    clause too, but with no subject and no '?' it is a negation."""
    if not text.startswith("n't", cue_start):
        return False
    word_start = cue_start
    while word_start > 0 and is_word_char(text[word_start - 1]):
        word_start -= 1
    before = text[:word_start].rstrip()
    opens = not before or bool(_CLAUSE_BREAK.match(before[-1]) or _OPENING_WORD.search(before))
    after = cue_start + len("n't")
    clause_end = _CLAUSE_BREAK.search(text, after)
    asks = clause_end is not None and text[clause_end.start()] in "??"
    subject_follows = bool(_SUBJECT_AFTER.match(text, after))
    return (opens and (asks or subject_follows)) or (asks and subject_follows)


_CLITIC = re.compile(r"'(?:s|ll|re|ve|d|m)(?![a-z0-9])")


def _joins_word(text: str, i: int, step: int) -> bool:
    """Whether text[i], next to a match, continues its word: a letter or digit, or an
    apostrophe inside a word ("don't"), but not a quote mark ("'no downside'") nor a
    clitic after it ("the credit union's rates", "she'll")."""
    if not 0 <= i < len(text) or not is_word_char(text[i]):
        return False
    if text[i] != "'":
        return True
    if step > 0 and _CLITIC.match(text, i):
        return False
    beyond = i + step
    return 0 <= beyond < len(text) and text[beyond].isascii() and text[beyond].isalnum()


# A person word right after one of these (through a possessor: 给我妈, "for my wife") is an
# object, not the subject whose situation the sentence describes. Causatives (让, 叫) are
# left out: in "老板让我出差" the one who travels is 我.
_OBJECT_BEFORE = re.compile(
    r"(?:给|跟|和|同|陪|帮|替|为|带|送|找|对|把|跑|见|问|接|等|看|养|供|照顾|伺候|约)"
    r"着?(?:我的|我们|我家|我|的)?$"
    r"|\b(?:for|with|to|at|from|about|of|and|or|than|like|between|visit|see|call|help|"
    r"pick up|drop off)\s+(?:(?:my|our|the|his|her|their|a)\s+)?$")


def _extent(chain: list[tuple[int, int]]) -> tuple[int, int]:
    """From the start of a chain's first part to the end of its last-ending part."""
    return chain[0][0], max(end for _start, end in chain)


def _combine(weights: Iterable[float]) -> float:
    """Independent cues: 1 - Π(1 - weight)."""
    miss = 1.0
    for weight in weights:
        miss *= 1.0 - weight
    return round(1.0 - miss, 6)


class _Persons:
    """The person words of one turn, for `speaker: self` entries. Built once per turn;
    each question looks back at most PERSON_REACH characters, so its cost is bounded
    whatever the utterance."""

    def __init__(self, text: str, found: list[tuple[int, int, str]]) -> None:
        self.text = text
        masks = sorted((s, e) for s, e, role in found if role == "not_persons")
        mask_starts = [s for s, _e in masks]
        eligible = []
        for s, e, role in found:
            if role == "not_persons":
                continue
            low = bisect.bisect_left(mask_starts, s - MAX_MASK)
            high = bisect.bisect_right(mask_starts, s)
            if any(masks[i][1] >= e for i in range(low, high)):
                continue  # inside 其他
            if role == "others" and _OBJECT_BEFORE.search(text, max(0, s - 24), s):
                continue  # 给我妈, "with my husband": an object, not the subject
            eligible.append((s, role))
        eligible.sort()
        self.starts = [s for s, _role in eligible]
        self.roles = [role for _s, role in eligible]

    def about_someone_else(self, chain: list[tuple[int, int]]) -> bool:
        """Whether a hit describes someone other than the speaker: the person word nearest
        before it, in its clause, is someone else ("老公出差了", "my husband's away on a
        business trip"), or someone else comes between its parts ("我在家,老公出差了").
        A person word the hit starts with is part of it: "娃在哭…先挂了" gives the speaker's
        reason, "i'm broke" is the speaker's own."""
        start = chain[0][0]
        i = bisect.bisect_left(self.starts, start)
        if not (i < len(self.starts) and self.starts[i] == start) and \
                self._is_other(i - 1, start, lowest=start - PERSON_REACH):
            return True
        if len(chain) < 2:
            return False
        last = chain[-1][0]
        return self._is_other(bisect.bisect_right(self.starts, last) - 1, last,
                              lowest=chain[0][1])

    def _is_other(self, i: int, position: int, lowest: int) -> bool:
        """Person word i, if it starts at or after `lowest` and nothing breaks the clause
        between it and `position`, is someone else."""
        if i < 0 or self.starts[i] < lowest:
            return False
        if _CLAUSE_BREAK.search(self.text, self.starts[i], position):
            return False
        return self.roles[i] == "others"


def _slot_spans(slot: frozenset[str], occurrences: Mapping[str, list[tuple[int, int]]]
                ) -> list[tuple[int, int]]:
    """Where any string of a slot occurs, in text order and the longest first among those
    starting together (so an exclusion covers as much as it can). Few strings occur per
    turn: the set intersection walks the smaller side, in C."""
    present = slot.intersection(occurrences.keys())
    if not present:
        return []
    spans = [span for string in present for span in occurrences[string]]
    return sorted(spans, key=lambda span: (span[0], -span[1]))


def _chains(text: str, pattern: Pattern, occurrences: Mapping[str, list[tuple[int, int]]],
            seen: dict[int, list[tuple[int, int]]], budget: _Budget, furthest: bool = False
            ) -> Iterator[list[tuple[int, int]]]:
    """Occurrences of a pattern's parts, in text order, each within MAX_GAP of the
    previous. Ordered patterns keep their parts' order; unordered ones may take them in
    any order but within one clause. Lazy; at most MAX_CHAINS starting points per order.
    `seen` caches a slot's spans for the turn (the loader shares equal slots).
    `furthest`: from each starting point, the chain that ends furthest (an exclusion
    covers all it can), instead of the first one found."""
    spans = []
    for slot in pattern.slots:
        found = seen.get(id(slot))
        if found is None:
            found = seen[id(slot)] = _slot_spans(slot, occurrences)
        if not found:
            return
        spans.append(found)
    orders = [tuple(range(len(spans)))] if pattern.ordered else \
        itertools.permutations(range(len(spans)))
    for order in orders:
        chains = (_furthest_chains if furthest else _ordered_chains)(
            text, [spans[i] for i in order], not pattern.ordered, budget)
        for chain in chains:
            yield sorted(chain)


class _Budget:
    """Chain-building steps left in this turn: a hostile pack (a part that matches at
    every position) cannot make one turn run long; past the budget no more chains."""

    def __init__(self, steps: int = MAX_STEPS) -> None:
        self.steps = steps

    def spend(self) -> bool:
        self.steps -= 1
        return self.steps >= 0


def _ordered_chains(text: str, spans: list[list[tuple[int, int]]], same_clause: bool,
                    budget: _Budget) -> Iterator[list[tuple[int, int]]]:
    """Trying later occurrences of a middle part when an earlier one leads nowhere, and
    remembering the (part, occurrence) pairs that led nowhere, so each is tried once."""
    dead: set[tuple[int, int]] = set()

    def extend(chain: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
        if len(chain) == len(spans):
            return chain
        depth = len(chain)
        for i in _following(text, spans[depth], chain[-1][1], same_clause, budget):
            if (depth, i) not in dead:
                found = extend([*chain, spans[depth][i]])
                if found is not None:
                    return found
                dead.add((depth, i))
        return None

    for first in spans[0][:MAX_CHAINS]:
        if not budget.spend():
            return
        chain = extend([first])
        if chain is not None:
            yield chain


def _following(text: str, spans: list[tuple[int, int]], prev_end: int, same_clause: bool,
               budget: _Budget) -> Iterator[int]:
    """Indexes of the occurrences in `spans` that may follow a part ending at prev_end."""
    i = bisect.bisect_left(spans, prev_end, key=lambda span: span[0])
    while i < len(spans) and spans[i][0] <= prev_end + MAX_GAP:
        if not budget.spend():
            return
        if same_clause and _CLAUSE_BREAK.search(text, prev_end, spans[i][0]):
            return
        yield i
        i += 1


def _furthest_chains(text: str, spans: list[list[tuple[int, int]]], same_clause: bool,
                     budget: _Budget) -> Iterator[list[tuple[int, int]]]:
    """Per starting point, the chain whose parts reach furthest. "在外头跑业务" against an
    exclusion `在…{外头跑,跑业务}`: the first chain found stops at 外头跑, the furthest
    one covers 跑业务 too. Each (part, occurrence) is solved once, under the budget."""
    best: dict[tuple[int, int], tuple[int, list[tuple[int, int]]] | None] = {}

    def tail(depth: int, i: int) -> tuple[int, list[tuple[int, int]]] | None:
        key = (depth, i)
        if key not in best:
            span = spans[depth][i]
            result: tuple[int, list[tuple[int, int]]] | None = None
            if depth + 1 == len(spans):
                result = (span[1], [span])
            else:
                for j in _following(text, spans[depth + 1], span[1], same_clause, budget):
                    rest = tail(depth + 1, j)
                    if rest is not None and (result is None or rest[0] > result[0]):
                        result = (max(rest[0], span[1]), [span, *rest[1]])
            best[key] = result
        return best[key]

    for i in range(min(len(spans[0]), MAX_CHAINS)):
        if not budget.spend():
            return
        found = tail(0, i)
        if found is not None:
            yield found[1]


@dataclass(frozen=True)
class Hit:
    """One detected objection with its score and the phrases that matched."""

    objection: str
    score: float
    evidence: tuple[str, ...]
    start: int

    def to_dict(self) -> dict[str, object]:
        return {"id": self.objection, "score": round(self.score, 3),
                "evidence": list(self.evidence)}


@dataclass(frozen=True)
class _Closing:
    """A pattern to check when this automaton entry occurs: an ordered pattern's last
    part, or any part of an unordered one."""

    kind: str  # "pattern" | "exclude"
    objection: str
    pattern: Pattern
    needs: tuple[int, ...]  # numbers of the pattern's slots: each must occur in the turn


class _Entry(NamedTuple):  # a tuple: a big pack makes hundreds of thousands at load
    fragment: str
    wordy: bool
    is_cue: bool
    closing: tuple[_Closing, ...]
    person: str | None = None  # "self" | "others" | "not_persons" (see Detection)
    slots: tuple[int, ...] = ()  # numbers of the slots this fragment belongs to


class Detector:
    def __init__(self, objections: Iterable[Objection], settings: Detection) -> None:
        self.threshold = settings.threshold
        self.window = settings.negation_window
        self._automaton = ahocorasick.Automaton()
        closing: dict[str, list[_Closing]] = defaultdict(list)
        # Slots are numbered once (patterns share them); a fragment knows its slots, so a
        # turn knows which slots occurred and skips patterns missing one, without
        # intersecting each slot's strings with the turn's.
        numbers: dict[int, int] = {}
        member_of: dict[str, list[int]] = defaultdict(list)
        objections = tuple(objections)
        for objection in objections:
            for kind, patterns in (("pattern", objection.patterns),
                                   ("exclude", objection.exclude)):
                for pattern in patterns:
                    for slot in pattern.slots:
                        if id(slot) not in numbers:
                            numbers[id(slot)] = len(numbers)
                            for string in slot:
                                member_of[string].append(numbers[id(slot)])
                    needs = tuple(dict.fromkeys(numbers[id(slot)] for slot in pattern.slots))
                    item = _Closing(kind, objection.id, pattern, needs)
                    for slot in pattern.slots[-1:] if pattern.ordered else pattern.slots:
                        for string in slot:
                            closing[string].append(item)
        cues = {normalize(c) for cs in settings.negation_cues.values() for c in cs}
        persons: dict[str, str] = {}
        for role in ("self", "others", "not_persons"):  # a later role wins a shared word
            for words in settings.speaker_words.get(role, {}).values():
                persons.update((normalize(w), role) for w in words)
        self._speaker_only = frozenset(o.id for o in objections if o.speaker_only)
        for fragment in {**member_of, **dict.fromkeys(cues), **dict.fromkeys(persons)}:
            if fragment:
                items = closing.get(fragment, ())
                if len(items) > 1:  # one pattern may list a string twice
                    items = list({id(c): c for c in items}.values())
                self._automaton.add_word(fragment, _Entry(
                    fragment, is_wordy(fragment), fragment in cues, tuple(items),
                    persons.get(fragment), tuple(member_of.get(fragment, ()))))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def detect(self, utterance: str) -> list[Hit]:
        if self._empty or not utterance:
            return []
        text = normalize(utterance[:MAX_UTTERANCE])
        cues: list[tuple[int, int]] = []
        persons: list[tuple[int, int, str]] = []
        occurrences: dict[str, list[tuple[int, int]]] = defaultdict(list)
        candidates: dict[int, _Closing] = {}  # by identity: equal patterns of two entries
        present: set[int] = set()  # numbers of the slots that occur
        for matches, (end, entry) in enumerate(self._automaton.iter(text)):
            if matches >= MAX_MATCHES:
                break  # a pathological utterance or pack: examine no more matches
            start = end - len(entry.fragment) + 1
            if entry.wordy and not self._bounded(text, entry.fragment, start, end):
                continue
            occurrences[entry.fragment].append((start, end + 1))
            present.update(entry.slots)
            if entry.is_cue:
                cues.append((start, end + 1))
            if entry.person:
                persons.append((start, end + 1, entry.person))
            for item in entry.closing:
                candidates.setdefault(id(item), item)
        cue_starts: dict[int, list[int]] = defaultdict(list)
        for cue_start, cue_end in cues:
            cue_starts[cue_end].append(cue_start)
        cue_ends = sorted(cue_starts)
        speakers: _Persons | None = None  # built on the first speaker-scoped hit only
        slot_spans: dict[int, list[tuple[int, int]]] = {}
        budget = _Budget()
        # exclusions first, so a pattern whose first chain is excluded tries the next one
        excluded: dict[str, list[tuple[int, int]]] = defaultdict(list)
        viable = [item for item in candidates.values() if present.issuperset(item.needs)]
        for item in viable:
            if item.kind == "exclude":
                for chain in _chains(text, item.pattern, occurrences, slot_spans, budget,
                                     furthest=True):
                    excluded[item.objection].append(_extent(chain))
        found: list[tuple[str, Pattern, tuple[int, int], list[tuple[int, int]]]] = []
        for item in viable:
            if item.kind == "exclude":
                continue
            covers = excluded.get(item.objection, ())
            for chain in _chains(text, item.pattern, occurrences, slot_spans, budget):
                whole = _extent(chain)
                if any(s <= whole[0] and whole[1] <= e for s, e in covers):
                    continue
                if self._negated(text, whole[0], cue_ends, cue_starts):
                    continue
                if item.objection in self._speaker_only:
                    speakers = speakers or _Persons(text, persons)
                    if speakers.about_someone_else(chain):
                        continue
                found.append((item.objection, item.pattern, whole, chain))
                break
        return self._score(text, found)

    @staticmethod
    def _bounded(text: str, fragment: str, start: int, end: int) -> bool:
        suffix = fragment.startswith("n'")  # "n't" attaches to the word before it
        if is_word_char(fragment[0]) and not suffix and _joins_word(text, start - 1, -1):
            return False
        return not (is_word_char(fragment[-1]) and _joins_word(text, end + 1, 1))

    def _negated(self, text: str, start: int, cue_ends: list[int],
                 cue_starts: dict[int, list[int]]) -> bool:
        """A cue ending shortly before `start`, in the same clause, negates the hit.
        Only cues ending within NEGATION_REACH characters are examined, so the cost per
        hit is bounded whatever the length of the utterance."""
        low = bisect.bisect_left(cue_ends, start - NEGATION_REACH)
        high = bisect.bisect_right(cue_ends, start)
        for cue_end in cue_ends[low:high]:
            gap = text[cue_end:start]
            if _CLAUSE_BREAK.search(gap) or len(_UNIT.findall(gap)) > self.window:
                continue
            for cue_start in cue_starts[cue_end]:
                if not (_a_not_a(text, cue_start) or _question_opener(text, cue_start)):
                    return True
        return False

    def _score(self, text: str, found: list[tuple[str, Pattern, tuple[int, int],
                                                    list[tuple[int, int]]]]) -> list[Hit]:
        weights: dict[str, list[float]] = defaultdict(list)
        own_weights: dict[str, list[float]] = defaultdict(list)  # without `alone` patterns
        evidence: dict[str, list[str]] = defaultdict(list)
        first: dict[str, int] = {}
        for objection, pattern, whole, chain in sorted(found, key=lambda f: f[2][0]):
            weights[objection].append(pattern.weight)
            if not pattern.alone:
                own_weights[objection].append(pattern.weight)
            phrase = "…".join(text[s:e] for s, e in chain)
            if phrase not in evidence[objection]:
                evidence[objection].append(phrase)
            first.setdefault(objection, whole[0])
        scores = {o: _combine(w) for o, w in weights.items()}
        on_their_own = {o for o, w in own_weights.items() if _combine(w) >= self.threshold}
        hits: list[Hit] = []
        for objection, score in scores.items():
            # an entry heard only through `alone` patterns (a generic "回头再说") counts
            # only when no other entry is heard on its own: then it closes that one
            if score >= self.threshold and (objection in on_their_own or not on_their_own):
                hits.append(Hit(objection, score, tuple(evidence[objection]), first[objection]))
        hits.sort(key=lambda h: (-h.score, h.start, h.objection))
        return hits
