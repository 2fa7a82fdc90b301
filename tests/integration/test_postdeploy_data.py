"""h2c postdeploy's data checks against a real PostgreSQL: a baseline from ``h2c db snapshot``,
then tables that lost rows, a dropped column, an added one, a sequence set back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from h2c.cli import main
from tests.integration.pg import pg_target, run_sql, seeded_app_database  # noqa: F401
from tests.integration.postdeploy_env import APP, CONVOX, scenario, write_scenario

pytestmark = pytest.mark.postgres
DATA = (
    "test_data::test_rows",
    "test_data::test_columns",
    "test_data::test_sequences",
    "test_config::test_key",
)


@pytest.fixture
def target(pg_target, monkeypatch, tmp_path) -> str:  # noqa: F811
    dsn = seeded_app_database(pg_target)
    monkeypatch.setenv("H2C_TEST_TARGET", dsn)
    monkeypatch.setenv("H2C_FAKE_STATE", str(write_scenario(tmp_path, scenario())))
    return dsn


def snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "baseline.json"
    assert main(["db", "snapshot", "--from", "$H2C_TEST_TARGET", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    return out


def data_checks(
    baseline: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[tuple[str, str], dict[str, Any]]]:
    """`h2c postdeploy` with the baseline and the target; the data checks' records."""
    # no web endpoint here: the HTTP checks fail on a closed loopback port, which is not
    # what these tests are about, so only the data records are returned
    code = main(["postdeploy", str(APP), "--convox-app", "shop", "--convox-bin", str(CONVOX),
                 "--poll", "0.1", "--http-wait", "0", "--url", "http://127.0.0.1:9",
                 "--baseline", str(baseline), "--target", "$H2C_TEST_TARGET",
                 "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    got = {(r["check"], r["target"]): r for r in out["checks"] if r["check"] in DATA}
    return code, got


def failed(got: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {k: v["reason"] for k, v in got.items() if v["result"] in ("failed", "error")}


def test_snapshot_holds_shapes_not_data(target, tmp_path, capsys) -> None:
    doc = json.loads(snapshot(tmp_path, capsys).read_text())
    tables = doc["database"]["tables"]
    assert tables["public.order_items"]["rows"] == 10000
    assert tables["public.users"]["columns"]["email"] == "text"
    assert tables["public.users"]["schema_digest"].startswith("sha256:")
    assert doc["database"]["sequences"]["public.users_id_seq"]["column"] == "public.users.id"
    assert "env" not in doc
    assert "@example.com" not in json.dumps(doc)  # no row data
    # read-only: the snapshot changed nothing
    assert run_sql(target, "SELECT count(*) FROM order_items") == [(10000,)]


def test_unchanged_database_passes(target, tmp_path, capsys) -> None:
    _, got = data_checks(snapshot(tmp_path, capsys), capsys)
    assert failed(got) == {}
    assert {k[1] for k in got if k[0] == "test_data::test_rows"} >= {
        "public.users",
        "public.orders",
    }


def test_fewer_rows_fails_unless_within_the_tables_tolerance(target, tmp_path, capsys) -> None:
    baseline = snapshot(tmp_path, capsys)
    run_sql(target, "DELETE FROM order_items WHERE order_id > 4990")
    count = run_sql(target, "SELECT count(*) FROM audit_log")[0][0]
    run_sql(target, "DELETE FROM audit_log WHERE ctid IN (SELECT ctid FROM audit_log LIMIT 50)")
    code, got = data_checks(baseline, capsys)
    assert code == 1
    assert failed(got) == {
        ("test_data::test_rows", "public.order_items"): "public.order_items: 9980 rows, 20 fewer "
        "than the baseline 10000 (tolerance 0)"
    }
    assert count >= 50
    assert got[("test_data::test_rows", "public.audit_log")]["result"] == "passed"  # tolerance 100


def test_dropped_column_fails_an_added_one_is_listed(target, tmp_path, capsys) -> None:
    baseline = snapshot(tmp_path, capsys)
    run_sql(target, "ALTER TABLE users DROP COLUMN name")
    run_sql(target, "ALTER TABLE orders ADD COLUMN note text")
    code, got = data_checks(baseline, capsys)
    assert code == 1
    assert failed(got) == {
        ("test_data::test_columns", "public.users"): "public.users: column name dropped"
    }
    assert got[("test_data::test_columns", "public.orders")]["reason"] == (
        "public.orders: column note added"
    )


def test_vanished_table_and_sequence_behind_fail(target, tmp_path, capsys) -> None:
    baseline = snapshot(tmp_path, capsys)
    run_sql(target, "DROP TABLE order_items")
    run_sql(target, "SELECT setval('orders_id_seq', 10)")
    code, got = data_checks(baseline, capsys)
    assert code == 1
    bad = failed(got)
    assert bad[("test_data::test_rows", "public.order_items")].startswith(
        "public.order_items: gone"
    )
    assert "public.orders_id_seq: gives 10, behind public.orders.id max" in bad[
        ("test_data::test_sequences", "-")]  # fmt: skip


def test_snapshot_with_the_convox_app_records_env_digests(target, tmp_path, capsys) -> None:
    out = tmp_path / "baseline.json"
    argv = ["db", "snapshot", "--from", "$H2C_TEST_TARGET", "-o", str(out),
            "--convox-app", "shop", "--convox-bin", str(CONVOX)]  # fmt: skip
    assert main(argv) == 0
    assert "3 env digests" in capsys.readouterr().out
    text = out.read_text()
    env = json.loads(text)["env"]
    assert env["release"] == "R2" and set(env["keys"]) == {"SECRET_KEY", "ALLOWED_HOSTS",
                                                           "RELEASE_NOTE"}  # fmt: skip
    assert "k3y-of-the-shop" not in text
    _, got = data_checks(out, capsys)
    assert failed(got) == {}
    assert got[("test_config::test_key", "SECRET_KEY")]["reason"] == (
        "SECRET_KEY: set, unchanged since the baseline"
    )
