"""The gate's session steps on background threads, and their teardown.

The fixtures (``h2c.gate.fixtures``) start each step as soon as its inputs exist: the
resources while the image builds; the release and the processes, and the compose project,
once it is built. They collect a step by name when a check needs it (``Background.result``
raises the step's error there). Teardown tells the steps to stop, removes every container and
the compose project in parallel, then joins the steps.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from h2c.adapters.compose import ComposeProject
from h2c.adapters.contracts import Attachable, Engine
from h2c.artifacts.app import GateApp
from h2c.gate import compose, resources, services
from h2c.gate.compose import ComposeRun
from h2c.gate.later import Background
from h2c.gate.services import Services
from h2c.gate.settings import GateSettings
from h2c.runplan.env import Database

COMPOSE_STOP_S = 1  # the compose containers' SIGTERM handling is not what the gate checks


def image_tag(app: GateApp) -> str:
    """The gate's tag for an app: stable, so a rerun replaces it and reuses the layer cache."""
    slug = re.sub(r"[^a-z0-9]+", "-", app.dir.name.lower()).strip("-") or "app"
    return f"h2c-gate/{slug}:latest"


@dataclass
class Stage:
    """The session's background steps, and the compose project they may have brought up."""

    keep: bool = False  # --h2c-keep: leave every container running
    background: Background = field(default_factory=Background)
    compose: ComposeProject | None = None
    processes_started: threading.Event = field(default_factory=threading.Event)

    def start_resources(self, engine: Engine, network: Attachable, app: GateApp) -> None:
        """Start the resources' containers and wait until they accept clients (once)."""
        self.background.start(
            "resources", resources.start_resources, engine, network, app.resources,
            self.background.stop,
        )  # fmt: skip

    def start_services(
        self, app: GateApp, engine: Engine, image: str, network: Attachable, config: GateSettings
    ) -> None:
        """Once the resources accept clients: the release, then web and the others (once)."""

        def job() -> Services:
            try:
                env = services.env_for(app, self.ready_resources())
                return services.bring_up(
                    app, engine, image, network, env, config, self.background.stop,
                    self.processes_started,
                )  # fmt: skip
            finally:
                self.processes_started.set()  # also when the release or a start failed

        self.start_resources(engine, network, app)
        self.background.start("services", job)

    def start_compose_resources(self, app: GateApp, folder: Path) -> None:
        """The compose file's resources, while the image builds (once), so their
        initialisation is over when compose's web starts; after the gate's own resources
        accept clients, which are on the longer path (two initialisations at once take
        twice as long each on two cores)."""
        if app.compose is None or self.compose is not None:
            return
        project = self.compose = compose.write_project(app, folder, image_tag(app))
        names = list(compose.resource_services(app))

        def job() -> object:
            self.background.wait("resources")
            return project.up(*names)

        if names:
            self.background.start("compose-resources", job)

    def start_compose(
        self, app: GateApp, engine: Engine, folder: Path, config: GateSettings
    ) -> None:
        """Compose's web and release, once its resources are up and the gate's own processes
        have started (once): they then use the CPU while those settle, not while the gate's
        own release and web start."""
        if app.compose is None or self.background.started("compose"):
            return
        self.start_compose_resources(app, folder)
        assert self.compose is not None
        services_started = self.background.started("services")

        def after() -> None:
            self.background.wait("compose-resources")
            if services_started:
                self.processes_started.wait()

        self.background.start(
            "compose", compose.bring_up, self.compose, engine, app, config, after,
            self.background.stop,
        )  # fmt: skip

    def ready_resources(self) -> dict[str, Database]:
        """The started resources' credentials, once they accept clients (or their error)."""
        ready: dict[str, Database] = self.background.result("resources")
        return ready

    def started_services(self) -> Services:
        """The release and the processes, once web answered or gave up (or their error)."""
        started: Services = self.background.result("services")
        return started

    def compose_run(self) -> ComposeRun:
        """The compose project's run, once its web answered or gave up (or its error)."""
        run: ComposeRun = self.background.result("compose")
        return run

    def compose_done(self) -> None:
        """The compose checks ran: take the project down in the background now."""
        if self.compose is not None and not self.keep:
            self.background.start("compose-down", self.compose.down, COMPOSE_STOP_S)

    def teardown(self, engine: Engine) -> None:
        """Stop the steps; remove the containers and the compose project at once; join."""
        self.background.stop.set()
        try:
            if not self.keep:
                self._remove_all(engine)
        finally:
            self.background.close()
        if not self.keep and self.compose is not None:
            # a compose step that was mid-way may have created something after `down` ran,
            # and a `down` that failed leaves its network: the engine sweeps the project's
            # labels (a few API calls, where a second `down` would cost a second)
            engine.remove_labelled({compose.PROJECT_LABEL: self.compose.project})

    def _remove_all(self, engine: Engine) -> None:
        # this session's, labelled by the engine; compose's web container carries the label
        # too (from the gate's image) but is left to `docker-compose down`: removed under it,
        # `down` stops with an error before it removes the project's network
        containers = [
            c for c in engine.find_containers({}) if c.label(compose.PROJECT_LABEL) is None
        ]
        with ThreadPoolExecutor(max_workers=min(8, len(containers) + 1)) as pool:
            if self.compose is not None and not self.background.started("compose-down"):
                pool.submit(self.compose.down, COMPOSE_STOP_S)
            for container in containers:
                pool.submit(container.remove)
