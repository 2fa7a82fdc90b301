"""Restore a custom-format dump into the target: pre-flight, extensions first, parallel restore.

Pre-flight refuses (before touching the target) a file that is not a custom-format dump
(exit 2), a dump newer than the local pg_restore (exit 3, naming both versions) and a
non-empty target without ``force`` (exit 2). Any error pg_restore reports, including the
"errors ignored on restore: N" it exits 1 with, makes the result a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from h2c.db import archive, tools
from h2c.db.conn import SYSTEM_SCHEMA_FILTER, connect, database_name, mask, quote_ident, session
from h2c.errors import EnvironmentMissing, InputError

ProgressCallback = Callable[[int, int, str], None]

_ITEM_DONE = re.compile(r"^pg_restore: (?:processing item|finished item) (\d+) (.*)$")
_IGNORED = re.compile(r"errors ignored on restore: (\d+)")


@dataclass(frozen=True)
class Preflight:
    """What the pre-flight learned about the dump and the local pg_restore."""

    header: archive.Header
    entries: tuple[archive.TocEntry, ...]
    dumped_by: str | None
    pg_restore: tools.Tool


@dataclass
class RestoreResult:
    """The outcome of one restore; ``ok`` is False on any pg_restore error."""

    returncode: int
    errors: list[str] = field(default_factory=list)
    errors_ignored: int = 0
    items_done: int = 0
    items_total: int = 0
    extensions_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dumped_by: str | None = None
    pg_restore_version: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.errors and self.errors_ignored == 0


def preflight(file: str | Path, pg_restore: tools.Tool | None = None) -> Preflight:
    """Check the file and the client versions; raises InputError / EnvironmentMissing."""
    path, header, tool = _check_file(file, pg_restore)
    return _from_listing(path, header, tool, tools.run(tool, ["-l", str(path)]))


def _check_file(
    file: str | Path, pg_restore: tools.Tool | None
) -> tuple[Path, archive.Header, tools.Tool]:
    """The header checks, before any tool reads the file."""
    path = Path(file)
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as error:
        raise InputError(str(path), f"cannot read the dump: {error.strerror}") from None
    try:
        header = archive.parse_header(head)
    except archive.NotADump as error:
        raise InputError(
            str(path),
            f"not a custom-format pg_dump archive ({error}); make one "
            "with `pg_dump -Fc` or `heroku pg:backups:download`",
        ) from None
    tool = pg_restore or tools.find("pg_restore")
    _check_versions(path, header, header.dumped_by, tool)
    return path, header, tool


def _from_listing(
    path: Path, header: archive.Header, tool: tools.Tool, listing: tools.CommandResult
) -> Preflight:
    """The TOC from ``pg_restore -l`` output, or the error it stands for."""
    if listing.rc != 0:
        text = "; ".join(listing.stderr_lines)
        if "unsupported version" in text:
            raise EnvironmentMissing(
                f"{path}: pg_restore {tool.version} cannot read this dump "
                f"({text}); use a pg_restore at least as new as the dump"
            )
        raise InputError(str(path), f"pg_restore -l failed: {text}")
    entries, dumped_by = archive.parse_toc(listing.stdout)
    _check_versions(path, header, dumped_by, tool)
    return Preflight(header, tuple(entries), dumped_by or header.dumped_by, tool)


def _check_versions(
    path: Path, header: archive.Header, dumped_by: str | None, tool: tools.Tool
) -> None:
    newest = archive.newest_readable(tool.major)
    made_by = f"pg_dump {dumped_by}" if dumped_by else "an unknown pg_dump"
    if newest is not None and header.version[:2] > newest:
        raise EnvironmentMissing(
            f"{path}: dump archive version {header.archive_version} (made by {made_by}) is newer "
            f"than pg_restore {tool.version} reads (up to {newest[0]}.{newest[1]}); install a "
            "pg_restore at least as new as the pg_dump that made the file"
        )
    major = re.match(r"(\d+)", dumped_by or "")
    if major and int(major[1]) > tool.major:
        raise EnvironmentMissing(
            f"{path}: the dump was made by pg_dump {dumped_by}, newer than pg_restore "
            f"{tool.version}; install a pg_restore at least as new as the dump"
        )


def user_tables(conn) -> list[str]:  # type: ignore[no-untyped-def]
    """Tables (not belonging to an extension) in non-system schemas, as ``schema.table``."""
    with conn.cursor() as cur:
        cur.execute(f"""
            SELECT n.nspname || '.' || c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMA_FILTER}
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 1""")
        return [row[0] for row in cur.fetchall()]


def create_extensions(
    target_dsn: str, needed: list[archive.NeededExtension]
) -> tuple[list[str], list[str]]:
    """Create what the dump needs (schema first); returns (created, warnings)."""
    with session(target_dsn, readonly=False) as conn:
        return _create_extensions(conn, needed)


def _create_extensions(conn, needed: list[archive.NeededExtension]):  # type: ignore[no-untyped-def]
    created: list[str] = []
    warnings: list[str] = []
    if not needed:
        return created, warnings
    conn.autocommit = True  # each CREATE on its own, like psql
    with conn.cursor() as cur:
        cur.execute("SELECT name FROM pg_available_extensions")
        available = {row[0] for row in cur.fetchall()}
        for ext in needed:
            if ext.name not in available:
                warnings.append(f"extension {ext.name} is not available on the target")
                continue
            sql = f"CREATE EXTENSION IF NOT EXISTS {quote_ident(ext.name)}"
            if ext.schema:
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(ext.schema)}")
                sql += f" WITH SCHEMA {quote_ident(ext.schema)}"
            cur.execute(sql)
            created.append(f"{ext.schema}.{ext.name}" if ext.schema else ext.name)
    return created, warnings


def restore(
    file: str | Path,
    target_dsn: str,
    jobs: int | None = None,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
    *,
    create_needed_extensions: bool = True,
) -> RestoreResult:
    """Pre-flight, create needed extensions, then ``pg_restore -j N --no-owner --no-acl``.

    The pre-flight's parts run at once: ``pg_restore -l`` (the TOC), the pre-data pass that
    finds the extensions the schema needs, and the target's emptiness query; their verdicts
    are still given in that order, and nothing is written before all have passed.
    """
    path, header, tool = _check_file(file, None)
    listing_lines: list[str] = []
    schema_sql: list[str] = []
    running = [tools.Running(tool, ["-l", str(path)], listing_lines.append)]
    if create_needed_extensions:
        args = ["--section=pre-data", "-f", "-", str(path)]
        running.append(tools.Running(tool, args, schema_sql.append))
    conn = None
    try:
        try:
            conn = connect(target_dsn, readonly=False)
            conn.autocommit = True
        except InputError as error:  # cannot connect: said after what is wrong with the file
            unreachable = error
        existing = user_tables(conn) if conn is not None else []
        listed = running[0].wait()
        listing = tools.CommandResult(listed.rc, "\n".join(listing_lines), listed.stderr_lines)
        pre = _from_listing(path, header, tool, listing)
        if conn is None:
            raise unreachable
        if existing and not force:
            shown = ", ".join(existing[:5]) + (" ..." if len(existing) > 5 else "")
            raise InputError(
                mask(target_dsn),
                f"target database {database_name(target_dsn)!r} is "
                f"not empty ({len(existing)} tables: {shown}); pass --force to restore "
                "over it (objects in the dump are dropped and recreated)",
            )
        result = RestoreResult(
            returncode=0,
            items_total=len(pre.entries),
            dumped_by=pre.dumped_by,
            pg_restore_version=pre.pg_restore.version,
        )
        if create_needed_extensions:
            running[1].wait()
            needed = archive.needed_extensions(schema_sql)
            result.extensions_created, result.warnings = _create_extensions(conn, needed)
    finally:
        for proc in running:
            proc.stop()
        if conn is not None:
            conn.close()
    args = ["--no-owner", "--no-acl", "--verbose", f"--jobs={jobs or os.cpu_count() or 1}"]
    if existing:
        args += ["--clean", "--if-exists"]
    done: set[int] = set()

    def on_line(line: str) -> None:
        item = _ITEM_DONE.match(line)
        if item:
            done.add(int(item[1]))
            if on_progress:
                on_progress(min(len(done), result.items_total), result.items_total, item[2])
        elif line.startswith("pg_restore: error:"):
            result.errors.append(line)
        else:
            ignored = _IGNORED.search(line)
            if ignored:
                result.errors_ignored = int(ignored[1])

    run = tools.stream(pre.pg_restore, [*args, str(path)], dsn=target_dsn, on_line=on_line)
    result.returncode = run.rc
    result.items_done = min(len(done), result.items_total)
    if on_progress and result.ok:
        on_progress(result.items_total, result.items_total, "done")
    return result
