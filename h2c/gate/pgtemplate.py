"""An initialised copy of a postgres image, so the gate's database starts without initdb.

initdb and the entrypoint's two server starts took 1.1-1.9 s of every gate run, on its longest
path; a server over a ready cluster accepts clients in about 0.3 s. The copy is made once per
source image (its id is in the tag, so a rebuilt image gets a new copy) and kept like the
stand-ins: an empty cluster with the gate's user and database, whose password was a random one
nobody kept. Each session sets its own through the local socket (trusted, as in the official
image) and counts the database ready only once that worked, so clients on the network need the
session's password, as before.

Two details of the engine decide the layout: a commit leaves out the image's ``VOLUME``, so the
cluster lives in ``TEMPLATE_PGDATA``; and the copy runs as the postgres user, because as root
the entrypoint would chown the cluster, copying every file up out of the image's layer (that
took longer than initdb).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from h2c.adapters.contracts import Container, Engine
from h2c.errors import EnvironmentMissing
from h2c.secret import Secret
from h2c.verdicts.process import log_tail

TEMPLATE_REPO = "h2c-cache/postgres-initialised"
TEMPLATE_PGDATA = "/var/lib/postgresql/h2c-initialised"
SOURCE_LABEL = "dev.h2c.initialised-from"  # the source image's id
NAME_LABEL = "dev.h2c.initialised-name"  # the source image's name, e.g. postgres:17
RUN_AS = "postgres"
# The gate's databases are thrown away with the session: durability is not what it checks, and
# skipping the syncs makes initdb and the release's migrations faster. No SSL, like Convox's
# containerised postgres: an app whose settings require it fails the gate, as on Convox.
THROWAWAY_POSTGRES = ("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off",
                      "-c", "full_page_writes=off", "-c", "ssl=off")  # fmt: skip
THROWAWAY_INITDB_ARGS = "--no-sync"


def template_tag(source_id: str, user: str, database: str) -> str:
    """The copy's tag: one per source image, user, database and initdb arguments.

    >>> template_tag("sha256:abc", "app", "app").startswith("h2c-cache/postgres-initialised:")
    True
    >>> template_tag("sha256:abc", "app", "app") == template_tag("sha256:abd", "app", "app")
    False
    """
    key = "\0".join((source_id, user, database, THROWAWAY_INITDB_ARGS))
    return f"{TEMPLATE_REPO}:{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def set_password_args(user: str, database: str) -> list[str]:
    """A command, run inside a copy's container, that exits 0 once the server accepts clients
    and the role's password is the container's ``POSTGRES_PASSWORD``.

    The command the engine records for the exec (``docker events``, exec inspect) names only
    the variable: the shell inside the container hands its value to psql, which quotes it
    (``:'password'``). A statement that fails is logged by the server, but this one cannot fail
    once psql has connected as the role it changes.

    >>> args = set_password_args("app", "app")
    >>> args[:2], "$POSTGRES_PASSWORD" in args[2], "ALTER ROLE CURRENT_USER" in args[2]
    (['sh', '-c'], True, True)
    """
    sql = "ALTER ROLE CURRENT_USER PASSWORD :'password';"
    psql = (
        'psql -X -q -v ON_ERROR_STOP=1 -v password="$POSTGRES_PASSWORD" '
        f"-h /var/run/postgresql -U {user} -d {database}"
    )
    return ["sh", "-c", f'echo "{sql}" | {psql}']


def ensure(
    engine: Engine,
    image: str,
    user: str,
    database: str,
    until_ready: Callable[[Container], bool],
) -> str:
    """The copy's tag for ``image``, made first when absent (initdb, a clean stop, a commit).

    ``until_ready(container)`` waits until the first server accepts clients (False: it did
    not). Two sessions making the same copy at once both succeed; the later tag wins.
    """
    source_id = engine.image_id(image)
    if source_id is None:
        raise EnvironmentMissing(f"image {image} is not present locally")
    tag = template_tag(source_id, user, database)
    if engine.image_present(tag):
        return tag
    env = {
        "POSTGRES_USER": Secret(user),
        "POSTGRES_DB": Secret(database),
        "POSTGRES_PASSWORD": Secret(secrets.token_hex(16)),  # forgotten: sessions set theirs
        "POSTGRES_INITDB_ARGS": Secret(THROWAWAY_INITDB_ARGS),
        "PGDATA": Secret(TEMPLATE_PGDATA),
    }
    container = engine.run(image, command=list(THROWAWAY_POSTGRES), env=env)
    try:
        if not until_ready(container):
            raise EnvironmentMissing(
                f"{image} did not become ready while h2c initialised a copy of it:\n"
                + log_tail(container.logs())
            )
        container.stop(30)  # a fast shutdown: the cluster is consistent on disk
        # every variable the run set is named, so the engine does not carry its value over
        kept = {"PGDATA": TEMPLATE_PGDATA, "POSTGRES_USER": user, "POSTGRES_DB": database}
        cleared = {"POSTGRES_PASSWORD": "", "POSTGRES_INITDB_ARGS": ""}
        labels = {SOURCE_LABEL: source_id, NAME_LABEL: image}
        container.commit(tag, env={**kept, **cleared}, user=RUN_AS, labels=labels)
    finally:
        container.remove()
    remove_stale(engine, image, keep=engine.image_id(tag))
    return tag


def remove_stale(engine: Engine, image: str, keep: str | None) -> list[str]:
    """Remove every copy of ``image`` but ``keep`` (an image id); returns the ids removed.

    The others were made from an earlier ``image`` (rebuilt or pulled again since) and hold its
    layers on the disk, or lost their tag to a copy another session made at the same moment.
    One still in use by a running gate is left.
    """
    others = [found for found in engine.find_images({NAME_LABEL: image}) if found != keep]
    return [found for found in others if engine.remove_unused_image(found)]
