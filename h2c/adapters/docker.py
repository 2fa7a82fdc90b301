"""The one adapter over the Docker Engine: build, run, wait, inspect, find and clean up.

``Engine`` is what callers import; its image half lives in ``h2c.adapters.docker_images`` and
its containers in ``h2c.adapters.docker_containers``: these three are the only modules that
import ``docker``. Its errors and result values live in ``h2c.adapters.docker_types``, the
waits in ``h2c.adapters.polling`` and the seams the gate is typed against in
``h2c.adapters.contracts`` (all docker-free). Everything h2c creates carries the labels
``LABEL=1`` and ``dev.h2c.session=<id>`` so that ``cleanup`` finds it again, even after a
crash. Environment values passed to ``run`` are never logged or put in an exception; long ones
are also masked in the container logs this module hands back.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import signal
import threading
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, Unpack

import docker
import docker.errors
import requests

from h2c.adapters.contracts import RunOptions
from h2c.adapters.docker_containers import RunningContainer
from h2c.adapters.docker_images import Images
from h2c.adapters.docker_types import (
    LABEL,
    SESSION_LABEL,
    BuildFailed,
    BuildResult,
    CleanupReport,
    ContainerExited,
    ContainerState,
    ImageInfo,
    Network,
    NotReady,
    StopResult,
)
from h2c.adapters.polling import wait_ready
from h2c.errors import EnvironmentMissing, H2cError

__all__ = [  # the adapter's API, with the docker-free values it raises and returns
    "LABEL",
    "SESSION_LABEL",
    "BuildFailed",
    "BuildResult",
    "CleanupReport",
    "ContainerExited",
    "ContainerState",
    "Engine",
    "ImageInfo",
    "Network",
    "NotReady",
    "RunningContainer",
    "StopResult",
    "install_cleanup_handlers",
    "new_session_id",
    "wait_ready",
]


def _plain(value: object) -> str:
    """A value as the container gets it: a ``Secret`` revealed, anything else as text."""
    reveal = getattr(value, "reveal", None)
    return reveal() if callable(reveal) else str(value)


def new_session_id() -> str:
    """A short random id that tags everything one h2c run creates."""
    return uuid.uuid4().hex[:12]


class Engine(Images):
    """A connection to the local Docker Engine, scoped to one session for clean-up."""

    def __init__(self, client: Any, session_id: str) -> None:
        self.client = client
        self.api = client.api
        self.session_id = session_id
        self.labels = {LABEL: "1", SESSION_LABEL: session_id}

    @classmethod
    def connect(cls, session_id: str | None = None, timeout_s: int | None = None) -> Engine:
        """Connect to the engine named by DOCKER_HOST (or the local socket) and ping it."""
        timeout = timeout_s or int(os.environ.get("H2C_DOCKER_TIMEOUT", "900"))
        try:
            client = docker.from_env(timeout=timeout)
            client.ping()
        except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
            raise EnvironmentMissing(
                f"no Docker engine answers: {exc}; start dockerd, or point DOCKER_HOST at one"
            ) from exc
        return cls(client, session_id or new_session_id())

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup(self.session_id)

    def close(self) -> None:
        self.client.close()

    def run(self, image: str, **options: Unpack[RunOptions]) -> RunningContainer:
        """Start a detached, labelled container; ``port`` is published on a loopback port.

        ``init`` puts an init process at PID 1 (as Convox's shared process namespace does);
        ``memory_mb`` is a hard limit with no swap beyond it (the kernel kills the container).
        """
        network = options.get("network")
        if network is not None and not isinstance(network, str):
            network = network.name
        user, port, aliases = options.get("user"), options.get("port"), options.get("aliases")
        kwargs: dict[str, Any] = {"user": user} if user else {}
        if options.get("init"):
            kwargs["init"] = True
        memory = options.get("memory_mb")
        if memory:
            kwargs["mem_limit"] = kwargs["memswap_limit"] = f"{int(memory)}m"
        if network is not None:
            kwargs["network"] = network
            if aliases:
                endpoint = self.api.create_endpoint_config(aliases=list(aliases))
                kwargs["networking_config"] = {network: endpoint}
        running = self._start(
            image,
            options.get("command"),
            options.get("env"),
            name=options.get("name"),
            ports={f"{port}/tcp": ("127.0.0.1", None)} if port is not None else None,
            **kwargs,
        )
        if port is not None:
            running.host_port = running.published_port(port)
        return running

    def run_on_host_network(
        self, image: str, *, command: list[str], env: Mapping[str, object] | None = None
    ) -> RunningContainer:
        """A detached, labelled one-off container in the host's network namespace.

        For a command that must reach a database listening only on the host's loopback (a local
        target cluster); nothing is published and no other traffic is implied.
        """
        return self._start(image, command, env, network_mode="host")

    def _start(
        self,
        image: str,
        command: list[str] | None,
        env: Mapping[str, object] | None,
        **kwargs: Any,
    ) -> RunningContainer:
        """Start a detached, labelled container; env values are revealed here and masked after."""
        self._require_images([image])
        environment = {key: _plain(value) for key, value in (env or {}).items()}
        try:
            container = self.client.containers.run(
                image,
                command,
                detach=True,
                environment=environment,
                labels=self.labels,
                **kwargs,
            )
        except docker.errors.APIError as exc:
            # The daemon's explanation names the image or option, never environment values.
            raise H2cError(f"cannot start a container from {image}: {exc.explanation}") from None
        return RunningContainer(container, list(environment.values()))

    def find_containers(self, labels: Mapping[str, str]) -> list[RunningContainer]:
        """Containers, running or not, that carry every label given (``{}``: this session's).

        A compose project's containers are found by their ``com.docker.compose.*`` labels, so the
        gate asks the engine for their state instead of spawning ``docker-compose ps``.
        """
        wanted = [f"{key}={value}" for key, value in labels.items()]
        if not labels:
            wanted = [f"{LABEL}=1", f"{SESSION_LABEL}={self.session_id}"]
        try:
            found = self.client.containers.list(all=True, filters={"label": wanted})
        except docker.errors.APIError:
            return []
        return [RunningContainer(container) for container in found]

    @contextlib.contextmanager
    def network(self, name_hint: str) -> Iterator[Network]:
        """A private, labelled bridge network, removed on exit."""
        name = f"h2c-{re.sub(r'[^a-zA-Z0-9_.-]+', '-', name_hint)}-{uuid.uuid4().hex[:6]}"
        created = self.client.networks.create(name, driver="bridge", labels=self.labels)
        try:
            yield Network(name, str(created.id))
        finally:
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                created.reload()
                for attached in created.containers:
                    created.disconnect(attached, force=True)
                created.remove()

    def cleanup(self, session_id: str | None = None) -> CleanupReport:
        """Remove every labelled container and network (only one session's when given)."""
        wanted = [f"{LABEL}=1"] + ([f"{SESSION_LABEL}={session_id}"] if session_id else [])
        return self._remove_labelled(wanted)

    def remove_labelled(self, labels: Mapping[str, str]) -> CleanupReport:
        """Remove the containers, then the networks, that carry every label given.

        What a compose project left behind (its containers and networks carry
        ``com.docker.compose.project``) when ``docker-compose down`` did not finish.
        """
        return self._remove_labelled([f"{key}={value}" for key, value in labels.items()])

    def _remove_labelled(self, wanted: list[str]) -> CleanupReport:
        report = CleanupReport()
        for container in self.client.containers.list(all=True, filters={"label": wanted}):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                container.remove(force=True, v=True)
                report.containers.append(container.name)
        for net in self.client.networks.list(filters={"label": wanted}):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                net.remove()
                report.networks.append(net.name)
        return report


def install_cleanup_handlers(engine: Engine) -> None:
    """Clean the engine's session at interpreter exit and on SIGTERM (then exit 143)."""
    atexit.register(engine.cleanup, engine.session_id)
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: Any) -> None:
        engine.cleanup(engine.session_id)
        if callable(previous):
            previous(signum, frame)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
