"""Schema parity: tables, columns and types, keys, indexes, sequences and extensions.

Each side is read from the catalogs into a flat ``{(kind, object): definition}`` map, so the
comparison is a pure function and every difference names its object.
"""

from __future__ import annotations

from dataclasses import dataclass

from h2c.db import parallel
from h2c.db.catalog import APP_SCHEMA, APP_TABLES, IS_APP_TABLE, NOT_EXTENSION_MEMBER
from h2c.db.conn import session

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from psycopg2.extensions import connection

Snapshot = dict[tuple[str, str], str]

QUERIES = {
    "table": f"""
        SELECT n.nspname || '.' || c.relname, CASE c.relkind WHEN 'p' THEN 'partitioned table'
               ELSE 'table' END
        FROM {APP_TABLES}""",
    "column": f"""
        SELECT n.nspname || '.' || c.relname || '.' || a.attname,
               format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attnum > 0 AND NOT a.attisdropped AND {IS_APP_TABLE}""",
    "constraint": f"""
        SELECT n.nspname || '.' || c.relname || '.' || k.conname,
               CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE'
               ELSE 'FOREIGN KEY' END || ': ' || pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype IN ('p', 'u', 'f') AND {APP_SCHEMA}""",
    "index": f"""
        SELECT n.nspname || '.' || c.relname, pg_get_indexdef(c.oid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {APP_SCHEMA} AND {NOT_EXTENSION_MEMBER}""",
    "sequence": f"""
        SELECT n.nspname || '.' || c.relname, format_type(s.seqtypid, NULL)
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {APP_SCHEMA} AND {NOT_EXTENSION_MEMBER}""",
    "extension": "SELECT extname, 'installed' FROM pg_extension",
}


@dataclass(frozen=True)
class SchemaDifference:
    """One object that differs; ``None`` on a side means the object is missing there."""

    kind: str
    object: str
    source: str | None
    target: str | None

    def __str__(self) -> str:
        return f"{self.kind} {self.object}: source {self.source!r}, target {self.target!r}"


def read_snapshot(dsn: str, *, readonly: bool) -> Snapshot:
    """Every schema object of one database, keyed by (kind, qualified name)."""
    with session(dsn, readonly=readonly) as conn:
        return read_from(conn)


def read_from(conn: connection) -> Snapshot:
    """``read_snapshot`` on an open connection (one round trip for all kinds)."""
    snapshot: Snapshot = {}
    union = " UNION ALL ".join(
        f"SELECT '{kind}', q.* FROM ({sql}) q" for kind, sql in QUERIES.items()
    )
    with conn.cursor() as cur:
        cur.execute(union)
        for kind, name, definition in cur:
            snapshot[(kind, name)] = definition
    return snapshot


def compare(source: Snapshot, target: Snapshot) -> list[SchemaDifference]:
    """Differences between two snapshots, sorted by kind and object.

    >>> compare({("column", "public.t.a"): "integer"}, {("column", "public.t.a"): "bigint",
    ...          ("table", "public.x"): "table"})
    [SchemaDifference(kind='column', object='public.t.a', source='integer', target='bigint'), \
SchemaDifference(kind='table', object='public.x', source=None, target='table')]
    """
    keys = sorted(set(source) | set(target))
    return [
        SchemaDifference(kind, name, source.get((kind, name)), target.get((kind, name)))
        for kind, name in keys
        if source.get((kind, name)) != target.get((kind, name))
    ]


def diff(
    source_dsn: str, target_dsn: str, kinds: tuple[str, ...] | None = None
) -> list[SchemaDifference]:
    """Schema differences between the (read-only) source and the target, read concurrently."""
    src, tgt = parallel.run_all(
        2,
        [
            lambda: read_snapshot(source_dsn, readonly=True),
            lambda: read_snapshot(target_dsn, readonly=False),
        ],
    )
    return [d for d in compare(src, tgt) if kinds is None or d.kind in kinds]
