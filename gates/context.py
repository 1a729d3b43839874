"""What a gate knows about the run it is part of, passed explicitly (no global state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gates.config import Config


@dataclass(frozen=True)
class GateContext:
    root: Path  # the repository (or working directory) the gates look at
    config: Config
    stage: str | None = None  # set by `gates run`; None for a single gate command
    base_ref: str | None = None  # pull-request base, for range scans
    quiet: bool = False
    debug: bool = False
    cwd: Path = field(default_factory=Path.cwd)  # where the user ran gates: relative flag paths start here
