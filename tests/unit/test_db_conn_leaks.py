"""Database URLs h2c is given never come back in a message, a traceback or a child's argv.

Each case here leaked the password before ``h2c.db.conn`` learnt it (found by
tests/integration/test_canaries_db.py): a URL of another scheme, a key=value conninfo string,
``?password=``, a raw ``@`` or ``/`` or a stray ``%`` in the password, an uppercase scheme.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from h2c.db import conn, tools
from h2c.errors import InputError

PW = "CANARYpw0123456789abcdef"

MALFORMED = {
    "other scheme": f"mysql://app:{PW}@db.example.com/app",
    "postgis scheme": f"postgis://app:{PW}@127.0.0.1:5432/app",
    "uppercase scheme": f"POSTGRES://app:{PW}@127.0.0.1:5432/app",
    "key=value": f"host=127.0.0.1 port=5432 user=app password={PW} dbname=app",
    "query password, no host": f"postgresql:///app?host=127.0.0.1&password={PW}",
    "raw @ in password": f"postgresql://app:{PW[:6]}@{PW[6:]}@127.0.0.1:5432/app",
    "raw / in password": f"postgresql://app:{PW[:6]}/{PW[6:]}@127.0.0.1:5432/app",
    "stray % in password": f"postgresql://app:{PW}%zz@127.0.0.1:5432/app",
    "port not a number": f"postgresql://app:{PW}@127.0.0.1:{PW}/app",
}
# the gate treats a value that is not a postgres URL as a dump file path: these reach connect()
URL_SHAPED = {k: v for k, v in MALFORMED.items() if v.startswith(("postgres://", "postgresql://"))}


@pytest.mark.parametrize("dsn", MALFORMED.values(), ids=MALFORMED.keys())
def test_check_url_rejects_without_echoing_any_part_of_the_password(dsn: str) -> None:
    with pytest.raises(InputError) as caught:
        conn.check_url(dsn, "--from")
    message = str(caught.value)
    assert caught.value.exit_code == 2 and message.startswith("--from: ")
    for fragment in (PW, PW[:6], PW[6:]):
        assert fragment not in message


@pytest.mark.parametrize("dsn", URL_SHAPED.values(), ids=URL_SHAPED.keys())
def test_connect_refuses_a_misread_url_before_libpq_quotes_it(dsn: str) -> None:
    """The gate calls ``connect`` without ``check_url``: it must refuse the same URLs."""
    with pytest.raises(InputError) as caught:
        conn.connect(dsn, readonly=True)
    for fragment in (PW, PW[:6], PW[6:]):
        assert fragment not in str(caught.value)


def test_connect_masks_a_libpq_parse_error_that_quotes_the_password() -> None:
    """libpq rejects the option before connecting and quotes its value: no traceback, masked."""
    dsn = f"postgresql://app:{PW}@127.0.0.1:1/app?sslmode={PW}"
    with pytest.raises(InputError) as caught:
        conn.connect(dsn, readonly=True)
    assert "sslmode" in str(caught.value) and PW not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        f"failed: mysql://app:{PW}@h/db",
        f"failed: POSTGRES://app:{PW}@h/db",
        f"failed: postgresql://app:{PW[:6]}@{PW[6:]}@h:5432/db",
        f"failed: postgresql://app@h/db?sslmode=require&password={PW}",
        f"failed: host=h password={PW} dbname=x",
        f"failed: host=h password='{PW} x' dbname=x",
        f"'postgres://a:{PW}@h/x','postgres://b:{PW}@h/y'",
    ],
)
def test_mask_hides_every_form_of_password(text: str) -> None:
    masked = conn.mask(text)
    for fragment in (PW, PW[:6], PW[6:]):
        assert fragment not in masked
    assert "********" in masked


def test_mask_scrubs_a_known_secret_raw_and_percent_encoded() -> None:
    secret = "p@ss/w rd"
    masked = conn.mask('bad "p@ss/w rd" or p%40ss%2Fw%20rd', secret)
    assert masked == 'bad "********" or ********'


def test_query_password_goes_to_pgpassword_not_argv(tmp_path: Path) -> None:
    """A fake client tool prints its argv and PGPASSWORD's length to stderr."""
    script = tmp_path / "fake_pg_dump"
    script.write_text('#!/bin/sh\necho "argv: $*" >&2\necho "pw: $PGPASSWORD" >&2\nexit 1\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    tool = tools.Tool("pg_dump", str(script), "15.0")
    dsn = f"postgresql://app@127.0.0.1:5432/app?sslmode=disable&password={PW}"
    assert conn.split_password(dsn) == ("postgresql://app@127.0.0.1:5432/app?sslmode=disable", PW)
    ran = tools.run(tool, ["--format=custom"], dsn=dsn)
    assert ran.stderr_lines == (
        "argv: --format=custom --dbname=postgresql://app@127.0.0.1:5432/app?sslmode=disable",
        "pw: ********",  # PGPASSWORD was set, and a line echoing it is scrubbed
    )
