"""`playbook validate` on deliberately broken packs: one authoring mistake per pack.

Each folder tests/packs/broken/<case>/ is a copy of tests/packs/mini with one mistake; the
file tests/packs/broken/expected.yaml says what validate must print for it (file, line,
column, message, suggestion, code). See that file for the meaning of its fields.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main

REPO = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "packs" / "broken"
MINI = Path(__file__).resolve().parent / "packs" / "mini" / "rules" / "mini"


# expected.yaml: a small YAML subset (nested mappings of plain, integer or double-quoted
# scalars), read with the standard library only -------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./\-]*")


def _scalar(text: str) -> Any:
    if text.startswith('"'):
        return json.loads(text)  # JSON strings are YAML double-quoted scalars
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text in ("null", "~"):
        return None
    if not _PLAIN.fullmatch(text) or text in ("true", "false", "yes", "no", "on", "off"):
        raise ValueError(f"expected.yaml: quote the value {text!r}")
    return text


def _read_expected(path: Path) -> dict[str, Any]:
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(-1, root)]
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        key, colon, rest = stripped.partition(":")
        if not colon or not _PLAIN.fullmatch(key):
            raise ValueError(f"expected.yaml:{number}: expected 'key: value'")
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if key in parent:
            raise ValueError(f"expected.yaml:{number}: duplicate key {key!r}")
        rest = rest.strip()
        if rest:
            parent[key] = _scalar(rest)
        else:
            child: dict[str, Any] = {}
            parent[key] = child
            stack.append((indent, child))
    return root


EXPECTED: dict[str, Any] = _read_expected(BROKEN / "expected.yaml")
CASES = sorted(EXPECTED)


def _problems(case: str) -> list[dict[str, Any]]:
    spec = EXPECTED[case]
    if "problems" in spec:
        return list(spec["problems"].values())
    return [spec]


def _pack_dir(case: str) -> Path:
    return BROKEN / case / "rules" / case


def _file(case: str, problem: dict[str, Any]) -> str:
    return str((BROKEN / case / problem["file"]).resolve())


def _expected_prefix(case: str, problem: dict[str, Any]) -> str:
    """`path:line:col: message` up to the message substring (`path: message` if no line)."""
    where = _file(case, problem)
    if "line" in problem:
        where += f":{problem['line']}:{problem['column']}"
    return f"{where}: "


def _matches(line: str, case: str, problem: dict[str, Any]) -> bool:
    if not line.startswith(_expected_prefix(case, problem)) or problem["message"] not in line:
        return False
    if problem.get("suggestion"):
        return line.endswith(f" (did you mean '{problem['suggestion']}'?)")
    return "did you mean" not in line


def _xfail_if(case: str, *fields: str) -> Any:
    reasons = [EXPECTED[case][f] for f in fields if EXPECTED[case].get(f)]
    marks = [pytest.mark.xfail(strict=True, reason="engine bug: " + "; ".join(reasons))] \
        if reasons else []
    return pytest.param(case, marks=marks, id=case)


@functools.cache
def _validate(case: str, fmt: str = "text") -> tuple[int, str, str]:
    """Runs `playbook validate` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["validate", str(_pack_dir(case)), "--format", fmt], out=out)
    return code, out.getvalue(), err.getvalue()


# the fixtures themselves ----------------------------------------------------------------


def test_every_case_folder_has_an_expectation() -> None:
    folders = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())
    assert folders == CASES
    assert len(CASES) >= 18


@pytest.mark.parametrize("case", CASES)
def test_case_is_a_pack_named_after_its_folder(case: str) -> None:
    assert (_pack_dir(case) / "pack.yaml").is_file()
    assert (BROKEN / case / "responses" / case).is_dir()
    manifest = (_pack_dir(case) / "pack.yaml").read_text(encoding="utf-8")
    assert re.search(rf"^#? ?pack: {case}\b", manifest, re.MULTILINE)
    for problem in _problems(case):
        assert Path(_file(case, problem)).is_file(), problem["file"]


def test_the_unbroken_pack_is_valid() -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["validate", str(MINI)], out=out)
    assert code == 0, out.getvalue() + err.getvalue()
    assert ": ok (mini " in out.getvalue()


# what validate prints -------------------------------------------------------------------


@pytest.mark.parametrize("case", [_xfail_if(c, "message_bug") for c in CASES])
def test_message_suggestion_and_code(case: str) -> None:
    code, out, err = _validate(case, "json")
    assert code == 2
    assert "Traceback" not in out + err
    [report] = json.loads(out)
    assert report["ok"] is False
    for want in _problems(case):
        found = [p for p in report["problems"]
                 if p.get("path") == _file(case, want) and want["message"] in p["message"]]
        assert found, f"no problem in {want['file']} with {want['message']!r}:\n" + out
        assert [p["suggestion"] for p in found] == [want.get("suggestion")] * len(found)
        assert [p["code"] for p in found] == [want["code"]] * len(found)


@pytest.mark.parametrize("case", [_xfail_if(c, "position_bug", "message_bug") for c in CASES])
def test_position_of_the_problem(case: str) -> None:
    code, out, err = _validate(case)
    assert code == 2
    lines = out.splitlines()
    for want in _problems(case):
        assert any(_matches(line, case, want) for line in lines), (
            f"expected a line starting {_expected_prefix(case, want)!r} with "
            f"{want['message']!r}, got:\n{out}")


@pytest.mark.parametrize("case", [_xfail_if(c, "output_bug") for c in CASES])
def test_output_is_only_problems_of_the_pack(case: str) -> None:
    code, out, err = _validate(case)
    assert code == 2
    assert err == ""
    assert "Traceback" not in out
    lines = out.splitlines()
    located = re.compile(re.escape(str((BROKEN / case).resolve()) + os.sep) +
                         r"\S+?(:\d+:\d+)?: \S")
    assert [line for line in lines if not located.match(line)] == []
    assert len(lines) == EXPECTED[case]["count"]


def test_many_mistakes_are_all_reported_in_one_run() -> None:
    code, out, _ = _validate("many_mistakes")
    assert code == 2
    assert not EXPECTED["many_mistakes"].keys() & {"position_bug", "message_bug", "output_bug"}
    wanted = _problems("many_mistakes")
    assert len(wanted) >= 4
    assert len({w["file"] for w in wanted}) >= 4  # in different files
    lines = out.splitlines()
    for want in wanted:
        assert sum(_matches(line, "many_mistakes", want) for line in lines) == 1, want
    assert len(lines) == len(wanted)


# the real command line ------------------------------------------------------------------

SUBPROCESS_CASES = ["yaml_syntax_error", "unknown_fact", "template_undeclared_var",
                    "in_list_too_long", "orphan_template", "many_mistakes"]


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "engine", "validate", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=60, check=False)


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_command_line(case: str) -> None:
    assert not EXPECTED[case].get("position_bug") and not EXPECTED[case].get("message_bug")
    result = _run_cli(str(_pack_dir(case)))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    for want in _problems(case):
        assert any(_matches(line, case, want) for line in lines), result.stdout


def test_command_line_with_every_broken_pack_at_once() -> None:
    result = _run_cli(*(str(_pack_dir(case)) for case in CASES))
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    for case in CASES:
        for want in _problems(case):
            assert f"{_file(case, want)}" in result.stdout
            if not EXPECTED[case].get("message_bug"):  # checked (xfail) by the tests above
                assert want["message"] in result.stdout, (case, want["message"])
