"""How the gate will run each service, computed without running anything (``h2c check --plan``).

Pure over a ``GateApp``: build args, each service's argv (convox.yml ``command`` shell-split,
else the image's CMD) behind the image's ENTRYPOINT, its env key by key with the source
(``h2c.runplan.env.composed_env``, the very function the gate starts containers with), port,
health probe, init, termination grace, memory and cpu, linked resources, and the timers.
Values never leave as text: each is shown as a digest keyed per run (HMAC-SHA256 with a random
key), so the same value digests differently each run and a digest cannot be looked up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from h2c.artifacts.app import GateApp
from h2c.artifacts.convox_yml import convox_port
from h2c.artifacts.dockerfile import _logical_lines, declared_args
from h2c.runplan.argv import command_args
from h2c.runplan.env import Database, EnvEntry, composed_env, overlaid
from h2c.secret import Secret

HEALTH_DEFAULTS = {"path": "/", "grace": 5, "interval": 5, "timeout": 4}
MEMORY_MB, CPU_MILLICORES, TERMINATION_GRACE_S = 512, 250, 30


@dataclass(frozen=True)
class Digester:
    """Digests of values keyed for one run: comparable within the run, meaningless after.

    >>> d = Digester(b"k" * 32)
    >>> d(Secret("false")) == d(Secret("false")), d(Secret("false")) == Digester()(Secret("false"))
    (True, False)
    >>> d(Secret("x"))
    'hmac:5011cc61ff53'
    """

    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def __call__(self, value: Secret | None) -> str | None:
        if value is None:
            return None
        mac = hmac.new(self.key, value.reveal().encode("utf-8"), hashlib.sha256)
        return "hmac:" + mac.hexdigest()[:12]


def image_words(dockerfile: str, instruction: str) -> list[str]:
    """The last ``ENTRYPOINT`` or ``CMD`` of a Dockerfile as argv (shell form: ``/bin/sh -c``).

    >>> image_words('FROM x\\nENTRYPOINT ["/usr/local/bin/h2c-env"]\\n', "ENTRYPOINT")
    ['/usr/local/bin/h2c-env']
    >>> image_words("FROM x\\nCMD gunicorn app:app\\n", "CMD")
    ['/bin/sh', '-c', 'gunicorn app:app']
    >>> image_words("FROM x\\n", "ENTRYPOINT")
    []
    """
    words: list[str] = []
    for _, line in _logical_lines(dockerfile):
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            words = []  # a new stage: only the last one's are the image's
        elif word.upper() == instruction:
            rest = rest.strip()
            try:
                parsed = json.loads(rest) if rest.startswith("[") else None
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, list):
                words = [str(w) for w in parsed]
            else:
                words = ["/bin/sh", "-c", rest] if rest else []
    return words


def health(service: Mapping[str, Any]) -> dict[str, Any] | None:
    """The readiness probe Convox renders for a service with a port (None without one).

    >>> health({"port": 8000, "health": "/up"})
    {'path': '/up', 'grace': 5, 'interval': 5, 'timeout': 4}
    >>> health({"port": 8000, "health": {"grace": 20, "disable": True}}), health({})
    (None, None)
    """
    if convox_port(service) is None:
        return None
    spec = service.get("health")
    if isinstance(spec, str):
        return {**HEALTH_DEFAULTS, "path": spec}
    spec = spec if isinstance(spec, Mapping) else {}
    if spec.get("disable"):
        return None
    return {k: spec.get(k, default) for k, default in HEALTH_DEFAULTS.items()}


def _scale(service: Mapping[str, Any]) -> tuple[int, int]:
    scale = service.get("scale")
    scale = scale if isinstance(scale, Mapping) else {}
    found = scale.get("limit")
    limit: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    memory = int(limit.get("memory") or scale.get("memory") or MEMORY_MB)
    return memory, int(scale.get("cpu") or CPU_MILLICORES)


def container_envs(
    app: GateApp, resources: Mapping[str, Database]
) -> dict[str, dict[str, EnvEntry]]:
    """Service -> its env as Convox composes it (``composed_env``): what the gate starts."""
    top = [str(item) for item in app.convox.get("environment") or []]
    return {
        name: composed_env(
            name, service or {}, top, app.app_env, resources, convox_port(service or {})
        )
        for name, service in app.services.items()
    }


def planned_resources(app: GateApp) -> dict[str, Database]:
    """The resources as the gate would start them (fresh passwords), for the plan."""
    return {
        name: Database.planned(name, str((spec or {}).get("type", "postgres")))
        for name, spec in app.resources.items()
    }


def _service(
    app: GateApp, name: str, env: Mapping[str, EnvEntry], digest: Digester
) -> dict[str, Any]:
    service = app.services.get(name) or {}
    processes = {svc: proc for proc, svc in app.service_names.items()}
    termination = service.get("termination")
    grace = termination.get("grace") if isinstance(termination, Mapping) else None
    memory, cpu = _scale(service)
    argv = command_args(service.get("command"))
    return {
        "process": processes.get(name),
        "argv": argv if argv is not None else image_words(app.dockerfile, "CMD"),
        "entrypoint": image_words(app.dockerfile, "ENTRYPOINT"),
        "env": {k: {"source": e.source, "digest": digest(e.value)} for k, e in sorted(env.items())},
        "port": convox_port(service),
        "health": health(service),
        "init": bool(service.get("init", True)),
        "termination_grace": int(grace or TERMINATION_GRACE_S),
        "memory_mb": memory,
        "cpu_millicores": cpu,
        "resources": [str(r) for r in service.get("resources") or []],
    }


def run_plan(
    app: GateApp,
    *,
    digest: Digester | None = None,
    resources: Mapping[str, Database] | None = None,
) -> dict[str, Any]:
    """The gate's plan for ``app`` as JSON-ready data (schema: README, ``h2c check --plan``)."""
    digest = digest or Digester()
    resources = planned_resources(app) if resources is None else resources
    envs = container_envs(app, resources)
    linked = sorted(
        {str(r) for s in app.services.values() for r in (s or {}).get("resources") or []}
    )
    timers = {}
    for name, timer in (app.convox.get("timers") or {}).items():
        timer = timer or {}
        timers[str(name)] = {
            "schedule": str(timer.get("schedule", "")),
            "service": str(timer.get("service", "")),
            "argv": command_args(timer.get("command")) or [],
        }
    return {
        "build_args": {
            arg: {"digest": digest(app.app_env.get(arg))} for arg in declared_args(app.dockerfile)
        },
        "services": {name: _service(app, name, envs[name], digest) for name in app.services},
        "overlaid_resources": overlaid(linked, app.app_env),
        "timers": timers,
    }
