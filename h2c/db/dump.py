"""Dump a source database the way Heroku PGBackups does, without ever writing to it.

``pg_dump`` reads everything in one repeatable-read snapshot, so the file is consistent; we also
make every transaction of its session read-only (``default_transaction_read_only``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from h2c.db import tools
from h2c.db.conn import mask
from h2c.errors import VerificationFailed

# The manual equivalent of `heroku pg:backups:capture` (REFERENCE.md, Postgres migration).
HEROKU_DUMP_ARGS = ("--format=custom", "--no-owner", "--no-acl", "--exclude-schema=heroku_ext")


@dataclass(frozen=True)
class DumpResult:
    """Where the dump went and which pg_dump made it."""

    file: Path
    size: int
    pg_dump_version: str


def dump(source_dsn: str, file: str | Path) -> DumpResult:
    """``pg_dump -Fc --no-owner --no-acl --exclude-schema=heroku_ext`` to ``file``."""
    path = Path(file)
    pg_dump = tools.find("pg_dump")
    run = tools.run(pg_dump, [*HEROKU_DUMP_ARGS, f"--file={path}"], dsn=source_dsn, read_only=True)
    if run.rc != 0:
        detail = "; ".join(run.stderr_lines) or f"exit {run.rc}"
        raise VerificationFailed(f"pg_dump of {mask(source_dsn)} failed: {detail}")
    return DumpResult(path, path.stat().st_size, pg_dump.version)
