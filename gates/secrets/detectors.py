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
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("detect-secrets")  # without importing it (150 ms)
    except PackageNotFoundError:
        from detect_secrets.__version__ import VERSION

        return str(VERSION)


class DetectSecrets:
    """`with DetectSecrets() as ds: ds.scan_line(path, line)` — detect-secrets on one line."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._file_filtered: dict[str, bool] = {}
        self._entered = False

    def __enter__(self) -> DetectSecrets:
        return self  # settings are entered on first use: a scan without candidates never imports them

    def _enter(self) -> None:
        from detect_secrets.settings import get_filters, transient_settings

        settings = self._stack.enter_context(transient_settings(plugin_config()))
        # Lines come from git objects, not files on disk: the "file exists" filter would drop them all.
        settings.disable_filters("detect_secrets.filters.common.is_invalid_file")
        get_filters.cache_clear()
        self._entered = True

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()
        self._entered = False

    def file_is_filtered(self, path: str) -> bool:
        """detect-secrets' file-name filters (lock files, non-text extensions)."""
        cached = self._file_filtered.get(path)
        if cached is None:
            if not self._entered:
                self._enter()
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


# Necessary conditions for a detect-secrets plugin (or one of our rules) to fire on a line, found on
# raw bytes of many lines at once: a line with none of them cannot produce a finding, so only the
# lines around these positions reach the plugins. Derived from the plugins' own patterns:
#   - regex detectors need a run of >= 20 token characters that holds a digit and a letter (random
#     keys do), a known key prefix, a 24-letter run (Cloudant), or one of the literal anchors;
#   - the base64 entropy plugin a quoted run of >= 23 characters (4.5 bits needs that many symbols),
#     the hex one a quoted run of >= 8 hex digits; the keyword plugin one of its keywords;
#   - the IP plugin a dotted quad.
_RUN = re.compile(rb"[A-Za-z0-9+/=_\-\\]{20,}")
_DIGITS = b"0123456789"
_LETTERS24 = re.compile(rb"[a-z]{24}")
_PREFIX = re.compile(
    rb"gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|soat|oas|cbt|imt|agent|ft)-|GR1348941|sk-|[sr]k_(?:live|test)_"
    rb"|AIza|GOCSPX-|hf_|npm_|pypi-|re_|key-|SG\.|sq0csp-|A3T|AKIA|ASIA|ABIA|ACCA|T3BlbkFJ|AccountKey"
)
# Each anchor is its own pattern starting with a literal, which `re` finds at memchr speed; one
# alternation of them all is several times slower.
_ANCHORS = tuple(re.compile(p) for p in (
    rb"['\"][0-9a-fA-F]{8}",
    rb"eyJ|xox[abposr]-|PRIVATE KEY|PuTTY-User-Key|hooks\.slack\.com|AccountKey=",
    rb"://[^\s/@]{0,256}:[^\s/@]{0,256}@",
    rb"AKC[a-zA-Z0-9]{10}",
    rb"AP[\dA-F][a-zA-Z0-9]{8}",
    rb"\.\d{1,3}\.\d{1,3}\.\d",  # inside any dotted quad
))
_QUOTES = (b"'", b'"')


# detect-secrets' KeywordDetector DENYLIST, copied so the prefilter does not import detect-secrets
# (150 ms) for a scan that has no candidate at all; a test fails if the two drift apart.
KEYWORDS = (
    "api_?key", "auth_?key", "service_?key", "account_?key", "db_?key", "database_?key", "priv_?key",
    "private_?key", "client_?key", "db_?pass", "database_?pass", "key_?pass", "password", "passwd", "pwd",
    "secret", "contraseña", "contrasena",
)


@lru_cache(maxsize=1)
def _keywords() -> re.Pattern[bytes]:
    return re.compile("|".join(KEYWORDS).encode("utf-8"))


def candidate_positions(data: bytes) -> list[int]:
    """Offsets in `data` where something a detector needs appears (unsorted, may repeat)."""
    found = [m.start() for anchor in _ANCHORS for m in anchor.finditer(data)]
    found += [m.start() for m in _keywords().finditer(data.lower())]
    for match in _RUN.finditer(data):
        run = match.group()
        if run.translate(None, _DIGITS) != run and not run.isdigit():  # holds a digit and something else
            found.append(match.start())
            continue
        start, end = match.span()
        if (
            _PREFIX.search(run)
            or _LETTERS24.search(run)
            or (len(run) >= 23 and data[start - 1:start] in _QUOTES and data[end:end + 1] == data[start - 1:start])
        ):
            found.append(start)
    return found


def prefilter_fingerprint() -> str:
    """Changes whenever the prefilter does (part of the cache key)."""
    patterns = (_RUN, _PREFIX, *_ANCHORS, _keywords())
    return "|".join(p.pattern.decode("utf-8", "replace") for p in patterns)


def is_candidate(text: str) -> bool:
    return bool(candidate_positions(text.encode("utf-8", "surrogatepass")))


def candidate_windows(data: bytes, radius: int) -> Iterator[tuple[int, int]]:
    """Merged windows of `radius` bytes around every candidate position in a long line."""
    start = end = -1
    for position in sorted(set(candidate_positions(data))):
        lo, hi = max(0, position - radius), min(len(data), position + radius)
        if lo <= end:
            end = max(end, hi)
            continue
        if end > start:
            yield start, end
        start, end = lo, hi
    if end > start:
        yield start, end
