"""The release barrier: run the gates of a stage, merge their Reports, decide one exit code.

Each gate's own `run()` is called in-process. A gate this version does not have, or one with
nothing to check here (no URL configured, no migrations found), is a skipped check that says why;
a gate that crashes or cannot check is an error check — never a pass. 1 beats 3 beats 0, and
`allow_errors` lets could-not-check gates through with a warning.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from gates.config import Config
from gates.context import GateContext
from gates.errors import CannotEvaluate, ConfigError, NotConfigured, UsageError
from gates.progress import NullProgress, Progress
from gates.registry import Gate, load_gate
from gates.report import (
    EXIT_CANNOT_EVALUATE,
    EXIT_PASS,
    Check,
    Report,
    Severity,
    Status,
    apply_fail_on,
    combine_exit_codes,
)
from gates.schema import suggest

GateLoader = Callable[[str], "Gate | None"]

# Gates that must not share the machine with others while they run.
EXCLUSIVE = frozenset({"timing"})
MAX_PARALLEL = 4


@dataclass(frozen=True)
class BarrierResult:
    stage: str
    reports: tuple[Report, ...]
    exit_code: int
    notes: tuple[str, ...] = ()


def gates_for_stage(config: Config, stage: str) -> list[str]:
    stages = config.stages()
    if stage not in stages:
        raise ConfigError(
            f"{config.source}: [stages] {stage}: unknown stage{suggest(stage, list(stages))}"
            f" (stages: {', '.join(stages)})"
        )
    return list(stages[stage])


def run_barrier(
    ctx: GateContext,
    gates: Sequence[str],
    *,
    allow_errors: bool = False,
    fail_on: Severity = Severity.ERROR,
    loader: GateLoader = load_gate,
    progress: Progress | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> BarrierResult:
    """Run `gates` in order; `overrides` are per-gate keys from flags, winning over the config."""
    progress = progress or NullProgress()
    overrides = overrides or {}

    def one(name: str) -> Report:
        return apply_fail_on(run_one(name, ctx, loader, progress, overrides.get(name, {})), fail_on)

    shared = [name for name in gates if name not in EXCLUSIVE]
    with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(shared)))) as pool:
        by_name = dict(zip(shared, pool.map(one, shared), strict=True))
    # Load tests run alone, after the rest: concurrent gates would skew the latencies they measure.
    by_name.update({name: one(name) for name in gates if name in EXCLUSIVE})
    reports = tuple(by_name[name] for name in gates)
    code = combine_exit_codes(report.exit_code for report in reports)
    notes = list(_notes(reports))
    if code == EXIT_CANNOT_EVALUATE and allow_errors:
        unchecked = [r.gate for r in reports if r.exit_code == EXIT_CANNOT_EVALUATE]
        notes.append(f"--allow-errors: {', '.join(unchecked)} could not check; passing anyway")
        code = EXIT_PASS
    return BarrierResult(ctx.stage or "", reports, code, tuple(notes))


def run_one(name: str, ctx: GateContext, loader: GateLoader, progress: Progress,
            override: Mapping[str, Any] | None = None) -> Report:
    started = time.perf_counter()
    module = loader(name)
    if module is None:
        return _single(name, Status.SKIPPED, "not available in this version of launch-gates", started)
    section = ctx.config.section(name)  # a ConfigError stops the whole run: exit 2
    try:
        options = module.options_from_config({**section.data, **(override or {})}, ctx)
        report = module.run(options, progress)
    except NotConfigured as exc:
        return _single(name, Status.SKIPPED, exc.message, started)
    except CannotEvaluate as exc:
        return _single(name, Status.ERROR, exc.message, started, secrets=section.secrets)
    except (ConfigError, UsageError):
        raise  # the user's words are off: the whole run stops with exit 2
    except Exception as exc:  # a crash in one gate must not pass, nor hide the others' results
        detail = traceback.format_exc() if ctx.debug else ""
        return _single(name, Status.ERROR, f"internal error: {type(exc).__name__}: {exc}", started,
                       output=detail, secrets=section.secrets)
    return replace(report, secrets=report.secrets | section.secrets)


def _single(gate: str, status: Status, message: str, started: float, output: str = "",
            secrets: frozenset[str] = frozenset()) -> Report:
    elapsed = time.perf_counter() - started
    check = Check(gate, status, elapsed, message=message, output=output, group="gate")
    return Report(gate, (check,), elapsed, secrets=secrets)


def _notes(reports: Sequence[Report]) -> list[str]:
    ran = [r.gate for r in reports if r.status is not Status.SKIPPED]
    skipped = [r.gate for r in reports if r.status is Status.SKIPPED]
    notes = [f"ran: {', '.join(ran) or 'none'}"]
    if skipped:
        notes.append(f"skipped: {', '.join(skipped)}")
    if not ran:
        notes.append("nothing was checked: configure the skipped gates (see `gates init`)")
    return notes
