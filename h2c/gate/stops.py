"""The end of the app's processes in the gate: each given what is left of its settle time, then
stopped all at once as Convox stops them (SIGTERM, killed after the termination grace)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, NamedTuple

from h2c.adapters.docker_types import ContainerState
from h2c.artifacts.convox_yml import DEFAULT_GRACE_S

if TYPE_CHECKING:
    from h2c.gate.services import Running

GRACE_S = DEFAULT_GRACE_S  # Convox's termination grace when convox.yml sets none


def settle(process: Running, seconds: float) -> None:
    """Sleep what is left of ``seconds`` since the process started (nothing when it has passed)."""
    left = process.started_at + seconds - time.monotonic()
    if left > 0:
        time.sleep(left)


class Stopped(NamedTuple):
    """How one process took SIGTERM: its state before, the time it took, its exit code, and
    the engine's record right before the stop (None when it was not stopped)."""

    status_before: str
    seconds: float
    exit_code: int | None
    before: ContainerState | None = None
    grace_s: int = GRACE_S


def stop_all(
    processes: Mapping[str, Running], grace_s: int | None = None, *, signal: bool = True
) -> dict[str, Stopped]:
    """Look at each process right before its stop, then (``signal``) send it the stop signal,
    all at once; each is killed after its own termination grace (or ``grace_s``)."""

    def stop_one(process: Running) -> Stopped:
        grace = grace_s if grace_s is not None else process.run.grace_s
        before = process.container.state()
        if not before.running or not signal:
            return Stopped(before.status, 0.0, before.exit_code, before, grace)
        seconds, code = process.container.stop(grace)
        return Stopped(before.status, seconds, code, before, grace)

    if not processes:
        return {}
    with ThreadPoolExecutor(max_workers=len(processes)) as pool:
        futures = {name: pool.submit(stop_one, process) for name, process in processes.items()}
    return {name: future.result() for name, future in futures.items()}
