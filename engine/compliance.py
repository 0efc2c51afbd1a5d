"""The compliance guard: forbidden claims and required disclosures in reply text.

Forbidden phrases are found with the same automaton and negation rule as objections, so
"no one can promise a guaranteed return" is a disclaimer, while "a guaranteed return" is
a claim. `validate` runs it over every template's sample rendering; at run time it runs
over what templates produce from real data.
"""

from __future__ import annotations

from dataclasses import dataclass

from .detect import Detector
from .model import Compliance, Detection, Disclosure, Objection, Pattern, Text
from .patterns import parse

# Words that turn a forbidden phrase into a disclaimer ("no one can promise a guaranteed
# return"). Wider than detection's negation cues on purpose: here a false "disclaimer"
# only lets a sentence that denies the claim through.
DISCLAIMER_CUES: dict[str, tuple[str, ...]] = {
    "zh-CN": ("没有人能", "没人能", "谁也不能", "谁都不能", "不能", "无法", "不会", "不可能",
              "不承诺", "不保证", "没法"),
    "en": ("no one can", "nobody can", "no one could", "cannot", "can't", "won't", "never",
           "not", "no"),
}


@dataclass(frozen=True)
class Violation:
    code: str  # "forbidden_claim" | "missing_disclosure"
    detail: str

    def message(self) -> str:
        if self.code == "forbidden_claim":
            return f"makes the forbidden claim '{self.detail}'"
        return f"lacks the required disclosure '{self.detail}'"


class ComplianceGuard:
    def __init__(self, compliance: Compliance, detection: Detection) -> None:
        entries = []
        for locale, phrases in compliance.forbid.items():
            for phrase in phrases:
                parsed = parse(phrase)
                patterns = (Pattern(phrase, parsed.slots, 1.0, locale, parsed.ordered),)
                entries.append(Objection(phrase, "claim", Text(), patterns, (), ()))
        cues = {locale: tuple(detection.negation_cues.get(locale, ())) +
                DISCLAIMER_CUES.get(locale, ())
                for locale in set(detection.negation_cues) | set(DISCLAIMER_CUES)}
        self._claims = Detector(entries, Detection(0.5, detection.negation_window, cues))
        self._disclosures: dict[str, list[Disclosure]] = {}
        for disclosure in compliance.disclosures:
            for objection in disclosure.objections:
                self._disclosures.setdefault(objection, []).append(disclosure)

    def claims(self, text: str) -> list[str]:
        return [hit.objection for hit in self._claims.detect(text)]

    def disclosures_for(self, objection: str) -> list[Disclosure]:
        return self._disclosures.get(objection, [])

    def check(self, text: str, objection: str, locale: str) -> list[Violation]:
        found = [Violation("forbidden_claim", claim) for claim in self.claims(text)]
        for disclosure in self.disclosures_for(objection):
            if disclosure.text.get(locale) not in text:
                found.append(Violation("missing_disclosure", disclosure.id))
        return found
