"""Reading a custom-format dump without restoring it: the header, the TOC listing, the schema SQL.

Pure functions over bytes and text, so the pre-flight checks are unit-tested without a server.
Header layout (pg_backup_archiver.c ``ReadHead``): ``PGDMP``, version major/minor/revision
bytes, int size, offset size, format; then compression, creation time, and (since 1.10) the
server and pg_dump version strings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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


# --- the TOC and the data blocks, read from the file itself (pg_backup_archiver.c ReadToc,
# pg_backup_custom.c): a truncated or damaged dump is refused before anything is written ---

K_OFFSET_POS_NOT_SET, K_OFFSET_POS_SET, K_OFFSET_NO_DATA = 1, 2, 3
BLK_DATA, BLK_BLOBS = 1, 3
CHECKED_VERSIONS = ((1, 12), (1, 16))  # the layouts this reader knows (PostgreSQL 11 to 17)
FORMAT_CUSTOM = 1


class Damaged(ValueError):
    """The archive is truncated or damaged: its TOC or a data block ends early or is wrong."""


@dataclass(frozen=True)
class DataEntry:
    """A TOC entry with data in the file: its id, what it is, where its block starts."""

    dump_id: int
    desc: str
    tag: str
    state: int  # K_OFFSET_*
    offset: int


class _Reader:
    """ReadInt / ReadStr / ReadOffset over an open archive, bounded by the file's size."""

    def __init__(self, handle: BinaryIO, size: int, int_size: int, off_size: int) -> None:
        self.handle, self.size, self.int_size, self.off_size = handle, size, int_size, off_size

    def take(self, count: int) -> bytes:
        data = self.handle.read(count)
        if len(data) != count:
            raise Damaged("the file ends early")
        return data

    def read_int(self) -> int:
        raw = self.take(1 + self.int_size)
        value = int.from_bytes(raw[1:], "little")
        return -value if raw[0] else value

    def read_str(self) -> str | None:
        length = self.read_int()
        if length < 0:
            return None
        if length > self.size:
            raise Damaged(f"a string of {length} bytes in a file of {self.size}")
        return self.take(length).decode("utf-8", "replace")

    def offset(self) -> tuple[int, int]:
        raw = self.take(1 + self.off_size)
        if raw[0] not in (K_OFFSET_POS_NOT_SET, K_OFFSET_POS_SET, K_OFFSET_NO_DATA):
            raise Damaged(f"unexpected data offset flag {raw[0]}")
        return raw[0], int.from_bytes(raw[1:], "little")


def _skip_header(reader: _Reader, version: tuple[int, int, int]) -> None:
    reader.take(11)  # magic, version, int size, offset size, format
    if version >= (1, 15):
        reader.take(1)
    else:
        reader.read_int()
    for _ in range(7):
        reader.read_int()  # creation time
    for _ in range(3):  # database name, server version, pg_dump version
        reader.read_str()


def read_data_entries(handle: BinaryIO, size: int) -> tuple[list[DataEntry], int, _Reader] | None:
    """The TOC entries of a custom-format archive that have data, and where the TOC ends.

    None for a layout this reader does not know (another format, a version outside
    ``CHECKED_VERSIONS``): pg_restore alone judges those. Raises Damaged.
    """
    head = handle.read(11)
    if len(head) < 11 or not head.startswith(MAGIC):
        return None
    version, int_size, off_size, fmt = (head[5], head[6], head[7]), head[8], head[9], head[10]
    low, high = CHECKED_VERSIONS
    if fmt != FORMAT_CUSTOM or not low <= version[:2] <= high or not 0 < int_size <= 8:
        return None
    handle.seek(0)
    reader = _Reader(handle, size, int_size, off_size)
    _skip_header(reader, version)
    count = reader.read_int()
    if not 0 <= count <= size:
        raise Damaged(f"a table of contents of {count} entries")
    entries = []
    for _ in range(count):
        dump_id = reader.read_int()
        reader.read_int()  # hadDumper
        reader.read_str(), reader.read_str()  # tableoid, oid
        tag, desc = reader.read_str() or "", reader.read_str() or ""
        reader.read_int()  # section
        for _ in range(6):  # defn, dropStmt, copyStmt, namespace, tablespace, tableam
            reader.read_str()
        if version >= (1, 16):
            reader.read_int()  # relkind
        reader.read_str(), reader.read_str()  # owner, withOids
        while reader.read_str() is not None:  # dependencies, ended by a NULL string
            pass
        state, offset = reader.offset()
        if state != K_OFFSET_NO_DATA:
            entries.append(DataEntry(dump_id, desc, tag, state, offset))
    return entries, handle.tell(), reader


def _walk_block(reader: _Reader, entry: DataEntry) -> None:
    """Read one data block from its start to its end marker, skipping the data itself."""
    kind, dump_id = reader.take(1)[0], reader.read_int()
    if kind not in (BLK_DATA, BLK_BLOBS) or dump_id != entry.dump_id:
        raise Damaged(f"no data block for {entry.desc} {entry.tag} where the TOC says")
    while True:
        if kind == BLK_BLOBS and reader.read_int() == 0:  # each large object: its oid, then chunks
            return
        while (length := reader.read_int()) != 0:
            if length < 0 or reader.handle.seek(length, 1) > reader.size:
                raise Damaged(f"the data of {entry.desc} {entry.tag} ends past the end of the file")
        if kind == BLK_DATA:
            return


def check_data(path: str | Path) -> None:
    """Refuse (Damaged) a custom-format dump whose TOC or data blocks the file does not hold.

    ``pg_restore -l`` reads only the TOC, so a truncated file passes it and then fails midway
    through a restore. Here every data offset must lie inside the file and start the block the
    TOC names, and the last block must end inside it; without offsets (a dump written to a
    pipe) every block is walked in order.
    """
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        try:
            found = read_data_entries(handle, size)
            if found is None:
                return
            entries, toc_end, reader = found
            if not all(e.state == K_OFFSET_POS_SET for e in entries):
                handle.seek(toc_end)
                for entry in entries:
                    _walk_block(reader, entry)
                return
            last = max(entries, key=lambda e: e.offset, default=None)
            for entry in entries:
                if not toc_end <= entry.offset < size:
                    raise Damaged(
                        f"the data of {entry.desc} {entry.tag} starts at byte {entry.offset}, "
                        "past the end of the file"
                    )
                handle.seek(entry.offset)
                if entry is last:
                    _walk_block(reader, entry)
                elif reader.take(1)[0] not in (BLK_DATA, BLK_BLOBS) or (
                    reader.read_int() != entry.dump_id
                ):
                    raise Damaged(f"no data block for {entry.desc} {entry.tag} where the TOC says")
        except Damaged as error:
            raise Damaged(f"{error} (the file has {size} bytes)") from None
