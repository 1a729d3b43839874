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
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

_ENV_LIKE = re.compile(r"(?:^|/)(?:\.env(?:\.[^/]*)?|[^/]+\.env|\.envrc)$", re.IGNORECASE)


def keyword_filename(path: str) -> str:
    """The name detect-secrets should see for `path`.

    detect-secrets picks its keyword patterns by extension and needs quotes for any file it does not
    know: `DB_PASSWORD=s3cr3t` in `.env`, `.env.production` or `.envrc` would never be read. Those files
    are `KEY=value` configuration, so they are scanned as such.
    """
    return f"{path}.cnf" if _ENV_LIKE.search(path) else path


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
    """detect-secrets' version without importing it (150 ms) nor importlib.metadata (15 ms a lookup)."""
    from importlib.util import find_spec

    spec = find_spec("detect_secrets")  # a top-level package: located, not executed
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        try:
            found = _VERSION.search(Path(folder, "__version__.py").read_text(encoding="utf-8"))
        except OSError:
            continue
        if found:
            return found.group(1)
    from importlib.metadata import version as installed

    return installed("detect-secrets")


_VERSION = re.compile(r"""^VERSION\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


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

    def load(self) -> None:
        """Import detect-secrets and enter its settings now (before a worker is forked, so it inherits them)."""
        if not self._entered:
            self._enter()
        from detect_secrets.core import scan  # noqa: F401  (the plugins and filters scan_line uses)

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
                for s in _process_line_based_plugins([(1, line)], filename=keyword_filename(path)) if s.secret_value]
