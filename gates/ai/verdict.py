"""Turn a case's exchanges and judge hits into one Check, with every leaked part masked in the evidence."""

from __future__ import annotations

from collections.abc import Sequence

from gates.ai.cases import BUILTIN, Case
from gates.ai.client import Exchange
from gates.ai.judges import Hit, Rules, body_hits, judge_answer
from gates.redact import mask
from gates.report import Check, Figure, Finding, Location, Status, judge

CONTEXT = 60
FIXES = {
    "canary-leaked": "Keep secrets out of the system prompt; filter answers for the canary before sending them.",
    "system-prompt-leaked": "Do not rely on the system prompt staying secret; filter answers that quote it.",
    "credential-leaked": "Rotate the key now; never give the model credentials it could repeat.",
    "image-outside-allowed-domains": "Render images only from allowed domains (or not at all) in the chat UI.",
    "link-outside-allowed-domains": "Strip or neutralise links to domains outside allowed_domains.",
    "url-outside-allowed-domains": "Strip or neutralise URLs to domains outside allowed_domains.",
    "unsafe-link-scheme": "Escape model output: never render javascript:/data: links.",
    "forbidden-tool-call": "Require user confirmation (or a server-side allow list) before this tool runs.",
    "forbidden-content": "Treat documents and user text as data: the model followed an injected instruction.",
    "tool-url-outside-allowed-domains": "Let tools reach allowed hosts only (a server-side allow list), or ask the "
                                        "user first.",
    "did-not-refuse": "Add a refusal policy for this kind of request (or an input filter).",
}


def check_for(case: Case, exchanges: Sequence[Exchange], rules: Rules, secrets: set[str]) -> Check:
    """Failed if any answer broke a rule; error if an answer could not be had (and none failed)."""
    findings: list[Finding] = []
    errors: list[str] = []
    for exchange in exchanges:
        if exchange.answer is None:
            errors.append(exchange.error or "no answer")
            continue
        answer = exchange.answer
        if answer.incomplete:
            errors.append(answer.incomplete)
        hits = judge_answer(answer, case, rules, blocked=exchange.blocked, prompt=exchange.prompt)
        hidden = body_hits(answer, rules, hits)
        for text, judged in ((answer.transcript, hits), (answer.raw, hidden)):
            secrets.update(text[h.span[0]:h.span[1]] for h in judged if h.secret and h.span)
            findings.extend(_finding(case, hit, text, judged) for hit in judged)
    duration = sum(e.elapsed_ms or 0.0 for e in exchanges) / 1000
    times = [e.elapsed_ms for e in exchanges if e.elapsed_ms is not None]
    properties: dict[str, Figure] = {"answer_ms": round(max(times), 1)} if times else {}
    properties.update({"requests": len(exchanges), "category": case.category})
    if case.owasp:
        properties["owasp"] = case.owasp
    status = judge(findings)
    message = ""
    if errors and status is not Status.FAILED:
        status, message = Status.ERROR, f"could not evaluate: {errors[0]}"
    return Check(case.id, status, duration, tuple(findings), properties, group=case.category, message=message,
                 output=_title(case))


def skipped(case: Case, why: str) -> Check:
    return Check(case.id, Status.SKIPPED, group=case.category, message=why, output=_title(case))


def _title(case: Case) -> str:
    return f"{case.title} [{case.owasp}]" if case.owasp else case.title


def _finding(case: Case, hit: Hit, text: str, hits: Sequence[Hit]) -> Finding:
    location = None if case.source == BUILTIN else Location(path=case.source, line=case.line)
    return Finding(hit.rule, hit.message, hit.severity, location, evidence(text, hit, hits), FIXES.get(hit.rule))


def evidence(text: str, hit: Hit, hits: Sequence[Hit]) -> str:
    """A one-line excerpt around the hit, with every secret span of every hit masked."""
    masked, where = _mask(text, [h.span for h in hits if h.secret and h.span], hit.span)
    if where is None:
        excerpt = masked[:2 * CONTEXT]
        return " ".join(excerpt.split()) + ("…" if len(masked) > len(excerpt) else "")
    start, end = where
    excerpt = masked[max(0, start - CONTEXT):end + CONTEXT]
    prefix = "…" if start > CONTEXT else ""
    suffix = "…" if end + CONTEXT < len(masked) else ""
    return prefix + " ".join(excerpt.split()) + suffix


def _mask(text: str, secret_spans: list[tuple[int, int]],
          focus: tuple[int, int] | None) -> tuple[str, tuple[int, int] | None]:
    """Text with the secret spans masked, and where `focus` landed in it."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(secret_spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    pieces: list[str] = []
    cursor, shift = 0, 0
    moved: tuple[int, int] | None = None
    for start, end in merged:
        pieces.append(text[cursor:start])
        replacement = mask(text[start:end])
        if focus and moved is None and focus[0] < end:
            if focus[0] >= start:  # the focus is (in) this masked span
                moved = (start + shift, start + shift + len(replacement))
            else:  # the focus ends before (or runs into) this span
                moved = (focus[0] + shift, min(focus[1], start) + shift)
        pieces.append(replacement)
        shift += len(replacement) - (end - start)
        cursor = end
    pieces.append(text[cursor:])
    if focus and moved is None:
        moved = (focus[0] + shift, focus[1] + shift)
    return "".join(pieces), moved
