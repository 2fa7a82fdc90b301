"""h2c.toml, the gate's per-app settings: written once by h2c, then owned by the user.

The one reader of it: text in, an ``H2cToml`` out (every section the gate and ``h2c env diff``
use), or an InputError naming the file, the line and what was expected. It is read once per
gate session, with the app's other artifacts (``h2c.artifacts.app.load_target``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from h2c.errors import InputError, Location
from h2c.plan.naming import ENV_KEY_RE
from h2c.plan.planner import HEALTH_PATH, WEB_PORT
from h2c.verdicts.envparity import Exceptions

SETTLE_SECONDS = 5
HEROKU_EXPORTS = ("config", "addons", "formation", "scheduler")
RELEASE_TIMEOUT_S = 300  # how long the gate lets the release run (Heroku's own limit: 1 h)
TABLE_RE = re.compile(r"^[^\s.]+(\.[^\s.]+)?$")  # table or schema.table, as snapshots name them


@dataclass(frozen=True)
class WebSettings:
    """``[web]``: the routed service, its port, and the paths the gate fetches."""

    service: str = "web"
    port: int = WEB_PORT
    health_path: str = HEALTH_PATH
    smoke_paths: tuple[str, ...] = ("/",)
    settle_seconds: float = SETTLE_SECONDS
    domain: str | None = None  # the Host the router delivers (default: Convox's domain shape)


@dataclass(frozen=True)
class DatabaseSettings:
    """``[database]``: what the database checks compare, and how to ask about migrations."""

    source: str | None = None
    target: str | None = None
    checksums: bool = False
    migration_status: str | None = None  # exits non-zero while migrations are pending
    release: str | None = None  # the Procfile release command, run once before promoting
    release_timeout: float = RELEASE_TIMEOUT_S  # seconds; a release still running then fails


@dataclass(frozen=True)
class HerokuSettings:
    """``[heroku]``: where ``h2c generate`` read the Heroku exports (paths, never values),
    relative to the app folder; the gate and ``h2c check`` use them when not told otherwise."""

    config: str | None = None
    addons: str | None = None
    formation: str | None = None
    scheduler: str | None = None

    def path(self, name: str, app_dir: Path) -> Path | None:
        """The export ``name`` (``config``, ``addons``, ...) as a path, when recorded.

        >>> HerokuSettings(config="config.txt").path("config", Path("/app"))
        PosixPath('/app/config.txt')
        """
        value: str | None = getattr(self, name)
        return (app_dir / value) if value else None


@dataclass(frozen=True)
class PostdeploySettings:
    """``[postdeploy]``: what ``h2c postdeploy`` allows against the cut-over baseline.

    ``row_tolerance``: schema-qualified table -> rows it may lose (``public.`` when unqualified),
    each entry with its reason (``{ table = "public.audit_log", rows = 500, reason = "pruned
    nightly" }``); a table not listed may lose none.
    """

    row_tolerance: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class H2cToml:
    file: str = "h2c.toml"
    web: WebSettings = field(default_factory=WebSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    env: Exceptions = field(default_factory=Exceptions)
    heroku: HerokuSettings = field(default_factory=HerokuSettings)
    postdeploy: PostdeploySettings = field(default_factory=PostdeploySettings)


def read_h2c_toml(text: str, *, file: str) -> H2cToml:
    """Parse h2c.toml; InputError (with a line where possible) on bad TOML or a wrong type.

    >>> read_h2c_toml('[app]\\nname = "shop"\\n[web]\\nport = 8000\\n', file="h2c.toml").web.port
    8000
    >>> read_h2c_toml('[heroku]\\nconfig = "config.txt"\\n', file="h2c.toml").heroku.config
    'config.txt'
    >>> toml = '[postdeploy]\\nrow_tolerance = [{table = "t", rows = 5, reason = "pruned"}]\\n'
    >>> read_h2c_toml(toml, file="h2c.toml").postdeploy.row_tolerance
    {'public.t': 5}
    >>> read_h2c_toml('[web]\\nport = "x"\\n', file="h2c.toml")
    Traceback (most recent call last):
    h2c.errors.InputError: h2c.toml:2: [web] port must be an integer, not 'x'
    """
    reader = _Reader(text, file, load_toml(text, file=file))
    web = WebSettings(
        service=reader.get("web", "service", str, "web"),
        port=reader.get("web", "port", int, WEB_PORT),
        health_path=reader.get("web", "health_path", str, HEALTH_PATH),
        smoke_paths=tuple(reader.strings("web", "smoke_paths", ["/"])),
        settle_seconds=float(reader.get("web", "settle_seconds", (int, float), SETTLE_SECONDS)),
        domain=reader.get("web", "domain", str, None),
    )
    database = DatabaseSettings(
        source=reader.get("database", "source", str, None),
        target=reader.get("database", "target", str, None),
        checksums=reader.get("database", "checksums", bool, False),
        migration_status=reader.get("database", "migration_status", str, None),
        release=reader.get("database", "release", str, None),
        release_timeout=float(
            reader.get("database", "release_timeout", (int, float), RELEASE_TIMEOUT_S)
        ),
    )
    if database.release_timeout <= 0:
        reader.fail("database", "release_timeout", "must be a positive number of seconds")
    env = Exceptions(
        ignore=reader.reasons("ignore"), expect_changed=reader.reasons("expect_changed")
    )
    heroku = HerokuSettings(
        **{name: reader.get("heroku", name, str, None) for name in HEROKU_EXPORTS}
    )
    postdeploy = PostdeploySettings(row_tolerance=reader.row_tolerance())
    return H2cToml(file, web, database, env, heroku, postdeploy)


def h2c_toml_in(app_dir: Path) -> H2cToml:
    """The app's h2c.toml, or the defaults when it has none."""
    from h2c.heroku.app import read_text

    path = app_dir / "h2c.toml"
    if not path.is_file():
        return H2cToml()
    return read_h2c_toml(read_text(path, expected="h2c.toml"), file=str(path))


def load_toml(text: str, *, file: str) -> dict[str, Any]:
    """Parse TOML; bad TOML is an InputError at the line tomllib names."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            Location(file, int(m[1]) if m else None), f"not valid TOML: {exc}"
        ) from None


_KIND_NAMES = {str: "a string", int: "an integer", list: "an array", bool: "true or false"}


class _Reader:
    """Typed access to one parsed h2c.toml, failing with the offending line."""

    def __init__(self, text: str, file: str, doc: dict[str, Any]) -> None:
        self.text, self.file, self.doc = text, file, doc

    def table(self, section: str) -> dict[str, Any]:
        table = self.doc.get(section, {})
        if not isinstance(table, dict):
            self.fail(section, None, "must be a table")
        return table

    def get(self, section: str, key: str, kind: Any, default: Any) -> Any:
        table = self.table(section)
        if key not in table:
            return default
        value = table[key]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            want = _KIND_NAMES.get(kind, "a number")
            self.fail(section, key, f"must be {want}, not {value!r}")
        return value

    def strings(self, section: str, key: str, default: list[str]) -> list[str]:
        values: list[Any] = self.get(section, key, list, default)
        if not all(isinstance(v, str) for v in values):
            self.fail(section, key, "must be an array of strings")
        return [str(v) for v in values]

    def reasons(self, name: str) -> dict[str, str]:
        """``[env] ignore`` / ``expect_changed``: ``{ key, reason }`` entries, reason required.

        An exception nobody can explain is a hole in the gate, so a bare key (no reason) or an
        empty reason is bad input.
        """
        items = self.get("env", name, list, [])
        result: dict[str, str] = {}
        for i, item in enumerate(items):
            if isinstance(item, str):
                self.fail(
                    "env",
                    name,
                    f'entry {i} ({item}) has no reason: write {{ key = "{item}", reason = "why" }}',
                )
            key = item.get("key") if isinstance(item, dict) else None
            reason = item.get("reason") if isinstance(item, dict) else None
            if not isinstance(key, str) or not ENV_KEY_RE.match(key):
                self.fail("env", name, f"entry {i} must have key = an env var name")
            if not isinstance(reason, str) or not reason.strip():
                self.fail("env", name, f"entry {i} ({key}) needs a non-empty reason")
            result[str(key)] = str(reason).strip()
        return result

    def row_tolerance(self) -> dict[str, int]:
        """``[postdeploy] row_tolerance``: ``{ table, rows, reason }`` entries, reason required
        (a loss nobody can explain is a hole in the data check), each table once."""
        result: dict[str, int] = {}
        for i, item in enumerate(self.get("postdeploy", "row_tolerance", list, [])):
            entry = item if isinstance(item, dict) else {}
            table, rows, reason = entry.get("table"), entry.get("rows"), entry.get("reason")
            if not isinstance(table, str) or not TABLE_RE.match(table):
                self.fail("postdeploy", "row_tolerance", f"entry {i} must have table = a table "
                          'name ("audit_log" or "public.audit_log")')  # fmt: skip
            name = table if "." in table else f"public.{table}"
            if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
                self.fail("postdeploy", "row_tolerance",
                          f"entry {i} ({name}) needs rows = a whole number, 0 or more")  # fmt: skip
            if not isinstance(reason, str) or not reason.strip():
                self.fail(
                    "postdeploy", "row_tolerance", f"entry {i} ({name}) needs a non-empty reason"
                )
            if name in result:
                self.fail("postdeploy", "row_tolerance", f"entry {i} ({name}) is listed twice")
            result[name] = rows
        return result

    def fail(self, section: str, key: str | None, message: str) -> NoReturn:
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
