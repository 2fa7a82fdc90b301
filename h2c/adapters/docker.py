"""The one adapter over the Docker Engine: build, run, wait, inspect, find and clean up.

Only this module imports ``docker``; its errors and result values live in
``h2c.adapters.docker_types`` and the waits in ``h2c.adapters.polling`` (both docker-free).
Everything h2c creates carries the labels ``LABEL=1`` and
``dev.h2c.session=<id>`` so that ``cleanup`` finds it again, even after a crash. Environment
values passed to ``run`` are never logged or put in an exception; long ones are also masked in
the container logs this module hands back.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests

from h2c.adapters.docker_types import (
    BuildFailed,
    BuildLog,
    BuildResult,
    CleanupReport,
    ContainerExited,
    ImageInfo,
    Network,
    NotReady,
    StopResult,
)
from h2c.adapters.readiness import wait_ready
from h2c.artifacts.dockerfile import from_images
from h2c.errors import EnvironmentMissing, H2cError
from h2c.secret import mask_values
from h2c.standins import catalog as standins

__all__ = [  # the adapter's API, with the docker-free values it raises and returns
    "LABEL",
    "SESSION_LABEL",
    "BuildFailed",
    "BuildResult",
    "CleanupReport",
    "ContainerExited",
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

LABEL = "dev.h2c.managed"
SESSION_LABEL = "dev.h2c.session"


def _plain(value: object) -> str:
    reveal = getattr(value, "reveal", None)
    return reveal() if callable(reveal) else str(value)


class RunningContainer:
    """A container h2c started; keeps it around (no auto-remove) so its logs survive a crash."""

    def __init__(self, container: Any, masked: Sequence[str] = ()) -> None:
        self._c = container
        self._masked = tuple(masked)
        self.id: str = container.id
        self.name: str = container.name
        self.host_port: int | None = None

    def _mask(self, text: str) -> str:
        return mask_values(text, self._masked)

    def status(self) -> str:
        self._c.reload()
        return str(self._c.status)

    def exit_code(self) -> int | None:
        """The exit code once the container has stopped, else None."""
        self._c.reload()
        state = self._c.attrs.get("State", {})
        return None if state.get("Running") else state.get("ExitCode")

    def logs(self, tail: int | str = "all") -> str:
        raw = self._c.logs(stdout=True, stderr=True, tail=tail)
        return self._mask(raw.decode("utf-8", "replace"))

    def stop(self, timeout: int = 10) -> StopResult:
        """Send the stop signal, wait up to ``timeout`` then kill; say how long it took."""
        started = time.monotonic()
        with contextlib.suppress(docker.errors.NotFound):
            self._c.stop(timeout=timeout)
        return StopResult(time.monotonic() - started, self.exit_code())

    def remove(self) -> None:
        with contextlib.suppress(docker.errors.NotFound):
            self._c.remove(force=True, v=True)

    def label(self, key: str) -> str | None:
        """One of the container's labels (its image's included), or None."""
        return (self._c.labels or {}).get(key)

    def exec(self, cmd: Sequence[str] | str) -> tuple[int, str]:
        result = self._c.exec_run(cmd, stdout=True, stderr=True)
        return int(result.exit_code), self._mask(result.output.decode("utf-8", "replace"))

    def ip(self, network: str) -> str | None:
        """The container's IPv4 address on ``network`` (None when not attached to it)."""
        self._c.reload()
        networks = (self._c.attrs.get("NetworkSettings") or {}).get("Networks") or {}
        return str((networks.get(network) or {}).get("IPAddress") or "") or None

    def commit(
        self, tag: str, *, env: Mapping[str, str], user: str, labels: Mapping[str, str]
    ) -> str:
        """The stopped container's file system as the local image ``tag``; returns its id.

        The engine keeps each environment variable and label of the container that ``env`` and
        ``labels`` do not name (its run-time ones included): name a key to replace or clear it.
        The image belongs to no session: session clean-up leaves it, like a built image.
        """
        repository, _, version = tag.rpartition(":")
        conf = {
            "Env": [f"{key}={value}" for key, value in env.items()],
            "User": user,
            "Labels": {SESSION_LABEL: "", **labels},
        }
        try:
            image = self._c.commit(repository=repository, tag=version, conf=conf)
        except docker.errors.APIError as exc:
            raise H2cError(f"cannot save {self.name} as {tag}: {exc.explanation}") from None
        return str(image.id)

    def published_port(self, port: int) -> int | None:
        """The loopback host port publishing the container's ``port``/tcp, or None."""
        self._c.reload()
        bindings = (self._c.ports or {}).get(f"{port}/tcp") or []
        return int(bindings[0]["HostPort"]) if bindings else None


def new_session_id() -> str:
    """A short random id that tags everything one h2c run creates."""
    return uuid.uuid4().hex[:12]


class Engine:
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

    def image_present(self, name: str) -> bool:
        return self.image_id(name) is not None

    def image_id(self, name: str) -> str | None:
        """The local image's id (``sha256:...``), or None when it is not present."""
        try:
            return str(self.client.images.get(name).id)
        except docker.errors.ImageNotFound:
            return None

    def _require_images(self, names: Sequence[str]) -> None:
        for name in names:
            if self.image_present(name):
                continue
            if standins.canonical(name) in standins.CATALOG:
                raise EnvironmentMissing(
                    f"image {name} is not built yet: build its offline stand-in with "
                    f"`python -m h2c.standins ensure {name}`"
                )
            raise EnvironmentMissing(standins.missing_image_message(name))

    def build(
        self,
        context: Path,
        *,
        dockerfile: str = "Dockerfile",
        tag: str,
        on_line: Callable[[str], None] | None = None,
        buildargs: Mapping[str, str] | None = None,
    ) -> BuildResult:
        """Build for real, streaming each log line; raise BuildFailed with the failing step."""
        text = (Path(context) / dockerfile).read_text(encoding="utf-8")
        self._require_images(from_images(text, buildargs))
        started = time.monotonic()
        log = BuildLog(on_line)
        try:
            stream = self.api.build(
                path=str(context),
                dockerfile=dockerfile,
                tag=tag,
                decode=True,
                rm=True,
                forcerm=True,
                labels=self.labels,
                buildargs=dict(buildargs or {}),
            )
            for chunk in stream:
                log.feed(chunk)
        except docker.errors.APIError as exc:
            log.error = str(exc.explanation or exc)
        log.close()
        if log.error is not None:
            raise log.failure(tag)
        image_id = log.image_id
        if image_id is None:
            image_id = str(self.client.images.get(tag).id)
        return BuildResult(image_id, tag, time.monotonic() - started, len(log.lines))

    def run(
        self,
        image: str,
        *,
        command: list[str] | None = None,
        env: Mapping[str, Any] | None = None,
        port: int | None = None,
        network: str | Network | None = None,
        name: str | None = None,
        aliases: Sequence[str] = (),
        user: str | None = None,
    ) -> RunningContainer:
        """Start a detached, labelled container; ``port`` is published on a loopback port."""
        if isinstance(network, Network):
            network = network.name
        kwargs: dict[str, Any] = {"user": user} if user else {}
        if network is not None:
            kwargs["network"] = network
            if aliases:
                endpoint = self.api.create_endpoint_config(aliases=list(aliases))
                kwargs["networking_config"] = {network: endpoint}
        running = self._start(
            image,
            command,
            env,
            name=name,
            ports={f"{port}/tcp": ("127.0.0.1", None)} if port is not None else None,
            **kwargs,
        )
        if port is not None:
            running.host_port = running.published_port(port)
        return running

    def run_on_host_network(
        self, image: str, *, command: list[str], env: Mapping[str, Any] | None = None
    ) -> RunningContainer:
        """A detached, labelled one-off container in the host's network namespace.

        For a command that must reach a database listening only on the host's loopback (a local
        target cluster); nothing is published and no other traffic is implied.
        """
        return self._start(image, command, env, network_mode="host")

    def _start(
        self, image: str, command: list[str] | None, env: Mapping[str, Any] | None, **kwargs: Any
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

    def find_images(self, labels: Mapping[str, str]) -> list[str]:
        """The ids of the local images that carry every label given."""
        wanted = [f"{key}={value}" for key, value in labels.items()]
        return [str(image.id) for image in self.client.images.list(filters={"label": wanted})]

    def remove_image(self, tag: str) -> None:
        """Untag (and delete when unused) an image h2c built; a missing one is fine."""
        with contextlib.suppress(docker.errors.ImageNotFound):
            self.client.images.remove(tag, force=True)

    def remove_unused_image(self, ref: str) -> bool:
        """Delete an image (by tag or id) unless a container still uses it; True when gone."""
        try:
            self.client.images.remove(ref, force=False)
        except docker.errors.ImageNotFound:
            return True
        except docker.errors.APIError:  # in use (a running gate's database): left for now
            return False
        return True

    def image_info(self, tag: str) -> ImageInfo:
        """Configuration and history of a local image (environment names only)."""
        try:
            image = self.client.images.get(tag)
        except docker.errors.ImageNotFound:
            raise EnvironmentMissing(f"image {tag} is not present locally") from None
        config = image.attrs.get("Config") or {}
        history = tuple(str(h.get("CreatedBy", "")) for h in image.history())
        return ImageInfo(
            tag=tag,
            user=str(config.get("User") or ""),
            exposed_ports=tuple(sorted(config.get("ExposedPorts") or {})),
            cmd=tuple(config["Cmd"]) if config.get("Cmd") else None,
            entrypoint=tuple(config["Entrypoint"]) if config.get("Entrypoint") else None,
            env_keys=tuple(item.partition("=")[0] for item in config.get("Env") or []),
            size_bytes=int(image.attrs.get("Size") or 0),
            history=history,
        )

    wait_ready = staticmethod(wait_ready)


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
