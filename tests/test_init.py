"""`playbook init`: a new pack that validates and is fully covered by its own tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run_cli as run


@pytest.mark.parametrize("locales", [["en"], ["zh-CN", "en"]])
def test_init_passes_validate_and_full_coverage(tmp_path: Path, locales: list[str]):
    flags = [f"--locale={loc}" for loc in locales]
    code, out = run("init", "fresh_pack", "--dir", str(tmp_path), *flags)
    assert code == 0, out
    pack = tmp_path / "rules" / "fresh_pack"
    assert (pack / "tests" / "basics.yaml").is_file()
    for loc in locales:
        assert (tmp_path / "responses" / "fresh_pack" / loc / "no_time.b.j2").is_file()
    assert run("validate", str(pack)) == (0, f"{pack}: ok (fresh_pack 0.1.0, 1 entries, "
                                             "1 pipelines)\n")
    code, out = run("test", str(pack), "--coverage", "--threshold", "100")
    assert code == 0, out
    assert "6 passed, 0 failed" in out and "coverage 100.0% ok" in out
    code, out = run("lint", str(pack))
    assert code == 0, out


def test_init_refuses_to_overwrite(tmp_path: Path, capsys):
    assert run("init", "fresh_pack", "--dir", str(tmp_path))[0] == 0
    template = tmp_path / "responses" / "fresh_pack" / "en" / "no_time.a.j2"
    template.write_text("mine", encoding="utf-8")
    assert run("init", "fresh_pack", "--dir", str(tmp_path))[0] == 2
    assert "already exists" in capsys.readouterr().err
    assert template.read_text(encoding="utf-8") == "mine"


def test_init_rejects_a_bad_name(tmp_path: Path, capsys):
    assert run("init", "Bad-Name", "--dir", str(tmp_path))[0] == 2
    assert "snake_case" in capsys.readouterr().err
    assert not (tmp_path / "rules").exists()


def test_subprocess_run(tmp_path: Path):
    proc = subprocess.run([sys.executable, "-m", "engine", "init", "sub_pack", "--dir",
                           str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "engine", "test",
                           str(tmp_path / "rules" / "sub_pack"), "--threshold", "100"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
