"""Wait for a started container to answer: poll a probe, fail early if the container exits.

Docker-free: ``wait_ready`` works on anything shaped like a running container, and the probes
only open a socket or send one HTTP request to a loopback port.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable
from typing import Protocol

import requests

from h2c.adapters.docker_types import LOG_TAIL, ContainerExited, NotReady


class Watched(Protocol):
    """The part of a running container that ``wait_ready`` looks at."""

    name: str

    def status(self) -> str: ...

    def exit_code(self) -> int | None: ...

    def logs(self, tail: int | str = "all") -> str: ...


def wait_ready(
    container: Watched,
    *,
    port_check: Callable[[], bool],
    deadline_s: float,
    interval_s: float = 0.25,
) -> None:
    """Poll until ``port_check`` passes; fail early and clearly if the container exits."""
    deadline = time.monotonic() + deadline_s
    while True:
        if container.status() in ("exited", "dead"):
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
                return
        if time.monotonic() >= deadline:
            tail = container.logs(tail=LOG_TAIL)
            raise NotReady(
                f"container {container.name} did not become ready within {deadline_s:g} s; "
                f"last log lines:\n{tail}",
                log_tail=tail,
            )
        time.sleep(interval_s)


def http_ready(url: str, timeout_s: float = 2.0) -> Callable[[], bool]:
    """A readiness probe: any HTTP answer below 500 counts as ready."""

    def check() -> bool:
        try:
            return requests.get(url, timeout=timeout_s, allow_redirects=False).status_code < 500
        except requests.RequestException:
            return False

    return check


def tcp_ready(host: str, port: int, timeout_s: float = 1.0) -> Callable[[], bool]:
    """A readiness probe: the port accepts a TCP connection that stays open.

    Docker's userland proxy accepts on the published port even before the app listens, then
    closes the connection at once; so an immediate end of stream counts as not ready.
    """

    def check() -> bool:
        try:
            with socket.create_connection((host, port), timeout=timeout_s) as conn:
                conn.settimeout(0.3)
                try:
                    return conn.recv(1) != b""
                except TimeoutError:
                    return True
        except OSError:
            return False

    return check
