"""Every wait of h2c, written once: poll a check until it gives a value, time runs out or the
session ends.

A container's readiness, a release's end, a resource accepting clients, web's first answer:
each is ``wait_until`` with its own check, interval and deadline. The intervals were tuned per
wait (bench/README.md), so every caller passes its own. Docker-free: containers are anything
shaped like ``h2c.adapters.contracts.Watched``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from h2c.adapters.contracts import Container, Watched
from h2c.adapters.docker_types import LOG_TAIL, ContainerExited, NotReady

T = TypeVar("T")
STOPPED = frozenset({"exited", "dead"})  # the engine's states of a container that has ended


def pause(stop: threading.Event | None, seconds: float) -> bool:
    """Sleep ``seconds``, or less when ``stop`` is set meanwhile; True when it was set."""
    if stop is None:
        time.sleep(seconds)
        return False
    return stop.wait(seconds)


def wait_until(
    check: Callable[[], T | None],
    *,
    deadline_s: float,
    interval_s: float,
    on_timeout: Callable[[], T],
    stop: threading.Event | None = None,
    on_stop: Callable[[], T] | None = None,
) -> T:
    """The first value of ``check()`` that is not None, asked every ``interval_s``.

    The check runs at least once, and once more after the deadline passed during a pause;
    then ``on_timeout()`` gives the value, or raises. ``stop`` set during a pause ends the wait
    with ``on_stop()`` (default ``on_timeout()``), so a session's end never waits a deadline out.
    An exception raised by ``check`` ends the wait with it.

    >>> answers = iter([None, None, "ready"])
    >>> wait_until(lambda: next(answers), deadline_s=5, interval_s=0, on_timeout=lambda: "late")
    'ready'
    >>> wait_until(lambda: None, deadline_s=0, interval_s=0, on_timeout=lambda: "late")
    'late'
    >>> stopped = threading.Event()
    >>> stopped.set()
    >>> wait_until(lambda: None, deadline_s=60, interval_s=1, on_timeout=lambda: "late",
    ...            stop=stopped, on_stop=lambda: "stopped")
    'stopped'
    """
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value is not None:
            return value
        if time.monotonic() >= deadline:
            return on_timeout()
        if pause(stop, interval_s):
            return (on_stop or on_timeout)()


def has_stopped(container: Watched) -> bool:
    """Whether the container has ended (exited, or dead when the engine could not stop it)."""
    return str(container.status()) in STOPPED


def wait_stopped(
    container: Watched, *, deadline_s: float, interval_s: float, stop: threading.Event | None = None
) -> bool:
    """Wait for a container to end on its own; False when it still runs at the deadline."""
    return wait_until(
        lambda: True if has_stopped(container) else None,
        deadline_s=deadline_s,
        interval_s=interval_s,
        on_timeout=lambda: False,
        stop=stop,
    )


def wait_command(
    container: Container,
    args: Sequence[str],
    *,
    deadline_s: float,
    interval_s: float,
    stop: threading.Event | None = None,
) -> bool:
    """Run ``args`` in the container until it exits 0; False when the container ended first,
    time ran out or ``stop`` was set."""

    def check() -> bool | None:
        if has_stopped(container):
            return False
        return True if container.exec(list(args))[0] == 0 else None

    return wait_until(
        check, deadline_s=deadline_s, interval_s=interval_s, on_timeout=lambda: False, stop=stop
    )


def wait_ready(
    container: Watched,
    *,
    port_check: Callable[[], bool],
    deadline_s: float,
    interval_s: float = 0.25,
) -> None:
    """Poll until ``port_check`` passes (its exceptions count as not yet); raise
    ``ContainerExited`` as soon as the container ends, ``NotReady`` at the deadline."""

    def check() -> bool | None:
        if has_stopped(container):
            code = container.exit_code()
            tail = container.logs(tail=LOG_TAIL)
            raise ContainerExited(
                f"container {container.name} exited with code {code} before it was ready; "
                f"last log lines:\n{tail}",
                container_exit_code=code,
                log_tail=tail,
            )
        with contextlib.suppress(Exception):
            if port_check():
                return True
        return None

    def late() -> bool:
        tail = container.logs(tail=LOG_TAIL)
        raise NotReady(
            f"container {container.name} did not become ready within {deadline_s:g} s; "
            f"last log lines:\n{tail}",
            log_tail=tail,
        )

    wait_until(check, deadline_s=deadline_s, interval_s=interval_s, on_timeout=late)
