"""`[<gate>.login]` read the same way by every gate that signs in (smoke, edge, ai, timing).

Credentials come from the environment only: a password written into gates.toml is itself a leak, so
a literal value under a credential-like key (password, token, api_key…) is a config error naming it.
Values that do come from `${ENV}` are returned as secrets for `Report.secrets`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gates.errors import ConfigError
from gates.schema import describe

if TYPE_CHECKING:
    from gates.common.http import LoginSpec
    from gates.context import GateContext


def refuse_literal_credentials(gate: str, ctx: GateContext) -> None:
    """Look at the config as written (before ${VAR} interpolation) for credentials typed in literally."""
    from gates.common.http import CREDENTIAL_KEY

    table = ctx.config.data.get(gate)
    raw = table.get("login") if isinstance(table, Mapping) else None
    if not isinstance(raw, Mapping):
        return
    for part in ("json", "form"):
        for name, value in _flatten(raw.get(part)).items():
            if CREDENTIAL_KEY.search(name) and isinstance(value, str) and value and "${" not in value:
                leaf = name.rsplit(".", 1)[-1]
                raise ConfigError(
                    f"{ctx.config.source}: [{gate}.login] {part}.{name}: a literal credential in the config;"
                    f' read it from the environment, e.g. {leaf} = "${{DEMO_PASSWORD}}"'
                )


def login_from_config(gate: str, raw: Any, ctx: GateContext | None) -> tuple[LoginSpec | None, frozenset[str]]:
    """The login step of `[<gate>.login]` (None when there is none) and the credential values it sends.

    `ctx` gives the config as written, for the literal-credential check; None skips it (a table built in code).
    """
    from gates.common.http import HTTP_TOKEN, LoginSpec, credential_values, header_problem, url_problem

    if not raw:
        return None, frozenset()
    if not isinstance(raw, Mapping):
        raise _fail(gate, "login", 'a table with path = "/api/login"', raw)
    if ctx is not None:
        refuse_literal_credentials(gate, ctx)
    path = raw.get("path")
    if not isinstance(path, str) or not path.strip():
        raise _fail(gate, "login.path", "a path like /api/login or a full URL", path)
    if not path.startswith(("/", "http://", "https://")):
        path = "/" + path
    problem = url_problem(path)
    if problem is not None:
        raise _fail(gate, "login.path", f"a valid http(s) URL or path ({problem})", path)
    body = raw.get("json") if raw.get("json") is not None else raw.get("form") or None
    method = str(raw.get("method") or ("POST" if body is not None else "GET")).upper()
    if not HTTP_TOKEN.fullmatch(method):
        raise _fail(gate, "login.method", "an HTTP method like POST", raw.get("method"))
    headers = {str(k): str(v) for k, v in dict(raw.get("headers") or {}).items()}
    for name, value in headers.items():
        problem = header_problem(name, value)
        if problem:
            raise _fail(gate, f"login.headers.{name}",
                        f"a header name without spaces and a value on one line ({problem})", value)
    token = raw.get("token")
    if token is not None and (not isinstance(token, str) or not token):
        raise _fail(gate, "login.token", "the dotted JSON field holding a bearer token", token)
    form = dict(raw["form"]) if raw.get("json") is None and raw.get("form") else None
    spec = LoginSpec(path=path, method=method, json=raw.get("json"), form=form, headers=headers, token=token,
                     status=_statuses(gate, raw.get("status")))
    return spec, frozenset(credential_values(raw.get("json")) | credential_values(raw.get("form")))


def _statuses(gate: str, value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    codes = tuple(value) if isinstance(value, list) else (value,)
    if not all(isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599 for code in codes):
        raise _fail(gate, "login.status", "an HTTP status (100-599) or an array of them", value)
    return codes


def _fail(gate: str, key: str, expected: str, got: Any) -> ConfigError:
    return ConfigError(f"[{gate}] {key}: expected {expected}, got {describe(got)}")


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(node, Mapping):
        return {}
    flat: dict[str, Any] = {}
    for key, value in node.items():
        name = f"{prefix}{key}"
        flat.update(_flatten(value, name + ".") if isinstance(value, Mapping) else {name: value})
    return flat
