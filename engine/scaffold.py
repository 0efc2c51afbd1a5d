"""`playbook init NAME`: a new pack that validates and whose tests cover all of it.

Writes `rules/NAME/` (manifest, one objection with two replies, one pipeline with two
stages, a test file) and `responses/NAME/<locale>/` (one template per reply), under DIR.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from .errors import InputError
from .fields import ID

TEXT = {
    "en": {
        "title": "{name}: a new playbook",
        "objection": "I have no time",
        "patterns": '[no time, too busy, "busy…right now"]',
        "example": "I'm too busy right now",
        "nothing": "thanks a lot",
        "qualify": "Qualify", "close": "Close",
        "need": "The customer has a need", "need_q": "Does the customer have a need?",
        "no_need": "The customer has no need",
        "signed": "The contract is signed", "signed_q": "Is the contract signed?",
        "reply_a": "I understand, {{ customer.name }}; as a business owner your time is "
                   "precious. Could I call you back at a time that suits you better?",
        "reply_b": "No problem, {{ customer.name }}. When would be a better time for a "
                   "two-minute call?",
        "contains": "better time",
    },
    "zh-CN": {
        "title": "{name}: 新的销售手册",
        "objection": "我没时间",
        "patterns": "[没时间, 太忙, 忙…没空]",
        "example": "我最近太忙了",
        "nothing": "好的谢谢",
        "qualify": "确认需求", "close": "成交",
        "need": "客户有需求", "need_q": "客户是否有需求?",
        "no_need": "客户没有需求",
        "signed": "合同已签订", "signed_q": "合同是否已签订?",
        "reply_a": "理解,{{ customer.name }}。您是老板,时间宝贵,我改天在您方便的时候再打给您好吗?",
        "reply_b": "没关系,{{ customer.name }}。您什么时候方便,我再花两分钟跟您说?",
        "contains": "方便",
    },
}


def _localized(key: str, locales: list[str], name: str = "") -> str:
    parts = [f"{loc}: {_quote(TEXT[loc][key].format(name=name))}" for loc in locales]
    return "{" + ", ".join(parts) + "}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def manifest(name: str, locales: list[str]) -> str:
    names = {"en": "Lee", "zh-CN": "李总"}
    return f"""# The manifest: facts, action types and files of the pack (docs/pack-format.md).
pack: {name}
version: 0.1.0
title: {_localized("title", locales, name)}
locales: [{", ".join(locales)}]
include: [objections.yaml, pipeline.yaml]

facts:
  customer.type: {{enum: [individual, business_owner], sample: business_owner}}
  customer.name:
    type: string
    default: {{{", ".join(f"{loc}: {names[loc]}" for loc in locales)}}}
  deal.stage: {{enum: [qualify, close], sample: qualify}}
  deal.entered_at: {{type: date}}
  customer.has_need: {{type: boolean}}
  deal.contract_signed: {{type: boolean}}

action_types:
  schedule_callback:
    params: {{within_days: integer}}
    description: Book a call back with the customer within the given number of days
  qualify_call:
    params: {{}}
    description: Call the customer to confirm they have a need
  send_contract:
    params: {{}}
    description: Send the contract to the customer for signature

examples:
  match_nothing: {{{", ".join(f"{loc}: [{_quote(TEXT[loc]['nothing'])}]" for loc in locales)}}}
"""


def objections(locales: list[str]) -> str:
    patterns = "\n".join(f"        {loc}: {TEXT[loc]['patterns']}" for loc in locales)
    examples = ", ".join(f"{loc}: [{_quote(TEXT[loc]['example'])}]" for loc in locales)
    return f"""# What customers say, how to answer, and what to do next.
objections:
  - id: no_time
    title: {_localized("objection", locales)}
    detect:
      patterns:
{patterns}
    replies:                    # templates: responses/<pack>/<locale>/<reply id>.j2
      - id: no_time.a
        when: {{customer.type: business_owner}}
        priority: 10
      - id: no_time.b
    next_actions:
      - {{type: schedule_callback, within_days: 2}}
    examples:
      match: {{{examples}}}
"""


def pipeline(name: str, locales: list[str]) -> str:
    return f"""# The stages of a deal and what must hold to leave each one.
pipelines:
  - id: {name}
    title: {_localized("title", locales, name)}
    stage_fact: deal.stage
    entered_fact: deal.entered_at
    stages:
      - id: qualify
        title: {_localized("qualify", locales)}
        max_days: 30
        exit:
          - id: need_confirmed
            when: {{customer.has_need: true}}
            message: {_localized("need", locales)}
            question: {_localized("need_q", locales)}
            action: {{type: qualify_call}}
        terminate:
          - id: no_need
            when: {{customer.has_need: false}}
            reason: {_localized("no_need", locales)}
      - id: close
        title: {_localized("close", locales)}
        exit:
          - id: contract_signed
            when: {{deal.contract_signed: true}}
            message: {_localized("signed", locales)}
            question: {_localized("signed_q", locales)}
            action: {{type: send_contract}}
"""


def tests(locales: list[str]) -> str:
    first = locales[0]
    say = _quote(TEXT[first]["example"])
    return f"""# Test cases for this pack (docs/pack-tests.md); run them with
#   playbook test rules/<pack> --coverage --threshold 100
now: 2026-01-15
cases:
  - name: a busy business owner gets the priority reply, then the other one
    facts: {{customer.type: business_owner}}
    turns:
      - say: {say}
        expect:
          objections: [no_time]
          replies: [no_time.a]
          actions: [{{type: schedule_callback, within_days: 2}}]
      - say: {say}
        expect:
          replies: [no_time.b]
          contains: [{_quote(TEXT[first]["contains"])}]

  - name: a qualified deal advances
    facts: {{deal.stage: qualify, customer.has_need: true}}
    expect: {{decision: advance, next_stage: close}}

  - name: a deal whose need is unknown holds and asks
    facts: {{deal.stage: qualify}}
    expect: {{decision: hold, unknown: [need_confirmed], actions: [qualify_call]}}

  - name: a customer without a need ends the deal
    facts: {{deal.stage: qualify, customer.has_need: false}}
    expect: {{decision: terminate, terminated_by: [no_need]}}

  - name: a signed contract closes the deal
    facts: {{deal.stage: close, deal.contract_signed: true}}
    expect: {{decision: advance, unmet: []}}

  - name: an unsigned contract holds
    facts: {{deal.stage: close, deal.contract_signed: false}}
    expect: {{decision: hold, unmet: [contract_signed], actions: [send_contract]}}
"""


def scaffold(name: str, base: Path, locales: list[str]) -> list[Path]:
    """Write the pack's files; refuses to touch an existing pack. Returns what it wrote."""
    if not ID.match(name):
        raise InputError(f"pack name '{name}' must be snake_case ([a-z][a-z0-9_]*)")
    unknown = [loc for loc in locales if loc not in TEXT]
    if unknown or not locales:
        raise InputError(f"locale(s) {', '.join(unknown) or '(none)'}: init writes "
                         f"{', '.join(TEXT)}")
    locales = list(dict.fromkeys(locales))
    rules, responses = base / "rules" / name, base / "responses" / name
    for folder in (rules, responses):
        try:
            exists = folder.exists()
        except OSError as error:  # a name too long for the file system, say
            raise InputError(f"cannot write the pack: {error.strerror}", str(folder)) from error
        if exists:
            raise InputError(f"{folder} already exists; init never overwrites a pack")
    files = {
        rules / "pack.yaml": manifest(name, locales),
        rules / "objections.yaml": objections(locales),
        rules / "pipeline.yaml": pipeline(name, locales),
        rules / "tests" / "basics.yaml": tests(locales),
    }
    for loc in locales:
        files[responses / loc / "no_time.a.j2"] = TEXT[loc]["reply_a"] + "\n"
        files[responses / loc / "no_time.b.j2"] = TEXT[loc]["reply_b"] + "\n"
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write the pack: {error}") from error
    return list(files)


def run_command(name: str, directory: str, locales: list[str], out: TextIO) -> int:
    written = scaffold(name, Path(directory), locales)
    for path in written:
        print(f"created {path}", file=out)
    rules = Path(directory) / "rules" / name
    print(f"next: playbook validate {rules} && playbook test {rules} --coverage", file=out)
    return 0
