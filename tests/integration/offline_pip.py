"""Install this project into a fresh virtualenv without a network: pip takes every dependency from
the test environment's own site-packages (on PYTHONPATH) and builds the project without isolation."""

from __future__ import annotations

import os
import site
import sys
from pathlib import Path


def offline_install_env(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "PIP_NO_INDEX": "1",
            "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this variable inverted: "0" turns isolation off
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONPATH": os.pathsep.join(site.getsitepackages()),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        }
    )
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    return env
