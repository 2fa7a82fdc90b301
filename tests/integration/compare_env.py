"""The two local deployments (containers on loopback playing the Heroku and the Convox app) and
the scenario files the heroku/convox test doubles read; shared by the compare tests and bench."""

from __future__ import annotations

import copy
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from tests.unavailable import unavailable

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "compare"
BIN = FIXTURES / "bin"
APP = FIXTURES / "app"
IMAGE = "python:3.11-slim"

SCENARIO: dict[str, Any] = {
    "heroku": {
        "app": "shop", "web_url": None, "maintenance": False,
        "config": {"SECRET_KEY": "k3y-of-the-shop-1234", "ALLOWED_HOSTS": "*",
                   "FEATURE_FLAGS": "a,b", "DATABASE_URL":
                   "postgres://u:pw@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d"},
        "formation": [["web", 2, "Standard-1X"], ["worker", 1, "Standard-1X"]],
        "dynos": [{"name": "web.1", "type": "web", "state": "up"},
                  {"name": "web.2", "type": "web", "state": "up"},
                  {"name": "worker.1", "type": "worker", "state": "up"}],
    },
    "convox": {
        "app": "shop", "release": "RACTIVE", "newest_release": "RNEWEST",
        "releases": {
            "RACTIVE": {"env": {"SECRET_KEY": "k3y-of-the-shop-1234", "ALLOWED_HOSTS": "*",
                                "FEATURE_FLAGS": "a,b"}, "manifest": ""},
            "RNEWEST": {"env": {"SECRET_KEY": "k3y-of-the-shop-1234", "ALLOWED_HOSTS": "*",
                                "FEATURE_FLAGS": "a,b"}, "manifest": ""},
        },
        "services": [{"name": "web", "domain": "web.shop.0a1b2c3d4e5f.convox.cloud",
                      "ports": "443:8000"}, {"name": "worker", "domain": "", "ports": ""}],
        "processes": [
            {"id": "web-5d8f9c7b4-abcde", "service": "web", "status": "running",
             "release": "RACTIVE", "command": "gunicorn shop.wsgi"},
            {"id": "web-5d8f9c7b4-fghij", "service": "web", "status": "running",
             "release": "RACTIVE", "command": "gunicorn shop.wsgi"},
            {"id": "worker-7c9d8e6f5-klmno", "service": "worker", "status": "running",
             "release": "RACTIVE", "command": "python worker.py"},
        ],
    },
}  # fmt: skip


def scenario(**changes: Any) -> dict[str, Any]:
    """A deep copy of SCENARIO; ``changes`` maps ``heroku`` / ``convox`` to key updates."""
    doc = copy.deepcopy(SCENARIO)
    for side, update in changes.items():
        doc[side].update(update)
    return doc


def write_scenario(folder: Path, doc: dict[str, Any]) -> Path:
    path = folder / f"scenario-{secrets.token_hex(3)}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@contextmanager
def deployments(client: Any, *, delay_ms: int = 0) -> Iterator[dict[str, str]]:
    """Two containers of the fixture server on a network of their own, published on loopback:
    ``{"heroku": base URL, "convox": base URL}``. Removed on exit."""
    name = f"h2c-compare-test-{secrets.token_hex(4)}"
    network = client.networks.create(name, driver="bridge", labels={"h2c-test": "compare"})
    containers = []
    try:
        for platform in ("heroku", "convox"):
            containers.append(client.containers.run(
                IMAGE, ["python", "/srv/server.py"], detach=True, name=f"{name}-{platform}",
                environment={"PLATFORM": platform, "DELAY_MS": str(delay_ms)},
                volumes={str(FIXTURES / "server"): {"bind": "/srv", "mode": "ro"}},
                ports={"8000/tcp": ("127.0.0.1", None)}, network=name,
                labels={"h2c-test": "compare"},
            ))  # fmt: skip
        bases = {}
        for platform, container in zip(("heroku", "convox"), containers, strict=True):
            bases[platform] = wait_up(container)
        yield bases
    finally:
        for container in containers:
            container.remove(force=True)
        network.remove()


def engine_with_standin() -> Any:
    """A docker client, or the test skipped (failed under CI) naming what is missing."""
    try:
        import docker

        client = docker.from_env()
        client.ping()
    except Exception as error:  # no engine on this machine
        unavailable(f"no Docker engine: {type(error).__name__}")
    if not client.images.list(name="python:3.11-slim"):
        unavailable("stand-in image python:3.11-slim not built; run scripts/setup")
    return client


def wait_up(container: Any, path: str = "/text", timeout_s: float = 30.0) -> str:
    """The container's loopback base URL once ``path`` answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        container.reload()
        bound = (container.ports.get("8000/tcp") or [None])[0]
        if bound:
            base = f"http://127.0.0.1:{bound['HostPort']}"
            try:
                requests.get(base + path, timeout=1)
                return base
            except requests.RequestException:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"{container.name} did not answer in {timeout_s:g} s")
