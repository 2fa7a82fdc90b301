"""Runtime truth: the env the running process sees, read from the app process's environ.

The broken case here needs a container: the value that reaches the process differs from the
file (an entrypoint that overrides it), and a key the file sets is gone at runtime.
"""

from __future__ import annotations

import json
import shutil
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from h2c.artifacts.envfile import parse_env_lines
from h2c.cli import main
from h2c.gate.env_fixtures import read_process_env
from h2c.plan.naming import twin_key
from h2c.render.multiline import decode_twins, shim_dockerfile_lines, twin_env_lines
from h2c.secret import Secret
from h2c.verdicts.envparity import failures
from h2c.verdicts.envruntime import runtime_diff
from tests.unavailable import require_images

pytestmark = pytest.mark.docker
IMAGE = "python:3.11-slim"


@pytest.fixture
def image(engine: Any) -> str:
    require_images(engine, [IMAGE])
    return IMAGE


def _start(engine: Any, image: str, env: dict[str, Secret], script: str) -> Any:
    return engine.run(
        image, command=["sh", "-c", script], env={k: v.reveal() for k, v in env.items()}
    )


def test_value_reaching_the_process_differs_from_the_file(engine: Any, image: str) -> None:
    token = uuid.uuid4().hex
    file_env = {
        "SECRET_KEY": Secret(f"from-the-file-{token}"),
        "API_TOKEN": Secret(f"api-{token}"),
        "MULTI": Secret(f"line one {token}\nline two"),
        "SAME": Secret(f"unchanged-{token}"),
    }
    container = _start(
        engine,
        image,
        file_env,
        f"export SECRET_KEY=overridden-by-entrypoint-{token}; unset API_TOKEN; exec sleep 300",
    )
    try:
        seen = read_process_env(container)
        verdicts = runtime_diff(file_env, seen)
        got = {v.key: v.status.value for v in verdicts}
        assert got == {
            "API_TOKEN": "runtime_missing",
            "MULTI": "ok",  # a multi-line value reaches the process exactly
            "SAME": "ok",
            "SECRET_KEY": "runtime_differs",
        }
        text = "\n".join(v.message() for v in failures(verdicts)) + repr(verdicts)
        assert "SECRET_KEY" in text and "API_TOKEN" in text
        assert token not in text, "a value shows in the runtime verdicts"
    finally:
        container.remove()


def test_untouched_env_matches(engine: Any, image: str) -> None:
    token = uuid.uuid4().hex
    env = {"SECRET_KEY": Secret(f"s-{token}"), "EMPTY": Secret(""), "EQ": Secret("a=b=c")}
    container = _start(engine, image, env, "exec sleep 300")
    try:
        assert failures(runtime_diff(env, read_process_env(container))) == []
    finally:
        container.remove()


# --- multi-line values: base64 twins decoded by the entrypoint shim ---------------------------

MULTILINE_APP = Path(__file__).resolve().parents[2] / "fixtures" / "env" / "multiline-app"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n"
CREDENTIAL = '{\n  "type": "service_account",\n  "private_key": "a\\nb"\n}'


def test_shim_gives_the_app_process_the_exact_values(
    engine: Any, image: str, tmp_path: Path
) -> None:
    """The shim decodes each twin (trailing newline kept) and execs the command: the app's
    process sees the exact value, PID 1 or not (``sh -c 'cmd & wait'`` makes it a child)."""
    token = uuid.uuid4().hex
    values = {"PEM": Secret(PEM + token + "\n\n"), "CRED": Secret(CREDENTIAL + token)}
    dockerfile = [f"FROM {IMAGE}", *shim_dockerfile_lines(sorted(values)), 'CMD ["sleep", "300"]']
    (tmp_path / "Dockerfile").write_text("\n".join(dockerfile) + "\n", encoding="utf-8")
    engine.build(tmp_path, dockerfile="Dockerfile", tag="h2c-test/env-shim:latest")
    twins = parse_env_lines("".join(line + "\n" for line in twin_env_lines(values)))
    for command in (None, ["sh", "-c", "sleep 300 & wait"]):
        container = engine.run(
            "h2c-test/env-shim:latest",
            command=command,
            env={k: v.reveal() for k, v in twins.items()},
        )
        try:
            seen = read_process_env(container)
            assert failures(runtime_diff(values, seen)) == []
        finally:
            container.remove()


@pytest.mark.slow
def test_multiline_values_reach_web_and_worker(engine: Any, image: str, tmp_path: Path) -> None:
    """generate -> convox.env has the twins -> the gate's running web and worker see the
    exact values (and the per-key parity checks pass)."""
    app = tmp_path / "multiline-app"
    shutil.copytree(MULTILINE_APP, app)
    config = app / "heroku-config.json"
    assert main(["generate", str(app), "--config", str(config)]) == 0
    env = parse_env_lines((app / "convox.env").read_text(encoding="utf-8"))
    keys = ["GOOGLE_CREDENTIALS", "PRIVATE_KEY_PEM"]
    assert all(twin_key(k) in env and k not in env for k in keys)
    heroku = json.loads(config.read_text(encoding="utf-8"))
    assert {k: v.reveal() for k, v in decode_twins(env).items()} == {k: heroku[k] for k in keys}
    dockerfile = (app / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["/usr/local/bin/h2c-env"]' in dockerfile  # the shim decodes the twins
    yml = (app / "convox.yml").read_text(encoding="utf-8")
    assert all(f"      - {twin_key(k)}\n" in yml and f"      - {k}\n" not in yml for k in keys)
    junit = tmp_path / "junit.xml"
    rc = main(["check", str(app), "--config", str(config), "--junit-xml", str(junit),
               "-k", "test_env_parity"])  # fmt: skip
    results = {
        f"{c.get('name')}": "failed" if c.find("failure") is not None or c.find("error")
        is not None else "skipped" if c.find("skipped") is not None else "passed"
        for c in ET.parse(junit).getroot().iter("testcase")
    }  # fmt: skip
    assert rc == 0, results
    for name in ("test_env_reaches_process[web]", "test_env_reaches_process[worker]",
                 "test_env_key[PRIVATE_KEY_PEM]", "test_env_key[GOOGLE_CREDENTIALS]"):  # fmt: skip
        assert results.get(name) == "passed", (name, results)
