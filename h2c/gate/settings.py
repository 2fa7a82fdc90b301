"""What the gate needs beyond the artifacts: h2c.toml, else convox.yml defaults; the command
line over both. And the app under test itself, read once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from h2c.artifacts.app import GateApp, load_target
from h2c.artifacts.convox_yml import convox_port, health_path
from h2c.errors import H2cError, InputError
from h2c.runplan.argv import shell_args

DEFAULT_SETTLE_S = 5.0
_APP = pytest.StashKey["GateApp | H2cError"]()


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


def load_settings(app: GateApp, *, settle: float | None = None) -> GateSettings:
    """Merge h2c.toml over convox.yml defaults; ``--h2c-settle`` wins over both."""
    if "h2c.toml" not in app.present:
        service = app.services.get(app.web) or {}
        return GateSettings(
            web=app.web,
            port=convox_port(service),
            health_path=health_path(service),
            settle_seconds=settle if settle is not None else DEFAULT_SETTLE_S,
            release_command=app.release,
        )
    web = app.h2c_toml.web
    return GateSettings(
        web=web.service,
        port=web.port,
        health_path=web.health_path,
        smoke_paths=web.smoke_paths,
        settle_seconds=settle if settle is not None else web.settle_seconds,
        release_command=app.h2c_toml.database.release or app.release,
    )


def session_app(config: pytest.Config) -> GateApp:
    """The app under test, read once per session (collection and fixtures share it).

    A read that failed fails the same way each time it is asked for: the fixtures report it.
    """
    if _APP not in config.stash:
        option = config.option
        try:
            if not option.h2c_app:
                raise InputError("--h2c-app", "no app to check: pass --h2c-app DIR")
            config.stash[_APP] = load_target(
                Path(option.h2c_app).resolve(),
                config=_path(option.h2c_config),
                addons=_path(option.h2c_addons),
                formation=_path(option.h2c_formation),
            )
        except H2cError as error:
            config.stash[_APP] = error
    found = config.stash[_APP]
    if isinstance(found, H2cError):
        raise found
    return found


def _path(value: str | None) -> Path | None:
    return Path(value).resolve() if value else None
