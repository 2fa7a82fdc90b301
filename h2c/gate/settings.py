"""What the gate needs beyond the artifacts: h2c.toml (``h2c.artifacts.h2c_toml``), else convox.yml
defaults; the command line over both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from h2c.artifacts.app import GateApp
from h2c.artifacts.convox_yml import convox_port
from h2c.artifacts.h2c_toml import GateConfig, load_gate_config
from h2c.runplan.argv import shell_args

DEFAULT_SETTLE_S = 5.0


@dataclass(frozen=True)
class GateSettings:
    web: str
    port: int | None
    health_path: str
    smoke_paths: tuple[str, ...] = ()
    settle_seconds: float = DEFAULT_SETTLE_S
    release_command: str | None = None
    release_timeout_s: float = 600.0
    startup_s: float = 90.0

    @property
    def release_args(self) -> list[str] | None:
        return shell_args(self.release_command) if self.release_command else None


def health_path(service: Mapping[str, Any]) -> str:
    """A convox.yml service's health path (string or ``{path: ...}``), ``/`` by default.

    >>> health_path({"health": "/health/"}), health_path({"health": {"grace": 5}}), health_path({})
    ('/health/', '/', '/')
    """
    health = service.get("health")
    if isinstance(health, Mapping):
        health = health.get("path")
    path = str(health or "/")
    return path if path.startswith("/") else "/" + path


def _from_toml(app: GateApp) -> GateConfig | None:
    """The parsed h2c.toml, or None when the app has none."""
    if "h2c.toml" not in app.present:
        return None
    path = app.dir / "h2c.toml"
    return load_gate_config(path.read_text(encoding="utf-8"), file=str(path))


def load_settings(app: GateApp, *, settle: float | None = None) -> GateSettings:
    """Merge h2c.toml over convox.yml defaults; ``--h2c-settle`` wins over both."""
    cfg = _from_toml(app)
    if cfg is None:
        service = app.services.get(app.web) or {}
        return GateSettings(
            web=app.web,
            port=convox_port(service),
            health_path=health_path(service),
            settle_seconds=settle if settle is not None else DEFAULT_SETTLE_S,
            release_command=app.release,
        )
    return GateSettings(
        web=cfg.web_service,
        port=cfg.port,
        health_path=cfg.health_path,
        smoke_paths=tuple(cfg.smoke_paths),
        settle_seconds=settle if settle is not None else float(cfg.settle_seconds),
        release_command=cfg.release or app.release,
    )
