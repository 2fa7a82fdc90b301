"""Reading convox.yml (v3): service ports and what its ``environment`` lists declare."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from h2c.secret import Secret


def convox_port(service: Mapping[str, Any]) -> int | None:
    """A convox.yml service's port: ``8000`` or ``"https:8000"``; None without one.

    >>> convox_port({"port": "https:3000"}), convox_port({"port": 8000}), convox_port({})
    (3000, 8000, None)
    """
    port = service.get("port")
    if isinstance(port, Mapping):
        port = port.get("port")
    if port is None:
        return None
    text = str(port).rpartition(":")[2]
    return int(text) if text.isdigit() else None


@dataclass(frozen=True)
class ManifestEnv:
    """What convox.yml says about env: every ``environment`` list and linked resource."""

    declared: frozenset[str] | None  # None when some list holds `*`
    defaults: Mapping[str, str] = field(default_factory=dict)  # KEY=default
    required: frozenset[str] = frozenset()  # bare KEY
    provided: frozenset[str] = frozenset()  # <RESOURCE>_URL and parts of linked resources


def manifest_env(doc: Mapping[str, Any]) -> ManifestEnv:
    """Read the env declarations of a parsed convox.yml (top level and every service).

    >>> m = manifest_env({"resources": {"database": {"type": "postgres"}}, "services": {"web":
    ...     {"environment": ["A", "B=2"], "resources": ["database"]}}})
    >>> sorted(m.declared), dict(m.defaults), sorted(m.required), "DATABASE_URL" in m.provided
    (['A', 'B'], {'B': '2'}, ['A'], True)
    """
    lists = [doc.get("environment") or []]
    linked: set[str] = set()
    for service in (doc.get("services") or {}).values():
        service = service or {}
        lists.append(service.get("environment") or [])
        linked.update(str(r) for r in service.get("resources") or [])
    declared: set[str] | None = set()
    defaults: dict[str, str] = {}
    required: set[str] = set()
    for entries in lists:
        for item in entries:
            key, eq, default = str(item).partition("=")
            if key == "*":
                declared = None
                continue
            if declared is not None:
                declared.add(key)
            if eq:
                defaults.setdefault(key, default)
            else:
                required.add(key)
    required -= set(defaults)
    provided = set()
    for name in linked:
        prefix = re.sub(r"[^A-Z0-9]", "_", name.upper())
        provided |= {f"{prefix}_{part}" for part in ("URL", "USER", "PASS", "HOST", "PORT", "NAME")}
    return ManifestEnv(
        frozenset(declared) if declared is not None else None,
        defaults,
        frozenset(required),
        frozenset(provided),
    )


def with_defaults(app_env: Mapping[str, Secret], manifest: ManifestEnv) -> dict[str, Secret]:
    """The app env a service sees: the set values, then convox.yml defaults for the rest."""
    env = dict(app_env)
    for key, default in manifest.defaults.items():
        env.setdefault(key, Secret(default))
    return env


def health_path(service: Mapping[str, Any]) -> str:
    """A convox.yml service's health path (string or ``{path: ...}``), ``/`` by default.

    >>> health_path({"health": "/health/"}), health_path({"health": {"grace": 5}}), health_path({})
    ('/health/', '/', '/')
    """
    health = service.get("health")
    if isinstance(health, Mapping):
        health = health.get("path")
    path = str(health or "/")
    return path if path.startswith("/") else "/" + path


# --- how Convox runs a service (provider/k8s/template/app/*.tmpl) -----------------------------

DEFAULT_MEMORY_MB = 512  # scale.memory's default
DEFAULT_GRACE_S = 30  # termination.grace's default


@dataclass(frozen=True)
class Health:
    """A service's readiness probe: ``health`` as Kubernetes runs it (defaults ``/``, 5, 5, 4)."""

    path: str = "/"
    grace_s: int = 5  # initialDelaySeconds
    interval_s: int = 5  # periodSeconds
    timeout_s: int = 4  # timeoutSeconds


@dataclass(frozen=True)
class ServiceRun:
    """How Convox starts and stops one service's container."""

    init: bool = True  # shareProcessNamespace: the command is not PID 1
    memory_mb: int = DEFAULT_MEMORY_MB  # the hard limit (OOM kill beyond it)
    memory_key: str = "scale.memory"  # where the limit came from, for messages
    grace_s: int = DEFAULT_GRACE_S  # SIGTERM, then SIGKILL after this


def service_health(service: Mapping[str, Any]) -> Health | None:
    """A service's ``health`` (a path, or ``{path, grace, interval, timeout}``); None when
    ``health.disable`` is set.

    >>> service_health({"health": "/up"})
    Health(path='/up', grace_s=5, interval_s=5, timeout_s=4)
    >>> service_health({"health": {"path": "/h", "grace": 30}}).grace_s
    30
    >>> service_health({"health": {"disable": True}}) is None
    True
    """
    health = service.get("health")
    if not isinstance(health, Mapping):
        return Health(path=health_path(service))
    if health.get("disable") is True:
        return None
    return Health(
        path=health_path(service),
        grace_s=_whole(health.get("grace"), 5),
        interval_s=_whole(health.get("interval"), 5),
        timeout_s=_whole(health.get("timeout"), 4),
    )


def service_run(service: Mapping[str, Any]) -> ServiceRun:
    """``init``, the memory limit and ``termination.grace`` of a convox.yml service.

    >>> service_run({"scale": {"memory": 1024}, "termination": {"grace": 10}, "init": False})
    ServiceRun(init=False, memory_mb=1024, memory_key='scale.memory', grace_s=10)
    >>> service_run({"scale": {"memory": 256, "limit": {"memory": 700}}}).memory_mb
    700
    >>> service_run({"scale": 2}) == ServiceRun()
    True
    """
    scale = service.get("scale")
    scale = scale if isinstance(scale, Mapping) else {}
    limit = scale.get("limit")
    limit = limit if isinstance(limit, Mapping) else {}
    key, memory = "scale.memory", _whole(scale.get("memory"), DEFAULT_MEMORY_MB)
    if limit.get("memory") is not None:
        key, memory = "scale.limit.memory", _whole(limit.get("memory"), memory)
    termination = service.get("termination")
    termination = termination if isinstance(termination, Mapping) else {}
    return ServiceRun(
        init=service.get("init") is not False,
        memory_mb=memory,
        memory_key=key,
        grace_s=_whole(termination.get("grace"), DEFAULT_GRACE_S),
    )


def service_domain(service: Mapping[str, Any]) -> str | None:
    """The first custom ``domain`` of a service (comma separated), unless interpolated.

    >>> service_domain({"domain": "a.example.org,b.example.org"}), service_domain({})
    ('a.example.org', None)
    """
    domain = str(service.get("domain") or "").split(",")[0].strip()
    return domain if domain and "$" not in domain else None


def _whole(value: object, default: int) -> int:
    """A whole number from YAML (an int or digits), else ``default``."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() else default
