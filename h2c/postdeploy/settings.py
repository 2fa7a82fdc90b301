"""What the app folder says ``h2c postdeploy`` should find (pure, from parsed files).

From convox.yml: each service's scale count (a service only timers use, at count 0, is not
expected to run), the web service's health path, the env keys it requires. From h2c.toml, as
its one reader (``h2c.artifacts.h2c_toml``) gives it: ``[web]`` (service, smoke paths),
``[database] migration_status``, ``[env]`` exceptions and ``[postdeploy] row_tolerance``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from h2c.artifacts.convox_yml import health_path, manifest_env
from h2c.artifacts.h2c_toml import H2cToml, h2c_toml_in
from h2c.artifacts.yamldoc import load_yaml_mapping
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


def expected(manifest: Mapping[str, Any], toml: H2cToml) -> Expected:
    """The expectations of one app.

    >>> doc = {"environment": ["SECRET_KEY", "MODE=prod"],
    ...        "services": {"web": {"port": 8000, "health": "/up", "scale": 2},
    ...                     "scheduler": {"scale": {"count": 0}}},
    ...        "timers": {"t": {"service": "scheduler", "command": "x", "schedule": "* * * * *"}}}
    >>> e = expected(doc, H2cToml())
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
        migration_status=toml.database.migration_status,
        row_tolerance=toml.postdeploy.row_tolerance,
    )  # fmt: skip


def load_expected(app_dir: Path) -> Expected:
    """Read convox.yml and h2c.toml of ``app_dir`` (InputError naming the file otherwise)."""
    yml = app_dir / "convox.yml"
    manifest = load_yaml_mapping(read_text(yml, expected="convox.yml"), file=str(yml))
    return expected(manifest, h2c_toml_in(app_dir))
