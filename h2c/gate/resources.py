"""The app's convox.yml resources as containers on the gate's private network.

Every container is started first, then each is polled (every ``POLL_S``) until it accepts
clients, so several resources initialise side by side. A postgres resource runs from an
initialised copy of its image (``h2c.gate.pgtemplate``), so it skips initdb. Run on a
background thread while the image builds (``h2c.gate.fixtures``); ``stop`` ends the wait when
the session ends.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from h2c.adapters.contracts import Attachable, Container, Engine
from h2c.adapters.polling import wait_command
from h2c.errors import EnvironmentMissing
from h2c.gate import pgtemplate
from h2c.runplan.env import Database
from h2c.verdicts.process import log_tail

RESOURCE_PORTS = {"postgres": 5432, "postgis": 5432, "mysql": 3306, "mariadb": 3306, "redis": 6379}
STARTUP_S = 90.0
POLL_S = 0.1  # each poll is a `docker exec` (~50 ms here); readiness is on the longest path


def ready_args(kind: str) -> list[str]:
    """A command, run inside a resource container, that exits 0 once it accepts clients.

    TCP on 127.0.0.1: the postgres entrypoint's init phase listens on its socket only.

    >>> ready_args("redis"), ready_args("postgres")[-1]
    (['redis-cli', 'ping'], '5432')
    """
    if kind == "redis":
        return ["redis-cli", "ping"]
    return ["pg_isready", "-h", "127.0.0.1", "-p", str(RESOURCE_PORTS.get(kind, 5432))]


def wait_accepting(
    container: Container, args: list[str], deadline_s: float, stop: threading.Event | None = None
) -> bool:
    """Poll ``args`` in the container until it exits 0; False when it stopped or time ran out."""
    return wait_command(container, args, deadline_s=deadline_s, interval_s=POLL_S, stop=stop)


def image_of(spec: Mapping[str, Any]) -> str:
    """The image a resource runs: ``<type>:<options.version>``.

    >>> image_of({"type": "postgres", "options": {"version": 17}}), image_of({"type": "redis"})
    ('postgres:17', 'redis:latest')
    """
    return f"{spec.get('type', '')}:{(spec.get('options') or {}).get('version', 'latest')}"


def _launch(
    engine: Engine,
    network: Attachable,
    name: str,
    spec: Mapping[str, Any],
    stop: threading.Event | None,
) -> tuple[Container, Database, list[str]]:
    """Start one resource's container: it, its credentials, and its readiness command."""
    kind = str(spec.get("type", ""))
    image = image_of(spec)
    if kind not in ("postgres", "postgis", "redis"):
        raise EnvironmentMissing(f"resource {name!r}: the gate cannot run type {kind!r}")
    if not engine.image_present(image):
        raise EnvironmentMissing(
            f"resource {name!r} needs the image {image}, which is not available locally"
        )
    db = Database.new(name, "redis" if kind == "redis" else "postgres", RESOURCE_PORTS[kind])
    if kind == "redis":
        return engine.run(image, network=network, aliases=[name]), db, ready_args(kind)
    initialised = pgtemplate.ensure(
        engine, image, db.user, db.name,
        lambda first: wait_accepting(first, ready_args(kind), STARTUP_S, stop),
    )  # fmt: skip
    container = engine.run(
        initialised,
        command=list(pgtemplate.THROWAWAY_POSTGRES),
        env={"POSTGRES_PASSWORD": db.password},
        network=network,
        aliases=[name],
        user=pgtemplate.RUN_AS,
    )
    return container, db, pgtemplate.set_password_args(db.user, db.name)


def start_resources(
    engine: Engine,
    network: Attachable,
    resources: Mapping[str, Any],
    stop: threading.Event | None = None,
) -> dict[str, Database]:
    """One container per resource, alias = resource name; returns once all accept clients."""
    launched = {
        name: (spec or {}, *_launch(engine, network, name, spec or {}, stop))
        for name, spec in sorted(resources.items())
    }
    ready = {}
    for name, (spec, container, db, ready_command) in launched.items():
        if not wait_accepting(container, ready_command, STARTUP_S, stop):
            raise EnvironmentMissing(
                f"resource {name!r} ({image_of(spec)}) did not become ready:\n"
                + log_tail(container.logs())
            )
        ready[name] = db
    return ready
