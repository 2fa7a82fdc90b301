"""Check a convox.yml (v3) or Gen1 docker-compose.yml against the rules Convox enforces.

Pure: text in, a list of problems out (empty when valid). Used by h2c's tests on every
generated file and by the gate on the user's edited copy.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from h2c.artifacts.yamldoc import yaml_error_line

NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
ENV_ENTRY_RE = re.compile(r"^(\*|[A-Za-z_][A-Za-z0-9_]*(=.*)?)$", re.DOTALL)
PORT_RE = re.compile(r"^(https?|tcp|udp|tls):\d+$")
TOP_KEYS = frozenset(
    [
        "environment",
        "resources",
        "services",
        "timers",
        "balancers",
        "params",
        "labels",
        "configs",
        "appSettings",
        "budget",
    ]
)
RESOURCE_TYPES = frozenset(
    [
        "postgres",
        "mysql",
        "mariadb",
        "redis",
        "memcached",
        "postgis",
        "rds-postgres",
        "rds-mysql",
        "rds-mariadb",
        "elasticache-redis",
        "elasticache-memcached",
    ]
)
VERSIONED_TYPES = frozenset({"postgres", "mysql", "mariadb", "postgis"})
HEALTH_KEYS = frozenset({"path", "grace", "interval", "timeout"})
SCALE_KEYS = frozenset({"count", "cpu", "memory", "targets", "limit", "gpu", "keda"})
COMPOSE_KEYS = frozenset(
    [
        "build",
        "command",
        "entrypoint",
        "environment",
        "image",
        "labels",
        "links",
        "mem_limit",
        "cpu_shares",
        "ports",
    ]
)


def _load(text: str, file: str, problems: list[str]) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc)
        problems.append(f"{file}{f':{line}' if line else ''}: not valid YAML")
        return None


def validate_convox_yml(text: str, *, file: str = "convox.yml") -> list[str]:
    """Problems with a convox.yml under Convox v3's rules.

    >>> validate_convox_yml("services:\\n  web:\\n    port: 3000\\n    health: /\\n")
    []
    >>> validate_convox_yml("services:\\n  my_web:\\n    command: x\\n")
    ["convox.yml: service name 'my_web' must match ^[a-z][a-z0-9-]*$"]
    """
    problems = [
        f"{file}:{n}: `${{` is interpolated from the app env by Convox at load time"
        for n, line in enumerate(text.splitlines(), start=1)
        if "${" in line
    ]
    doc = _load(text, file, problems)
    if doc is None:
        return problems
    if not isinstance(doc, dict):
        return [*problems, f"{file}: the top level must be a mapping"]
    for key in doc:
        if key not in TOP_KEYS:
            problems.append(f"{file}: unknown top-level key {key!r}")
    _env_list(doc.get("environment"), f"{file}: top-level environment", problems)
    resources = doc.get("resources") or {}
    if not isinstance(resources, dict):
        problems.append(f"{file}: resources must be a mapping")
        resources = {}
    for name, res in resources.items():
        _resource(str(name), res, file, problems)
    services = doc.get("services") or {}
    if not isinstance(services, dict):
        return [*problems, f"{file}: services must be a mapping"]
    for name, svc in services.items():
        _service(str(name), svc, set(map(str, resources)), file, problems)
    return problems


def _env_list(value: Any, where: str, problems: list[str]) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        problems.append(f"{where} must be a list of strings, not a {type(value).__name__}")
        return
    for entry in value:
        if not isinstance(entry, str) or not ENV_ENTRY_RE.match(entry):
            problems.append(f"{where}: entry {entry!r} must be KEY, KEY=default or *")


def _named_mapping(kind: str, name: str, value: Any, file: str, problems: list[str]) -> bool:
    """A resource or service entry: a valid Convox name holding a mapping (False if not one)."""
    if not NAME_RE.match(name):
        problems.append(f"{file}: {kind} name {name!r} must match ^[a-z][a-z0-9-]*$")
    if not isinstance(value, dict):
        problems.append(f"{file}: {kind} {name!r} must be a mapping")
        return False
    return True


def _resource(name: str, res: Any, file: str, problems: list[str]) -> None:
    where = f"{file}: resource {name!r}"
    if not _named_mapping("resource", name, res, file, problems):
        return
    kind = res.get("type")
    options = res.get("options") or {}
    if kind not in RESOURCE_TYPES:
        problems.append(f"{where}: unknown type {kind!r}")
    if not isinstance(options, dict):
        problems.append(f"{where}: options must be a mapping")
        return
    if (kind in VERSIONED_TYPES or str(kind).startswith("rds-")) and "version" not in options:
        problems.append(f"{where}: set options.version (the default is ancient)")
    if str(kind).startswith(("rds-", "elasticache-")) and "class" not in options:
        problems.append(f"{where}: AWS-managed resources need options.class")


def _service(name: str, svc: Any, resources: set[str], file: str, problems: list[str]) -> None:
    where = f"{file}: service {name!r}"
    if not _named_mapping("service", name, svc, file, problems):
        return
    _env_list(svc.get("environment"), f"{where} environment", problems)
    command = svc.get("command")
    if command is not None and not isinstance(command, str):
        problems.append(f"{where}: command must be a string")
    port = svc.get("port")
    if port is not None and not (
        (isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536)
        or (isinstance(port, str) and PORT_RE.match(port))
    ):
        problems.append(f'{where}: port must be an int or "scheme:port", not {port!r}')
    health = svc.get("health")
    if isinstance(health, dict):
        for key, value in health.items():
            if key not in HEALTH_KEYS:
                problems.append(f"{where}: unknown health key {key!r}")
            elif key != "path" and not isinstance(value, int):
                problems.append(f"{where}: health.{key} must be an int")
    elif health is not None and not isinstance(health, str):
        problems.append(f"{where}: health must be a path or {{path, grace, interval, timeout}}")
    if name == "web" and (port is None or health is None):
        problems.append(f"{where}: the web service needs a port and a health check")
    _scale(svc.get("scale"), where, problems)
    linked = svc.get("resources") or []
    if not isinstance(linked, list):
        problems.append(f"{where}: resources must be a list of resource names")
        linked = []
    for res in linked:
        if res not in resources:
            problems.append(f"{where}: links unknown resource {res!r}")


def _scale(scale: Any, where: str, problems: list[str]) -> None:
    if scale is None or (isinstance(scale, int) and not isinstance(scale, bool)):
        return
    if not isinstance(scale, dict):
        problems.append(f"{where}: scale must be an int or {{count, cpu, memory}}")
        return
    for key, value in scale.items():
        if key not in SCALE_KEYS:
            problems.append(f"{where}: unknown scale key {key!r}")
        elif key in ("cpu", "memory") and not (isinstance(value, int) and value > 0):
            problems.append(f"{where}: scale.{key} must be a positive int")
        elif key == "count" and not (
            (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
            or (isinstance(value, str) and re.fullmatch(r"\d+-\d+", value))
        ):
            problems.append(f"{where}: scale.count must be an int or a range like 1-3")


def validate_compose(text: str, *, file: str = "docker-compose.yml") -> list[str]:
    """Problems with a docker-compose.yml under Convox Gen1's rules.

    >>> validate_compose('version: "2"\\nservices:\\n  my_web:\\n    image: x\\n')
    ["docker-compose.yml: service name 'my_web' may not contain '_'"]
    """
    problems: list[str] = []
    doc = _load(text, file, problems)
    if doc is None:
        return problems
    if not isinstance(doc, dict):
        return [f"{file}: the top level must be a mapping"]
    if doc.get("version") != "2":
        problems.append(f'{file}: version must be the string "2"')
    services = doc.get("services")
    if not isinstance(services, dict) or not services:
        return [*problems, f"{file}: services must be a non-empty mapping"]
    for name, svc in services.items():
        where = f"{file}: service {name!r}"
        if "_" in str(name):
            problems.append(f"{file}: service name {name!r} may not contain '_'")
        if not isinstance(svc, dict):
            problems.append(f"{where} must be a mapping")
            continue
        for key in svc:
            if key not in COMPOSE_KEYS:
                problems.append(f"{where}: key {key!r} is not read by Convox Gen1")
        if "build" not in svc and "image" not in svc:
            problems.append(f"{where}: needs build or image")
        env = svc.get("environment")
        if env is not None and not isinstance(env, dict):
            _env_list(env, f"{where} environment", problems)
        for link in svc.get("links") or []:
            if link not in services:
                problems.append(f"{where}: links unknown service {link!r}")
    return problems
