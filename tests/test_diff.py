"""`playbook diff`: the turns whose result changed between two versions of a pack."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run_cli as run

pytestmark = pytest.mark.usefixtures("brokerage_in_memory")  # shares its detector

REPO = Path(__file__).resolve().parent.parent
BUSY = REPO / "examples" / "conversations" / "busy_owner.yaml"
DEAL = REPO / "examples" / "deals" / "brokerage" / "follow_up_hold.yaml"


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two copies of brokerage: `new` answers no_time only with variant b for owners."""
    base = tmp_path_factory.mktemp("diff")
    for name in ("old", "new"):
        shutil.copytree(REPO / "rules" / "brokerage", base / name / "rules" / "brokerage",
                        ignore=shutil.ignore_patterns("tests"))
        shutil.copytree(REPO / "responses" / "brokerage", base / name / "responses" / "brokerage")
    objections = base / "new" / "rules" / "brokerage" / "objections_reluctance.yaml"
    text = objections.read_text(encoding="utf-8")
    assert text.count("when: {customer.type: business_owner}") >= 1
    start = text.index("- id: no_time.c")
    end = text.index("\n", text.index("when:", start))
    text = text[:start] + text[start:end].replace("business_owner", "retiree") + text[end:]
    objections.write_text(text, encoding="utf-8")
    return base / "old" / "rules" / "brokerage", base / "new" / "rules" / "brokerage"


def test_diff_lists_exactly_the_changed_turns(versions: tuple[Path, Path]):
    old, new = versions
    code, out = run("diff", str(old), str(new), str(BUSY), str(DEAL), "--format", "json")
    assert code == 0
    report = json.loads(out)
    busy, deal = report["files"]
    # turns 1 and 2 raise no_time: the owner no longer gets variant c first
    assert [c["step"] for c in busy["changed"]] == ["turn 1", "turn 2"]
    first = {c["field"]: c for c in busy["changed"][0]["changes"]}
    assert first["replies"]["old"] == ["no_time.c"] and first["replies"]["new"] == ["no_time.a"]
    assert set(first) == {"replies"}  # actions have their own conditions: unchanged
    second = busy["changed"][1]["changes"][0]
    assert (second["old"], second["new"]) == (["no_time.a"], ["no_time.b"])
    assert deal["changed"] == []


def test_identical_packs_show_no_change(versions: tuple[Path, Path]):
    old, _ = versions
    code, out = run("diff", str(old), "brokerage", str(DEAL))
    assert code == 0 and "no change" in out and "0 changed step(s)" in out


def test_template_change_is_reported_as_text(versions: tuple[Path, Path], tmp_path: Path):
    old, _ = versions
    new = tmp_path / "rules" / "brokerage"
    shutil.copytree(old, new)
    shutil.copytree(old.parent.parent / "responses", tmp_path / "responses")
    template = tmp_path / "responses" / "brokerage" / "zh-CN" / "no_time.a.j2"
    template.write_text(template.read_text(encoding="utf-8") + "(改)", encoding="utf-8")
    code, out = run("diff", str(old), str(new), str(BUSY))
    assert code == 0
    assert out.count("text of no_time.a:") == 1 and "turn 2" in out and "turn 1 " not in out


def test_bad_input_exits_2(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- [unclosed\n", encoding="utf-8")
    assert run("diff", "brokerage", "brokerage", str(bad))[0] == 2
    assert "bad.yaml" in capsys.readouterr().err


def test_subprocess_run(versions: tuple[Path, Path]):
    old, new = versions
    proc = subprocess.run([sys.executable, "-m", "engine", "diff", str(old), str(new),
                           str(BUSY)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "turn 1" in proc.stdout and "turn 3" not in proc.stdout
