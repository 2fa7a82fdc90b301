"""Throwaway local PostgreSQL clusters for integration tests (and the db benchmark).

Import the fixtures explicitly in a test module::

    from tests.integration.pg import pg_source, pg_target, new_database  # noqa: F401

Each cluster is a real ``postgres`` server from ``/usr/lib/postgresql/<N>/bin`` (override with
``H2C_PG_BIN``), run as the OS user ``postgres`` when we are root (initdb refuses root), on a free
loopback port, with password auth for a superuser ``h2c``. Tests create fresh databases in it
(``CREATE DATABASE ... TEMPLATE template0`` is fast) instead of fresh clusters.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.unavailable import unavailable

USER = "h2c"


SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "db"


def run_sql(dsn: str, sql: str) -> list[tuple[Any, ...]]:
    """Run SQL in autocommit (tests set up and break databases this way); rows, if any."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def seeded_app_database(cluster: Cluster) -> str:
    """A new database with the sample schema and its heroku_ext columns; returns its DSN."""
    dsn = cluster.new_database()
    run_sql(dsn, (SEEDS / "seed.sql").read_text())
    run_sql(dsn, (SEEDS / "heroku_ext.sql").read_text())
    return dsn


def find_bin_dir() -> Path | None:
    """The newest server bin dir (``H2C_PG_BIN`` wins), or None when PostgreSQL is missing."""
    explicit = os.environ.get("H2C_PG_BIN")
    candidates = (
        [explicit]
        if explicit
        else sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    )
    for candidate in reversed(candidates):
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway server; ``dsn(db)`` gives a URL with the password in it."""

    bin_dir: Path
    root: Path
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_hex(8))
    _counter: int = 0

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_postgres(self, *args: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def start(self) -> None:
        self.port = _free_port()
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        run = lambda *a: subprocess.run(  # noqa: E731
            self._as_postgres(*a), check=True, capture_output=True, text=True
        )
        run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "--pwfile",
            str(pwfile),
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            subprocess.run(
                self._as_postgres(
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ),
                check=True,
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        run_sql(self.dsn(database), sql)

    def new_database(self, prefix: str = "db") -> str:
        """A fresh empty database; returns its DSN."""
        self._counter += 1
        name = f"{prefix}_{self._counter}_{secrets.token_hex(3)}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.dsn(name)


def start_cluster() -> Cluster:
    """Start a cluster or skip (fail under ``H2C_REQUIRE_ENGINE=1``) when binaries are missing."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)")
    root = Path(tempfile.mkdtemp(prefix="h2c-pg-"))
    cluster = Cluster(bin_dir=bin_dir, root=root)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="module")
def pg_source() -> Iterator[Cluster]:
    """A cluster playing Heroku Postgres."""
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def pg_target() -> Iterator[Cluster]:
    """A cluster playing the Convox database resource."""
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def new_database() -> Callable[[Cluster], str]:
    """``new_database(cluster)`` -> DSN of a fresh empty database in that cluster."""
    return lambda cluster: cluster.new_database()
