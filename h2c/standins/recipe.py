"""How a stand-in image is made, as data: packages, APT settings, metadata layer, entrypoints.

Pure: nothing here runs a command. ``h2c.standins.build`` applies the recipe to a Debian root
file system. The entrypoint scripts are package data (``h2c/standins/data/*.sh``), the same
contract as the official images' ``docker-entrypoint.sh``.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from h2c.standins.catalog import StandIn

MIRROR = "http://deb.debian.org/debian"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
STANDIN_LABEL = "dev.h2c.standin"
# Raised, per kind, whenever a recipe changes what an image holds, so `ensure` rebuilds older
# stand-ins (an image without the label is revision 1). python 2: the headers (Python.h) the
# official images ship, so C extensions build.
REVISION_LABEL = "dev.h2c.standin.revision"
REVISIONS = {"python": "2", "node": "1", "postgres": "1", "redis": "1"}
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CA_ENV = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")


def entrypoint_script(kind: str) -> str:
    """The ``docker-entrypoint.sh`` text for a stand-in kind (``postgres``, ``redis``, ``node``).

    >>> entrypoint_script("redis").splitlines()[0]
    '#!/bin/sh'
    """
    data = resources.files("h2c.standins").joinpath("data", f"{kind}-entrypoint.sh")
    return data.read_text(encoding="utf-8")


POSTGRES_ENTRYPOINT = entrypoint_script("postgres")
REDIS_ENTRYPOINT = entrypoint_script("redis")
NODE_ENTRYPOINT = entrypoint_script("node")
# The official node images' user: uid and gid 1000, home /home/node.
NODE_USER = ("node", 1000, "/home/node")


def packages_for(standin: StandIn) -> list[str]:
    """Debian packages installed on top of the minbase root file system.

    >>> from h2c.standins.catalog import CATALOG
    >>> packages_for(CATALOG["postgres:17"])
    ['postgresql-17', 'locales']
    >>> packages_for(CATALOG["redis:7"])
    ['redis-server']
    """
    if standin.kind == "python":
        # python3-dev: Python.h and the build configuration, as the official images ship in
        # /usr/local/include (no compiler: the official slim images have none either)
        return ["python3", "python3-venv", "python3-pip", "python3-dev", "ca-certificates"]
    if standin.kind == "redis":
        return ["redis-server"]  # pulls in redis-tools (redis-cli)
    if standin.kind == "node":
        # Debian's Node.js and npm (trixie: Node.js 20); no compiler, as in the official slim
        return ["nodejs", "npm", "ca-certificates"]
    return [f"postgresql-{standin.version}", "locales"]


def dockerfile_for(standin: StandIn, full_version: str, rootfs: str) -> str:
    """Metadata layer on top of the imported root file system (import can't set STOPSIGNAL).

    >>> from h2c.standins.catalog import CATALOG
    >>> print(dockerfile_for(CATALOG["python:3.11-slim"], "3.11.2", "r").splitlines()[-1])
    CMD ["python3"]
    """
    env = {key: str(HOST_CA_BUNDLE) for key in CA_ENV}
    if standin.kind == "python":
        env |= {"PATH": BASE_PATH, "LANG": "C.UTF-8", "PYTHON_VERSION": full_version}
        tail = 'CMD ["python3"]\n'
    elif standin.kind == "node":
        env |= {"PATH": BASE_PATH, "NODE_VERSION": full_version}
        tail = 'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node"]\n'
    elif standin.kind == "redis":
        env |= {"PATH": BASE_PATH, "REDIS_VERSION": full_version}
        tail = (
            'WORKDIR /data\nVOLUME /data\nENTRYPOINT ["docker-entrypoint.sh"]\n'
            'EXPOSE 6379\nCMD ["redis-server"]\n'
        )
    else:
        env |= {
            "PATH": f"{BASE_PATH}:/usr/lib/postgresql/{standin.version}/bin",
            "LANG": "en_US.utf8",
            "PG_MAJOR": standin.version,
            "PG_VERSION": full_version,
            "PGDATA": "/var/lib/postgresql/data",
        }
        tail = (
            'VOLUME /var/lib/postgresql/data\nENTRYPOINT ["docker-entrypoint.sh"]\n'
            'STOPSIGNAL SIGINT\nEXPOSE 5432\nCMD ["postgres"]\n'
        )
    pairs = " ".join(f"{key}={value}" for key, value in env.items())
    labels = f"{STANDIN_LABEL}={standin.suite} {REVISION_LABEL}={REVISIONS[standin.kind]}"
    return f"FROM {rootfs}\nLABEL {labels}\nENV {pairs}\n{tail}"


VERSION_PATTERNS = {
    "python": r"Python (\d+\.\d+\.\d+)",
    "node": r"v(\d+\.\d+\.\d+)",
    "postgres": r"\(PostgreSQL\) (\d+(?:\.\d+)*)",
    "redis": r"Redis server v=(\d+\.\d+\.\d+)",
}


def parse_full_version(kind: str, output: str) -> str:
    """Exact version from ``python3 --version``, ``node --version``, ``postgres --version`` or
    ``redis-server -v``.

    >>> parse_full_version("postgres", "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)")
    '15.14'
    >>> parse_full_version("python", "Python 3.13.5")
    '3.13.5'
    >>> parse_full_version("node", "v20.19.2")
    '20.19.2'
    >>> parse_full_version("redis", "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0")
    '7.0.15'
    """
    found = re.search(VERSION_PATTERNS[kind], output)
    if not found:
        raise RuntimeError(f"cannot read the {kind} version from {output!r}")
    return found.group(1)


APT_DOCKER_CONF = {
    "docker-clean": 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
    "docker-no-recommends": 'APT::Install-Recommends "false";\n',
}

# Like the official slim images: packages installed in a build skip docs and translations.
DPKG_SLIM = (
    "".join(
        f"path-exclude {p}\n"
        for p in (
            "/usr/share/doc/*",
            "/usr/share/man/*",
            "/usr/share/info/*",
            "/usr/share/locale/*",
        )
    )
    + "path-include /usr/share/doc/*/copyright\npath-include /usr/share/locale/locale.alias\n"
)


def sources_list(suite: str) -> str:
    """APT sources like the official Debian images: main, updates and security."""
    return (
        f"deb {MIRROR} {suite} main\ndeb {MIRROR} {suite}-updates main\n"
        f"deb http://deb.debian.org/debian-security {suite}-security main\n"
    )
