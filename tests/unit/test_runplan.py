"""The gate's run plan (``h2c check --plan``), the overlay rule, and the Heroku side's default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from h2c.artifacts.app import load_target
from h2c.cli import main
from h2c.gate.env_fixtures import no_heroku_side, overlays
from h2c.runplan.plan import Digester, run_plan
from h2c.verdicts.overlays import overlay_verdicts

REPO = Path(__file__).resolve().parents[2]
COPIED = REPO / "fixtures" / "env" / "copied-database-url"
MULTILINE = REPO / "fixtures" / "env" / "multiline-app"


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    app = tmp_path / "copied"
    shutil.copytree(COPIED, app)
    (app / "Dockerfile").write_text('FROM python:3.11-slim\nARG PIP_INDEX_URL\nCMD ["true"]\n')
    return app


def test_copied_database_url_is_an_overlay_that_fails_by_name(copied: Path) -> None:
    app = load_target(copied, config=copied / "heroku.txt")
    plan = run_plan(app)
    web = plan["services"]["web"]
    assert web["env"]["DATABASE_URL"]["source"] == "overlay"  # the app runs with Heroku's URL
    assert web["env"]["DATABASE_HOST"]["source"] == "overlay"
    assert plan["overlaid_resources"] == ["database"]
    [verdict] = overlay_verdicts(overlays(app), app.config)
    assert verdict.fails and verdict.key == "DATABASE_URL" and verdict.status == "overlay_heroku"
    assert "amazonaws" not in verdict.message() and "pfda4e87" not in verdict.message()


def test_overlay_of_another_service_passes(copied: Path) -> None:
    env = (copied / "convox.env").read_text(encoding="utf-8")
    other = "postgres://app:pw-0a1b2c3d@db.internal.example:5432/app"
    (copied / "convox.env").write_text(
        "\n".join(f"DATABASE_URL={other}" if line.startswith("DATABASE_URL=") else line
                  for line in env.splitlines()) + "\n", encoding="utf-8")  # fmt: skip
    app = load_target(copied, config=copied / "heroku.txt")
    assert [v.status for v in overlay_verdicts(overlays(app), app.config)] == ["overlay"]


def test_plan_schema_sources_and_keyed_digests(copied: Path) -> None:
    app = load_target(copied, config=copied / "heroku.txt")
    first, second = run_plan(app), run_plan(app)
    web = first["services"]["web"]
    assert set(first) == {"build_args", "services", "overlaid_resources", "timers"}
    assert web["process"] == "web" and web["argv"] == ["gunicorn", "app:app"]
    assert web["port"] == 8000 and web["init"] is True and web["termination_grace"] == 30
    assert (web["memory_mb"], web["cpu_millicores"], web["resources"]) == (512, 250, ["database"])
    assert web["health"] == {"path": "/", "grace": 5, "interval": 5, "timeout": 4}
    sources = {k: e["source"] for k, e in web["env"].items()}
    assert sources["SECRET_KEY"] == "app" and sources["PORT"] == "system"
    assert {sources[k] for k in ("APP", "BUILD", "RACK", "RELEASE", "SERVICE")} == {"system"}
    assert (
        first["services"]["web"]["env"]["SECRET_KEY"]["digest"]
        != (second["services"]["web"]["env"]["SECRET_KEY"]["digest"])
    ), "digests are keyed per run"
    text = json.dumps(first)
    for value in app.app_env.values():
        assert len(value.reveal()) < 6 or value.reveal() not in text


def test_digest_is_keyed() -> None:
    from h2c.secret import Secret

    a, b = Digester(), Digester()
    assert a(Secret("false")) == a(Secret("false")) != b(Secret("false"))


def test_check_plan_json_runs_nothing(copied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(copied), "--config", str(copied / "heroku.txt"), "--plan",
                 "--json"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    plan = json.loads(out)
    assert plan["services"]["web"]["env"]["DATABASE_URL"]["source"] == "overlay"
    assert "pfda4e87f8c885e9" not in out and "sk-4b741be24e43" not in out


def test_heroku_side_from_h2c_toml(copied: Path) -> None:
    assert no_heroku_side(load_target(copied)) is not None  # nothing to compare with: not run
    toml = copied / "h2c.toml"
    toml.write_text('[heroku]\nconfig = "heroku.txt"\n' + toml.read_text(encoding="utf-8"))
    app = load_target(copied)
    assert no_heroku_side(app) is None and "DATABASE_URL" in app.config


def test_multiline_fixture_twins_in_convox_env(tmp_path: Path) -> None:
    app = tmp_path / "ml"
    shutil.copytree(MULTILINE, app)
    assert main(["generate", str(app), "--config", str(app / "heroku-config.json")]) == 0
    env = (app / "convox.env").read_text(encoding="utf-8")
    keys = [line.partition("=")[0] for line in env.splitlines()]
    assert "H2C_B64_PRIVATE_KEY_PEM" in keys and "H2C_B64_GOOGLE_CREDENTIALS" in keys
    assert "PRIVATE_KEY_PEM" not in keys and "BEGIN PRIVATE KEY" not in env
