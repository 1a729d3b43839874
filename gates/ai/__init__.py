"""`gates ai`: attack the app's own chat endpoint with prompt injections and block the release when an
answer leaks what it must not (canaries, the system prompt, credentials, data through links and images)
or does what it must not (forbidden tool calls, following injected instructions).

Answers are judged by deterministic rules (gates.ai.judges), never by another model.
"""

from gates.lazy_gate import forward

options_from_config, run, __getattr__ = forward(__name__)

__all__ = ["options_from_config", "run"]
