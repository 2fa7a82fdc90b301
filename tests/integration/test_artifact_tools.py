"""Run the real tools on generated artifacts: hadolint on Dockerfiles, docker-compose config.

Neither needs a Docker Engine. A missing tool skips, unless H2C_REQUIRE_ENGINE=1 turns the
skip into a failure (CI).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from h2c.model import (
    Addon,
    AppSpec,
    ConfigVar,
    EnvDecl,
    FormationEntry,
    Process,
    Runtime,
)
from h2c.render.bundle import render_all
from h2c.render.compose import compose_escape
from h2c.secret import Secret
from tests.unavailable import unavailable

HADOLINT = Path(sys.executable).parent / "hadolint"
COMPOSE = shutil.which("docker-compose") or "/usr/bin/docker-compose"

MANAGERS = {
    "pip": ("requirements.txt",),
    "pipenv": ("Pipfile", "Pipfile.lock"),
    "poetry": ("pyproject.toml", "poetry.lock"),
    "uv": ("pyproject.toml", "uv.lock"),
}


def spec_for(manager: str, *, full: bool) -> AppSpec:
    """A Django app per package manager; ``full`` adds every optional build step."""
    runtime = Runtime(
        "python",
        "3.12.4",
        ".python-version",
        manager,
        MANAGERS[manager],
        framework="django",
        django_manage="manage.py",
        collectstatic=full,
        apt_packages=("libpq-dev", "curl") if full else (),
        pre_compile=full and manager == "pip",
        post_compile=full,
    )
    return AppSpec(
        name=f"tool-{manager}",
        processes=(
            Process("web", "gunicorn a.wsgi -w ${WEB_CONCURRENCY:-3} -b 0.0.0.0:$PORT", 1),
            Process("release", "python manage.py migrate", 2),
            Process("urgent_worker", "celery -A a worker && echo done | tee x", 3),
            Process("clock", "python clock.py", 4),
        ),
        runtime=runtime,
        addons=(
            Addon("heroku-postgresql", "essential-0", "DATABASE", ("DATABASE_URL",)),
            Addon("heroku-redis", "mini", "REDIS", ("REDIS_URL", "REDIS_TLS_URL")),
        ),
        formation=(FormationEntry("web", 2, "standard-2x"),),
        env_decls=(EnvDecl("MODE", value="prod $ cost"),),
        config=(
            ConfigVar("SECRET_KEY", Secret("s3cret-$with-dollar")),
            ConfigVar("PEM", Secret("a\nb")),
            ConfigVar("DATABASE_URL", Secret("postgres://heroku-db")),
        ),
    )


CASES = [(m, full) for m in sorted(MANAGERS) for full in (False, True)]
IDS = [f"{m}-{'full' if full else 'plain'}" for m, full in CASES]


def need(tool: str | Path) -> None:
    if not Path(tool).exists():
        unavailable(f"{tool} is not installed")


@pytest.mark.parametrize(("manager", "full"), CASES, ids=IDS)
def test_hadolint_finds_nothing(manager: str, full: bool) -> None:
    need(HADOLINT)
    dockerfile = render_all(spec_for(manager, full=full)).file("Dockerfile").content
    result = subprocess.run(
        [str(HADOLINT), "-f", "json", "-"], input=dockerfile, capture_output=True, text=True
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], "\n".join(
        f"{f['code']} line {f['line']}: {f['message']}" for f in findings
    )
    assert result.returncode == 0


@pytest.mark.parametrize(("manager", "full"), CASES, ids=IDS)
def test_docker_compose_config_accepts(manager: str, full: bool, tmp_path: Path) -> None:
    need(COMPOSE)
    rendered = render_all(spec_for(manager, full=full))
    path = tmp_path / "docker-compose.yml"
    path.write_text(rendered.file("docker-compose.yml").content)
    quiet = subprocess.run(
        [COMPOSE, "-f", str(path), "config", "-q"], capture_output=True, text=True, cwd=tmp_path
    )
    assert quiet.returncode == 0, quiet.stderr
    # `config` prints the file back with `$` escaped again: a round trip shows nothing was
    # interpolated away, so the container gets the same command as convox.yml
    full_out = subprocess.run(
        [COMPOSE, "-f", str(path), "config"], capture_output=True, text=True, cwd=tmp_path
    )
    resolved = yaml.safe_load(full_out.stdout)["services"]
    web = rendered.plan.services[0]
    assert resolved["web"]["command"] == compose_escape(web.command.text)
    assert "WARNING" not in quiet.stderr, quiet.stderr  # no unset-variable interpolation
