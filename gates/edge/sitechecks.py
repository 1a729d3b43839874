"""Checks on the canonical site: legacy redirects, cache rules, the login's cookies, mixed content."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

from gates.edge import cache, content, cookies, redirects
from gates.edge.network import Answer, Fetcher, Unreachable
from gates.edge.options import Options
from gates.report import Check, Finding, Status, judge


@dataclass
class Seen:
    """Every answer the gate got, for the checks that look across them (cookies, mixed content)."""

    answers: list[Answer] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)

    def add(self, items: Iterable[Answer]) -> None:
        self.answers.extend(items)


def url_for(options: Options, path: str) -> str:
    return path if path.startswith(("http://", "https://")) else urljoin(options.canonical + "/", path.lstrip("/"))


def _check(name: str, group: str, started: float, findings: list[Finding], message: str = "") -> Check:
    return Check(name, judge(findings), time.monotonic() - started, tuple(findings), group=group,
                 message="" if any(f.severity.rank > 1 for f in findings) else message)


def legacy_checks(options: Options, fetcher: Fetcher, seen: Seen) -> list[Check]:
    checks = []
    for old, new in options.legacy_redirects.items():
        started = time.monotonic()
        name = f"legacy {old}"
        try:
            chain = redirects.follow(fetcher, url_for(options, old))
        except Unreachable as exc:
            checks.append(Check(name, Status.ERROR, time.monotonic() - started, group="redirect", message=str(exc)))
            continue
        seen.add(chain.answers)
        findings = redirects.chain_findings(chain, old)
        if not any(f.rule == "edge.redirect.loop" for f in findings):
            findings += redirects.legacy_findings(old, url_for(options, new), chain)
        checks.append(_check(name, "redirect", started, findings, chain.shown()))
    return checks


def login(options: Options, fetcher: Fetcher, seen: Seen) -> tuple[Answer | None, str | None]:
    """The login answer, or why there is none."""
    spec = options.login
    if spec is None:
        return None, None
    sent = dict(spec.headers)
    body = b""
    if spec.json is not None:
        body = json.dumps(spec.json).encode()
        sent.setdefault("Content-Type", "application/json")
    elif spec.form:
        body = urlencode(dict(spec.form)).encode()
        sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
    try:
        answer = fetcher.request(url_for(options, spec.path), spec.method, body, sent)
    except Unreachable as exc:
        return None, str(exc)
    seen.add([answer])
    for header in answer.headers.get_list("set-cookie"):
        seen.secrets.add(cookies.parse(header).value)
    if answer.status >= 400:
        return None, f"login {spec.method} {spec.path} answered {answer.status}"
    return answer, None


def cookie_header(answer: Answer | None) -> dict[str, str]:
    if answer is None:
        return {}
    pairs = [cookies.parse(h) for h in answer.headers.get_list("set-cookie")]
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in pairs)} if pairs else {}


def cache_checks(options: Options, fetcher: Fetcher, seen: Seen, session: dict[str, str]) -> list[Check]:
    checks = []
    for kind, paths in (("public", options.public_paths), ("private", options.private_paths)):
        for path in paths:
            started = time.monotonic()
            name = f"cache {kind} {path}"
            try:
                if kind == "public":
                    answer = redirects.follow(fetcher, url_for(options, path)).final
                else:
                    answer = fetcher.request(url_for(options, path), headers=session)
            except Unreachable as exc:
                checks.append(Check(name, Status.ERROR, time.monotonic() - started, group="cache",
                                    message=str(exc)))
                continue
            seen.add([answer])
            judged = cache.public_findings(path, answer) if kind == "public" else cache.private_findings(path, answer)
            how = " (no [edge] login: checked without a session)" if kind == "private" and not session else ""
            shown = f"{answer.status}, Cache-Control: {answer.headers.get('cache-control', '(none)')}{how}"
            checks.append(_check(name, "cache", started, judged, shown))
    return checks


def cacheable_cookie_check(seen: Seen) -> Check:
    started = time.monotonic()
    findings: list[Finding] = []
    done: set[str] = set()
    for answer in seen.answers:
        if answer.url not in done:
            done.add(answer.url)
            findings += cache.cookie_findings(answer)
    return _check("cache cookies on cacheable answers", "cache", started, findings)


def cookie_check(options: Options, seen: Seen, login_answer: Answer | None, login_error: str | None) -> Check:
    started = time.monotonic()
    name = "cookies"
    if login_error:
        return Check(name, Status.ERROR, 0.0, group="cookies", message=login_error)
    serve = sorted(host for host, role in options.hosts.items() if role == "serve")
    findings: list[Finding] = []
    judged: set[tuple[str, str]] = set()
    sources = ([login_answer] if login_answer is not None else []) + seen.answers
    for answer in sources:
        host = redirects.hostname(answer.url)
        for header in answer.headers.get_list("set-cookie"):
            cookie = cookies.parse(header)
            seen.secrets.add(cookie.value)
            if (host, cookie.name) in judged:
                continue
            judged.add((host, cookie.name))
            findings += cookies.findings(cookie, host, serve, login=answer is login_answer)
    names = sorted({name for _, name in judged})
    message = f"cookies checked: {', '.join(names)}" if names else "no cookies set on the answers checked"
    return _check(name, "cookies", started, findings, message)


def mixed_content_checks(seen: Seen) -> list[Check]:
    checks: list[Check] = []
    pages: dict[str, Answer] = {}
    for answer in seen.answers:
        if answer.url.startswith("https://") and answer.is_html and answer.status < 300:
            pages.setdefault(answer.url, answer)
    for url, answer in pages.items():
        started = time.monotonic()
        csp = answer.headers.get("content-security-policy", "")
        checks.append(_check(f"mixed content {url}", "content", started, content.findings(url, answer.text(), csp)))
    return checks

