"""`gates deps`: block known-vulnerable dependencies.

Read the dependency files, audit every pinned package (offline from an OSV database, or online
through pip-audit), apply the policy (severity threshold, ignores with expiry), and report one
check per file, with development-only dependencies in a check of their own.
"""

from gates.lazy_gate import forward

options_from_config, run, __getattr__ = forward(__name__)

__all__ = ["options_from_config", "run"]
