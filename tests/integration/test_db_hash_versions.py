# ruff: noqa: F811  (pytest fixtures imported from tests.integration.pg are parameters here)
"""Row hashes survive a real restore from PostgreSQL 15 into PostgreSQL 17.

`h2c db verify --checksums` hashes ``row::text`` on each server with ``hashtextextended`` (the
default) or ``md5``. This restores a table of varied types from a local PostgreSQL 15 cluster
into a ``postgres:17`` container and checks, row by row, that both hashes agree on both sides.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from h2c.db import checksums, dump, restore
from h2c.db.conn import session
from tests.integration.pg import Cluster, pg_source  # noqa: F401
from tests.unavailable import unavailable

pytestmark = [pytest.mark.docker, pytest.mark.postgres]

IMAGE = "postgres:17"

VARIED = r"""
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (a int, b text);
CREATE TABLE varied (
    id bigserial PRIMARY KEY, i2 smallint, i4 int, i8 bigint, n numeric, n2 numeric(12, 2),
    f4 real, f8 double precision, b bool, t text, vc varchar(20), c char(5), by bytea,
    d date, tm time, tmz timetz, ts timestamp, tstz timestamptz, iv interval, u uuid,
    j json, jb jsonb, ia int[], ta text[], ip inet, cidr_ cidr, mac macaddr, pt point, bx box,
    m mood, p pair, r int4range, tr tstzrange, bits varbit, tsv tsvector, x xml
);
INSERT INTO varied (i2, i4, i8, n, n2, f4, f8, b, t, vc, c, by, d, tm, tmz, ts, tstz, iv, u,
                    j, jb, ia, ta, ip, cidr_, mac, pt, bx, m, p, r, tr, bits, tsv, x)
SELECT g % 32767, g * 7919, g::bigint * 1000000007, g / 7.0, g * 0.01,
       CASE g % 5 WHEN 0 THEN 'NaN' WHEN 1 THEN '-0' WHEN 2 THEN 'Infinity'
                  ELSE g / 3.0 END::real,
       CASE g % 4 WHEN 0 THEN 0.1 WHEN 1 THEN 1e-300 WHEN 2 THEN '-Infinity' ELSE g * 1.1 END,
       g % 2 = 0, E'row ' || g || E' "quoted" \\ back\tslash\nnewline é 日本 😀',
       'v' || g, 'c' || (g % 10), decode(md5(g::text), 'hex'),
       date '2000-02-29' + g, time '12:34:56.789' + g * interval '1 s',
       timetz '23:59:59.999999+05:30', timestamp '1999-12-31 23:59:59.5' + g * interval '1 h',
       timestamptz '2024-03-10 01:59:59-08' + g * interval '37 min',
       make_interval(years => g % 3, days => g, secs => g / 3.0),
       md5(g::text)::uuid, json_build_object('g', g, 'nested', json_build_array(1, 'x', null)),
       jsonb_build_object('g', g, 'f', g / 3.0, 'z', 'é'), ARRAY[g, NULL, -g],
       ARRAY['a b', NULL, 'q"q', ''], ('10.0.' || (g % 256) || '.1/24')::inet,
       '192.168.0.0/16', '08:00:2b:01:02:03', point(g / 3.0, -g), box(point(0, 0), point(g, 1)),
       (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood, ROW(g, 'p' || g)::pair,
       int4range(g, g + 10),
       tstzrange('2024-01-01', '2024-01-01'::timestamptz + g * interval '1 d'),
       (g % 256)::bit(8)::varbit, to_tsvector('simple', 'hash ' || g),
       xmlelement(name r, xmlattributes(g AS g), 'x & y')
FROM generate_series(1, 400) g;
INSERT INTO varied (t) VALUES (NULL), ('');
"""


def _docker(*args: str) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"docker {args[0]} failed: {done.stderr.strip()}")
    return done.stdout.strip()


@pytest.fixture(scope="module")
def pg17() -> Iterator[str]:
    """A ``postgres:17`` container on a loopback port; yields a superuser DSN."""
    if shutil.which("docker") is None:
        unavailable("docker CLI not found")
    try:
        _docker("image", "inspect", IMAGE)
    except RuntimeError:
        unavailable(f"image {IMAGE} not present; run scripts/setup")
    password = secrets.token_hex(8)
    name = f"h2c-test-hash17-{secrets.token_hex(4)}"
    _docker(
        "run", "-d", "--name", name, "-e", f"POSTGRES_PASSWORD={password}",
        "-e", "POSTGRES_USER=h2c", "-p", "127.0.0.1::5432", IMAGE,
    )  # fmt: skip
    try:
        port = _docker("port", name, "5432/tcp").splitlines()[0].rsplit(":", 1)[1]
        dsn = f"postgresql://h2c:{password}@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg2.connect(dsn, connect_timeout=2).close()
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield dsn
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


def _rows(dsn: str, hash_sql: str) -> list[tuple[int, int]]:
    with session(dsn, readonly=True) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT id, {hash_sql} FROM varied t ORDER BY id")
        return [(int(i), int(h)) for i, h in cur.fetchall()]


def _server_version(dsn: str) -> int:
    with session(dsn, readonly=True) as conn:
        return int(conn.server_version)


@pytest.fixture(scope="module")
def restored(pg_source: Cluster, pg17: str, tmp_path_factory) -> tuple[str, str]:
    source = pg_source.new_database()
    conn = psycopg2.connect(source)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(VARIED)
    conn.close()
    path: Path = tmp_path_factory.mktemp("dump17") / "latest.dump"
    dump.dump(source, path)
    result = restore.restore(path, pg17, jobs=2)
    assert result.ok, result.errors
    return source, pg17


def test_servers_are_15_and_17(restored: tuple[str, str]) -> None:
    source, target = restored
    assert _server_version(source) // 10000 == 15
    assert _server_version(target) // 10000 == 17


@pytest.mark.parametrize("hash_name", sorted(checksums.ROW_HASHES))
def test_every_row_hashes_the_same_on_15_and_17(restored: tuple[str, str], hash_name: str) -> None:
    source, target = restored
    src, tgt = (_rows(dsn, checksums.ROW_HASHES[hash_name]) for dsn in (source, target))
    assert len(src) == 402
    differing = [s[0] for s, t in zip(src, tgt, strict=True) if s != t]
    assert differing == []


@pytest.mark.parametrize("hash_name", sorted(checksums.ROW_HASHES))
def test_checksum_compare_is_clean_across_versions(
    restored: tuple[str, str], hash_name: str
) -> None:
    source, target = restored
    assert checksums.compare(source, target, "public.varied", hash=hash_name) == []


def test_a_changed_row_is_found_across_versions(restored: tuple[str, str]) -> None:
    source, target = restored
    conn = psycopg2.connect(target)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("UPDATE varied SET t = t || '.' WHERE id = 123")
    try:
        for hash_name in checksums.ROW_HASHES:
            found = checksums.compare(source, target, "public.varied", hash=hash_name, min_rows=1)
            assert [d.key_range for d in found] == ["id >= 123 AND id < 124"], hash_name
    finally:
        with conn.cursor() as cur:
            cur.execute("UPDATE varied SET t = left(t, -1) WHERE id = 123")
        conn.close()
