"""h2c.adapters.docker against the real Docker engine, with the python:3.11-slim stand-in."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
import requests

from h2c.adapters import http as probes
from h2c.adapters.docker import LABEL, SESSION_LABEL, Engine
from h2c.adapters.docker_types import BuildFailed, ContainerExited, NotReady
from h2c.adapters.polling import wait_ready
from h2c.artifacts.dockerfile import from_images
from h2c.errors import EnvironmentMissing
from h2c.standins import build as standins  # catalog, recipe and builder

BASE = "python:3.11-slim"


@pytest.fixture(scope="module")
def base_image(engine: Engine) -> str:
    standins.ensure([BASE])
    return BASE


def _context(tmp_path: Path, dockerfile: str) -> Path:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "index.html").write_text("hello from h2c\n")
    return tmp_path


# --- pure parsing, no engine -----------------------------------------------------------------


def test_from_images_skips_stage_names_and_scratch() -> None:
    text = (
        "FROM python:3.11-slim AS build\nRUN x\nFROM build\nFROM scratch\nCOPY --from=build / /\n"
    )
    assert from_images(text) == ["python:3.11-slim"]


def test_from_images_substitutes_global_args_and_buildargs() -> None:
    text = (
        "# c\nARG PY=3.11\nARG TAG\nFROM --platform=$P python:${PY}-slim\nARG PY=9\nFROM pg:$TAG\n"
    )
    assert from_images(text) == ["python:3.11-slim", "pg:"]
    assert from_images(text, {"PY": "3.13", "TAG": "17"}) == ["python:3.13-slim", "pg:17"]


def test_from_images_joins_continuation_lines() -> None:
    assert from_images("FROM \\\n  postgres:15 \\\n  AS db\n") == ["postgres:15"]


# --- against the engine ----------------------------------------------------------------------


@pytest.mark.docker
def test_build_run_serve_and_stop(engine: Engine, base_image: str, tmp_path: Path) -> None:
    context = _context(
        tmp_path,
        f"FROM {base_image}\nWORKDIR /srv\nCOPY index.html .\nENV PORT=8000\nEXPOSE 8000\n"
        'CMD ["sh", "-c", "exec python -m http.server $PORT"]\n',
    )
    seen: list[str] = []
    built = engine.build(context, tag="h2c-test/engine-http:1", on_line=seen.append)
    assert built.image_id.startswith("sha256:")
    assert built.lines == len(seen) and any(line.startswith("Step 1/") for line in seen)
    info = engine.image_info(built.tag)
    assert info.exposed_ports == ("8000/tcp",)
    assert "PORT" in info.env_keys and all("=" not in key for key in info.env_keys)

    container = engine.run(built.tag, port=8000, env={"SECRET_TOKEN": "do-not-print-me"})
    try:
        assert container.host_port is not None
        url = f"http://127.0.0.1:{container.host_port}/index.html"
        wait_ready(container, port_check=lambda: probes.http_probe(url).ok, deadline_s=30)
        assert requests.get(url, timeout=5).text == "hello from h2c\n"
        rc, out = container.exec(["sh", "-c", "echo $SECRET_TOKEN"])
        assert rc == 0 and "do-not-print-me" not in out and "********" in out
        stopped = container.stop(timeout=5)
        assert stopped.exit_code is not None
        assert container.status() == "exited"
    finally:
        container.remove()
        engine.remove_image(built.tag)
    assert not engine.image_present(built.tag)


@pytest.mark.docker
def test_failing_build_names_the_step(engine: Engine, base_image: str, tmp_path: Path) -> None:
    context = _context(tmp_path, f"FROM {base_image}\nRUN true\nRUN false\nRUN echo never\n")
    lines: list[str] = []
    with pytest.raises(BuildFailed) as failed:
        engine.build(context, tag="h2c-test/engine-fails:1", on_line=lines.append)
    assert re.fullmatch(r"Step 3/\d+ : RUN false", failed.value.step or "")
    assert f"failed at {failed.value.step}" in str(failed.value)
    assert failed.value.log_tail and failed.value.log_tail == lines[-len(failed.value.log_tail) :]
    assert failed.value.exit_code == 1


@pytest.mark.docker
def test_missing_base_image_is_an_environment_problem(engine: Engine, tmp_path: Path) -> None:
    context = _context(tmp_path, "FROM h2c-no-such/image:0\nRUN true\n")
    with pytest.raises(EnvironmentMissing, match=re.escape("image h2c-no-such/image:0 is not")):
        engine.build(context, tag="h2c-test/never:1")


@pytest.mark.docker
def test_container_that_exits_early(engine: Engine, base_image: str) -> None:
    container = engine.run(base_image, command=["sh", "-c", "echo booting; exit 3"], port=9)
    try:
        with pytest.raises(ContainerExited) as exited:
            wait_ready(container, port_check=lambda: False, deadline_s=60)
        assert exited.value.container_exit_code == 3
        assert exited.value.exit_code == 1  # h2c's own exit code: the gate failed
        assert "booting" in exited.value.log_tail
    finally:
        container.remove()


@pytest.mark.docker
def test_silent_container_is_not_ready(engine: Engine, base_image: str) -> None:
    container = engine.run(base_image, command=["sleep", "60"], port=8000)
    try:
        assert container.host_port is not None
        # The userland proxy accepts then drops the connection: no HTTP answer, not "ready".
        url = f"http://127.0.0.1:{container.host_port}/"
        with pytest.raises(NotReady, match="did not become ready"):
            wait_ready(
                container,
                port_check=lambda: probes.http_probe(url, timeout_s=1).status is not None,
                deadline_s=2,
            )
    finally:
        container.stop(timeout=1)
        container.remove()


@pytest.mark.docker
def test_cleanup_removes_labelled_containers_and_networks(base_image: str) -> None:
    with Engine.connect() as other:
        with other.network("cleanup-test") as net:
            container = other.run(base_image, command=["sleep", "60"], network=net, aliases=["db"])
            labels = other.client.containers.get(container.id).labels
            assert labels[LABEL] == "1" and labels[SESSION_LABEL] == other.session_id
            orphan = other.client.networks.create(
                f"h2c-orphan-{other.session_id}", labels=other.labels
            )
            report = other.cleanup(other.session_id)
            assert container.name in report.containers
            assert orphan.name in report.networks
        wanted = {"label": [f"{SESSION_LABEL}={other.session_id}"]}
        assert other.client.containers.list(all=True, filters=wanted) == []
        assert other.client.networks.list(filters=wanted) == []
    other.close()


def test_connect_without_engine_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/h2c-docker.sock")
    with pytest.raises(EnvironmentMissing, match=r"no Docker engine answers: .*start dockerd"):
        Engine.connect(timeout_s=2)


@pytest.mark.docker
def test_sigterm_handler_cleans_the_session(base_image: str, engine: Engine) -> None:
    script = (
        "import os, signal, sys\n"
        "from h2c.adapters.docker import Engine, install_cleanup_handlers\n"
        "e = Engine.connect()\n"
        "install_cleanup_handlers(e)\n"
        f"e.run({base_image!r}, command=['sleep', '60'])\n"
        "print(e.session_id, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 143, done.stderr
    session = done.stdout.strip()
    wanted = {"label": [f"{SESSION_LABEL}={session}"]}
    assert session and engine.client.containers.list(all=True, filters=wanted) == []


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("image", ["postgres:15", "postgres:17"])
def test_postgres_standin_follows_the_official_contract(engine: Engine, image: str) -> None:
    standins.ensure([image])
    env = {"POSTGRES_PASSWORD": "pw-for-h2c-test", "POSTGRES_USER": "app", "POSTGRES_DB": "appdb"}
    container = engine.run(image, env=env, port=5432)
    try:
        query = ["psql", "-h", "127.0.0.1", "-U", "app", "-d", "appdb", "-Atc"]
        with_password = ["env", "PGPASSWORD=pw-for-h2c-test", *query]
        wait_ready(
            container,
            port_check=lambda: container.exec([*with_password, "select 1"])[0] == 0,
            deadline_s=90,
        )
        rc, out = container.exec([*with_password, "show server_version"])
        assert rc == 0 and out.startswith(image.split(":")[1] + ".")
        # From the host (not the container's loopback, which initdb trusts) a password is needed.
        dsn = dict(host="127.0.0.1", port=container.host_port, user="app", dbname="appdb")
        conn = psycopg2.connect(password="pw-for-h2c-test", **dsn)
        with contextlib.closing(conn), conn.cursor() as cur:
            cur.execute("select current_database()")
            assert cur.fetchone() == ("appdb",)
        with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
            psycopg2.connect(password="wrong", **dsn)
        assert container.stop(timeout=20).exit_code == 0  # SIGINT: fast, clean shutdown
    finally:
        container.remove()
