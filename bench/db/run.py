"""Benchmark of h2c's database migration against its floor and against reladiff.

Not run in tests. Starts two throwaway local clusters (source and target), generates ``--rows``
rows over 50 tables (skewed: the largest holds 40%, one table has no primary key), dumps the
source with ``h2c db dump`` and measures, in one run:

  (a) floor: parallel exact count(*) of every table on both sides, one connection per worker
  (b) ``h2c db verify`` (counts, sequences, schema)                      target <= 1.2x (a)
  (c) ``h2c db verify --checksums``  vs  (d) reladiff hashdiff, all columns   target (c) <= 0.5x (d)
  (e) ``h2c db restore`` vs plain ``pg_restore -j N`` of the same file       target <= 1.1x
  and the peak RSS of the verify processes (target < 200 MB).

    .venv/bin/python bench/db/run.py --rows 500000
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.integration.pg import Cluster, start_cluster  # noqa: E402

H2C = [str(ROOT / ".venv" / "bin" / "h2c")]
TABLES = 50


def sizes(total: int) -> list[int]:
    """40% in table 0, the rest over 49 tables with Zipf-like weights."""
    big = int(total * 0.4)
    weights = [1 / (i + 1) for i in range(TABLES - 1)]
    rest = total - big
    return [big] + [max(1, int(rest * w / sum(weights))) for w in weights]


def sql(dsn: str, statement: str) -> None:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def generate(dsn: str, total: int, workers: int) -> list[int]:
    counts = sizes(total)

    def make(i: int) -> None:
        pk = "bigserial PRIMARY KEY" if i != TABLES - 1 else "bigint"
        sql(
            dsn,
            f"""
            CREATE TABLE t{i:02d} (id {pk}, account int NOT NULL, label text NOT NULL,
                                   created_at timestamptz NOT NULL, amount numeric(12, 2));
            INSERT INTO t{i:02d} (account, label, created_at, amount)
            SELECT g % 1000, 'row ' || g || ' of table {i}',
                   timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', g * 0.01
            FROM generate_series(1, {counts[i]}) g;
            CREATE INDEX t{i:02d}_account ON t{i:02d} (account);
            ANALYZE t{i:02d};""",
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(make, range(TABLES)))
    return counts


def timed(argv: list[str]) -> tuple[float, int, int]:
    """Wall seconds, exit code and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, proc.returncode, usage.ru_maxrss // 1024


def floor_counts(dsns: list[str], workers: int) -> float:
    start = time.perf_counter()
    conns: dict[tuple[int, str], psycopg2.extensions.connection] = {}
    import threading

    def count(task: tuple[str, int]) -> int:
        dsn, i = task
        key = (threading.get_ident(), dsn)
        if key not in conns:
            conns[key] = psycopg2.connect(dsn)
        with conns[key].cursor() as cur:
            cur.execute(f"SELECT count(*) FROM t{i:02d}")
            return int(cur.fetchone()[0])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(count, [(d, i) for i in range(TABLES) for d in dsns]))
    for conn in conns.values():
        conn.close()
    return time.perf_counter() - start


def reladiff_all(source: str, target: str, workers: int) -> float:
    from reladiff import Algorithm, connect_to_table, diff_tables

    start = time.perf_counter()
    extra = ("account", "label", "created_at", "amount")

    def one(i: int) -> int:
        a = connect_to_table(source, f"t{i:02d}", "id", extra_columns=extra)
        b = connect_to_table(target, f"t{i:02d}", "id", extra_columns=extra)
        return sum(
            1
            for _ in diff_tables(
                a, b, algorithm=Algorithm.HASHDIFF, threaded=True, max_threadpool_size=workers
            )
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        diffs = sum(pool.map(one, range(TABLES - 1)))  # reladiff needs a key: skip the no-PK one
    assert diffs == 0, f"reladiff found {diffs} differences in identical databases"
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    clusters: list[Cluster] = []
    work = Path(tempfile.mkdtemp(prefix="h2c-bench-"))
    try:
        src_cluster, tgt_cluster = start_cluster(), start_cluster()
        clusters += [src_cluster, tgt_cluster]
        source = src_cluster.new_database("source")
        t0 = time.perf_counter()
        counts = generate(source, args.rows, args.workers)
        gen = time.perf_counter() - t0
        dump_file = work / "latest.dump"
        dump_s, rc, _ = timed([*H2C, "db", "dump", "--from", source, "-o", str(dump_file)])
        assert rc == 0, "h2c db dump failed"

        plain = tgt_cluster.new_database("plain")
        from h2c.db.conn import split_password

        clean, password = split_password(plain)
        env = {**os.environ, "PGPASSWORD": password or ""}
        start = time.perf_counter()
        subprocess.run(
            [
                "pg_restore",
                "-j",
                str(args.workers),
                "--no-owner",
                "--no-acl",
                "-d",
                clean,
                str(dump_file),
            ],
            check=True,
            env=env,
        )
        plain_s = time.perf_counter() - start
        target = tgt_cluster.new_database("target")
        restore_s, rc, _ = timed(
            [*H2C, "db", "restore", str(dump_file), "--to", target, "--jobs", str(args.workers)]
        )
        assert rc == 0, "h2c db restore failed"
        sql(target, "ANALYZE")

        floor_s = floor_counts([source, target], args.workers)
        verify_s, rc, verify_rss = timed(
            [
                *H2C,
                "db",
                "verify",
                "--source",
                source,
                "--target",
                target,
                "--workers",
                str(args.workers),
            ]
        )
        assert rc == 0, "h2c db verify found differences"
        check_s, rc, check_rss = timed(
            [
                *H2C,
                "db",
                "verify",
                "--checksums",
                "--source",
                source,
                "--target",
                target,
                "--workers",
                str(args.workers),
            ]
        )
        assert rc == 0, "h2c db verify --checksums found differences"
        fast_s, rc, fast_rss = timed(
            [
                *H2C,
                "db",
                "verify",
                "--checksums",
                "--hash",
                "fast",
                "--source",
                source,
                "--target",
                target,
                "--workers",
                str(args.workers),
            ]
        )
        assert rc == 0, "h2c db verify --checksums --hash fast found differences"
        rela_s = reladiff_all(source, target, args.workers)
    finally:
        for cluster in clusters:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)

    rows = [
        ("generate source", gen, "", ""),
        ("h2c db dump", dump_s, "", ""),
        ("(a) floor: parallel count(*), both sides", floor_s, "", ""),
        ("(b) h2c db verify", verify_s, f"{verify_s / floor_s:.2f}x (a)", "<= 1.2x"),
        ("(c) h2c db verify --checksums", check_s, f"{check_s / rela_s:.2f}x (d)", "<= 0.5x"),
        (
            "(c') h2c db verify --checksums --hash fast",
            fast_s,
            f"{fast_s / rela_s:.2f}x (d)",
            "<= 0.5x",
        ),
        ("(d) reladiff hashdiff, 49 keyed tables", rela_s, "", ""),
        ("plain pg_restore -j N", plain_s, "", ""),
        ("(e) h2c db restore", restore_s, f"{restore_s / plain_s:.2f}x plain", "<= 1.1x"),
        ("peak RSS h2c db verify", verify_rss, "MB", "< 200 MB"),
        ("peak RSS h2c db verify --checksums", check_rss, "MB", "< 200 MB"),
        ("peak RSS h2c db verify --checksums --hash fast", fast_rss, "MB", "< 200 MB"),
    ]
    print(
        f"rows={sum(counts)} tables={TABLES} largest={max(counts)} workers={args.workers} "
        f"cpus={os.cpu_count()} {platform.platform()}"
    )
    print(f"| {'measure':<42} | {'value':>9} | {'ratio':<14} | {'target':<9} |")
    print(f"|{'-' * 44}|{'-' * 11}|{'-' * 16}|{'-' * 11}|")
    for name, value, ratio, goal in rows:
        shown = f"{value:.2f} s" if isinstance(value, float) else f"{value}"
        print(f"| {name:<42} | {shown:>9} | {ratio:<14} | {goal:<9} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
