"""The neutral model that readers produce and writers consume.

Standard library only, and nothing Convox- or Docker-specific: a new input format is a new
reader, a new target a new writer. Every type is a frozen dataclass so a model can be shared
between writers without one changing what another sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from h2c.secret import Secret


class Severity(StrEnum):
    """How much a finding matters to the person migrating."""

    INFO = "info"
    WARNING = "warning"
    DECISION = "decision"  # h2c cannot choose for the user: they must


@dataclass(frozen=True)
class Finding:
    """Something a reader or planner noticed and must not drop silently."""

    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        return f"{self.severity.value}: {where}{self.message}"


@dataclass(frozen=True)
class Process:
    """One Procfile entry, under the type name Heroku knows it by."""

    name: str
    command: str
    line: int


@dataclass(frozen=True)
class Runtime:
    """What the Heroku buildpack (Python or Node.js) would decide for this app."""

    language: str  # "python" | "node"
    version: str  # as the app asks: "3.11" or "3.11.7"
    version_source: str  # the file that decided it, or "default"
    package_manager: str  # pip | pipenv | poetry | uv
    dependency_files: tuple[str, ...]  # app-relative paths the dependency layer is keyed on
    framework: str | None = None  # "django" | "flask" | "fastapi" | "starlette" | "asgi" | None
    django_manage: str | None = None  # app-relative path of manage.py
    collectstatic: bool = False  # Django static files collected at build time
    apt_packages: tuple[str, ...] = ()  # from Aptfile
    pre_compile: bool = False  # bin/pre_compile exists
    post_compile: bool = False  # bin/post_compile exists
    migrations: str | None = None  # "alembic" | "flask-migrate": besides Django's own
    asgi_server: str | None = None  # "uvicorn" | "hypercorn" | "daphne": the Procfile's web server
    # Procfile types that run Celery, and what each runs: "worker", "beat" or "worker+beat" (-B)
    celery: tuple[tuple[str, str], ...] = ()
    # Node.js (heroku-buildpack-nodejs): language "node", version the major ("20"),
    # package_manager npm | yarn | yarn-berry | pnpm, migrations "knex" | "node-pg-migrate"
    node_engines: str | None = None  # package.json engines.node, as written
    node_package_manager: str | None = None  # package.json packageManager ("pnpm@9.1.0")
    node_tool: str | None = None  # the npm package installed as the manager ("pnpm@9.1.0")
    node_pnp: bool = False  # yarn 2+ Plug'n'Play: .pnp.cjs, no node_modules
    node_workspaces: bool = False  # package.json workspaces, or pnpm-workspace.yaml packages
    node_prebuild: bool = False  # a heroku-prebuild script (runs before the install)
    node_build_script: str | None = None  # "heroku-postbuild", else "build", else None
    node_cleanup: bool = False  # a heroku-cleanup script (runs after the prune)
    node_tls_sites: tuple[str, ...] = ()  # "db.js:8": settings that always demand TLS

    @property
    def minor_version(self) -> str:
        """``3.11.7`` -> ``3.11``: the part an image tag is chosen by."""
        return ".".join(self.version.split(".")[:2])


@dataclass(frozen=True)
class Addon:
    """An add-on attachment: which service, which plan, and the config vars it owns."""

    service: str  # "heroku-postgresql", "heroku-redis", "papertrail", ...
    plan: str | None  # "essential-0", "mini", ...
    attachment: str  # the "as" name, e.g. "DATABASE", "HEROKU_POSTGRESQL_RED"
    config_vars: tuple[str, ...] = ()  # keys this add-on sets, e.g. ("DATABASE_URL",)
    source: str = "app.json"  # the file it was read from


@dataclass(frozen=True)
class FormationEntry:
    """How many dynos of which size a process type runs."""

    process: str
    quantity: int
    size: str  # as Heroku spells it, normalised to lower case: "standard-2x"


@dataclass(frozen=True)
class EnvDecl:
    """An env key declared in app.json."""

    key: str
    description: str | None = None
    value: str | None = None  # a non-secret default from app.json
    required: bool = True
    generator: str | None = None  # "secret"


@dataclass(frozen=True)
class ScheduledJob:
    """One Heroku Scheduler job, as the Scheduler API describes it (times in UTC)."""

    command: str
    every: int  # minutes: 10, 60 or 1440
    at: int  # minute past the hour (every 60) or minutes after 00:00 (every 1440); 0 for 10
    dyno_size: str | None = None
    source: str = ""  # where it was read: a JSON pointer in the scheduler file


@dataclass(frozen=True)
class ConfigVar:
    """One value from a Heroku config export, kept as a Secret."""

    key: str
    value: Secret
    line: int | None = None


@dataclass(frozen=True)
class AppSpec:
    """Everything h2c knows about one Heroku app."""

    name: str
    processes: tuple[Process, ...]
    runtime: Runtime
    addons: tuple[Addon, ...] = ()
    formation: tuple[FormationEntry, ...] = ()
    env_decls: tuple[EnvDecl, ...] = ()
    config: tuple[ConfigVar, ...] = ()
    scripts: tuple[tuple[str, str], ...] = ()  # app.json scripts: (name, command)
    buildpacks: tuple[str, ...] = ()
    stack: str | None = None
    # Heroku-only env the app's code reads: (key, file, line), e.g. ("DYNO", "settings.py", 19)
    reads_platform_env: tuple[tuple[str, str, int], ...] = ()
    scheduled_jobs: tuple[ScheduledJob, ...] = ()  # from --scheduler FILE (none otherwise)
    # Config vars the build reads: (key, file, line), from the build hooks and the settings
    # module collectstatic imports
    build_reads: tuple[tuple[str, str, int], ...] = ()
    # The Heroku exports read, as paths relative to the app folder: (kind, path), kind one of
    # config | addons | formation | scheduler (h2c.toml records them for `h2c check`)
    exports: tuple[tuple[str, str], ...] = ()
    findings: tuple[Finding, ...] = field(default=(), compare=False)

    def process(self, name: str) -> Process | None:
        return next((p for p in self.processes if p.name == name), None)

    def config_value(self, key: str) -> Secret | None:
        return self._config_by_key.get(key)

    @cached_property
    def _config_by_key(self) -> dict[str, Secret]:
        """The first value of each key, as a lookup (planning asks once per key: keep it linear)."""
        found: dict[str, Secret] = {}
        for var in self.config:
            found.setdefault(var.key, var.value)
        return found

    def formation_for(self, process: str) -> FormationEntry | None:
        return next((f for f in self.formation if f.process == process), None)
