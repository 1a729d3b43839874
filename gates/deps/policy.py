"""What blocks: the severity threshold and `[[deps.ignore]]` entries (with reasons and expiry)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gates.deps.model import SEVERITIES, Vulnerability, severity_rank


@dataclass(frozen=True)
class Ignore:
    id: str
    reason: str
    until: dt.date | None = None

    def expired(self, today: dt.date) -> bool:
        return self.until is not None and today > self.until


@dataclass(frozen=True)
class Policy:
    fail_on: str = "low"
    ignores: tuple[Ignore, ...] = ()

    def ignore_for(self, vulnerability: Vulnerability, today: dt.date) -> Ignore | None:
        """The ignore naming this advisory by its id or any alias (case-insensitive); a live one
        wins over an expired duplicate."""
        ids = {i.upper() for i in vulnerability.ids or {vulnerability.id, *vulnerability.aliases}}
        matching = [ignore for ignore in self.ignores if ignore.id.upper() in ids]
        return min(matching, key=lambda i: i.expired(today), default=None)

    def blocks(self, vulnerability: Vulnerability) -> bool:
        """Unknown severity blocks: an advisory we cannot grade is not assumed harmless."""
        return severity_rank(vulnerability.severity) >= SEVERITIES.index(self.fail_on)
