"""docker-compose (Debian's 1.29, ``/usr/bin/docker-compose``) as an adapter for the gate.

Values for the compose file's bare ``KEY`` entries travel in the subprocess environment,
never on its command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from h2c.errors import EnvironmentMissing
from h2c.secret import Secret

DEFAULT_BINARY = "/usr/bin/docker-compose"


@dataclass(frozen=True)
class ComposeResult:
    rc: int
    output: str  # stdout and stderr together


def find_compose() -> str:
    if Path(DEFAULT_BINARY).is_file():
        return DEFAULT_BINARY
    found = shutil.which("docker-compose")
    if found is None:
        raise EnvironmentMissing("docker-compose not found (Debian package docker-compose)")
    return found


@dataclass(frozen=True)
class ComposeProject:
    """One throwaway compose project: a file, a unique project name, a working folder."""

    file: Path
    project: str
    workdir: Path
    env: Mapping[str, Secret]

    def _run(self, *args: str, timeout: float = 300) -> ComposeResult:
        environ = dict(os.environ)
        environ.update({key: value.reveal() for key, value in self.env.items()})
        command = [find_compose(), "-f", str(self.file), "-p", self.project, *args]
        try:
            done = subprocess.run(
                command,
                cwd=self.workdir,
                env=environ,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as late:
            text = late.stdout if isinstance(late.stdout, str) else ""
            return ComposeResult(124, text + f"\n(timed out after {timeout:.0f}s)")
        return ComposeResult(done.returncode, done.stdout)

    def up(self, *services: str) -> ComposeResult:
        return self._run("up", "-d", "--no-build", *services)

    def down(self, stop_timeout_s: int = 10) -> ComposeResult:
        """Stop (SIGTERM, then SIGKILL after ``stop_timeout_s``) and remove, with volumes."""
        return self._run("down", "-v", "--remove-orphans", "-t", str(stop_timeout_s), timeout=120)
