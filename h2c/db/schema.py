"""Schema parity: tables, columns and types, keys, indexes, sequences and extensions.

Each side is read from the catalogs into a flat ``{(kind, object): definition}`` map, so the
comparison is a pure function and every difference names its object.
"""

from __future__ import annotations

from dataclasses import dataclass

from h2c.db.conn import SYSTEM_SCHEMA_FILTER, session

Snapshot = dict[tuple[str, str], str]

_NOT_EXTENSION_MEMBER = """NOT EXISTS (SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass
    AND d.objid = c.oid AND d.deptype = 'e')"""

QUERIES = {
    "table": f"""
        SELECT n.nspname || '.' || c.relname, CASE c.relkind WHEN 'p' THEN 'partitioned table'
               ELSE 'table' END
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMA_FILTER} AND {_NOT_EXTENSION_MEMBER}""",
    "column": f"""
        SELECT n.nspname || '.' || c.relname || '.' || a.attname,
               format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          AND {SYSTEM_SCHEMA_FILTER} AND {_NOT_EXTENSION_MEMBER}""",
    "constraint": f"""
        SELECT n.nspname || '.' || c.relname || '.' || k.conname,
               CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE'
               ELSE 'FOREIGN KEY' END || ': ' || pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype IN ('p', 'u', 'f') AND {SYSTEM_SCHEMA_FILTER}""",
    "index": f"""
        SELECT n.nspname || '.' || c.relname, pg_get_indexdef(c.oid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {SYSTEM_SCHEMA_FILTER} AND {_NOT_EXTENSION_MEMBER}""",
    "sequence": f"""
        SELECT n.nspname || '.' || c.relname, format_type(s.seqtypid, NULL)
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {SYSTEM_SCHEMA_FILTER} AND {_NOT_EXTENSION_MEMBER}""",
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


def read_from(conn) -> Snapshot:  # type: ignore[no-untyped-def]
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
    from concurrent.futures import ThreadPoolExecutor  # not paid by `h2c db verify`

    with ThreadPoolExecutor(max_workers=2) as pool:
        src = pool.submit(read_snapshot, source_dsn, readonly=True)
        tgt = pool.submit(read_snapshot, target_dsn, readonly=False)
        differences = compare(src.result(), tgt.result())
    return [d for d in differences if kinds is None or d.kind in kinds]
