"""The app's processes in the gate: the release, then web and the others, and waits on them.

Plain functions over the engine's containers (``h2c.adapters.contracts``). ``bring_up`` runs
on a background thread as soon as the image is built (``h2c.gate.fixtures``), so the image
checks run meanwhile; each process records when it started, so the settle time runs alongside
the other checks too.

Each process runs as Convox runs its service (``h2c.artifacts.convox_yml.service_run``): an
init process unless ``init: false``, its memory limit as a hard limit, its termination grace
as the stop timeout; web's ``health`` is probed as Kubernetes' readinessProbe would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from h2c.adapters import http as probes
from h2c.adapters.contracts import Attachable, Container, Engine
from h2c.adapters.docker_types import ContainerState
from h2c.adapters.polling import has_stopped, wait_stopped, wait_until
from h2c.artifacts.app import GateApp
from h2c.artifacts.convox_yml import DEFAULT_GRACE_S, Health, ServiceRun
from h2c.gate.settings import GateSettings
from h2c.runplan.argv import command_args, shell_args
from h2c.runplan.env import Database
from h2c.runplan.plan import container_envs
from h2c.secret import Secret
from h2c.verdicts import ports
from h2c.verdicts.http import HttpResult, Readiness, probe_host
from h2c.verdicts.process import log_tail

GRACE_S = DEFAULT_GRACE_S  # Convox's termination grace when convox.yml sets none
LISTEN_GRACE_S = 8.0  # how long an app may listen on the wrong address before we say so
POLL_S = 0.2
EXIT_POLL_S = 0.05  # a state query to the engine; the release's end is on the gate's longest path
ANSWERED = ""  # what wait_web's check gives once web answered (every other outcome says why not)


@dataclass(frozen=True)
class ReleaseOutcome:
    command: list[str]
    exit_code: int | None  # None: still running at the deadline
    log_tail: str
    timeout_s: float = 0.0  # how long it was given
    source: str = ""  # the release command as written (h2c.toml or the Procfile)


@dataclass
class Running:
    """A started service: its container, the URL base on the host, and how start-up went."""

    service: str
    container: Container
    port: int | None
    base_url: str | None = None
    startup_error: str | None = None
    started_at: float = field(default_factory=time.monotonic)  # once the engine started it
    run: ServiceRun = field(default_factory=ServiceRun)  # how Convox runs it
    first: ContainerState | None = None  # the engine's record right after the start
    readiness: Readiness | None = None  # web's readiness probe (None: not probed)
    probe_host: str | None = None  # the Host header the readiness probe sent


@dataclass
class Services:
    """What ``bring_up`` started: the release's outcome, web, and the other processes."""

    release: ReleaseOutcome | None
    web: Running
    others: dict[str, Running]  # Procfile name -> process


def wait_exit(container: Container, deadline_s: float, stop: threading.Event | None = None) -> bool:
    """Wait for a container to stop on its own; False when it is still running at the deadline."""
    return wait_stopped(container, deadline_s=deadline_s, interval_s=EXIT_POLL_S, stop=stop)


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


def env_for(app: GateApp, resources: Mapping[str, Database]) -> dict[str, dict[str, Secret]]:
    """Service name -> the env its container gets, as Convox composes it (app env, defaults,
    resources or their overlays, PORT and system vars): ``h2c check --plan`` shows the same."""
    envs = container_envs(app, resources)
    return {name: {k: e.value for k, e in env.items()} for name, env in envs.items()}


def run_release(
    engine: Engine,
    image: str,
    network: Attachable,
    env: Mapping[str, Secret],
    config: GateSettings,
    stop: threading.Event | None = None,
) -> ReleaseOutcome | None:
    """Run the release command once, in the image, against the target resources."""
    if config.release_command is None:
        return None
    args = shell_args(config.release_command)
    run = config.run_of(config.web)  # `convox run web ...`: web's init and memory limit
    container = engine.run(
        image, command=args, env=env, network=network, init=run.init, memory_mb=run.memory_mb
    )
    finished = wait_exit(container, config.release_timeout_s, stop)
    code = container.exit_code() if finished else None
    tail = log_tail(container.logs())
    if not finished:
        container.stop(0)  # Heroku ends a release at its timeout, too
    return ReleaseOutcome(args, code, tail, config.release_timeout_s, config.release_command)


def start(
    engine: Engine,
    image: str,
    network: Attachable,
    name: str,
    service: Mapping[str, Any],
    env: Mapping[str, Secret],
    port: int | None = None,
    run: ServiceRun | None = None,
) -> Running:
    """Start one service's container (its convox.yml command, else the image's CMD), with
    Convox's init process and memory limit."""
    run = run or ServiceRun()
    container = engine.run(
        image,
        command=command_args(service.get("command")),
        env=env,
        port=port,
        network=network,
        init=run.init,
        memory_mb=run.memory_mb,
    )
    running = Running(name, container, port, run=run)
    running.first = container.state()
    if port is not None:
        running.base_url = f"http://127.0.0.1:{container.host_port}"
    return running


def bring_up(
    app: GateApp,
    engine: Engine,
    image: str,
    network: Attachable,
    env: Mapping[str, Mapping[str, Secret]],
    config: GateSettings,
    stop: threading.Event | None = None,
    started: threading.Event | None = None,
) -> Services:
    """As on a release: the release command, then web and every other process, together.

    Start-up trouble is recorded, not raised: the checks say what went wrong, by name.
    ``started`` is set once every process has started, before web is waited for.
    """
    web_env = env.get(config.web) or next(iter(env.values()), {})
    release = run_release(engine, image, network, web_env, config, stop)
    named = app.service_names
    names = {p: n for p, n in named.items() if n != config.web and n in app.services}
    with ThreadPoolExecutor(max_workers=len(names) + 1) as pool:  # together, as on a release
        web_start = pool.submit(
            start, engine, image, network, config.web, app.services.get(config.web) or {},
            env.get(config.web, {}), config.port, config.run_of(config.web),
        )  # fmt: skip
        starts = {
            process: pool.submit(
                start, engine, image, network, name, app.services[name] or {},
                env.get(name, {}), None, config.run_of(name),
            )
            for process, name in names.items()
        }  # fmt: skip
    web = web_start.result()
    web.base_url = f"http://127.0.0.1:{web.container.host_port}"
    others = {process: future.result() for process, future in starts.items()}
    if started is not None:
        started.set()
    web.startup_error = wait_web(
        f"{web.base_url}{config.health_path}",
        config.port or 0,
        config.startup_s,
        exited(web.container),
        lambda: listeners(web.container),
        stop,
    )
    if web.startup_error is None and config.health is not None:
        probe_readiness(web, config.health, network.name, stop)
    return Services(release, web, others)


def probe_readiness(
    web: Running, health: Health, network: str, stop: threading.Event | None = None
) -> Readiness:
    """Probe ``health`` as Kubernetes' readinessProbe does, recording it on ``web``.

    The first GET ``grace`` seconds after the start, then one every ``interval``, each given
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
    if _ready_before_grace(web, health, base, tally, stop) or (stop and stop.is_set()):
        return tally

    def check() -> bool | None:
        if has_stopped(web.container):
            code = web.container.exit_code()
            return tally.record(HttpResult(None, 0.0, f"the container exited with code {code}"))
        result = probes.http_probe(
            base + health.path, timeout_s=health.timeout_s, host=web.probe_host
        )
        return tally.record(result)

    rounds = tally.threshold + 1
    wait_until(
        check,
        deadline_s=rounds * (health.interval_s + health.timeout_s),
        interval_s=health.interval_s,
        on_timeout=lambda: False,
        stop=stop,
    )
    return tally


EARLY_PROBE_S = 0.25


def _ready_before_grace(
    web: Running, health: Health, base: str, tally: Readiness, stop: threading.Event | None
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
        result = probes.http_probe(
            base + health.path, timeout_s=health.timeout_s, host=web.probe_host
        )
        return tally.record(result) if result.ready else None

    return wait_until(
        early,
        deadline_s=left,
        interval_s=EARLY_PROBE_S,
        on_timeout=lambda: False,
        stop=stop,
        on_stop=lambda: False,
    )


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
