"""Convox's naming rules, in one place: service and resource names, env var names and prefixes.

The planner names services with these, and so does the gate when it looks for them, so a
Procfile type such as ``2worker`` or ``a_b`` beside ``a-b`` gets the same name on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")


def convox_name(name: str) -> str:
    """A valid Convox name: lowercase, ``_`` to ``-``, other characters dropped.

    >>> convox_name("urgent_worker"), convox_name("Web"), convox_name("9lives"), convox_name("__")
    ('urgent-worker', 'web', 'p-9lives', 'p')
    """
    text = re.sub(r"[^a-z0-9-]", "", name.lower().replace("_", "-"))
    text = re.sub(r"-{2,}", "-", text).strip("-")
    if not text or not text[0].isalpha():
        text = "p-" + text if text else "p"
    return text


TWIN_PREFIX = "H2C_B64_"  # a multi-line value's one-line base64 twin (h2c.render.multiline)
SHIM_PATH = "/usr/local/bin/h2c-env"  # the ENTRYPOINT that decodes the twins, then execs


def twin_key(key: str) -> str:
    """The one-line twin that carries a multi-line ``key`` through Convox's line-based env.

    >>> twin_key("PRIVATE_KEY")
    'H2C_B64_PRIVATE_KEY'
    """
    return TWIN_PREFIX + key


RELEASE = "release"  # the Procfile type Heroku runs once per release: never a service


def service_names(processes: Sequence[str]) -> dict[str, str]:
    """Procfile type -> Convox service name, for every type but ``release``, in Procfile order.

    The planner and the gate both call this, so both look for the same services.

    >>> service_names(["web", "2worker", "a-b", "a_b", "release"])
    {'web': 'web', '2worker': 'p-2worker', 'a-b': 'a-b', 'a_b': 'a-b-2'}
    """
    types = [name for name in processes if name != RELEASE]
    names = unique_names(types, set())
    return {name: names[name] for name in types}


def unique_names(names: list[str], taken: set[str]) -> dict[str, str]:
    """Map each original name to a unique valid one; names already valid keep theirs first."""
    result: dict[str, str] = {}
    for name in names:
        if NAME_RE.match(name) and name not in taken:
            result[name] = name
            taken.add(name)
    for name in names:
        if name in result:
            continue
        base = candidate = convox_name(name)
        n = 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        result[name] = candidate
        taken.add(candidate)
    return result


def resource_url_var(name: str) -> str:
    """The env var Convox sets for a linked resource.

    >>> resource_url_var("heroku-postgresql-red")
    'HEROKU_POSTGRESQL_RED_URL'
    """
    return name.upper().replace("-", "_") + "_URL"


def env_prefix(resource: str) -> str:
    """``my-db`` -> ``MY_DB``: the prefix of a resource's env vars."""
    return re.sub(r"[^A-Z0-9]", "_", resource.upper())
