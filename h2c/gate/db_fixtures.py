"""Gate hooks and fixtures for the database checks (``checks/test_database.py``).

Registered by ``h2c.gate.plugin`` (``pytest_plugins``), so its options exist before the command line
is parsed::

    --h2c-source URL|FILE  --h2c-target URL  --h2c-checksums

(else h2c.toml ``[database] source / target / checksums``). Tables and sequences come from the
source's catalog (or a dump's table of contents) at collection, one test each. With neither a
source nor a target the comparison checks are not generated (deselected, with a line in the
terminal summary saying why). A dump-file source is restored into a scratch database on the
target's server and dropped afterwards; the source itself is only ever read.

An app with a postgres resource in convox.yml always has its database exercised, with or
without a source: after the release (run against the gate's own postgres), each process whose
service links it connects from inside its container (``h2c.gate.db_probe``), and, without a
target, the migration status is asked of the gate's own postgres.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from h2c.artifacts.h2c_toml import H2cToml, h2c_toml_in
from h2c.db.conn import mask
from h2c.errors import H2cError
from h2c.gate import db_probe
from h2c.gate.db_targets import (
    DbTargets,
    dump_inventory,
    resolve,
)
from h2c.gate.settings import session_app
from h2c.plan.migrations import MigrationCommand, migration_command

if TYPE_CHECKING:
    from h2c.db.verify import VerifyReport

PLAN = pytest.StashKey["DbPlan"]()
SEEN = pytest.StashKey[bool]()
EMPTY = "h2c_nothing_to_check"  # h2c.gate.plugin deselects parameters with this mark
UNKNOWN = "?"
SCHEMA_KINDS = ("table", "column", "constraint", "index", "sequence", "extension")
DJANGO_MANAGE = ("manage.py", "*/manage.py")


@dataclass
class DbPlan:
    """What the database checks will do, decided once at collection."""

    targets: DbTargets | None = None
    error: H2cError | None = None  # bad options or h2c.toml: raised again by the fixtures
    tables: list[str] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)
    problem: str | None = None  # the source could not be read at collection
    problem_error: H2cError | None = None  # ... and the h2c error that said so, if any
    migration: MigrationCommand | None = None
    notes: list[str] = field(default_factory=list)  # for the terminal summary
    linked: dict[str, list[str]] = field(default_factory=dict)  # process -> its databases
    django_manage: str | None = None  # manage.py, relative to the app folder

    @property
    def active(self) -> bool:
        return self.error is not None or (self.targets is not None and self.targets.configured)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("h2c", "h2c gate (Heroku -> Convox)")
    group.addoption(
        "--h2c-source",
        metavar="URL|FILE",
        help="source database: postgres:// URL or custom-format dump (else h2c.toml)",
    )
    group.addoption("--h2c-target", metavar="URL", help="target database URL (else h2c.toml)")
    group.addoption(
        "--h2c-checksums",
        action="store_true",
        default=None,
        help="also compare row checksums by key range (else h2c.toml [database] checksums)",
    )


def _app_dir(config: pytest.Config) -> Path | None:
    app = getattr(config.option, "h2c_app", None)
    return Path(app).resolve() if app else None


def _django_manage(app: Path | None) -> str | None:
    if app is None or not app.is_dir():
        return None
    manage = next((p for pattern in DJANGO_MANAGE for p in sorted(app.glob(pattern))), None)
    return str(manage.relative_to(app)) if manage else None


def _migration(app: Path | None, configured: str | None) -> MigrationCommand | None:
    if app is None or not app.is_dir():
        return migration_command([], configured=configured)
    files = [f for f in ("bin/rails", "alembic.ini") if (app / f).exists()]
    return migration_command(files, configured=configured, django_manage=_django_manage(app))


def _linked(config: pytest.Config) -> dict[str, list[str]]:
    """Process -> the postgres resources its service links ({} when the app cannot load)."""
    try:
        return db_probe.linked(session_app(config))
    except H2cError:
        return {}


def _inventory(plan: DbPlan) -> None:
    from h2c.db import restore, verify

    targets = plan.targets
    assert targets is not None
    try:
        if targets.source_file:
            entries = restore.preflight(targets.source_file).entries
            plan.tables, plan.sequences = dump_inventory(
                (e.desc, e.schema, e.name) for e in entries
            )
        elif targets.source_url:
            plan.tables, plan.sequences = verify.inventory(targets.source_url)
    except H2cError as error:  # cannot connect (exit 2), dump too new (exit 3): raised again
        plan.problem, plan.problem_error = str(error), error
    except Exception as trouble:  # any other reason the source cannot be read: said once, masked
        plan.problem = f"cannot read the source database: {mask(str(trouble))}"


def _toml(config: pytest.Config, app: Path) -> H2cToml:
    """The session's h2c.toml; the database checks need no other artifact, so without them
    (a folder never generated) the file is read alone."""
    try:
        return session_app(config).h2c_toml
    except H2cError:
        return h2c_toml_in(app)


def db_plan(config: pytest.Config) -> DbPlan:
    """The collection-time plan (cached): targets, table and sequence ids, migration command."""
    if PLAN in config.stash:
        return config.stash[PLAN]
    plan = DbPlan()
    app = _app_dir(config)
    toml_file = app / "h2c.toml" if app else None
    option = config.option
    try:
        toml = _toml(config, app).database if app else None
        plan.targets = resolve(
            source=option.h2c_source,
            target=option.h2c_target,
            checksums=option.h2c_checksums,
            toml=toml,
            toml_file=toml_file,
        )
        plan.migration = _migration(app, toml.migration_status if toml else None)
    except H2cError as error:
        plan.error, plan.problem = error, str(error)
    plan.linked, plan.django_manage = _linked(config), _django_manage(app)
    _describe_gate_db(plan)
    if not plan.active:
        plan.notes.append(
            "database comparison not generated: no source or target (--h2c-source / "
            "--h2c-target, or [database] source / target in h2c.toml)"
        )
    elif plan.error is None and plan.targets and plan.targets.missing:
        plan.problem = plan.targets.missing
    elif plan.error is None:
        _inventory(plan)
        _describe(plan)
    config.stash[PLAN] = plan
    return plan


def _describe_gate_db(plan: DbPlan) -> None:
    if not plan.linked:
        return
    processes = ", ".join(sorted(plan.linked))
    plan.notes.append(f"database: {processes} connect to the gate's own postgres after the release")
    if not plan.active and plan.migration is not None:
        plan.notes.append(f"migration status ({plan.migration.shown}) on the gate's own postgres")
    elif not plan.active:
        plan.notes.append(
            "migration check not generated: h2c knows no migration-status command for this app; "
            "set [database] migration_status in h2c.toml"
        )


def _describe(plan: DbPlan) -> None:
    from h2c.db.scratch import scratch_dsn

    targets = plan.targets
    assert targets is not None and targets.target_url is not None
    plan.notes.append(f"database checks: {targets.describe()}")
    if targets.source_file:
        plan.notes.append(
            f"the dump {targets.source_file.name} is restored into the scratch database "
            f"{mask(scratch_dsn(targets.target_url))} for counting, and dropped after"
        )
    if not targets.checksums:
        plan.notes.append(
            "checksums not generated: enable with --h2c-checksums or [database] checksums = true"
        )
    if plan.migration is None:
        plan.notes.append(
            "migration check not generated: h2c knows no migration-status command for this app; "
            "set [database] migration_status in h2c.toml"
        )


def _parametrize(metafunc: pytest.Metafunc, name: str, values: list[str]) -> None:
    if values:
        metafunc.parametrize(name, values, ids=values)
    else:
        metafunc.parametrize(name, [pytest.param(None, marks=getattr(pytest.mark, EMPTY))])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    names = [n for n in metafunc.fixturenames if n.startswith("gate_db_") and n.endswith("_id")]
    if not names:
        return
    config = metafunc.config
    config.stash[SEEN] = True
    plan = db_plan(config)
    on = plan.active and plan.problem is None
    checksums = on and plan.targets is not None and plan.targets.checksums
    migrations = on or (not plan.active and bool(plan.linked))
    values = {
        "gate_db_table_id": plan.tables if on else ([UNKNOWN] if plan.active else []),
        "gate_db_sequence_id": plan.sequences if on else [],
        "gate_db_schema_id": list(SCHEMA_KINDS) if on else [],
        "gate_db_checksum_id": plan.tables if checksums else [],
        "gate_db_migration_id": [plan.migration.framework] if migrations and plan.migration else [],
        "gate_db_process_id": sorted(plan.linked),
    }
    for name in names:
        _parametrize(metafunc, name, values.get(name, []))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    plan = config.stash.get(PLAN, None)
    if plan is None or not config.stash.get(SEEN, False):
        return
    for note in plan.notes:
        terminalreporter.write_line(f"h2c: {note}")


# --- fixtures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DbPair:
    """The databases compared; ``source`` is a scratch restore when the source is a dump."""

    source: str
    target: str
    note: str = ""

    def __repr__(self) -> str:
        return f"DbPair({mask(self.source)} -> {mask(self.target)})"


@pytest.fixture(scope="session")
def gate_db_plan(pytestconfig: pytest.Config) -> DbPlan:
    """The plan made at collection; bad options or h2c.toml raise here (exit 2)."""
    plan = db_plan(pytestconfig)
    if plan.error is not None:
        raise plan.error
    return plan


@pytest.fixture(scope="session")
def gate_db(gate_db_plan: DbPlan) -> Iterator[DbPair]:
    """Source and target URLs; a dump-file source is restored into a scratch database first."""
    targets = gate_db_plan.targets
    if targets is None or targets.missing:
        pytest.fail((targets and targets.missing) or "no database configured", pytrace=False)
    if gate_db_plan.problem_error is not None:
        raise gate_db_plan.problem_error
    if gate_db_plan.problem is not None:
        pytest.fail(gate_db_plan.problem, pytrace=False)
    assert targets.target_url is not None
    if targets.source_file is None:
        assert targets.source_url is not None
        yield DbPair(targets.source_url, targets.target_url)
        return
    from h2c.db import scratch

    with scratch.restored(targets.source_file, targets.target_url) as (dsn, _):
        note = f"source: {targets.source_file.name} restored into scratch database"
        yield DbPair(dsn, targets.target_url, note)


@pytest.fixture(scope="session")
def gate_db_report(gate_db: DbPair, gate_db_plan: DbPlan) -> VerifyReport:
    """One ``h2c.db.verify.verify`` run: counts, sequences, schema, checksums if asked."""
    from h2c.db import verify

    assert gate_db_plan.targets is not None
    return verify.verify(
        gate_db.source,
        gate_db.target,
        workers=min(2, os.cpu_count() or 1),
        with_checksums=gate_db_plan.targets.checksums,
    )
