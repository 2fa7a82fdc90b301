"""Runtime truth: the env the running process sees, read from /proc/1/environ, by digest.

The broken case here needs a container: the value that reaches the process differs from the
file (an entrypoint that overrides it), and a key the file sets is gone at runtime.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from h2c.gate.env_fixtures import read_process_env
from h2c.secret import Secret
from h2c.verdicts.envparity import failures, runtime_diff
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
