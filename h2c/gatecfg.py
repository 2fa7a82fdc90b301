"""The gate's per-app settings, h2c.toml: written once by h2c, then owned by the user.

``render_h2c_toml`` writes it from the plan; ``load_gate_config`` parses the user's copy
(pure: text in, a GateConfig out, InputError with a line on anything wrong).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from h2c.dockerfile import header
from h2c.errors import InputError, Location
from h2c.model import AppSpec
from h2c.plan import HEALTH_PATH, WEB_PORT, ConvoxPlan

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


def toml_string(text: str) -> str:
    """A TOML basic string.

    >>> toml_string('say "hi"\\n')
    '"say \\\\"hi\\\\"\\\\n"'
    """
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def migration_status_command(spec: AppSpec) -> str | None:
    """A command that exits non-zero while migrations are pending, if h2c knows one."""
    if spec.runtime.framework == "django":
        return f"python {spec.runtime.django_manage or 'manage.py'} migrate --plan --check"
    return None


def render_h2c_toml(spec: AppSpec, plan: ConvoxPlan) -> str:
    """The h2c.toml text for this app."""
    web = plan.web
    status = migration_status_command(spec)
    expected = [(r.url_var, f"now the Convox {r.type} resource {r.name!r}") for r in plan.resources]
    expected += [
        (k, "provided by Heroku, not copied")
        for k in plan.resource_keys
        if k not in {r.url_var for r in plan.resources}
    ]
    lines = [
        header(plan.inputs),
        "# Settings for `h2c check` (the gate). Yours to edit.",
        "",
        "[app]",
        f"name = {toml_string(plan.app)}",
        "",
        "[web]",
        "# The service the gate starts and probes, and the port it listens on ($PORT).",
        f"service = {toml_string(web.name if web else 'web')}",
        f"port = {web.port if web and web.port else WEB_PORT}",
        "# Must answer 2xx/3xx once the app is up; also convox.yml's health path.",
        f"health_path = {toml_string(web.health_path if web and web.health_path else '/')}",
        "# Paths fetched after start-up; each must not answer 5xx.",
        'smoke_paths = ["/"]',
        "# Seconds each process must keep running after it starts to count as up.",
        f"settle_seconds = {SETTLE_SECONDS}",
        "",
        "[database]",
        "# Exits non-zero while migrations are pending (run inside the image).",
    ]
    if status:
        lines.append(f"migration_status = {toml_string(status)}")
    else:
        lines.append('# migration_status = "alembic current --check-heads"')
    lines.append("# The Procfile release command, run once before promoting.")
    if plan.release is not None:
        lines.append(f"release = {toml_string(plan.release.command.original)}")
    else:
        lines.append('# release = ""')
    lines += [
        "",
        "[env]",
        "# Keys the env-parity check skips entirely, each with its reason, e.g.",
        '#   { key = "PAPERTRAIL_API_TOKEN", reason = "logs go to CloudWatch on Convox" },',
        "ignore = [",
        *[f'  # {{ key = {toml_string(k)}, reason = "" }},' for k in plan.decision_keys],
        "]",
        "# Keys whose value is expected to differ from Heroku's, and why.",
        "expect_changed = [",
        *[f"  {{ key = {toml_string(k)}, reason = {toml_string(r)} }}," for k, r in expected],
        "]",
    ]
    return "\n".join(lines) + "\n"


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
