"""The deployed app for h2c postdeploy's tests: one container on loopback playing the Convox
app's web endpoint, the convox double's scenario (steps for a rollout), a copy of the app
folder a test may edit."""

from __future__ import annotations

import copy
import json
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.integration.compare_env import BIN, wait_up

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "postdeploy"
APP = FIXTURES / "app"
IMAGE = "python:3.11-slim"
CONVOX = BIN / "convox"
MIGRATION_STATUS = "python manage.py migrate --plan --check"
ENV = {"SECRET_KEY": "k3y-of-the-shop-1234", "ALLOWED_HOSTS": "*", "RELEASE_NOTE": "v41"}


def _proc(pid: str, service: str, status: str = "running", release: str = "R2") -> dict[str, str]:
    return {"id": pid, "service": service, "status": status, "release": release,
            "command": f"{service} command"}  # fmt: skip


PROCESSES = [_proc("web-5d8f9c7b4-abcde", "web"), _proc("web-5d8f9c7b4-fghij", "web"),
             _proc("worker-7c9d8e6f5-klmno", "worker")]  # fmt: skip

SCENARIO: dict[str, Any] = {
    "convox": {
        "app": "shop", "release": "R2", "newest_release": "R2", "status": "running",
        "releases": {"R1": {"env": dict(ENV)}, "R2": {"env": dict(ENV)}},
        "services": [{"name": "web", "domain": "web.shop.0a1b2c3d4e5f.convox.cloud",
                      "ports": "443:8000"}, {"name": "worker", "domain": "", "ports": ""},
                     {"name": "scheduler", "domain": "", "ports": ""}],
        "processes": PROCESSES,
    },
}  # fmt: skip


def scenario(**convox: Any) -> dict[str, Any]:
    """A deep copy of SCENARIO with ``convox`` keys replaced."""
    doc = copy.deepcopy(SCENARIO)
    doc["convox"].update(copy.deepcopy(convox))
    return doc


def rolling_out() -> list[dict[str, Any]]:
    """``steps`` of a deploy still rolling out (R1's processes giving way to R2's), then settled."""
    old = [_proc("web-1111-aaaaa", "web", release="R1"),
           _proc("web-1111-bbbbb", "web", release="R1"),
           _proc("worker-2222-ccccc", "worker", release="R1")]  # fmt: skip
    half = [old[0], PROCESSES[0], _proc("web-5d8f9c7b4-fghij", "web", "starting"), old[2]]
    return [
        {"status": "updating", "release": "R1", "processes": old},
        {"status": "updating", "release": "R1", "processes": half},
        {"status": "updating", "release": "R2", "processes": half},
        {"status": "running", "release": "R2", "processes": PROCESSES},
    ]


def write_scenario(folder: Path, doc: dict[str, Any]) -> Path:
    path = folder / f"scenario-{secrets.token_hex(3)}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def app_copy(folder: Path, *, health: str | None = None, smoke: list[str] | None = None) -> Path:
    """The fixture app copied to ``folder``, with another health path or smoke paths."""
    app = folder / "app"
    shutil.copytree(APP, app)
    if health is not None:
        yml = app / "convox.yml"
        yml.write_text(yml.read_text().replace("health: /health", f"health: {health}"))
    if smoke is not None:
        toml = app / "h2c.toml"
        toml.write_text(toml.read_text().replace('smoke_paths = ["/", "/api/user"]',
                                                 f"smoke_paths = {json.dumps(smoke)}"))  # fmt: skip
    return app


@contextmanager
def deployed(client: Any) -> Iterator[str]:
    """The fixture server in a container on a network of its own, published on loopback: its
    base URL (plain HTTP: ``--url`` may be http:// on loopback only). Removed on exit."""
    name = f"h2c-postdeploy-test-{secrets.token_hex(4)}"
    network = client.networks.create(name, driver="bridge", labels={"h2c-test": "postdeploy"})
    container = None
    try:
        container = client.containers.run(
            IMAGE, ["python", "/srv/server.py"], detach=True, name=name,
            environment={"WARMUP_S": "2"}, network=name, labels={"h2c-test": "postdeploy"},
            volumes={str(FIXTURES / "server"): {"bind": "/srv", "mode": "ro"}},
            ports={"8000/tcp": ("127.0.0.1", None)},
        )  # fmt: skip
        yield wait_up(container, "/health")
    finally:
        if container is not None:
            container.remove(force=True)
        network.remove()
