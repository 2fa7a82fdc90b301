"""Session fixtures of the gate: the app, the engine, the image, resources and running services.

Loaded by ``h2c.gate.plugin`` (``config.pluginmanager.import_plugin``). Every container is started
through ``h2c.adapters.docker`` and removed when the session ends (``--h2c-keep`` keeps them).
Config values stay ``Secret`` until the moment they are handed to ``engine.run``.

The slow steps run on background threads (``h2c.gate.stage``), started as soon as their inputs
exist and only when a selected check needs them; the fixtures below collect them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from h2c.adapters.contracts import Attachable, Container, Engine
from h2c.artifacts.app import GateApp
from h2c.errors import EnvironmentMissing, H2cError
from h2c.gate import services
from h2c.gate.compose import ComposeRun
from h2c.gate.readiness import listeners, wait_web
from h2c.gate.services import ReleaseOutcome, Running
from h2c.gate.settings import GateSettings, load_settings, session_app
from h2c.gate.stage import Stage, image_tag
from h2c.gate.stops import GRACE_S
from h2c.runplan.env import Database
from h2c.secret import Secret
from h2c.verdicts import leaks

__all__ = ["GRACE_S", "ComposeRun", "ReleaseOutcome", "Running", "Stage", "listeners", "wait_web"]
_wait_exit = services.wait_exit  # the name checks/test_image.py imports


def _needed(request: pytest.FixtureRequest, fixture: str) -> bool:
    """Whether a selected check uses ``fixture`` (directly or through another fixture)."""
    return any(fixture in getattr(item, "fixturenames", ()) for item in request.session.items)


@pytest.fixture(scope="session")
def gate_app(pytestconfig: pytest.Config) -> GateApp:
    """The app under test with its generated artifacts."""
    if not pytestconfig.option.h2c_app:
        pytest.fail("no app to check: pass --h2c-app DIR", pytrace=False)
    return session_app(pytestconfig)


@pytest.fixture(scope="session")
def gate_config(pytestconfig: pytest.Config, gate_app: GateApp) -> GateSettings:
    """The gate's settings: h2c.toml, then convox.yml, then ``--h2c-settle``."""
    return load_settings(gate_app, settle=pytestconfig.option.h2c_settle)


@pytest.fixture(scope="session")
def gate_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's scratch folder: build log, compose file."""
    return tmp_path_factory.mktemp("h2c-gate")


@pytest.fixture(scope="session")
def gate_engine(pytestconfig: pytest.Config) -> Iterator[Engine]:
    """A connected engine; skips without one unless H2C_REQUIRE_ENGINE=1 (then it fails)."""
    from h2c.adapters import docker

    try:
        engine = docker.Engine.connect()
    except EnvironmentMissing as missing:
        if os.environ.get("H2C_REQUIRE_ENGINE") == "1":
            raise
        pytest.skip(f"no Docker engine: {missing}")
    if pytestconfig.option.h2c_keep:
        yield engine  # containers stay for debugging
        return
    docker.install_cleanup_handlers(engine)  # a crash or SIGTERM still removes the containers
    with engine:  # the last resort: anything of this session still there goes
        yield engine


@pytest.fixture(scope="session")
def gate_network(gate_engine: Engine) -> Iterator[Attachable]:
    """A private network where the app's containers reach its resources by name."""
    with gate_engine.network("h2c-gate") as network:
        yield network


@pytest.fixture(scope="session")
def gate_stage(
    request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
    gate_app: GateApp,
    gate_engine: Engine,
    gate_network: Attachable,
    gate_tmp: Path,
) -> Iterator[Stage]:
    """Starts the resources now, in the background (the image builds meanwhile), and the
    compose file's beside them.

    Teardown always runs (failures, Ctrl-C): ``Stage.teardown`` stops the background steps,
    removes the containers and the compose project in parallel, then joins the steps.
    """
    stage = Stage(keep=pytestconfig.option.h2c_keep)
    if _needed(request, "gate_resources"):
        stage.start_resources(gate_engine, gate_network, gate_app)
    if _needed(request, "gate_compose"):
        stage.start_compose_resources(gate_app, gate_tmp)
    try:
        yield stage
    finally:
        stage.teardown(gate_engine)


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
    pytestconfig: pytest.Config,
    gate_app: GateApp,
    gate_engine: Engine,
    gate_tmp: Path,
    gate_stage: Stage,  # the resources start while the image builds
) -> BuildOutcome:
    """Build the image once per session; the log goes to a file (and the terminal with -s)."""
    from h2c.adapters.docker_types import BuildFailed

    log_file = gate_tmp / "build.log"
    echo = pytestconfig.option.capture == "no"
    tag = image_tag(gate_app)
    started = time.monotonic()
    with log_file.open("w", encoding="utf-8") as log:

        def on_line(line: str) -> None:
            log.write(line.rstrip("\n") + "\n")
            if echo:
                print(line.rstrip("\n"), flush=True)

        try:
            gate_engine.build(
                gate_app.dir,
                dockerfile=gate_app.dockerfile_name,
                tag=tag,
                on_line=on_line,
                buildargs={k: v.reveal() for k, v in gate_app.build_args.items()},
            )
        except BuildFailed as failed:
            tail = "\n".join(failed.log_tail)
            return BuildOutcome(None, log_file, failed.step, tail, time.monotonic() - started)
    return BuildOutcome(tag, log_file, seconds=time.monotonic() - started)


@pytest.fixture(scope="session")
def gate_image(
    request: pytest.FixtureRequest,
    gate_build: BuildOutcome,
    gate_stage: Stage,
    gate_app: GateApp,
    gate_engine: Engine,
    gate_network: Attachable,
    gate_tmp: Path,
) -> str:
    """The built image's tag; fails (naming the step) when the build did not work.

    Starts, in the background, what the selected checks need of it: the release and the
    processes, and the compose project's web.
    """
    if gate_build.tag is None:
        pytest.fail(f"the image did not build (step: {gate_build.step})", pytrace=False)
    try:
        config = request.getfixturevalue("gate_config")
    except H2cError:
        return gate_build.tag  # the checks that need the settings report it, by name
    if _needed(request, "gate_services"):
        gate_stage.start_services(gate_app, gate_engine, gate_build.tag, gate_network, config)
    if _needed(request, "gate_compose"):
        gate_stage.start_compose(gate_app, gate_engine, gate_tmp, config)
    return gate_build.tag


@pytest.fixture(scope="session")
def gate_resources(
    gate_app: GateApp, gate_engine: Engine, gate_network: Attachable, gate_stage: Stage
) -> dict[str, Database]:
    """One container per convox.yml resource, on the private network, alias = resource name."""
    gate_stage.start_resources(gate_engine, gate_network, gate_app)
    return gate_stage.ready_resources()


@pytest.fixture(scope="session")
def gate_env(
    gate_app: GateApp, gate_resources: dict[str, Database]
) -> dict[str, dict[str, Secret]]:
    """Service name -> the env its container gets (convox.env, resource URLs, PORT)."""
    return services.env_for(gate_app, gate_resources)


@pytest.fixture(scope="session")
def gate_services(
    gate_app: GateApp,
    gate_engine: Engine,
    gate_image: str,
    gate_network: Attachable,
    gate_env: dict[str, dict[str, Secret]],
    gate_config: GateSettings,
    gate_stage: Stage,
) -> services.Services:
    """The release, then web (published on 127.0.0.1, waited for) and the other processes."""
    gate_stage.start_services(gate_app, gate_engine, gate_image, gate_network, gate_config)
    return gate_stage.started_services()


@pytest.fixture(scope="session")
def gate_release(gate_services: services.Services) -> ReleaseOutcome | None:
    """The release command's outcome (None when the app has none)."""
    return gate_services.release


@pytest.fixture(scope="session")
def gate_web(gate_services: services.Services) -> Running:
    """The web service; start-up trouble is recorded in ``startup_error``, not raised."""
    return gate_services.web


@pytest.fixture(scope="session")
def gate_processes(gate_services: services.Services) -> dict[str, Running]:
    """Every process but web and release, started with web (settle: ``services.settle``)."""
    return gate_services.others


@pytest.fixture(scope="session")
def gate_shell(gate_engine: Engine, gate_image: str) -> Container:
    """A throwaway container of the image, idling, to look inside (no app env, no secrets)."""
    return gate_engine.run(gate_image, command=["sleep", "infinity"])


@pytest.fixture(scope="session")
def gate_compose(
    gate_app: GateApp, gate_image: str, gate_engine: Engine, gate_config: GateSettings,
    gate_stage: Stage, gate_tmp: Path,
) -> ComposeRun:  # fmt: skip
    """``docker-compose up -d`` on a loopback-only copy of the file (``down -v`` at the end)."""
    if gate_app.compose is None:
        pytest.fail("docker-compose.yml is missing: run `h2c generate` again", pytrace=False)
    gate_stage.start_compose(gate_app, gate_engine, gate_tmp, gate_config)
    return gate_stage.compose_run()


@pytest.fixture(scope="session")
def gate_redact(gate_app: GateApp) -> leaks.Redactor:
    """Masks every config value (convox.env and the Heroku export) in text shown to a user."""
    return leaks.Redactor([*gate_app.app_env.values(), *gate_app.config.values()])
