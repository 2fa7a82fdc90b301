"""What the gate relies on of the Docker adapter: an engine, its containers and networks.

``typing.Protocol``s, docker-free, so ``h2c.gate`` is typed against these seams and never sees
an SDK type; ``h2c.adapters.docker.Engine`` and ``RunningContainer`` are the real ones, and a
test may hand in anything of the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, TypedDict, Unpack

from h2c.adapters.docker_types import (
    BuildResult,
    CleanupReport,
    ContainerState,
    ImageInfo,
    StopResult,
)


class Attachable(Protocol):
    """A network a container can join: the engine needs only its name."""

    @property
    def name(self) -> str: ...


class Watched(Protocol):
    """What a wait looks at while a container starts or runs (``h2c.adapters.polling``)."""

    @property
    def name(self) -> str: ...

    def status(self) -> str: ...

    def exit_code(self) -> int | None: ...

    def logs(self, tail: int | str = "all") -> str: ...


class Container(Watched, Protocol):
    """A container h2c started: run commands in it, look at its ports, stop and remove it."""

    @property
    def id(self) -> str: ...

    @property
    def host_port(self) -> int | None: ...

    def exec(self, cmd: Sequence[str] | str) -> tuple[int, str]: ...

    def state(self) -> ContainerState: ...

    def stop(self, timeout: int = 10) -> StopResult: ...

    def remove(self) -> None: ...

    def label(self, key: str) -> str | None: ...

    def ip(self, network: str) -> str | None: ...

    def published_port(self, port: int) -> int | None: ...

    def commit(
        self, tag: str, *, env: Mapping[str, str], user: str, labels: Mapping[str, str]
    ) -> str: ...


class RunOptions(TypedDict, total=False):
    """How ``Engine.run`` starts a container; each is optional (its default: none, no network)."""

    command: list[str] | None  # else the image's CMD
    env: Mapping[str, object] | None  # values may be ``Secret``s: revealed to the engine only
    port: int | None  # published on a loopback host port (``Container.host_port``)
    network: str | Attachable | None
    name: str | None
    aliases: Sequence[str]  # the container's names on ``network``
    user: str | None
    init: bool  # an init process as PID 1 (Convox's shareProcessNamespace), default False
    memory_mb: int | None  # the hard memory limit, swap included (Convox's memory limit)


class BuildOptions(TypedDict, total=False):
    """How ``Engine.build`` builds: the Dockerfile's name, a line callback, build arguments."""

    dockerfile: str  # default "Dockerfile"
    on_line: Callable[[str], None] | None
    buildargs: Mapping[str, str] | None


class Engine(Protocol):
    """The Docker Engine as the gate uses it: images, containers, networks, clean-up."""

    @property
    def session_id(self) -> str: ...

    def image_present(self, name: str) -> bool: ...

    def image_id(self, name: str) -> str | None: ...

    def image_info(self, tag: str) -> ImageInfo: ...

    def find_images(self, labels: Mapping[str, str]) -> list[str]: ...

    def remove_unused_image(self, ref: str) -> bool: ...

    def build(self, context: Path, *, tag: str, **options: Unpack[BuildOptions]) -> BuildResult: ...

    def run(self, image: str, **options: Unpack[RunOptions]) -> Container: ...

    def run_on_host_network(
        self, image: str, *, command: list[str], env: Mapping[str, object] | None = None
    ) -> Container: ...

    def find_containers(self, labels: Mapping[str, str]) -> Sequence[Container]: ...

    def network(self, name_hint: str) -> AbstractContextManager[Attachable]: ...

    def remove_labelled(self, labels: Mapping[str, str]) -> CleanupReport: ...
