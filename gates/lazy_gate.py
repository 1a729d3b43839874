"""The import-free front of a gate package.

`gates <gate> --help` imports the gate's package, so its `__init__.py` must import nothing heavy: the
gate's code lives in `<package>.gate` and is loaded on the first call. A package's whole `__init__` is

    from gates.lazy_gate import forward
    options_from_config, run, __getattr__ = forward(__name__)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gates.context import GateContext
    from gates.progress import Progress
    from gates.report import Report


def forward(package: str) -> tuple[
    Callable[[Mapping[str, Any], GateContext], Any],
    Callable[..., Report],
    Callable[[str], Any],
]:
    def gate() -> ModuleType:
        return importlib.import_module(f"{package}.gate")

    def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Any:
        return gate().options_from_config(section, ctx)

    def run(options: Any, progress: Progress | None = None) -> Report:
        report: Report = gate().run(options, progress)
        return report

    def module_getattr(name: str) -> Any:
        """The rest of the gate's API (Options, helpers) loads with the gate module on first use."""
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return getattr(gate(), name)
        except AttributeError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    return options_from_config, run, module_getattr
