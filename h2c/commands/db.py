"""``h2c db dump | restore | verify``: move a Heroku Postgres database, prove nothing was lost."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from h2c import output
from h2c.errors import EXIT_FAILED, EXIT_OK, InputError

TYPE_CHECKING = False  # typing costs start-up time; only mypy needs these names
if TYPE_CHECKING:
    from typing import Any


URL_HELP = (
    "postgres://USER[:PASSWORD]@HOST:PORT/DB, or '$VAR' (quoted: h2c reads the variable, so "
    "no password shows in ps); without a password, PGPASSWORD or ~/.pgpass supply it"
)


def count(text: str) -> int:
    """A whole number of at least 1 (``--jobs``, ``--workers``); else a usage error (exit 2).

    >>> count("4")
    4
    >>> count("-3")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a whole number of at least 1, got '-3'
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def database_url(value: str, option: str) -> str:
    """The URL an option names: ``$VAR`` / ``${VAR}`` reads the environment (the one rule,
    ``h2c.gate.db_targets.expand``), so no password has to sit on h2c's command line."""
    if value.strip().startswith("$"):
        from h2c.gate.db_targets import expand  # only then: it costs start-up time

        return expand(value, os.environ, what=option)
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subparsers.add_parser("db", help="dump, restore and verify the Postgres database")
    sub = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND")
    sub.required = True

    dump = sub.add_parser("dump", help="pg_dump a source like Heroku pg:backups (read-only)")
    dump.add_argument("--from", dest="source", required=True, metavar="URL", help=URL_HELP)
    dump.add_argument("-o", "--output", required=True, metavar="FILE")
    dump.set_defaults(func=_dump)

    restore = sub.add_parser("restore", help="restore a custom-format dump into the target")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--to", dest="target", required=True, metavar="URL", help=URL_HELP)
    restore.add_argument("--jobs", "-j", type=count, default=os.cpu_count() or 1, metavar="N")
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore into a non-empty target (objects in the dump are replaced)",
    )
    restore.set_defaults(func=_restore)

    verify = sub.add_parser("verify", help="compare source and target: counts, schema, ...")
    verify.add_argument(
        "--source",
        required=True,
        metavar="URL|FILE",
        help="URL, or a custom-format dump file (restored into a scratch database on the "
        "target's server and dropped after); '$VAR' reads either from the environment",
    )
    verify.add_argument("--target", required=True, metavar="URL", help=URL_HELP)
    verify.add_argument("--checksums", action="store_true", help="also checksum rows by key range")
    verify.add_argument(
        "--hash",
        choices=("fast", "md5"),
        default="fast",
        help="row hash for --checksums: fast (default: hashtextextended, stable across "
        "PostgreSQL versions) or md5 (~2.5x slower)",
    )
    verify.add_argument("--workers", type=count, default=os.cpu_count() or 1, metavar="N")
    verify.add_argument("--json", action="store_true", help="print a machine-readable report")
    verify.set_defaults(func=_verify)

    snap = sub.add_parser("snapshot", help="a baseline for h2c postdeploy: counts, sequences, "
                          "schema digests per table (no data, no values), read-only")  # fmt: skip
    snap.add_argument("--from", dest="source", required=True, metavar="URL|$VAR")
    snap.add_argument("-o", "--output", required=True, metavar="FILE")
    snap.add_argument("--convox-app", metavar="NAME",
                      help="also record digests of this app's active release env")  # fmt: skip
    snap.add_argument("--rack", metavar="RACK")
    snap.add_argument("--convox-bin", metavar="PATH", help="the convox CLI (default: on PATH)")
    snap.set_defaults(func=_snapshot)


def _dump(args: argparse.Namespace) -> int:
    from h2c.db import conn, dump

    source = conn.check_url(database_url(args.source, "--from"), "--from")
    result = dump.dump(source, args.output)
    output.info(f"wrote {result.file} ({result.size} bytes, pg_dump {result.pg_dump_version})")
    return EXIT_OK


class _ProgressBar:
    """A restore progress bar on a terminal, made at the first report (so rich's import runs
    while pg_restore works); off when stderr is not a terminal, where rich would draw nothing."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def update(self, done: int, total: int, label: str) -> None:
        if self._progress is None:
            from rich.progress import Progress

            self._progress = Progress(console=output.err_console(), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("restoring", total=None)
        self._progress.update(self._task, completed=done, total=total, description=label[:40])

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _restore(args: argparse.Namespace) -> int:
    from h2c.db import conn, restore

    if not Path(args.file).is_file():
        raise InputError(args.file, "no such dump file")
    target = conn.check_url(database_url(args.target, "--to"), "--to")
    bar = _ProgressBar() if sys.stderr.isatty() else None
    try:
        result = restore.restore(
            args.file, target, args.jobs, args.force, bar.update if bar else None
        )
    finally:
        if bar:
            bar.close()
    for ext in result.extensions_created:
        output.info(f"created extension {ext} before the restore")
    for warning in result.warnings:
        output.warn(warning)
    if not result.ok:
        for line in result.errors:
            output.error(line)
        output.error(
            f"restore FAILED: pg_restore exit {result.returncode}, "
            f"{result.errors_ignored or len(result.errors)} errors"
        )
        output.error(restore.redo_hint(target, args.file, "with errors"))
        return EXIT_FAILED
    output.info(
        f"restored {result.items_total} TOC entries into {conn.mask(target)} "
        f"(pg_restore {result.pg_restore_version}, dump by pg_dump {result.dumped_by})"
    )
    return EXIT_OK


def _dump_source(value: str) -> Path | None:
    """The dump file ``--source`` names, or None when it is a URL (checked by the caller).

    An existing path is a dump; a value with ``://``, ``=`` or ``@`` that names no file is a
    connection string, never echoed (it may hold a password); anything else is a missing file.
    """
    if value and Path(value).exists():
        return Path(value)
    if not value or any(mark in value for mark in ("://", "=", "@")):
        return None
    raise InputError(value, "no such dump file (--source takes a postgres:// URL or a dump file)")


def _verify(args: argparse.Namespace) -> int:
    from h2c.db import conn

    source_arg = database_url(args.source, "--source")
    dump_file = _dump_source(source_arg)
    target = conn.check_url(database_url(args.target, "--target"), "--target")
    if dump_file is None:
        return _verify_pair(args, conn.check_url(source_arg, "--source"), target)
    from h2c.db import scratch

    with scratch.restored(dump_file, target) as (source, restored):
        note = (
            f"restored {dump_file} ({restored.items_total} TOC entries) into the scratch "
            f"database {conn.mask(source)} as the source; it is dropped after"
        )
        if args.json:  # stdout holds the report alone
            output.finding(f"info: {note}")
        else:
            output.info(note)
        for warning in restored.warnings:
            output.warn(warning)
        return _verify_pair(args, source, target)


def _verify_pair(args: argparse.Namespace, source: str, target: str) -> int:
    """Compare two databases and print the report; the source is only read."""
    from h2c.db import report, verify

    result = verify.verify(
        source, target, workers=args.workers, with_checksums=args.checksums, checksum_hash=args.hash
    )
    if args.json:
        output.raw(report.to_json(result))
    else:
        for title, columns, rows in report.sections(result):
            if rows:
                output.table(title, columns, rows)
        output.info(report.summary(result))
    return EXIT_OK if result.ok else EXIT_FAILED


def _snapshot(args: argparse.Namespace) -> int:
    """``h2c db snapshot``: the cut-over baseline ``h2c postdeploy --baseline`` reads."""
    from h2c.adapters.convox_cli import ConvoxCli
    from h2c.db import conn
    from h2c.gate.db_targets import expand
    from h2c.postdeploy.record import take_baseline, write_baseline

    source = conn.check_url(expand(args.source, os.environ, what="--from"), "--from")
    convox = ConvoxCli(args.convox_app, args.rack, args.convox_bin) if args.convox_app else None
    baseline = take_baseline(source, convox=convox, file=args.output)
    write_baseline(baseline, Path(args.output))
    tables = len(baseline.database.tables) if baseline.database else 0
    keys = f", {len(baseline.env.keys)} env digests" if baseline.env else ""
    output.info(f"wrote {args.output} ({tables} tables{keys}) from {conn.mask(source)}")
    return EXIT_OK
