"""The floor as a program: exact count(*) of the given tables on each database, in parallel,
one connection per worker and database; nothing else.

    python bench/db/floor.py WORKERS TABLES DSN [DSN ...]     # TABLES: t00,t01,...

``h2c db verify`` is a program too, so the floor pays the same interpreter start, psycopg2
import and exit; ``bench/db/run.py`` also measures the same counts in-process for reference.
"""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg2


def main() -> None:
    workers, tables, dsns = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3:]
    local = threading.local()
    opened = []

    def count(task: tuple[str, str]) -> int:
        dsn, table = task
        conns = local.__dict__.setdefault("conns", {})
        if dsn not in conns:
            conns[dsn] = psycopg2.connect(dsn)
            opened.append(conns[dsn])
        with conns[dsn].cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}")
            return int(cur.fetchone()[0])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(count, [(d, t) for t in tables for d in dsns]))
    for conn in opened:
        conn.close()


if __name__ == "__main__":
    main()
