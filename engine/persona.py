"""A simulated customer driven by a persona, deterministic for a given random generator.

What the customer says is taken from the pack itself: the `examples.match` utterances of
the objection being raised (only those the pack detects as that objection). Whether an
objection is raised, whether an answer resolves it, and whether the customer agrees to
go on to the next stage are draws from the one `random.Random` the caller passes in.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from .pack import Pack
from .scenario import Persona, PersonaObjection, Scenario


class PersonaCustomer:
    def __init__(self, scenario: Scenario, pack: Pack, locale: str) -> None:
        self.persona: Persona = scenario.persona
        self.locale = locale
        self._utterances: dict[str, tuple[str, ...]] = {}
        for item in self.persona.objections:
            objection = pack.model.objection(item.id)
            examples = tuple(objection.examples.get(locale, ())) if objection else ()
            detected = tuple(t for t in examples
                             if item.id in [h.objection for h in pack.detect(t)])
            title = objection.title.get(locale) if objection else item.id
            self._utterances[item.id] = detected or examples or (title,)

    def facts(self, declared: Mapping[str, object]) -> dict[str, object]:
        """The persona as facts, for those the pack declares."""
        out: dict[str, object] = {}
        pairs = (("customer.name", self.persona.name),
                 ("customer.honorific", self.persona.honorific),
                 ("customer.type", self.persona.customer_type),
                 ("customer.capital", self.persona.capital))
        for path, value in pairs:
            if value not in (None, "") and path in declared:
                out[path] = value
        return out

    def raised_at(self, stage: str | None, start: str | None) -> list[PersonaObjection]:
        return [o for o in self.persona.objections if (o.stage or start) == stage]

    def raises(self, item: PersonaObjection, rng: random.Random) -> bool:
        return rng.random() < item.raise_p

    def say(self, item: PersonaObjection, rng: random.Random) -> str:
        return rng.choice(self._utterances[item.id])

    def resolved(self, item: PersonaObjection, score: float, failed: bool,
                 rng: random.Random) -> bool:
        """A full-score answer resolves with the persona's probability, a weaker one less."""
        chance = 0.0 if failed else item.resolve_p * max(0.0, min(score, 100.0)) / 100.0
        return rng.random() < chance

    def goes_on(self, rng: random.Random) -> bool:
        return rng.random() < self.persona.interest
