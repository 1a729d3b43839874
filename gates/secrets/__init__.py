"""`gates secrets`: secrets in git history, a PR range, staged changes, build output and logs.

    run(options) -> Report
      1. scan what the mode names (history / range / staged), then files on disk and logs
      2. drop what the baseline, [[secrets.allow]] entries and inline pragmas suppress
      3. one Check per scope, with what was scanned (commits, blobs, lines) and its findings

Heavy work lives in the modules below (detect-secrets is only imported when a scan starts).
"""

from gates.lazy_gate import forward

options_from_config, run, __getattr__ = forward(__name__)

__all__ = ["options_from_config", "run"]
