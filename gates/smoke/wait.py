"""--wait: poll the health check until the new deploy answers; if it never does, the deploy failed."""

from __future__ import annotations

import asyncio
import time

import httpx

from gates.common.http import build_async_client, classify
from gates.progress import Progress
from gates.report import Check, Finding, Status
from gates.smoke.options import HEALTH_PATHS, Options

POLL_EVERY = 1.0  # seconds between polls (shorter when the whole wait is short)


def _candidates(options: Options) -> tuple[str, ...]:
    return (options.health,) if options.health else (*HEALTH_PATHS, "/")


async def _poll(client: httpx.AsyncClient, paths: tuple[str, ...]) -> tuple[bool, str]:
    """(ready, what was seen). A refused connection ends the poll: the other paths would be refused too."""
    seen = []
    for path in paths:
        try:
            async with client.stream("GET", path) as response:
                pass  # the status is the answer: a homepage is not downloaded every poll
        except httpx.HTTPError as exc:
            return False, f"{path}: {classify(exc).message}"
        healthy = response.status_code < 300 or (path == "/" and response.status_code < 400)
        if healthy:
            return True, f"{path}: status {response.status_code}"
        seen.append(f"{path}: status {response.status_code}")
    return False, "; ".join(seen)


async def wait_until_ready(options: Options, progress: Progress) -> Check:
    paths = _candidates(options)
    task = progress.task(f"Waiting for {options.base_url} to come up", total=options.wait)
    started = time.perf_counter()
    deadline = started + options.wait
    every = min(POLL_EVERY, max(options.wait / 20, 0.05))
    polls = 0
    async with build_async_client(options.client) as client:
        while True:
            polls += 1
            ready, seen = await _poll(client, paths)
            waited = time.perf_counter() - started
            task.update(description=f"Waiting for {options.base_url} ({seen})")
            if ready:
                return Check("wait for ready", Status.PASSED, waited, group="wait",
                             properties={"waited_s": round(waited, 2), "polls": polls},
                             message=f"up after {waited:.1f} s ({polls} polls): {seen}")
            if time.perf_counter() + every > deadline:
                break
            await asyncio.sleep(every)
            task.advance(every)
    message = f"deploy did not come up within {options.wait:g} s ({polls} polls); last: {seen}"
    return Check("wait for ready", Status.FAILED, waited, group="wait",
                 findings=(Finding("not-ready", message),),
                 properties={"waited_s": round(waited, 2), "polls": polls}, message=message)
