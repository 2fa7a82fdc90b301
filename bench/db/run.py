"""Benchmark of h2c's database migration against its floor and against reladiff.

Not run in tests. Starts two throwaway local clusters (source and target), generates ``--rows``
rows over 50 tables (skewed: the largest holds 40%, one table has no primary key), dumps the
source with ``h2c db dump`` and measures, in one run:

  (a) floor: parallel exact count(*) of every table on both sides, one connection per worker,
      as a program (bench/db/floor.py); (a') the same counts in this process, for reference
  (b) ``h2c db verify`` (counts, sequences, schema)                      target <= 1.2x (a)
  (c) ``h2c db verify --checksums`` (default hash, and ``--hash md5``)  vs  (d) reladiff
      hashdiff, all columns                                                target (c) <= 0.5x (d)
  (e) ``h2c db restore`` vs plain ``pg_restore -j N`` of the same file       target <= 1.1x
  and the peak RSS of the verify processes (target < 200 MB).

    .venv/bin/python bench/db/run.py --rows 500000
    .venv/bin/python bench/db/run.py --rows 2000000 --only restore,verify --reps 5
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
FLOOR = Path(__file__).with_name("floor.py")
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


MEASURES = ("restore", "verify", "checksums", "reladiff")


def checkpoint(dsn: str) -> None:
    """Flush the cluster's dirty buffers so each restore starts from the same state."""
    sql(dsn, "CHECKPOINT")


def restore_pair(dump_file: Path, tgt_cluster: Cluster, workers: int, h2c_first: bool):
    """(plain seconds, h2c seconds, h2c target DSN): each into a fresh database after a
    CHECKPOINT; the plain copy is dropped before the h2c restore (and vice versa)."""
    from h2c.db.conn import split_password
    from h2c.db.tools import find as find_tool

    def plain() -> float:
        dsn = tgt_cluster.new_database("plain")
        checkpoint(dsn)
        clean, password = split_password(dsn)
        env = {**os.environ, "PGPASSWORD": password or ""}
        # the binary h2c runs (not Debian's pg_wrapper script, which adds ~25 ms per call)
        pg_restore = find_tool("pg_restore").path
        argv = [pg_restore, "-j", str(workers), "--no-owner", "--no-acl", "-d", clean]
        start = time.perf_counter()
        subprocess.run([*argv, str(dump_file)], check=True, env=env)
        took = time.perf_counter() - start
        tgt_cluster.execute(f'DROP DATABASE "{database_name(dsn)}"')
        return took

    def h2c() -> tuple[float, str]:
        dsn = tgt_cluster.new_database("target")
        checkpoint(dsn)
        argv = [*H2C, "db", "restore", str(dump_file), "--to", dsn, "--jobs", str(workers)]
        took, rc, _ = timed(argv)
        assert rc == 0, "h2c db restore failed"
        return took, dsn

    if h2c_first:
        took, dsn = h2c()
        return plain(), took, dsn
    plain_s = plain()
    took, dsn = h2c()
    return plain_s, took, dsn


def database_name(dsn: str) -> str:
    return dsn.rsplit("/", 1)[1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--only",
        default=",".join(MEASURES),
        help=f"comma-separated subset of {','.join(MEASURES)} (the floor always runs with verify)",
    )
    parser.add_argument(
        "--reps",
        type=int,
        default=1,
        help="repeat the restore pair (alternating which goes first) and floor/verify; "
        "medians are shown",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    unknown = only - set(MEASURES)
    if unknown:
        parser.error(f"unknown measures: {sorted(unknown)}")
    clusters: list[Cluster] = []
    work = Path(tempfile.mkdtemp(prefix="h2c-bench-"))
    rows: list[tuple[str, object, str, str]] = []
    load = os.getloadavg()
    try:
        src_cluster, tgt_cluster = start_cluster(), start_cluster()
        clusters += [src_cluster, tgt_cluster]
        source = src_cluster.new_database("source")
        t0 = time.perf_counter()
        counts = generate(source, args.rows, args.workers)
        rows.append(("generate source", time.perf_counter() - t0, "", ""))
        dump_file = work / "latest.dump"
        dump_s, rc, _ = timed([*H2C, "db", "dump", "--from", source, "-o", str(dump_file)])
        assert rc == 0, "h2c db dump failed"
        rows.append(("h2c db dump", dump_s, "", ""))

        plains, restores = [], []
        target = ""
        for rep in range(args.reps if "restore" in only else 1):
            plain_s, restore_s, target = restore_pair(
                dump_file, tgt_cluster, args.workers, h2c_first=rep % 2 == 1
            )
            plains.append(plain_s)
            restores.append(restore_s)
        for dsn in (source, target):  # what autovacuum does anyway, done before the measures
            sql(dsn, "VACUUM (ANALYZE)")  # so it cannot happen during them (README: Database)
        verify_argv = [*H2C, "db", "verify", "--source", source, "--target", target]
        verify_argv += ["--workers", str(args.workers)]
        rss: list[tuple[str, object, str, str]] = []
        if "verify" in only:
            floors, programs, verifies = [], [], []
            tables = ",".join(f"t{i:02d}" for i in range(TABLES))
            floor_argv = [sys.executable, str(FLOOR), str(args.workers), tables, source, target]
            for _ in range(args.reps):
                floor_s, rc, _ = timed(floor_argv)
                assert rc == 0, "the floor program failed"
                programs.append(floor_s)
                floors.append(floor_counts([source, target], args.workers))
                verify_s, rc, verify_rss = timed(verify_argv)
                assert rc == 0, "h2c db verify found differences"
                verifies.append(verify_s)
            program_s, floor_s, verify_s = median(programs), median(floors), median(verifies)
            rows.append(("(a) floor: parallel count(*) program", program_s, "", ""))
            rows.append(("(a') the same counts in-process", floor_s, "", ""))
            ratio = f"{verify_s / program_s:.2f}x (a)"
            rows.append(("(b) h2c db verify", verify_s, ratio, "<= 1.2x"))
            rows.append(("    (b) against (a')", "", f"{verify_s / floor_s:.2f}x (a')", ""))
            rss.append(("peak RSS h2c db verify", verify_rss, "MB", "< 200 MB"))
        checks: list[tuple[str, float, int]] = []
        if "checksums" in only:
            for label, extra in (("(c) --checksums (default hash: fast)", []),
                                 ("(c') --checksums --hash md5", ["--hash", "md5"])):  # fmt: skip
                check_s, rc, check_rss = timed([*verify_argv, "--checksums", *extra])
                assert rc == 0, f"h2c db verify {label} found differences"
                checks.append((label, check_s, check_rss))
        rela_s = reladiff_all(source, target, args.workers) if "reladiff" in only else None
    finally:
        for cluster in clusters:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)

    for label, check_s, check_rss in checks:
        ratio = f"{check_s / rela_s:.2f}x (d)" if rela_s else ""
        rows.append((label, check_s, ratio, "<= 0.5x"))
        rss.append((f"peak RSS {label[:4].strip()}", check_rss, "MB", "< 200 MB"))
    if rela_s is not None:
        rows.append(("(d) reladiff hashdiff, 49 keyed tables", rela_s, "", ""))
    if "restore" in only:
        plain_s, restore_s = median(plains), median(restores)
        rows.append(("plain pg_restore -j N", plain_s, "", ""))
        ratio = f"{restore_s / plain_s:.2f}x plain"
        rows.append(("(e) h2c db restore", restore_s, ratio, "<= 1.1x"))
        if args.reps > 1:
            shown = ", ".join(f"{p:.2f}/{r:.2f}" for p, r in zip(plains, restores, strict=True))
            rows.append(("    each rep: plain/h2c", "", shown, ""))
    rows += rss
    print(
        f"rows={sum(counts)} tables={TABLES} largest={max(counts)} workers={args.workers} "
        f"reps={args.reps} cpus={os.cpu_count()} {platform.platform()}"
    )
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*load))
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"| {'measure':<42} | {'value':>9} | {'ratio':<14} | {'target':<9} |")
    print(f"|{'-' * 44}|{'-' * 11}|{'-' * 16}|{'-' * 11}|")
    for name, value, ratio, goal in rows:
        shown = f"{value:.2f} s" if isinstance(value, float) else f"{value}"
        print(f"| {name:<42} | {shown:>9} | {ratio:<14} | {goal:<9} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
