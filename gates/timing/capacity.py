"""The capacity finder (`ramp`): step the users up, stop at the first step where a budget breaks."""

from __future__ import annotations

from gates.report import Check, Status
from gates.timing.engine import LoadResult

Step = tuple[LoadResult, tuple[Check, ...]]


def broke(checks: tuple[Check, ...]) -> bool:
    return any(check.status is not Status.PASSED for check in checks)


def chosen(steps: list[Step]) -> Step:
    """The highest step that held (or the first step, when even that one broke): its route checks count."""
    held = [step for step in steps if not broke(step[1])]
    return held[-1] if held else steps[0]


def capacity_check(ramp: tuple[int, ...], steps: list[Step]) -> Check:
    """Informational while some step held; when even the first step broke, it carries that step's status."""
    held = [result.users for result, checks in steps if not broke(checks)]
    props: dict[str, int | float | str | bool] = {"max_users_held": held[-1] if held else 0,
                                                  "steps": ",".join(str(s) for s in ramp)}
    last_result, last_checks = steps[-1]
    if not broke(last_checks):
        return Check("capacity", Status.PASSED, 0.0, (), props, group="capacity",
                     message=f"every budget held up to the top step, {last_result.users} users")
    first = next(check for check in last_checks if check.status is not Status.PASSED)
    props["broke_at_users"] = last_result.users
    props["first_break"] = first.name
    where = f"held up to {held[-1]} users" if held else "no step held"
    return Check("capacity", Status.PASSED if held else first.status, 0.0, (), props, group="capacity",
                 message=f"{where}; at {last_result.users} users {first.name} broke first: {first.summary}")
