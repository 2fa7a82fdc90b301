"""Sessions kept open across many queries: the per-thread ones verify counts on, and the
source + target pair checksums query side by side.

Source sessions are always read-only (``conn.connect``); a source snapshot exported once is
joined by every other source session, so all counts see the same instant.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from h2c.db import catalog, parallel
from h2c.db.conn import connect, scalar

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from typing import Any

    from psycopg2.extensions import connection


class WorkerConnections:
    """One connection per worker thread and side, created on first use, all closed at the end.

    Source connections join the exported snapshot (read-only, repeatable read); target
    connections run in autocommit, so a table missing there fails one query, not the session.
    The connection that exported the snapshot is handed to its thread with ``adopt``.
    """

    def __init__(self, dsns: dict[str, str], readonly: set[str], snapshots: dict[str, str]):
        self._dsns, self._readonly, self.snapshots = dsns, readonly, snapshots
        self._local = threading.local()
        self._all: list[connection] = []
        self._lock = threading.Lock()

    def _mine(self) -> dict[str, connection]:
        """The calling thread's connections, by side."""
        conns: dict[str, connection] = self._local.__dict__.setdefault("conns", {})
        return conns

    def adopt(self, side: str, conn: connection) -> None:
        """Use ``conn`` for ``side`` in the calling thread (closed with the others)."""
        with self._lock:
            self._all.append(conn)
        self._mine()[side] = conn

    def get(self, side: str) -> connection:
        """The calling thread's connection to ``side``, opened on first use."""
        conns = self._mine()
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
        """Close every connection any thread opened or adopted."""
        for conn in self._all:
            conn.close()


def export_snapshot(dsn: str) -> tuple[connection, str | None, dict[str, catalog.TableInfo]]:
    """A read-only repeatable-read connection, its exported snapshot id and the tables in it.

    The caller keeps the connection (and so the snapshot) open while others import it, and
    may count on it too: it sees the same snapshot.
    """
    import psycopg2

    conn = connect(dsn, readonly=True)
    try:
        conn.set_session(isolation_level="REPEATABLE READ")
        with conn.cursor() as cur:
            try:
                cur.execute("SELECT pg_export_snapshot()")
                snapshot: str | None = scalar(cur)
            except psycopg2.Error:
                conn.rollback()
                snapshot = None  # e.g. a pooler in transaction mode: counts stay exact per table
        return conn, snapshot, {t.name: t for t in catalog.tables(conn)}
    except BaseException:
        conn.close()
        raise


class Pair:
    """A source (read-only) and a target connection, queried concurrently.

    The source's query runs on the one worker thread while the caller runs the target's.
    """

    def __init__(self, source_dsn: str, target_dsn: str):
        self._pool = parallel.Workers(2)
        # both sessions open at once; if one fails, the other is closed
        opening = [
            self._pool.submit(lambda: connect(source_dsn, readonly=True)),
            parallel.Later(lambda: connect(target_dsn, readonly=False)),
        ]
        opening[1].run()  # in this thread, while the worker opens the source
        try:
            self.conns = [job.result() for job in opening]
        except BaseException:
            for job in opening:
                if job.exception() is None:
                    job.result().close()
            self._pool.finish()
            raise

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[Any], list[Any]]:
        """``sql`` on both sides at once: (source rows, target rows)."""

        def run(conn: connection) -> list[Any]:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())

        source = self._pool.submit(lambda: run(self.conns[0]))
        target = parallel.Later(lambda: run(self.conns[1]))
        target.run()  # both have ended before either error is raised, the source's first
        return source.result(), target.result()

    def close(self) -> None:
        """Stop the worker thread and close both sessions."""
        self._pool.finish()
        for conn in self.conns:
            conn.close()
