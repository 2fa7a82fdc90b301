"""psycopg2 connections and DSN handling: the only place that opens a database session.

The source is always opened read-only, so no bug in h2c can write to a Heroku database; both
sides get the same ``TimeZone``, ``DateStyle`` and ``extra_float_digits`` so ``row::text``
(which checksums hash) renders identically on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from h2c.errors import InputError
from h2c.secret import MASK, mask_values

TYPE_CHECKING = False  # no run-time typing import (CLI start-up)
if TYPE_CHECKING:
    from typing import Any

    import psycopg2.extensions

SESSION_SETTINGS = {"TimeZone": "UTC", "DateStyle": "ISO, MDY", "extra_float_digits": "3"}

# The password of any ``scheme://user:password@host`` URL: up to the last ``@`` before the host
# (a password may hold a raw ``@``), any scheme and case (messages also quote mistyped URLs).
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<pw>\S*?)(?P<tail>@)(?=[^\s@]*(?:[\s/?#]|$))",
    re.IGNORECASE,
)
# ``password=...`` in a URL query or a key=value conninfo string (quoted or not).
_KEY_PASSWORD = re.compile(
    r"(?P<head>\b(?:pg)?password\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|[^\s&'\"]+)", re.IGNORECASE
)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def mask(text: str, *secrets: str | None) -> str:
    """Hide the password of every URL and ``password=`` in ``text``, and each given secret.

    >>> mask("cannot reach postgresql://app:s3cret@db:5432/app")
    'cannot reach postgresql://app:********@db:5432/app'
    >>> mask("postgres://app@db/app")
    'postgres://app@db/app'
    >>> mask("mysql://u:p@ss@h/db?password=x&sslmode=require host=h password='a b'")
    'mysql://u:********@h/db?password=********&sslmode=require host=h password=********'
    >>> mask('token "s3cret" is bad', "s3cret")
    'token "********" is bad'
    """
    text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK + m["tail"], text)
    text = _KEY_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    forms = {form for s in secrets if s for form in (s, quote(s, safe=""), quote(s))}
    return mask_values(text, forms, min_length=1)  # a password is hidden whatever its length


def url_problem(dsn: str) -> str | None:
    """Why libpq would misread ``dsn`` (so its error could quote a password), or None.

    The answer never holds the value itself.

    >>> url_problem("postgres://u:p%40ss@h:5432/db?sslmode=require") is None
    True
    >>> url_problem("mysql://u:pw@h/db")
    'expected a postgres:// URL, got a mysql:// URL'
    >>> url_problem("postgresql://u:p@ss@h/db")
    "the user or password holds a raw '@': percent-encode it as %40"
    >>> url_problem("postgresql://u:50%off@h/db")
    "a '%' that starts no %XX escape: percent-encode '%' itself as %25"
    """
    scheme = _SCHEME.match(dsn)
    if scheme is None:
        kind = "a key=value connection string" if "=" in dsn else "something else"
        return f"expected a postgres:// URL (postgres://USER:PASSWORD@HOST:PORT/DB), got {kind}"
    if scheme[1].lower() not in ("postgres", "postgresql"):
        return f"expected a postgres:// URL, got a {scheme[1]}:// URL"
    if scheme[1] not in ("postgres", "postgresql"):
        return "the scheme must be lowercase: postgres:// or postgresql://"
    parts = urlsplit(dsn)
    rest = dsn[len(scheme[0]) + len(parts.netloc) :]
    if parts.netloc.count("@") > 1:
        return "the user or password holds a raw '@': percent-encode it as %40"
    if "@" not in parts.netloc and "@" in rest:
        return (
            "an '@' after the host: percent-encode '/', '?', '#' and '@' in the password "
            "(%2F, %3F, %23, %40)"
        )
    if _BAD_ESCAPE.search(dsn):
        return "a '%' that starts no %XX escape: percent-encode '%' itself as %25"
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return "the port is not a number (a ':' in the password must be written %3A)"
    if not parts.hostname:
        return "no host: expected postgres://USER:PASSWORD@HOST:PORT/DB"
    return None


def check_url(dsn: str, what: str) -> str:
    """Reject anything libpq would misread (exit 2), naming the option, never the value."""
    problem = url_problem(dsn)
    if problem:
        raise InputError(what, problem)
    return dsn


def split_password(dsn: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (for PGPASSWORD, never argv).

    A ``?password=`` query parameter wins over the user part, as it does in libpq.

    >>> split_password("postgresql://u:p%40ss@h:5/db?sslmode=require")
    ('postgresql://u@h:5/db?sslmode=require', 'p@ss')
    >>> split_password("postgresql://u:a@h/db?password=b%21&options=-c%20x%3Dy+z")
    ('postgresql://u@h/db?options=-c%20x%3Dy+z', 'b!')
    """
    parts = urlsplit(dsn)
    password = None if parts.password is None else unquote(parts.password)
    # the query as libpq reads it: `&`-separated, %-escapes only (a `+` stays a `+`)
    items = [item for item in parts.query.split("&") if item]
    in_query = [i for i in items if unquote(i.partition("=")[0]) == "password"]
    if in_query:
        password = unquote(in_query[-1].partition("=")[2])
        parts = parts._replace(query="&".join(i for i in items if i not in in_query))
    if parts.password is not None:
        netloc = parts.netloc.rsplit("@", 1)[1]
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{netloc}" if user else netloc)
    return urlunsplit(parts) if password is not None else dsn, password


def database_name(dsn: str) -> str:
    """The database part of a URL.

    >>> database_name("postgresql://u:p@h/app")
    'app'
    """
    return unquote(urlsplit(dsn).path.lstrip("/"))


def connect(dsn: str, *, readonly: bool) -> psycopg2.extensions.connection:
    """A session with the shared settings; ``readonly`` makes every transaction read-only."""
    import psycopg2  # here, not at the top: `h2c db restore` starts pg_restore meanwhile

    problem = url_problem(dsn)
    if problem:  # libpq's own message would quote the part it misread: say why instead
        raise InputError("database URL", problem)
    try:
        conn = psycopg2.connect(dsn, application_name="h2c")
    except psycopg2.Error as error:
        password = split_password(dsn)[1]
        detail = mask(str(error), password).strip()
        raise InputError(mask(dsn, password), f"cannot connect: {detail}") from None
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


def scalar(cur: psycopg2.extensions.cursor) -> Any:
    """The one value of a query that returns one row (``count(*)``, a function call)."""
    row = cur.fetchone()
    if row is None:
        raise LookupError("the query returned no row")
    return row[0]


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
