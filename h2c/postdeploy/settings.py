"""What the app folder says ``h2c postdeploy`` should find (pure, from parsed files).

From convox.yml: each service's scale count (a service only timers use, at count 0, is not
expected to run), the web service's health path, the env keys it requires. From h2c.toml:
``[web]`` (service, smoke paths), ``[database] migration_status``, ``[env]`` exceptions, and
``[postdeploy] row_tolerance``: rows a table may lose, each with its reason::

    [postdeploy]
    row_tolerance = [{ table = "public.audit_log", rows = 500, reason = "pruned nightly" }]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from h2c.artifacts.convox_yml import health_path, manifest_env
from h2c.artifacts.h2c_toml import H2cToml, load_toml, read_h2c_toml, toml_line
from h2c.artifacts.yamldoc import load_yaml_mapping
from h2c.errors import InputError, Location
from h2c.heroku.files import read_text
from h2c.verdicts.envparity import Exceptions


@dataclass(frozen=True)
class Expected:
    scale: dict[str, int]  # service -> processes that must run (0: none expected)
    timer_services: frozenset[str]
    web_service: str
    health_path: str
    smoke_paths: tuple[str, ...]
    required_keys: frozenset[str]
    exceptions: Exceptions = field(default_factory=Exceptions)
    migration_status: str | None = None
    row_tolerance: dict[str, int] = field(default_factory=dict)


def scale_count(service: Mapping[str, Any]) -> int:
    """convox.yml ``scale``: an int or ``{count}``; 1 when unset.

    >>> scale_count({"scale": 2}), scale_count({"scale": {"count": 0}}), scale_count({})
    (2, 0, 1)
    """
    scale = service.get("scale")
    if isinstance(scale, Mapping):
        scale = scale.get("count", 1)
    if isinstance(scale, str) and "-" in scale:  # autoscale range "1-3": at least the floor
        scale = scale.split("-", 1)[0]
    try:
        return int(scale) if scale is not None else 1
    except (TypeError, ValueError):
        return 1


def expected(manifest: Mapping[str, Any], toml: H2cToml, tolerance: dict[str, int]) -> Expected:
    """The expectations of one app.

    >>> doc = {"environment": ["SECRET_KEY", "MODE=prod"],
    ...        "services": {"web": {"port": 8000, "health": "/up", "scale": 2},
    ...                     "scheduler": {"scale": {"count": 0}}},
    ...        "timers": {"t": {"service": "scheduler", "command": "x", "schedule": "* * * * *"}}}
    >>> e = expected(doc, H2cToml(), {})
    >>> e.scale, sorted(e.timer_services), e.health_path, sorted(e.required_keys)
    ({'web': 2, 'scheduler': 0}, ['scheduler'], '/up', ['SECRET_KEY'])
    """
    services = manifest.get("services") or {}
    scale = {str(n): scale_count(s or {}) for n, s in services.items()}
    timers = manifest.get("timers") or {}
    timer_services = frozenset(str(t.get("service")) for t in timers.values()
                               if isinstance(t, Mapping) and t.get("service"))  # fmt: skip
    web = toml.web.service
    web_doc = services.get(web) or {}
    return Expected(
        scale=scale, timer_services=timer_services, web_service=web,
        health_path=health_path(web_doc), smoke_paths=toml.web.smoke_paths,
        required_keys=manifest_env(manifest).required, exceptions=toml.env,
        migration_status=toml.database.migration_status, row_tolerance=tolerance,
    )  # fmt: skip


def row_tolerance(text: str, *, file: str) -> dict[str, int]:
    """``[postdeploy] row_tolerance`` of h2c.toml: table -> rows it may lose (reason required).

    >>> row_tolerance('[postdeploy]\\nrow_tolerance = [{table = "public.t", rows = 5, '
    ...               'reason = "pruned"}]\\n', file="h2c.toml")
    {'public.t': 5}
    >>> row_tolerance('[postdeploy]\\nrow_tolerance = [{table = "public.t", rows = 5}]\\n',
    ...               file="h2c.toml")
    Traceback (most recent call last):
    h2c.errors.InputError: h2c.toml:2: [postdeploy] row_tolerance entry 0 needs table, rows \
(a whole number, 0 or more) and a non-empty reason
    """
    section = load_toml(text, file=file).get("postdeploy", {})
    items = section.get("row_tolerance", []) if isinstance(section, dict) else None
    line = toml_line(text, "postdeploy", "row_tolerance")
    if not isinstance(items, list):
        raise InputError(Location(file, line), "[postdeploy] row_tolerance must be an array")
    out = {}
    for i, item in enumerate(items):
        table = item.get("table") if isinstance(item, dict) else None
        rows = item.get("rows") if isinstance(item, dict) else None
        reason = item.get("reason") if isinstance(item, dict) else None
        if (not isinstance(table, str) or not isinstance(rows, int) or isinstance(rows, bool)
                or rows < 0 or not isinstance(reason, str) or not reason.strip()):  # fmt: skip
            raise InputError(
                Location(file, line),
                f"[postdeploy] row_tolerance entry {i} needs "
                "table, rows (a whole number, 0 or more) and a non-empty reason",
            )
        out[table if "." in table else f"public.{table}"] = rows
    return out


def load_expected(app_dir: Path) -> Expected:
    """Read convox.yml and h2c.toml of ``app_dir`` (InputError naming the file otherwise)."""
    yml = app_dir / "convox.yml"
    manifest = load_yaml_mapping(read_text(yml, expected="convox.yml"), file=str(yml))
    path = app_dir / "h2c.toml"
    if not path.is_file():
        return expected(manifest, H2cToml(), {})
    text = read_text(path, expected="h2c.toml")
    return expected(
        manifest, read_h2c_toml(text, file=str(path)), row_tolerance(text, file=str(path))
    )
