"""What tables a database has and how to chunk them: primary key columns and their types."""

from __future__ import annotations

from dataclasses import dataclass

from h2c.db.conn import SYSTEM_SCHEMA_FILTER

INTEGER_TYPES = frozenset({"smallint", "integer", "bigint"})


@dataclass(frozen=True)
class TableInfo:
    """A table named ``schema.table``, its primary key columns (empty: no PK), its size guess."""

    name: str
    primary_key: tuple[str, ...]
    key_type: str | None
    estimated_rows: float

    @property
    def integer_key(self) -> bool:
        """A one-column integer key: chunks by arithmetic ranges, no sort needed."""
        return len(self.primary_key) == 1 and self.key_type in INTEGER_TYPES


def tables(conn) -> list[TableInfo]:  # type: ignore[no-untyped-def]
    """Every app table (largest first, so a pool starts the long work early)."""
    with conn.cursor() as cur:
        cur.execute(f"""
            SELECT n.nspname || '.' || c.relname,
                   coalesce((SELECT array_agg(a.attname ORDER BY k.ord)
                             FROM pg_constraint p
                             CROSS JOIN unnest(p.conkey) WITH ORDINALITY AS k(attnum, ord)
                             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                             WHERE p.conrelid = c.oid AND p.contype = 'p'), '{{}}'),
                   (SELECT format_type(a.atttypid, NULL) FROM pg_constraint p
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.conkey[1]
                    WHERE p.conrelid = c.oid AND p.contype = 'p'),
                   greatest(c.reltuples, c.relpages * 50)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMA_FILTER}
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 4 DESC, 1""")
        return [
            TableInfo(name, tuple(pk), key_type, float(est))
            for name, pk, key_type, est in cur.fetchall()
        ]
