"""Whether web is up: it answers below 500 (else why not: it exited, it listens on the wrong
address, silence), and its convox.yml ``health`` probed as Kubernetes' readinessProbe would.

Plain functions over the engine's containers (``h2c.adapters.contracts``); ``h2c.gate.services``
calls them once web has started, ``h2c.gate.compose`` for the compose run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from h2c.adapters import http as probes
from h2c.adapters.contracts import Container
from h2c.adapters.polling import has_stopped, wait_until
from h2c.artifacts.convox_yml import Health
from h2c.verdicts import ports
from h2c.verdicts.http import HttpResult, Readiness, probe_host

if TYPE_CHECKING:
    from h2c.gate.services import Running

LISTEN_GRACE_S = 8.0  # how long an app may listen on the wrong address before we say so
POLL_S = 0.2
ANSWERED = ""  # what wait_web's check gives once web answered (every other outcome says why not)
EARLY_PROBE_S = 0.25


def listeners(container: Container) -> list[tuple[str, int]]:
    """The container's listening TCP sockets (from /proc: no ss or netstat needed)."""
    try:
        _, text = container.exec(ports.LISTENERS_ARGS)
    except Exception:  # the container stopped meanwhile: it listens on nothing
        return []
    return ports.parse_listeners(text)


def exited(container: Container) -> Callable[[], str | None]:
    """A check for ``wait_web``: why the container is gone, or None while it runs."""

    def check() -> str | None:
        if has_stopped(container):
            return f"the container exited with code {container.exit_code()}"
        return None

    return check


def wait_web(
    url: str,
    port: int,
    deadline_s: float,
    exited: Callable[[], str | None],
    listening: Callable[[], list[tuple[str, int]]],
    stop: threading.Event | None = None,
) -> str | None:
    """Wait until ``url`` answers below 500; else say why not (exited, wrong bind, silence)."""
    started = time.monotonic()

    def check() -> str | None:
        gone = exited()
        if gone:
            return gone
        result = probes.http_probe(url, timeout_s=3)
        if result.status is not None and result.status < 500:
            return ANSWERED
        if time.monotonic() - started > LISTEN_GRACE_S:
            found = listening()
            return (ports.listen_verdict(found, port) if found else None) or None
        return None

    why_not = wait_until(
        check,
        deadline_s=deadline_s,
        interval_s=POLL_S,
        on_timeout=lambda: f"no answer below 500 within {deadline_s:g} s",
        stop=stop,
        on_stop=lambda: "the gate stopped before web answered",
    )
    return why_not or None


def probe_readiness(
    web: Running, health: Health, network: str, stop: threading.Event | None = None
) -> Readiness:
    """Probe ``health`` as Kubernetes' readinessProbe does, recording it on ``web``.

    Failures count from ``grace`` seconds after the start (a success before that is taken at
    once: see ``_ready_before_grace``), then one GET every ``interval``, each given
    ``timeout``; to the container's IP and port on the gate's network with ``Host: <ip>:<port>``
    (through the loopback port, same Host, when the host cannot reach that network); no
    redirect followed. The first 200-399 makes it ready, three failures in a row before that
    do not.
    """
    tally = web.readiness = Readiness(health.path)
    ip, port = web.container.ip(network), web.port or 0
    web.probe_host = probe_host(ip, port)
    base = str(web.base_url)
    if web.probe_host and probes.tcp_open(str(ip), port):
        base = f"http://{web.probe_host}"

    def probe() -> HttpResult:
        return probes.http_probe(
            base + health.path, timeout_s=health.timeout_s, host=web.probe_host
        )

    if _ready_before_grace(web, health, probe, tally, stop) or (stop and stop.is_set()):
        return tally

    def check() -> bool | None:
        if has_stopped(web.container):
            code = web.container.exit_code()
            return tally.record(HttpResult(None, 0.0, f"the container exited with code {code}"))
        return tally.record(probe())

    rounds = tally.threshold + 1
    wait_until(
        check,
        deadline_s=rounds * (health.interval_s + health.timeout_s),
        interval_s=health.interval_s,
        on_timeout=lambda: False,
        stop=stop,
    )
    return tally


def _ready_before_grace(
    web: Running,
    health: Health,
    probe: Callable[[], HttpResult],
    tally: Readiness,
    stop: threading.Event | None,
) -> bool:
    """Whether web already answers as ready before the grace ends.

    Kubernetes sends its first probe at the end of the grace; an app that answers 200-399
    sooner would pass that probe too (and if it dies meanwhile, the stays-up check says so),
    so the gate asks early, at a quick pace, and only counts failures once the grace is over.
    """
    left = web.started_at + health.grace_s - time.monotonic()
    if left <= 0:
        return False

    def early() -> bool | None:
        if has_stopped(web.container):
            return False
        result = probe()
        return tally.record(result) if result.ready else None

    return wait_until(
        early,
        deadline_s=left,
        interval_s=EARLY_PROBE_S,
        on_timeout=lambda: False,
        stop=stop,
        on_stop=lambda: False,
    )
