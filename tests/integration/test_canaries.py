"""Secrets never leak: canary values seeded into a config go nowhere but convox.env and exports.

Every CLI command runs as a user would run it (a subprocess), on a copy of the sample app whose
Heroku config holds unique canaries. Then stdout, stderr, JUnit XML, the gate's scratch files
(build log, compose file), every generated file except convox.env, and the gate's images
(`docker save`: every file of every layer, the image config; `docker history --no-trunc`) are
searched for each canary, raw, URL-encoded and base64-encoded: zero hits. A control case proves
the search finds a canary that is printed on purpose. The search is ``tests.leaksearch`` (shared
with test_canaries_db.py, the same test for database passwords).
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.leaksearch import Search, h2c, junit_cases
from tests.unavailable import require_images

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "fixtures" / "apps" / "django-sample"
ALLOWED = {"convox.env"}  # the one generated file that holds values (mode 0600, dockerignored)

pytestmark = [pytest.mark.docker, pytest.mark.slow]


# --- helpers ---------------------------------------------------------------------------------


def docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=False)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def canaries() -> dict[str, str]:
    token = uuid.uuid4().hex
    return {
        "secret-key": f"CANARY-{token}",
        "db-password": f"CANARYPASS{token[:16]}",
        "api-token": f"CANARY+{token[16:]}/tok=",  # URL- and base64-encoding change its shape
        "pem": f"CANARYPEM{token[:20]}",
    }


def config_text(c: dict[str, str], *, multiline: bool) -> str:
    lines = {
        "ALLOWED_HOSTS": "*",
        "DATABASE_URL": f"postgres://u4f2a:{c['db-password']}@ec2-198-51-100-7.example.com:5432/d9",
        "DJANGO_DEBUG": "false",
        "HEROKU_APP_NAME": "h2c-canary",
        "SECRET_KEY": c["secret-key"],
        "API_TOKEN": c["api-token"],
    }
    if multiline:
        lines["PRIVATE_KEY"] = f"-----BEGIN KEY-----\n{c['pem']}\n-----END KEY-----"
    return json.dumps(lines, indent=2) + "\n"


@pytest.fixture(scope="module")
def images_ready(engine: Any) -> None:
    require_images(engine, ["python:3.11-slim", "postgres:17"])


# --- the tests -------------------------------------------------------------------------------


def test_search_finds_a_canary_printed_on_purpose(tmp_path: Path, canaries: dict[str, str]) -> None:
    """CONTROL: `h2c env export -o -` prints values on request; the same search must see them."""
    app = tmp_path / "app"
    shutil.copytree(SAMPLE, app)
    config = tmp_path / "config.json"
    config.write_text(config_text(canaries, multiline=True), encoding="utf-8")
    ran = h2c("env", "export", str(app), "--config", str(config), "--format", "json", "-o", "-",
              cwd=tmp_path)  # fmt: skip
    assert ran.rc == 0
    search = Search(canaries)
    search.scan_text("stdout", ran.out)
    assert {h.split()[0] for h in search.hits} == {"secret-key", "api-token", "pem"}
    # encoded forms are caught too
    for name, encoded in (
        ("b64", base64.b64encode(ran.out.encode())),
        ("b64url-shifted", base64.urlsafe_b64encode(b"xy" + ran.out.encode())),
        ("url", quote(ran.out, safe="").encode()),
    ):
        probe = Search(canaries)
        probe.scan(name, encoded)
        assert {h.split()[0] for h in probe.hits} >= {"secret-key", "api-token"}, name
    # and in an image-like tar
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tar:
        info = tarfile.TarInfo("app/settings.py")
        data = f"KEY = {canaries['db-password']!r}\n".encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    outer = tmp_path / "image.tar"
    with tarfile.open(outer, "w") as tar:
        info = tarfile.TarInfo("abc/layer.tar")
        info.size = len(layer.getvalue())
        tar.addfile(info, io.BytesIO(layer.getvalue()))
    probe = Search(canaries)
    probe.scan_image_tar("control", outer)
    assert probe.hits == ["db-password (raw) in control abc/layer.tar:app/settings.py"]


def test_commands_without_the_engine_leak_nothing(tmp_path: Path, canaries: dict[str, str]) -> None:
    """inspect, generate (dry run, real, --check), env diff and export, with a multi-line value."""
    app = tmp_path / "app"
    shutil.copytree(SAMPLE, app)
    config = tmp_path / "config.json"
    config.write_text(config_text(canaries, multiline=True), encoding="utf-8")
    export = tmp_path / "export.json"
    c = ["--config", str(config)]
    runs = [
        h2c("inspect", str(app), *c, cwd=tmp_path),
        h2c("inspect", str(app), *c, "--json", cwd=tmp_path),
        h2c("generate", str(app), *c, "--dry-run", cwd=tmp_path),
        h2c("generate", str(app), *c, cwd=tmp_path),
        h2c("generate", str(app), *c, "--check", cwd=tmp_path),
        h2c("env", "diff", str(app), *c, cwd=tmp_path),
        h2c("env", "diff", str(app), *c, "--json", cwd=tmp_path),
        h2c("env", "export", str(app), *c, "--format", "json", "-o", str(export), cwd=tmp_path),
        h2c("env", "export", str(app), *c, "--format", "convox", "-o", str(export), cwd=tmp_path),
    ]
    assert [r.rc for r in runs[:5]] == [0, 0, 0, 0, 0], [(r.args[:2], r.rc) for r in runs]
    assert runs[5].rc == 0  # PRIVATE_KEY travels as its one-line base64 twin, and matches
    assert "PRIVATE_KEY" in runs[6].out
    search = Search(canaries)
    for r in runs:
        search.scan_text(f"`h2c {' '.join(r.args[:2])}` stdout", r.out)
        search.scan_text(f"`h2c {' '.join(r.args[:2])}` stderr", r.err)
    files = search.scan_tree(app, skip=[app / name for name in ALLOWED])
    assert files > 10
    assert search.hits == []
    # the allowed files do hold the values (else this test proves nothing)
    held = Search(canaries)
    held.scan("convox.env", (app / "convox.env").read_bytes())
    assert {h.split()[0] for h in held.hits} == {"secret-key", "api-token", "pem"}


def test_gate_runs_leak_nothing(
    tmp_path: Path, canaries: dict[str, str], images_ready: None
) -> None:
    """`h2c check` twice: as generated, then with convox.env broken so env parity fails."""
    name = f"canary{uuid.uuid4().hex[:8]}"
    app = tmp_path / name
    shutil.copytree(SAMPLE, app)
    config = tmp_path / "config.json"
    config.write_text(config_text(canaries, multiline=False), encoding="utf-8")
    c = ["--config", str(config)]
    runs = [h2c("generate", str(app), *c, cwd=tmp_path)]
    assert runs[0].rc == 0
    junit = [tmp_path / "junit-1.xml", tmp_path / "junit-2.xml"]
    scratch = [tmp_path / "gate-1", tmp_path / "gate-2"]
    try:
        runs.append(
            h2c(
                "check",
                str(app),
                *c,
                "--junit-xml",
                str(junit[0]),
                "--",
                f"--basetemp={scratch[0]}",
                cwd=tmp_path,
            )
        )
        first = junit_cases(junit[0])
        env_checks = {
            k: v for k, v in first.items() if k.startswith("test_env_parity::test_env_key")
        }
        assert env_checks and set(env_checks.values()) == {"passed"}, env_checks

        # break it: another value for SECRET_KEY in convox.env (a fresh canary)
        canaries = {**canaries, "broken-secret-key": f"CANARY-broken-{uuid.uuid4().hex}"}
        env_file = app / "convox.env"
        text = env_file.read_text(encoding="utf-8")
        text = re.sub(r"^SECRET_KEY=.*$", f"SECRET_KEY={canaries['broken-secret-key']}", text,
                      flags=re.M)  # fmt: skip
        env_file.write_text(text, encoding="utf-8")
        runs.append(
            h2c(
                "check",
                str(app),
                *c,
                "--junit-xml",
                str(junit[1]),
                "--",
                f"--basetemp={scratch[1]}",
                cwd=tmp_path,
            )
        )
        assert runs[-1].rc == 1
        assert junit[1].is_file(), Search(canaries).redact(
            runs[-1].out[-3000:] + runs[-1].err[-3000:]
        )
        second = junit_cases(junit[1])
        assert second["test_env_parity::test_env_key[SECRET_KEY]"] == "failed"
        assert "SECRET_KEY: changed" in junit[1].read_text(encoding="utf-8")

        search = Search(canaries)
        for r in runs:
            search.scan_text(f"`h2c {r.args[0]}` stdout", r.out)
            search.scan_text(f"`h2c {r.args[0]}` stderr", r.err)
        for path in junit:
            search.scan(path.name, path.read_bytes())
        for root in scratch:
            search.scan_tree(root)
        search.scan_tree(app, skip=[app / n for n in ALLOWED])
        images = sorted(set(docker("images", "-q", f"h2c-gate/{name}").stdout.split()))
        assert images, "the gate built no image to search"
        for image in images:
            history = docker("history", "--no-trunc", image)
            assert history.returncode == 0
            search.scan_text(f"docker history {image}", history.stdout)
            saved = tmp_path / f"{image}.tar"
            assert docker("save", "-o", str(saved), image).returncode == 0
            assert search.scan_image_tar(image, saved) > 100
            saved.unlink()
        assert search.hits == []
    finally:
        for image in sorted(set(docker("images", "-q", f"h2c-gate/{name}").stdout.split())):
            docker("rmi", "-f", image)
