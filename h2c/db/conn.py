"""psycopg2 connections and DSN handling: the only place that opens a database session.

The source is always opened read-only, so no bug in h2c can write to a Heroku database; both
sides get the same ``TimeZone``, ``DateStyle`` and ``extra_float_digits`` so ``row::text``
(which checksums hash) renders identically on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg2
import psycopg2.extensions

from h2c.errors import InputError

SESSION_SETTINGS = {"TimeZone": "UTC", "DateStyle": "ISO, MDY", "extra_float_digits": "3"}

# Schemas whose tables are not the app's data: catalogs, toast, and Heroku's extension schema.
SYSTEM_SCHEMA_FILTER = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema', 'heroku_ext') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
)

_URL_PASSWORD = re.compile(r"(?P<head>postgres(?:ql)?://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<tail>@)")


def mask(text: str) -> str:
    """Hide the password of every postgres URL in ``text``.

    >>> mask("cannot reach postgresql://app:s3cret@db:5432/app")
    'cannot reach postgresql://app:********@db:5432/app'
    >>> mask("postgres://app@db/app")
    'postgres://app@db/app'
    """
    return _URL_PASSWORD.sub(lambda m: m["head"] + "********" + m["tail"], text)


def check_url(dsn: str, what: str) -> str:
    """Reject anything that is not a postgres URL (exit 2), naming the option, not the secret."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgres", "postgresql") or not parts.hostname:
        raise InputError(what, f"expected a postgres:// URL, got {mask(dsn)!r}")
    return dsn


def split_password(dsn: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (for PGPASSWORD, never argv).

    >>> split_password("postgresql://u:p%40ss@h:5/db?sslmode=require")
    ('postgresql://u@h:5/db?sslmode=require', 'p@ss')
    """
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn, None
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    clean = urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))
    return clean, unquote(parts.password)


def database_name(dsn: str) -> str:
    """The database part of a URL.

    >>> database_name("postgresql://u:p@h/app")
    'app'
    """
    return unquote(urlsplit(dsn).path.lstrip("/"))


def connect(dsn: str, *, readonly: bool) -> psycopg2.extensions.connection:
    """A session with the shared settings; ``readonly`` makes every transaction read-only."""
    try:
        conn = psycopg2.connect(dsn, application_name="h2c")
    except psycopg2.OperationalError as error:
        raise InputError(mask(dsn), f"cannot connect: {mask(str(error)).strip()}") from None
    conn.autocommit = True  # the settings in one round trip, no BEGIN/COMMIT around them
    with conn.cursor() as cur:
        calls = ", ".join(["set_config(%s, %s, false)"] * len(SESSION_SETTINGS))
        cur.execute(f"SELECT {calls}", [x for item in SESSION_SETTINGS.items() for x in item])
    conn.set_session(readonly=readonly, autocommit=False)
    return conn


@contextmanager
def session(dsn: str, *, readonly: bool) -> Iterator[psycopg2.extensions.connection]:
    """``connect`` as a context manager that always closes."""
    conn = connect(dsn, readonly=readonly)
    try:
        yield conn
    finally:
        conn.close()


def quote_ident(name: str) -> str:
    """Quote one identifier for SQL.

    >>> quote_ident('users'), quote_ident('Odd"Name')
    ('"users"', '"Odd""Name"')
    """
    return '"' + name.replace('"', '""') + '"'


def qualified(table: str) -> str:
    """``schema.table`` (as h2c names tables) as a quoted SQL name.

    >>> qualified("public.users")
    '"public"."users"'
    """
    schema, _, name = table.partition(".")
    return f"{quote_ident(schema)}.{quote_ident(name)}"
