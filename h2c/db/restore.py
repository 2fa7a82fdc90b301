"""Restore a custom-format dump into the target: pre-flight, extensions first, parallel restore.

Pre-flight refuses (before touching the target) a file that is not a custom-format dump or
is truncated (its TOC and data offsets are checked against the file; exit 2), a dump newer
than the local pg_restore (exit 3, naming both versions) and a non-empty target (any object
of the app's kind: a table, sequence, function, type, schema...) without ``force`` (exit 2).
Any error pg_restore reports, including the "errors ignored on restore: N" it exits 1 with,
makes the result a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from h2c.db import archive, catalog, tools
from h2c.db.conn import connect, database_name, mask, quote_ident
from h2c.errors import EnvironmentMissing, InputError

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from psycopg2.extensions import connection

ProgressCallback = Callable[[int, int, str], None]

_ITEM_DONE = re.compile(r"^pg_restore: (?:processing item|finished item) (\d+) (.*)$")
_IGNORED = re.compile(r"errors ignored on restore: (\d+)")


class PartlyRestored(KeyboardInterrupt):
    """A restore interrupted while pg_restore ran: the target now holds part of the dump."""

    def __init__(self, target_dsn: str, path: Path, *, done: int, total: int) -> None:
        super().__init__(redo_hint(target_dsn, path, f"after {done} of {total} TOC entries"))


def redo_hint(target_dsn: str, path: str | Path, when: str) -> str:
    """What to tell a user whose restore stopped midway: the target is partly restored."""
    return (
        f"the restore stopped {when}: {mask(target_dsn)} is now partly restored. Redo it "
        f"with `h2c db restore {path} --to URL --force` (the dump's objects are dropped and "
        "recreated), or drop and recreate the database and restore again"
    )


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
    try:
        archive.check_data(path)
    except archive.Damaged as error:
        raise InputError(
            str(path),
            f"truncated or damaged dump: {error}; nothing was restored. Download or dump it "
            "again (`heroku pg:backups:download`, `h2c db dump`)",
        ) from None
    except OSError as error:
        raise InputError(str(path), f"cannot read the dump: {error.strerror}") from None
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
    """Refuse (exit 3) a dump this pg_restore cannot read, naming both versions."""
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


def _create_extensions(
    conn: connection, needed: list[archive.NeededExtension]
) -> tuple[list[str], list[str]]:
    """Create what the dump needs (its schema first), before pg_restore: (created, warnings).

    A Heroku dump leaves out ``heroku_ext``, the schema its extensions live in, so pg_restore
    alone would fail on every object that uses one.
    """
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

    Interrupted (KeyboardInterrupt) while pg_restore runs, pg_restore is stopped and
    ``PartlyRestored`` raised: the target holds part of the dump.

    The pre-flight's parts run at once: ``pg_restore -l`` (the TOC), the pre-data pass that
    finds the extensions the schema needs, and the target's emptiness query; their verdicts
    are still given in that order, and nothing is written before all have passed.
    """
    path, header, tool = _check_file(file, None)
    pre, existing, result = _prepare(
        path, header, tool, target_dsn, force=force, extensions=create_needed_extensions
    )
    args = ["--no-owner", "--no-acl", "--verbose", f"--jobs={jobs or os.cpu_count() or 1}"]
    if existing:
        args += ["--clean", "--if-exists"]
    progress = _Progress(result, on_progress)
    try:
        run = tools.stream(
            pre.pg_restore, [*args, str(path)], dsn=target_dsn, on_line=progress.read
        )
    except KeyboardInterrupt:
        done = len(progress.done)
        raise PartlyRestored(target_dsn, path, done=done, total=result.items_total) from None
    result.returncode = run.rc
    result.items_done = min(len(progress.done), result.items_total)
    if on_progress and result.ok:
        on_progress(result.items_total, result.items_total, "done")
    return result


class _Prepass:
    """``pg_restore -l`` and, if asked, the pre-data SQL pass, read in the background."""

    def __init__(self, tool: tools.Tool, path: Path, *, with_schema: bool):
        self._listing: list[str] = []
        self._schema_sql: list[str] = []
        self._running = [tools.Running(tool, ["-l", str(path)], self._listing.append)]
        if with_schema:
            args = ["--section=pre-data", "-f", "-", str(path)]
            self._running.append(tools.Running(tool, args, self._schema_sql.append))

    def listing(self) -> tools.CommandResult:
        """The TOC listing once ``pg_restore -l`` has ended (stdout and stderr)."""
        listed = self._running[0].wait()
        return tools.CommandResult(listed.rc, "\n".join(self._listing), listed.stderr_lines)

    def needed_extensions(self) -> list[archive.NeededExtension]:
        """What the schema SQL needs, once the pre-data pass has ended."""
        self._running[1].wait()
        return archive.needed_extensions(self._schema_sql)

    def stop(self) -> None:
        """End both passes (killed if still running: the pre-flight failed)."""
        for proc in self._running:
            proc.stop()


def _prepare(
    path: Path,
    header: archive.Header,
    tool: tools.Tool,
    target_dsn: str,
    *,
    force: bool,
    extensions: bool,
) -> tuple[Preflight, list[str], RestoreResult]:
    """The whole pre-flight, and the extensions; returns it, the tables already there, a result.

    Verdicts come in a fixed order (the file, then reaching the target, then its emptiness)
    whichever part finishes first.
    """
    prepass = _Prepass(tool, path, with_schema=extensions)
    conn: connection | None = None
    try:
        target = _open_target(target_dsn)
        conn = None if isinstance(target, InputError) else target
        existing = catalog.app_objects(conn) if conn is not None else []
        pre = _from_listing(path, header, tool, prepass.listing())
        if isinstance(target, InputError):  # said after what is wrong with the file
            raise target
        _refuse_non_empty(target_dsn, existing, force=force)
        result = RestoreResult(
            returncode=0,
            items_total=len(pre.entries),
            dumped_by=pre.dumped_by,
            pg_restore_version=pre.pg_restore.version,
        )
        if extensions:
            needed = prepass.needed_extensions()
            result.extensions_created, result.warnings = _create_extensions(target, needed)
    finally:
        prepass.stop()
        if conn is not None:
            conn.close()
    return pre, existing, result


def _open_target(target_dsn: str) -> connection | InputError:
    """An autocommit session on the target, or why there is none (raised later, in order)."""
    try:
        conn = connect(target_dsn, readonly=False)
    except InputError as error:
        return error
    conn.autocommit = True
    return conn


def _refuse_non_empty(target_dsn: str, existing: list[str], *, force: bool) -> None:
    """Without ``force``, a target that holds any object is refused (exit 2), naming some."""
    if existing and not force:
        shown = ", ".join(existing[:5]) + (" ..." if len(existing) > 5 else "")
        count = f"{len(existing)} object" + ("s" if len(existing) > 1 else "")
        raise InputError(
            mask(target_dsn),
            f"target database {database_name(target_dsn)!r} is not empty ({count}: {shown}); "
            "pass --force to restore over it (objects in the dump are dropped and recreated), "
            "or restore into a new database. A restore that was interrupted leaves its target "
            "partly restored like this: redo it with --force, or drop and recreate the database",
        )


class _Progress:
    """Reads ``pg_restore --verbose`` lines into the result (items done, errors) as they come."""

    def __init__(self, result: RestoreResult, on_progress: ProgressCallback | None):
        self._result, self._on_progress = result, on_progress
        self.done: set[int] = set()

    def read(self, line: str) -> None:
        """One stderr line: an item finished, an error, or the count of ignored errors."""
        result = self._result
        item = _ITEM_DONE.match(line)
        if item:
            self.done.add(int(item[1]))
            if self._on_progress:
                done = min(len(self.done), result.items_total)
                self._on_progress(done, result.items_total, item[2])
        elif line.startswith("pg_restore: error:"):
            result.errors.append(line)
        else:
            ignored = _IGNORED.search(line)
            if ignored:
                result.errors_ignored = int(ignored[1])
