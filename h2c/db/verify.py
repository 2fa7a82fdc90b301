"""Row counts and sequences, in parallel, with one connection per worker; and the full verify.

Counting happens in SQL (exact ``count(*)``, never ``reltuples``); Python only sees numbers.
The source is read in read-only transactions; all source workers share one exported snapshot so
their counts describe the same instant even if the source is still taking writes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from queue import SimpleQueue

import psycopg2
import psycopg2.errors

from h2c.db import catalog, schema
from h2c.db.conn import connect, qualified, quote_ident, session

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from typing import Any

    from h2c.db import checksums


@dataclass(frozen=True)
class TableCount:
    """Exact rows of one table on each side; ``None`` means the table is missing there."""

    table: str
    source: int | None
    target: int | None

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True)
class SequenceState:
    """A sequence owned by ``column`` (``schema.table.column``) and the column's max value."""

    sequence: str
    column: str
    last_value: int | None
    max_value: int | None

    @property
    def ok(self) -> bool:
        return self.max_value is None or (
            self.last_value is not None and self.last_value >= self.max_value
        )


@dataclass
class VerifyReport:
    """Everything ``h2c db verify`` found; ``ok`` only when nothing differs."""

    counts: list[TableCount] = field(default_factory=list)
    sequences: list[SequenceState] = field(default_factory=list)
    schema: list[schema.SchemaDifference] = field(default_factory=list)
    checksums: list[checksums.ChunkDifference] | None = None
    tables_without_pk: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            all(c.ok for c in self.counts)
            and all(s.ok for s in self.sequences)
            and not self.schema
            and not self.checksums
        )


class WorkerConnections:
    """One connection per worker thread and side, created on first use, all closed at the end.

    Source connections join the exported snapshot (read-only, repeatable read); target
    connections run in autocommit, so a table missing there fails one query, not the session.
    The connection that exported the snapshot is handed to its thread with ``adopt``.
    """

    def __init__(self, dsns: dict[str, str], readonly: set[str], snapshots: dict[str, str]):
        self._dsns, self._readonly, self.snapshots = dsns, readonly, snapshots
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def adopt(self, side: str, conn: Any) -> None:
        """Use ``conn`` for ``side`` in the calling thread (closed with the others)."""
        with self._lock:
            self._all.append(conn)
        self._local.__dict__.setdefault("conns", {})[side] = conn

    def get(self, side: str) -> Any:
        conns = self._local.__dict__.setdefault("conns", {})
        if side not in conns:
            conn = connect(self._dsns[side], readonly=side in self._readonly)
            with self._lock:
                self._all.append(conn)
            if side in self.snapshots:
                conn.set_session(isolation_level="REPEATABLE READ")
                with conn.cursor() as cur:
                    cur.execute("SET TRANSACTION SNAPSHOT %s", (self.snapshots[side],))
            elif side not in self._readonly:
                conn.autocommit = True
            conns[side] = conn
        return conns[side]

    def close(self) -> None:
        for conn in self._all:
            conn.close()


def export_snapshot(dsn: str) -> tuple[Any, str | None, dict[str, catalog.TableInfo]]:
    """A read-only repeatable-read connection, its exported snapshot id and the tables in it.

    The caller keeps the connection (and so the snapshot) open while others import it, and
    may count on it too: it sees the same snapshot.
    """
    conn = connect(dsn, readonly=True)
    try:
        conn.set_session(isolation_level="REPEATABLE READ")
        with conn.cursor() as cur:
            try:
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
            except psycopg2.Error:
                conn.rollback()
                snapshot = None  # e.g. a pooler in transaction mode: counts stay exact per table
        return conn, snapshot, {t.name: t for t in catalog.tables(conn)}
    except BaseException:
        conn.close()
        raise


def count_rows(
    source_dsn: str,
    target_dsn: str,
    workers: int | None = None,
    on_done: Callable[[str, str], None] | None = None,
) -> list[TableCount]:
    """Exact ``count(*)`` of every table on both sides, ``workers`` connections per side."""
    return _run(source_dsn, target_dsn, workers, on_done, catalogs=False).counts


@dataclass
class _Found:
    counts: list[TableCount]
    source_tables: dict[str, catalog.TableInfo]
    schema: list[schema.SchemaDifference] = field(default_factory=list)
    sequences: list[SequenceState] = field(default_factory=list)


class _Later:
    """The result of a queued task, waited for by a later task or by the caller."""

    def __init__(self, fn: Callable[[], Any]):
        self._fn, self._done = fn, threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as error:  # handed to whoever waits for it
            self._error = error
        finally:
            self._done.set()

    def cancel(self) -> None:
        self._error = RuntimeError("not run: an earlier step failed")
        self._done.set()

    def result(self) -> Any:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


class _Workers:
    """A first-in first-out task queue worked by ``size`` threads, the caller's included.

    A task may wait for the result of an earlier task (FIFO: it has already started), so no
    wait can deadlock. Lighter than concurrent.futures, whose import the CLI would pay for.
    Leaving the ``with`` block on an error skips the tasks not yet started.
    """

    def __init__(self, size: int):
        self._tasks: SimpleQueue[_Later | None] = SimpleQueue()
        self._cancelled = self._finished = False
        self._threads = [threading.Thread(target=self._work) for _ in range(size - 1)]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        self._cancelled = self._cancelled or kind is not None
        self.finish()

    def submit(self, fn: Callable[[], Any]) -> _Later:
        task = _Later(fn)
        self._tasks.put(task)
        return task

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            if self._cancelled:
                task.cancel()
            else:
                task.run()

    def finish(self) -> None:
        """Work in the calling thread until the queue is empty, then join the others."""
        if self._finished:
            return
        self._finished = True
        for _ in range(len(self._threads) + 1):
            self._tasks.put(None)
        try:
            self._work()
        except BaseException:  # e.g. Ctrl-C: let the other threads skip what is left
            self._cancelled = True
            raise
        finally:
            for thread in self._threads:
                thread.join()


def _run(
    source_dsn: str,
    target_dsn: str,
    workers: int | None,
    on_done: Callable[[str, str], None] | None,
    *,
    catalogs: bool,
) -> _Found:
    """Counts (largest tables first) and, with ``catalogs``, schema and sequence reads, all on
    one set of per-thread connections (the caller's thread is a worker too, counting on the
    connection that exported the source snapshot), so the catalog work fills gaps between the
    counts and there are as many connections as workers per side."""
    conns = WorkerConnections({"source": source_dsn, "target": target_dsn}, {"source"}, {})
    results: dict[tuple[str, str], int | None] = {}

    def count(side: str, table: str) -> None:
        try:
            with conns.get(side).cursor() as cur:
                cur.execute(f"SELECT count(*) FROM {qualified(table)}")
                results[(side, table)] = int(cur.fetchone()[0])
        except psycopg2.errors.UndefinedTable:
            if side == "source":
                raise
            results[(side, table)] = None  # missing on the target (autocommit: no rollback)
        if on_done:
            on_done(side, table)

    def read_target() -> tuple[set[str], schema.Snapshot | None]:
        if catalogs:
            snap = schema.read_from(conns.get("target"))
            return {name for kind, name in snap if kind == "table"}, snap
        return {t.name for t in catalog.tables(conns.get("target"))}, None

    try:
        with _Workers(workers or os.cpu_count() or 1) as pool:
            target_side = pool.submit(read_target)  # another thread starts on it at once
            exporter, snap, src_tables = export_snapshot(source_dsn)
            conns.adopt("source", exporter)
            if snap:
                conns.snapshots["source"] = snap
            order = sorted(src_tables.values(), key=lambda t: -t.estimated_rows)
            jobs = []
            source_schema = seqs = None
            for i, info in enumerate(order):
                jobs.append(pool.submit(partial(count, "source", info.name)))
                jobs.append(pool.submit(partial(count, "target", info.name)))
                if i == 0 and catalogs:  # after the two longest counts, beside the rest
                    source_schema = pool.submit(lambda: schema.read_from(conns.get("source")))
                    seqs = pool.submit(lambda: _sequence_states(conns.get("target")))
            if catalogs and source_schema is None:
                source_schema = pool.submit(lambda: schema.read_from(conns.get("source")))
                seqs = pool.submit(lambda: _sequence_states(conns.get("target")))

            def count_extra() -> list[str]:
                extra = sorted(target_side.result()[0] - set(src_tables))
                for name in extra:
                    count("target", name)
                return extra

            only_target = pool.submit(count_extra)
            pool.finish()
        for job in jobs:
            job.result()
        extra = only_target.result()
        found = _Found([], src_tables)
        if source_schema is not None and seqs is not None:
            found.schema = schema.compare(source_schema.result(), target_side.result()[1])
            found.sequences = seqs.result()
    finally:
        conns.close()
    names = sorted(set(src_tables) | set(extra))
    found.counts = [
        TableCount(n, results.get(("source", n)), results.get(("target", n))) for n in names
    ]
    return found


_OWNED_SEQUENCES = """
    SELECT sn.nspname, s.relname, tn.nspname, t.relname, a.attname, q.seqincrement
    FROM pg_depend d
    JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
    JOIN pg_namespace sn ON sn.oid = s.relnamespace
    JOIN pg_sequence q ON q.seqrelid = s.oid
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_namespace tn ON tn.oid = t.relnamespace
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
      AND d.deptype IN ('a', 'i') AND tn.nspname <> 'heroku_ext'
    ORDER BY 1, 2"""


def inventory(dsn: str) -> tuple[list[str], list[str]]:
    """App tables and column-owned sequences of a database (read-only), as ``schema.name``."""
    with session(dsn, readonly=True) as conn:
        tables = sorted(t.name for t in catalog.tables(conn))
        with conn.cursor() as cur:
            cur.execute(_OWNED_SEQUENCES)
            owned = sorted({f"{row[0]}.{row[1]}" for row in cur.fetchall()})
    return tables, owned


def sequences(target_dsn: str, *, readonly: bool = False) -> list[SequenceState]:
    """Every column-owned sequence with the value it last gave out and the column's max."""
    with session(target_dsn, readonly=readonly) as conn:
        return _sequence_states(conn)


def _sequence_states(conn) -> list[SequenceState]:  # type: ignore[no-untyped-def]
    """Two round trips whatever the number of sequences: list them, then read all at once."""
    with conn.cursor() as cur:
        cur.execute(_OWNED_SEQUENCES)
        owned = cur.fetchall()
        if not owned:
            return []
        parts = []
        for i, (seq_schema, seq, tab_schema, tab, column, increment) in enumerate(owned):
            agg = "max" if increment > 0 else "min"
            parts.append(
                f"SELECT {i}, last_value, is_called, (SELECT {agg}({quote_ident(column)})::bigint"
                f" FROM {quote_ident(tab_schema)}.{quote_ident(tab)})"
                f" FROM {quote_ident(seq_schema)}.{quote_ident(seq)}"
            )
        cur.execute(" UNION ALL ".join(parts))
        values = {row[0]: row[1:] for row in cur.fetchall()}
    states: list[SequenceState] = []
    for i, (seq_schema, seq, tab_schema, tab, column, increment) in enumerate(owned):
        last, called, extreme = values[i]
        effective = last if called else last - increment
        if increment < 0:  # a descending sequence: compare mirrored values
            effective, extreme = -effective, (None if extreme is None else -extreme)
        states.append(
            SequenceState(
                f"{seq_schema}.{seq}",
                f"{tab_schema}.{tab}.{column}",
                int(effective),
                None if extreme is None else int(extreme),
            )
        )
    return states


def verify(
    source_dsn: str,
    target_dsn: str,
    *,
    workers: int | None = None,
    with_checksums: bool = False,
    checksum_hash: str = "fast",
    on_done: Callable[[str, str], None] | None = None,
) -> VerifyReport:
    """Counts, sequences, schema and extension parity, and optionally chunked checksums."""
    found = _run(source_dsn, target_dsn, workers, on_done, catalogs=True)
    report = VerifyReport(found.counts, found.sequences, found.schema)
    src_tables = found.source_tables
    report.tables_without_pk = sorted(n for n, t in src_tables.items() if not t.primary_key)
    if with_checksums:
        from h2c.db import checksums  # its import is paid only when checksums are asked for

        present = {c.table for c in report.counts if c.source is not None and c.target is not None}
        both = [t for n, t in src_tables.items() if n in present]
        report.checksums = checksums.compare_tables(
            source_dsn, target_dsn, both, workers=workers, hash=checksum_hash
        )
    return report
