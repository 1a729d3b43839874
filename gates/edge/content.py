"""Mixed content: http:// scripts, styles, frames (active: browsers block them) and images/media
(passive: a warning) in the HTML of HTTPS pages."""

from __future__ import annotations

from html.parser import HTMLParser

from gates.report import Finding, Severity

# tag -> (attribute holding the URL, active?)
_ACTIVE = {"script": "src", "iframe": "src", "frame": "src", "object": "data", "embed": "src"}
_PASSIVE = {"img": "src", "audio": "src", "video": "src", "source": "src", "track": "src"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, bool, int]] = []  # tag, url, active, line
        self.upgrades = False  # a <meta> CSP with upgrade-insecure-requests

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        line = self.getpos()[0]
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.upgrades = self.upgrades or upgrades_insecure(values.get("content", ""))
        elif tag == "link":
            rel = values.get("rel", "").lower().split()
            if {"stylesheet", "preload", "modulepreload", "icon"} & set(rel):
                self._add(tag, values.get("href", ""), "stylesheet" in rel or "modulepreload" in rel, line)
        elif tag in _ACTIVE:
            self._add(tag, values.get(_ACTIVE[tag], ""), True, line)
        elif tag in _PASSIVE:
            self._add(tag, values.get(_PASSIVE[tag], ""), False, line)
        if tag in ("img", "source") and values.get("srcset"):
            # "a.png 1x, http://cdn/b.png 2x": each candidate is a URL and a descriptor
            for candidate in values["srcset"].split(","):
                self._add(tag, (candidate.split() or [""])[0], False, line)

    def _add(self, tag: str, url: str, active: bool, line: int) -> None:
        if url.lower().startswith("http://"):
            self.found.append((tag, url, active, line))


def upgrades_insecure(csp: str) -> bool:
    return any(part.strip().lower().split(" ")[0] == "upgrade-insecure-requests" for part in csp.split(";"))


def findings(page_url: str, html: str, csp: str = "") -> list[Finding]:
    """`csp`: the page's Content-Security-Policy header. With upgrade-insecure-requests browsers fetch the
    http:// URLs over https instead (no mixed-content block): what is left to say is an info."""
    collector = _Collector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; a pathological page is simply not judged
        return []
    out: list[Finding] = []
    upgraded = upgrades_insecure(csp) or collector.upgrades
    for tag, url, active, line in collector.found:
        fix = f"load it over https:// ({url.replace('http://', 'https://', 1)}) or from your own origin"
        if upgraded:
            out.append(Finding("edge.content.upgraded", f"{page_url} names {url} in a <{tag}>; the page's CSP "
                               "upgrade-insecure-requests makes browsers fetch it over https", Severity.INFO,
                               evidence=f"line {line}: {url}", fix=fix))
        elif active:
            out.append(Finding("edge.content.mixed-active", f"{page_url} loads a <{tag}> over plain http "
                               "(browsers block it)", Severity.ERROR, evidence=f"line {line}: {url}", fix=fix))
        else:
            out.append(Finding("edge.content.mixed-passive", f"{page_url} loads an <{tag}> over plain http",
                               Severity.WARNING, evidence=f"line {line}: {url}", fix=fix))
    return out
