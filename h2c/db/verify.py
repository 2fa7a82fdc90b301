"""Row counts and sequences, in parallel, with one connection per worker; and the full verify.

Counting happens in SQL (exact ``count(*)``, never ``reltuples``); Python only sees numbers.
The source is read in read-only transactions; all source workers share one exported snapshot so
their counts describe the same instant even if the source is still taking writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import psycopg2.errors

from h2c.db import catalog, parallel, schema, sessions
from h2c.db.conn import qualified, quote_ident, scalar, session

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from psycopg2.extensions import connection

    from h2c.db import checksums

OnDone = Callable[[str, str], None]  # (side, table) once a count is done


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


def count_rows(
    source_dsn: str,
    target_dsn: str,
    workers: int | None = None,
    on_done: OnDone | None = None,
) -> list[TableCount]:
    """Exact ``count(*)`` of every table on both sides, ``workers`` connections per side."""
    return _run(source_dsn, target_dsn, workers, on_done, catalogs=False).counts


@dataclass
class _Found:
    """What one pass found; ``verify`` turns it into the report."""

    counts: list[TableCount]
    source_tables: dict[str, catalog.TableInfo]
    schema: list[schema.SchemaDifference] = field(default_factory=list)
    sequences: list[SequenceState] = field(default_factory=list)


def _run(
    source_dsn: str,
    target_dsn: str,
    workers: int | None,
    on_done: OnDone | None,
    *,
    catalogs: bool,
) -> _Found:
    """Counts (largest tables first) and, with ``catalogs``, schema and sequence reads, all on
    one set of per-thread connections (the caller's thread is a worker too, counting on the
    connection that exported the source snapshot), so the catalog work fills gaps between the
    counts and there are as many connections as workers per side."""
    dsns = {"source": source_dsn, "target": target_dsn}
    conns = sessions.WorkerConnections(dsns, {"source"}, {})
    try:
        with parallel.Workers(workers or os.cpu_count() or 1) as pool:
            run = _Pass(conns, pool, on_done, catalogs=catalogs)
            src_tables = run.join_source_snapshot(source_dsn)
            run.queue_counts(src_tables)
            only_target = pool.submit(partial(run.count_extra, src_tables))
            pool.finish()
        return run.found(src_tables, only_target)
    finally:
        conns.close()


class _Pass:
    """One verify pass over the workers: what it queued and the counts they came back with."""

    def __init__(
        self,
        conns: sessions.WorkerConnections,
        pool: parallel.Workers,
        on_done: OnDone | None,
        *,
        catalogs: bool,
    ):
        self._conns, self._pool, self._on_done, self._catalogs = conns, pool, on_done, catalogs
        self._results: dict[tuple[str, str], int | None] = {}
        self._counted: list[parallel.Later[None]] = []
        self._source_schema: parallel.Later[schema.Snapshot] | None = None
        self._sequences: parallel.Later[list[SequenceState]] | None = None
        self._target = pool.submit(self._read_target)  # another thread starts on it at once

    def _read_target(self) -> tuple[set[str], schema.Snapshot | None]:
        """The target's table names, and with ``catalogs`` its whole schema (one read)."""
        if self._catalogs:
            snap = schema.read_from(self._conns.get("target"))
            return {name for kind, name in snap if kind == "table"}, snap
        return set(catalog.table_names(self._conns.get("target"))), None

    def join_source_snapshot(self, source_dsn: str) -> dict[str, catalog.TableInfo]:
        """Export the source snapshot in this thread, which then counts on that connection."""
        exporter, snap, src_tables = sessions.export_snapshot(source_dsn)
        self._conns.adopt("source", exporter)
        if snap:
            self._conns.snapshots["source"] = snap
        return src_tables

    def queue_counts(self, src_tables: dict[str, catalog.TableInfo]) -> None:
        """Both sides' counts, largest table first; the catalog reads after the first two."""
        order = sorted(src_tables.values(), key=lambda t: -t.estimated_rows)
        for info in order:
            self._counted.append(self._pool.submit(partial(self._count, "source", info.name)))
            self._counted.append(self._pool.submit(partial(self._count, "target", info.name)))
            self._queue_catalogs()  # the first call: after the two longest counts
        self._queue_catalogs()  # no table at all: the catalogs are still read

    def _queue_catalogs(self) -> None:
        """The source schema and the target sequences, once, if this pass reads catalogs."""
        if self._catalogs and self._source_schema is None:
            self._source_schema = self._pool.submit(
                lambda: schema.read_from(self._conns.get("source"))
            )
            self._sequences = self._pool.submit(lambda: _sequence_states(self._conns.get("target")))

    def _count(self, side: str, table: str) -> None:
        """Exact rows of ``table`` on ``side``; missing on the target is None, not an error."""
        try:
            with self._conns.get(side).cursor() as cur:
                cur.execute(f"SELECT count(*) FROM {qualified(table)}")
                self._results[(side, table)] = int(scalar(cur))
        except psycopg2.errors.UndefinedTable:
            if side == "source":
                raise
            self._results[(side, table)] = None  # missing on the target (autocommit: no rollback)
        if self._on_done:
            self._on_done(side, table)

    def count_extra(self, src_tables: dict[str, catalog.TableInfo]) -> list[str]:
        """Count the tables only the target has (known once its catalog read is done)."""
        extra = sorted(self._target.result()[0] - set(src_tables))
        for name in extra:
            self._count("target", name)
        return extra

    def found(
        self, src_tables: dict[str, catalog.TableInfo], only_target: parallel.Later[list[str]]
    ) -> _Found:
        """Everything the finished pass learnt; a failed task's error is raised here."""
        for job in self._counted:
            job.result()
        extra = only_target.result()
        found = _Found([], src_tables)
        if self._source_schema is not None and self._sequences is not None:
            target_schema = self._target.result()[1] or {}
            found.schema = schema.compare(self._source_schema.result(), target_schema)
            found.sequences = self._sequences.result()
        names = sorted(set(src_tables) | set(extra))
        found.counts = [
            TableCount(n, self._results.get(("source", n)), self._results.get(("target", n)))
            for n in names
        ]
        return found


def inventory(dsn: str) -> tuple[list[str], list[str]]:
    """App tables and column-owned sequences of a database (read-only), as ``schema.name``."""
    with session(dsn, readonly=True) as conn:
        tables = sorted(catalog.table_names(conn))
        owned = sorted({f"{s.schema}.{s.name}" for s in catalog.owned_sequences(conn)})
    return tables, owned


def sequences(target_dsn: str, *, readonly: bool = False) -> list[SequenceState]:
    """Every column-owned sequence with the value it last gave out and the column's max."""
    with session(target_dsn, readonly=readonly) as conn:
        return _sequence_states(conn)


def _sequence_states(conn: connection) -> list[SequenceState]:
    """Two round trips whatever the number of sequences: list them, then read all at once."""
    owned = catalog.owned_sequences(conn)
    if not owned:
        return []
    with conn.cursor() as cur:
        cur.execute(" UNION ALL ".join(_read_sequence(i, seq) for i, seq in enumerate(owned)))
        values = {row[0]: row[1:] for row in cur.fetchall()}
    return [_state(seq, *values[i]) for i, seq in enumerate(owned)]


def _read_sequence(i: int, seq: catalog.OwnedSequence) -> str:
    """One branch of the union: row ``i``, the sequence's state and its column's extreme."""
    agg = "max" if seq.increment > 0 else "min"
    return (
        f"SELECT {i}, last_value, is_called, (SELECT {agg}({quote_ident(seq.column)})::bigint"
        f" FROM {quote_ident(seq.table_schema)}.{quote_ident(seq.table)})"
        f" FROM {quote_ident(seq.schema)}.{quote_ident(seq.name)}"
    )


def _state(
    seq: catalog.OwnedSequence, last: int, called: bool, extreme: int | None
) -> SequenceState:
    """The last value the sequence gave out against its column's extreme, both ascending."""
    effective = last if called else last - seq.increment
    if seq.increment < 0:  # a descending sequence: compare mirrored values
        effective, extreme = -effective, (None if extreme is None else -extreme)
    return SequenceState(
        f"{seq.schema}.{seq.name}",
        f"{seq.table_schema}.{seq.table}.{seq.column}",
        int(effective),
        None if extreme is None else int(extreme),
    )


def verify(
    source_dsn: str,
    target_dsn: str,
    *,
    workers: int | None = None,
    with_checksums: bool = False,
    checksum_hash: str = "fast",
    on_done: OnDone | None = None,
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
