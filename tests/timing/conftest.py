"""One real timing app for the whole module run, and a helper that builds Options from a [timing] table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from gates.config import Config
from gates.context import GateContext
from gates.timing import Options, options_from_config
from tests.servers.timing_app import serve

# Tiny loads: 3 users for 2 s with a short pause; budgets far from the measured figures either way.
TINY: dict[str, Any] = {"users": 3, "duration": "2s", "think_time": 0.05, "min_requests": 5}


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    with serve() as url:
        yield url


def make_options(section: Mapping[str, Any], root: Path) -> Options:
    ctx = GateContext(root=root, config=Config(None, root))
    return options_from_config({**TINY, **section}, ctx)


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
