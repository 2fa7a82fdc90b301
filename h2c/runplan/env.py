"""The env Convox gives one service container, each key with where it comes from.

Pure; the gate starts containers with exactly this env, and ``h2c check --plan`` shows it.
As Convox composes it (REFERENCE "How Convox runs what it builds"): the service's app env
(``envFrom`` its secret: the app env filtered by the ``environment`` lists, defaults applied),
then one ``env`` entry per linked resource (``<NAME>_URL`` and its parts), then ``PORT`` and the
system vars; a Kubernetes ``env`` entry wins over ``envFrom``. A resource whose ``<NAME>_URL`` the
app env sets is an **overlay** (provider/k8s/resource.go ``resourceOverlay``): Convox does not
start it and the service gets the app env's URL (its parts read from that URL).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from h2c.plan.naming import env_prefix
from h2c.secret import Secret

Source = Literal["app", "default", "resource", "overlay", "system"]
PARTS = ("URL", "USER", "PASS", "HOST", "PORT", "NAME")
# Convox's system env, with fixed plausible values for the gate (SERVICE and PORT per service).
SYSTEM_VALUES = {
    "APP": "h2c-gate",
    "BUILD": "BH2CGATE0001",
    "BUILD_DESCRIPTION": "h2c gate build",
    "RACK": "h2c-gate",
    "RELEASE": "RH2CGATE0001",
}
RESOURCE_SCHEMES = {"postgres": ("postgres", 5432), "postgis": ("postgres", 5432),
                    "mysql": ("mysql", 3306), "mariadb": ("mysql", 3306),
                    "redis": ("redis", 6379), "memcached": ("memcached", 11211)}  # fmt: skip


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

    @classmethod
    def planned(cls, resource: str, kind: str) -> Database:
        """The resource as the gate would start it (a fresh password), for ``--plan``."""
        scheme, port = RESOURCE_SCHEMES.get(kind.removeprefix("rds-"), ("postgres", 5432))
        return cls.new(resource, scheme, port)

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


@dataclass(frozen=True)
class EnvEntry:
    """One key of a service's env: its value (a Secret) and where Convox takes it from."""

    value: Secret
    source: Source


def overlay_env(resource: str, url: Secret) -> dict[str, Secret]:
    """A resource overlaid by the app env: its URL as given, the parts read from it.

    >>> env = overlay_env("database", Secret("postgres://u:p@db.example:6543/shop"))
    >>> [env[f"DATABASE_{p}"].reveal() for p in ("USER", "PASS", "HOST", "PORT", "NAME")]
    ['u', 'p', 'db.example', '6543', 'shop']
    """
    prefix = env_prefix(resource)
    try:
        parts = urlsplit(url.reveal())
        port = str(parts.port or "")
    except ValueError:
        parts, port = urlsplit(""), ""
    values = [parts.username or "", parts.password or "", parts.hostname or "", port,
              parts.path.lstrip("/")]  # fmt: skip
    return {f"{prefix}_URL": url} | {
        f"{prefix}_{part}": Secret(value) for part, value in zip(PARTS[1:], values, strict=True)
    }


def overlaid(resources: Sequence[str], app_env: Mapping[str, Secret]) -> list[str]:
    """The resources the app env overlays (it sets their ``<NAME>_URL``): Convox starts none.

    >>> overlaid(["database", "cache"], {"DATABASE_URL": Secret("postgres://x")})
    ['database']
    """
    return [r for r in resources if f"{env_prefix(r)}_URL" in app_env]


def composed_env(
    name: str,
    service: Mapping[str, Any],
    top_environment: Sequence[str],
    app_env: Mapping[str, Secret],
    resources: Mapping[str, Database],
    port: int | None,
) -> dict[str, EnvEntry]:
    """Every key of service ``name``'s env with its source: app, default, resource, overlay,
    system.

    ``resources`` holds the started (or planned) resources by name; a linked one the app env
    overlays is not used. The declared app env comes first, then resource vars, then system vars.

    >>> env = composed_env("web", {"environment": ["A", "B=2"], "resources": ["database"]}, [],
    ...     {"A": Secret("1"), "C": Secret("3"), "DATABASE_URL": Secret("postgres://h:5/d")},
    ...     {}, 8000)
    >>> {k: e.source for k, e in env.items() if not k.startswith("DATABASE_")}
    {'A': 'app', 'B': 'default', 'PORT': 'system', 'SERVICE': 'system', 'APP': 'system', \
'BUILD': 'system', 'BUILD_DESCRIPTION': 'system', 'RACK': 'system', 'RELEASE': 'system'}
    >>> env["DATABASE_URL"].source, env["DATABASE_HOST"].value.reveal()
    ('overlay', 'h')
    """
    env: dict[str, EnvEntry] = {}
    declared = [str(item) for item in (*top_environment, *(service.get("environment") or []))]
    if not declared or "*" in declared:
        env.update({k: EnvEntry(v, "app") for k, v in app_env.items()})
    for item in declared:
        key, has_default, default = item.partition("=")
        if key == "*":
            continue
        if key in app_env:
            env[key] = EnvEntry(app_env[key], "app")
        elif has_default:
            env[key] = EnvEntry(Secret(default), "default")
    linked = [str(r) for r in service.get("resources") or []]
    over = overlaid(linked, app_env)
    for resource in linked:
        if resource in over:
            url = app_env[f"{env_prefix(resource)}_URL"]
            env.update({k: EnvEntry(v, "overlay") for k, v in overlay_env(resource, url).items()})
        elif resource in resources:
            env.update({k: EnvEntry(v, "resource") for k, v in resources[resource].env().items()})
    if port is not None:
        env["PORT"] = EnvEntry(Secret(str(port)), "system")
    env["SERVICE"] = EnvEntry(Secret(name), "system")
    env.update({k: EnvEntry(Secret(v), "system") for k, v in SYSTEM_VALUES.items()})
    return env


def service_env(
    service: Mapping[str, Any],
    top_environment: Sequence[str],
    app_env: Mapping[str, Secret],
    linked: Sequence[Database],
    port: int | None,
    name: str = "web",
) -> dict[str, Secret]:
    """The values of ``composed_env`` (the env a service's container is started with).

    >>> env = service_env({"environment": ["A", "B=2"]}, [], {"A": Secret("1"), "C": Secret("3")},
    ...                   [], 8000)
    >>> "C" in env, env["B"].reveal(), env["PORT"].reveal()
    (False, '2', '8000')
    """
    resources = {db.resource: db for db in linked}
    entries = composed_env(name, service, top_environment, app_env, resources, port)
    return {key: entry.value for key, entry in entries.items()}
