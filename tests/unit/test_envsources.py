"""Env sources: text parsers, h2c.toml exceptions, and the heroku/convox CLIs faked on PATH."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from h2c.adapters.platform_cli import CliFailed, convox_env_live, heroku_config_live
from h2c.artifacts.convox_yml import manifest_env, with_defaults
from h2c.artifacts.envfile import parse_env_lines
from h2c.artifacts.h2c_toml import read_h2c_toml
from h2c.cli import main
from h2c.errors import EnvironmentMissing, InputError
from h2c.secret import Secret

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "fixtures" / "cli"
APP = REPO / "fixtures" / "apps" / "django-sample"
ADDONS = REPO / "fixtures" / "heroku" / "django-sample" / "addons.json"


def fake_cli(bin_dir: Path, name: str, recording: Path, *, exit_code: int = 0) -> Path:
    """A tiny executable that prints a recording (to stderr when it fails) and logs its args."""
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / name
    stream = ">&2" if exit_code else ""
    script.write_text(
        f'#!/bin/sh\necho "$@" > "{bin_dir}/{name}.args"\ncat "{recording}" {stream}\n'
        f"exit {exit_code}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


@pytest.fixture
def fake_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def test_parse_env_lines() -> None:
    env = parse_env_lines("A=1\nB=x=y\nC=\n\nD='q'\n")
    assert {k: v.reveal() for k, v in env.items()} == {"A": "1", "B": "x=y", "C": "", "D": "'q'"}
    text = "# comment\nPEM=line1\nline2\nE=2\n"
    assert parse_env_lines(text, continuation=True)["PEM"].reveal() == "line1\nline2"
    assert parse_env_lines(text)["PEM"].reveal() == "line1"


def test_manifest_env_reads_every_list() -> None:
    doc = {
        "environment": ["GLOBAL=1"],
        "resources": {"my-db": {"type": "postgres"}, "unused": {"type": "redis"}},
        "services": {
            "web": {"environment": ["A", "B=2"], "resources": ["my-db"]},
            "worker": {"environment": ["C", "A"]},
            "empty": None,
        },
    }
    m = manifest_env(doc)
    assert m.declared == {"GLOBAL", "A", "B", "C"}
    assert dict(m.defaults) == {"GLOBAL": "1", "B": "2"}
    assert m.required == {"A", "C"}
    assert {"MY_DB_URL", "MY_DB_PASS"} <= m.provided and "UNUSED_URL" not in m.provided
    assert manifest_env({"services": {"web": {"environment": ["*"]}}}).declared is None
    env = with_defaults({"B": Secret("set")}, m)
    assert env["B"].reveal() == "set" and env["GLOBAL"].reveal() == "1"


def test_parse_exceptions() -> None:
    text = (
        "[web]\nport = 8000\n[env]\n"
        'ignore = [{ key = "A", reason = "unused" }]\n'
        'expect_changed = [{ key = "B", reason = "rotated" }]\n'
    )
    e = read_h2c_toml(text, file="h2c.toml").env
    assert dict(e.ignore) == {"A": "unused"} and dict(e.expect_changed) == {"B": "rotated"}
    assert read_h2c_toml("[app]\n", file="h2c.toml").env.ignore == {}


@pytest.mark.parametrize(
    ("text", "line", "match"),
    [
        ('[env]\nignore = ["A"]\n', 2, "no reason"),
        ('[env]\n\nexpect_changed = [{ key = "A" }]\n', 3, "non-empty reason"),
        ('[env]\nexpect_changed = [{ key = "A", reason = "" }]\n', 2, "non-empty reason"),
        ('[env]\nignore = [{ key = "1A", reason = "x" }]\n', 2, "env var name"),
        ("[env]\nignore = 3\n", 2, "must be an array"),
        ("[env\n", 1, "not valid TOML"),
    ],
)
def test_bad_exceptions_name_the_line(text: str, line: int, match: str) -> None:
    with pytest.raises(InputError, match=match) as caught:
        read_h2c_toml(text, file="h2c.toml")
    assert caught.value.location.line == line


def test_heroku_config_live(fake_bin: Path) -> None:
    fake_cli(fake_bin, "heroku", CLI / "heroku-config-json.txt")
    config = heroku_config_live("h2c-django-sample")
    assert (fake_bin / "heroku.args").read_text().split() == [
        "config",
        "--json",
        "-a",
        "h2c-django-sample",
    ]
    recorded = json.loads((CLI / "heroku-config-json.txt").read_text())
    assert {k: v.reveal() for k, v in config.items()} == recorded


def test_convox_env_live_keeps_multiline_values(fake_bin: Path) -> None:
    fake_cli(fake_bin, "convox", CLI / "convox-env.txt")
    env = convox_env_live("h2c-django-sample")
    assert (fake_bin / "convox.args").read_text().split() == ["env", "-a", "h2c-django-sample"]
    recorded = json.loads((CLI / "heroku-config-json.txt").read_text())
    assert env["PRIVATE_KEY"].reveal() == recorded["PRIVATE_KEY"]
    assert sorted(env) == [
        "ALLOWED_HOSTS",
        "DJANGO_DEBUG",
        "PAPERTRAIL_API_TOKEN",
        "PRIVATE_KEY",
        "SECRET_KEY",
    ]


def test_cli_failure_shows_no_output(fake_bin: Path) -> None:
    fake_cli(fake_bin, "heroku", CLI / "heroku-config-json.txt", exit_code=1)
    with pytest.raises(CliFailed, match="exited 1") as caught:
        heroku_config_live("nope")
    assert "SECRET_KEY" not in str(caught.value) and "4b741be2" not in str(caught.value)


def test_missing_cli_is_an_environment_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EnvironmentMissing, match="`convox` CLI is not installed"):
        convox_env_live("shop")


def test_env_diff_against_both_live_clis(
    fake_bin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Live heroku and convox sides, convox.yml and h2c.toml from the generated app."""
    app = tmp_path / "app"
    shutil.copytree(APP, app)
    config = REPO / "fixtures" / "heroku" / "django-sample" / "config.txt"
    assert main(["generate", str(app), "--config", str(config), "--addons", str(ADDONS)]) == 0
    fake_cli(fake_bin, "heroku", CLI / "heroku-config-json.txt")
    fake_cli(fake_bin, "convox", CLI / "convox-env.txt")
    capsys.readouterr()
    args = ["env", "diff", str(app), "--addons", str(ADDONS), "--json"]
    rc = main([*args, "--heroku-app", "h2c-django-sample", "--convox-app", "h2c-django-sample"])
    doc = json.loads(capsys.readouterr().out)
    got = {row["key"]: row["status"] for row in doc["keys"]}
    assert got == {
        "ALLOWED_HOSTS": "ok",
        "DATABASE_URL": "resource",
        "DJANGO_DEBUG": "ok",
        "HEROKU_APP_ID": "platform",
        "HEROKU_APP_NAME": "platform",
        "PAPERTRAIL_API_TOKEN": "ok",  # kept with Heroku's value: a recorded decision
        "PRIVATE_KEY": "undeclared",  # the generated convox.yml does not list it
        "SECRET_KEY": "ok",
    }
    assert rc == 1
    recorded = json.loads((CLI / "heroku-config-json.txt").read_text())
    shown = json.dumps(doc)
    assert [k for k, v in recorded.items() if len(v) >= 6 and v in shown] == []
