"""The gate's per-app settings, h2c.toml: written once by h2c, then owned by the user.

``render_h2c_toml`` writes it from the plan; ``load_gate_config`` parses the user's copy
(pure: text in, a GateConfig out, InputError with a line on anything wrong).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from h2c.errors import InputError, Location
from h2c.plan.naming import ENV_KEY_RE as _KEY_RE
from h2c.plan.planner import HEALTH_PATH, WEB_PORT
from h2c.verdicts.envparity import Exceptions

SETTLE_SECONDS = 5


@dataclass(frozen=True)
class ExpectChanged:
    key: str
    reason: str


@dataclass(frozen=True)
class GateConfig:
    app_name: str
    web_service: str = "web"
    port: int = WEB_PORT
    health_path: str = HEALTH_PATH
    smoke_paths: tuple[str, ...] = ("/",)
    settle_seconds: float = SETTLE_SECONDS
    migration_status: str | None = None  # exits non-zero when migrations are pending
    release: str | None = None
    env_ignore: tuple[str, ...] = ()
    expect_changed: tuple[ExpectChanged, ...] = ()


def load_toml(text: str, *, file: str) -> dict[str, Any]:
    """Parse h2c.toml; bad TOML is an InputError at the line tomllib names."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            Location(file, int(m[1]) if m else None), f"not valid TOML: {exc}"
        ) from None


def load_gate_config(text: str, *, file: str) -> GateConfig:
    """Parse h2c.toml; InputError (with a line where possible) on bad TOML or wrong types.

    >>> load_gate_config('[app]\\nname = "shop"\\n[web]\\nport = 8000\\n', file="h2c.toml").port
    8000
    >>> load_gate_config('[web]\\nport = "x"\\n', file="h2c.toml")
    Traceback (most recent call last):
    h2c.errors.InputError: h2c.toml:2: [web] port must be an integer, not 'x'
    """
    reader = _Reader(text, file, load_toml(text, file=file))
    ignore = []
    for i, item in enumerate(reader.get("env", "ignore", list, [])):
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            ignore.append(item["key"])
        elif isinstance(item, str):
            ignore.append(item)  # envsources rejects it with exit 2: an exception needs a reason
        else:
            reader.fail("env", "ignore", f"entry {i} must be {{ key = ..., reason = ... }}")
    changed = []
    for i, item in enumerate(reader.get("env", "expect_changed", list, [])):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            reader.fail("env", "expect_changed", f"entry {i} must be {{ key = ..., reason = ... }}")
        changed.append(ExpectChanged(item["key"], str(item.get("reason", ""))))
    return GateConfig(
        app_name=reader.get("app", "name", str, ""),
        web_service=reader.get("web", "service", str, "web"),
        port=reader.get("web", "port", int, WEB_PORT),
        health_path=reader.get("web", "health_path", str, HEALTH_PATH),
        smoke_paths=tuple(reader.strings("web", "smoke_paths", ["/"])),
        settle_seconds=float(reader.get("web", "settle_seconds", (int, float), SETTLE_SECONDS)),
        migration_status=reader.get("database", "migration_status", str, None),
        release=reader.get("database", "release", str, None),
        env_ignore=tuple(ignore),
        expect_changed=tuple(changed),
    )


class _Reader:
    """Typed access to one parsed h2c.toml, failing with the offending line."""

    def __init__(self, text: str, file: str, doc: dict[str, Any]) -> None:
        self.text, self.file, self.doc = text, file, doc

    def get(self, section: str, key: str, kind: Any, default: Any) -> Any:
        table = self.doc.get(section, {})
        if not isinstance(table, dict):
            self.fail(section, None, "must be a table")
        if key not in table:
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            names = {str: "a string", int: "an integer", list: "an array"}
            want = names.get(kind, "a number") if not isinstance(kind, tuple) else "a number"
            self.fail(section, key, f"must be {want}, not {value!r}")
        return value

    def strings(self, section: str, key: str, default: list[str]) -> list[str]:
        values = self.get(section, key, list, default)
        if not all(isinstance(v, str) for v in values):
            self.fail(section, key, "must be an array of strings")
        return values

    def fail(self, section: str, key: str | None, message: str) -> None:
        line = toml_line(self.text, section, key)
        label = f"[{section}] {key}" if key else f"[{section}]"
        raise InputError(Location(self.file, line), f"{label} {message}")


def toml_line(text: str, section: str, key: str | None = None) -> int | None:
    """The line of ``key`` inside ``[section]`` (or of the section header), for messages.

    >>> toml_line('[app]\\nname = "x"\\n[env]\\nignore = []\\n', "env", "ignore")
    4
    """
    current = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header_match = re.match(r"^\[\s*([^\]]+?)\s*\]", line)
        if header_match:
            current = header_match[1]
            if key is None and current == section:
                return number
        elif current == section and key and re.match(rf"^{re.escape(key)}\s*=", line):
            return number
    return None


def parse_exceptions(text: str, *, file: str) -> Exceptions:
    """h2c.toml ``[env]``: ``ignore`` and ``expect_changed``, each ``{ key, reason }``.

    A missing or empty reason is bad input: an exception nobody can explain is a hole in the
    gate. (A bare string in ``ignore`` is such an exception.)

    >>> e = parse_exceptions('[env]\\nignore = [{ key = "A", reason = "unused" }]\\n', file="t")
    >>> dict(e.ignore), dict(e.expect_changed)
    ({'A': 'unused'}, {})
    """
    doc = load_toml(text, file=file)
    env = doc.get("env", {})
    if not isinstance(env, dict):
        raise InputError(Location(file, toml_line(text, "env")), "[env] must be a table")
    return Exceptions(
        ignore=_entries(env, "ignore", text, file),
        expect_changed=_entries(env, "expect_changed", text, file),
    )


def _entries(env: Mapping[str, Any], name: str, text: str, file: str) -> dict[str, str]:
    items = env.get(name, [])
    where = Location(file, toml_line(text, "env", name))
    if not isinstance(items, list):
        raise InputError(where, f"[env] {name} must be an array of {{ key = ..., reason = ... }}")
    result: dict[str, str] = {}
    for i, item in enumerate(items):
        if isinstance(item, str):
            raise InputError(
                where,
                f'[env] {name} entry {i} ({item}) has no reason: write {{ key = "{item}", '
                'reason = "why" }',
            )
        key = item.get("key") if isinstance(item, dict) else None
        reason = item.get("reason") if isinstance(item, dict) else None
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise InputError(where, f"[env] {name} entry {i} must have key = an env var name")
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(where, f"[env] {name} entry {i} ({key}) needs a non-empty reason")
        result[key] = reason.strip()
    return result
