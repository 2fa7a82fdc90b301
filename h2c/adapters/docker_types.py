"""What the Docker adapter hands back: its errors, its result values and a Dockerfile reader.

Docker-free, so callers can catch ``BuildFailed`` or read an ``ImageInfo`` without importing the
SDK; ``h2c.adapters.docker`` and its two halves (``docker_images``, ``docker_containers``), the
only modules that import ``docker``, produce all of these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from h2c.errors import H2cError

LOG_TAIL = 30  # log lines kept for an error message
LABEL = "dev.h2c.managed"  # on everything h2c creates, so a clean-up finds it after a crash
SESSION_LABEL = "dev.h2c.session"  # which run created it: one session cleans only its own


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
    """A private network of the engine's; containers on it reach each other by alias."""

    name: str
    id: str


@dataclass(frozen=True)
class CleanupReport:
    """What a clean-up removed, by name, so a caller can say what a crash had left."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)


class StopResult(NamedTuple):
    seconds: float
    exit_code: int | None


@dataclass(frozen=True)
class ContainerState:
    """The engine's record of a container's life: whether it runs, when it started and ended.

    Times are the engine's (UTC); ``finished_at`` is None while it has not ended yet.
    ``oom_killed`` says the kernel killed it for going over its memory limit.
    """

    status: str
    running: bool
    exit_code: int | None  # None while running
    oom_killed: bool
    started_at: datetime | None
    finished_at: datetime | None
    restart_count: int

    def ran_for_s(self) -> float | None:
        """Seconds from its start to its end (None while it runs or when unknown)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


def engine_time(text: object) -> datetime | None:
    """An engine timestamp (RFC 3339, nanoseconds) as a datetime; None for the zero time.

    >>> engine_time("2026-12-01T09:19:36.476136457Z").isoformat()
    '2026-12-01T09:19:36.476136+00:00'
    >>> engine_time("0001-01-01T00:00:00Z") is None
    True
    """
    value = str(text or "")
    if not value or value.startswith("0001-"):
        return None
    head, _, rest = value.rstrip("Z").partition(".")
    digits = "".join(c for c in rest if c.isdigit())
    zone = rest[len(digits) :] or "+00:00"
    try:
        return datetime.fromisoformat(f"{head}.{(digits or '0')[:6]:0<6}{zone}")
    except ValueError:
        return None


@dataclass
class BuildLog:
    """Reads ``docker build``'s decoded JSON stream: log lines, last step, error and image id.

    Each complete line goes to ``on_line`` as it arrives, so a long build shows progress.

    >>> log = BuildLog()
    >>> for chunk in ({"stream": "Step 1/2 : FROM x\\n"}, {"stream": "Step 2/2 : RUN false\\n"},
    ...               {"error": "returned a non-zero code: 1"}):
    ...     log.feed(chunk)
    >>> log.close()
    >>> str(log.failure("app:1"))
    'build of app:1 failed at Step 2/2 : RUN false: returned a non-zero code: 1'
    """

    on_line: Callable[[str], None] | None = None
    lines: list[str] = field(default_factory=list)
    step: str | None = None
    image_id: str | None = None
    error: str | None = None
    pending: str = ""

    def feed(self, chunk: Mapping[str, Any]) -> None:
        """Take one decoded chunk of the stream."""
        if "error" in chunk or "errorDetail" in chunk:
            detail = chunk.get("errorDetail") or {}
            self.error = str(chunk.get("error") or detail.get("message") or "build failed")
            self.pending += self.error + "\n"
        self.pending += str(chunk.get("stream", ""))
        *complete, self.pending = self.pending.split("\n")
        for line in complete:
            self._add(line)
            if line.startswith("Step "):
                self.step = line
        aux = chunk.get("aux")
        if isinstance(aux, dict) and "ID" in aux:
            self.image_id = str(aux["ID"])

    def close(self) -> None:
        """The stream ended: keep a last line that had no newline."""
        if self.pending:
            self._add(self.pending)

    def failure(self, tag: str) -> BuildFailed:
        """The error to raise for a build that reported ``error``."""
        return BuildFailed(
            f"build of {tag} failed at {self.step or 'the start'}: {(self.error or '').strip()}",
            step=self.step,
            log_tail=self.lines[-LOG_TAIL:],
        )

    def _add(self, line: str) -> None:
        self.lines.append(line)
        if self.on_line is not None:
            self.on_line(line)
