"""The wheel ships the engine's code, not only its data (a renamed hatch key once
silently dropped every .py file from it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_target_lists_the_engine_package():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert set(wheel) <= {"packages", "force-include", "only-include", "exclude"}
    assert "engine" in wheel["packages"]
    assert (REPO / "engine" / "__init__.py").is_file()
