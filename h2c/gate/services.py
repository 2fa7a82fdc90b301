"""The app's processes in the gate: the release, then web and the others, and waits on them.

Plain functions over the engine's containers (``h2c.adapters.contracts``). ``bring_up`` runs
on a background thread as soon as the image is built (``h2c.gate.fixtures``), so the image
checks run meanwhile; each process records when it started, so the settle time runs alongside
the other checks too.
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
from h2c.adapters.polling import has_stopped, wait_stopped, wait_until
from h2c.artifacts.app import GateApp
from h2c.gate.settings import GateSettings
from h2c.runplan.argv import command_args, shell_args
from h2c.runplan.env import Database
from h2c.runplan.plan import container_envs
from h2c.secret import Secret
from h2c.verdicts import ports
from h2c.verdicts.process import log_tail

GRACE_S = 30  # Convox's termination grace
LISTEN_GRACE_S = 8.0  # how long an app may listen on the wrong address before we say so
POLL_S = 0.2
EXIT_POLL_S = 0.05  # a state query to the engine; the release's end is on the gate's longest path
ANSWERED = ""  # what wait_web's check gives once web answered (every other outcome says why not)


@dataclass(frozen=True)
class ReleaseOutcome:
    command: list[str]
    exit_code: int | None  # None: still running at the deadline
    log_tail: str


@dataclass
class Running:
    """A started service: its container, the URL base on the host, and how start-up went."""

    service: str
    container: Container
    port: int | None
    base_url: str | None = None
    startup_error: str | None = None
    started_at: float = field(default_factory=time.monotonic)  # once the engine started it


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
    container = engine.run(image, command=args, env=env, network=network)
    finished = wait_exit(container, config.release_timeout_s, stop)
    code = container.exit_code() if finished else None
    return ReleaseOutcome(args, code, log_tail(container.logs()))


def start(
    engine: Engine,
    image: str,
    network: Attachable,
    name: str,
    service: Mapping[str, Any],
    env: Mapping[str, Secret],
    port: int | None = None,
) -> Running:
    """Start one service's container (its convox.yml command, else the image's CMD)."""
    container = engine.run(
        image,
        command=command_args(service.get("command")),
        env=env,
        port=port,
        network=network,
    )
    running = Running(name, container, port)
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
            env.get(config.web, {}), config.port,
        )  # fmt: skip
        starts = {
            process: pool.submit(
                start, engine, image, network, name, app.services[name] or {}, env.get(name, {})
            )
            for process, name in names.items()
        }
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
    return Services(release, web, others)


def settle(process: Running, seconds: float) -> None:
    """Sleep what is left of ``seconds`` since the process started (nothing when it has passed)."""
    left = process.started_at + seconds - time.monotonic()
    if left > 0:
        time.sleep(left)


class Stopped(NamedTuple):
    """How one process took SIGTERM: its state before, the time it took, its exit code."""

    status_before: str
    seconds: float
    exit_code: int | None


def stop_all(processes: Mapping[str, Running], grace_s: int = GRACE_S) -> dict[str, Stopped]:
    """Send each running process the stop signal at once (each is killed after ``grace_s``)."""

    def stop_one(process: Running) -> Stopped:
        status = str(process.container.status())
        if status != "running":
            return Stopped(status, 0.0, process.container.exit_code())
        seconds, code = process.container.stop(grace_s)
        return Stopped(status, seconds, code)

    if not processes:
        return {}
    with ThreadPoolExecutor(max_workers=len(processes)) as pool:
        futures = {name: pool.submit(stop_one, process) for name, process in processes.items()}
    return {name: future.result() for name, future in futures.items()}
