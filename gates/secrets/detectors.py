"""The one adapter to detect-secrets: its plugins and filters, with its global settings kept in here.

detect-secrets keeps its configuration in a cached module-level `Settings`; `DetectSecrets` enters
`transient_settings` (all plugins, default filters) for the duration of one scan and restores the
previous settings after, so nothing else in the process depends on that global.

Per line we do what detect-secrets' own diff scan does (`_process_line_based_plugins`): file-name
filters first (lock files, binaries), then line filters (allowlist pragma, templates…), then every
plugin, then the secret and context filters.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class RawSecret:
    type: str  # detect-secrets' secret_type, e.g. "AWS Access Key"
    value: str


def plugin_config() -> dict[str, Any]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
    return {"plugins_used": [{"name": cls.__name__} for cls in classes]}


def settings_json() -> dict[str, Any]:
    """detect-secrets' plugin and filter lists as a baseline records them."""
    from detect_secrets.settings import get_settings, transient_settings

    with transient_settings(plugin_config()):
        data: dict[str, Any] = get_settings().json()
    return data


def version() -> str:
    from detect_secrets.__version__ import VERSION

    return str(VERSION)


class DetectSecrets:
    """`with DetectSecrets() as ds: ds.scan_line(path, line)` — detect-secrets on one line."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._file_filtered: dict[str, bool] = {}

    def __enter__(self) -> DetectSecrets:
        from detect_secrets.settings import transient_settings

        self._stack.enter_context(transient_settings(plugin_config()))
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()

    def file_is_filtered(self, path: str) -> bool:
        """detect-secrets' file-name filters (lock files, non-text extensions)."""
        cached = self._file_filtered.get(path)
        if cached is None:
            from detect_secrets.core.scan import _is_filtered_out

            cached = bool(_is_filtered_out(required_filter_parameters=["filename"], filename=path))
            self._file_filtered[path] = cached
        return cached

    def scan_line(self, path: str, line: str) -> list[RawSecret]:
        from detect_secrets.core.scan import _process_line_based_plugins

        if self.file_is_filtered(path):
            return []
        return [RawSecret(s.type, s.secret_value or "")
                for s in _process_line_based_plugins([(1, line)], filename=path) if s.secret_value]


# Necessary conditions for a detect-secrets plugin (or one of our rules) to fire on a line. A line
# matching none of these cannot produce a finding, so only matching lines reach the plugins.
# Derived from the plugins' own patterns: every regex detector needs a run of >= 20 token
# characters, or one of the short literal anchors below; the base64 entropy plugin needs a quoted
# run of >= 23 characters (entropy 4.5 needs that many symbols), the hex one a quoted run of >= 8
# hex digits; the keyword plugin needs one of its keywords; the IP plugin a dotted quad.
def _keywords() -> str:
    from detect_secrets.plugins.keyword import DENYLIST

    return "|".join(DENYLIST)


@lru_cache(maxsize=1)
def prefilter() -> re.Pattern[str]:
    token = re.escape(string.ascii_letters + string.digits + "+/=_-\\")
    anchors = [
        rf"[{token}]{{20}}",
        r"['\"][0-9a-fA-F]{8}",
        r"eyJ", r"xox[abposr]-", r"PRIVATE KEY", r"PuTTY-User-Key", r"hooks\.slack\.com",
        r"://[^\s/@]*:[^\s/@]*@",
        r"\bAKC[a-zA-Z0-9]{10}", r"\bAP[\dA-F][a-zA-Z0-9]{8}",
        r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}",
        r"(?i:" + _keywords() + r"|aws|cloudant|softlayer|ibm|iam|_authtoken)",
    ]
    return re.compile("|".join(anchors))


def candidate_spans(text: str, radius: int) -> Iterator[tuple[int, int]]:
    """Merged windows of `radius` characters around every prefilter hit in a long line."""
    start = end = -1
    for match in prefilter().finditer(text):
        lo, hi = max(0, match.start() - radius), min(len(text), match.end() + radius)
        if lo <= end:
            end = max(end, hi)
            continue
        if end > start:
            yield start, end
        start, end = lo, hi
    if end > start:
        yield start, end
