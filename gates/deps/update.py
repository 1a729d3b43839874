"""`gates deps update-db`: download the OSV project's per-ecosystem exports for offline audits.

Each `{base}/{ecosystem}/all.zip` is streamed to a temporary file beside the target, checked to be a
readable zip of records, and only then moved over `{dest}/{ecosystem}.zip`: an interrupted or bad
download never replaces a good database.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gates.errors import CannotEvaluate, UsageError

OSV_EXPORTS = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = ("PyPI", "npm")


@dataclass(frozen=True)
class Downloaded:
    ecosystem: str
    path: Path
    records: int
    bytes: int


def update(dest: Path, ecosystems: Sequence[str], base_url: str = OSV_EXPORTS,
           timeout: float = 60.0) -> list[Downloaded]:
    import httpx

    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {dest}: {exc.strerror}") from None
    done = []
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        for ecosystem in ecosystems:
            done.append(_one(client, f"{base_url.rstrip('/')}/{ecosystem}/all.zip", dest / f"{ecosystem}.zip",
                             ecosystem))
    return done


def _one(client: object, url: str, target: Path, ecosystem: str) -> Downloaded:
    import httpx

    assert isinstance(client, httpx.Client)
    fd, temp_name = tempfile.mkstemp(prefix=f".{ecosystem}-", suffix=".part", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle, client.stream("GET", url) as response:
            if response.status_code != 200:
                raise CannotEvaluate(f"update-db: {url}: HTTP {response.status_code}")
            for chunk in response.iter_bytes(1 << 20):
                handle.write(chunk)
        records = _count_records(temp, url)
        size = temp.stat().st_size
        os.replace(temp, target)
        return Downloaded(ecosystem, target, records, size)
    except httpx.HTTPError as exc:
        raise CannotEvaluate(f"update-db: {url}: {type(exc).__name__}: {exc}") from None
    finally:
        if temp.exists():
            temp.unlink()


def _count_records(path: Path, url: str) -> int:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith((".json", ".yaml", ".yml"))]
    except zipfile.BadZipFile:
        raise CannotEvaluate(f"update-db: {url}: the download is not a zip; the old database is kept") from None
    if not names:
        raise CannotEvaluate(f"update-db: {url}: the zip holds no OSV records; the old database is kept")
    return len(names)
