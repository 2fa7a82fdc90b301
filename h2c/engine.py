"""The one adapter over the Docker Engine: build, run, wait, inspect and clean up.

Only this module imports ``docker``. Everything h2c creates carries the labels ``LABEL=1`` and
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
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import docker
import docker.errors
import requests

from h2c import standins
from h2c.errors import EnvironmentMissing, H2cError

LABEL = "dev.h2c.managed"
SESSION_LABEL = "dev.h2c.session"
LOG_TAIL = 30
MASK_MIN_LEN = 6  # shorter env values ("1", "true") are too common to mask in logs


class BuildFailed(H2cError):
    """``docker build`` failed; ``step`` is the last ``Step N/M : ...`` line seen."""

    def __init__(self, message: str, *, step: str | None, log_tail: Sequence[str]) -> None:
        self.step = step
        self.log_tail = list(log_tail)
        super().__init__(message)


class ContainerExited(H2cError):
    """The container stopped before it became ready.

    ``container_exit_code`` is the container's; ``exit_code`` stays h2c's own (1, gate failed).
    """

    def __init__(self, message: str, *, container_exit_code: int | None, log_tail: str) -> None:
        self.container_exit_code = container_exit_code
        self.log_tail = log_tail
        super().__init__(message)


class NotReady(H2cError):
    """The container kept running but never answered before the deadline."""

    def __init__(self, message: str, *, log_tail: str) -> None:
        self.log_tail = log_tail
        super().__init__(message)


@dataclass(frozen=True)
class BuildResult:
    image_id: str
    tag: str
    seconds: float
    lines: int


@dataclass(frozen=True)
class ImageInfo:
    """What the image checks need; env carries variable names only, never values."""

    tag: str
    user: str
    exposed_ports: tuple[str, ...]
    cmd: tuple[str, ...] | None
    entrypoint: tuple[str, ...] | None
    env_keys: tuple[str, ...]
    size_bytes: int
    history: tuple[str, ...]


@dataclass(frozen=True)
class Network:
    name: str
    id: str


@dataclass(frozen=True)
class CleanupReport:
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)


class StopResult(NamedTuple):
    seconds: float
    exit_code: int | None


def from_images(dockerfile: str, buildargs: Mapping[str, str] | None = None) -> list[str]:
    """Images a Dockerfile builds FROM, without stage names, ``scratch`` or duplicates.

    >>> from_images("ARG V=3.11\\nFROM python:${V}-slim AS base\\nFROM base\\nFROM --platform=x pg")
    ['python:3.11-slim', 'pg']
    """
    args = {}
    stages: set[str] = {"scratch"}
    found: list[str] = []
    text = re.sub(r"\\\r?\n", " ", dockerfile)
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        keyword = words[0].upper()
        if keyword == "ARG" and len(words) > 1 and not stages - {"scratch"} and not found:
            name, _, default = words[1].partition("=")
            args[name] = (buildargs or {}).get(name, default.strip("\"'"))
        elif keyword == "FROM":
            rest = [w for w in words[1:] if not w.startswith("--")]
            if not rest:
                continue
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), ""), rest[0])
            if len(rest) >= 3 and rest[1].upper() == "AS":
                stages.add(rest[2].lower())
            if image.lower() not in stages and image not in found:
                found.append(image)
    return found


def _plain(value: object) -> str:
    reveal = getattr(value, "reveal", None)
    return reveal() if callable(reveal) else str(value)


class RunningContainer:
    """A container h2c started; keeps it around (no auto-remove) so its logs survive a crash."""

    def __init__(self, container: Any, masked: Sequence[str] = ()) -> None:
        self._c = container
        self._masked = sorted({v for v in masked if len(v) >= MASK_MIN_LEN}, key=len, reverse=True)
        self.id: str = container.id
        self.name: str = container.name
        self.host_port: int | None = None

    def _mask(self, text: str) -> str:
        for value in self._masked:
            text = text.replace(value, "****")
        return text

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

    def exec(self, cmd: Sequence[str] | str) -> tuple[int, str]:
        result = self._c.exec_run(cmd, stdout=True, stderr=True)
        return int(result.exit_code), self._mask(result.output.decode("utf-8", "replace"))

    def ip(self, network: str) -> str | None:
        """The container's IPv4 address on ``network`` (None when not attached to it)."""
        self._c.reload()
        networks = (self._c.attrs.get("NetworkSettings") or {}).get("Networks") or {}
        return str((networks.get(network) or {}).get("IPAddress") or "") or None


def wait_ready(
    container: RunningContainer,
    *,
    port_check: Callable[[], bool],
    deadline_s: float,
    interval_s: float = 0.25,
) -> None:
    """Poll until ``port_check`` passes; fail early and clearly if the container exits."""
    deadline = time.monotonic() + deadline_s
    while True:
        if container.status() in ("exited", "dead"):
            code = container.exit_code()
            tail = container.logs(tail=LOG_TAIL)
            raise ContainerExited(
                f"container {container.name} exited with code {code} before it was ready; "
                f"last log lines:\n{tail}",
                container_exit_code=code,
                log_tail=tail,
            )
        with contextlib.suppress(Exception):
            if port_check():
                return
        if time.monotonic() >= deadline:
            tail = container.logs(tail=LOG_TAIL)
            raise NotReady(
                f"container {container.name} did not become ready within {deadline_s:g} s; "
                f"last log lines:\n{tail}",
                log_tail=tail,
            )
        time.sleep(interval_s)


def http_ready(url: str, timeout_s: float = 2.0) -> Callable[[], bool]:
    """A readiness probe: any HTTP answer below 500 counts as ready."""

    def check() -> bool:
        try:
            return requests.get(url, timeout=timeout_s, allow_redirects=False).status_code < 500
        except requests.RequestException:
            return False

    return check


def tcp_ready(host: str, port: int, timeout_s: float = 1.0) -> Callable[[], bool]:
    """A readiness probe: the port accepts a TCP connection that stays open.

    Docker's userland proxy accepts on the published port even before the app listens, then
    closes the connection at once; so an immediate end of stream counts as not ready.
    """

    def check() -> bool:
        try:
            with socket.create_connection((host, port), timeout=timeout_s) as conn:
                conn.settimeout(0.3)
                try:
                    return conn.recv(1) != b""
                except TimeoutError:
                    return True
        except OSError:
            return False

    return check


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
            raise EnvironmentMissing(f"no Docker engine answers: {exc}; run scripts/setup") from exc
        return cls(client, session_id or new_session_id())

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup(self.session_id)

    def close(self) -> None:
        self.client.close()

    def image_present(self, name: str) -> bool:
        try:
            self.client.images.get(name)
        except docker.errors.ImageNotFound:
            return False
        return True

    def _require_images(self, names: Sequence[str]) -> None:
        for name in names:
            if self.image_present(name):
                continue
            if standins.canonical(name) in standins.CATALOG:
                raise EnvironmentMissing(
                    f"image {name} is not built yet: run scripts/setup "
                    f"(or python -m h2c.standins ensure {name})"
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
        lines: list[str] = []
        step: str | None = None
        image_id: str | None = None
        error: str | None = None
        pending = ""
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
                if "error" in chunk or "errorDetail" in chunk:
                    detail = chunk.get("errorDetail") or {}
                    error = str(chunk.get("error") or detail.get("message") or "build failed")
                    pending += error + "\n"
                pending += str(chunk.get("stream", ""))
                *complete, pending = pending.split("\n")
                for line in complete:
                    lines.append(line)
                    if line.startswith("Step "):
                        step = line
                    if on_line is not None:
                        on_line(line)
                aux = chunk.get("aux")
                if isinstance(aux, dict) and "ID" in aux:
                    image_id = str(aux["ID"])
        except docker.errors.APIError as exc:
            error = str(exc.explanation or exc)
        if pending:
            lines.append(pending)
            if on_line is not None:
                on_line(pending)
        if error is not None:
            raise BuildFailed(
                f"build of {tag} failed at {step or 'the start'}: {error.strip()}",
                step=step,
                log_tail=lines[-LOG_TAIL:],
            )
        if image_id is None:
            image_id = str(self.client.images.get(tag).id)
        return BuildResult(image_id, tag, time.monotonic() - started, len(lines))

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
    ) -> RunningContainer:
        """Start a detached, labelled container; ``port`` is published on a loopback port."""
        self._require_images([image])
        if isinstance(network, Network):
            network = network.name
        environment = {key: _plain(value) for key, value in (env or {}).items()}
        kwargs: dict[str, Any] = {}
        if network is not None:
            kwargs["network"] = network
            if aliases:
                endpoint = self.api.create_endpoint_config(aliases=list(aliases))
                kwargs["networking_config"] = {network: endpoint}
        try:
            container = self.client.containers.run(
                image,
                command,
                detach=True,
                environment=environment,
                name=name,
                labels=self.labels,
                ports={f"{port}/tcp": ("127.0.0.1", None)} if port is not None else None,
                **kwargs,
            )
        except docker.errors.APIError as exc:
            # The daemon's explanation names the image or option, never environment values.
            raise H2cError(f"cannot start a container from {image}: {exc.explanation}") from None
        running = RunningContainer(container, list(environment.values()))
        if port is not None:
            container.reload()
            bindings = (container.ports or {}).get(f"{port}/tcp") or []
            running.host_port = int(bindings[0]["HostPort"]) if bindings else None
        return running

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

    def remove_image(self, tag: str) -> None:
        """Untag (and delete when unused) an image h2c built; a missing one is fine."""
        with contextlib.suppress(docker.errors.ImageNotFound):
            self.client.images.remove(tag, force=True)

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


# --- Added for the gate's database checks (h2c.gate.db_fixtures) --------------------------------


def run_on_host_network(
    engine: Engine,
    image: str,
    *,
    command: list[str],
    env: Mapping[str, Any] | None = None,
) -> RunningContainer:
    """A detached, labelled one-off container in the host's network namespace.

    For a command that must reach a database listening only on the host's loopback (a local
    target cluster); nothing is published and no other traffic is implied.
    """
    engine._require_images([image])
    environment = {key: _plain(value) for key, value in (env or {}).items()}
    try:
        container = engine.client.containers.run(
            image,
            command,
            detach=True,
            environment=environment,
            labels=engine.labels,
            network_mode="host",
        )
    except docker.errors.APIError as exc:
        raise H2cError(f"cannot start a container from {image}: {exc.explanation}") from None
    return RunningContainer(container, list(environment.values()))


# --- Added for the gate's compose phase and parallel teardown (h2c.gate.fixtures, .compose) ----


def find_containers(engine: Engine, labels: Mapping[str, str]) -> list[RunningContainer]:
    """Containers, running or not, that carry every label given (``{}``: this session's).

    A compose project's containers are found by their ``com.docker.compose.*`` labels, so the
    gate asks the engine for their state instead of spawning ``docker-compose ps``.
    """
    wanted = [f"{key}={value}" for key, value in labels.items()]
    if not labels:
        wanted = [f"{LABEL}=1", f"{SESSION_LABEL}={engine.session_id}"]
    try:
        found = engine.client.containers.list(all=True, filters={"label": wanted})
    except docker.errors.APIError:
        return []
    return [RunningContainer(container) for container in found]


def published_port(container: RunningContainer, port: int) -> int | None:
    """The loopback host port publishing the container's ``port``/tcp, or None."""
    container._c.reload()
    bindings = (container._c.ports or {}).get(f"{port}/tcp") or []
    return int(bindings[0]["HostPort"]) if bindings else None
