"""Pipelines as diagrams: Mermaid flowcharts and Graphviz DOT."""

from __future__ import annotations

from .model import PackModel


def _label(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")


def to_mermaid(model: PackModel, locale: str) -> str:
    lines = ["flowchart LR"]
    for pipeline in model.pipelines:
        lines.append(f'  subgraph {pipeline.id}["{_label(pipeline.title.get(locale))}"]')
        for stage in pipeline.stages:
            crit = "<br/>".join(f"• {_label(c.message.get(locale))}" for c in stage.exit
                                if c.required)
            title = _label(stage.title.get(locale))
            lines.append(f'    {pipeline.id}__{stage.id}["<b>{title}</b><br/>{crit}"]')
        for a, b in zip(pipeline.stages, pipeline.stages[1:], strict=False):
            lines.append(f"    {pipeline.id}__{a.id} --> {pipeline.id}__{b.id}")
        lines.append("  end")
        for stage in pipeline.stages:
            for c in stage.terminate:
                node = f"{pipeline.id}__{stage.id}__{c.id}"
                lines.append(f'  {node}(["⏹ {_label(c.message.get(locale))}"])')
                lines.append(f"  {pipeline.id}__{stage.id} -.-> {node}")
    return "\n".join(lines)


def to_dot(model: PackModel, locale: str) -> str:
    lines = ["digraph pipelines {", "  rankdir=LR;", "  node [shape=box, fontname=\"sans\"];"]
    for pipeline in model.pipelines:
        lines.append(f"  subgraph cluster_{pipeline.id} {{")
        lines.append(f'    label="{_label(pipeline.title.get(locale))}";')
        for stage in pipeline.stages:
            crit = "\\n".join(f"- {_label(c.message.get(locale))}" for c in stage.exit
                              if c.required)
            lines.append(f'    {pipeline.id}__{stage.id} [label="{_label(stage.title.get(locale))}'
                         f'\\n{crit}"];')
        for a, b in zip(pipeline.stages, pipeline.stages[1:], strict=False):
            lines.append(f"    {pipeline.id}__{a.id} -> {pipeline.id}__{b.id};")
        lines.append("  }")
        for stage in pipeline.stages:
            for c in stage.terminate:
                node = f"{pipeline.id}__{stage.id}__{c.id}"
                lines.append(f'  {node} [shape=octagon, label="{_label(c.message.get(locale))}"];')
                lines.append(f"  {pipeline.id}__{stage.id} -> {node} [style=dashed];")
    lines.append("}")
    return "\n".join(lines)
