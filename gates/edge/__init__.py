"""The edge gate: check a declared domain map end to end before (or right after) a launch.

    DNS        every host resolves; dangling CNAMEs; CAA
    redirects  http -> https same host first, then -> the canonical host in one hop; loops; legacy paths
    TLS        chain, name, days to expiry, TLS 1.0/1.1 refused
    headers    HSTS, security headers
    cache      public paths cacheable, private paths never publicly cached, no cookies on cacheable answers
    cookies    Secure, HttpOnly, SameSite, Domain scope across the declared hosts
    content    http:// resources in HTTPS pages

The heavy imports (dnspython, httpcore, cryptography) live in the modules `run` pulls in.
"""

from gates.lazy_gate import forward

options_from_config, run, __getattr__ = forward(__name__)

__all__ = ["options_from_config", "run"]
