"""Where the gate's database checks get their source and target, and the migration command."""

from __future__ import annotations

from pathlib import Path

import pytest

from h2c.artifacts.h2c_toml import DatabaseSettings, read_h2c_toml
from h2c.errors import InputError
from h2c.gate.db_targets import dump_inventory, needs_host_network, resolve
from h2c.plan.migrations import migration_command

pytest_plugins = ["pytester"]

SRC = "postgresql://app:src-pw@heroku.example:5432/app"
TGT = "postgresql://h2c:tgt-pw@127.0.0.1:5433/app"


def test_nothing_configured() -> None:
    targets = resolve(source=None, target=None, checksums=None, toml=None, toml_file=None)
    assert not targets.configured and targets.missing is None


def test_options_win_over_toml_key_by_key(tmp_path: Path) -> None:
    toml = DatabaseSettings(source="other.dump", target="$TARGET_URL", checksums=True)
    (tmp_path / "other.dump").write_bytes(b"PGDMP")
    targets = resolve(
        source=SRC,
        target=None,
        checksums=None,
        toml=toml,
        toml_file=tmp_path / "h2c.toml",
        environ={"TARGET_URL": TGT},
    )
    assert (targets.source_url, targets.source_file, targets.target_url) == (SRC, None, TGT)
    assert targets.checksums and targets.origin == "h2c.toml+options"


def test_dump_file_in_toml_is_relative_to_the_app(tmp_path: Path) -> None:
    (tmp_path / "latest.dump").write_bytes(b"PGDMP")
    toml = DatabaseSettings(source="latest.dump", target=TGT)
    targets = resolve(
        source=None, target=None, checksums=None, toml=toml, toml_file=tmp_path / "h2c.toml"
    )
    assert targets.source_file == tmp_path / "latest.dump" and targets.source_url is None


def test_missing_dump_file_is_bad_input_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\[database\] source: no such dump file"):
        resolve(
            source=None,
            target=None,
            checksums=None,
            toml=DatabaseSettings(source="gone.dump"),
            toml_file=tmp_path / "h2c.toml",
        )


def test_target_must_be_a_url_and_the_message_hides_passwords() -> None:
    with pytest.raises(InputError) as caught:
        resolve(
            source=SRC, target="mysql://u:tgt-pw@h/x", checksums=None, toml=None, toml_file=None
        )
    assert "--h2c-target" in str(caught.value)
    with pytest.raises(InputError) as caught:
        resolve(source=SRC, target="pg.dump", checksums=None, toml=None, toml_file=None)
    assert "postgres:// URL" in str(caught.value)


@pytest.mark.parametrize("source", ["mysql://u:src-pw@h/x", "host=h password=src-pw"])
def test_source_that_is_no_postgres_url_is_never_echoed(source: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve(source=source, target=TGT, checksums=None, toml=None, toml_file=None)
    assert "--h2c-source" in str(caught.value)
    assert "src-pw" not in str(caught.value)


def test_unset_environment_variable_is_named() -> None:
    with pytest.raises(InputError, match="HEROKU_DATABASE_URL is not set"):
        resolve(
            source="${HEROKU_DATABASE_URL}",
            target=TGT,
            checksums=None,
            toml=None,
            toml_file=None,
            environ={},
        )


def test_only_one_side_says_what_is_missing() -> None:
    only_target = resolve(source=None, target=TGT, checksums=None, toml=None, toml_file=None)
    assert only_target.configured and "no source database" in (only_target.missing or "")
    only_source = resolve(source=SRC, target=None, checksums=None, toml=None, toml_file=None)
    assert "no target database" in (only_source.missing or "")


def test_repr_and_description_mask_passwords() -> None:
    targets = resolve(source=SRC, target=TGT, checksums=True, toml=None, toml_file=None)
    for text in (repr(targets), targets.describe(), str(targets)):
        assert "src-pw" not in text and "tgt-pw" not in text
    assert "with checksums" in targets.describe()


def test_toml_database_table_types_are_checked_with_the_line() -> None:
    text = '[app]\nname = "x"\n\n[database]\nsource = 5\n'
    with pytest.raises(InputError, match=r"h2c.toml:5: \[database\] source must be a string"):
        read_h2c_toml(text, file="h2c.toml")
    assert read_h2c_toml("[web]\nport = 1\n", file="h2c.toml").database == DatabaseSettings()
    assert read_h2c_toml(
        '[database]\nmigration_status = "flask db check"\n', file="h2c.toml"
    ).database.migration_status == ("flask db check")


@pytest.mark.parametrize(
    ("files", "kwargs", "framework", "first"),
    [
        (["manage.py"], {}, "django", "python"),
        ([], {"django_manage": "src/manage.py"}, "django", "python"),
        (["bin/rails"], {}, "rails", "bin/rails"),
        ([], {"framework": "rails"}, "rails", "bin/rails"),
        (["alembic.ini"], {}, "alembic", "/bin/sh"),
        (["manage.py"], {"configured": "./check-migrations"}, "h2c.toml", "/bin/sh"),
    ],
)
def test_migration_command_per_framework(files, kwargs, framework, first) -> None:
    command = migration_command(files, **kwargs)
    assert command is not None
    assert command.framework == framework and command.args[0] == first


def test_django_uses_plan_check_never_plain_check() -> None:
    command = migration_command(["manage.py"])
    assert command is not None and "--plan" in command.args and "--check" in command.args
    assert command.shown == "python manage.py migrate --plan --check"


def test_alembic_falls_back_to_comparing_current_with_heads() -> None:
    command = migration_command(["alembic.ini"])
    assert command is not None
    assert "--check-heads" in command.shown and "alembic heads" in command.shown


def test_no_known_command() -> None:
    assert migration_command(["app.py", "requirements.txt"]) is None


def test_dump_inventory_skips_heroku_ext_and_data_entries() -> None:
    tables, sequences = dump_inventory(
        [
            ("SCHEMA", "-", "heroku_ext"),
            ("TABLE", "public", "orders"),
            ("TABLE DATA", "public", "orders"),
            ("SEQUENCE", "public", "orders_id_seq"),
            ("SEQUENCE OWNED BY", "public", "orders_id_seq"),
            ("TABLE", "heroku_ext", "ext_table"),
            ("TABLE", "audit", "events"),
        ]
    )
    assert tables == ["audit.events", "public.orders"]
    assert sequences == ["public.orders_id_seq"]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("postgresql://u:p@127.0.0.1:5432/x", True),
        ("postgresql://u:p@localhost/x", True),
        ("postgresql://u:p@[::1]:5432/x", True),
        ("postgres://u:p@db:5432/x", False),
        ("postgres://u:p@10.0.0.5/x", False),
    ],
)
def test_host_network_only_for_loopback_targets(url: str, host: bool) -> None:
    assert needs_host_network(url) is host


CHECKS = Path(__file__).resolve().parents[2] / "checks" / "test_database.py"


def _gate(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makefile(".toml", h2c='[app]\nname = "x"\n')  # an app folder without [database]
    return pytester.runpytest_subprocess(
        str(CHECKS), "-p", "no:cacheprovider", "--h2c-app", str(pytester.path), *args
    )


def test_gate_without_databases_generates_no_database_check(pytester: pytest.Pytester) -> None:
    result = _gate(pytester)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["*database comparison not generated: no source or target*"])


def test_gate_with_only_a_target_fails_once_saying_the_source_is_missing(
    pytester: pytest.Pytester,
) -> None:
    result = _gate(pytester, "--h2c-target", TGT)
    result.assert_outcomes(errors=1, deselected=5)  # test_process_connects too: no app
    result.stdout.fnmatch_lines(["*test_row_count?[?]*"])
    assert "no source database: pass --h2c-source" in result.stdout.str()
    assert "tgt-pw" not in result.stdout.str()
