"""The compose phase of the gate: docker-compose.yml brings up the app and its resources.

``bring_up`` runs on a background thread once the image is built and the app's own processes
have started (``h2c.gate.fixtures``), while they settle: ``up -d`` web (its resources were
brought up while the image built), wait until the resources accept clients, the release inside
web's container, then wait for web. The containers' state, ports and readiness come from the
engine (by the compose labels), not from ``docker-compose ps``/``port``/``exec``: each
docker-compose 1.29 call costs about a second.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from h2c.adapters.compose import ComposeProject
from h2c.adapters.contracts import Container, Engine
from h2c.adapters.polling import wait_until
from h2c.artifacts.app import GateApp
from h2c.gate.readiness import listeners, wait_web
from h2c.gate.resources import STARTUP_S, ready_args, wait_accepting
from h2c.gate.settings import GateSettings
from h2c.runplan.compose import compose_for_gate
from h2c.verdicts.process import log_tail

PROJECT_LABEL = "com.docker.compose.project"  # on every container and network compose makes
EXEC_JOIN_S = 0.2  # how long each look at the release's exec waits for it to end


@dataclass
class ComposeRun:
    """The compose project the gate brought up, and what happened."""

    up_rc: int
    up_output: str
    base_url: str | None
    web: str
    startup_error: str | None = None


def resource_services(app: GateApp) -> dict[str, str]:
    """Compose services named after a convox.yml resource -> the resource's type."""
    services = (app.compose or {}).get("services") or {}
    return {
        name: str((spec or {}).get("type", ""))
        for name, spec in sorted(app.resources.items())
        if name in services
    }


def write_project(app: GateApp, folder: Path, image: str) -> ComposeProject:
    """A loopback-only copy of the app's compose file, using the gate's image for the app."""
    import yaml

    rewritten = compose_for_gate(app.compose or {}, app.dir, image=image)
    path = folder / "docker-compose.gate.yml"
    path.write_text(yaml.safe_dump(rewritten, sort_keys=False), encoding="utf-8")
    return ComposeProject(path, f"h2cgate{os.getpid()}", app.dir, app.app_env)


def service_container(engine: Engine, project: ComposeProject, service: str) -> Container | None:
    """The (not one-off) container of a compose service, through the engine."""
    labels = {
        PROJECT_LABEL: project.project,
        "com.docker.compose.service": service,
        "com.docker.compose.oneoff": "False",
    }
    found = engine.find_containers(labels)
    return found[0] if found else None


def wait_resources(project: ComposeProject, engine: Engine, app: GateApp,
                   stop: threading.Event | None = None) -> str | None:  # fmt: skip
    """Wait until each compose service named after a resource accepts clients; else say which."""
    for name, kind in resource_services(app).items():
        container = service_container(engine, project, name)
        if container is None or not wait_accepting(container, ready_args(kind), STARTUP_S, stop):
            state = "no container" if container is None else container.status()
            return (
                f"compose resource {name} did not accept clients within {STARTUP_S:g} s ({state})"
            )
    return None


def exec_release(
    container: Container, args: list[str], timeout_s: float, stop: threading.Event | None = None
) -> tuple[int, str]:
    """The release inside the running web container, as ``docker-compose exec web ...`` would.

    Through the engine: a docker-compose call costs a second of start-up, and ``run`` a
    container of its own. The engine's exec has no deadline, so it runs on a thread that the
    session's teardown ends (it removes the container).
    """
    result: list[tuple[int, str]] = []
    worker = threading.Thread(target=lambda: result.append(container.exec(args)), daemon=True)
    worker.start()

    def finished() -> tuple[int, str] | None:
        worker.join(EXEC_JOIN_S)  # the pause between looks, cut short when the exec ends
        if worker.is_alive():
            return None
        return result[0] if result else (1, "(the exec failed without output)")

    return wait_until(
        finished,
        deadline_s=timeout_s,
        interval_s=0,
        on_timeout=lambda: (124, f"(stopped after {timeout_s:g} s or at the end of the session)"),
        stop=stop,
    )


def bring_up(
    project: ComposeProject,
    engine: Engine,
    app: GateApp,
    config: GateSettings,
    after: Callable[[], object] = lambda: None,
    stop: threading.Event | None = None,
) -> ComposeRun:
    """As a developer would: ``up -d`` web (its resources are up already), the release with
    ``exec`` in web's container, then browse.

    ``after`` is waited for first: the ``up`` of the resources, and the gate's own release and
    processes, so that they do not share the CPU with this second release (two cores here).
    """
    after()
    web = config.web
    up = project.up(web)
    container = service_container(engine, project, web) if up.rc == 0 else None
    host_port = container.published_port(config.port) if container and config.port else None
    base = f"http://127.0.0.1:{host_port}" if host_port else None
    run = ComposeRun(up.rc, log_tail(up.output), base, web)
    if base is None or container is None:
        return run
    run.startup_error = wait_resources(project, engine, app, stop)  # the release needs them
    if config.release_args and run.startup_error is None:
        rc, output = exec_release(container, config.release_args, config.release_timeout_s, stop)
        if rc != 0:
            run.startup_error = (
                f"the release command failed in compose's {web} container (rc {rc}):\n"
                + log_tail(output)
            )
    if config.port and run.startup_error is None:
        run.startup_error = wait_web(
            base + config.health_path,
            config.port,
            config.startup_s,
            lambda: None if container.status() == "running" else f"compose service {web} exited",
            lambda: listeners(container),
            stop,
        )
    return run
