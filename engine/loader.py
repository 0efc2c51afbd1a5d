"""Reads a pack folder into the typed model, reporting every problem with file:line:col.

The loader never stops at the first mistake: it records problems, substitutes a neutral
value and goes on, so an author sees all the errors of a pack in one run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conditions import ALWAYS, Condition, ConditionParser
from .errors import Position, ProblemLog
from .factvalues import KINDS, FactSpec, FactTable
from .fields import FACT_PATH, ID, REPLY_ID, VERSION, FieldReader, kind_of
from .lexicon import LexiconReader
from .model import (
    Action,
    Approvals,
    Compliance,
    Criterion,
    Detection,
    Disclosure,
    Escalation,
    Objection,
    PackModel,
    Pattern,
    Pipeline,
    Reply,
    Stage,
    frozen_map,
)
from .patterns import PatternSyntaxError, parse
from .suggest import nearest
from .yamlsource import LocDict, LocList, load_yaml, where

MAX_FILE_BYTES = 2_000_000

MANIFEST_KEYS = ("pack", "version", "title", "locales", "include", "facts", "action_types",
                 "detection", "escalation", "compliance", "examples", "responses",
                 "objections", "pipelines", "lint", "lexicon")
INCLUDE_KEYS = ("objections", "pipelines", "lexicon")
OBJECTION_KEYS = ("id", "kind", "title", "detect", "replies", "repeat", "escalate_after",
                  "escalation", "next_actions", "examples")
REPLY_KEYS = ("id", "when", "priority", "key_points")
PIPELINE_KEYS = ("id", "title", "stage_fact", "entered_fact", "allow_skip", "allow_backward",
                 "escalate_to", "stages")
STAGE_KEYS = ("id", "title", "owner", "keywords", "activities", "max_days", "exit",
              "terminate", "approvals")
CRITERION_KEYS = ("id", "when", "required", "message", "question", "action", "reason")
PARAM_TYPES = ("string", "integer", "number", "boolean")
SPEAKER_ROLES = ("self", "others", "not_persons")
MAX_PACK_STRINGS = 1_000_000  # strings all patterns stand for (the brokerage pack: ~430k)


def read_file(path: Path, problems: ProblemLog) -> Any:
    try:
        size = path.stat().st_size
    except OSError as error:
        problems.add(Position(str(path)), f"cannot read file: {error.strerror}", code="E005")
        return None
    if size > MAX_FILE_BYTES:
        problems.add(Position(str(path)), "file larger than 2 MB", code="E005")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.add(Position(str(path)), f"file is not UTF-8: {error.reason}", code="E005")
        return None
    return load_yaml(text, str(path), problems)


class PackLoader:
    """Builds a PackModel from a pack folder; problems are collected in `problems`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems = ProblemLog()
        self.r = FieldReader(self.problems, ("zh-CN", "en"))
        self.files: list[Path] = []
        self._slots: dict[frozenset[str], frozenset[str]] = {}
        self._parts: dict[str, dict[str, frozenset[str]]] = {}  # per locale
        self._strings = 0  # strings over distinct slots, against MAX_PACK_STRINGS

    def load(self) -> PackModel | None:
        manifest_path = self.root / "pack.yaml"
        self.files.append(manifest_path)
        manifest = read_file(manifest_path, self.problems)
        if manifest is None:
            if not self.problems.problems:
                self.problems.add(Position(str(manifest_path), 1, 1), "the manifest is empty; "
                                  "it needs at least 'pack:', 'version:' and 'locales:'",
                                  code="E010")
            return None
        manifest = self.r.mapping(manifest, None, None, f"manifest {manifest_path}")
        if manifest is None:
            self.problems.add(Position(str(manifest_path), 1, 1),
                              "the manifest must be a mapping with 'pack:' and 'version:'",
                              code="E010")
            return None
        r = self.r
        r.keys(manifest, MANIFEST_KEYS, ("pack", "version", "locales"), "the manifest")
        pack_id = r.string(manifest, "pack", "manifest", pattern=ID)
        if pack_id and pack_id != self.root.name and ID.match(self.root.name):
            self.problems.add(where(manifest, "pack"), f"pack id '{pack_id}' differs from its "
                              f"folder name '{self.root.name}'", code="E017")
        version = r.string(manifest, "version", "manifest", "0.0.0", pattern=VERSION)
        locales = self._locales(manifest)
        r.locales = locales
        title = r.text(manifest, "title", "manifest", required=False)

        documents = [(manifest, manifest_path)] + self._includes(manifest)
        self.lexicon = LexiconReader(self.problems, locales)
        self.lexicon.read(documents)
        raw_objections: list[tuple[LocDict, Any, int]] = []
        raw_pipelines: list[tuple[LocDict, Any, int]] = []
        for doc, _path in documents:
            raw_objections += r.items(doc.get("objections"), doc, "objections", "objections")
            raw_pipelines += r.items(doc.get("pipelines"), doc, "pipelines", "pipelines")

        facts = self._facts(manifest).with_virtuals(self._approval_parties(raw_pipelines))
        self.conditions = ConditionParser(facts, self.problems)
        self.facts = facts
        self.action_types = self._action_types(manifest)
        detection = self._detection(manifest)
        escalation = self._escalation(manifest.get("escalation"), manifest, "escalation")
        objections = tuple(self._objection(raw, c, i) for raw, c, i in raw_objections)
        pipelines = tuple(self._pipeline(raw, c, i) for raw, c, i in raw_pipelines)
        compliance = self._compliance(manifest, [o.id for o in objections])
        examples = self._examples(manifest)
        responses = manifest.get("responses")
        if isinstance(responses, str):
            responses_root = (self.root / responses).resolve()
            if not responses_root.is_relative_to(self.root.resolve()):
                self.problems.add(where(manifest, "responses"), "'responses' must be a folder "
                                  "inside the pack folder", code="E013")
        else:
            responses_root = self.root.parent.parent / "responses" / (pack_id or self.root.name)
        model = PackModel(
            id=pack_id or self.root.name, version=version, title=title, locales=locales,
            facts=facts, action_types=frozen_map(self.action_types), detection=detection,
            compliance=compliance, objections=objections, pipelines=pipelines,
            escalation=escalation, match_nothing=frozen_map(examples),
            root=self.root, responses_root=responses_root, files=tuple(self.files),
            unused_word_lists=self.lexicon.unused())
        self._cross_check(model, raw_objections, raw_pipelines)
        return model

    def _files_failed(self) -> bool:
        """A file could not be read: names it defines may be missing for that reason."""
        return any(p.code in ("E001", "E005", "E006", "E011") for p in self.problems.problems)

    # manifest parts -----------------------------------------------------------------

    def _locales(self, manifest: LocDict) -> tuple[str, ...]:
        raw = manifest.get("locales")
        if not isinstance(raw, LocList) or not raw or not all(isinstance(x, str) for x in raw):
            if "locales" in manifest:
                self.problems.add(where(manifest, "locales"),
                                  "'locales' expects a list like [zh-CN, en]", code="E013")
            return ("zh-CN", "en")
        if len(set(raw)) != len(raw):
            self.problems.add(where(manifest, "locales"), "a locale is listed twice",
                              code="E018")
        return tuple(dict.fromkeys(raw))

    def _includes(self, manifest: LocDict) -> list[tuple[LocDict, Path]]:
        raw = manifest.get("include")
        if raw is None:
            return []
        if not isinstance(raw, LocList):
            self.problems.add(where(manifest, "include"), "'include' expects a list of file "
                              "names", code="E013")
            return []
        existing = sorted(p.name for p in self.root.glob("*.yaml") if p.name != "pack.yaml")
        out = []
        for i, name in enumerate(raw):
            if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
                self.problems.add(where(raw, i), "an include is a file name inside the pack "
                                  "folder, like objections.yaml", code="E013")
                continue
            path = self.root / name
            if not path.is_file():
                self.problems.add(where(raw, i), f"included file '{name}' does not exist",
                                  nearest(name, existing), code="E006")
                continue
            self.files.append(path)
            doc = read_file(path, self.problems)
            if doc is None:
                continue
            mapping = self.r.mapping(doc, raw, i, f"included file {name}")
            if mapping is None:
                continue
            self.r.keys(mapping, INCLUDE_KEYS, (), f"included file {name}")
            out.append((mapping, path))
        return out

    def _facts(self, manifest: LocDict) -> FactTable:
        raw = manifest.get("facts")
        specs: dict[str, FactSpec] = {}
        if raw is None:
            return FactTable(specs)
        facts = self.r.mapping(raw, manifest, "facts", "facts")
        if facts is None:
            return FactTable(specs)
        for path, decl in facts.items():
            at = where(facts, path, key_side=True)
            if not isinstance(path, str) or not FACT_PATH.match(path):
                self.problems.add(at, f"fact name '{path}' must be dotted snake_case like "
                                  "'customer.type'", code="E014")
                continue
            if path.endswith(".days_ago") or path.startswith("approvals."):
                self.problems.add(at, f"'{path}' is provided by the engine; do not declare it",
                                  code="E019")
                continue
            spec = self._fact(path, decl, facts)
            if spec is not None:
                specs[path] = spec
        for path in specs:
            for other in specs:
                if other.startswith(path + "."):
                    self.problems.add(where(facts, other, key_side=True),
                                      f"fact '{other}' lies under fact '{path}'; a fact cannot "
                                      "be both a value and a group", code="E019")
        return FactTable(specs)

    def _fact(self, path: str, decl: Any, facts: LocDict) -> FactSpec | None:
        what = f"fact '{path}'"
        mapping = self.r.mapping(decl, facts, path, what)
        if mapping is None:
            return None
        self.r.keys(mapping, ("type", "enum", "default", "sample", "description"), (), what)
        if "enum" in mapping:
            values = mapping["enum"]
            if not isinstance(values, LocList) or not values or \
                    not all(isinstance(v, str) for v in values):
                self.problems.add(where(mapping, "enum"), f"{what}: 'enum' expects a list of "
                                  "names", code="E013")
                return None
            kind, enum = "enum", tuple(values)
            if "type" in mapping and mapping["type"] not in ("enum", "string"):
                self.problems.add(where(mapping, "type"), f"{what}: an enum fact has type "
                                  "string", code="E013")
        else:
            kind = str(mapping.get("type"))
            enum = None
            if kind not in KINDS or kind == "enum":
                self.problems.add(where(mapping, "type") if "type" in mapping else mapping.pos,
                                  f"{what}: 'type' must be one of string, number, integer, "
                                  "boolean, date (or give 'enum')",
                                  nearest(str(kind), KINDS), code="E013")
                return None
        spec = FactSpec(path, str(kind), enum)
        default = mapping.get("default")
        if isinstance(default, LocDict):
            default = {loc: v for loc, v in default.items()}
            checked = list(default.values())
        else:
            checked = [default] if default is not None else []
        sample = mapping.get("sample")
        for key, value in [("default", v) for v in checked] + [("sample", sample)]:
            if value is None:
                continue
            problem = spec.check(value)
            if problem:
                self.problems.add(where(mapping, key), f"{what}: {key} {problem}",
                                  nearest(str(value), enum or ()), code="E023")
        return FactSpec(path, str(kind), enum, default, sample)

    def _approval_parties(self, raw_pipelines: list[tuple[LocDict, Any, int]]) -> list[str]:
        """Party names of every stage's approvals, read before the stages themselves so
        that `approvals.<party>` facts exist for conditions; `_stage` reports bad input."""
        parties: list[str] = []
        for pipeline, _c, _i in raw_pipelines:
            stages = pipeline.get("stages")
            for stage in stages if isinstance(stages, LocList) else ():
                approvals = stage.get("approvals") if isinstance(stage, LocDict) else None
                names = approvals.get("parties") if isinstance(approvals, LocDict) else None
                for party in names if isinstance(names, LocList) else ():
                    if isinstance(party, str) and ID.match(party):
                        parties.append(party)
        return parties

    def _action_types(self, manifest: LocDict) -> dict[str, dict[str, str]]:
        raw = manifest.get("action_types")
        out: dict[str, dict[str, str]] = {}
        if raw is None:
            return out
        types = self.r.mapping(raw, manifest, "action_types", "action_types")
        for name, decl in (types or {}).items():
            what = f"action type '{name}'"
            if not isinstance(name, str) or not ID.match(name):
                self.problems.add(where(types, name, key_side=True),
                                  f"{what}: expected snake_case", code="E014")
                continue
            params: dict[str, str] = {}
            if decl is not None:
                mapping = self.r.mapping(decl, types, name, what)
                if mapping is not None:
                    self.r.keys(mapping, ("params", "description"), (), what)
                    raw_params = mapping.get("params") or {}
                    if isinstance(raw_params, LocDict):
                        for pname, ptype in raw_params.items():
                            if ptype not in PARAM_TYPES:
                                self.problems.add(where(raw_params, pname),
                                                  f"{what}: parameter type must be one of "
                                                  f"{', '.join(PARAM_TYPES)}",
                                                  nearest(str(ptype), PARAM_TYPES),
                                                  code="E013")
                            params[str(pname)] = str(ptype)
            out[name] = params
        return out

    def _detection(self, manifest: LocDict) -> Detection:
        raw = manifest.get("detection")
        if raw is None:
            return Detection(negation_cues=frozen_map(DEFAULT_CUES))
        det = self.r.mapping(raw, manifest, "detection", "detection")
        if det is None:
            return Detection()
        self.r.keys(det, ("threshold", "negation", "speaker"), (), "detection")
        threshold = det.get("threshold", 0.5)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or \
                not 0 < threshold <= 1:
            self.problems.add(where(det, "threshold"), "detection threshold must be in (0, 1]",
                              code="E013")
            threshold = 0.5
        window, cues = 3, dict(DEFAULT_CUES)
        if "negation" in det:
            neg = self.r.mapping(det["negation"], det, "negation", "detection.negation")
            if neg is not None:
                self.r.keys(neg, ("window", "cues"), (), "detection.negation")
                window = self.r.integer(neg, "window", "detection.negation", 3) or 0
                if "cues" in neg:
                    cues = self.r.texts(neg, "cues", "negation cues")
        speaker: dict[str, Any] = {}
        if "speaker" in det:
            raw_speaker = self.r.mapping(det["speaker"], det, "speaker", "detection.speaker")
            if raw_speaker is not None:
                self.r.keys(raw_speaker, SPEAKER_ROLES, (), "detection.speaker")
                speaker = {role: frozen_map(self.r.texts(raw_speaker, role, f"speaker {role}"))
                           for role in SPEAKER_ROLES if role in raw_speaker}
        return Detection(float(threshold), window, frozen_map(cues), frozen_map(speaker))

    def _escalation(self, raw: Any, container: Any, key: Any) -> Escalation | None:
        if raw is None:
            return None
        esc = self.r.mapping(raw, container, key, "escalation")
        if esc is None:
            return None
        self.r.keys(esc, ("reply", "actions"), (), "escalation")
        reply = self.r.string(esc, "reply", "escalation", pattern=REPLY_ID) or None
        actions = self._actions(esc.get("actions"), esc, "actions")
        return Escalation(reply, actions, esc.pos)

    def _compliance(self, manifest: LocDict, objection_ids: list[str]) -> Compliance:
        raw = manifest.get("compliance")
        if raw is None:
            return Compliance()
        comp = self.r.mapping(raw, manifest, "compliance", "compliance")
        if comp is None:
            return Compliance()
        self.r.keys(comp, ("forbid", "disclosures"), (), "compliance")
        forbid = self.r.texts(comp, "forbid", "compliance.forbid")
        for locale, phrases in forbid.items():
            for phrase in phrases:
                try:
                    parse(phrase)
                except PatternSyntaxError as error:
                    self.problems.add(where(comp, "forbid"), f"compliance.forbid ({locale}): "
                                      f"'{phrase}': {error}", code="E030")
        forbid = {locale: tuple(p for p in phrases if _parses(p))
                  for locale, phrases in forbid.items()}
        disclosures = []
        for item, c, i in self.r.items(comp.get("disclosures"), comp, "disclosures",
                                       "compliance.disclosures"):
            self.r.keys(item, ("id", "objections", "text"), ("id", "objections", "text"),
                        "a disclosure")
            ids = item.get("objections")
            targets = tuple(x for x in ids if isinstance(x, str)) \
                if isinstance(ids, LocList) else ()
            for j, target in enumerate(targets):
                if target not in objection_ids and not self._files_failed():
                    self.problems.add(where(ids, j), f"disclosure '{item.get('id')}' names "
                                      f"unknown objection '{target}'",
                                      nearest(target, objection_ids), code="E034")
            disclosures.append(Disclosure(self.r.string(item, "id", "disclosure", pattern=ID),
                                          targets, self.r.text(item, "text", "disclosure"),
                                          where(c, i)))
        return Compliance(frozen_map(forbid), tuple(disclosures))

    def _examples(self, manifest: LocDict) -> dict[str, tuple[str, ...]]:
        raw = manifest.get("examples")
        if raw is None:
            return {}
        ex = self.r.mapping(raw, manifest, "examples", "examples")
        if ex is None:
            return {}
        self.r.keys(ex, ("match_nothing",), (), "examples")
        return self.r.texts(ex, "match_nothing", "examples.match_nothing")

    # objections ---------------------------------------------------------------------

    def _objection(self, raw: LocDict, container: Any, index: int) -> Objection:
        r = self.r
        oid = r.string(raw, "id", "objection", pattern=ID)
        what = f"objection '{oid}'"
        r.keys(raw, OBJECTION_KEYS, ("id", "title", "detect", "replies"), what)
        kind = r.string(raw, "kind", what, "objection")
        if kind not in ("objection", "question"):
            self.problems.add(where(raw, "kind"), f"{what}: kind is 'objection' or 'question'",
                              nearest(kind, ("objection", "question")), code="E013")
        title = r.text(raw, "title", what)
        patterns, exclude, speaker_only = self._detect(raw, what)
        replies = []
        for _order, (item, c, i) in enumerate(r.items(raw.get("replies"), raw, "replies",
                                                     f"{what} replies")):
            r.keys(item, REPLY_KEYS, ("id",), f"a reply of {what}")
            replies.append(Reply(
                id=r.string(item, "id", f"a reply of {what}", pattern=REPLY_ID),
                when=self._when(item),
                priority=self.r.integer(item, "priority", "reply", 0, minimum=-1000) or 0,
                key_points=frozen_map(r.texts(item, "key_points", "key_points")),
                position=_id_position(item, c, i)))
        if "replies" in raw and not replies:
            self.problems.add(where(raw, "replies"), f"{what} needs at least one reply",
                              code="E012")
        repeat = r.string(raw, "repeat", what, "rotate")
        if repeat not in ("rotate", "first"):
            self.problems.add(where(raw, "repeat"), f"{what}: repeat is 'rotate' or 'first'",
                              nearest(repeat, ("rotate", "first")), code="E013")
        return Objection(
            id=oid, kind=kind, title=title, patterns=patterns, exclude=exclude,
            replies=tuple(replies), repeat=repeat,
            escalate_after=r.integer(raw, "escalate_after", what, None, minimum=1),
            escalation=self._escalation(raw.get("escalation"), raw, "escalation"),
            next_actions=self._actions(raw.get("next_actions"), raw, "next_actions"),
            examples=frozen_map(self._objection_examples(raw, what)),
            position=_id_position(raw, container, index), speaker_only=speaker_only)

    def _objection_examples(self, raw: LocDict, what: str) -> dict[str, tuple[str, ...]]:
        if "examples" not in raw:
            return {}
        ex = self.r.mapping(raw["examples"], raw, "examples", f"{what} examples")
        if ex is None:
            return {}
        self.r.keys(ex, ("match",), (), f"{what} examples")
        return self.r.texts(ex, "match", f"{what} examples")

    def _detect(self, raw: LocDict, what: str
                ) -> tuple[tuple[Pattern, ...], tuple[Pattern, ...], bool]:
        det = self.r.mapping(raw.get("detect"), raw, "detect", f"{what} detect") \
            if "detect" in raw else None
        if det is None:
            return (), (), False
        self.r.keys(det, ("patterns", "exclude", "speaker"), ("patterns",), f"{what} detect")
        speaker = self.r.string(det, "speaker", f"{what} detect", "")
        if speaker not in ("", "self"):
            self.problems.add(where(det, "speaker"), f"{what}: detect.speaker is 'self' (a hit "
                              "must describe the speaker) or absent", "self", code="E013")
        patterns = self._patterns(det, "patterns", what)
        return patterns, self._patterns(det, "exclude", what), speaker == "self"

    def _patterns(self, det: LocDict, key: str, what: str) -> tuple[Pattern, ...]:
        if key not in det:
            return ()
        by_locale = self.r.mapping(det[key], det, key, f"{what} {key}")
        out: list[Pattern] = []
        for locale, items in (by_locale or {}).items():
            if locale not in self.r.locales:
                self.problems.add(where(by_locale, locale, key_side=True),
                                  f"{what}: locale '{locale}' is not declared",
                                  nearest(str(locale), self.r.locales), code="E015")
                continue
            if not isinstance(items, LocList):
                self.problems.add(where(by_locale, locale), f"{what}: {key} expects a list",
                                  code="E013")
                continue
            for i, item in enumerate(items):
                at = where(items, i)
                weight = 1.0
                alone = False
                if isinstance(item, LocDict):
                    self.r.keys(item, ("text", "weight", "alone"), ("text",), "a pattern")
                    alone = self.r.boolean(item, "alone", "a pattern", False)
                    weight = item.get("weight", 1.0)
                    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or \
                            not 0 < weight <= 1:
                        self.problems.add(where(item, "weight"), "pattern weight must be in "
                                          "(0, 1]", code="E013")
                        weight = 1.0
                    item = item.get("text")
                if not isinstance(item, str):
                    self.problems.add(at, f"{what}: a pattern is text, got {kind_of(item)}",
                                      code="E013")
                    continue
                if self._strings > MAX_PACK_STRINGS:
                    continue  # already reported
                try:
                    parsed = parse(item, self.lexicon.for_locale(str(locale)),
                                   self._parts.setdefault(str(locale), {}))
                except PatternSyntaxError as error:
                    missing = error.unknown_word_list
                    if missing in self.lexicon.names():
                        self.problems.add(at, f"{what}: pattern '{item}': word list '{missing}'"
                                          f" has no {locale} words", code="E030")
                    else:
                        self.problems.add(at, f"{what}: pattern '{item}': {error}",
                                          nearest(missing, self.lexicon.names())
                                          if missing else None, code="E030")
                    continue
                self.lexicon.mark_used(parsed.word_lists)
                # equal slots (one word list used by many patterns) become one object, so
                # a turn finds their occurrences once
                slots = tuple(self._shared(slot) for slot in parsed.slots)
                if self._strings > MAX_PACK_STRINGS:
                    self.problems.add(at, f"{what}: the pack's patterns stand for more than "
                                      f"{MAX_PACK_STRINGS:,} strings; use fewer or smaller "
                                      "word lists", code="E030")
                out.append(Pattern(item, slots, float(weight), str(locale), parsed.ordered,
                                   at, alone))
        return tuple(out)

    def _shared(self, slot: frozenset[str]) -> frozenset[str]:
        """One object per distinct slot (a turn then finds its occurrences once), and the
        pack-wide count of the strings they stand for."""
        shared = self._slots.setdefault(slot, slot)
        if shared is slot:
            self._strings += len(slot)
        return shared

    def _when(self, raw: LocDict) -> Condition:
        if "when" not in raw:
            return ALWAYS
        return self.conditions.parse(raw["when"], raw, "when")

    def _actions(self, raw: Any, container: Any, key: Any) -> tuple[Action, ...]:
        out = []
        for item, c, i in self.r.items(raw, container, key, "actions"):
            atype = item.get("type")
            if not isinstance(atype, str):
                self.problems.add(where(c, i), "an action needs a 'type'",
                                  code="E012")
                continue
            if atype not in self.action_types:
                self.problems.add(where(item, "type"), f"unknown action type '{atype}' (declare "
                                  "it under action_types)", nearest(atype, self.action_types),
                                  code="E031")
                continue
            declared = self.action_types[atype]
            params: dict[str, Any] = {}
            for name, value in item.items():
                if name in ("type", "when"):
                    continue
                if name not in declared:
                    self.problems.add(where(item, name, key_side=True),
                                      f"action '{atype}' has no parameter '{name}'",
                                      nearest(str(name), declared), code="E032")
                    continue
                if not _param_ok(declared[name], value):
                    self.problems.add(where(item, name), f"action '{atype}': '{name}' expects "
                                      f"{declared[name]}, got {kind_of(value)}", code="E032")
                    continue
                params[str(name)] = value
            out.append(Action(atype, frozen_map(params), self._when(item), where(c, i)))
        return tuple(out)

    # pipelines ----------------------------------------------------------------------

    def _pipeline(self, raw: LocDict, container: Any, index: int) -> Pipeline:
        r = self.r
        pid = r.string(raw, "id", "pipeline", pattern=ID)
        what = f"pipeline '{pid}'"
        r.keys(raw, PIPELINE_KEYS, ("id", "title", "stage_fact", "stages"), what)
        stages = tuple(self._stage(item, c, i, what)
                       for item, c, i in r.items(raw.get("stages"), raw, "stages", what))
        if "stages" in raw and not stages:
            self.problems.add(where(raw, "stages"), f"{what} needs at least one stage",
                              code="E012")
        stage_fact = r.string(raw, "stage_fact", what)
        spec = self.facts.get(stage_fact) if stage_fact else None
        if stage_fact and spec is None:
            self.problems.add(where(raw, "stage_fact"), f"{what}: unknown fact '{stage_fact}'",
                              nearest(stage_fact, self.facts.names()), code="E021")
        elif spec is not None:
            if spec.kind != "enum":
                self.problems.add(where(raw, "stage_fact"), f"{what}: the stage fact must be an "
                                  "enum of the stage ids", code="E033")
            else:
                for stage in stages:
                    if stage.id not in (spec.enum or ()):
                        self.problems.add(stage.position, f"{what}: stage '{stage.id}' is not "
                                          f"a value of the enum fact '{stage_fact}'",
                                          nearest(stage.id, spec.enum or ()), code="E033")
        entered = r.string(raw, "entered_fact", what) or None
        if entered is not None:
            espec = self.facts.get(entered)
            if espec is None or espec.kind != "date":
                self.problems.add(where(raw, "entered_fact"), f"{what}: entered_fact must be a "
                                  "declared date fact", nearest(entered, self.facts.names()),
                                  code="E033")
        escalate_to = r.string(raw, "escalate_to", what) or None
        return Pipeline(pid, r.text(raw, "title", what), stage_fact, stages, entered,
                        r.boolean(raw, "allow_skip", what, False),
                        r.boolean(raw, "allow_backward", what, False), escalate_to,
                        _id_position(raw, container, index))

    def _stage(self, raw: LocDict, container: Any, index: int, pipeline: str) -> Stage:
        r = self.r
        sid = r.string(raw, "id", "stage", pattern=ID)
        what = f"stage '{sid}' of {pipeline}"
        r.keys(raw, STAGE_KEYS, ("id", "title"), what)
        owner = r.string(raw, "owner", what) or None
        approvals = None
        if "approvals" in raw:
            app = r.mapping(raw["approvals"], raw, "approvals", f"{what} approvals")
            if app is not None:
                r.keys(app, ("parties", "on_refusal"), ("parties",), f"{what} approvals")
                parties = app.get("parties")
                names = tuple(p for p in parties if isinstance(p, str)) \
                    if isinstance(parties, LocList) else ()
                for i, name in enumerate(names):
                    if not ID.match(name):  # it would have no approvals.<party> fact
                        self.problems.add(where(parties, i), f"approval party '{name}' must "
                                          "be snake_case like 'finance'", code="E014")
                if not names:
                    self.problems.add(where(app, "parties"), "approvals need a list of parties",
                                      code="E013")
                on_refusal = r.string(app, "on_refusal", what, "escalate")
                if on_refusal not in ("escalate", "terminate"):
                    self.problems.add(where(app, "on_refusal"), "on_refusal is 'escalate' or "
                                      "'terminate'", nearest(on_refusal, ("escalate", "terminate")),
                                      code="E013")
                approvals = Approvals(names, on_refusal, app.pos)
        return Stage(
            id=sid, title=r.text(raw, "title", what), owner=owner,
            keywords=frozen_map(r.texts(raw, "keywords", f"{what} keywords")),
            activities=frozen_map(r.texts(raw, "activities", f"{what} activities")),
            max_days=r.integer(raw, "max_days", what, None, minimum=1),
            exit=self._criteria(raw, "exit", what, terminate=False),
            terminate=self._criteria(raw, "terminate", what, terminate=True),
            approvals=approvals, position=_id_position(raw, container, index))

    def _criteria(self, raw: LocDict, key: str, what: str,
                  terminate: bool) -> tuple[Criterion, ...]:
        out = []
        for item, c, i in self.r.items(raw.get(key), raw, key, f"{what} {key}"):
            cid = self.r.string(item, "id", "criterion", pattern=ID)
            cwhat = f"criterion '{cid}' of {what}"
            required = ("id", "when", "reason") if terminate else ("id", "when", "message")
            allowed = [k for k in CRITERION_KEYS if k != ("message" if terminate else "reason")]
            if terminate:
                allowed = [k for k in allowed if k not in ("required", "question")]
            self.r.keys(item, allowed, required, cwhat)
            message = self.r.text(item, "reason" if terminate else "message", cwhat,
                                  required=False)
            question = self.r.text(item, "question", cwhat, required=False) \
                if "question" in item else None
            action = None
            if "action" in item:
                if isinstance(item["action"], LocDict):
                    found = self._actions(_single(item["action"]), item, "action")
                    action = found[0] if found else None
                else:
                    self.problems.add(where(item, "action"), f"{cwhat}: 'action' expects a "
                                      "mapping like {type: schedule_visit}", code="E010")
            out.append(Criterion(cid, self._when(item),
                                 self.r.boolean(item, "required", cwhat, True),
                                 message, question, action, _id_position(item, c, i)))
        return tuple(out)

    # whole-pack checks --------------------------------------------------------------

    def _cross_check(self, model: PackModel, raw_objections: list[tuple[LocDict, Any, int]],
                     raw_pipelines: list[tuple[LocDict, Any, int]]) -> None:
        seen: dict[str, Position] = {}
        for objection in model.objections:
            _unique(self.problems, seen, objection.id, objection.position, "objection id")
        replies: dict[str, Position] = {}
        for objection in model.objections:
            for reply in objection.replies:
                _unique(self.problems, replies, reply.id, reply.position, "reply id")
        known_replies = set(replies)
        escalations = [model.escalation] + [o.escalation for o in model.objections]
        for esc in escalations:
            if esc is not None and esc.reply and esc.reply in known_replies:
                self.problems.add(esc.position, f"escalation reply '{esc.reply}' is also a "
                                  "normal reply; give it its own id", code="E035")
        pipes: dict[str, Position] = {}
        for pipeline in model.pipelines:
            _unique(self.problems, pipes, pipeline.id, pipeline.position, "pipeline id")
            stages: dict[str, Position] = {}
            for stage in pipeline.stages:
                _unique(self.problems, stages, stage.id, stage.position, "stage id")
                crit: dict[str, Position] = {}
                for criterion in stage.exit + stage.terminate:
                    _unique(self.problems, crit, criterion.id, criterion.position,
                            f"criterion id in stage '{stage.id}'")


def _parses(phrase: str) -> bool:
    try:
        parse(phrase)
    except PatternSyntaxError:
        return False
    return True


def _id_position(raw: LocDict, container: Any, index: Any) -> Position:
    """Where an item's id is written (its own start when it has no id)."""
    return where(raw, "id") if "id" in raw else where(container, index)


def _single(mapping: LocDict) -> LocList:
    items = LocList([mapping])
    items.pos = mapping.pos
    items.item_pos = [mapping.pos]
    return items


def _unique(problems: ProblemLog, seen: dict[str, Position], key: str, at: Position,
            what: str) -> None:
    if not key:
        return
    if key in seen:
        first = seen[key]
        problems.add(at, f"duplicate {what} '{key}' (first defined at {first})", code="E007")
    else:
        seen[key] = at


def _param_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


DEFAULT_CUES: dict[str, tuple[str, ...]] = {
    "zh-CN": ("不是", "并不", "并非", "没说"),
    "en": ("not", "n't", "never"),
}
