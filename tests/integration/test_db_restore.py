# ruff: noqa: F811  (pytest fixtures imported from tests.integration.pg are parameters here)
"""h2c db dump / restore against real PostgreSQL 15 clusters."""

from __future__ import annotations

from pathlib import Path

import pytest

from h2c.cli import main
from h2c.db import dump, restore, verify
from h2c.errors import EnvironmentMissing, InputError
from tests.integration.pg import Cluster, pg_source, pg_target, run_sql, seeded_app_database  # noqa: F401

pytestmark = pytest.mark.postgres
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "db"


@pytest.fixture(scope="module")
def heroku_source(pg_source: Cluster) -> str:
    """The seeded app database, with citext/hstore columns from schema heroku_ext."""
    return seeded_app_database(pg_source)


@pytest.fixture(scope="module")
def heroku_dump(heroku_source: str, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dump") / "latest.dump"
    dump.dump(heroku_source, path)
    return path


def test_dump_is_custom_format_without_heroku_ext(heroku_dump: Path) -> None:
    assert heroku_dump.read_bytes()[:5] == b"PGDMP"
    pre = restore.preflight(heroku_dump)
    assert not [e for e in pre.entries if e.schema == "heroku_ext"]
    assert {e.name for e in pre.entries if e.desc == "TABLE"} >= {"users", "accounts"}


def test_dump_via_cli_never_prints_password(heroku_source, tmp_path, capsys) -> None:
    assert main(["db", "dump", "--from", heroku_source, "-o", str(tmp_path / "a.dump")]) == 0
    password = heroku_source.split(":")[2].split("@")[0]
    assert password not in capsys.readouterr().out


def test_plain_pg_restore_without_extensions_fails_listing_errors(
    heroku_dump: Path,
    pg_target: Cluster,
) -> None:
    target = pg_target.new_database()
    result = restore.restore(heroku_dump, target, jobs=2, create_needed_extensions=False)
    assert not result.ok
    assert result.returncode == 1 and result.errors_ignored > 0
    assert any('schema "heroku_ext" does not exist' in line for line in result.errors)


def test_restore_cli_fails_with_exit_1_and_lists_errors(heroku_dump, pg_target, capsys) -> None:
    target = pg_target.new_database()
    # A leftover view pins a table the dump replaces: pg_restore cannot drop it, keeps going,
    # and ends with "errors ignored on restore: N" (exit 1), which must fail the command.
    run_sql(target, "CREATE TABLE users (id int); CREATE VIEW pinned AS SELECT id FROM users")
    rc = main(["db", "restore", str(heroku_dump), "--to", target, "--jobs", "2", "--force"])
    err = capsys.readouterr().err
    assert rc == 1, err
    assert "pg_restore: error:" in err and "restore FAILED" in err
    assert "users" in err


def test_restore_precreates_heroku_ext_extensions(heroku_dump, heroku_source, pg_target) -> None:
    target = pg_target.new_database()
    progress: list[tuple[int, int]] = []
    result = restore.restore(
        heroku_dump, target, jobs=2, on_progress=lambda d, t, _: progress.append((d, t))
    )
    assert result.ok, result.errors
    assert "heroku_ext.citext" in result.extensions_created
    assert progress and progress[-1][0] == progress[-1][1]
    counts = verify.count_rows(heroku_source, target, workers=2)
    assert [c for c in counts if not c.ok] == []
    assert {c.table for c in counts} >= {"public.accounts", "public.audit_log"}


def test_refuses_non_empty_target_without_force(heroku_dump, pg_target) -> None:
    target = pg_target.new_database()
    run_sql(target, "CREATE TABLE leftovers (id int)")
    with pytest.raises(InputError) as caught:
        restore.restore(heroku_dump, target, jobs=2)
    assert caught.value.exit_code == 2
    assert "not empty" in str(caught.value) and "public.leftovers" in str(caught.value)
    assert "--force" in str(caught.value)
    assert run_sql(target, "SELECT to_regclass('public.users')") == [(None,)]


def test_force_restores_anyway_even_over_a_previous_restore(
    heroku_dump, heroku_source, pg_target, capsys
) -> None:
    target = pg_target.new_database()
    run_sql(target, "CREATE TABLE leftovers (id int)")
    assert main(["db", "restore", str(heroku_dump), "--to", target, "--jobs", "2", "--force"]) == 0
    assert main(["db", "restore", str(heroku_dump), "--to", target, "--jobs", "2", "--force"]) == 0
    capsys.readouterr()
    wrong = [c for c in verify.count_rows(heroku_source, target, workers=2) if not c.ok]
    assert wrong == [verify.TableCount("public.leftovers", None, 0)]  # only on the target


def test_cli_refuses_non_empty_target_with_exit_2(heroku_dump, pg_target, capsys) -> None:
    target = pg_target.new_database()
    run_sql(target, "CREATE TABLE leftovers (id int)")
    assert main(["db", "restore", str(heroku_dump), "--to", target]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and target.split(":")[2].split("@")[0] not in err


def _patched(heroku_dump: Path, tmp_path: Path, offset: int, new: bytes) -> Path:
    data = bytearray(heroku_dump.read_bytes())
    data[offset : offset + len(new)] = new
    path = tmp_path / "patched.dump"
    path.write_bytes(bytes(data))
    return path


def test_dump_newer_than_pg_restore_is_refused_before_restoring(
    heroku_dump, tmp_path, pg_target, capsys
) -> None:
    newer = _patched(heroku_dump, tmp_path, 5, bytes([1, 99, 0]))  # archive version 1.99.0
    target = pg_target.new_database()
    progress: list[int] = []
    with pytest.raises(EnvironmentMissing) as caught:
        restore.restore(newer, target, jobs=2, on_progress=lambda d, t, _: progress.append(d))
    assert "1.99" in str(caught.value) and "pg_restore 15." in str(caught.value)
    assert progress == []
    assert run_sql(target, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'") == [(0,)]
    assert main(["db", "restore", str(newer), "--to", target]) == 3


def test_dumped_by_newer_pg_dump_is_refused(heroku_dump, tmp_path, pg_target) -> None:
    data = heroku_dump.read_bytes()
    by = restore.preflight(heroku_dump).dumped_by or ""
    offset = data.index(by.encode(), data.index(by.encode()) + 1)  # second string: pg_dump's
    newer = _patched(heroku_dump, tmp_path, offset, b"99")
    with pytest.raises(EnvironmentMissing) as caught:
        restore.preflight(newer)
    assert "pg_dump 99." in str(caught.value) and "pg_restore 15." in str(caught.value)


def test_not_a_dump_is_bad_input(tmp_path, pg_target) -> None:
    plain = tmp_path / "plain.sql"
    plain.write_text("CREATE TABLE t (id int);\n")
    assert main(["db", "restore", str(plain), "--to", pg_target.new_database()]) == 2
