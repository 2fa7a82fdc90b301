"""The env Convox gives one service container: linked resources, the declared app env, PORT.

Pure; the gate starts containers with exactly this env.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from h2c.plan.naming import env_prefix
from h2c.secret import Secret


@dataclass(frozen=True)
class Database:
    """Credentials of a resource container the gate started (values stay Secrets)."""

    resource: str
    scheme: str
    host: str
    port: int
    user: str
    password: Secret
    name: str

    @classmethod
    def new(cls, resource: str, scheme: str, port: int) -> Database:
        if scheme == "redis":  # Convox's redis resource: no auth, no database name
            return cls(resource, scheme, resource, port, "", Secret(""), "")
        return cls(resource, scheme, resource, port, "app", Secret(secrets.token_hex(16)), "app")

    def env(self) -> dict[str, Secret]:
        """What Convox gives a linked service: ``<NAME>_URL`` and its parts.

        Convox's redis resource sets ``redis://host:6379`` and empty USER, PASS and NAME.

        >>> env = Database.new("cache", "redis", 6379).env()
        >>> env["CACHE_URL"].reveal(), env["CACHE_PASS"].reveal(), env["CACHE_NAME"].reveal()
        ('redis://cache:6379', '', '')
        """
        prefix = env_prefix(self.resource)
        auth = f"{self.user}:{self.password.reveal()}@" if self.user else ""
        path = f"/{self.name}" if self.name else ""
        url = f"{self.scheme}://{auth}{self.host}:{self.port}{path}"
        return {
            f"{prefix}_URL": Secret(url),
            f"{prefix}_USER": Secret(self.user),
            f"{prefix}_PASS": self.password,
            f"{prefix}_HOST": Secret(self.host),
            f"{prefix}_PORT": Secret(str(self.port)),
            f"{prefix}_NAME": Secret(self.name),
        }


def service_env(
    service: Mapping[str, Any],
    top_environment: Sequence[str],
    app_env: Mapping[str, Secret],
    linked: Sequence[Database],
    port: int | None,
) -> dict[str, Secret]:
    """The env Convox would give one service: resource vars, then declared app env, then PORT.

    A key declared as ``KEY=default`` takes its default when the app env lacks it; app env set
    by the user overrides resource vars (as on Convox: a copied DATABASE_URL wins).

    >>> env = service_env({"environment": ["A", "B=2"]}, [], {"A": Secret("1"), "C": Secret("3")},
    ...                   [], 8000)
    >>> sorted(env), env["PORT"].reveal()
    (['A', 'B', 'PORT'], '8000')
    """
    env: dict[str, Secret] = {}
    for database in linked:
        env.update(database.env())
    declared = [str(item) for item in (*top_environment, *(service.get("environment") or []))]
    if not declared or "*" in declared:
        env.update(app_env)
    for item in declared:
        key, has_default, default = item.partition("=")
        if key == "*":
            continue
        if key in app_env:
            env[key] = app_env[key]
        elif has_default:
            env[key] = Secret(default)
    if port is not None:
        env["PORT"] = Secret(str(port))
    return env
