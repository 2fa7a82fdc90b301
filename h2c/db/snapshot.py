"""``h2c db snapshot``: what a database holds, without its data, for ``h2c postdeploy --baseline``.

Per app table: the exact row count, its columns and types, and a digest of its schema (columns,
types and constraints); per column-owned sequence: the value it last gave out. No row data and
no values: a baseline can be kept as a CI artifact. Read in one read-only repeatable-read
transaction, so every count describes the same instant.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from h2c.db import catalog
from h2c.db.conn import qualified, scalar, session

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from psycopg2.extensions import connection

_COLUMNS = f"""
    SELECT n.nspname || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attnum > 0 AND NOT a.attisdropped AND {catalog.IS_APP_TABLE}
    ORDER BY 1, a.attnum"""
_CONSTRAINTS = f"""
    SELECT n.nspname || '.' || c.relname, k.conname, pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE k.contype IN ('p', 'u', 'f', 'c') AND {catalog.IS_APP_TABLE}
    ORDER BY 1, 2"""


@dataclass(frozen=True)
class TableShape:
    """One table at snapshot time: rows, ``{column: type}`` in column order, schema digest."""

    rows: int
    columns: dict[str, str]
    digest: str


@dataclass(frozen=True)
class DbSnapshot:
    tables: dict[str, TableShape] = field(default_factory=dict)
    sequences: dict[str, tuple[str, int]] = field(default_factory=dict)  # seq -> (column, last)


def schema_digest(columns: dict[str, str], constraints: list[str]) -> str:
    """A digest of a table's columns (in order, with types) and constraint definitions.

    >>> schema_digest({"id": "integer"}, []) == schema_digest({"id": "integer"}, [])
    True
    >>> schema_digest({"id": "integer"}, []) == schema_digest({"id": "bigint"}, [])
    False
    """
    text = "\n".join([*(f"column {n} {t}" for n, t in columns.items()),
                      *(f"constraint {c}" for c in sorted(constraints))])  # fmt: skip
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def take(dsn: str) -> DbSnapshot:
    """Counts, shapes and sequence values of every app table; the database is only read."""
    from h2c.db.verify import _sequence_states

    with session(dsn, readonly=True) as conn:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        names = catalog.table_names(conn)
        columns, constraints = _shapes(conn)
        tables = {}
        with conn.cursor() as cur:
            for name in names:
                cur.execute(f"SELECT count(*) FROM {qualified(name)}")
                cols = columns.get(name, {})
                digest = schema_digest(cols, constraints.get(name, []))
                tables[name] = TableShape(int(scalar(cur)), cols, digest)
        sequences = {s.sequence: (s.column, s.last_value or 0) for s in _sequence_states(conn)}
        conn.rollback()
    return DbSnapshot(tables, sequences)


def _shapes(conn: connection) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    columns: dict[str, dict[str, str]] = {}
    constraints: dict[str, list[str]] = {}
    with conn.cursor() as cur:
        cur.execute(_COLUMNS)
        for table, column, kind in cur.fetchall():
            columns.setdefault(table, {})[column] = kind
        cur.execute(_CONSTRAINTS)
        for table, name, definition in cur.fetchall():
            constraints.setdefault(table, []).append(f"{name}: {definition}")
    return columns, constraints


def to_doc(snap: DbSnapshot) -> dict[str, object]:
    """The snapshot as the JSON ``database`` section of a baseline.

    >>> to_doc(DbSnapshot({"public.t": TableShape(2, {"id": "integer"}, "sha256:x")},
    ...                   {"public.t_id_seq": ("public.t.id", 2)}))["sequences"]
    {'public.t_id_seq': {'column': 'public.t.id', 'last_value': 2}}
    """
    return {
        "tables": {name: {"rows": t.rows, "columns": t.columns, "schema_digest": t.digest}
                   for name, t in sorted(snap.tables.items())},
        "sequences": {name: {"column": column, "last_value": last}
                      for name, (column, last) in sorted(snap.sequences.items())},
    }  # fmt: skip
