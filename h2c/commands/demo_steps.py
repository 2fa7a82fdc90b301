"""``h2c demo``: the whole migration on a bundled sample app, offline, step by step.

A real PostgreSQL plays Heroku Postgres (seeded through the app's own migrations, and a seed
command where the app has one), another plays the Convox resource; the demo then runs the same
commands a user would: inspect, generate, db dump, db restore, db verify, env diff and the gate.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from h2c import output
from h2c.adapters.polling import wait_command, wait_stopped
from h2c.errors import EXIT_OK, EnvironmentMissing, H2cError

if TYPE_CHECKING:
    from h2c.adapters.contracts import Container, Engine

# The bundled samples ship inside the package (h2c/sample), so the demo runs from a wheel too.
SAMPLE_ROOT = Path(__file__).resolve().parent.parent / "sample"
HEROKU_PG, CONVOX_PG = "postgres:15", "postgres:17"  # Heroku's side is older, as in real life
READY_S = 90
SEED_S = 300  # the Heroku side's migrations and seed, in the app's image
POLL_S = 0.5


@dataclass(frozen=True)
class Sample:
    """A bundled sample: its app and Heroku exports, its copy's name, how production is seeded."""

    label: str  # as the summary names it
    root: Path  # holds app/ (the Heroku app) and heroku/ (its exports)
    name: str  # the copy's folder name, which tags the gate's image
    seed: str  # the app's own release (and seed) command, run on the Heroku side
    secret_keys: tuple[str, ...] = ()  # keys the seed needs, each given a random value

    @property
    def app(self) -> Path:
        return self.root / "app"

    @property
    def exports(self) -> Path:
        return self.root / "heroku"


SAMPLES = {  # `h2c demo --app KEY`
    "django": Sample(
        "Django",
        SAMPLE_ROOT,
        "django-sample",
        "python manage.py migrate --noinput && python manage.py seed_notes",
        secret_keys=("SECRET_KEY",),
    ),
    # knex's first migration inserts the notes: the release alone seeds the database
    "node": Sample("Node.js", SAMPLE_ROOT / "node", "node-sample", "npm run migrate"),
}
DEFAULT_SAMPLE = "django"


@dataclass
class StepRecord:
    name: str
    result: str
    seconds: float
    detail: str = ""


@dataclass
class Demo:
    """The demo's run: where it works and what each step gave."""

    workdir: Path
    sample: Sample
    steps: list[StepRecord] = field(default_factory=list)

    def step(self, name: str, action: Callable[[], int | str | None]) -> bool:
        """Run one step with a progress line; a non-zero exit code or an H2cError fails it."""
        number = len(self.steps) + 1
        output.info(f"\n==> [{number}] {name}")
        start = time.monotonic()
        try:
            outcome = action()
        except H2cError as error:
            self.steps.append(StepRecord(name, "failed", time.monotonic() - start, str(error)))
            output.error(str(error))
            return False
        ok = not isinstance(outcome, int) or outcome == EXIT_OK
        detail = outcome if isinstance(outcome, str) else ("" if ok else f"exit {outcome}")
        self.steps.append(
            StepRecord(name, "ok" if ok else "failed", time.monotonic() - start, detail)
        )
        return ok


@dataclass(frozen=True)
class LocalPostgres:
    """A throwaway PostgreSQL container published on 127.0.0.1 (the password stays here)."""

    image: str
    port: int
    password: str

    @property
    def url(self) -> str:
        return f"postgresql://app:{self.password}@127.0.0.1:{self.port}/app"


@contextmanager
def postgres(engine: Engine, image: str) -> Iterator[LocalPostgres]:
    """Start ``image`` with the official POSTGRES_* contract and wait until it accepts."""
    password = secrets.token_hex(16)
    env = {"POSTGRES_USER": "app", "POSTGRES_PASSWORD": password, "POSTGRES_DB": "app"}
    container = engine.run(image, env=env, port=5432)
    ready = ["pg_isready", "-h", "127.0.0.1", "-U", "app", "-d", "app"]
    try:
        if not wait_command(container, ready, deadline_s=READY_S, interval_s=POLL_S):
            raise EnvironmentMissing(f"{image} did not become ready:\n{container.logs(20)}")
        yield LocalPostgres(image, int(container.host_port or 0), password)
    finally:
        container.stop(timeout=10)
        container.remove()


def seed_heroku_side(engine: Engine, app_dir: Path, sample: Sample, db: LocalPostgres) -> str:
    """Play production: the app's own release (migrations) and seed command, in its image."""
    tag = f"h2c-gate/{app_dir.name}:latest"  # the gate's tag: its build reuses these layers
    engine.build(app_dir, tag=tag, on_line=None)
    env = {"DATABASE_URL": db.url} | {key: secrets.token_hex(24) for key in sample.secret_keys}
    job = engine.run_on_host_network(tag, command=["sh", "-c", sample.seed], env=env)
    try:
        code = _wait(job)
        if code != 0:
            raise H2cError(f"seeding the Heroku-side database failed:\n{job.logs(20)}")
        return job.logs(5).strip().splitlines()[-1]
    finally:
        job.remove()


def _wait(job: Container, deadline_s: float = SEED_S) -> int | None:
    """The job's exit code once it ended; None when it still runs at the deadline."""
    return job.exit_code() if wait_stopped(job, deadline_s=deadline_s, interval_s=POLL_S) else None


def prepare_workdir(workdir: Path | None, sample: Sample) -> Path:
    """A fresh copy of ``sample``'s app in ``workdir`` (default: a new temporary folder)."""
    if not sample.app.is_dir():
        raise EnvironmentMissing(f"the bundled sample app is not at {sample.app}: reinstall h2c")
    root = workdir or Path(tempfile.mkdtemp(prefix="h2c-demo-"))
    app = root / sample.name
    if app.exists():
        shutil.rmtree(app)
    shutil.copytree(sample.app, app)
    return app


def run_demo(workdir: Path | None, *, keep: bool = False, sample: str = DEFAULT_SAMPLE) -> Demo:
    """Every step of a migration, in order; a failed step stops the ones that need it."""
    from h2c.adapters.docker import Engine
    from h2c.cli import main as h2c

    chosen = SAMPLES[sample]
    app = prepare_workdir(workdir, chosen)
    demo = Demo(app.parent, chosen)
    exports = [
        "--config", str(chosen.exports / "config.txt"),
        "--addons", str(chosen.exports / "addons.json"),
        "--formation", str(chosen.exports / "formation.txt"),
    ]  # fmt: skip
    output.info(f"h2c demo: the bundled {chosen.label} sample, in {app}")
    demo.step("inspect the Heroku app", lambda: h2c(["inspect", str(app), *exports]))
    if not demo.step(
        "generate the Convox artifacts", lambda: h2c(["generate", str(app), *exports])
    ):
        return demo
    demo.step("env parity with Heroku", lambda: h2c(["env", "diff", str(app), *exports[:4]]))
    with (
        Engine.connect() as engine,
        postgres(engine, HEROKU_PG) as heroku_db,
        postgres(engine, CONVOX_PG) as convox_db,
    ):
        restored = move_database(demo, engine, app, heroku_db, convox_db)
        gate_step(demo, app, exports, (heroku_db, convox_db) if restored else None)
    if not keep:
        shutil.rmtree(demo.workdir, ignore_errors=True)
    return demo


def move_database(
    demo: Demo, engine: Engine, app: Path, heroku_db: LocalPostgres, convox_db: LocalPostgres
) -> bool:
    """Seed the Heroku side, then dump, restore and verify; True once the Convox side has it."""
    from h2c.cli import main as h2c

    dump = app.parent / "latest.dump"
    seeded = demo.step(
        f"play Heroku: {HEROKU_PG}, migrated and seeded by the app",
        lambda: seed_heroku_side(engine, app, demo.sample, heroku_db),
    )
    dumped = seeded and demo.step(
        "h2c db dump (what heroku pg:backups makes)",
        lambda: h2c(["db", "dump", "--from", heroku_db.url, "-o", str(dump)]),
    )
    restored = dumped and demo.step(
        f"h2c db restore into the Convox side ({CONVOX_PG})",
        lambda: h2c(["db", "restore", str(dump), "--to", convox_db.url]),
    )
    if restored:
        verify = ["db", "verify", "--source", heroku_db.url, "--target", convox_db.url]
        demo.step("h2c db verify --checksums", lambda: h2c([*verify, "--checksums"]))
    return restored


def gate_step(
    demo: Demo, app: Path, exports: list[str], databases: tuple[LocalPostgres, LocalPostgres] | None
) -> None:
    """The gate on the generated app; with ``databases`` (source, target), its database checks.

    The gate's child reads the URLs from its environment: no password on a command line, and
    this process's own environment is left as it was.
    """
    from h2c.commands.check import run_argv as run_check

    urls, gate_db = {}, []
    if databases is not None:
        urls = {"H2C_DEMO_SOURCE_URL": databases[0].url, "H2C_DEMO_TARGET_URL": databases[1].url}
        gate_db = ["--h2c-source", "$H2C_DEMO_SOURCE_URL", "--h2c-target", "$H2C_DEMO_TARGET_URL"]
    demo.step(
        "h2c check: the gate (image, service, compose, env, database)",
        lambda: run_check(["check", str(app), *exports, *gate_db], extra_env=urls),
    )
