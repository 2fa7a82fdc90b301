# ruff: noqa: F811  (pytest fixtures imported from tests.integration.pg are parameters here)
"""The gate's database checks against real PostgreSQL clusters: each broken target is caught.

The gate runs in a subprocess (``pytest checks/test_database.py --h2c-source ... --h2c-target
...``, or ``h2c check`` where the exit code matters); each case asserts the verdict and that
the message names the table, column, sequence or key range.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from h2c.db import dump, restore
from h2c.db.conn import split_password
from tests.integration.pg import Cluster, pg_source, pg_target, run_sql, seeded_app_database  # noqa: F401
from tests.unavailable import require_images

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "db"
CHECKS = REPO / "checks" / "test_database.py"
SAMPLE = REPO / "fixtures" / "apps" / "django-sample"
EXPORTS = REPO / "fixtures" / "heroku" / "django-sample"


def _break(dsn: str, name: str) -> None:
    run_sql(dsn, (FIXTURES / "broken" / f"{name}.sql").read_text())


def gate(*args: str, app: Path | None = None) -> tuple[int, str]:
    """Run the database checks (not the migration check unless asked) in a subprocess."""
    argv = [sys.executable, "-m", "pytest", str(CHECKS), "-p", "no:cacheprovider", "-q"]
    argv += ["-o", "addopts=-ra"]
    if app is not None:
        argv += ["--h2c-app", str(app)]
    done = subprocess.run(
        [*argv, *args], cwd=REPO, capture_output=True, text=True, check=False, timeout=900
    )
    return done.returncode, done.stdout + done.stderr


# the checks that run the app's image (built, released, its processes started): not these tests'
IN_IMAGE = "not migrations and not process_connects"


def no_migrations(*args: str) -> tuple[int, str]:
    return gate(*args, "-k", IN_IMAGE)


@pytest.fixture(scope="module")
def source(pg_source: Cluster) -> str:
    return seeded_app_database(pg_source)


@pytest.fixture(scope="module")
def source_dump(source: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dump") / "latest.dump"
    dump.dump(source, path)
    return path


@pytest.fixture
def target(source_dump: Path, pg_target: Cluster) -> str:
    """A fresh, faithful ``h2c db restore`` of the source."""
    dsn = pg_target.new_database()
    assert restore.restore(source_dump, dsn, jobs=2).ok
    return dsn


def _passwords(*dsns: str) -> list[str]:
    return [split_password(d)[1] or "" for d in dsns]


def test_identical_after_restore_passes(source: str, target: str) -> None:
    rc, out = no_migrations("--h2c-source", source, "--h2c-target", target, "--h2c-checksums")
    assert rc == 0, out
    assert "test_row_count[public.order_items] PASSED" in out or " passed" in out
    assert "failed" not in out
    for password in _passwords(source, target):
        assert password not in out


def test_missing_rows_fail_naming_the_table_and_both_counts(source: str, target: str) -> None:
    _break(target, "missing_rows")
    rc, out = no_migrations("--h2c-source", source, "--h2c-target", target)
    assert rc == 1, out
    assert "public.order_items: source 10000 rows, target 9980 rows" in out
    assert "FAILED checks/test_database.py::test_row_count[public.order_items]" in out
    assert "test_row_count[public.orders]" not in out.split("short test summary")[-1]


def test_sequence_behind_max_id_fails_naming_it(source: str, target: str) -> None:
    _break(target, "sequence_behind")
    rc, out = no_migrations("--h2c-source", source, "--h2c-target", target)
    assert rc == 1, out
    assert "test_sequence[public.orders_id_seq]" in out
    assert "sequence public.orders_id_seq is behind public.orders.id" in out


def test_changed_column_type_fails_naming_column_and_both_types(source: str, target: str) -> None:
    _break(target, "column_type")
    rc, out = no_migrations("--h2c-source", source, "--h2c-target", target)
    assert rc == 1, out
    assert "test_schema[column]" in out
    assert "public.orders.total" in out and "numeric(12,2)" in out and "double precision" in out


def test_changed_row_fails_only_with_checksums_naming_the_key_range(
    source: str, target: str
) -> None:
    _break(target, "changed_row")
    rc, out = no_migrations("--h2c-source", source, "--h2c-target", target)
    assert rc == 0, out  # counts, sequences and schema cannot see one changed value
    rc, out = no_migrations("--h2c-source", source, "--h2c-target", target, "--h2c-checksums")
    assert rc == 1, out
    assert "test_checksums[public.orders]" in out
    assert "public.orders id >= " in out and "id < " in out


def test_heroku_ext_dump_restored_without_extensions_fails_counts(
    source_dump: Path, pg_target: Cluster
) -> None:
    """A plain pg_restore without the extensions loses public.accounts; the dump-file source
    (restored into a scratch database, with its extensions) shows the loss."""
    target = pg_target.new_database()
    clean, password = split_password(target)
    subprocess.run(
        ["pg_restore", "--no-owner", "--no-acl", "-d", clean, str(source_dump)],
        env={**os.environ, "PGPASSWORD": password or ""},
        capture_output=True,
        check=False,
    )
    rc, out = no_migrations("--h2c-source", str(source_dump), "--h2c-target", target)
    assert rc == 1, out
    assert "public.accounts: source 500 rows, target: table missing" in out
    assert "scratch database" in out
    scratch = target.rsplit("/", 1)[1] + "_h2c_source_scratch"
    left = run_sql(pg_target.dsn(), f"SELECT 1 FROM pg_database WHERE datname = '{scratch}'")
    assert left == []  # dropped after the run


def test_unreachable_source_is_one_failing_test_with_password_masked(target: str) -> None:
    gone = "postgresql://h2c:n0t-th3-pw@127.0.0.1:9/nowhere"  # nothing listens on port 9
    rc, out = no_migrations("--h2c-source", gone, "--h2c-target", target)
    assert rc == 1, out
    assert "test_row_count[?]" in out and "cannot connect" in out and "127.0.0.1:9" in out
    assert "1 failed" in out or "1 error" in out
    for password in [*_passwords(target), "n0t-th3-pw"]:
        assert password not in out


def test_nothing_configured_generates_no_comparison() -> None:
    rc, out = gate("-k", IN_IMAGE)
    assert rc == 5, out  # no tests: every comparison check was deselected
    assert "database comparison not generated" in out


def test_a_postgres_resource_is_always_exercised() -> None:
    """No source, no target: the sample's processes still connect, and its migrations are
    asked of the gate's own postgres (collected only here: they need the image)."""
    rc, out = gate("--collect-only")
    assert rc == 0, out
    for test in ("test_process_connects[web]", "test_process_connects[worker]",
                 "test_migrations_applied[h2c.toml]"):  # fmt: skip
        assert test in out, out
    assert "test_row_count" not in out


@pytest.fixture(scope="module")
def generated_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from h2c.cli import main

    app = tmp_path_factory.mktemp("app") / "django-sample"
    shutil.copytree(SAMPLE, app)
    args = ["generate", str(app), "--config", str(EXPORTS / "config.txt")]
    assert main([*args, "--addons", str(EXPORTS / "addons.json")]) == 0
    return app


def _newer_dump(source_dump: Path, tmp_path: Path) -> Path:
    data = bytearray(source_dump.read_bytes())
    data[5:8] = bytes([1, 99, 0])  # archive version 1.99.0: newer than any local pg_restore
    path = tmp_path / "newer.dump"
    path.write_bytes(bytes(data))
    return path


def test_dump_newer_than_pg_restore_exits_3_naming_both_versions(
    source_dump: Path, target: str, generated_app: Path, tmp_path: Path
) -> None:
    newer = _newer_dump(source_dump, tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "h2c.cli",
            "check",
            str(generated_app),
            "-k",
            f"test_database and {IN_IMAGE}",
            "--h2c-source",
            str(newer),
            "--h2c-target",
            target,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 3, out
    assert "1.99" in out and "pg_restore 15." in out


# --- the migration check: needs the app's image --------------------------------------------


def _run_in_image(engine: Any, image: str, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    container = engine.run_on_host_network(image, command=args, env=env)
    end = time.monotonic() + 300
    while container.status() not in ("exited", "dead") and time.monotonic() < end:
        time.sleep(0.5)
    return container.exit_code() or 0, container.logs()


@pytest.mark.docker
@pytest.mark.slow
def test_unapplied_migration_on_target_fails_naming_it(
    engine: Any, generated_app: Path, pg_target: Cluster
) -> None:
    require_images(engine, ["python:3.11-slim"])
    image = "h2c-test/db-django-sample:latest"
    engine.build(generated_app, tag=image)
    target = pg_target.new_database()
    env = {"DATABASE_URL": target, "SECRET_KEY": "gate-test-not-secret"}
    for args in (["migrate", "--noinput"], ["migrate", "notes", "0001", "--noinput"]):
        rc, logs = _run_in_image(engine, image, ["python", "manage.py", *args], env)
        assert rc == 0, logs
    common = ["--h2c-source", target, "--h2c-target", target, "-k", "test_migrations_applied"]
    rc, out = gate(*common, app=generated_app)
    assert rc == 1, out
    # h2c generate wrote the Django command into h2c.toml: [database] migration_status
    assert "test_migrations_applied[h2c.toml]" in out and "unapplied migrations" in out
    assert "notes.0002_note_pinned" in out
    rc, logs = _run_in_image(engine, image, ["python", "manage.py", "migrate", "--noinput"], env)
    assert rc == 0, logs
    rc, out = gate(*common, app=generated_app)
    assert rc == 0, out
