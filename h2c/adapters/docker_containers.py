"""A container h2c started, over the Docker SDK's: state, logs, exec, ports, stop, commit.

The container half of ``h2c.adapters.docker`` (which starts them and re-exports this class).
Environment values given at start are masked in the logs and exec output handed back.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from typing import Any

import docker.errors

from h2c.adapters.docker_types import SESSION_LABEL, ContainerState, StopResult, engine_time
from h2c.errors import H2cError
from h2c.secret import mask_values


class RunningContainer:
    """A container h2c started; keeps it around (no auto-remove) so its logs survive a crash.

    ``container`` is the SDK's ``Container`` (typed ``Any``: tests stand in a namespace).
    """

    def __init__(self, container: Any, masked: Sequence[str] = ()) -> None:
        self._c = container
        self._masked = tuple(masked)
        self.id: str = str(container.id)
        self.name: str = str(container.name)
        self.host_port: int | None = None

    def _mask(self, text: str) -> str:
        return mask_values(text, self._masked)

    def _attrs(self, key: str) -> dict[str, Any]:
        """One section of the engine's fresh inspect data (``{}`` when it has none)."""
        self._c.reload()
        return dict(self._c.attrs.get(key) or {})

    def status(self) -> str:
        self._c.reload()
        return str(self._c.status)

    def exit_code(self) -> int | None:
        """The exit code once the container has stopped, else None."""
        state = self._attrs("State")
        code = None if state.get("Running") else state.get("ExitCode")
        return None if code is None else int(code)

    def state(self) -> ContainerState:
        """The engine's fresh record of the container's life (start, end, restarts, OOM)."""
        self._c.reload()
        attrs = self._c.attrs or {}
        state = dict(attrs.get("State") or {})
        running = bool(state.get("Running"))
        code = state.get("ExitCode")
        return ContainerState(
            status=str(state.get("Status") or self._c.status),
            running=running,
            exit_code=None if running or code is None else int(code),
            oom_killed=bool(state.get("OOMKilled")),
            started_at=engine_time(state.get("StartedAt")),
            finished_at=None if running else engine_time(state.get("FinishedAt")),
            restart_count=int(attrs.get("RestartCount") or 0),
        )

    def logs(self, tail: int | str = "all") -> str:
        raw: bytes = self._c.logs(stdout=True, stderr=True, tail=tail)
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
        labels: dict[str, str] = self._c.labels or {}
        return labels.get(key)

    def exec(self, cmd: Sequence[str] | str) -> tuple[int, str]:
        """Run ``cmd`` in the running container; its exit code and output (stdout, stderr)."""
        result = self._c.exec_run(cmd, stdout=True, stderr=True)
        return int(result.exit_code), self._mask(result.output.decode("utf-8", "replace"))

    def ip(self, network: str) -> str | None:
        """The container's IPv4 address on ``network`` (None when not attached to it)."""
        networks = self._attrs("NetworkSettings").get("Networks") or {}
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
