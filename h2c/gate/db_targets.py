"""Which databases the gate compares, and how to ask the app whether migrations are pending.

Pure functions: the source (a ``postgres://`` URL or a dump file) and the target (a URL) come
from the command line (``--h2c-source``, ``--h2c-target``, ``--h2c-checksums``) or from h2c.toml
``[database] source / target / checksums``; the command line wins key by key. A value may
name an environment variable (``$HEROKU_DATABASE_URL``) so no password has to sit in h2c.toml.
URLs hold passwords: everything shown to a user goes through ``h2c.db.conn.mask``-style
masking (``DbTargets.__repr__`` included).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from h2c.artifacts.h2c_toml import DatabaseSettings
from h2c.db.conn import mask, url_problem
from h2c.errors import InputError, Location

_ENV_REF = re.compile(r"^\$(?:\{(?P<braced>\w+)\}|(?P<plain>\w+))$")
SKIPPED_SCHEMAS = frozenset({"heroku_ext", "pg_catalog", "information_schema"})
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def is_url(value: str) -> bool:
    """A postgres URL, as opposed to a dump file path.

    >>> is_url("postgres://u:p@h/db"), is_url("postgresql://h/db"), is_url("latest.dump")
    (True, True, False)
    """
    return value.startswith(("postgres://", "postgresql://"))


def url_host(url: str) -> str:
    """The host part of a postgres URL.

    >>> url_host("postgresql://u:p@127.0.0.1:5432/db"), url_host("postgres://db.internal/x")
    ('127.0.0.1', 'db.internal')
    """
    rest = url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    if rest.startswith("["):
        return rest[: rest.index("]") + 1]
    return rest.split(":", 1)[0]


def expand(value: str, environ: Mapping[str, str], *, what: str | Location) -> str:
    """``$NAME`` / ``${NAME}`` -> that environment variable; anything else unchanged.

    >>> expand("$DB", {"DB": "postgres://h/x"}, what="--h2c-source")
    'postgres://h/x'
    >>> expand("$NOPE", {}, what="--h2c-source")
    Traceback (most recent call last):
    h2c.errors.InputError: --h2c-source: environment variable NOPE is not set
    """
    ref = _ENV_REF.match(value.strip())
    if not ref:
        return value.strip()
    name = ref["braced"] or ref["plain"]
    if name not in environ or not environ[name]:
        raise InputError(what, f"environment variable {name} is not set")
    return environ[name]


@dataclass(frozen=True)
class DbTargets:
    """What the database checks compare; ``source_file`` is set when the source is a dump."""

    source_url: str | None
    source_file: Path | None
    target_url: str | None
    checksums: bool
    origin: str  # where the settings came from, for the report header

    def __repr__(self) -> str:
        return f"DbTargets({self.describe()})"

    @property
    def configured(self) -> bool:
        return bool(self.source_url or self.source_file or self.target_url)

    @property
    def missing(self) -> str | None:
        """What is still needed when only one side is configured."""
        if not self.configured:
            return None
        if not (self.source_url or self.source_file):
            return "no source database: pass --h2c-source URL|FILE or set [database] source"
        if not self.target_url:
            return "no target database: pass --h2c-target URL or set [database] target"
        return None

    def describe(self) -> str:
        """One masked line: ``source ... -> target ...``."""
        source = str(self.source_file) if self.source_file else mask(self.source_url or "?")
        kind = "dump file" if self.source_file else "URL"
        line = f"source ({kind}) {source} -> target {mask(self.target_url or '?')}"
        return line + (", with checksums" if self.checksums else "") + f" [{self.origin}]"


def resolve(
    *,
    source: str | None,
    target: str | None,
    checksums: bool | None,
    toml: DatabaseSettings | None,
    toml_file: Path | None,
    environ: Mapping[str, str] | None = None,
) -> DbTargets:
    """Merge the options over h2c.toml; a dump path in h2c.toml is relative to its folder.

    >>> t = resolve(source="$S", target="postgres://u:pw@127.0.0.1/t", checksums=None,
    ...             toml=None, toml_file=None, environ={"S": "postgres://u:pw@h/s"})
    >>> t.source_url, t.checksums, t.describe()
    ('postgres://u:pw@h/s', False, 'source (URL) postgres://u:********@h/s -> target \
postgres://u:********@127.0.0.1/t [options]')
    """
    env = os.environ if environ is None else environ
    toml = toml or DatabaseSettings()
    where = str(toml_file) if toml_file else "h2c.toml"
    picked: dict[str, tuple[str, str | Location, Path]] = {}
    for key, option, from_toml in (
        ("source", source, toml.source),
        ("target", target, toml.target),
    ):
        if option:
            picked[key] = (option, f"--h2c-{key}", Path.cwd())
        elif from_toml:
            base = toml_file.parent if toml_file else Path.cwd()
            picked[key] = (from_toml, f"{where}: [database] {key}", base)
    origins = sorted(
        {"options" if str(w).startswith("--") else "h2c.toml" for _, w, _ in picked.values()}
    )
    src_url = src_file = tgt_url = None
    if "source" in picked:
        raw, what, base = picked["source"]
        value = expand(raw, env, what=what)
        if is_url(value):
            src_url = value
        elif "://" in value or "=" in value:  # meant as a connection string: never echo it
            raise InputError(
                what, url_problem(value) or "the source must be a postgres:// URL or a dump file"
            )
        else:
            path = (base / value).resolve()
            if not path.is_file():
                raise InputError(what, f"no such dump file: {path}")
            src_file = path
    if "target" in picked:
        raw, what, _ = picked["target"]
        tgt_url = expand(raw, env, what=what)
        if not is_url(tgt_url):
            raise InputError(what, f"the target must be a postgres:// URL, got {mask(tgt_url)!r}")
    return DbTargets(
        src_url,
        src_file,
        tgt_url,
        bool(checksums) or toml.checksums,
        "+".join(origins) or "none",
    )


def dump_inventory(entries: Iterable[tuple[str, str, str]]) -> tuple[list[str], list[str]]:
    """Tables and sequences (``schema.name``) listed in a dump's TOC: ``(desc, schema, name)``.

    >>> dump_inventory([("TABLE", "public", "users"), ("SEQUENCE", "public", "users_id_seq"),
    ...                 ("TABLE DATA", "public", "users"), ("TABLE", "heroku_ext", "x")])
    (['public.users'], ['public.users_id_seq'])
    """
    tables, sequences = set(), set()
    for desc, schema, name in entries:
        if schema in SKIPPED_SCHEMAS:
            continue
        if desc == "TABLE":
            tables.add(f"{schema}.{name}")
        elif desc == "SEQUENCE":
            sequences.add(f"{schema}.{name}")
    return sorted(tables), sorted(sequences)


# --- migration status -------------------------------------------------------------------------

# Alembic before 1.17.1 has no --check-heads (argparse exits 2): compare current with heads.


def needs_host_network(target_url: str) -> bool:
    """A target on the host's loopback is reachable only from the host's network namespace.

    >>> needs_host_network("postgresql://u:p@localhost:5/db")
    True
    >>> needs_host_network("postgres://u:p@db.example:5432/db")
    False
    """
    return url_host(target_url) in LOCAL_HOSTS
