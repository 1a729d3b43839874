"""`gates email`: check a sending domain's DNS the way strict validators and big mailbox providers
do (SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT) and say which record to fix and how.

Each domain gets one Check per record family. A DNS failure (SERVFAIL, timeout) makes that check
"could not check" (exit 3), never "missing".
"""

from gates.lazy_gate import forward

options_from_config, run, __getattr__ = forward(__name__)

__all__ = ["options_from_config", "run"]
