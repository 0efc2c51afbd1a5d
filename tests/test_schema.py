"""The JSON Schema of pack files (engine/schema/pack.schema.json) against the shipped packs.

The loader (engine/loader.py) is the contract; the schema gives editors completion and
hover help. Pack files are found by glob at test time, so new packs are checked too.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema.exceptions import best_match

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "engine" / "schema" / "pack.schema.json"

def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema())


def _as_json(value: Any) -> Any:
    """What an editor sees: YAML timestamps are plain ISO text in JSON."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def _pack_files() -> list[Any]:
    files = sorted(ROOT.glob("rules/*/*.yaml")) + \
        sorted(ROOT.glob("tests/packs/mini/rules/mini/*.yaml"))
    params = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        params.append(pytest.param(path, id=rel))
    return params


def _errors(document: Any) -> list[str]:
    out = []
    for error in _validator().iter_errors(document):
        best = best_match([error])  # the most specific branch of an anyOf / if-then
        out.append(f"{'/'.join(map(str, best.absolute_path)) or '<root>'}: {best.message[:300]}")
    return out


def test_schema_is_valid_draft_2020_12() -> None:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/pack.schema.json")
    assert schema.get("title")


def test_pack_files_are_found() -> None:
    assert _pack_files(), "no pack files found"


@pytest.mark.parametrize("path", _pack_files())
def test_shipped_pack_file_validates(path: Path) -> None:
    document = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = _errors(document)
    assert not errors, "\n".join(errors)


# hand-made documents ------------------------------------------------------------------

MANIFEST: dict[str, Any] = {
    "pack": "demo", "version": "1.0.0", "locales": ["zh-CN", "en"],
    "facts": {"customer.type": {"enum": ["retiree", "individual"], "sample": "retiree"},
              "customer.capital": {"type": "number", "sample": 1000}},
    "action_types": {"handover_manager": {"params": {}}},
}


def _objection(**changes: Any) -> dict[str, Any]:
    objection: dict[str, Any] = {
        "id": "no_time", "title": {"zh-CN": "没时间", "en": "No time"},
        "detect": {"patterns": {"zh-CN": ["没时间", {"text": "忙", "weight": 0.3}],
                                "en": ["no time"]}},
        "replies": [{"id": "no_time.a", "when": {"customer.type": "retiree"}}],
    }
    objection.update(changes)
    return objection


def test_hand_made_valid_documents_pass() -> None:
    assert _errors(MANIFEST) == []
    assert _errors({"objections": [_objection()]}) == []
    condition = {"all": [{"customer.capital": {"gte": 10, "lt": 100}},
                         {"not": {"customer.type": {"in": ["retiree"]}}},
                         {"any": [{"customer.type": {"exists": True}}]}]}
    assert _errors({"objections": [_objection(replies=[{"id": "x.a", "when": condition}])]}) == []


@pytest.mark.parametrize(("document", "expected"), [
    pytest.param({**MANIFEST, "unknown_key": 1}, "'unknown_key' was unexpected",
                 id="manifest-unknown-top-level-key"),
    pytest.param({"objections": [], "facts": {}}, "'facts' was unexpected",
                 id="included-file-with-manifest-key"),
    pytest.param({"objections": [], "nonsense": True}, "'nonsense' was unexpected",
                 id="included-file-unknown-key"),
    pytest.param({"objections": [{k: v for k, v in _objection().items() if k != "id"}]},
                 "objections/0: 'id' is a required property", id="objection-without-id"),
    pytest.param({"objections": [_objection(replies=[
        {"id": "no_time.a", "when": {"customer.capital": {"greater": 5}}}])]},
        "'greater' was unexpected", id="bad-operator-in-condition"),
    pytest.param({"objections": [_objection(replies=[
        {"id": "no_time.a", "when": {"any": [{"customer.capital": {"between": [1, 2]}}]}}])]},
        "'between' was unexpected", id="bad-operator-in-nested-condition"),
    pytest.param({"objections": [_objection(detect={"patterns": {
        "zh-CN": [{"text": "忙", "weight": 2}]}})]},
        "weight: 2 is greater than the maximum of 1", id="pattern-weight-2"),
    pytest.param({**MANIFEST, "version": "1.0"}, "version: '1.0' does not match",
                 id="bad-version"),
    pytest.param({"pack": "demo", "version": "1.0.0"}, "'locales' is a required property",
                 id="manifest-without-locales"),
])
def test_invalid_documents_are_rejected(document: dict[str, Any], expected: str) -> None:
    errors = _errors(document)
    assert errors, "the schema accepted an invalid document"
    assert any(expected in e for e in errors), "\n".join(errors)
