# ruff: noqa: F811  (pytest fixtures imported from tests.integration.pg are parameters here)
"""h2c db verify with a dump file as --source: restored into a scratch database, then dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from h2c.cli import main
from h2c.db import scratch
from h2c.db.conn import database_name
from tests.integration.pg import Cluster, pg_source, pg_target, run_sql, seeded_app_database  # noqa: F401

pytestmark = pytest.mark.postgres
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "db"


@pytest.fixture(scope="module")
def source_dump(pg_source: Cluster, tmp_path_factory) -> Path:
    """The seeded source, dumped the way a user would: ``h2c db dump``."""
    source = seeded_app_database(pg_source)
    path = tmp_path_factory.mktemp("dump") / "latest.dump"
    assert main(["db", "dump", "--from", source, "-o", str(path)]) == 0
    return path


@pytest.fixture
def target(source_dump: Path, pg_target: Cluster) -> str:
    """A fresh target restored from the dump with ``h2c db restore``."""
    dsn = pg_target.new_database()
    assert main(["db", "restore", str(source_dump), "--to", dsn, "--jobs", "2"]) == 0
    return dsn


def _databases(cluster: Cluster) -> set[str]:
    return {row[0] for row in run_sql(cluster.dsn(), "SELECT datname FROM pg_database")}


def _no_password(captured: pytest.CaptureResult[str], *clusters: Cluster) -> None:
    __tracebackhide__ = True
    for cluster in clusters:
        assert cluster.password not in captured.out, "a cluster password was printed on stdout"
        assert cluster.password not in captured.err, "a cluster password was printed on stderr"


def test_dump_source_verifies_clean_and_scratch_is_dropped(
    source_dump: Path, target: str, pg_source: Cluster, pg_target: Cluster, capsys
) -> None:
    scratch_name = database_name(scratch.scratch_dsn(target))
    before = _databases(pg_target)
    rc = main(["db", "verify", "--source", str(source_dump), "--target", target, "--workers", "2"])
    captured = capsys.readouterr()
    assert rc == 0, captured.out + captured.err
    assert "scratch database" in captured.out and scratch_name in captured.out
    assert "OK" in captured.out
    assert scratch_name not in _databases(pg_target)
    assert _databases(pg_target) == before
    _no_password(captured, pg_source, pg_target)


def test_dump_source_with_missing_rows_fails_and_names_the_table(
    source_dump: Path, target: str, pg_source: Cluster, pg_target: Cluster, capsys
) -> None:
    run_sql(target, (FIXTURES / "broken" / "missing_rows.sql").read_text())
    argv = ["db", "verify", "--source", str(source_dump), "--target", target, "--workers", "2"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "public.order_items" in captured.out
    _no_password(captured, pg_source, pg_target)

    assert main([*argv, "--json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)  # the scratch note went to stderr, not into the JSON
    bad = [c for c in data["counts"] if not c["ok"]]
    assert bad == [{"table": "public.order_items", "source": 10000, "target": 9980, "ok": False}]
    assert "scratch database" in captured.err
    assert database_name(scratch.scratch_dsn(target)) not in _databases(pg_target)
    _no_password(captured, pg_source, pg_target)


def test_file_that_is_not_a_dump_exits_2_naming_it(
    tmp_path: Path, pg_target: Cluster, capsys
) -> None:
    target = pg_target.new_database()
    not_a_dump = tmp_path / "notes.sql"
    not_a_dump.write_text("SELECT 1;\n")
    before = _databases(pg_target)
    assert main(["db", "verify", "--source", str(not_a_dump), "--target", target]) == 2
    captured = capsys.readouterr()
    assert str(not_a_dump) in captured.err and "not a custom-format" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert _databases(pg_target) == before  # nothing created before the pre-flight failed
    _no_password(captured, pg_target)


def test_missing_dump_path_exits_2_naming_it(tmp_path: Path, pg_target: Cluster, capsys) -> None:
    missing = tmp_path / "latest.dump"
    target = pg_target.new_database()
    assert main(["db", "verify", "--source", str(missing), "--target", target]) == 2
    captured = capsys.readouterr()
    assert str(missing) in captured.err and "no such dump file" in captured.err
    assert "Traceback" not in captured.err + captured.out
    _no_password(captured, pg_target)


def test_role_without_createdb_exits_3_saying_so(
    source_dump: Path, target: str, pg_target: Cluster, capsys
) -> None:
    """Convox's resource role may not create databases: a clear exit 3, not a traceback."""
    password = "pw-" + pg_target.password[::-1]
    pg_target.execute("DROP ROLE IF EXISTS h2c_nocreatedb")
    pg_target.execute(f"CREATE ROLE h2c_nocreatedb LOGIN PASSWORD '{password}'")
    limited = target.replace(f"h2c:{pg_target.password}@", f"h2c_nocreatedb:{password}@")
    assert main(["db", "verify", "--source", str(source_dump), "--target", limited]) == 3
    captured = capsys.readouterr()
    assert "CREATEDB" in captured.err and "scratch database" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert password not in captured.out + captured.err
