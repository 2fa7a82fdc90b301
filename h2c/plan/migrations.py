"""How to ask an app whether migrations are pending: the one place that knows each framework's
command (exit 0 = none pending). h2c.toml's ``migration_status`` is written from it, and the
gate runs it (or the user's own from h2c.toml) in the image.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ALEMBIC_SCRIPT = (
    "alembic current --check-heads; rc=$?; [ $rc -ne 2 ] && exit $rc; "
    'cur=$(alembic current 2>/dev/null | cut -d" " -f1 | sort); '
    'heads=$(alembic heads 2>/dev/null | cut -d" " -f1 | sort); '
    '[ -n "$heads" ] && [ "$cur" = "$heads" ]'
)

# knex and node-pg-migrate have no pending-check exit code: read what they print
# (knex `migrate:list`: "No Pending Migration files Found."; node-pg-migrate `up --dry-run`
# rolls back and prints "No migrations to run!").
KNEX_SCRIPT = (
    'out=$(knex migrate:list 2>&1); rc=$?; echo "$out"; [ $rc -eq 0 ] || exit 2; '
    'echo "$out" | grep -q "No Pending Migration files Found"'
)
NODE_PG_MIGRATE_SCRIPT = (
    'out=$(node-pg-migrate up --dry-run 2>&1); rc=$?; echo "$out"; [ $rc -eq 0 ] || exit 2; '
    'echo "$out" | grep -q "No migrations to run"'
)


@dataclass(frozen=True)
class MigrationCommand:
    """How to ask the app about pending migrations: exit 0 = none pending."""

    framework: str  # django | rails | flask-migrate | alembic | knex | node-pg-migrate | h2c.toml
    args: tuple[str, ...]

    @property
    def shown(self) -> str:
        return self.args[-1] if self.args[:2] == ("/bin/sh", "-c") else " ".join(self.args)


def migration_command(
    files: Iterable[str],
    *,
    framework: str | None = None,
    configured: str | None = None,
    django_manage: str | None = None,
    migrations: str | None = None,
) -> MigrationCommand | None:
    """h2c.toml's command, else the framework's own; None when h2c knows none.

    ``files`` are paths relative to the app folder (``manage.py``, ``bin/rails``, ...);
    ``migrations`` is the tool the runtime reader found (``Runtime.migrations``):
    Flask-Migrate's ``flask db check`` (Flask-Migrate 4+: exits 1 while the database is not at
    head, or the models hold changes no migration has) or Alembic's ``current --check-heads``
    with ``ALEMBIC_SCRIPT``'s fallback for Alembic before 1.17.1.

    >>> migration_command(["manage.py"]).args
    ('python', 'manage.py', 'migrate', '--plan', '--check')
    >>> migration_command(["Gemfile", "bin/rails"]).args
    ('bin/rails', 'db:abort_if_pending_migrations')
    >>> migration_command(["alembic.ini"]).framework
    'alembic'
    >>> migration_command(["app.py"], configured="flask db check").args
    ('/bin/sh', '-c', 'flask db check')
    >>> migration_command([], framework="flask", migrations="flask-migrate").args
    ('flask', 'db', 'check')
    >>> migration_command([], migrations="alembic").shown == ALEMBIC_SCRIPT
    True
    >>> migration_command(["package.json"], migrations="knex").shown == KNEX_SCRIPT
    True
    >>> migration_command(["app.py"]) is None
    True
    """
    present = set(files)
    if configured:
        return MigrationCommand("h2c.toml", ("/bin/sh", "-c", configured))
    if framework == "django" or django_manage or "manage.py" in present:
        manage = django_manage or "manage.py"
        return MigrationCommand("django", ("python", manage, "migrate", "--plan", "--check"))
    if framework == "rails" or "bin/rails" in present:
        return MigrationCommand("rails", ("bin/rails", "db:abort_if_pending_migrations"))
    if migrations == "flask-migrate":
        return MigrationCommand("flask-migrate", ("flask", "db", "check"))
    if migrations == "alembic" or "alembic.ini" in present:
        return MigrationCommand("alembic", ("/bin/sh", "-c", ALEMBIC_SCRIPT))
    if migrations == "knex":
        return MigrationCommand("knex", ("/bin/sh", "-c", KNEX_SCRIPT))
    if migrations == "node-pg-migrate":
        return MigrationCommand("node-pg-migrate", ("/bin/sh", "-c", NODE_PG_MIGRATE_SCRIPT))
    return None
