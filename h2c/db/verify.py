"""Row counts and sequences, in parallel, with one connection per worker; and the full verify.

Counting happens in SQL (exact ``count(*)``, never ``reltuples``); Python only sees numbers.
The source is read in read-only transactions; all source workers share one exported snapshot so
their counts describe the same instant even if the source is still taking writes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg2

from h2c.db import catalog, checksums, schema
from h2c.db.conn import connect, qualified, quote_ident, session


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
    """One connection per worker thread and side, created on first use, all closed at the end."""

    def __init__(self, dsns: dict[str, str], readonly: set[str], snapshots: dict[str, str]):
        self._dsns, self._readonly, self._snapshots = dsns, readonly, snapshots
        self._local = threading.local()
        self._all: list[psycopg2.extensions.connection] = []
        self._lock = threading.Lock()

    def get(self, side: str) -> psycopg2.extensions.connection:
        conns = self._local.__dict__.setdefault("conns", {})
        if side not in conns:
            conn = connect(self._dsns[side], readonly=side in self._readonly)
            with self._lock:
                self._all.append(conn)
            if side in self._snapshots:
                conn.set_session(isolation_level="REPEATABLE READ")
                with conn.cursor() as cur:
                    cur.execute("SET TRANSACTION SNAPSHOT %s", (self._snapshots[side],))
            conns[side] = conn
        return conns[side]

    def close(self) -> None:
        for conn in self._all:
            conn.close()


@contextmanager
def exported_snapshot(dsn: str) -> Iterator[tuple[str | None, dict[str, catalog.TableInfo]]]:
    """Hold a read-only repeatable-read transaction open; yield its snapshot id and tables."""
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
        yield snapshot, {t.name: t for t in catalog.tables(conn)}
    finally:
        conn.close()


def _table_names(dsn: str, *, readonly: bool) -> dict[str, catalog.TableInfo]:
    with session(dsn, readonly=readonly) as conn:
        return {t.name: t for t in catalog.tables(conn)}


def count_rows(
    source_dsn: str,
    target_dsn: str,
    workers: int | None = None,
    on_done: Callable[[str, str], None] | None = None,
) -> list[TableCount]:
    """Exact ``count(*)`` of every table on both sides, ``workers`` connections per side."""
    return _count_rows(source_dsn, target_dsn, workers, on_done)[0]


def _count_rows(
    source_dsn: str,
    target_dsn: str,
    workers: int | None,
    on_done: Callable[[str, str], None] | None,
) -> tuple[list[TableCount], dict[str, catalog.TableInfo]]:
    results: dict[tuple[str, str], int] = {}
    with exported_snapshot(source_dsn) as (snap, src_tables):
        tgt_tables = _table_names(target_dsn, readonly=False)
        size = {
            **{n: t.estimated_rows for n, t in tgt_tables.items()},
            **{n: t.estimated_rows for n, t in src_tables.items()},
        }
        tasks = sorted(
            [("source", n) for n in src_tables] + [("target", n) for n in tgt_tables],
            key=lambda task: -size[task[1]],
        )
        pool_conns = WorkerConnections(
            {"source": source_dsn, "target": target_dsn},
            {"source"},
            {"source": snap} if snap else {},
        )

        def count(task: tuple[str, str]) -> None:
            side, table = task
            with pool_conns.get(side).cursor() as cur:
                cur.execute(f"SELECT count(*) FROM {qualified(table)}")
                results[task] = int(cur.fetchone()[0])
            if on_done:
                on_done(side, table)

        try:
            with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
                list(pool.map(count, tasks))
        finally:
            pool_conns.close()
    names = sorted(set(src_tables) | set(tgt_tables))
    counts = [TableCount(n, results.get(("source", n)), results.get(("target", n))) for n in names]
    return counts, src_tables


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


def sequences(target_dsn: str) -> list[SequenceState]:
    """Every column-owned sequence with the value it last gave out and the column's max."""
    states: list[SequenceState] = []
    with session(target_dsn, readonly=False) as conn, conn.cursor() as cur:
        cur.execute(_OWNED_SEQUENCES)
        for seq_schema, seq, tab_schema, tab, column, increment in cur.fetchall():
            seq_name = f"{quote_ident(seq_schema)}.{quote_ident(seq)}"
            cur.execute(f"SELECT last_value, is_called FROM {seq_name}")
            last, called = cur.fetchone()
            effective = last if called else last - increment
            agg = "max" if increment > 0 else "min"
            cur.execute(
                f"SELECT {agg}({quote_ident(column)}) FROM "
                f"{quote_ident(tab_schema)}.{quote_ident(tab)}"
            )
            extreme = cur.fetchone()[0]
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
    checksum_hash: str = "md5",
    on_done: Callable[[str, str], None] | None = None,
) -> VerifyReport:
    """Counts, sequences, schema and extension parity, and optionally chunked checksums."""
    report = VerifyReport()
    with ThreadPoolExecutor(max_workers=1) as side:  # light catalog work beside the counting
        schema_diff = side.submit(schema.diff, source_dsn, target_dsn)
        seqs = side.submit(sequences, target_dsn)
        report.counts, src_tables = _count_rows(source_dsn, target_dsn, workers, on_done)
        report.schema, report.sequences = schema_diff.result(), seqs.result()
    report.tables_without_pk = sorted(n for n, t in src_tables.items() if not t.primary_key)
    if with_checksums:
        present = {c.table for c in report.counts if c.source is not None and c.target is not None}
        both = [t for n, t in src_tables.items() if n in present]
        report.checksums = checksums.compare_tables(
            source_dsn, target_dsn, both, workers=workers, hash=checksum_hash
        )
    return report
