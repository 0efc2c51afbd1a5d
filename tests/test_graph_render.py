"""The pipeline diagrams are real DOT and Mermaid: Graphviz renders the DOT."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from engine.graph import to_dot, to_mermaid
from engine.pack import load_model

PIPELINE_PACKS = ["key_account", "new_customer", "order_review", "agent_onboarding",
                  "real_estate_touchpoints", "complaints", "brokerage"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' not installed "
                    "(.ci/run installs it)")
@pytest.mark.parametrize("name", PIPELINE_PACKS)
def test_dot_renders_with_graphviz(name: str):
    model, _ = load_model(name)
    done = subprocess.run(["dot", "-Tsvg"], input=to_dot(model, "en"), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout
    pipeline = model.pipelines[0]
    for stage in pipeline.stages:  # every stage is a node of the rendered graph
        assert f"<title>{pipeline.id}__{stage.id}</title>" in done.stdout
    assert not done.stderr.strip()


@pytest.mark.parametrize("name", PIPELINE_PACKS)
def test_mermaid_is_well_formed(name: str):
    model, _ = load_model(name)
    text = to_mermaid(model, "zh-CN")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum(line.strip().startswith("subgraph") for line in lines) == \
        sum(line.strip() == "end" for line in lines)
    for line in lines[1:]:
        assert line.count('"') % 2 == 0, line  # labels are quoted and closed
    for stage in model.pipelines[0].stages:
        assert f"{model.pipelines[0].id}__{stage.id}[" in text
