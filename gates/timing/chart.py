"""`--html`: one self-contained page (inline SVG, no script, no network) with, per route, latency over
time and a latency histogram, the budgets drawn on both."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path

from gates.errors import UsageError
from gates.redact import redact
from gates.report import Check, Status
from gates.timing.engine import LoadResult, RouteSamples
from gates.timing.options import Options, Route

W, H, PAD = 560, 220, 40
_COLOURS = {Status.PASSED: "#1a7f37", Status.FAILED: "#cf222e", Status.ERROR: "#9a6700", Status.SKIPPED: "#57606a"}


def _budget_lines(route: Route) -> list[tuple[str, float]]:
    lines = [(label, getattr(route.budget, f"{label}_ms")) for label in ("p50", "p95", "p99")]
    return [(label, value) for label, value in lines if value is not None]


def _scale(value: float, top: float, length: float) -> float:
    return length * min(value, top) / top if top > 0 else 0.0


def _over_time(samples: RouteSamples, route: Route, duration: float) -> str:
    top = max([*samples.latencies_ms, *(v for _, v in _budget_lines(route)), 1.0]) * 1.1
    step = max(1, len(samples.offsets) // 20000)  # keeps the page small on long runs
    dots = "".join(
        f'<circle cx="{PAD + _scale(t, duration, W - PAD):.1f}" cy="{H - PAD - _scale(ms, top, H - 2 * PAD):.1f}" '
        f'r="1.6" fill="{"#0969da" if ok else "#cf222e"}"/>'
        for t, ms, ok in list(zip(samples.offsets, samples.latencies_ms, samples.ok, strict=True))[::step]
    )
    return _frame("latency over time (s)", f"{top:.0f} ms", dots + _hlines(route, top), f"{duration:g}")


def _histogram(samples: RouteSamples, route: Route) -> str:
    values = samples.latencies_ms
    top = max([*values, *(v for _, v in _budget_lines(route)), 1.0]) * 1.1
    bins = [0] * 40
    for value in values:
        bins[min(39, int(value / top * 40))] += 1
    most = max(bins) or 1
    width = (W - PAD) / 40
    bars = "".join(
        f'<rect x="{PAD + i * width:.1f}" y="{H - PAD - _scale(n, most, H - 2 * PAD):.1f}" width="{width - 1:.1f}" '
        f'height="{_scale(n, most, H - 2 * PAD):.1f}" fill="#0969da"/>'
        for i, n in enumerate(bins) if n
    )
    marks = "".join(
        f'<line x1="{PAD + _scale(v, top, W - PAD):.1f}" x2="{PAD + _scale(v, top, W - PAD):.1f}" y1="{PAD}" '
        f'y2="{H - PAD}" stroke="#cf222e" stroke-dasharray="4"/><text x="{PAD + _scale(v, top, W - PAD) + 3:.1f}" '
        f'y="{PAD + 10}" font-size="10" fill="#cf222e">{label} budget</text>'
        for label, v in _budget_lines(route)
    )
    return _frame("latency (ms)", f"{most}", bars + marks, f"{top:.0f} ms")


def _hlines(route: Route, top: float) -> str:
    return "".join(
        f'<line x1="{PAD}" x2="{W}" y1="{H - PAD - _scale(v, top, H - 2 * PAD):.1f}" '
        f'y2="{H - PAD - _scale(v, top, H - 2 * PAD):.1f}" stroke="#cf222e" stroke-dasharray="4"/>'
        f'<text x="{W - 70}" y="{H - PAD - _scale(v, top, H - 2 * PAD) - 3:.1f}" font-size="10" '
        f'fill="#cf222e">{label} {v:g} ms</text>'
        for label, v in _budget_lines(route)
    )


def _frame(x_label: str, y_top: str, body: str, x_right: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">'
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W}" y2="{H - PAD}" stroke="#57606a"/>'
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#57606a"/>'
        f'<text x="2" y="{PAD + 4}" font-size="10">{html.escape(y_top)}</text>'
        f'<text x="{W - 60}" y="{H - PAD + 14}" font-size="10">{html.escape(x_right)}</text>'
        f'<text x="{W / 2 - 40:.0f}" y="{H - 8}" font-size="11">{html.escape(x_label)}</text>{body}</svg>'
    )


def render(options: Options, result: LoadResult, checks: Sequence[Check]) -> str:
    by_name = {check.name: check for check in checks}
    sections = []
    for route in options.routes:
        check, samples = by_name.get(route.name), result.routes[route.name]
        status = check.status if check else Status.SKIPPED
        summary = html.escape(check.summary if check else "")
        sections.append(
            f'<section><h2><span style="color:{_COLOURS[status]}">{status.value.upper()}</span> '
            f"{html.escape(route.name)} <small>{html.escape(route.method)} {html.escape(route.path)}</small></h2>"
            f"<p>{summary}</p>{_over_time(samples, route, options.duration)} {_histogram(samples, route)}</section>"
        )
    workload = (f"open workload, {options.arrival_rate:g} requests/s" if options.arrival_rate
                else f"closed workload, {result.users} users, think time {options.think_time[0]:g}"
                     f"-{options.think_time[1]:g} s")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>gates timing</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#1f2328}svg{background:#f6f8fa;"
        "margin:4px}small{color:#57606a;font-weight:normal}</style></head><body>"
        f"<h1>gates timing: {html.escape(options.base_url)}</h1><p>{html.escape(workload)}, "
        f"{options.duration:g} s measured after {options.warmup:g} s warmup; Locust "
        f"{html.escape(result.locust_version)}</p>{''.join(sections)}</body></html>\n"
    )


def write_html(path: Path, options: Options, result: LoadResult, checks: Sequence[Check],
               secrets: Iterable[str] = ()) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redact(render(options, result, checks), secrets), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
