"""`playbook explain` on examples/conversations/busy_owner.yaml, and `playbook docs` in
Markdown and in HTML (opened in headless Chromium when it is installed)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_run import run_cli as _run

import engine
from engine.pack import load_model

pytestmark = pytest.mark.usefixtures("brokerage_in_memory")  # shares its detector

REPO = Path(__file__).resolve().parent.parent
BUSY = str(REPO / "examples" / "conversations" / "busy_owner.yaml")
PYTHONISH = re.compile(r"\b(True|False|None)\b|\[\'|\{\'|\w+\(")


def test_explain_first_turn_tells_why_the_reply_won() -> None:
    code, text = _run("explain", "brokerage", BUSY, "--turn", "1")
    assert code == 0
    assert "Objection no_time" in text and "raise number 1" in text
    assert "no_time.c (priority 10) fits: it needs customer.type is business_owner" in text
    assert "Chosen: no_time.c. It is the highest-priority reply that fits" in text
    assert "schedule_callback (within_days 2): recommended" in text
    assert "Stage gate of brokerage_development" in text and "HOLD" in text
    assert "call.introduced_self is not known" in text  # a criterion's evidence
    assert not PYTHONISH.search(text.replace("schedule_callback (", "").replace(
        "send_material (", "").replace("priority ", "")), text


def test_explain_second_turn_rotates_and_third_escalates() -> None:
    _, second = _run("explain", "brokerage", BUSY, "--turn", "2")
    assert "Chosen: no_time.a" in second and "already used: no_time.c" in second
    _, third = _run("explain", "brokerage", BUSY, "--turn", "3")
    assert "raise number 3" in third and "escalates after 2" in third
    assert "Chosen: escalate.manager_meeting" in third
    assert "handover_manager: recommended" in third


def test_explain_json_and_bad_turn(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _run("explain", "brokerage", BUSY, "--turn", "5", "--format", "json")
    data = json.loads(text)
    assert code == 0 and data["objections"][0]["objection"] == "ask_spouse"
    assert data["facts"]["customer.has_spare_capital"] is True  # the turn's own facts
    code, _ = _run("explain", "brokerage", BUSY, "--turn", "99")
    assert code == 2 and "--turn must be between 1 and 6" in capsys.readouterr().err


def test_dry_run_explain_explains_every_turn() -> None:
    code, text = _run("dry-run", "brokerage", BUSY, "--explain")
    assert code == 0
    assert [int(n) for n in re.findall(r"^Turn (\d+):", text, re.M)] == [1, 2, 3, 4, 5, 6]
    assert "No objection or question was recognised" in text


def test_docs_markdown_has_every_entry_and_pipeline(tmp_path: Path) -> None:
    model, _ = load_model("brokerage")
    out = tmp_path / "brokerage.md"
    code, _ = _run("docs", "brokerage", "--format", "md", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert code == 0
    for objection in model.objections:
        assert f"`{objection.id}`" in text
        for title in objection.title.by_locale.values():
            assert title in text
    assert "```mermaid" in text and "## Pipeline:" in text
    assert "> *en*:" in text  # replies rendered per locale


def _html(tmp_path: Path, pack: str) -> Path:
    path = tmp_path / f"{pack}.html"
    code, _ = _run("docs", pack, "--format", "html", "-o", str(path))
    assert code == 0
    return path


def test_docs_html_is_self_contained(tmp_path: Path) -> None:
    text = _html(tmp_path, "key_account").read_text(encoding="utf-8")
    assert '<pre class="mermaid">' in text and '<ol class="flow">' in text
    assert "@media print" in text
    assert not re.search(r"<script|<link|src=|https?://", text)


def test_docs_bad_locale_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run("docs", "brokerage", "--locale", "fr")
    assert code == 2 and "locale 'fr'" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_docs_html_in_headless_chromium(tmp_path: Path) -> None:
    page = _html(tmp_path, "brokerage")
    flags = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "shot.png"
    run = subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,2000",
                          "--enable-logging=stderr", "--v=0", page.as_uri()],
                         capture_output=True, text=True, timeout=60, check=False)
    assert shot.is_file() and shot.stat().st_size > 0, run.stderr[-2000:]
    assert "Uncaught" not in run.stderr
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=60, check=False).stdout
    model, _ = load_model("brokerage")
    for objection in model.objections:
        for title in objection.title.by_locale.values():
            assert html.escape(title, quote=False) in dom, title


def test_every_shipped_pack_renders_docs() -> None:
    for name in engine.shipped_packs():
        code, text = _run("docs", name, "--format", "md")
        assert code == 0 and text.startswith("# ")
