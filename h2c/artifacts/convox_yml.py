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
