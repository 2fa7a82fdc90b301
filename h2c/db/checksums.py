"""Per-table checksums in primary-key ranges, recursing only into ranges that differ.

Each table is first summed whole: ``count(*)`` plus an order-independent sum of 64-bit hashes
of ``row::text``, computed in SQL (``hashtextextended`` by default, or the first 64 bits of
``md5``, REFERENCE.md). Only a table whose sums differ is split into key ranges, summed the
same way: a one-column integer key is bucketed arithmetically in one scan per side; other keys
are split at boundaries read from the source and checked one range query per chunk. A table
without a primary key is reported whole.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from h2c.db import catalog, parallel, sessions
from h2c.db.conn import qualified, quote_ident

# "fast" (the default) is hashtextextended, the 64-bit hash hash partitioning routes text with
# (partbounds.c compute_partition_hash_value): ~2.5x cheaper per row than md5. Why it can be
# compared across servers: pg_upgrade keeps the rows of hash-partitioned tables where they are,
# so the extended hash functions cannot change between major versions without breaking it
# (an inference, not a documented promise: plain hashtext did change in 8.4, when only hash
# indexes, which can be rebuilt, depended on it); the value depends on byte order, and every
# server h2c targets is little-endian. Proven on every row of a table of varied types restored
# from PostgreSQL 15 into 17 (tests/integration/test_db_hash_versions.py). If it ever did
# differ, verify would fail loudly (every range differs): a false alarm, never a false pass.
# "md5" is REFERENCE.md's expression, kept as an option.
# ``(t.*)`` is the whole row even when the table has a column named ``t`` (plain ``t`` would
# then be that column alone).
ROW_HASHES = {
    "md5": "('x' || substr(md5((t.*)::text), 1, 16))::bit(64)::bigint",
    "fast": "hashtextextended((t.*)::text, 0)",
}
DEFAULT_HASH = "fast"
ROW_HASH = ROW_HASHES[DEFAULT_HASH]
FANOUT = 32  # chunks per level
MIN_ROWS = 64  # stop splitting at chunks this small and report the range
MAX_RANGES = 10  # more differing ranges than this in one table are reported as one summary


@dataclass(frozen=True)
class ChunkDifference:
    """A key range of ``table`` whose rows differ, with (count, checksum) on each side."""

    table: str
    key_range: str
    source: tuple[int, int]
    target: tuple[int, int]

    def __str__(self) -> str:
        return (
            f"{self.table} {self.key_range}: source {self.source[0]} rows, target "
            f"{self.target[0]} rows, checksums differ"
        )


Summary = tuple[int, int]  # (count, sum of row hashes)


def describe(columns: Sequence[str], lo: Any, hi: Any) -> str:
    """A readable key range, ``lo`` inclusive, ``hi`` exclusive, None for open.

    >>> describe(["id"], 100, 200)
    'id >= 100 AND id < 200'
    >>> describe(["a", "b"], (1, 2), None)
    '(a, b) >= (1, 2)'
    """
    key = columns[0] if len(columns) == 1 else "(" + ", ".join(columns) + ")"

    def show(v: Any) -> str:
        return repr(v) if not isinstance(v, tuple) else "(" + ", ".join(map(repr, v)) + ")"

    parts = ([f"{key} >= {show(lo)}"] if lo is not None else []) + (
        [f"{key} < {show(hi)}"] if hi is not None else []
    )
    return " AND ".join(parts) or "whole table"


class _Sides(sessions.Pair):
    """The source and target sessions, and the row hash the current comparison uses."""

    row_hash = ROW_HASH


def _summary(rows: list[Any]) -> Summary:
    """(count, checksum) from a one-row aggregate; no row (an empty group) is (0, 0)."""
    return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)


def compare(
    source_dsn: str,
    target_dsn: str,
    table: str | catalog.TableInfo,
    *,
    fanout: int = FANOUT,
    hash: str = DEFAULT_HASH,
    min_rows: int = MIN_ROWS,
) -> list[ChunkDifference]:
    """Key ranges of ``table`` whose rows differ between source and target (empty: equal)."""
    sides = _Sides(source_dsn, target_dsn)
    try:
        return _compare(sides, table, fanout=fanout, hash=hash, min_rows=min_rows)
    finally:
        sides.close()


def _compare(
    sides: _Sides, table: str | catalog.TableInfo, *, fanout: int, hash: str, min_rows: int
) -> list[ChunkDifference]:
    """``compare`` on open connections; ends their transactions (and so their locks)."""
    sides.row_hash = ROW_HASHES[hash]
    try:
        info = table if isinstance(table, catalog.TableInfo) else _lookup(sides, table)
        # One plain aggregate per side first: the cheapest full pass (no grouping, no key
        # ranges), and all a table that matches needs. Only a table that differs is split.
        whole = f"coalesce(sum({sides.row_hash}), 0)"
        sql = f"SELECT count(*), {whole} FROM {qualified(info.name)} t"
        src, tgt = (_summary(r) for r in sides.query(sql))
        if src == tgt:
            return []
        if not info.primary_key:
            return [ChunkDifference(info.name, "whole table (no primary key)", src, tgt)]
        if info.integer_key:
            found = _integer_ranges(sides, info, fanout, min_rows)
        else:
            found = _generic_ranges(sides, info, None, None, fanout, min_rows)
    finally:
        for conn in sides.conns:
            conn.rollback()
    return found if len(found) <= MAX_RANGES else [summarize(found)]


def summarize(found: list[ChunkDifference]) -> ChunkDifference:
    """Many differing ranges of one table (a changed column, say) as a single difference."""
    first, last = found[0], found[-1]
    return ChunkDifference(
        first.table,
        f"{len(found)} ranges differ, from {first.key_range} to {last.key_range}",
        (sum(d.source[0] for d in found), sum(d.source[1] for d in found)),
        (sum(d.target[0] for d in found), sum(d.target[1] for d in found)),
    )


def _lookup(sides: _Sides, table: str) -> catalog.TableInfo:
    """The source's key columns of ``table``: its ranges are cut by the source's key."""
    for info in catalog.tables(sides.conns[0]):
        if info.name == table:
            return info
    raise KeyError(f"no table {table} on the source")


def _integer_ranges(
    sides: _Sides, info: catalog.TableInfo, fanout: int, min_rows: int
) -> list[ChunkDifference]:
    """Differing ranges of an integer key, over the key span both sides cover."""
    key = quote_ident(info.primary_key[0])
    src, tgt = sides.query(f"SELECT min({key}), max({key}) FROM {qualified(info.name)}")
    lows = [r[0][0] for r in (src, tgt) if r[0][0] is not None]
    if not lows:
        return []
    lo, hi = min(lows), max(r[0][1] for r in (src, tgt) if r[0][1] is not None) + 1
    return _integer_level(sides, info, lo, hi, fanout, min_rows)


def _integer_level(
    sides: _Sides, info: catalog.TableInfo, lo: int, hi: int, fanout: int, min_rows: int
) -> list[ChunkDifference]:
    """One scan per side buckets ``[lo, hi)`` arithmetically; recurse into buckets that differ."""
    key = quote_ident(info.primary_key[0])
    step = max(1, -(-(hi - lo) // fanout))
    sql = (
        f"SELECT ({key} - %s) / %s AS b, count(*), sum({sides.row_hash})"
        f" FROM {qualified(info.name)} t WHERE {key} >= %s AND {key} < %s GROUP BY 1"
    )
    src, tgt = (
        {int(b): (int(n), int(s)) for b, n, s in rows}
        for rows in sides.query(sql, (lo, step, lo, hi))
    )
    found: list[ChunkDifference] = []
    for bucket in sorted(set(src) | set(tgt)):
        a, b = src.get(bucket, (0, 0)), tgt.get(bucket, (0, 0))
        if a == b:
            continue
        start, end = lo + bucket * step, min(lo + (bucket + 1) * step, hi)
        if max(a[0], b[0]) <= min_rows or end - start <= 1:
            found.append(ChunkDifference(info.name, describe(info.primary_key, start, end), a, b))
        else:
            found += _integer_level(sides, info, start, end, fanout, min_rows)
    return found


def _where(columns: Sequence[str], lo: Any, hi: Any) -> tuple[str, list[Any]]:
    """A row-comparison WHERE clause for a key range, and its parameters (no quoting of values)."""
    key = "(" + ", ".join(quote_ident(c) for c in columns) + ")"
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    clauses, params = [], []
    if lo is not None:
        clauses.append(f"{key} >= {marks}")
        params += list(lo)
    if hi is not None:
        clauses.append(f"{key} < {marks}")
        params += list(hi)
    return (" AND ".join(clauses) or "true"), params


def _generic_ranges(
    sides: _Sides, info: catalog.TableInfo, lo: Any, hi: Any, fanout: int, min_rows: int
) -> list[ChunkDifference]:
    """Any other key: boundaries read from the source, one range query per chunk and side."""
    cols = ", ".join(quote_ident(c) for c in info.primary_key)
    where, params = _where(info.primary_key, lo, hi)
    src_count = sides.query(f"SELECT count(*) FROM {qualified(info.name)} WHERE {where}", params)[
        0
    ][0][0]
    step = max(1, -(-int(src_count) // fanout))
    bounds_sql = (
        f"SELECT {cols} FROM (SELECT {cols}, row_number() OVER (ORDER BY {cols}) AS rn "
        f"FROM {qualified(info.name)} WHERE {where}) s WHERE rn %% %s = 1 AND rn > 1"
    )
    with sides.conns[0].cursor() as cur:
        cur.execute(bounds_sql, [*params, step])
        inner = [tuple(row) for row in cur.fetchall()]
    edges = [lo, *inner, hi]
    found: list[ChunkDifference] = []
    for start, end in itertools.pairwise(edges):
        chunk_where, chunk_params = _where(info.primary_key, start, end)
        sql = (
            f"SELECT count(*), coalesce(sum({sides.row_hash}), 0) FROM {qualified(info.name)} t "
            f"WHERE {chunk_where}"
        )
        a, b = (_summary(r) for r in sides.query(sql, chunk_params))
        if a == b:
            continue
        if max(a[0], b[0]) <= min_rows or len(edges) <= 2:
            found.append(
                ChunkDifference(info.name, describe(info.primary_key, _one(start), _one(end)), a, b)
            )
        else:
            found += _generic_ranges(sides, info, start, end, fanout, min_rows)
    return found


def _one(value: Any) -> Any:
    """A one-column key bound shown as its value, not as a 1-tuple."""
    return value[0] if isinstance(value, tuple) and len(value) == 1 else value


def compare_tables(
    source_dsn: str,
    target_dsn: str,
    tables: Sequence[catalog.TableInfo],
    *,
    workers: int | None = None,
    hash: str = DEFAULT_HASH,
) -> list[ChunkDifference]:
    """``compare`` over many tables, ``workers`` tables at a time, largest first; each worker
    keeps its two connections for all its tables (not two new sessions per table)."""
    ordered = sorted(tables, key=lambda t: -t.estimated_rows)
    local = threading.local()
    opened: list[_Sides] = []
    lock = threading.Lock()

    def one(info: catalog.TableInfo) -> list[ChunkDifference]:
        if not hasattr(local, "sides"):
            local.sides = _Sides(source_dsn, target_dsn)
            with lock:
                opened.append(local.sides)
        return _compare(local.sides, info, fanout=FANOUT, hash=hash, min_rows=MIN_ROWS)

    size = workers or os.cpu_count() or 1
    try:
        results = parallel.run_all(size, [partial(one, info) for info in ordered])
    finally:
        for sides in opened:
            sides.close()
    return [d for result in results for d in result]
