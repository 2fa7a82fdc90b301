"""The app's processes in the gate: the release, then web and the others, and waits on them.

Plain functions over the engine's containers (``h2c.adapters.contracts``). ``bring_up`` runs
on a background thread as soon as the image is built (``h2c.gate.fixtures``), so the image
checks run meanwhile; each process records when it started, so the settle time runs alongside
the other checks too.

Each process runs as Convox runs its service (``h2c.artifacts.convox_yml.service_run``): an
init process unless ``init: false``, its memory limit as a hard limit, its termination grace
as the stop timeout; web's ``health`` is probed as Kubernetes' readinessProbe would
(``h2c.gate.readiness``). Settling and stopping them: ``h2c.gate.stops``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from h2c.adapters.contracts import Attachable, Container, Engine
from h2c.adapters.docker_types import ContainerState
from h2c.adapters.polling import wait_stopped
from h2c.artifacts.app import GateApp
from h2c.artifacts.convox_yml import ServiceRun
from h2c.gate.readiness import exited, listeners, probe_readiness, wait_web
from h2c.gate.settings import GateSettings
from h2c.runplan.argv import command_args, shell_args
from h2c.runplan.env import Database
from h2c.runplan.plan import container_envs
from h2c.secret import Secret
from h2c.verdicts.http import Readiness
from h2c.verdicts.process import log_tail

EXIT_POLL_S = 0.05  # a state query to the engine; the release's end is on the gate's longest path


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
