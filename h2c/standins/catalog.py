"""Local stand-ins for the official base images, built where no registry can be reached.

The gate builds generated Dockerfiles for real, but this machine cannot pull ``python:*`` or
``postgres:*``. So we build images under the official names from a Debian root file system,
with the same interface as the official images. The catalog below is the single source of what
can be built; it is pure. How one is built: ``h2c.standins.recipe`` (pure: packages, metadata
Dockerfile, entrypoint scripts) and ``h2c.standins.build`` (the adapter: debootstrap, chroot,
``docker import``; ``python -m h2c.standins ensure|rebuild|list`` runs its ``main``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StandIn:
    """One image we can build: official name, Debian suite, kind and language major version."""

    name: str
    suite: str
    kind: str  # "python" | "node" | "postgres" | "redis"
    version: str


CATALOG: dict[str, StandIn] = {
    s.name: s
    for s in (
        StandIn("python:3.11-slim", "bookworm", "python", "3.11"),
        StandIn("python:3.13-slim", "trixie", "python", "3.13"),
        StandIn("node:20-slim", "trixie", "node", "20"),  # Debian's Node.js 20
        StandIn("postgres:15", "bookworm", "postgres", "15"),
        StandIn("postgres:17", "trixie", "postgres", "17"),
        StandIn("redis:7", "bookworm", "redis", "7"),
    )
}


def canonical(name: str) -> str:
    """Official short form of an image reference.

    >>> canonical("docker.io/library/postgres:15")
    'postgres:15'
    >>> canonical("python")
    'python:latest'
    """
    for prefix in ("docker.io/library/", "index.docker.io/library/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in last:
        name += ":latest"
    return name


def provided_images() -> list[str]:
    """Names of the images h2c can build locally, sorted.

    >>> provided_images()  # doctest: +NORMALIZE_WHITESPACE
    ['node:20-slim', 'postgres:15', 'postgres:17', 'python:3.11-slim', 'python:3.13-slim',
     'redis:7']
    """
    return sorted(CATALOG)


def missing_image_message(name: str) -> str:
    """What to tell a user whose artifact names an image that is neither local nor a stand-in."""
    return (
        f"image {name} is not available: no registry can be reached here and h2c's "
        f"stand-ins provide only: {', '.join(provided_images())}"
    )
