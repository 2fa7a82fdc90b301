"""Each process that links the app's database connects to it, from inside its own container.

An app on Convox reaches its ``postgres`` resource with the env Convox gives its service
(``<NAME>_URL`` ...) and its own settings; settings that require SSL (``sslmode=require``, as
Heroku's docs tell Django apps: ``dj_database_url.config(ssl_require=True)``) cannot reach
Convox's containerised postgres, which offers no SSL (nor does the gate's). The probe runs in
the process's running container (``docker exec``: its env exactly), else in a one-off container
of the image with the same env: a Django app connects through its own settings
(``manage.py shell -c``), a Node.js app through the settings its own files make
(``h2c.gate.node_probe``), any other through the driver it has installed, with the resource's
URL. It prints one ``h2c-db-probe:`` line saying why it could not connect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from h2c.artifacts.app import GateApp
from h2c.gate.node_probe import NODE_PROBE
from h2c.runplan.argv import gate_processes

DATABASE_TYPES = frozenset({"postgres", "postgis"})
MARK = "h2c-db-probe:"
_REPORT = (
    "def report(e):\n"
    "    text = '; '.join(l.strip() for l in str(e).splitlines() if l.strip())\n"
    f"    print({MARK!r}, type(e).__name__ + ': ' + text, flush=True)\n"
    "    sys.exit(1)\n"
)
DJANGO_PROBE = (
    "import sys\n"
    "from django.db import connections\n" + _REPORT + "try:\n"
    "    for alias in connections:\n"
    "        connections[alias].ensure_connection()\n"
    "except Exception as e:\n"
    "    report(e)\n"
)
DRIVER_PROBE = (
    "import os, sys\n" + _REPORT + "def connect(url):\n"
    "    try:\n"
    "        import psycopg\n"
    "        return psycopg.connect(url).close()\n"
    "    except ImportError:\n"
    "        pass\n"
    "    try:\n"
    "        import psycopg2\n"
    "        return psycopg2.connect(url).close()\n"
    "    except ImportError:\n"
    "        pass\n"
    "    import sqlalchemy\n"
    "    url = url.replace('postgres://', 'postgresql://', 1)\n"
    "    sqlalchemy.create_engine(url).connect().close()\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        connect(os.environ[name])\n"
    "    except ImportError:\n"
    f"        print({MARK!r}, 'no PostgreSQL driver in the image "
    "(psycopg, psycopg2, sqlalchemy)')\n"
    "        sys.exit(3)\n"
    "    except Exception as e:\n"
    "        report(e)\n"
)


def database_resources(app: GateApp) -> list[str]:
    """The convox.yml resources that are a PostgreSQL database, sorted."""
    return sorted(
        name
        for name, spec in app.resources.items()
        if str((spec or {}).get("type", "")) in DATABASE_TYPES
    )


def url_var(resource: str) -> str:
    """The env var Convox sets for a linked resource: ``<NAME>_URL``.

    >>> url_var("database"), url_var("main-db")
    ('DATABASE_URL', 'MAIN_DB_URL')
    """
    return resource.upper().replace("-", "_") + "_URL"


def linked(app: GateApp) -> dict[str, list[str]]:
    """Procfile process -> the database resources its convox.yml service links (non-empty only)."""
    databases = set(database_resources(app))
    found = {}
    for process in gate_processes(list(app.processes)):
        service = app.services.get(app.service_names.get(process, "")) or {}
        names = sorted(databases.intersection(service.get("resources") or []))
        if names:
            found[process] = names
    return found


def probe_args(
    resources: Sequence[str], django_manage: str | None, *, language: str = "python",
    tls_sites: Sequence[str] = (),
) -> list[str]:  # fmt: skip
    """The probe's command: Django's own connection, else the installed driver's; a Node.js
    app's own ``pg``/``knex`` settings (``h2c.gate.node_probe``).

    >>> probe_args(["database"], "manage.py")[:4]
    ['python', 'manage.py', 'shell', '-c']
    >>> probe_args(["database"], None)[-1]
    'DATABASE_URL'
    >>> probe_args(["database"], None, language="node", tls_sites=["db.js:8"])[3:]
    ['tls=db.js:8', 'DATABASE_URL']
    """
    if language == "node":
        tls = [f"tls={site}" for site in tls_sites]  # not --tls=: node would take it as its own
        return ["node", "-e", NODE_PROBE, *tls, *(url_var(r) for r in resources)]
    if django_manage:
        return ["python", django_manage, "shell", "-c", DJANGO_PROBE]
    return ["python", "-c", DRIVER_PROBE, *(url_var(r) for r in resources)]


@dataclass(frozen=True)
class ProbeOutcome:
    """How one process's connection went: ``exit_code`` 0 is connected."""

    process: str
    via: str  # "its container" or "a one-off container"
    exit_code: int | None  # None: still running at the deadline
    output: str

    @property
    def reason(self) -> str:
        """The probe's own line, else the output's last line (a crash before the probe ran)."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        said = [line.removeprefix(MARK).strip() for line in lines if line.startswith(MARK)]
        if said:
            return said[-1]
        if self.exit_code is None:
            return "the probe did not finish"
        return lines[-1] if lines else f"exit {self.exit_code}, no output"


NO_DRIVER = 3  # the probe's exit code when the image has no PostgreSQL driver it knows


def no_driver(outcome: ProbeOutcome) -> bool:
    """The image has no driver the probe knows: the app does not connect the way it can test
    (it may use none, or one the probe does not know), so the check is skipped, saying so."""
    return outcome.exit_code == NO_DRIVER


def failure(outcome: ProbeOutcome, resources: Mapping[str, Sequence[str]]) -> str | None:
    """The check's message when the process could not connect, else None.

    >>> print(failure(ProbeOutcome("web", "its container", 1, "h2c-db-probe: OperationalError: "
    ...       "server does not support SSL, but SSL was required"), {"web": ["database"]}))
    ... # doctest: +NORMALIZE_WHITESPACE
    web cannot connect to the database (from its container): OperationalError: server does not
    support SSL, but SSL was required: the app's database settings demand TLS, and Convox's
    postgres resource speaks plain TCP (no TLS), as the gate's does: make TLS depend on the
    environment (Heroku's PGSSLMODE, a DATABASE_SSL variable), not always on
    """
    if outcome.exit_code == 0:
        return None
    names = ", ".join(resources.get(outcome.process) or ["database"])
    said = f"{outcome.process} cannot connect to the {names} (from {outcome.via}): {outcome.reason}"
    return said + (TLS_HINT if _TLS_REFUSED.search(outcome.reason) else "")


# What libpq and node-postgres say when the server offers no TLS but the client demands it.
_TLS_REFUSED = re.compile(r"does not support SSL", re.IGNORECASE)
TLS_HINT = (
    ": the app's database settings demand TLS, and Convox's postgres resource speaks plain "
    "TCP (no TLS), as the gate's does: make TLS depend on the environment (Heroku's PGSSLMODE, "
    "a DATABASE_SSL variable), not always on"
)
