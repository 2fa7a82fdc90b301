"""A scratch database beside the target, for a dump-file source the gate must compare against.

Counting rows needs a server, so a dump file is restored into ``<db>_h2c_source_scratch`` on
the target's server and dropped afterwards. The dump file itself is only read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from h2c.db import restore
from h2c.db.conn import database_name, mask, quote_ident, session
from h2c.errors import EnvironmentMissing, InputError

SUFFIX = "_h2c_source_scratch"


def scratch_dsn(target_dsn: str) -> str:
    """The target URL with the scratch database's name.

    >>> scratch_dsn("postgresql://u:p@h:5/app?sslmode=require")
    'postgresql://u:p@h:5/app_h2c_source_scratch?sslmode=require'
    """
    parts = urlsplit(target_dsn)
    name = (database_name(target_dsn) or "postgres") + SUFFIX
    return urlunsplit(parts._replace(path="/" + name))


def _admin(target_dsn: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE / DROP DATABASE need that)."""
    import psycopg2

    with session(target_dsn, readonly=False) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            try:
                cur.execute(sql)
            except psycopg2.Error as error:
                reason = mask((error.pgerror or str(error)).strip().splitlines()[0])
                raise EnvironmentMissing(
                    f"cannot manage the scratch database on {mask(target_dsn)}: {reason} "
                    "(the role needs CREATEDB; or restore the dump yourself and pass its URL "
                    "as the source)"
                ) from None


def drop(target_dsn: str) -> None:
    """Drop the scratch database if it exists (a crashed run may have left one)."""
    name = database_name(scratch_dsn(target_dsn))
    _admin(target_dsn, f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")


@contextmanager
def restored(dump_file: Path, target_dsn: str) -> Iterator[tuple[str, restore.RestoreResult]]:
    """Restore ``dump_file`` into a fresh scratch database; yield its URL; drop it after.

    Pre-flight runs first, so a dump the local pg_restore cannot read raises
    EnvironmentMissing (naming both versions) before anything is created.
    """
    restore.preflight(dump_file)
    dsn = scratch_dsn(target_dsn)
    drop(target_dsn)
    _admin(target_dsn, f"CREATE DATABASE {quote_ident(database_name(dsn))} TEMPLATE template0")
    try:
        result = restore.restore(dump_file, dsn)
        if not result.ok:
            shown = "; ".join(result.errors[:3]) or f"pg_restore exit {result.returncode}"
            raise InputError(
                str(dump_file),
                f"the dump did not restore cleanly into the scratch database "
                f"{mask(dsn)} ({result.errors_ignored or len(result.errors)} errors: {shown})",
            )
        yield dsn, result
    finally:
        drop(target_dsn)
