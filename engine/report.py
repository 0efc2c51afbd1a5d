"""Simulation reports as text, JSON or a self-contained HTML page (inline SVG, no network).

Input is the plain dict a run, a Monte Carlo or a funnel returns (its `format` says which);
the output depends on nothing else, so the same result gives the same bytes.
"""

from __future__ import annotations

import html
import json
from typing import Any

from .simulate import FUNNEL_FORMAT, MONTE_CARLO_FORMAT, RUN_FORMAT

FORMATS = ("text", "json", "html")


def render(result: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result, ensure_ascii=False, indent=2)
    if fmt == "html":
        return to_html(result)
    return to_text(result)


# text -----------------------------------------------------------------------------------

def turn_header(turn: dict[str, Any]) -> str:
    stage = f" · stage {turn['stage']}" if turn.get("stage") else ""
    return f"── turn {turn['turn']}{stage} ──"


def turn_feedback(turn: dict[str, Any]) -> list[str]:
    verdict = "FAILED (compliance)" if turn["failed"] else f"{turn['score']:.1f}/100"
    return [f"score: {verdict}", *(f"  {line}" for line in turn["feedback"])]


def summary(result: dict[str, Any]) -> list[str]:
    score = "-" if result["score"] is None else f"{result['score']:.1f}"
    verdict = "PASSED" if result["passed"] else "FAILED"
    lines = [f"final score: {score} (pass score {result['pass_score']:g}) → {verdict}"]
    if result["failed_turns"]:
        lines.append(f"turns failed on compliance: {', '.join(map(str, result['failed_turns']))}")
    if result["reached"]:
        lines.append(f"stages reached: {' → '.join(result['reached'])}")
    if result.get("ended_by"):
        lines.append(f"ended by: {result['ended_by']}")
    return lines


def to_text(result: dict[str, Any]) -> str:
    kind = result.get("format")
    if kind == MONTE_CARLO_FORMAT:
        return _monte_carlo_text(result)
    if kind == FUNNEL_FORMAT:
        return _funnel_text(result)
    lines = [f"scenario {result['scenario']}: {result['title']} ({result['pack']} "
             f"{result['version']}, {result['locale']}, answers: {result['answerer']})"]
    for turn in result["turns"]:
        lines += [turn_header(turn), f"customer: {turn['customer']}",
                  f"answer: {turn['answer'] or '(none)'}", *turn_feedback(turn)]
    lines.append("──")
    lines += summary(result)
    return "\n".join(lines)


def _monte_carlo_text(r: dict[str, Any]) -> str:
    lines = [f"scenario {r['scenario']}: {r['title']} — {r['runs']} conversations, seed "
             f"{r['seed']}, answers: {r['answerer']}", "stages reached:"]
    for row in r["stages"]:
        lines.append(f"  {row['stage']:<20} {row['reached']:>7}  {100 * row['share']:6.2f}%")
    lines.append(f"completed: {r['completed']}")
    lines.append("ended by:")
    for row in r["ended_by"] or [{"reason": "-", "count": 0, "share": 0.0}]:
        lines.append(f"  {row['reason']:<20} {row['count']:>7}  {100 * row['share']:6.2f}%")
    s = r["scores"]
    lines.append(f"scores: {s['conversations']} scored, mean {s['mean']}, min {s['min']}, "
                 f"max {s['max']}, passed {s['passed']} (pass score {s['pass_score']:g})")
    for row in s["histogram"]:
        lines.append(f"  {row['from']:>3}–{row['to']:<3} {row['count']:>7}")
    return "\n".join(lines)


def _funnel_text(r: dict[str, Any]) -> str:
    lines = [f"funnel {r['scenario']}: {r['months']} months, {r['days']} days × "
             f"{r['names_per_day']} names, seed {r['seed']}",
             f"  {'step':<10} {'mean':>9} {'expected':>9} {'error':>8} {'sd':>7} "
             f"{'p5':>5} {'p50':>5} {'p95':>5} {'min':>5} {'max':>5}"]
    for row in r["steps"]:
        error = _error(row["relative_error"])
        lines.append(f"  {row['step']:<10} {row['mean']:>9.3f} {row['expected']:>9.3f} "
                     f"{error:>8} {row['sd']:>7.3f} {row['p5']:>5} {row['p50']:>5} "
                     f"{row['p95']:>5} {row['min']:>5} {row['max']:>5}")
    f = r["fewer_than"]
    lines.append(f"months with fewer than {f['count']} ({f['step']}): {f['months']} "
                 f"({100 * f['share']:.2f}%)")
    lines.append(f"{r['distribution']['step']} per month:")
    for row in r["distribution"]["values"]:
        lines.append(f"  {row['value']:>3}: {row['months']:>7}")
    return "\n".join(lines)


# html -----------------------------------------------------------------------------------

CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
.turn{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:.75rem 0}
.pass{color:#17692b;font-weight:bold}.fail{color:#a11;font-weight:bold}
.fb{margin:.25rem 0;padding-left:1.2rem}.rec{color:#555;font-size:.9rem}
svg text{font-family:system-ui,sans-serif;font-size:12px}"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def bar_chart(rows: list[tuple[str, float, str]], title: str) -> str:
    """A horizontal bar chart as inline SVG: (label, value, value text) per bar."""
    width, label_w, bar_h, gap = 640, 170, 22, 8
    top = max((v for _, v, _ in rows), default=0) or 1
    height = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>']
    for i, (label, value, text) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(2.0, (width - label_w - 90) * value / top) if value > 0 else 0.0
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{_e(label)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                     f'fill="#3b6ea8"/><text x="{label_w + w + 6:.1f}" y="{y + 15}">'
                     f'{_e(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def to_html(result: dict[str, Any]) -> str:
    kind = result.get("format")
    if kind == MONTE_CARLO_FORMAT:
        return _monte_carlo_html(result)
    if kind == FUNNEL_FORMAT:
        return _funnel_html(result)
    if kind != RUN_FORMAT:
        raise ValueError(f"unknown result format {kind!r}")
    r = result
    verdict = "pass" if r["passed"] else "fail"
    body = [f"<h1>{_e(r['title'])}</h1>",
            f"<p>scenario <code>{_e(r['scenario'])}</code> · pack <code>{_e(r['pack'])} "
            f"{_e(r['version'])}</code> · {_e(r['locale'])} · answers: {_e(r['answerer'])}</p>",
            f"<p class=\"{verdict}\">final score {_e(r['score'])} (pass score "
            f"{r['pass_score']:g}): {'PASSED' if r['passed'] else 'FAILED'}</p>",
            "<h2>Stage funnel</h2>",
            bar_chart([(s, 1.0 if s in r["reached"] else 0.0,
                        "reached" if s in r["reached"] else "—") for s in r["stages"]],
                      "stages reached")]
    if r.get("ended_by"):
        body.append(f"<p>ended by: <code>{_e(r['ended_by'])}</code></p>")
    body.append("<h2>Turns</h2>")
    for t in r["turns"]:
        cls = "fail" if t["failed"] or t["score"] < r["pass_score"] else "pass"
        items = "".join(f"<li>{_e(line)}</li>" for line in t["feedback"]
                        if not line.startswith("recommended"))
        parts = "".join(f"<tr><td>{_e(name)}</td><td>{p['weight']:g}</td>"
                        f"<td>{'yes' if p['applicable'] else 'n/a'}</td>"
                        f"<td>{p['value']:.2f}</td></tr>" for name, p in t["parts"].items())
        body.append(
            f"<div class=\"turn\"><h3>Turn {t['turn']}"
            f"{' · ' + _e(t['stage']) if t.get('stage') else ''}</h3>"
            f"<p><b>Customer:</b> {_e(t['customer'])}</p>"
            f"<p><b>Answer:</b> {_e(t['answer'] or '(none)')}</p>"
            f"<p class=\"{cls}\">score {t['score']:.1f}"
            f"{' — failed on compliance' if t['failed'] else ''}</p>"
            f"<ul class=\"fb\">{items}</ul>"
            f"<table><tr><th>part</th><th>weight</th><th>applies</th><th>value</th></tr>"
            f"{parts}</table>"
            + (f"<p class=\"rec\"><b>Recommended ({_e(t['reply'])}):</b> "
               f"{_e(t['recommended'])}</p>" if t.get("recommended") else "")
            + "</div>")
    return _page(r["title"], body)


def _monte_carlo_html(r: dict[str, Any]) -> str:
    rows = [(s["stage"], float(s["reached"]), f"{s['reached']} ({100 * s['share']:.1f}%)")
            for s in r["stages"]]
    ended = "".join(f"<tr><td>{_e(e['reason'])}</td><td>{e['count']}</td>"
                    f"<td>{100 * e['share']:.2f}%</td></tr>" for e in r["ended_by"])
    s = r["scores"]
    hist = [(f"{h['from']}–{h['to']}", float(h["count"]), str(h["count"]))
            for h in s["histogram"]]
    body = [f"<h1>{_e(r['title'])}</h1>",
            f"<p>{r['runs']} simulated conversations · seed {r['seed']} · pack "
            f"<code>{_e(r['pack'])} {_e(r['version'])}</code> · answers: "
            f"{_e(r['answerer'])}</p>",
            "<h2>Stage funnel</h2>", bar_chart(rows, "conversations reaching each stage"),
            f"<p>completed: {r['completed']}</p>",
            "<h2>What ended the conversations</h2>",
            f"<table><tr><th>reason</th><th>count</th><th>share</th></tr>{ended}</table>",
            "<h2>Scores</h2>",
            f"<p>{s['conversations']} scored · mean {_e(s['mean'])} · min {_e(s['min'])} · "
            f"max {_e(s['max'])} · passed {s['passed']}</p>",
            bar_chart(hist, "score distribution")]
    return _page(r["title"], body)


def _error(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:+.2f}%"


def _funnel_html(r: dict[str, Any]) -> str:
    rows = [(row["step"], float(row["mean"]), f"{row['mean']:.2f} (seed: {row['expected']:g})")
            for row in r["steps"]]
    table = "".join(
        f"<tr><td>{_e(row['step'])}</td><td>{row['mean']:.3f}</td><td>{row['expected']:g}</td>"
        f"<td>{_error(row['relative_error'])}</td><td>{row['sd']:.3f}</td><td>{row['p5']}</td><td>{row['p50']}</td>"
        f"<td>{row['p95']}</td></tr>" for row in r["steps"])
    f = r["fewer_than"]
    dist = [(str(v["value"]), float(v["months"]), str(v["months"]))
            for v in r["distribution"]["values"]]
    body = [f"<h1>{_e(r['title'])}</h1>",
            f"<p>{r['months']} simulated months · {r['days']} days × {r['names_per_day']} "
            f"names · seed {r['seed']}</p>",
            "<h2>Funnel (monthly means)</h2>", bar_chart(rows, "monthly means per step"),
            "<table><tr><th>step</th><th>mean</th><th>seed</th><th>error</th><th>sd</th>"
            f"<th>p5</th><th>p50</th><th>p95</th></tr>{table}</table>",
            f"<h2>Spread</h2><p>months with fewer than {f['count']} {_e(f['step'])}: "
            f"{f['months']} ({100 * f['share']:.2f}%)</p>",
            bar_chart(dist, f"months by number of {r['distribution']['step']}")]
    return _page(r["title"], body)
