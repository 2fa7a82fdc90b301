"""The ``convox`` CLI, read-only, for ``h2c compare``: app info, env, services, processes.

Every call goes through ``platform_cli.run_cli`` (stdin closed; output never in a message),
always with ``-a APP`` (else the CLI guesses from ``.convox/app`` or the folder's name) and
``-r RACK`` when given; ``api get`` names the app in its path instead (it has no ``-a``).
Tables and label blocks are read by ``h2c.compare.clitext``.
``convox env`` prints the **newest** release's env, which is not necessarily the one running:
``env(release)`` passes ``--release`` with the active release from ``apps info``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from h2c.adapters.platform_cli import CliFailed, run_cli
from h2c.artifacts.envfile import parse_env_lines
from h2c.compare.clitext import parse_labels, parse_table
from h2c.secret import Secret


@dataclass(frozen=True)
class Process:
    """One row of ``convox ps``."""

    id: str
    service: str
    status: str  # running, pending, starting, unhealthy, crashed, failed, complete, unknown
    release: str


@dataclass(frozen=True)
class ConvoxCli:
    app: str
    rack: str | None = None
    binary: str | None = None  # --convox-bin; default `convox` on PATH

    def _run(self, *args: str) -> str:
        rack = ["-r", self.rack] if self.rack else []
        return run_cli(["convox", *args, "-a", self.app, *rack], binary=self.binary)

    def info(self) -> dict[str, str]:
        """``convox apps info``: Name, Status, Generation, Locked, Release, Router."""
        return parse_labels(self._run("apps", "info"))

    def active_release(self) -> str:
        """The release that runs (``Release`` of ``apps info``)."""
        release = self.info().get("Release", "")
        if not release:
            raise CliFailed(f"`convox apps info -a {self.app}` names no active release")
        return release

    def env(self, release: str) -> dict[str, Secret]:
        """``convox env --release R``: the app env of that release, multi-line values whole."""
        return parse_env_lines(self._run("env", "--release", release), continuation=True)

    def services(self) -> list[dict[str, str]]:
        """``convox services``: SERVICE, DOMAIN, PORTS."""
        return parse_table(self._run("services"))

    def web_domain(self, service: str = "web") -> str | None:
        for row in self.services():
            if row.get("SERVICE") == service and row.get("DOMAIN"):
                return row["DOMAIN"]
        return None

    def processes(self) -> list[Process]:
        """``convox ps``: every process with its service, status and release."""
        return [Process(r.get("ID", ""), r.get("SERVICE", ""), r.get("STATUS", ""),
                        r.get("RELEASE", "")) for r in parse_table(self._run("ps"))]  # fmt: skip

    def release(self, release: str) -> dict[str, Any]:
        """``convox api get /apps/APP/releases/R``: the release as JSON, its ``manifest`` the
        convox.yml text it runs (pkg/structs Release; GET, the rack API's release.get).

        ``api get`` takes ``--rack`` only: the app is in the path, and ``-a`` is an unknown flag
        to it (stdcli: ``ERROR: unknown flag: a``).
        """
        path = f"/apps/{quote(self.app, safe='')}/releases/{quote(release, safe='')}"
        rack = ["-r", self.rack] if self.rack else []
        text = run_cli(["convox", "api", "get", path, *rack], binary=self.binary)
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise CliFailed(f"`convox api get {path}` printed no JSON")
        return doc
