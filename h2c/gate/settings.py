"""What the gate needs beyond the artifacts: h2c.toml, else convox.yml defaults; the command
line over both. And the app under test itself, read once per session.

How each process runs is convox.yml's alone, as on Convox: its ``health`` (the readiness
probe), ``init``, memory limit and ``termination.grace``. h2c.toml adds what Convox does not
know: smoke paths (an h2c.toml ``health_path`` other than convox.yml's becomes one), the domain
the router delivers, the settle time and the release's timeout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from h2c.artifacts.app import GateApp, load_target
from h2c.artifacts.convox_yml import (
    Health,
    ServiceRun,
    convox_port,
    health_path,
    service_domain,
    service_health,
    service_run,
)
from h2c.artifacts.h2c_toml import RELEASE_TIMEOUT_S, H2cToml
from h2c.errors import H2cError, InputError
from h2c.runplan.argv import shell_args
from h2c.verdicts.http import default_domain

DEFAULT_SETTLE_S = 5.0
_APP = pytest.StashKey["GateApp | H2cError"]()


@dataclass(frozen=True)
class GateSettings:
    web: str
    port: int | None
    health_path: str  # convox.yml's (``health``), also when the probe is disabled
    smoke_paths: tuple[str, ...] = ()
    settle_seconds: float = DEFAULT_SETTLE_S
    release_command: str | None = None
    release_timeout_s: float = float(RELEASE_TIMEOUT_S)
    startup_s: float = 90.0
    health: Health | None = field(default_factory=Health)  # web readiness probe; None: disabled
    domain: str = ""  # the Host the router delivers to web
    runs: Mapping[str, ServiceRun] = field(default_factory=dict)  # service -> how it runs

    @property
    def watch_seconds(self) -> float:
        """How long each process is watched before the stop, at least: its settle time, and
        until Convox's first readiness probe (the health grace), whichever is later. A process
        that dies within that window (a worker crashing 8 s in) fails the stays-up check."""
        grace = self.health.grace_s if self.health is not None else 0.0
        return max(self.settle_seconds, float(grace))

    @property
    def release_args(self) -> list[str] | None:
        return shell_args(self.release_command) if self.release_command else None

    def run_of(self, service: str) -> ServiceRun:
        """How Convox runs ``service`` (the defaults for one convox.yml does not have)."""
        return self.runs.get(service) or ServiceRun()


def load_settings(app: GateApp, *, settle: float | None = None) -> GateSettings:
    """Merge h2c.toml over convox.yml defaults; ``--h2c-settle`` wins over both."""
    toml = app.h2c_toml if "h2c.toml" in app.present else None
    name = toml.web.service if toml else app.web
    service = app.services.get(name) or {}
    health = service_health(service)
    path = health_path(service)
    smoke: tuple[str, ...] = ()
    if toml:
        smoke = toml.web.smoke_paths
        if toml.web.health_path != path and toml.web.health_path not in smoke:
            smoke += (toml.web.health_path,)  # probed as a smoke path: never the health check
    return GateSettings(
        web=name,
        port=(toml.web.port if toml else None) or convox_port(service),
        health_path=path,
        smoke_paths=smoke,
        settle_seconds=settle if settle is not None else _settle(toml),
        release_command=(toml.database.release if toml else None) or app.release,
        release_timeout_s=toml.database.release_timeout if toml else float(RELEASE_TIMEOUT_S),
        health=health,
        domain=(toml.web.domain if toml else None)
        or service_domain(service)
        or default_domain(name, _app_name(app)),
        runs={n: service_run(s or {}) for n, s in app.services.items()},
    )


def _settle(toml: H2cToml | None) -> float:
    return toml.web.settle_seconds if toml else DEFAULT_SETTLE_S


def _app_name(app: GateApp) -> str:
    """The Convox app's name as the runbook creates it: the app folder's, in Convox's rule."""
    return re.sub(r"[^a-z0-9-]+", "-", app.dir.name.lower()).strip("-") or "app"


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
