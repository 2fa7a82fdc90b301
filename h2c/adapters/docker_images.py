"""The image half of ``h2c.adapters.docker``: build, look up, inspect and remove local images.

``Images`` is a base class of ``Engine`` (which holds the connection): callers keep asking the
engine, ``engine.build(...)``, ``engine.image_info(...)``. Nothing is pulled from a registry; a
missing base image is reported with the command that builds its offline stand-in.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Unpack

import docker.errors

from h2c.adapters.contracts import BuildOptions
from h2c.adapters.docker_types import BuildLog, BuildResult, ImageInfo
from h2c.artifacts.dockerfile import from_images
from h2c.errors import EnvironmentMissing
from h2c.standins import catalog as standins


class Images:
    """Image operations over the engine's SDK client (``client``) with h2c's labels."""

    client: Any  # docker.DockerClient
    api: Any  # its low-level APIClient: the build stream
    labels: dict[str, str]

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

    def build(self, context: Path, *, tag: str, **options: Unpack[BuildOptions]) -> BuildResult:
        """Build for real, streaming each log line; raise BuildFailed with the failing step."""
        dockerfile = options.get("dockerfile", "Dockerfile")
        buildargs = options.get("buildargs")
        text = (Path(context) / dockerfile).read_text(encoding="utf-8")
        self._require_images(from_images(text, buildargs))
        started = time.monotonic()
        log = BuildLog(options.get("on_line"))
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
        image_id = log.image_id or str(self.client.images.get(tag).id)
        return BuildResult(image_id, tag, time.monotonic() - started, len(log.lines))

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
