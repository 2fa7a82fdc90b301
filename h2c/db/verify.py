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
import psycopg2.errors

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
    """One connection per worker thread and side, created on first use, all closed at the end.

    Source connections join the exported snapshot (read-only, repeatable read); target
    connections run in autocommit, so a table missing there fails one query, not the session.
    """

    def __init__(self, dsns: dict[str, str], readonly: set[str], snapshots: dict[str, str]):
        self._dsns, self._readonly, self.snapshots = dsns, readonly, snapshots
        self._local = threading.local()
        self._all: list[psycopg2.extensions.connection] = []
        self._lock = threading.Lock()

    def get(self, side: str) -> psycopg2.extensions.connection:
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


def _run(
    source_dsn: str,
    target_dsn: str,
    workers: int | None,
    on_done: Callable[[str, str], None] | None,
    *,
    catalogs: bool,
) -> _Found:
    """Counts (largest tables first) and, with ``catalogs``, schema and sequence reads, all on
    one pool of per-thread connections, so the catalog work fills gaps between the counts."""
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

    def target_tables() -> set[str]:
        if catalogs:
            return {name for kind, name in target_schema.result() if kind == "table"}
        return {t.name for t in catalog.tables(conns.get("target"))}

    try:
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            target_schema = pool.submit(lambda: schema.read_from(conns.get("target")))
            with exported_snapshot(source_dsn) as (snap, src_tables):
                if snap:
                    conns.snapshots["source"] = snap
                order = sorted(src_tables.values(), key=lambda t: -t.estimated_rows)
                jobs = []
                for i, info in enumerate(order):
                    jobs += [pool.submit(count, "source", info.name)]
                    jobs += [pool.submit(count, "target", info.name)]
                    if i == 0 and catalogs:  # after the two longest counts, beside the rest
                        source_schema = pool.submit(lambda: schema.read_from(conns.get("source")))
                        seqs = pool.submit(lambda: _sequence_states(conns.get("target")))
                if not order and catalogs:
                    source_schema = pool.submit(lambda: schema.read_from(conns.get("source")))
                    seqs = pool.submit(lambda: _sequence_states(conns.get("target")))
                only_target = pool.submit(target_tables)
                for job in jobs:
                    job.result()
                found = _Found([], src_tables)
                if catalogs:
                    found.schema = schema.compare(source_schema.result(), target_schema.result())
                    found.sequences = seqs.result()
            extra = sorted(only_target.result() - set(src_tables))
            for job in [pool.submit(count, "target", name) for name in extra]:
                job.result()
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
    checksum_hash: str = "md5",
    on_done: Callable[[str, str], None] | None = None,
) -> VerifyReport:
    """Counts, sequences, schema and extension parity, and optionally chunked checksums."""
    found = _run(source_dsn, target_dsn, workers, on_done, catalogs=True)
    report = VerifyReport(found.counts, found.sequences, found.schema)
    src_tables = found.source_tables
    report.tables_without_pk = sorted(n for n, t in src_tables.items() if not t.primary_key)
    if with_checksums:
        present = {c.table for c in report.counts if c.source is not None and c.target is not None}
        both = [t for n, t in src_tables.items() if n in present]
        report.checksums = checksums.compare_tables(
            source_dsn, target_dsn, both, workers=workers, hash=checksum_hash
        )
    return report
