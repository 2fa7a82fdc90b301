"""Session fixtures of the gate: the app, the engine, the image, resources and running services.

Loaded by ``h2c.plugin`` (``config.pluginmanager.import_plugin``). Every container is started
through ``h2c.engine`` and removed when the session ends (``--h2c-keep`` keeps them).
Config values stay ``Secret`` until the moment they are handed to ``engine.run``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from h2c.errors import EnvironmentMissing
from h2c.gate import leaks, probes
from h2c.gate.settings import GateSettings, load_settings
from h2c.gate.target import Database, GateApp, load_target, service_env
from h2c.secret import Secret

RESOURCE_PORTS = {"postgres": 5432, "postgis": 5432, "mysql": 3306, "mariadb": 3306, "redis": 6379}
STARTUP_S = 90.0
GRACE_S = 30  # Convox's termination grace


def _path(value: str | None) -> Path | None:
    return Path(value).resolve() if value else None


def _wait_exit(container: Any, deadline_s: float) -> bool:
    """Wait for a container to stop on its own; False when it is still running at the deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if str(container.status()) in ("exited", "dead"):
            return True
        time.sleep(0.5)
    return False


@pytest.fixture(scope="session")
def gate_app(pytestconfig: pytest.Config) -> GateApp:
    """The app under test with its generated artifacts."""
    option = pytestconfig.option
    if not option.h2c_app:
        pytest.fail("no app to check: pass --h2c-app DIR", pytrace=False)
    return load_target(
        Path(option.h2c_app).resolve(),
        config=_path(option.h2c_config),
        addons=_path(option.h2c_addons),
        formation=_path(option.h2c_formation),
    )


@pytest.fixture(scope="session")
def gate_config(pytestconfig: pytest.Config, gate_app: GateApp) -> GateSettings:
    """The gate's settings: h2c.toml, then convox.yml, then ``--h2c-settle``."""
    return load_settings(gate_app, settle=pytestconfig.option.h2c_settle)


@pytest.fixture(scope="session")
def gate_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's scratch folder: build log, compose file."""
    return tmp_path_factory.mktemp("h2c-gate")


@pytest.fixture(scope="session")
def gate_engine(pytestconfig: pytest.Config) -> Iterator[Any]:
    """A connected engine; skips without one unless H2C_REQUIRE_ENGINE=1 (then it fails)."""
    from h2c.engine import Engine, install_cleanup_handlers

    try:
        engine = Engine.connect()
    except EnvironmentMissing as missing:
        if os.environ.get("H2C_REQUIRE_ENGINE") == "1":
            raise
        pytest.skip(f"no Docker engine: {missing}")
    if pytestconfig.option.h2c_keep:
        yield engine  # containers stay for debugging
        return
    install_cleanup_handlers(engine)  # a crash or SIGTERM still removes the containers
    with engine:
        yield engine


@dataclass(frozen=True)
class BuildOutcome:
    """The session's one build: a tag when it worked, else the failing step and log tail."""

    tag: str | None
    log_file: Path
    step: str | None = None
    log_tail: str = ""
    seconds: float = 0.0


@pytest.fixture(scope="session")
def gate_build(
    pytestconfig: pytest.Config, gate_app: GateApp, gate_engine: Any, gate_tmp: Path
) -> BuildOutcome:
    """Build the image once per session; the log goes to a file (and the terminal with -s)."""
    from h2c.engine import BuildFailed

    log_file = gate_tmp / "build.log"
    echo = pytestconfig.option.capture == "no"
    slug = re.sub(r"[^a-z0-9]+", "-", gate_app.dir.name.lower()).strip("-") or "app"
    tag = f"h2c-gate/{slug}:latest"  # stable: a rerun replaces it and reuses the layer cache
    started = time.monotonic()
    with log_file.open("w", encoding="utf-8") as log:

        def on_line(line: str) -> None:
            log.write(line.rstrip("\n") + "\n")
            if echo:
                print(line.rstrip("\n"), flush=True)

        try:
            gate_engine.build(gate_app.dir, dockerfile="Dockerfile", tag=tag, on_line=on_line)
        except BuildFailed as failed:
            tail = "\n".join(failed.log_tail)
            return BuildOutcome(None, log_file, failed.step, tail, time.monotonic() - started)
    return BuildOutcome(tag, log_file, seconds=time.monotonic() - started)


@pytest.fixture(scope="session")
def gate_image(gate_build: BuildOutcome) -> str:
    """The built image's tag; fails (naming the step) when the build did not work."""
    if gate_build.tag is None:
        pytest.fail(f"the image did not build (step: {gate_build.step})", pytrace=False)
    return gate_build.tag


@pytest.fixture(scope="session")
def gate_network(gate_engine: Any) -> Iterator[Any]:
    """A private network where the app's containers reach its resources by name."""
    with gate_engine.network("h2c-gate") as network:
        yield network


def ready_args(kind: str) -> list[str]:
    """A command, run inside a resource container, that exits 0 once it accepts clients.

    TCP on 127.0.0.1: the postgres entrypoint's init phase listens on its socket only.
    """
    if kind == "redis":
        return ["redis-cli", "ping"]
    return ["pg_isready", "-h", "127.0.0.1", "-p", str(RESOURCE_PORTS.get(kind, 5432))]


def _start_resource(engine: Any, network: Any, name: str, spec: dict[str, Any]) -> Database:
    kind = str(spec.get("type", ""))
    version = str((spec.get("options") or {}).get("version", "latest"))
    image = f"{kind}:{version}"
    if kind not in ("postgres", "postgis", "redis"):
        raise EnvironmentMissing(f"resource {name!r}: the gate cannot run type {kind!r}")
    if not engine.image_present(image):
        raise EnvironmentMissing(
            f"resource {name!r} needs the image {image}, which is not available locally"
        )
    scheme = "redis" if kind == "redis" else "postgres"
    db = Database.new(name, scheme, RESOURCE_PORTS[kind])
    env = (
        {}
        if kind == "redis"
        else {
            "POSTGRES_USER": Secret(db.user),
            "POSTGRES_PASSWORD": db.password,
            "POSTGRES_DB": Secret(db.name),
        }
    )
    container = engine.run(image, env=env, network=network, aliases=[name])
    ready = ready_args(kind)
    end = time.monotonic() + STARTUP_S
    while time.monotonic() < end:
        if str(container.status()) in ("exited", "dead"):
            break
        if container.exec(ready)[0] == 0:
            return db
        time.sleep(1)
    raise EnvironmentMissing(
        f"resource {name!r} ({image}) did not become ready:\n{probes.log_tail(container.logs())}"
    )


@pytest.fixture(scope="session")
def gate_resources(gate_app: GateApp, gate_engine: Any, gate_network: Any) -> dict[str, Database]:
    """One container per convox.yml resource, on the private network, alias = resource name."""
    return {
        name: _start_resource(gate_engine, gate_network, name, spec or {})
        for name, spec in sorted(gate_app.resources.items())
    }


@pytest.fixture(scope="session")
def gate_env(
    gate_app: GateApp, gate_config: GateSettings, gate_resources: dict[str, Database]
) -> dict[str, dict[str, Secret]]:
    """Service name -> the env its container gets (convox.env, resource URLs, PORT)."""
    top = [str(item) for item in gate_app.convox.get("environment") or []]
    result = {}
    for name, service in gate_app.services.items():
        service = service or {}
        linked = [gate_resources[r] for r in service.get("resources") or [] if r in gate_resources]
        result[name] = service_env(
            service, top, gate_app.app_env, linked, probes.convox_port(service)
        )
    return result


@dataclass(frozen=True)
class ReleaseOutcome:
    command: list[str]
    exit_code: int | None  # None: still running at the deadline
    log_tail: str


@pytest.fixture(scope="session")
def gate_release(
    gate_engine: Any,
    gate_image: str,
    gate_network: Any,
    gate_env: dict[str, dict[str, Secret]],
    gate_config: GateSettings,
) -> ReleaseOutcome | None:
    """Run the release command once, in the image, against the target resources."""
    command = gate_config.release_command
    if command is None:
        return None
    args = probes.shell_args(command)
    env = gate_env.get(gate_config.web) or next(iter(gate_env.values()), {})
    container = gate_engine.run(gate_image, command=args, env=env, network=gate_network)
    finished = _wait_exit(container, gate_config.release_timeout_s)
    code = container.exit_code() if finished else None
    return ReleaseOutcome(args, code, probes.log_tail(container.logs()))


@dataclass
class Running:
    """A started service: its container, the URL base on the host, and how start-up went."""

    service: str
    container: Any
    port: int | None
    base_url: str | None = None
    startup_error: str | None = None


def _service_args(service: dict[str, Any]) -> list[str] | None:
    return probes.command_args(service.get("command"))


def exec_text(container: Any, args: list[str]) -> tuple[int, str]:
    """``container.exec`` with its output as text."""
    rc, out = container.exec(args)
    return rc, out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out)


def listeners(container: Any) -> list[tuple[str, int]]:
    """The container's listening TCP sockets (from /proc: no ss or netstat needed)."""
    try:
        _, text = exec_text(container, probes.LISTENERS_ARGS)
    except Exception:  # the container stopped meanwhile: it listens on nothing
        return []
    return probes.parse_listeners(text)


LISTEN_GRACE_S = 8.0  # how long an app may listen on the wrong address before we say so


def wait_web(
    url: str,
    port: int,
    deadline_s: float,
    exited: Callable[[], str | None],
    listening: Callable[[], list[tuple[str, int]]],
) -> str | None:
    """Wait until ``url`` answers below 500; else say why not (exited, wrong bind, silence)."""
    started = time.monotonic()
    while time.monotonic() - started < deadline_s:
        gone = exited()
        if gone:
            return gone
        result = probes.http_probe(url, timeout_s=3)
        if result.status is not None and result.status < 500:
            return None
        if time.monotonic() - started > LISTEN_GRACE_S:
            found = listening()
            verdict = probes.listen_verdict(found, port) if found else None
            if verdict:
                return verdict
        time.sleep(0.5)
    return f"no answer below 500 within {deadline_s:g} s"


def _exited(container: Any) -> Callable[[], str | None]:
    def check() -> str | None:
        if str(container.status()) in ("exited", "dead"):
            return f"the container exited with code {container.exit_code()}"
        return None

    return check


@pytest.fixture(scope="session")
def gate_web(
    gate_app: GateApp,
    gate_engine: Any,
    gate_image: str,
    gate_network: Any,
    gate_env: dict[str, dict[str, Secret]],
    gate_config: GateSettings,
    gate_release: ReleaseOutcome | None,
) -> Running:
    """The web service with its port published on 127.0.0.1, waited for on its health path.

    Start-up trouble is recorded, not raised: the checks say what went wrong, by name.
    """
    name = gate_config.web
    service = gate_app.services.get(name) or {}
    container = gate_engine.run(
        gate_image,
        command=_service_args(service),
        env=gate_env.get(name, {}),
        port=gate_config.port,
        network=gate_network,
    )
    running = Running(name, container, gate_config.port)
    running.base_url = f"http://127.0.0.1:{container.host_port}"
    running.startup_error = wait_web(
        running.base_url + gate_config.health_path,
        gate_config.port or 0,
        gate_config.startup_s,
        _exited(container),
        lambda: listeners(container),
    )
    return running


@pytest.fixture(scope="session")
def gate_processes(
    gate_app: GateApp,
    gate_engine: Any,
    gate_image: str,
    gate_network: Any,
    gate_env: dict[str, dict[str, Secret]],
    gate_config: GateSettings,
    gate_release: ReleaseOutcome | None,
) -> dict[str, Running]:
    """Every process but web and release, started together, then given the settle time."""
    started = {}
    for process in probes.gate_processes(list(gate_app.processes)):
        name = probes.service_name(process)
        if name == gate_config.web or name not in gate_app.services:
            continue
        service = gate_app.services[name] or {}
        container = gate_engine.run(
            gate_image,
            command=_service_args(service),
            env=gate_env.get(name, {}),
            network=gate_network,
        )
        started[process] = Running(name, container, None)
    time.sleep(gate_config.settle_seconds)
    return started


@pytest.fixture(scope="session")
def gate_shell(gate_engine: Any, gate_image: str) -> Any:
    """A throwaway container of the image, idling, to look inside (no app env, no secrets)."""
    return gate_engine.run(gate_image, command=["sleep", "infinity"])


@dataclass
class ComposeRun:
    """The compose project the gate brought up, and what happened."""

    up_rc: int
    up_output: str
    base_url: str | None
    web: str
    startup_error: str | None = None


@pytest.fixture(scope="session")
def gate_compose(
    pytestconfig: pytest.Config,
    gate_app: GateApp,
    gate_image: str,
    gate_tmp: Path,
    gate_config: GateSettings,
) -> Iterator[ComposeRun]:
    """``docker-compose up -d <web>`` on a loopback-only copy of the file; ``down -v`` always."""
    import yaml

    from h2c.compose_runner import ComposeProject

    if gate_app.compose is None:
        pytest.fail("docker-compose.yml is missing: run `h2c generate` again", pytrace=False)
    rewritten = probes.compose_for_gate(gate_app.compose, gate_app.dir, image=gate_image)
    path = gate_tmp / "docker-compose.gate.yml"
    path.write_text(yaml.safe_dump(rewritten, sort_keys=False), encoding="utf-8")
    project = ComposeProject(path, f"h2cgate{os.getpid()}", gate_app.dir, gate_app.app_env)
    web = gate_config.web
    try:
        up = project.up(web)
        host_port = project.port(web, gate_config.port) if up.rc == 0 and gate_config.port else None
        base = f"http://127.0.0.1:{host_port}" if host_port else None
        run = ComposeRun(up.rc, probes.log_tail(up.output), base, web)
        if base:  # the resources started with web; the release needs them accepting clients
            run.startup_error = _wait_compose_resources(project, gate_app)
        if base and gate_config.release_args and run.startup_error is None:
            # as a developer would: release, then browse
            release = project.run_once(web, *gate_config.release_args)
            if release.rc != 0:
                run.startup_error = (
                    f"the release command failed in compose (rc {release.rc}):\n"
                    + probes.log_tail(release.output)
                )
        if base and gate_config.port and run.startup_error is None:
            run.startup_error = wait_web(
                base + gate_config.health_path,
                gate_config.port,
                gate_config.startup_s,
                lambda: None if web in project.running() else f"compose service {web} exited",
                lambda: probes.parse_listeners(project.exec(web, *probes.LISTENERS_ARGS).output),
            )
        yield run
    finally:
        if not pytestconfig.option.h2c_keep:
            project.down()


def _wait_compose_resources(project: Any, app: GateApp) -> str | None:
    """Wait until each compose service named after a convox.yml resource accepts clients."""
    services = (app.compose or {}).get("services") or {}
    for name, spec in sorted(app.resources.items()):
        if name not in services:
            continue
        args = ready_args(str((spec or {}).get("type", "")))
        end = time.monotonic() + STARTUP_S
        while project.exec(name, *args).rc != 0:
            if time.monotonic() > end:
                return f"compose resource {name} did not accept clients within {STARTUP_S:g} s"
            time.sleep(1)
    return None


@pytest.fixture(scope="session")
def gate_redact(gate_app: GateApp) -> leaks.Redactor:
    """Masks every config value (convox.env and the Heroku export) in text shown to a user."""
    return leaks.Redactor([*gate_app.app_env.values(), *gate_app.config.values()])
