# ruff: noqa: F811  (pytest fixtures imported from tests.integration.pg are parameters here)
"""h2c db verify against real PostgreSQL 15 clusters: each broken target is caught and named."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg2
import pytest

from h2c.cli import main
from h2c.db import checksums, conn, dump, restore, schema, verify
from tests.integration.pg import Cluster, pg_source, pg_target, run_sql, seeded_app_database  # noqa: F401

pytestmark = pytest.mark.postgres
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "db"


def _break(dsn: str, name: str) -> None:
    """Apply one broken variant from fixtures/db/broken to a target."""
    run_sql(dsn, (FIXTURES / "broken" / f"{name}.sql").read_text())


@pytest.fixture(scope="module")
def source(pg_source: Cluster) -> str:
    return seeded_app_database(pg_source)


@pytest.fixture(scope="module")
def source_dump(source: str, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dump") / "latest.dump"
    dump.dump(source, path)
    return path


@pytest.fixture
def target(source_dump: Path, pg_target: Cluster) -> str:
    """A fresh, faithful restore of the source."""
    dsn = pg_target.new_database()
    result = restore.restore(source_dump, dsn, jobs=2)
    assert result.ok, result.errors
    return dsn


def test_faithful_restore_verifies_clean(source, target, capsys) -> None:
    report = verify.verify(source, target, workers=2, with_checksums=True)
    assert report.ok, report
    assert report.tables_without_pk == ["public.audit_log"]
    assert main(["db", "verify", "--source", source, "--target", target, "--checksums"]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "public.audit_log" in out


def test_missing_rows_name_the_table_and_both_counts(source, target, capsys) -> None:
    _break(target, "missing_rows")
    wrong = [c for c in verify.count_rows(source, target, workers=2) if not c.ok]
    assert wrong == [verify.TableCount("public.order_items", 10000, 9980)]
    assert main(["db", "verify", "--source", source, "--target", target, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    bad = [c for c in data["counts"] if not c["ok"]]
    assert bad == [{"table": "public.order_items", "source": 10000, "target": 9980, "ok": False}]


def test_sequence_behind_max_id_is_named(source, target) -> None:
    _break(target, "sequence_behind")
    behind = [s for s in verify.sequences(target) if not s.ok]
    assert behind == [verify.SequenceState("public.orders_id_seq", "public.orders.id", 10, 5000)]


def test_identity_column_sequence_is_checked(target) -> None:
    states = {s.column: s for s in verify.sequences(target)}
    assert states["public.documents.id"].ok and states["public.documents.id"].max_value == 1500


def test_changed_column_type_names_column_and_both_types(source, target, capsys) -> None:
    _break(target, "column_type")
    diffs = schema.diff(source, target)
    assert (
        schema.SchemaDifference(
            "column", "public.orders.total", "numeric(12,2)", "double precision"
        )
        in diffs
    )
    assert main(["db", "verify", "--source", source, "--target", target]) == 1
    out = capsys.readouterr().out
    assert "public.orders.total" in out and "numeric(12,2)" in out


def test_missing_index_and_extension_are_named(source, target) -> None:
    run_sql(target, "DROP INDEX orders_user_id_idx")
    kinds = {(d.kind, d.object, d.target) for d in schema.diff(source, target)}
    assert ("index", "public.orders_user_id_idx", None) in kinds


def test_one_changed_row_only_caught_by_checksums_with_its_key_range(source, target) -> None:
    _break(target, "changed_row")
    report = verify.verify(source, target, workers=2)
    assert report.ok  # counts, sequences and schema cannot see it
    found = checksums.compare(source, target, "public.orders")
    assert len(found) == 1 and found[0].table == "public.orders"
    low, high = (int(x.split()[-1]) for x in found[0].key_range.split(" AND "))
    assert low <= 4321 < high and high - low <= 64
    full = verify.verify(source, target, workers=2, with_checksums=True)
    assert not full.ok and [d.table for d in full.checksums or []] == ["public.orders"]


def test_fast_hash_also_catches_the_changed_row(source, target) -> None:
    run_sql(target, "UPDATE documents SET score = score + 1e-9 WHERE id = 700")
    assert checksums.compare(source, target, "public.documents", hash="md5") != []
    found = checksums.compare(source, target, "public.documents", hash="fast")
    assert len(found) == 1 and "id >= " in found[0].key_range


@pytest.mark.parametrize("hash_name", sorted(checksums.ROW_HASHES))
def test_column_named_t_does_not_hide_the_rest_of_the_row(
    pg_source: Cluster, pg_target: Cluster, hash_name: str
) -> None:
    """The row alias is ``t``: a column of that name must not replace the whole row."""
    sides = [pg_source.new_database(), pg_target.new_database()]
    table = "CREATE TABLE shadow (id int PRIMARY KEY, t text, n int);"
    rows = "INSERT INTO shadow SELECT g, 'same', g FROM generate_series(1, 500) g"
    for dsn in sides:
        run_sql(dsn, table + rows)
    run_sql(sides[1], "UPDATE shadow SET n = -1 WHERE id = 321")
    found = checksums.compare(*sides, "public.shadow", hash=hash_name)
    assert len(found) == 1 and found[0].key_range.startswith("id >= ")


def test_changed_row_in_composite_key_table_is_ranged(source, target) -> None:
    run_sql(target, "UPDATE order_items SET quantity = 99 WHERE order_id = 2500 AND line = 2")
    found = checksums.compare(source, target, "public.order_items")
    assert len(found) == 1 and "(order_id, line) >=" in found[0].key_range


def test_table_without_primary_key_checksummed_whole(source, target) -> None:
    run_sql(target, "UPDATE audit_log SET actor = 'mallory' WHERE actor = 'user7'")
    found = checksums.compare(source, target, "public.audit_log")
    assert [(d.table, d.key_range) for d in found] == [
        ("public.audit_log", "whole table (no primary key)")
    ]


def test_uuid_jsonb_numeric_columns_checksum_equal_across_restore(source, target) -> None:
    assert checksums.compare(source, target, "public.documents") == []
    assert checksums.compare(source, target, "public.accounts") == []


def test_source_session_is_read_only(source) -> None:
    with (
        conn.session(source, readonly=True) as session,
        session.cursor() as cur,
        pytest.raises(psycopg2.errors.ReadOnlySqlTransaction),
    ):
        cur.execute("DELETE FROM users")


def test_dump_session_is_read_only(source, monkeypatch, tmp_path) -> None:
    """pg_dump runs with default_transaction_read_only: prove a write in that session fails."""
    from h2c.db import tools

    seen: dict[str, str] = {}
    real_run = tools.run

    def spy(tool, args, *, dsn=None, read_only=False, stdout_fd=None):
        seen["read_only"] = str(read_only)
        return real_run(tool, args, dsn=dsn, read_only=read_only, stdout_fd=stdout_fd)

    monkeypatch.setattr(tools, "run", spy)
    dump.dump(source, tmp_path / "x.dump")
    assert seen == {"read_only": "True"}
    monkeypatch.setenv("PGOPTIONS", "-c default_transaction_read_only=on")
    connection = psycopg2.connect(source)
    try:
        with connection.cursor() as cur, pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            cur.execute("CREATE TABLE should_not_exist (id int)")
    finally:
        connection.close()


def test_password_never_printed(source, target, capsys) -> None:
    run_sql(target, "DELETE FROM audit_log WHERE actor IS NULL")
    assert main(["db", "verify", "--source", source, "--target", target]) == 1
    wrong = target.replace("@", "x@", 1)  # a wrong password: the connect error must mask it
    assert main(["db", "verify", "--source", source, "--target", wrong]) == 2
    captured = capsys.readouterr()
    assert "public.audit_log" in captured.out
    for dsn in (source, target, wrong):
        password = dsn.split(":")[2].split("@")[0]
        assert password not in captured.out + captured.err
