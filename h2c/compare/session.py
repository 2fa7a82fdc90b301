"""What one ``h2c compare`` run reads from both platforms, each read once (the side effects).

The plugin's collection hooks and the checks' fixtures share one ``CompareSession``: a read
that failed is kept as its error and raised again for every check that needs it, so each check
reports the real reason (a missing CLI, an unknown app) by name.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from h2c.adapters.replay import Limits, Three
from h2c.adapters.replay_worker import ReplayWorker
from h2c.compare.answers import DEFAULT_IGNORED_HEADERS
from h2c.compare.arrivals import Arrivals
from h2c.compare.requestlist import Request, RequestList, from_paths, parse_requests
from h2c.errors import InputError
from h2c.gate.reads import Failure, OnceReads

# Only what the replay needs is imported before it starts (``h2c compare`` starts it before
# pytest): deepdiff loads when answers are compared, the CLIs' adapters on their own threads.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from h2c.adapters.heroku_cli import HerokuCli
    from h2c.compare.diffy import PathVerdict
    from h2c.compare.verdicts import Verdict
    from h2c.verdicts.envparity import KeyVerdict


@dataclass(frozen=True)
class CompareOptions:
    app_dir: Path
    heroku_app: str
    convox_app: str
    rack: str | None = None
    heroku_url: str | None = None
    convox_url: str | None = None
    requests_file: Path | None = None
    source: str | None = None
    target: str | None = None
    checksums: bool = False
    scheduler: Path | None = None
    heroku_bin: str | None = None
    convox_bin: str | None = None
    limits: Limits = field(default_factory=Limits)
    ignored_headers: frozenset[str] = DEFAULT_IGNORED_HEADERS
    quiet_s: float = 2.0  # the pause between the two reads of the source's counts


def options_from(get: Callable[[str], Any]) -> CompareOptions:
    """The options of one run from ``get(key)``: the plugin's ``--h2c-compare-<key>`` values
    or ``h2c compare``'s own arguments (``app``, ``heroku_app``, ``ignore_header``...), so the
    CLI's early session and the plugin's are made by one rule."""

    def path(key: str) -> Path | None:
        return Path(get(key)).resolve() if get(key) else None

    concurrency = max(1, min(get("concurrency"), 64))
    limits = Limits(max_requests=get("max_requests"), concurrency=concurrency, rate=get("rate"))
    ignored = DEFAULT_IGNORED_HEADERS | {h.lower() for h in get("ignore_header")}
    return CompareOptions(
        app_dir=Path(get("app")).resolve(), heroku_app=get("heroku_app"),
        convox_app=get("convox_app"), rack=get("rack"), heroku_url=get("heroku_url"),
        convox_url=get("convox_url"), requests_file=path("requests"), source=get("source"),
        target=get("target"), checksums=bool(get("checksums")), scheduler=path("scheduler"),
        heroku_bin=get("heroku_bin"), convox_bin=get("convox_bin"), limits=limits,
        ignored_headers=ignored, quiet_s=get("quiet"),
    )  # fmt: skip


@dataclass
class DataFindings:
    report: Any  # h2c.db.verify.VerifyReport
    still_written: list[str]  # tables whose source count changed between two reads
    maintenance: bool | None  # Heroku maintenance mode, asked only when the source moved


@dataclass
class CompareSession(OnceReads):
    options: CompareOptions
    _done: dict[str, Any] = field(default_factory=dict)
    _arrivals: Arrivals[PathVerdict] = field(default_factory=Arrivals)
    worker: ReplayWorker | None = None  # spawned early by ``h2c compare``, else by the replay

    def close(self) -> None:
        """Stop a replay worker that was spawned and never given its job."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.close()

    @property
    def heroku(self) -> HerokuCli:
        from h2c.adapters.heroku_cli import HerokuCli

        return HerokuCli(self.options.heroku_app, self.options.heroku_bin)

    # --- reads ---------------------------------------------------------------------------

    def release(self) -> str:
        return self._once("release", self.convox.active_release)

    def requests(self) -> RequestList:
        def read() -> RequestList:
            file = self.options.requests_file
            if file is not None:
                from h2c.heroku.files import read_text

                return parse_requests(read_text(file, expected="a request list"), file=str(file))
            from h2c.artifacts.h2c_toml import h2c_toml_in

            return from_paths(list(h2c_toml_in(self.options.app_dir).web.smoke_paths))

        return self._once("requests", read)

    def early_reads(self, *, http: bool) -> list[Callable[[], object]]:
        """The reads to start before pytest has collected: all of them, each CLI call on its
        own thread (the judgements wait for the calls they need), and the HTTP replay when
        ``http`` (not when ``-k``/``-m``/``--only`` may leave the HTTP checks out: no traffic
        then)."""
        calls = [self.release, self.heroku_config, self.formation, self.convox_processes,
                 self.bases]  # fmt: skip
        reads = [*calls, self.config, self.processes, self.schedule, self.data]
        return [self.http, *reads] if http else reads

    def http_labels(self) -> list[str]:
        """The requests that will be sent (the cap applied), as the checks name them."""
        return [r.label for r in self.requests().requests[: self.options.limits.max_requests]]

    def coverage_note(self) -> str | None:
        """What of the request list was not replayed (None when all of it was, or unread)."""
        from h2c.compare.requestlist import coverage_note

        listed = self.done("requests")
        return coverage_note(listed, self.options.limits.max_requests) if listed else None

    def bases(self) -> dict[str, str]:
        def read() -> dict[str, str]:
            heroku = self.options.heroku_url or self.heroku.web_url()
            if not heroku:
                raise InputError("--heroku-url", "heroku apps:info names no web_url: pass it")
            convox = self.options.convox_url
            if not convox:
                domain = self.convox.web_domain()
                if not domain:
                    raise InputError("--convox-url", "convox services shows no web domain")
                convox = f"https://{domain}"
            return {"heroku": heroku, "convox": convox}

        return self._once("bases", read)

    def http(self) -> dict[str, PathVerdict]:
        """Every request's verdict, in the list's order (for the report and ``--json``)."""

        def read() -> dict[str, PathVerdict]:
            # The data is read first: an app may write on a GET (a visit log), and Heroku is
            # asked each request twice, so the replay itself would make the source "still being
            # written" and its counts differ from Convox's. A failed data read stays its own.
            with contextlib.suppress(Exception):
                self.data()
            ignored = self.options.ignored_headers
            verdicts: dict[str, PathVerdict] = {}

            def judge(request: Request, three: Three) -> None:
                try:
                    from h2c.compare.diffy import compare

                    verdict = compare(request, *three, ignored_headers=ignored)
                except Exception as failed:  # that request's check reports it; the rest go on
                    self._arrivals.put(request.label, Failure(failed))
                    return
                verdicts[request.label] = verdict
                self._arrivals.put(request.label, verdict)

            try:
                requests_, bases = self.requests().requests, self.bases()
                worker, self.worker = self.worker or ReplayWorker.spawn(), None
                answers = worker.replay(requests_, bases, self.options.limits, each=judge)
            except Exception as failed:  # a worker not taken is stopped by ``close``
                self._arrivals.close(failed)
                raise
            self._arrivals.close()
            return {r.label: verdicts[r.label] for r in answers if r.label in verdicts}

        return self._once("http", read)

    def http_verdict(self, label: str) -> PathVerdict:
        """One request's verdict, as soon as its answers are in: the replay (started here if
        nothing started it yet) goes on sending the rest meanwhile."""
        self.start(self.http)
        return self._arrivals.wait(label)

    def heroku_config(self) -> dict[str, Any]:
        return self._once("heroku_config", self.heroku.config)

    def convox_env(self) -> dict[str, Any]:
        return self._once("convox_env", lambda: self.convox.env(self.release()))

    def config(self) -> list[KeyVerdict]:
        def read() -> list[KeyVerdict]:
            from h2c.artifacts.envsides import sides_from
            from h2c.artifacts.h2c_toml import h2c_toml_in
            from h2c.artifacts.yamldoc import load_yaml_mapping
            from h2c.heroku.app import load_app, read_text

            app_dir = self.options.app_dir
            yml = app_dir / "convox.yml"
            doc = load_yaml_mapping(read_text(yml, expected="convox.yml"), file=str(yml))
            spec = load_app(app_dir)
            exceptions = h2c_toml_in(app_dir).env
            heroku, convox = self.heroku_config(), self.convox_env()
            return sides_from(heroku, convox, doc, spec, exceptions).diff()

        return self._once("config", read)

    def formation(self) -> Any:
        return self._once("formation", self.heroku.formation)

    def convox_processes(self) -> Any:
        return self._once("convox_processes", self.convox.processes)

    def processes(self) -> list[Verdict]:
        def read() -> list[Verdict]:
            from h2c.compare.verdicts import process_verdicts

            formation, running = self.formation(), self.convox_processes()
            return process_verdicts(formation, running, self.release())

        return self._once("processes", read)

    def schedule(self) -> list[Verdict]:
        def read() -> list[Verdict]:
            from h2c.artifacts.yamldoc import load_yaml_mapping
            from h2c.compare.verdicts import schedule_verdicts
            from h2c.heroku.app import read_text
            from h2c.heroku.scheduler import parse_scheduler

            file = self.options.scheduler
            if file is None:
                from h2c.artifacts.h2c_toml import h2c_toml_in

                file = h2c_toml_in(self.options.app_dir).heroku.path(
                    "scheduler", self.options.app_dir
                )
            if file is None:
                return []
            jobs = parse_scheduler(read_text(file, expected="Scheduler jobs"), file=str(file))
            release = self.convox.release(self.release())
            where = f"convox release {self.release()} manifest"
            manifest = load_yaml_mapping(str(release.get("manifest") or "{}"), file=where)
            timers = manifest.get("timers") or {}
            return schedule_verdicts(jobs, timers if isinstance(timers, dict) else {})

        return self._once("schedule", read)

    def database_urls(self) -> tuple[str, str] | None:
        """(source, target), or None when no target was given (the data checks skip)."""

        def read() -> tuple[str, str] | None:
            target = self._target()
            if target is None:
                return None
            from h2c.db.conn import check_url
            from h2c.gate.db_targets import expand

            if self.options.source:
                source = expand(self.options.source, os.environ, what="--source")
            else:
                value = self.heroku.config_get("DATABASE_URL")
                if value is None:
                    raise InputError(
                        "--source", "the Heroku app has no DATABASE_URL: pass --source"
                    )
                source = value.reveal()
            return check_url(source, "--source"), target

        return self._once("database_urls", read)

    def data(self) -> DataFindings | None:
        def read() -> DataFindings | None:
            urls = self.database_urls()
            if urls is None:
                return None
            from h2c.db import verify

            source, target = urls
            report = verify.verify(source, target, with_checksums=self.options.checksums)
            time.sleep(self.options.quiet_s)
            again = {c.table: c.source for c in verify.count_rows(source, target)}
            moved = sorted(c.table for c in report.counts if again.get(c.table) != c.source)
            maintenance = None
            if moved:
                try:
                    maintenance = self.heroku.maintenance()
                except Exception:  # a second opinion only: the counts already said it
                    maintenance = None
            return DataFindings(report, moved, maintenance)

        return self._once("data", read)

    def write_baseline(self, path: Path) -> str:
        """Write the cut-over baseline ``h2c postdeploy --baseline`` reads: the Convox database's
        shape and the digests of the active release's env, both already compared with Heroku's.
        What was written, in a line (no values)."""
        from h2c.db import snapshot
        from h2c.postdeploy.baseline import Baseline, env_baseline
        from h2c.postdeploy.record import write_baseline

        urls = self.database_urls()
        if urls is None:
            raise InputError("--baseline", "a baseline needs --target (the Convox database)")
        env = env_baseline(self.release(), self.convox_env())
        baseline = Baseline(snapshot.take(urls[1]), env, str(path))
        write_baseline(baseline, path)
        tables = len(baseline.database.tables) if baseline.database else 0
        return f"wrote the baseline {path} ({tables} tables, {len(env.keys)} env digests)"

    def secrets(self) -> list[str]:
        """Every config value read from either platform (for masking the report)."""
        values = []
        for name in ("heroku_config", "convox_env"):
            got = self.done(name) or {}
            values += [v.reveal() for v in got.values()]
        return values
