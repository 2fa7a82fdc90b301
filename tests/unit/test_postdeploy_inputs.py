"""h2c postdeploy's inputs (the baseline, convox.yml and h2c.toml expectations, the endpoint)
and its checks under plain pytest, with the convox double and a loopback HTTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from h2c.artifacts.h2c_toml import read_h2c_toml
from h2c.db.snapshot import DbSnapshot, TableShape
from h2c.errors import InputError
from h2c.postdeploy.baseline import Baseline, env_baseline, read_baseline, to_json
from h2c.postdeploy.session import PostdeployOptions, PostdeploySession
from h2c.postdeploy.settings import load_expected
from h2c.secret import Secret
from tests.integration.postdeploy_env import APP, CONVOX, scenario, write_scenario


def test_baseline_round_trips_without_values() -> None:
    env = env_baseline("R1", {"SECRET_KEY": Secret("hunter2hunter2")})
    db = DbSnapshot({"public.t": TableShape(3, {"id": "integer"}, "sha256:ab")},
                    {"public.t_id_seq": ("public.t.id", 3)})  # fmt: skip
    text = to_json(Baseline(db, env))
    assert "hunter2" not in text
    back = read_baseline(text, file="b.json")
    assert back.database == db and back.env == env
    assert back.env is not None and back.env.same("SECRET_KEY", Secret("hunter2hunter2"))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[]", "b.json at /h2c_baseline"),
        ('{"h2c_baseline": 1, "env": {"salt": "zz", "keys": {}}}', "b.json at /env/salt"),
        ('{"h2c_baseline": 1, "database": {"tables": []}}', "b.json at /database/tables"),
        ("{", "b.json: not JSON"),
    ],
)
def test_bad_baselines_name_the_place(text: str, where: str) -> None:
    with pytest.raises(InputError) as error:
        read_baseline(text, file="b.json")
    assert str(error.value).startswith(where)


def test_fixture_app_expectations() -> None:
    e = load_expected(APP)
    assert e.scale == {"web": 2, "worker": 1, "scheduler": 0}
    assert e.timer_services == {"scheduler"} and e.health_path == "/health"
    assert e.required_keys == {"SECRET_KEY", "ALLOWED_HOSTS"}  # FEATURE_FLAGS has a default
    assert e.row_tolerance == {"public.audit_log": 100}
    assert e.migration_status == "python manage.py migrate --plan --check"
    assert e.exceptions.expect_changed == {"RELEASE_NOTE": "written by CI on every deploy"}


def test_row_tolerance_comes_from_the_one_h2c_toml_reader() -> None:
    toml = '[postdeploy]\nrow_tolerance = [{ table = "public.t", rows = 1, reason = "pruned" }]\n'
    assert read_h2c_toml(toml, file="h2c.toml").postdeploy.row_tolerance == {"public.t": 1}
    assert read_h2c_toml("", file="h2c.toml").postdeploy.row_tolerance == {}


@pytest.fixture
def double(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("H2C_FAKE_STATE", str(write_scenario(tmp_path, scenario())))
    monkeypatch.setenv("H2C_FAKE_LOG", str(tmp_path / "calls.jsonl"))
    monkeypatch.delenv("H2C_POSTDEPLOY_URL", raising=False)
    return tmp_path


def _session(url: str | None = None) -> PostdeploySession:
    return PostdeploySession(PostdeployOptions(APP, "shop", url=url, poll_s=0.01, timeout_s=5,
                                               convox_bin=str(CONVOX)))  # fmt: skip


def test_default_endpoint_is_https_on_the_web_domain(double: Path) -> None:
    assert _session().base_url() == "https://web.shop.0a1b2c3d4e5f.convox.cloud"


@pytest.mark.parametrize("url", ["http://example.com", "ftp://127.0.0.1"])
def test_plain_http_only_on_loopback(double: Path, url: str) -> None:
    with pytest.raises(InputError, match="must be https://"):
        _session(url).base_url()
    assert _session("http://127.0.0.1:8000/").base_url() == "http://127.0.0.1:8000"


class _Ok(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(500 if self.path == "/api/user" else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def web() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_the_checks_run_under_plain_pytest(double: Path, web: str) -> None:
    junit = double / "junit.xml"
    argv = [sys.executable, "-m", "pytest", "--pyargs", "h2c.postdeploy_checks",
            "-p", "h2c.postdeploy.plugin", "-p", "no:cacheprovider", "--noconftest",
            "--rootdir", str(double), "-c", os.devnull, "-q",
            "--h2c-postdeploy-app", str(APP), "--h2c-postdeploy-convox-app", "shop",
            "--h2c-postdeploy-convox-bin", str(CONVOX), "--h2c-postdeploy-poll", "0.01",
            "--h2c-postdeploy-http-wait", "0", "--junit-xml", str(junit)]  # fmt: skip
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "H2C_POSTDEPLOY_URL": web}
    done = subprocess.run(argv, cwd=double, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "1 failed" in done.stdout and "test_smoke[/api/user]" in done.stdout
    assert "/api/user answered 500 (want below 500)" in junit.read_text()
    calls = [json.loads(line) for line in (double / "calls.jsonl").read_text().splitlines()]
    assert all(c["stdin_closed"] for c in calls)
