"""The ``heroku`` CLI, read-only, for ``h2c compare``: config, formation, dynos, web URL.

Every call goes through ``platform_cli.run_cli`` (stdin closed; output never in a message)
and only reads: ``config --json``, ``config:get``, ``apps:info --json``, ``ps:scale`` (no
arguments: it prints the formation), ``ps --json``, ``maintenance``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from h2c.adapters.platform_cli import CliFailed, run_cli
from h2c.heroku.config import parse_config
from h2c.heroku.formation import parse_formation
from h2c.model import FormationEntry
from h2c.secret import Secret


@dataclass(frozen=True)
class Dyno:
    """One running dyno as ``heroku ps --json`` describes it."""

    name: str  # web.1
    type: str  # web
    state: str  # up, starting, crashed, idle, down


@dataclass(frozen=True)
class HerokuCli:
    app: str
    binary: str | None = None  # --heroku-bin; default `heroku` on PATH

    def _run(self, *args: str) -> str:
        return run_cli(["heroku", *args, "-a", self.app], binary=self.binary)

    def _json(self, *args: str) -> Any:
        text = self._run(*args)
        try:
            return json.loads(text)
        except ValueError:
            raise CliFailed(f"`heroku {' '.join(args)} -a {self.app}` printed no JSON") from None

    def config(self) -> dict[str, Secret]:
        """``heroku config --json``: every config var, exactly."""
        text = self._run("config", "--json")
        parsed = parse_config(text, file=f"heroku config --json -a {self.app}")
        return {c.key: c.value for c in parsed}

    def config_get(self, key: str) -> Secret | None:
        """``heroku config:get KEY``: the value (None when unset: Heroku prints an empty line)."""
        value = self._run("config:get", key).rstrip("\n")
        return Secret(value) if value else None

    def web_url(self) -> str | None:
        """The app's ``web_url`` from ``heroku apps:info --json``."""
        doc = self._json("apps:info", "--json")
        app = doc.get("app") if isinstance(doc, dict) else None
        url = app.get("web_url") if isinstance(app, dict) else None
        return url if isinstance(url, str) and url else None

    def formation(self) -> tuple[FormationEntry, ...]:
        """``heroku ps:scale`` with no change asked: ``web=2:Standard-2X worker=1:...``."""
        return parse_formation(self._run("ps:scale"), file=f"heroku ps:scale -a {self.app}")

    def dynos(self) -> list[Dyno]:
        """``heroku ps --json``: the dynos running now."""
        doc = self._json("ps", "--json")
        rows = doc if isinstance(doc, list) else []
        return [Dyno(str(d.get("name", "")), str(d.get("type", "")), str(d.get("state", "")))
                for d in rows if isinstance(d, dict)]  # fmt: skip

    def maintenance(self) -> bool | None:
        """``heroku maintenance``: True when on, False when off, None when unknown."""
        word = self._run("maintenance").strip().lower()
        return {"on": True, "off": False}.get(word)
