"""The gate's initialised postgres copy: made once, no password kept, each session's own password.

The copy is made under a user name of this test's, so it is new here and removed afterwards.
A client container on the same private network tries the session's password and a wrong one:
the copy must accept only the first, as a freshly initialised postgres would.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from h2c.adapters.docker import Engine
from h2c.gate import pgtemplate, resources, services
from h2c.secret import Secret
from h2c.standins import build as standins

pytestmark = pytest.mark.docker
IMAGE = "postgres:17"


def _ready(container: object) -> bool:
    return resources.wait_accepting(container, resources.ready_args("postgres"), 90)


@pytest.fixture
def made(engine: Engine) -> Iterator[tuple[str, str]]:
    """(user, tag): a copy for a user name no other run uses; removed afterwards."""
    standins.ensure([IMAGE])
    user = f"t{secrets.token_hex(4)}"
    tag = pgtemplate.ensure(engine, IMAGE, user, "app", _ready)
    yield user, tag
    engine.remove_image(tag)


def test_made_once_per_source_image(engine: Engine, made: tuple[str, str]) -> None:
    user, tag = made
    first = engine.image_id(tag)
    assert pgtemplate.ensure(engine, IMAGE, user, "app", _ready) == tag
    assert engine.image_id(tag) == first, "the copy was made again though it existed"
    assert tag == pgtemplate.template_tag(str(engine.image_id(IMAGE)), user, "app")


def test_copy_keeps_no_password_and_belongs_to_no_session(
    engine: Engine, made: tuple[str, str]
) -> None:
    _, tag = made
    attrs = engine.client.images.get(tag).attrs
    env = dict(item.partition("=")[::2] for item in attrs["Config"]["Env"])
    assert env["POSTGRES_PASSWORD"] == "", "the initialising password was kept in the copy"
    assert env["PGDATA"] == pgtemplate.TEMPLATE_PGDATA
    assert attrs["Config"]["User"] == pgtemplate.RUN_AS
    labels = attrs["Config"]["Labels"]
    assert labels[pgtemplate.SOURCE_LABEL] == engine.image_id(IMAGE)
    assert labels["dev.h2c.session"] == "", "session clean-up would treat the copy as its own"


def test_session_password_is_the_only_one_accepted(engine: Engine, made: tuple[str, str]) -> None:
    user, tag = made
    password = secrets.token_hex(16)
    with engine.network("pgtemplate") as network:
        server = engine.run(
            tag,
            command=list(pgtemplate.THROWAWAY_POSTGRES),
            env={"POSTGRES_PASSWORD": Secret(password)},
            network=network,
            aliases=["database"],
            user=pgtemplate.RUN_AS,
        )
        ready = resources.wait_accepting(server, pgtemplate.set_password_args(user, "app"), 90)
        assert ready, server.logs()

        target = ["-h", "database", "-U", user, "-d", "app"]

        def connects(secret: str) -> bool:
            client = engine.run(
                IMAGE,
                command=["psql", "-X", "-tAc", "select current_user", *target],
                env={"PGPASSWORD": Secret(secret), "PGCONNECT_TIMEOUT": "10"},
                network=network,
            )
            try:
                assert services.wait_exit(client, 30), "psql did not end"
                return client.exit_code() == 0 and user in client.logs()
            finally:
                client.remove()

        try:
            assert connects(password), "the session's password was refused"
            assert not connects(secrets.token_hex(16)), "a wrong password was accepted"
            raw = engine.client.containers.get(server.id).logs().decode()  # unmasked
            assert password not in raw, "the session's password is in the server's log"
        finally:
            server.remove()


def test_copy_of_an_earlier_image_is_removed(engine: Engine, tmp_path: Path) -> None:
    """A rebuilt (or pulled again) source image gets a new copy; the old copy goes, or it
    would keep the old image's layers on the disk for good."""
    standins.ensure([IMAGE])
    source = f"h2c-test/pgtemplate-{engine.session_id}:latest"
    copies = []
    try:
        for revision in ("1", "2"):
            (tmp_path / "Dockerfile").write_text(f"FROM {IMAGE}\nLABEL revision={revision}\n")
            engine.build(tmp_path, tag=source)
            copies.append(pgtemplate.ensure(engine, source, "app", "app", _ready))
        assert copies[0] != copies[1]
        assert engine.image_present(copies[1])
        assert not engine.image_present(copies[0]), "the copy of the earlier image was kept"
    finally:
        for tag in (*copies, source):
            engine.remove_image(tag)
