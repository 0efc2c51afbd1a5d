from __future__ import annotations

from pathlib import Path

import pytest

import engine

HERE = Path(__file__).resolve().parent
MINI = HERE / "packs" / "mini" / "rules" / "mini"


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return MINI


@pytest.fixture(scope="session", params=["durable", "python"])
def mini(request: pytest.FixtureRequest) -> engine.Pack:
    return engine.load_pack(MINI, backend=request.param)


@pytest.fixture(scope="session")
def mini_durable() -> engine.Pack:
    return engine.load_pack(MINI, backend="durable")
