"""`h2c generate` and `h2c inspect` as a user runs them: real files, real exit codes."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from h2c.commands.generate import SEED_FILES
from tests.golden_cases import APPS, GOLDEN, REPO, GoldenCase, golden_cases

CASES = golden_cases()


def h2c(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "h2c.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def app_copy(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[GoldenCase, Path]:
    """A copy of the app and its exports, laid out as in the repository, so the relative paths
    h2c.toml records for the exports ([heroku]) are the goldens' own."""
    case: GoldenCase = request.param
    target = tmp_path / case.app_dir.relative_to(REPO)
    shutil.copytree(case.app_dir, target)
    moved = {}
    for field in ("config", "addons", "formation", "scheduler"):
        path: Path | None = getattr(case, field)
        if path is not None:
            copy = tmp_path / path.relative_to(REPO)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            moved[field] = copy
    return dataclasses.replace(case, **moved), target


@pytest.mark.parametrize("app_copy", CASES, ids=[c.name for c in CASES], indirect=True)
def test_generate_writes_goldens_then_nothing_and_check_passes(
    app_copy: tuple[GoldenCase, Path],
) -> None:
    case, app = app_copy
    first = h2c("generate", str(app), *case.cli_args())
    assert first.returncode == 0, first.stderr
    for golden in (GOLDEN / case.name).iterdir():
        if golden.name in SEED_FILES and (case.app_dir / golden.name).exists():  # the app's: kept
            assert (app / golden.name).read_text() == (case.app_dir / golden.name).read_text()
            continue
        assert (app / golden.name).read_text() == golden.read_text(), golden.name
    assert oct((app / "convox.env").stat().st_mode & 0o777) == "0o600"

    for path in app.rglob("*"):  # back-dated, so a rewrite shows on coarse timestamps too
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = {path: path.stat().st_mtime_ns for path in app.rglob("*")}
    second = h2c("generate", str(app), *case.cli_args())
    assert second.returncode == 0, second.stderr
    assert "create" not in second.stdout and "update" not in second.stdout
    assert {path: path.stat().st_mtime_ns for path in app.rglob("*")} == before  # state.json too
    check = h2c("generate", str(app), *case.cli_args(), "--check")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("app_copy", CASES[:1], ids=[CASES[0].name], indirect=True)
def test_procfile_edit_is_drift_and_user_edits_survive(app_copy: tuple[GoldenCase, Path]) -> None:
    case, app = app_copy
    assert h2c("generate", str(app), *case.cli_args()).returncode == 0
    with (app / "Procfile").open("a") as procfile:
        procfile.write("extra: python -c 'import time; time.sleep(1e9)'\n")
    check = h2c("generate", str(app), *case.cli_args(), "--check")
    assert check.returncode == 1
    assert "convox.yml" in check.stdout

    dry = h2c("generate", str(app), *case.cli_args(), "--dry-run")
    assert dry.returncode == 0
    assert "+  extra:" in dry.stdout
    assert "extra" not in (app / "convox.yml").read_text()

    dockerfile = app / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# my own line\n")
    kept = h2c("generate", str(app), *case.cli_args())
    assert kept.returncode == 0
    assert "# my own line" in dockerfile.read_text()
    assert "extra:" in (app / "convox.yml").read_text()
    forced = h2c("generate", str(app), *case.cli_args(), "--force")
    assert forced.returncode == 0
    assert "# my own line" not in dockerfile.read_text()


def test_bad_input_is_exit_2_with_location_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web gunicorn app:app\n")
    (tmp_path / "requirements.txt").write_text("gunicorn==23.0.0\n")
    result = h2c("generate", str(tmp_path))
    assert result.returncode == 2
    assert f"{tmp_path}/Procfile:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_app_dir_is_bad_input(tmp_path: Path) -> None:
    result = h2c("inspect", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_inspect_json_describes_the_sample_without_values() -> None:
    case = next(c for c in CASES if c.name == "django-sample")
    result = h2c("inspect", str(case.app_dir), *case.cli_args(), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["runtime"]["framework"] == "django"
    assert [p["service"] for p in report["processes"]] == ["web", None, "worker"]
    assert report["resources"] == [
        {"name": "database", "type": "postgres", "version": "17", "env": "DATABASE_URL"}
    ]
    assert case.config is not None
    from h2c.heroku.config import parse_config

    shown = result.stdout + result.stderr
    leaked = [
        var.key
        for var in parse_config(case.config.read_text(), file=str(case.config))
        if len(var.value.reveal()) >= 6
        and var.value.reveal() != report["app"]  # HEROKU_APP_NAME is the app's name
        and var.value.reveal() in shown
    ]
    assert not leaked, f"config values of {leaked} appear in inspect's output"


def test_a_command_module_that_cannot_be_imported_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every command module exists, so an import error is a bug to see, not a missing command."""
    from h2c import cli

    monkeypatch.setitem(cli.COMMAND_MODULES, "ghost", "h2c.commands.ghost")
    with pytest.raises(ModuleNotFoundError, match=r"h2c\.commands\.ghost"):
        cli.build_parser()


def _snapshot(app: Path) -> dict[Path, int]:
    """Every file's mtime, after back-dating them all, so any rewrite shows."""
    for path in app.rglob("*"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    return {path: path.stat().st_mtime_ns for path in app.rglob("*")}


def test_the_apps_own_docker_files_are_left_alone_and_h2cs_go_beside_them(
    tmp_path: Path,
) -> None:
    app = tmp_path / "own-dockerfile"
    shutil.copytree(APPS / "own-dockerfile", app)
    own = {name: (app / name).read_bytes() for name in ("Dockerfile", "docker-compose.yml")}
    ignore_before = (app / ".dockerignore").read_text()

    first = h2c("generate", str(app))
    assert first.returncode == 0, first.stderr
    assert {name: (app / name).read_bytes() for name in own} == own  # byte-identical
    assert "edited by you" not in first.stdout + first.stderr
    assert "Dockerfile.convox" in first.stdout and "Dockerfile.convox" in first.stderr
    assert "convox deploy -f docker-compose.convox.yml" in first.stderr
    convox = yaml.safe_load((app / "convox.yml").read_text())
    assert convox["services"]["web"]["build"] == {"path": ".", "manifest": "Dockerfile.convox"}
    compose = yaml.safe_load((app / "docker-compose.convox.yml").read_text())
    assert compose["services"]["web"]["build"]["dockerfile"] == "Dockerfile.convox"
    ignore = (app / ".dockerignore").read_text()
    assert ignore.startswith(ignore_before)
    assert ignore.count("# >>> h2c: keep secrets out of the build context") == 1
    assert {".env", "convox.env", "!Dockerfile.convox"} <= set(ignore.splitlines())

    before = _snapshot(app)
    second = h2c("generate", str(app))
    assert second.returncode == 0, second.stderr
    assert "create" not in second.stdout and "add block" not in second.stdout
    assert _snapshot(app) == before  # nothing rewritten, state.json included
    check = h2c("generate", str(app), "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    dry = h2c("generate", str(app), "--dry-run")
    assert dry.returncode == 0 and dry.stdout.strip() == ""


def test_adopt_dockerfile_builds_with_the_apps_own(tmp_path: Path) -> None:
    app = tmp_path / "own-dockerfile"
    shutil.copytree(APPS / "own-dockerfile", app)
    dry = h2c("generate", str(app), "--adopt-dockerfile", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert not (app / "convox.yml").exists()
    result = h2c("generate", str(app), "--adopt-dockerfile")
    assert result.returncode == 0, result.stderr
    assert not (app / "Dockerfile.convox").exists()
    convox = yaml.safe_load((app / "convox.yml").read_text())
    assert convox["services"]["web"]["build"] == "."  # Convox's default manifest: Dockerfile
    assert "!Dockerfile" in (app / ".dockerignore").read_text().splitlines()
    # without the flag, the next run goes back to h2c's own Dockerfile: that is drift
    assert h2c("generate", str(app), "--check").returncode == 1
    assert h2c("generate", str(app), "--adopt-dockerfile", "--check").returncode == 0


def test_adopting_a_missing_dockerfile_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web: gunicorn app:app\n")
    (tmp_path / "requirements.txt").write_text("gunicorn==23.0.0\n")
    result = h2c("generate", str(tmp_path), "--adopt-dockerfile")
    assert result.returncode == 2
    assert "no such file to adopt" in result.stderr
