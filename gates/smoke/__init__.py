"""`gates smoke`: post-deploy smoke checks with wait-for-ready, a watch window and a rollback trigger.

The steps a person takes after a deploy: wait until the new release answers, log in as the test user, load
the pages that matter (all at once), make one write and clean it up, keep watching for a while, and put the
last release back, once, if the answer is no. httpx and the heavy modules are imported only when it runs.
"""

from gates.lazy_gate import forward

options_from_config, run, __getattr__ = forward(__name__)

__all__ = ["options_from_config", "run"]
