"""Dump a source database the way Heroku PGBackups does, without ever writing to it.

``pg_dump`` reads everything in one repeatable-read snapshot, so the file is consistent; we also
make every transaction of its session read-only (``default_transaction_read_only``). The file
appears whole (mode 0600) or not at all.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from h2c.adapters import atomic
from h2c.db import tools
from h2c.db.conn import mask
from h2c.errors import EnvironmentMissing, H2cError, InputError, VerificationFailed

# The manual equivalent of `heroku pg:backups:capture` (REFERENCE.md, Postgres migration).
HEROKU_DUMP_ARGS = ("--format=custom", "--no-owner", "--no-acl", "--exclude-schema=heroku_ext")


@dataclass(frozen=True)
class DumpResult:
    """Where the dump went and which pg_dump made it."""

    file: Path
    size: int
    pg_dump_version: str


# libpq's words for "could not reach or log in to the server" (PG 10 to 17)
_CONNECT = re.compile(
    r"connection to server|could not connect to server|could not translate host name", re.I
)


def dump(source_dsn: str, file: str | Path) -> DumpResult:
    """``pg_dump -Fc --no-owner --no-acl --exclude-schema=heroku_ext`` to ``file``.

    The dump goes to a temporary file beside ``file`` (mode 0600), fsynced and renamed over
    ``file`` only once pg_dump succeeded: a failed dump leaves an earlier one as it was.
    Cannot connect (wrong password, closed port, no such database): InputError (exit 2), as
    ``restore`` and ``verify`` say it; a full disk: EnvironmentMissing (exit 3).
    """
    path = Path(file)
    atomic.refuse_directory(path)
    pg_dump = tools.find("pg_dump")
    fd, tmp = atomic.open_temp(path, 0o600)
    try:
        try:
            args = list(HEROKU_DUMP_ARGS)
            run = tools.run(pg_dump, args, dsn=source_dsn, read_only=True, stdout_fd=fd)
            if run.rc == 0:
                os.fsync(fd)
        finally:
            os.close(fd)
        if run.rc != 0:
            raise _failure(source_dsn, path, run)
        atomic.commit(tmp, path)
    except OSError as error:
        atomic.discard(tmp)
        raise atomic.write_error(path, error) from None
    except BaseException:
        atomic.discard(tmp)
        raise
    return DumpResult(path, path.stat().st_size, pg_dump.version)


def _failure(source_dsn: str, path: Path, run: tools.CommandResult) -> H2cError:
    """What a failed pg_dump means: cannot connect (2), disk full (3), else a failure (1)."""
    lines = [line.removeprefix("pg_dump: error: ") for line in run.stderr_lines]
    detail = "; ".join(lines) or f"exit {run.rc}"
    if any(_CONNECT.search(line) for line in lines):
        return InputError(mask(source_dsn), f"cannot connect: {detail}")
    if any("No space left on device" in line for line in lines):
        return EnvironmentMissing(f"{path}: cannot write the dump: {detail}")
    return VerificationFailed(f"pg_dump of {mask(source_dsn)} failed: {detail}")
