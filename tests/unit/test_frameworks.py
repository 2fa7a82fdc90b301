"""Frameworks and processes: FastAPI/Starlette, Celery worker and beat, Alembic/Flask-Migrate,
the migration-status command h2c.toml records for each, and release commands whose exit
status hides a failure. App folders are small synthetic ones written here."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from h2c.heroku.app import load_app
from h2c.heroku.runtime import detect_runtime
from h2c.model import AppSpec, Process, Runtime, Severity
from h2c.plan.commands import release_hazards
from h2c.plan.migrations import ALEMBIC_SCRIPT
from h2c.plan.planner import plan
from h2c.render.h2c_toml import migration_status_command, render_h2c_toml
from h2c.render.inspection import describe
from h2c.render.runbook import render_migration_md


def write_app(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# ---- detection from app folders -----------------------------------------------------------


def test_fastapi_with_uvicorn(tmp_path: Path) -> None:
    app = write_app(
        tmp_path,
        {
            "Procfile": "web: uvicorn main:app --host 0.0.0.0 --port $PORT\n",
            "requirements.txt": "fastapi==0.115.0\nuvicorn[standard]==0.30.0\n",
            "main.py": "app = None\n",
        },
    )
    runtime = load_app(app).runtime
    assert (runtime.framework, runtime.asgi_server, runtime.migrations) == (
        "fastapi",
        "uvicorn",
        None,
    )


def test_starlette_under_gunicorn_uvicorn_workers(tmp_path: Path) -> None:
    app = write_app(
        tmp_path,
        {
            "Procfile": "web: gunicorn -k uvicorn.workers.UvicornWorker app:app\n",
            "requirements.txt": "starlette\ngunicorn\nuvicorn\n",
        },
    )
    runtime = load_app(app).runtime
    assert (runtime.framework, runtime.asgi_server) == ("starlette", "uvicorn")


def test_asgi_server_without_a_named_framework() -> None:
    files = {"requirements.txt": "uvicorn\n", "Procfile": "web: uvicorn app:app\n"}
    assert detect_runtime(files)[0].framework == "asgi"


def test_fastapi_wins_over_flask_only_with_an_asgi_server() -> None:
    deps = {"requirements.txt": "flask\nfastapi\n"}
    assert detect_runtime(deps)[0].framework == "flask"
    asgi = {**deps, "Procfile": "web: uvicorn main:app\n"}
    assert detect_runtime(asgi)[0].framework == "fastapi"


def test_celery_worker_beat_and_embedded_beat(tmp_path: Path) -> None:
    app = write_app(
        tmp_path,
        {
            "Procfile": (
                "web: gunicorn shop.wsgi\n"
                "worker: celery -A shop worker -l info\n"
                "clock: celery -A shop beat -l info\n"
                "jobs: celery --app=shop worker -B --concurrency 2\n"
            ),
            "requirements.txt": "Django\ncelery[redis]\n",
            "manage.py": "",
        },
    )
    spec = load_app(app)
    assert spec.runtime.framework == "django"
    assert spec.runtime.celery == (
        ("worker", "worker"),
        ("clock", "beat"),
        ("jobs", "worker+beat"),
    )
    embedded = [f for f in spec.findings if "also runs beat" in f.message]
    assert len(embedded) == 1 and embedded[0].severity is Severity.WARNING
    assert embedded[0].line == 4 and embedded[0].message.startswith("jobs:")


def test_alembic_from_its_ini(tmp_path: Path) -> None:
    app = write_app(
        tmp_path,
        {
            "Procfile": "web: uvicorn api:app\n",
            "requirements.txt": "fastapi\nsqlalchemy\n",
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
        },
    )
    spec = load_app(app)
    assert (spec.runtime.framework, spec.runtime.migrations) == ("fastapi", "alembic")
    assert describe(spec, plan(spec))["runtime"]["migrations"] == "alembic"


@pytest.mark.parametrize(
    ("files", "migrations"),
    [
        ({"requirements.txt": "Flask\nFlask-Migrate==4.0.7\n"}, "flask-migrate"),
        ({"requirements.txt": "flask\nflask_migrate\nalembic\n"}, "flask-migrate"),
        ({"requirements.txt": "sqlalchemy\nalembic>=1.13\n"}, "alembic"),
        ({"requirements.txt": "alembic-utils\n"}, None),  # another package's name
        ({"requirements.txt": "Django\nalembic\n", "manage.py": ""}, None),  # Django's own
    ],
)
def test_migration_tool(files: dict[str, str], migrations: str | None) -> None:
    assert detect_runtime(files)[0].migrations == migrations


# ---- the migration-status command h2c.toml records ----------------------------------------


def spec_with(runtime: Runtime) -> AppSpec:
    return AppSpec("api", (Process("web", "uvicorn main:app", 1),), runtime)


@pytest.mark.parametrize(
    ("kwargs", "command"),
    [
        (
            {"framework": "django", "django_manage": "src/manage.py"},
            "python src/manage.py migrate --plan --check",
        ),
        ({"framework": "flask", "migrations": "flask-migrate"}, "flask db check"),
        ({"framework": "fastapi", "migrations": "alembic"}, ALEMBIC_SCRIPT),
        ({"framework": "fastapi"}, None),
    ],
)
def test_migration_status_per_framework(kwargs: dict[str, str], command: str | None) -> None:
    runtime = Runtime("python", "3.12", "default", "pip", ("requirements.txt",), **kwargs)  # type: ignore[arg-type]
    spec = spec_with(runtime)
    assert migration_status_command(spec) == command
    doc = tomllib.loads(render_h2c_toml(spec, plan(spec)))
    assert doc["database"].get("migration_status") == command


def test_alembic_status_falls_back_when_check_heads_is_unknown() -> None:
    rt = Runtime("python", "3.12", "default", "pip", ("requirements.txt",), migrations="alembic")
    command = migration_status_command(spec_with(rt))
    assert command is not None
    assert command.startswith("alembic current --check-heads") and "alembic heads" in command


# ---- release commands whose exit status hides a failure -----------------------------------


def test_background_release_names_what_is_lost() -> None:
    (hazard,) = release_hazards("flask db migrate & flask clear-cache")
    assert "`flask db migrate &`" in hazard and "background" in hazard
    assert "exit status is `flask clear-cache`'s" in hazard
    assert "failure of `flask db migrate` is ignored" in hazard


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("python manage.py migrate; python manage.py seed", ["`python manage.py migrate;`"]),
        ("./migrate.sh || echo skipped", ["failure of `./migrate.sh` is hidden"]),
        ("./release.sh 2>&1 | tee log", ["failure of `./release.sh 2>&1` is hidden"]),
        ("a && b & c", ["failure of `a && b` is ignored", "exit status is `c`'s"]),
        ("./warm-cache &", ["the release ends at once"]),
    ],
)
def test_release_hazards(command: str, words: list[str]) -> None:
    text = " ".join(release_hazards(command))
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    "command",
    [
        "python manage.py migrate --noinput",
        "flask db upgrade && flask seed",
        "./release.sh >/tmp/log 2>&1",
        "sh -c 'a; b'",  # quoted: one argument to sh
        "echo 'x || y' && run --sep=';'",
        "run &> /tmp/log",
    ],
)
def test_safe_release_commands(command: str) -> None:
    assert release_hazards(command) == []


def test_runbook_prints_the_hazard_beside_the_release_step() -> None:
    rt = Runtime("python", "3.12", "default", "pip", ("requirements.txt",), framework="flask")
    spec = AppSpec(
        "notes",
        (
            Process("web", "gunicorn app:app", 1),
            Process("release", "flask db migrate & flask clear-cache", 2),
        ),
        rt,
    )
    text = render_migration_md(spec, plan(spec))
    release = text.split("## Release phase", 1)[1].split("\n## ", 1)[0]
    assert "can fail without failing the release" in release
    assert "`flask db migrate &` runs in the background" in release
    assert "Run the release command once. Read the warning under *Release phase* first." in text
    assert "its exit status can hide a failure" in text
