"""Gate `migrations`: dry-run every migration on a throwaway PostgreSQL, prove rollback, flag what hurts.

run() reads like the steps a person takes: say what migrations were found; start (or borrow) a
throwaway PostgreSQL; for each migration set, in a scratch database of its own, apply every
migration in order while linting its statements with PostgreSQL's parser; prove the down path
where the framework has one; stop the server.
"""

from gates.lazy_gate import forward

options_from_config, run, __getattr__ = forward(__name__)

__all__ = ["options_from_config", "run"]
