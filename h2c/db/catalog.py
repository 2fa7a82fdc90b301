"""What a database holds that is the app's: its tables (keys, size guess) and owned sequences.

The one place that says which catalog rows are the app's, so restore's emptiness check,
verify's counts and schema parity can never disagree about what "the app's tables" are.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from psycopg2.extensions import connection

INTEGER_TYPES = frozenset({"smallint", "integer", "bigint"})

# Schemas whose objects are not the app's data: catalogs, toast, and Heroku's extension schema
# (SQL over ``pg_namespace n``).
APP_SCHEMA = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema', 'heroku_ext') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
)
# A relation (``pg_class c``) an extension did not create (those are restored by the extension).
NOT_EXTENSION_MEMBER = """NOT EXISTS (SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass
    AND d.objid = c.oid AND d.deptype = 'e')"""
# ``pg_class c`` (in ``pg_namespace n``) is one of the app's tables, plain or partitioned.
IS_APP_TABLE = f"c.relkind IN ('r', 'p') AND {APP_SCHEMA} AND {NOT_EXTENSION_MEMBER}"
# The app's tables, for a FROM clause.
APP_TABLES = f"pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {IS_APP_TABLE}"

_TABLES = f"""
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
    FROM {APP_TABLES}
    ORDER BY 4 DESC, 1"""

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


@dataclass(frozen=True)
class OwnedSequence:
    """A sequence owned by a column (serial or identity), named by its parts, unquoted."""

    schema: str
    name: str
    table_schema: str
    table: str
    column: str
    increment: int


def tables(conn: connection) -> list[TableInfo]:
    """Every app table (largest first, so a pool starts the long work early)."""
    with conn.cursor() as cur:
        cur.execute(_TABLES)
        return [
            TableInfo(name, tuple(pk), key_type, float(est))
            for name, pk, key_type, est in cur.fetchall()
        ]


def table_names(conn: connection) -> list[str]:
    """Every app table as ``schema.table``, sorted: cheaper than ``tables`` (no key reads)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT n.nspname || '.' || c.relname FROM {APP_TABLES} ORDER BY 1")
        return [row[0] for row in cur.fetchall()]


def owned_sequences(conn: connection) -> list[OwnedSequence]:
    """Every column-owned sequence outside ``heroku_ext``, sorted by schema and name."""
    with conn.cursor() as cur:
        cur.execute(_OWNED_SEQUENCES)
        return [OwnedSequence(*row) for row in cur.fetchall()]


def _not_member(catalog: str, alias: str) -> str:
    """SQL: the object ``alias.oid`` of ``catalog`` was not created by an extension."""
    return (
        f"NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass "
        f"AND d.objid = {alias}.oid AND d.deptype = 'e')"
    )


# Every kind of object a restore would collide with, outside the system and extension schemas
# and not an extension's: relations, functions, types, schemas, collations, operators, text
# search configurations. ``public`` itself is in every new database, so it does not count.
_APP_OBJECTS = f"""
    SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
             WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
             WHEN 'c' THEN 'type' ELSE 'table' END, n.nspname || '.' || c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f', 'c') AND {APP_SCHEMA}
      AND {NOT_EXTENSION_MEMBER}
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
             ELSE 'function' END,
           n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE {APP_SCHEMA} AND {_not_member("pg_proc", "p")}
    UNION ALL
    SELECT 'type', n.nspname || '.' || t.typname
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE {APP_SCHEMA} AND t.typtype IN ('b', 'd', 'e', 'r', 'm') AND {_not_member("pg_type", "t")}
      AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
      AND NOT EXISTS (SELECT 1 FROM pg_range r WHERE r.rngmultitypid = t.oid)
    UNION ALL
    SELECT 'schema', n.nspname FROM pg_namespace n
    WHERE {APP_SCHEMA} AND n.nspname <> 'public' AND {_not_member("pg_namespace", "n")}
    UNION ALL
    SELECT 'collation', n.nspname || '.' || o.collname
    FROM pg_collation o JOIN pg_namespace n ON n.oid = o.collnamespace
    WHERE {APP_SCHEMA} AND {_not_member("pg_collation", "o")}
    UNION ALL
    SELECT 'operator', n.nspname || '.' || o.oprname
    FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
    WHERE {APP_SCHEMA} AND {_not_member("pg_operator", "o")}
    UNION ALL
    SELECT 'text search configuration', n.nspname || '.' || o.cfgname
    FROM pg_ts_config o JOIN pg_namespace n ON n.oid = o.cfgnamespace
    WHERE {APP_SCHEMA} AND {_not_member("pg_ts_config", "o")}
    ORDER BY 1, 2"""


def app_objects(conn: connection) -> list[str]:
    """Every object of the app's in the database, as ``kind schema.name``: what makes a restore
    target "not empty" (a lone sequence, function, type or schema counts as much as a table)."""
    with conn.cursor() as cur:
        cur.execute(_APP_OBJECTS)
        return [f"{kind} {name}" for kind, name in cur.fetchall()]
