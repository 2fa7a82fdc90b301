"""The pg_dump / pg_restore adapter: finding the client tools, their versions, running them.

Passwords go to the child through ``PGPASSWORD``, never on the command line (``ps`` shows
argv), and every line we hand back has postgres URLs masked.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from h2c.db.conn import mask, split_password
from h2c.errors import EnvironmentMissing

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Tool:
    """A located client binary and its version, e.g. ``pg_restore`` 15.18."""

    name: str
    path: str
    version: str

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


@dataclass(frozen=True)
class CommandResult:
    """What a finished tool run left behind (stderr lines already masked)."""

    rc: int
    stdout: str
    stderr_lines: tuple[str, ...]


def parse_version(text: str) -> str | None:
    """The version from ``--version`` output.

    >>> parse_version("pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)")
    '15.18'
    >>> parse_version("pg_dump (PostgreSQL) 17beta1") is None
    False
    """
    match = _VERSION.search(text)
    if not match:
        return None
    return match[1] + (f".{match[2]}" if match[2] else "")


def find(name: str) -> Tool:
    """``H2C_PG_BIN``, then PATH, then the newest ``/usr/lib/postgresql/*/bin``; else exit 3."""
    candidates: list[str] = []
    if os.environ.get("H2C_PG_BIN"):
        candidates.append(str(Path(os.environ["H2C_PG_BIN"]) / name))
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: _major_of_dir(p))
    newest = [str(Path(d) / name) for d in reversed(dirs)]
    on_path = shutil.which(name)
    # Debian's /usr/bin/pg_restore is pg_wrapper, a Perl script (~25 ms per call) that runs the
    # newest /usr/lib/postgresql/*/bin binary when no local cluster is configured: call that one.
    if on_path and not (_is_pg_wrapper(on_path) and any(Path(p).is_file() for p in newest)):
        candidates.append(on_path)
    candidates += newest
    for path in candidates:
        if Path(path).is_file():
            out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
            version = parse_version(out.stdout)
            if out.returncode == 0 and version:
                return Tool(name, path, version)
    raise EnvironmentMissing(f"{name} not found: install the PostgreSQL client (postgresql-client)")


def _is_pg_wrapper(path: str) -> bool:
    return Path(os.path.realpath(path)).name == "pg_wrapper"


def _major_of_dir(path: str) -> int:
    try:
        return int(Path(path).parent.name)
    except ValueError:
        return 0


def _env(dsn: str | None) -> tuple[dict[str, str], str | None, str | None]:
    """The child's environment (with PGPASSWORD), the URL without password, the password."""
    env = dict(os.environ)
    if dsn is None:
        return env, None, None
    clean, password = split_password(dsn)
    if password is not None:
        env["PGPASSWORD"] = password
    return env, clean, password


def run(
    tool: Tool,
    args: Sequence[str],
    *,
    dsn: str | None = None,
    read_only: bool = False,
    stdout_fd: int | None = None,
) -> CommandResult:
    """Run a tool to completion; ``dsn`` is passed as ``--dbname`` without its password.

    With ``stdout_fd`` the tool's output goes to that open file (``pg_dump`` to a temporary
    file h2c created), else it is captured.
    """
    env, clean, password = _env(dsn)
    if read_only:
        env["PGOPTIONS"] = (
            env.get("PGOPTIONS", "") + " -c default_transaction_read_only=on"
        ).strip()
    argv = [tool.path, *args] + ([f"--dbname={clean}"] if clean else [])
    out = subprocess.PIPE if stdout_fd is None else stdout_fd
    done = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, text=True, env=env, check=False)
    lines = tuple(mask(line, password) for line in done.stderr.splitlines())
    return CommandResult(done.returncode, done.stdout or "", lines)


def stream(
    tool: Tool, args: Sequence[str], *, dsn: str | None, on_line: Callable[[str], None]
) -> CommandResult:
    """Run a tool, handing each (masked) stderr line to ``on_line`` as it arrives."""
    env, clean, password = _env(dsn)
    argv = [tool.path, *args] + ([f"--dbname={clean}"] if clean else [])
    lines: list[str] = []
    with subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, bufsize=1
    ) as proc:
        assert proc.stderr is not None
        try:
            for raw in proc.stderr:
                line = mask(raw.rstrip("\n"), password)
                lines.append(line)
                on_line(line)
        except BaseException:  # interrupted (SIGINT to h2c alone): the tool stops with h2c
            stop(proc)
            raise
        rc = proc.wait()
    return CommandResult(rc, "", tuple(lines))


def stop(proc: subprocess.Popen[str], wait_s: float = 10.0) -> None:
    """Terminate a tool and reap it (killed if it does not end within ``wait_s``)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Running:
    """A tool started in the background; stdout lines go to ``on_line`` as they arrive.

    Lets the pre-flight run ``pg_restore -l``, the schema pass and a database query at once.
    """

    def __init__(self, tool: Tool, args: Sequence[str], on_line: Callable[[str], None]):
        self._proc = subprocess.Popen(
            [tool.path, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self._err: list[str] = []
        self._readers = [
            threading.Thread(target=self._pump, args=(self._proc.stdout, on_line), daemon=True),
            threading.Thread(target=self._pump, args=(self._proc.stderr, self._err.append)),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _pump(stream: Any, on_line: Callable[[str], None]) -> None:
        for line in stream:
            on_line(line.rstrip("\n"))
        stream.close()

    def wait(self) -> CommandResult:
        """Wait for the end; the result holds the (masked) stderr lines, not stdout."""
        for reader in self._readers:
            reader.join()
        rc = self._proc.wait()
        return CommandResult(rc, "", tuple(mask(line) for line in self._err))

    def stop(self) -> None:
        """Kill the tool if it still runs (pre-flight failed) and reap it."""
        if self._proc.poll() is None:
            self._proc.kill()
        self.wait()
