"""Rendering a reply: the template context, the sandboxed render, the compliance guard."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .factvalues import Value, nest
from .model import Objection, PackModel

if TYPE_CHECKING:
    from .pack import Pack
    from .recommendation import Recommendation


def fact_defaults(model: PackModel, locale: str) -> dict[str, Any]:
    """The declared defaults in one locale (computed once per pack and locale)."""
    values: dict[str, Any] = {}
    for spec in model.facts.declared():
        default = spec.default_for(locale)
        if default is not None:
            values[spec.path] = default
    return values


def render_context(model: PackModel, facts: Mapping[str, Value], locale: str,
                   objection: Objection | None, evidence: Iterable[str],
                   defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    values = dict(fact_defaults(model, locale) if defaults is None else defaults)
    values.update({k: v for k, v in facts.items() if not model.facts.get(k) or
                   not model.facts.get(k).virtual})  # type: ignore[union-attr]
    context = nest(values)
    context.update(
        locale=locale, pack=model.id, evidence=list(evidence),
        objection={"id": objection.id, "title": objection.title.get(locale)}
        if objection else {"id": "", "title": ""})
    return context


def render_reply(pack: Pack, reply_id: str, objection: Objection, facts: Mapping[str, Value],
                 locale: str, evidence: Iterable[str], rec: Recommendation) -> str | None:
    """The reply's text, or None (with a warning) when it cannot be shown safely."""
    template = pack.templates.get((reply_id, locale))
    if template is None:
        rec.warn("no_template", f"reply '{reply_id}' has no {locale} template")
        return None
    context = render_context(pack.model, facts, locale, objection, evidence,
                             pack.defaults[locale])
    try:
        text = template.render(context)
    except Exception as error:  # noqa: BLE001 - a template may fail on data; a turn may not
        rec.warn("render_failed", f"reply '{reply_id}' could not be rendered: {error}")
        return None
    for claim in pack.guard.claims(text):
        rec.warn("compliance_blocked", f"reply '{reply_id}' was withheld: it would claim "
                 f"'{claim}'")
        rec.because(f"compliance:{reply_id}", f"forbidden claim '{claim}' in rendered text")
        return None
    for disclosure in pack.guard.disclosures_for(objection.id):
        required = disclosure.text.get(locale)
        if required not in text:
            text = f"{text}\n{required}"
            rec.because(f"compliance:{disclosure.id}", "required disclosure appended")
    return text
