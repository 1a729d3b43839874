"""[email] config and flags -> Options: defaults, normalisation, and errors naming the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gates.config import Config
from gates.context import GateContext
from gates.email import options_from_config
from gates.errors import ConfigError, NotConfigured


def options(section: dict[str, Any], root: Path = Path(".")) -> Any:
    return options_from_config(section, GateContext(root=root, config=Config(None, root, {})))


def test_defaults_and_normalisation() -> None:
    opts = options({"domains": ["Example.COM.", "example.com", "bücher.example"], "timeout": "500ms"})
    assert opts.domains == ("example.com", "xn--bcher-kva.example")
    assert opts.policy == "baseline" and opts.dkim_selectors == () and opts.nameservers == ()
    assert opts.timeout_s == 0.5 and opts.deadline_s == 60.0 and opts.mta_sts_fetch is True


def test_nothing_to_check() -> None:
    with pytest.raises(NotConfigured, match="domains"):
        options({})


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"domains": ["localhost"]}, "domains"),
        ({"domains": "example.com", "policy": "lenient"}, "policy"),
        ({"domains": ["example.com"], "nameservers": ["8.8.8.8:99999"]}, "nameservers"),
        ({"domains": ["example.com"], "dkim_selectors": ["bad selector"]}, "dkim_selectors"),
        ({"domains": ["example.com"], "timeout": "0s"}, "timeout"),
        ({"domains": ["example.com"], "deadline": "later"}, "deadline"),
        ({"domains": ["example.com"], "require_mta_sts": "yes"}, "require_mta_sts"),
        ({"domains": ["example.com"], "mta_sts_port": 0}, "mta_sts_port"),
        ({"domains": [1]}, "domains"),
    ],
)
def test_errors_name_the_key(section: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[email\] {key}:"):
        options(section)
