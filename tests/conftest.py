from __future__ import annotations

from pathlib import Path

import pytest

import engine

HERE = Path(__file__).resolve().parent
MINI = HERE / "packs" / "mini" / "rules" / "mini"


@pytest.fixture(scope="session")
def brokerage_in_memory() -> engine.Pack:
    """One brokerage pack alive for the rest of the run, for the modules that load it again
    and again (the CLI tests): each later load reuses its compiled detector
    (engine/shared_detector.py). Opt-in, so a module that never loads it pays nothing."""
    return engine.load_pack("brokerage", backend="python")


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return MINI


@pytest.fixture(scope="session", params=["durable", "python"])
def mini(request: pytest.FixtureRequest) -> engine.Pack:
    return engine.load_pack(MINI, backend=request.param)


@pytest.fixture(scope="session")
def mini_durable() -> engine.Pack:
    return engine.load_pack(MINI, backend="durable")
