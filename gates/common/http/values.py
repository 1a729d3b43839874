"""Checks of URLs and headers before any request, body decoding, and dotted JSON paths."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Any

import httpx

HTTP_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 token: methods and header names


def url_problem(url: str) -> str | None:
    """Why httpx could not request this URL or path (None when it can): checked when config is read, so a
    bad URL is a config error instead of a traceback halfway through a run."""
    from urllib.parse import urlsplit

    try:
        httpx.URL(url)
        parts = urlsplit(url)
        port = parts.port  # httpx accepts :99999 and fails only when it connects
    except (httpx.InvalidURL, ValueError) as exc:
        return str(exc)
    if url.startswith(("http:", "https:")) and (not parts.hostname or port == 0):
        return "no host" if not parts.hostname else "port 0"
    return None


_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._:-]+)", re.I)


def decode_body(body: bytes, content_type: str | None) -> str:
    """A body in its declared charset; UTF-8 when none is declared or Python does not know it. Never raises."""
    match = _CHARSET.search(content_type or "")
    encoding = "utf-8"
    if match:
        try:
            encoding = codecs.lookup(match.group(1)).name
        except LookupError:
            pass
    return body.decode(encoding, "replace")


def header_problem(name: str, value: str) -> str | None:
    if not HTTP_TOKEN.fullmatch(name):
        return f"{name!r} is not a header name"
    if any(char in value for char in "\r\n\0"):
        return f"the value of {name} spans lines"
    return None






def dotted_get(data: Any, path: str) -> Any:
    """`a.b.0.c`: keys into objects, integer indexes into arrays. Raises LookupError naming the missing part."""
    node = data
    walked: list[str] = []
    for part in path.split(".") if path else []:
        if isinstance(node, Mapping):
            if part not in node:
                raise LookupError(f"no key {part!r} at {'.'.join(walked) or 'the top level'}")
            node = node[part]
        elif isinstance(node, list):
            if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
                raise LookupError(f"no index {part!r} in the array at {'.'.join(walked) or 'the top level'}")
            node = node[int(part)]
        else:
            raise LookupError(f"{'.'.join(walked) or 'the top level'} is not an object or array")
        walked.append(part)
    return node
