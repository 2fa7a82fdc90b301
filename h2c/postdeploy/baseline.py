"""The baseline ``h2c postdeploy --baseline`` compares with (pure): read, written, env digests.

A baseline is JSON, taken at cut-over by ``h2c db snapshot``::

    {"h2c_baseline": 1,
     "database": {"tables": {"public.users": {"rows": 12, "columns": {"id": "bigint"},
                                              "schema_digest": "sha256:..."}},
                  "sequences": {"public.users_id_seq": {"column": "public.users.id",
                                                        "last_value": 12}}},
     "env": {"release": "RABC", "salt": "<hex>", "keys": {"SECRET_KEY": "pbkdf2:..."}}}

No row data and no values: env values are kept as salted, slow digests (PBKDF2-SHA256 with a
salt of the file's own), so two baselines never share a digest and a value cannot be looked up.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from h2c.db.snapshot import DbSnapshot, TableShape, to_doc
from h2c.errors import InputError, Location
from h2c.secret import Secret

VERSION = 1
ITERATIONS = 20_000


@dataclass(frozen=True)
class EnvBaseline:
    release: str
    salt: str
    keys: dict[str, str]  # key -> digest

    def same(self, key: str, value: Secret) -> bool:
        """Whether ``value`` is the value ``key`` had."""
        return self.keys.get(key) == env_digest(value, self.salt)


@dataclass(frozen=True)
class Baseline:
    database: DbSnapshot | None = None
    env: EnvBaseline | None = None
    file: str = "baseline.json"


def env_digest(value: Secret, salt: str) -> str:
    """A salted PBKDF2-SHA256 digest of one value.

    >>> env_digest(Secret("x"), "00") == env_digest(Secret("x"), "00")
    True
    >>> env_digest(Secret("x"), "00") == env_digest(Secret("x"), "01")
    False
    """
    raw = hashlib.pbkdf2_hmac("sha256", value.reveal().encode(), bytes.fromhex(salt), ITERATIONS)
    return "pbkdf2:" + raw.hex()


def env_baseline(release: str, env: Mapping[str, Secret], salt: str | None = None) -> EnvBaseline:
    """The digests of an env (one release's), under a new salt unless given."""
    salt = salt or secrets.token_hex(16)
    return EnvBaseline(release, salt, {k: env_digest(v, salt) for k, v in sorted(env.items())})


def to_json(baseline: Baseline) -> str:
    doc: dict[str, Any] = {"h2c_baseline": VERSION}
    if baseline.database is not None:
        doc["database"] = to_doc(baseline.database)
    if baseline.env is not None:
        e = baseline.env
        doc["env"] = {"release": e.release, "salt": e.salt, "keys": e.keys}
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def read_baseline(text: str, *, file: str) -> Baseline:
    """Parse a baseline; InputError naming the file and the JSON pointer of a wrong shape.

    >>> b = read_baseline('{"h2c_baseline": 1, "database": {"tables": {"public.t": {"rows": 3,'
    ...     ' "columns": {"id": "integer"}, "schema_digest": "sha256:x"}}, "sequences": {}}}',
    ...     file="b.json")
    >>> b.database.tables["public.t"].rows, b.env
    (3, None)
    >>> read_baseline('{"h2c_baseline": 1, "database": {"tables": {"t": {"rows": "3"}}}}',
    ...               file="b.json")
    Traceback (most recent call last):
    h2c.errors.InputError: b.json at /database/tables/t/rows: must be a whole number
    """
    try:
        doc = json.loads(text)
    except ValueError as error:
        raise InputError(file, f"not JSON: {error}") from None
    if not isinstance(doc, dict) or doc.get("h2c_baseline") != VERSION:
        raise InputError(Location(file, pointer="/h2c_baseline"),
                         f"not an h2c baseline (expected h2c_baseline: {VERSION})")  # fmt: skip
    return Baseline(_database(doc.get("database"), file), _env(doc.get("env"), file), file)


def _need(ok: bool, file: str, pointer: str, what: str) -> None:
    if not ok:
        raise InputError(Location(file, pointer=pointer), what)


def _whole(value: Any, file: str, pointer: str) -> int:
    _need(isinstance(value, int) and not isinstance(value, bool), file, pointer,
          "must be a whole number")  # fmt: skip
    return int(value)


def _database(doc: Any, file: str) -> DbSnapshot | None:
    if doc is None:
        return None
    _need(isinstance(doc, dict), file, "/database", "must be an object")
    tables_doc, seq_doc = doc.get("tables", {}), doc.get("sequences", {})
    _need(isinstance(tables_doc, dict), file, "/database/tables", "must be an object")
    _need(isinstance(seq_doc, dict), file, "/database/sequences", "must be an object")
    tables = {}
    for name, t in tables_doc.items():
        where = f"/database/tables/{name}"
        _need(isinstance(t, dict), file, where, "must be an object")
        rows = _whole(t.get("rows"), file, where + "/rows")
        columns = t.get("columns", {})
        _need(isinstance(columns, dict) and all(isinstance(v, str) for v in columns.values()),
              file, where + "/columns", "must map column names to types")  # fmt: skip
        tables[str(name)] = TableShape(rows, dict(columns), str(t.get("schema_digest", "")))
    sequences = {}
    for name, s in seq_doc.items():
        where = f"/database/sequences/{name}"
        _need(isinstance(s, dict), file, where, "must be an object")
        last = _whole(s.get("last_value"), file, where + "/last_value")
        sequences[str(name)] = (str(s.get("column", "")), last)
    return DbSnapshot(tables, sequences)


def _env(doc: Any, file: str) -> EnvBaseline | None:
    if doc is None:
        return None
    _need(isinstance(doc, dict), file, "/env", "must be an object")
    keys, salt = doc.get("keys", {}), doc.get("salt")
    _need(isinstance(salt, str) and _is_hex(salt), file, "/env/salt", "must be hex")
    _need(isinstance(keys, dict) and all(isinstance(v, str) for v in keys.values()),
          file, "/env/keys", "must map keys to digests")  # fmt: skip
    return EnvBaseline(str(doc.get("release", "")), str(salt), dict(keys))


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return bool(text)
