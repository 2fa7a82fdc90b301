"""Reading a custom-format dump without restoring it: the header, the TOC listing, the schema SQL.

Pure functions over bytes and text, so the pre-flight checks are unit-tested without a server.
Header layout (pg_backup_archiver.c ``ReadHead``): ``PGDMP``, version major/minor/revision
bytes, int size, offset size, format; then compression, creation time, and (since 1.10) the
server and pg_dump version strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAGIC = b"PGDMP"

# The newest archive version each pg_restore major reads (K_VERS_MAX in its pg_backup_archiver.h).
MAX_ARCHIVE_VERSION = {
    10: (1, 13),
    11: (1, 13),
    12: (1, 14),
    13: (1, 14),
    14: (1, 14),
    15: (1, 14),
    16: (1, 15),
    17: (1, 16),
}


@dataclass(frozen=True)
class Header:
    """What the first bytes of a dump say about who made it."""

    version: tuple[int, int, int]
    format: int
    server_version: str | None = None
    dumped_by: str | None = None

    @property
    def archive_version(self) -> str:
        return "{}.{}".format(*self.version[:2])

    @property
    def dumped_by_major(self) -> int | None:
        match = re.match(r"(\d+)", self.dumped_by or "")
        return int(match[1]) if match else None


class NotADump(ValueError):
    """The bytes are not a custom-format pg_dump archive."""


def parse_header(data: bytes) -> Header:
    """Parse the start of a custom-format archive (the first 512 bytes are plenty).

    >>> parse_header(b"PGDMP\\x01\\x0e\\x00\\x04\\x08\\x01").version
    (1, 14, 0)
    >>> parse_header(b"-- plain SQL")
    Traceback (most recent call last):
    h2c.db.archive.NotADump: does not start with PGDMP
    """
    if not data.startswith(MAGIC):
        raise NotADump("does not start with PGDMP")
    if len(data) < 11:
        raise NotADump("header is truncated")
    version = (data[5], data[6], data[7])
    int_size, fmt = data[8], data[10]
    header = Header(version=version, format=fmt)
    try:
        pos = 11
        if version >= (1, 15):
            pos += 1  # compression algorithm byte
        elif version >= (1, 4):
            pos += 1 + int_size  # compression level as an int
        pos += 7 * (1 + int_size)  # creation time: sec min hour mday mon year isdst
        _dbname, pos = _read_str(data, pos, int_size)
        if version >= (1, 10):
            server, pos = _read_str(data, pos, int_size)
            dumped_by, pos = _read_str(data, pos, int_size)
            return Header(version, fmt, server, dumped_by)
    except (IndexError, UnicodeDecodeError, ValueError):
        pass  # an unknown future layout: the version bytes are still right
    return header


def _read_str(data: bytes, pos: int, int_size: int) -> tuple[str, int]:
    sign = data[pos]
    length = int.from_bytes(data[pos + 1 : pos + 1 + int_size], "little")
    pos += 1 + int_size
    if sign or length > 256:
        raise ValueError("not a string")
    return data[pos : pos + length].decode("utf-8"), pos + length


def newest_readable(pg_restore_major: int) -> tuple[int, int] | None:
    """The newest archive version a pg_restore major reads, or None if we cannot know.

    >>> newest_readable(15), newest_readable(99)
    ((1, 14), None)
    """
    return MAX_ARCHIVE_VERSION.get(pg_restore_major)


@dataclass(frozen=True)
class TocEntry:
    """One line of ``pg_restore -l``: ``215; 1259 16390 TABLE public users owner``."""

    dump_id: int
    desc: str
    schema: str
    name: str


# Descriptions are one or two upper-case words (TABLE DATA, SEQUENCE SET, FK CONSTRAINT, ...).
_TOC_LINE = re.compile(
    r"^(?P<id>\d+); \d+ \d+ (?P<desc>[A-Z]+(?: [A-Z]+)*) (?P<schema>\S+) (?P<rest>.*)$"
)


def parse_toc(listing: str) -> tuple[list[TocEntry], str | None]:
    """TOC entries and the "Dumped by pg_dump version" from ``pg_restore -l`` output.

    >>> entries, by = parse_toc(
    ...     ";     Dumped by pg_dump version: 15.18 (Debian)\\n"
    ...     "2; 3079 16441 EXTENSION - citext \\n"
    ...     "226; 1259 16675 TABLE public accounts h2c\\n")
    >>> by, [(e.desc, e.schema, e.name) for e in entries]
    ('15.18 (Debian)', [('EXTENSION', '-', 'citext'), ('TABLE', 'public', 'accounts')])
    """
    entries: list[TocEntry] = []
    dumped_by = None
    for line in listing.splitlines():
        if line.startswith(";"):
            if "Dumped by pg_dump version:" in line:
                dumped_by = line.split(":", 1)[1].strip()
            continue
        match = _TOC_LINE.match(line.rstrip("\r\n"))
        if match:
            name = match["rest"].rsplit(" ", 1)[0] if " " in match["rest"] else match["rest"]
            entries.append(TocEntry(int(match["id"]), match["desc"], match["schema"], name))
    return entries, dumped_by


# Types Heroku users commonly take from an extension, by type name -> extension name.
TYPE_EXTENSIONS = {
    "citext": "citext",
    "hstore": "hstore",
    "ltree": "ltree",
    "lquery": "ltree",
    "cube": "cube",
    "earth": "earthdistance",
    "geometry": "postgis",
    "geography": "postgis",
    "vector": "vector",
    "isbn": "isn",
    "ean13": "isn",
    "lo": "lo",
    "seg": "seg",
    "gtrgm": "pg_trgm",
    "uuid_generate_v4": "uuid-ossp",
    "uuid_generate_v1": "uuid-ossp",
    "gen_salt": "pgcrypto",
    "crypt": "pgcrypto",
    "digest": "pgcrypto",
    "unaccent": "unaccent",
}

_CREATE_EXTENSION = re.compile(
    r"CREATE EXTENSION IF NOT EXISTS (?P<name>\"[^\"]+\"|\S+)(?: WITH SCHEMA (?P<schema>\S+))?;"
)
_SCHEMA_REF = re.compile(r"\b(?P<schema>heroku_ext)\.\"?(?P<name>[a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class NeededExtension:
    """An extension the target needs before the restore, and the schema it must live in."""

    name: str
    schema: str | None


def needed_extensions(schema_sql_lines: list[str] | tuple[str, ...]) -> list[NeededExtension]:
    """Extensions a dump's schema SQL creates or uses from ``heroku_ext``, in first-seen order.

    >>> needed_extensions(["CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA heroku_ext;",
    ...                    "    attrs heroku_ext.hstore,", "    email heroku_ext.citext"])
    [NeededExtension(name='citext', schema='heroku_ext'), NeededExtension(name='hstore', \
schema='heroku_ext')]
    """
    found: dict[str, NeededExtension] = {}
    for line in schema_sql_lines:
        created = _CREATE_EXTENSION.search(line)
        if created:
            name = created["name"].strip('"')
            found.setdefault(name, NeededExtension(name, created["schema"]))
            continue
        for ref in _SCHEMA_REF.finditer(line):
            ext = TYPE_EXTENSIONS.get(ref["name"], ref["name"])
            found.setdefault(ext, NeededExtension(ext, ref["schema"]))
    return list(found.values())
