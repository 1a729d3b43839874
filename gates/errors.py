"""One error hierarchy for every gate.

    GateError                 base: a message meant for the user, no traceback
    ├── ConfigError           exit 2: the config file or a flag is wrong (names file, table, key)
    ├── UsageError            exit 2: the command line asks for something impossible
    ├── NotConfigured         the gate has nothing to check here (the barrier skips it, with the reason)
    └── CannotEvaluate        exit 3: the gate could not check (never a pass)

Expected failures become one of these at the boundary; `gates.cli_support` turns them into a
message and an exit code. Inside a gate, a check that cannot be evaluated is a `Check` with status
error, not an exception: these are for the whole gate.
"""

from __future__ import annotations


class GateError(Exception):
    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(GateError):
    exit_code = 2


class UsageError(GateError):
    exit_code = 2


class NotConfigured(GateError):
    exit_code = 0


class CannotEvaluate(GateError):
    exit_code = 3
