"""What one ``h2c postdeploy`` run reads from the live Convox app, each read once (side effects).

Read-only: ``convox apps info``, ``ps``, ``services``, ``env --release``, and one ``convox run``
of h2c.toml's migration *status* command on the active release. The settle wait comes first
(Convox's own loop: every 5 s, two successes in a row, ``rollback`` at once); every later read
waits for it, so a deploy still rolling out is judged once it has settled. A read that failed is
kept and raised again for each check that needs it, so each reports the real reason by name.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from h2c.compare.verdicts import Verdict
from h2c.errors import InputError
from h2c.gate.reads import OnceReads
from h2c.postdeploy import verdicts
from h2c.postdeploy.baseline import Baseline
from h2c.postdeploy.settings import Expected, load_expected

URL_ENV = "H2C_POSTDEPLOY_URL"  # pytest-base-url's PYTEST_BASE_URL, for this plugin
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class PostdeployOptions:
    app_dir: Path
    convox_app: str
    timeout_s: float = 600.0
    poll_s: float = 5.0  # Convox's own wait interval
    http_wait_s: float = 60.0  # how long a path may take to answer while the deploy settles
    rack: str | None = None
    url: str | None = None
    baseline: Path | None = None
    target: str | None = None
    convox_bin: str | None = None


@dataclass(frozen=True)
class HttpAnswer:
    path: str
    status: int | None
    error: str | None
    tries: int


@dataclass
class PostdeploySession(OnceReads):
    options: PostdeployOptions
    _done: dict[str, Any] = field(default_factory=dict)

    # --- the app folder and the baseline ----------------------------------------------------

    def expected(self) -> Expected:
        return self._once("expected", lambda: load_expected(self.options.app_dir))

    def baseline(self) -> Baseline | None:
        def read() -> Baseline | None:
            from h2c.heroku.files import read_text
            from h2c.postdeploy.baseline import read_baseline

            file = self.options.baseline
            if file is None:
                return None
            return read_baseline(read_text(file, expected="a baseline"), file=str(file))

        return self._once("baseline", read)

    # --- the deploy ---------------------------------------------------------------------------

    def settled(self) -> Verdict:
        """Poll ``convox apps info`` until two successes in a row, rollback, or the timeout."""

        def read() -> Verdict:
            from h2c.adapters.polling import wait_until

            streak, last = [0], [dict[str, str]()]

            def poll() -> Verdict | None:
                last[0] = self.convox.info()
                step = verdicts.settle_step(streak[0], last[0])
                streak[0] = step.streak
                return step.done

            def late() -> Verdict:
                app, info = self.options.convox_app, last[0]
                status, release = info.get("Status") or "?", info.get("Release") or "?"
                return Verdict(app, False, f"{app} did not settle in {self.options.timeout_s:g} "
                               f"s: last status {status} on {release}")  # fmt: skip

            return wait_until(poll, deadline_s=self.options.timeout_s,
                              interval_s=self.options.poll_s, on_timeout=late)  # fmt: skip

        return self._once("settled", read)

    def release(self) -> str:
        """The active release, once the deploy is over (settled or not)."""
        self._settle_quietly()
        return self._once("release", self.convox.active_release)

    def _settle_quietly(self) -> None:
        with contextlib.suppress(Exception):  # the settle check reports it; others read on
            self.settled()

    def processes(self) -> list[Verdict]:
        def read() -> list[Verdict]:
            expected = self.expected()
            scale = {s: n for s, n in expected.scale.items()
                     if not (n == 0 and s in expected.timer_services)}  # fmt: skip
            release = self.release()
            return verdicts.process_verdicts(scale, self.convox.processes(), release)

        return self._once("processes", read)

    # --- HTTP -----------------------------------------------------------------------------

    def base_url(self) -> str:
        def read() -> str:
            url = self.options.url or os.environ.get(URL_ENV)
            if not url:
                self._settle_quietly()
                domain = self.convox.web_domain(self.expected().web_service)
                if not domain:
                    web = self.expected().web_service
                    raise InputError("--url", f"convox services shows no domain for {web}")
                url = f"https://{domain}"
            parts = urlsplit(url)
            if parts.scheme != "https" and not (parts.scheme == "http"
                                                and parts.hostname in LOOPBACK):  # fmt: skip
                raise InputError("--url", "must be https:// (http:// only on loopback, for tests)")
            return url.rstrip("/")

        return self._once("base_url", read)

    def answer(self, path: str, *, health: bool) -> HttpAnswer:
        """GET ``path``, retried with backoff while it does not answer yet (the health path:
        until 200-399; a smoke path: while 502, 503, 504 or no answer), up to ``http_wait_s``."""

        def read() -> HttpAnswer:
            from h2c.adapters.http import http_probe

            self._settle_quietly()
            base = self.base_url()
            deadline = time.monotonic() + self.options.http_wait_s
            pause, tries = 0.25, 0
            while True:
                tries += 1
                got = http_probe(base + path, timeout_s=10.0)
                answered = got.status is not None and got.status not in verdicts.RETRIED_STATUSES
                done = verdicts.health_ok(got.status) if health else answered
                if done or time.monotonic() + pause > deadline:
                    return HttpAnswer(path, got.status, got.error, tries)
                time.sleep(pause)
                pause = min(pause * 2, 8.0)

        return self._once(f"http {'health' if health else 'smoke'} {path}", read)

    # --- config ---------------------------------------------------------------------------

    def config(self) -> list[Verdict]:
        def read() -> list[Verdict]:
            expected, baseline = self.expected(), self.baseline()
            release = self.release()
            env = self.convox.env(release)
            return verdicts.config_verdicts(
                env, required=expected.required_keys,
                baseline=baseline.env if baseline else None,
                exceptions=expected.exceptions, release=release,
            )  # fmt: skip

        return self._once("config", read)

    # --- data -----------------------------------------------------------------------------

    def migrations(self) -> int | None:
        """The exit status of the migration status command (None: h2c.toml names none)."""

        def read() -> int | None:
            from h2c.adapters.convox_run import run_status

            expected = self.expected()
            if not expected.migration_status:
                return None
            return run_status(self.convox, expected.web_service, expected.migration_status,
                              release=self.release())  # fmt: skip

        return self._once("migrations", read)

    def target_url(self) -> str | None:
        return self._once("target_url", self._target)

    def database_now(self) -> Any:
        """The target's snapshot now (``h2c.db.snapshot.DbSnapshot``), read-only."""

        def read() -> Any:
            from h2c.db import snapshot

            url = self.target_url()
            self._settle_quietly()
            return snapshot.take(url) if url else None

        return self._once("database_now", read)

    def live_sequences(self) -> list[tuple[str, str, int | None, int | None]]:
        def read() -> list[tuple[str, str, int | None, int | None]]:
            from h2c.db.verify import sequences

            url = self.target_url()
            if not url:
                return []
            return [(s.sequence, s.column, s.last_value, s.max_value)
                    for s in sequences(url, readonly=True)]  # fmt: skip

        return self._once("live_sequences", read)
