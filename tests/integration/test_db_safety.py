# ruff: noqa: F811  (pytest fixtures imported from tests.integration.pg are parameters here)
"""Issue 15 against real PostgreSQL: nothing lost, truncated dumps refused, every object counts,
partial restores said, passwords never on a command line."""

from __future__ import annotations

import errno
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from h2c.cli import main
from h2c.db import dump, restore
from h2c.errors import EnvironmentMissing, InputError
from tests.integration.pg import Cluster, pg_source, pg_target, run_sql, seeded_app_database  # noqa: F401

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def source(pg_source: Cluster) -> str:
    return seeded_app_database(pg_source)


@pytest.fixture(scope="module")
def good_dump(source: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dump") / "latest.dump"
    dump.dump(source, path)
    return path


def without_password(dsn: str) -> str:
    parts = urlsplit(dsn)
    return parts._replace(netloc=f"{parts.username}@{parts.hostname}:{parts.port}").geturl()


def test_dump_is_0600_and_a_failed_dump_keeps_the_earlier_one(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "latest.dump"
    assert main(["db", "dump", "--from", source, "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    good = out.read_bytes()
    wrong = source.replace(urlsplit(source).password or "", "wrong-password")
    assert main(["db", "dump", "--from", wrong, "-o", str(out)]) == 2  # as restore and verify
    assert "cannot connect" in capsys.readouterr().err
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.dump"]


def test_a_full_disk_at_the_end_of_a_dump_keeps_the_earlier_one(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "latest.dump"
    out.write_bytes(b"PGDMP earlier")

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(dump.os, "fsync", fsync)
    with pytest.raises(EnvironmentMissing):
        dump.dump(source, out)
    assert out.read_bytes() == b"PGDMP earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.dump"]


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_a_truncated_dump_is_refused_before_anything_is_written(
    good_dump: Path, tmp_path: Path, pg_target: Cluster, keep: float
) -> None:
    data = good_dump.read_bytes()
    cut = tmp_path / "cut.dump"
    cut.write_bytes(data[: int(len(data) * keep)])
    restore.preflight(good_dump)  # the whole file passes
    target = pg_target.new_database()
    with pytest.raises(InputError) as caught:
        restore.restore(cut, target, jobs=2)
    assert "truncated or damaged dump" in str(caught.value)
    assert str(caught.value).startswith(str(cut))
    assert run_sql(target, "SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'") == [(0,)]
    assert run_sql(target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'heroku_ext'") == [
        (0,)
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE SEQUENCE lone_seq",
        "CREATE FUNCTION lone_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE TYPE lone_mood AS ENUM ('ok')",
        "CREATE SCHEMA lone_schema",
        "CREATE VIEW lone_view AS SELECT 1 AS one",
        "CREATE DOMAIN lone_domain AS int",
    ],
    ids=["sequence", "function", "type", "schema", "view", "domain"],
)
def test_a_target_holding_any_object_is_not_empty(
    good_dump: Path, pg_target: Cluster, sql: str
) -> None:
    target = pg_target.new_database()
    run_sql(target, sql)
    with pytest.raises(InputError) as caught:
        restore.restore(good_dump, target, jobs=2)
    assert "not empty (1 object:" in str(caught.value) and "lone_" in str(caught.value)


def test_a_fresh_database_is_empty_even_with_extensions_made_for_it(
    good_dump: Path, pg_target: Cluster
) -> None:
    target = pg_target.new_database()
    run_sql(target, "CREATE SCHEMA heroku_ext; CREATE EXTENSION citext WITH SCHEMA heroku_ext")
    assert restore.restore(good_dump, target, jobs=2).ok


def test_an_interrupted_restore_says_the_target_is_partly_restored(
    good_dump: Path, pg_target: Cluster, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    target = pg_target.new_database()
    real, lines = restore._Progress.read, []

    def read(self: restore._Progress, line: str) -> None:
        real(self, line)
        lines.append(line)
        if "TABLE DATA" in line:  # the schema is there, the data is on its way
            raise KeyboardInterrupt  # Ctrl-C (or SIGTERM) while pg_restore works

    monkeypatch.setattr(restore._Progress, "read", read)
    assert main(["db", "restore", str(good_dump), "--to", target, "--jobs", "2"]) == 130
    err = capsys.readouterr().err
    assert "is now partly restored" in err and "--force" in err and "drop and recreate" in err
    assert urlsplit(target).password not in err
    monkeypatch.undo()
    assert main(["db", "restore", str(good_dump), "--to", target]) == 2  # not empty: say how
    assert "interrupted" in capsys.readouterr().err
    assert main(["db", "restore", str(good_dump), "--to", target, "--force"]) == 0


def test_pgpassword_and_pgpass_supply_the_password(
    source: str, good_dump: Path, pg_target: Cluster, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    bare_source = without_password(source)
    monkeypatch.setenv("PGPASSWORD", urlsplit(source).password or "")
    assert main(["db", "dump", "--from", bare_source, "-o", str(tmp_path / "a.dump")]) == 0
    monkeypatch.delenv("PGPASSWORD")
    target = pg_target.new_database()
    parts = urlsplit(target)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{parts.hostname}:{parts.port}:*:{parts.username}:{parts.password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert main(["db", "restore", str(good_dump), "--to", without_password(target)]) == 0
    monkeypatch.setenv("H2C_S", source)  # PGPASSWORD would win over .pgpass for both sides
    monkeypatch.setenv("H2C_T", without_password(target))
    assert main(["db", "verify", "--source", "$H2C_S", "--target", "${H2C_T}"]) == 0
