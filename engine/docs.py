"""`playbook docs`: a pack as a readable playbook for reps, in Markdown or one HTML file.

Both formats come from one outline (`outline()`): every objection and question with its
phrases, its replies per locale rendered with the pack's sample facts, and its next
steps; every pipeline with its stages, criteria, actions, approvals and a diagram. The
HTML is self-contained (inline CSS with a print stylesheet, no script, no network): the
diagram is the Mermaid text in a `<pre class="mermaid">` block plus a plain stage list.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from . import plain
from .conditions import ALWAYS
from .errors import InputError
from .graph import to_mermaid
from .model import Action, Objection, PackModel, Pipeline, Text
from .pack import sample_facts
from .render import render_context
from .templates import CompiledTemplate


def outline(model: PackModel, templates: Mapping[tuple[str, str], CompiledTemplate],
            locale: str) -> dict[str, Any]:
    facts = sample_facts(model.facts)
    entries = []
    for objection in model.objections:
        replies = []
        for reply in objection.replies:
            texts = {loc: _render(model, templates, reply.id, objection, loc, facts)
                     for loc in model.locales}
            replies.append({"id": reply.id, "priority": reply.priority,
                            "when": plain.condition(reply.when), "texts": texts,
                            "key_points": {k: list(v) for k, v in reply.key_points.items()}})
        escalation = objection.escalation or model.escalation
        entries.append({
            "id": objection.id, "kind": objection.kind,
            "title": _titles(objection.title, model.locales, locale),
            "phrases": {loc: _phrases(objection, loc) for loc in model.locales},
            "replies": replies, "next_steps": _actions(objection.next_actions),
            "escalate_after": objection.escalate_after,
            "escalation_reply": escalation.reply if escalation else None,
        })
    return {"id": model.id, "version": model.version, "locale": locale,
            "title": _titles(model.title, model.locales, locale) or model.id,
            "entries": entries,
            "pipelines": [_pipeline(p, model, locale) for p in model.pipelines]}


def _phrases(objection: Objection, locale: str) -> list[str]:
    """What customers say: the entry's examples, else its plain (unpatterned) phrases."""
    examples = list(objection.examples.get(locale, ()))
    if examples:
        return examples
    sources = (p.source for p in objection.patterns if p.locale == locale)
    return list(dict.fromkeys(s for s in sources if not any(c in s for c in "{}…")))


def _render(model: PackModel, templates: Mapping[tuple[str, str], CompiledTemplate],
            reply_id: str, objection: Objection, locale: str, facts: Mapping[str, Any]) -> str:
    template = templates.get((reply_id, locale))
    if template is None:
        return "(no template)"
    try:
        return template.render(render_context(model, facts, locale, objection, ()))
    except Exception as error:  # noqa: BLE001 - a doc page shows the problem, not a crash
        return f"(cannot be shown with sample facts: {error})"


def _titles(text: Text, locales: tuple[str, ...], locale: str) -> str:
    first = text.get(locale)
    others = [text.by_locale[loc] for loc in locales
              if loc != locale and loc in text.by_locale and text.by_locale[loc] != first]
    return f"{first} ({' / '.join(others)})" if others else first


def _actions(actions: tuple[Action, ...]) -> list[str]:
    return [plain.action(a.to_dict()) + ("" if a.when == ALWAYS
                                         else f", when {plain.condition(a.when)}")
            for a in actions]


def _pipeline(pipeline: Pipeline, model: PackModel, locale: str) -> dict[str, Any]:
    stages = []
    for stage in pipeline.stages:
        stages.append({
            "id": stage.id, "title": _titles(stage.title, model.locales, locale),
            "owner": stage.owner, "max_days": stage.max_days,
            "activities": list(stage.activities.get(locale, ())),
            "exit": [{"id": c.id, "message": c.message.get(locale), "required": c.required,
                      "when": plain.condition(c.when),
                      "question": c.question.get(locale) if c.question else None,
                      "action": plain.action(c.action.to_dict()) if c.action else None}
                     for c in stage.exit],
            "terminate": [{"id": c.id, "message": c.message.get(locale),
                           "when": plain.condition(c.when)} for c in stage.terminate],
            "approvals": list(stage.approvals.parties) if stage.approvals else [],
            "on_refusal": stage.approvals.on_refusal if stage.approvals else None,
        })
    single = dataclasses.replace(model, pipelines=(pipeline,))
    return {"id": pipeline.id, "title": _titles(pipeline.title, model.locales, locale),
            "escalate_to": pipeline.escalate_to, "stages": stages,
            "mermaid": to_mermaid(single, locale)}


# Markdown ----------------------------------------------------------------------------

def to_markdown(doc: Mapping[str, Any]) -> str:
    out = [f"# {doc['title']}", "", f"Pack `{doc['id']}` version {doc['version']}.", ""]
    for kind, heading in (("objection", "Objections"), ("question", "Customer questions")):
        entries = [e for e in doc["entries"] if e["kind"] == kind]
        if entries:
            out += [f"## {heading}", ""]
        for e in entries:
            out += _entry_md(e)
    for p in doc["pipelines"]:
        out += _pipeline_md(p)
    return "\n".join(out).rstrip() + "\n"


def _entry_md(e: Mapping[str, Any]) -> list[str]:
    out = [f"### {e['title']} (`{e['id']}`)", ""]
    for loc, phrases in e["phrases"].items():
        if phrases:
            out.append(f"- Customers say ({loc}): " + "; ".join(f"\u201c{p}\u201d"
                                                                for p in phrases[:12]))
    out.append("")
    for r in e["replies"]:
        when = "" if r["when"] == "always" else f", when {r['when']}"
        out.append(f"**Reply `{r['id']}`** (priority {r['priority']}{when})")
        out.append("")
        for loc, text in r["texts"].items():
            out.append(f"> *{loc}*: {text}".replace("\n", " "))
            out.append(">")
        if out[-1] == ">":
            out.pop()
        out.append("")
    if e["next_steps"]:
        out += ["Next steps:", ""] + [f"1. {s}" for s in e["next_steps"]] + [""]
    if e["escalate_after"]:
        out += [f"Raised more than {e['escalate_after']} times: escalate with "
                f"`{e['escalation_reply'] or 'a manager'}`.", ""]
    return out


def _pipeline_md(p: Mapping[str, Any]) -> list[str]:
    out = [f"## Pipeline: {p['title']} (`{p['id']}`)", "", "```mermaid", p["mermaid"], "```",
           ""]
    for n, s in enumerate(p["stages"], start=1):
        out += [f"### {n}. {s['title']} (`{s['id']}`)", ""]
        meta = [f"owner: {s['owner']}" if s["owner"] else "",
                f"at most {s['max_days']} days" if s["max_days"] else ""]
        if any(meta):
            out += [", ".join(m for m in meta if m).capitalize() + ".", ""]
        out += [f"- {a}" for a in s["activities"]]
        if s["exit"]:
            out += ["", "To move on:", ""]
        for c in s["exit"]:
            tag = "" if c["required"] else " (advisory)"
            line = f"- [ ] {c['message']}{tag} — checks {c['when']}"
            if c["question"]:
                line += f"; ask: {c['question']}"
            if c["action"]:
                line += f"; do: {c['action']}"
            out.append(line)
        if s["terminate"]:
            out += ["", "Stop the deal when:", ""]
            out += [f"- {c['message']} — {c['when']}" for c in s["terminate"]]
        if s["approvals"]:
            out += ["", f"Approvals: {', '.join(s['approvals'])} (a refusal "
                    f"{'ends the deal' if s['on_refusal'] == 'terminate' else 'escalates'})."]
        out.append("")
    return out


# HTML --------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{border-bottom:3px solid #2a5d9f}h2{margin-top:2.5rem;color:#2a5d9f}
section.entry,section.stage{border:1px solid #d6dbe3;border-radius:6px;padding:.5rem 1rem;
margin:1rem 0;break-inside:avoid}
.id{font-family:monospace;color:#666;font-size:.85em}
blockquote{margin:.4rem 0;padding:.3rem .8rem;border-left:4px solid #2a5d9f;background:#f4f7fb}
.loc{font-weight:bold;color:#2a5d9f;margin-right:.5rem}
pre.mermaid{background:#f6f6f6;padding:.6rem;overflow-x:auto;font-size:.8em}
ol.flow li{margin:.2rem 0}
nav ul{columns:2}
@media print{body{margin:0;max-width:none;font-size:10.5pt}nav{display:none}
a{color:inherit;text-decoration:none}pre.mermaid{display:none}
section.entry,section.stage{border:none;border-top:1px solid #999;border-radius:0}
h2{break-before:page}h2:first-of-type{break-before:auto}}
"""


def to_html(doc: Mapping[str, Any]) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", f'<html lang="{e(doc["locale"])}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(doc['title'])}</title><style>{CSS}</style></head><body>",
             f"<h1>{e(doc['title'])}</h1>",
             f"<p>Pack <span class=\"id\">{e(doc['id'])}</span> version "
             f"{e(doc['version'])}.</p>", "<nav><ul>"]
    parts += [f'<li><a href="#{e(x["id"])}">{e(x["title"])}</a></li>' for x in doc["entries"]]
    parts += [f'<li><a href="#pipeline-{e(p["id"])}">{e(p["title"])}</a></li>'
              for p in doc["pipelines"]]
    parts.append("</ul></nav>")
    for kind, heading in (("objection", "Objections"), ("question", "Customer questions")):
        entries = [x for x in doc["entries"] if x["kind"] == kind]
        if entries:
            parts.append(f"<h2>{heading}</h2>")
        parts += [_entry_html(x) for x in entries]
    parts += [_pipeline_html(p) for p in doc["pipelines"]]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _entry_html(x: Mapping[str, Any]) -> str:
    e = html.escape
    out = [f'<section class="entry" id="{e(x["id"])}"><h3>{e(x["title"])} '
           f'<span class="id">{e(x["id"])}</span></h3>']
    for loc, phrases in x["phrases"].items():
        if phrases:
            out.append(f"<p><span class=\"loc\">{e(loc)}</span>Customers say: "
                       + "; ".join(f"\u201c{e(p)}\u201d" for p in phrases[:12]) + "</p>")
    for r in x["replies"]:
        when = "" if r["when"] == "always" else f", when {e(r['when'])}"
        out.append(f"<h4>Reply <span class=\"id\">{e(r['id'])}</span> "
                   f"(priority {r['priority']}{when})</h4>")
        out += [f"<blockquote><span class=\"loc\">{e(loc)}</span>{e(text)}</blockquote>"
                for loc, text in r["texts"].items()]
    if x["next_steps"]:
        out.append("<p>Next steps:</p><ol>" + "".join(f"<li>{e(s)}</li>"
                                                        for s in x["next_steps"]) + "</ol>")
    if x["escalate_after"]:
        out.append(f"<p>Raised more than {x['escalate_after']} times: escalate with "
                   f"<span class=\"id\">{e(x['escalation_reply'] or 'a manager')}</span>.</p>")
    out.append("</section>")
    return "\n".join(out)


def _pipeline_html(p: Mapping[str, Any]) -> str:
    e = html.escape
    out = [f'<h2 id="pipeline-{e(p["id"])}">Pipeline: {e(p["title"])} '
           f'<span class="id">{e(p["id"])}</span></h2>',
           f'<pre class="mermaid">{e(p["mermaid"])}</pre>',
           '<ol class="flow">' + "".join(f"<li>{e(s['title'])}</li>" for s in p["stages"])
           + "</ol>"]
    for n, s in enumerate(p["stages"], start=1):
        out.append(f'<section class="stage" id="{e(p["id"])}-{e(s["id"])}"><h3>{n}. '
                   f'{e(s["title"])} <span class="id">{e(s["id"])}</span></h3>')
        meta = [f"owner: {s['owner']}" if s["owner"] else "",
                f"at most {s['max_days']} days" if s["max_days"] else ""]
        if any(meta):
            out.append(f"<p>{e(', '.join(m for m in meta if m).capitalize())}.</p>")
        if s["activities"]:
            out.append("<ul>" + "".join(f"<li>{e(a)}</li>" for a in s["activities"]) + "</ul>")
        if s["exit"]:
            items = []
            for c in s["exit"]:
                tag = "" if c["required"] else " (advisory)"
                extra = (f"; ask: {c['question']}" if c["question"] else "") + \
                    (f"; do: {c['action']}" if c["action"] else "")
                items.append(f"<li>\u2610 {e(c['message'])}{tag} — checks "
                             f"{e(c['when'])}{e(extra)}</li>")
            out.append("<p>To move on:</p><ul>" + "".join(items) + "</ul>")
        if s["terminate"]:
            out.append("<p>Stop the deal when:</p><ul>" + "".join(
                f"<li>{e(c['message'])} — {e(c['when'])}</li>" for c in s["terminate"]) +
                "</ul>")
        if s["approvals"]:
            verdict = "ends the deal" if s["on_refusal"] == "terminate" else "escalates"
            out.append(f"<p>Approvals: {e(', '.join(s['approvals']))} (a refusal "
                       f"{verdict}).</p>")
        out.append("</section>")
    return "\n".join(out)


def run_command(pack_name: str, fmt: str, locale: str | None, output: str | None,
                out: TextIO) -> int:
    """`playbook docs PACK --format md|html [-o FILE]`."""
    from .pack import load_model

    model, templates = load_model(pack_name)
    doc = outline(model, templates, model.locale(locale))
    text = to_html(doc) if fmt == "html" else to_markdown(doc)
    if output is None:
        out.write(text)
        return 0
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror}", output) from error
    print(f"wrote {output} ({fmt}, {len(doc['entries'])} entries, "
          f"{len(doc['pipelines'])} pipelines)", file=out)
    return 0
