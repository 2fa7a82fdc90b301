"""``docker save``: an image as the engine stores it, every layer, streamed to the caller.

The image scan (``checks/test_image.py``) reads each layer's tar from the host, so it sees
every file as root, including one a later layer deleted, and no config value ever sits in a
container's env. The docker CLI streams the archive (``docker save IMAGE`` on stdout, from
the engine ``DOCKER_HOST`` names, like the SDK's connection); nothing is written to disk.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from h2c.errors import EnvironmentMissing, H2cError

SAVE_TIMEOUT_S = 300.0


@contextmanager
def saved(image: str) -> Iterator[IO[bytes]]:
    """The ``docker save`` tar of ``image`` as a stream (a tar of layer tars and manifest.json).

    Raises ``EnvironmentMissing`` without the docker CLI, ``H2cError`` when the save failed
    (read to the end: a failure shows only once the stream is closed).
    """
    cli = shutil.which("docker")
    if cli is None:
        raise EnvironmentMissing(
            "the docker CLI is not on PATH: the image scan needs `docker save`"
        )
    with subprocess.Popen(
        [cli, "save", image],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        try:
            yield process.stdout
            process.stdout.read()  # what the reader left: the CLI must reach its end
        finally:
            process.stdout.close()
            error = process.stderr.read().decode("utf-8", "replace").strip()
            code = process.wait(timeout=SAVE_TIMEOUT_S)
    if code != 0:
        raise H2cError(f"`docker save {image}` failed (exit {code}): {error}")
