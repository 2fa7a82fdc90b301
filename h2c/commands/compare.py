"""``h2c compare APP_DIR --heroku-app NAME --convox-app NAME``: the live apps, side by side.

Pre-cutover validation, read-only on both platforms: HTTP answers (Heroku asked twice, Convox
once, Diffy's noise cancelling), config (``heroku config --json`` against ``convox env
--release <active>``), processes, data (``h2c db verify`` plus a "source still being written"
check) and scheduled work. A pytest run underneath (``h2c.compare_checks``), so the summary
table, JUnit XML and exit codes are the gate's: 0 same, 1 a difference, 2 bad input, 3 a CLI
or login missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from h2c.commands._live import cli_binary, finish, require_cli, require_generated
from h2c.commands._live import plugin_args as live_plugin_args
from h2c.errors import InputError

# options passed on to the plugin as they are (paths made absolute), in this order
PASSED = (
    "heroku_app", "convox_app", "rack", "heroku_url", "convox_url", "requests", "source",
    "target", "scheduler", "heroku_bin", "convox_bin", "concurrency", "rate", "max_requests",
    "quiet", "report", "baseline", "junit_xml",
)  # fmt: skip
ASPECTS = ("http", "config", "processes", "data", "schedule")  # one checks module each
PATHS = ("requests", "scheduler", "report", "baseline", "junit_xml")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "compare", help="pre-cutover: the live Heroku app against the deployed Convox app"
    )
    p.add_argument("app_dir", type=Path, metavar="APP_DIR")
    p.add_argument("--heroku-app", required=True, metavar="NAME")
    p.add_argument("--convox-app", required=True, metavar="NAME")
    p.add_argument("--rack", metavar="RACK")
    p.add_argument("--heroku-url", metavar="URL", help="default: heroku apps:info web_url")
    p.add_argument("--convox-url", metavar="URL", help="default: the web service's domain")
    p.add_argument("--requests", metavar="FILE", help="paths one a line, or router log lines")
    p.add_argument("--source", metavar="URL|$VAR", help="default: heroku config:get DATABASE_URL")
    p.add_argument("--target", metavar="URL|$VAR", help="the Convox database (resources proxy)")
    p.add_argument("--checksums", action="store_true", help="also checksum rows by key range")
    p.add_argument("--scheduler", metavar="FILE", help="Heroku Scheduler jobs (JSON)")
    p.add_argument(
        "--heroku-bin", type=cli_binary, metavar="PATH", help="the heroku CLI (default: on PATH)"
    )
    p.add_argument(
        "--convox-bin", type=cli_binary, metavar="PATH", help="the convox CLI (default: on PATH)"
    )
    p.add_argument("--concurrency", type=int, default=8, metavar="N")
    p.add_argument("--rate", type=float, default=50.0, metavar="R", help="requests per second")
    p.add_argument("--max-requests", type=int, default=500, metavar="N", help="paths at most")
    p.add_argument("--ignore-header", action="append", default=[], metavar="NAME")
    p.add_argument("--quiet", type=float, default=2.0, metavar="S",
                   help="seconds between the two reads of the source's counts")  # fmt: skip
    p.add_argument("--only", action="append", choices=ASPECTS, default=[], metavar="ASPECT",
                   help="compare only this (repeatable): " + ", ".join(ASPECTS) + "; e.g. "
                   "--only data once Heroku is in maintenance mode, whose page every path "
                   "answers")  # fmt: skip
    p.add_argument("--junit-xml", metavar="F")
    p.add_argument("--report", metavar="F", help="Markdown, or HTML for a .html name")
    p.add_argument("--baseline", metavar="F",
                   help="when the apps are the same, write the cut-over baseline for "
                   "h2c postdeploy --baseline there (needs --target)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="the result as JSON on stdout")
    p.set_defaults(func=run)


def _preflight(args: argparse.Namespace) -> None:
    """Bad input and missing CLIs stop here (exit 2 and 3), before pytest starts."""
    require_generated(args.app_dir)
    require_cli("heroku", args.heroku_bin)
    require_cli("convox", args.convox_bin)
    if args.requests and not Path(args.requests).is_file():
        raise InputError(args.requests, "no such request list")
    if args.baseline and not args.target:
        raise InputError("--baseline", "a baseline needs --target (the Convox database)")


def plugin_args(args: argparse.Namespace) -> list[str]:
    """The plugin's options for these arguments."""
    out = live_plugin_args(args, "compare", PASSED, PATHS)
    for name in args.ignore_header:
        out += ["--h2c-compare-ignore-header", name]
    if args.checksums:
        out.append("--h2c-compare-checksums")
    if args.only:
        out += ["-k", " or ".join(f"test_{aspect}" for aspect in dict.fromkeys(args.only))]
    return out


def early_session(args: argparse.Namespace) -> Any:
    """The run's session with its reads started (the replay too unless ``--only`` leaves the
    HTTP checks out), before pytest is imported: they overlap pytest's start-up instead of
    following it. The replay's worker process is spawned first, so its start-up does too."""
    from h2c.adapters.replay_worker import ReplayWorker

    http = not args.only or "http" in args.only
    worker = ReplayWorker.take(needed=http)
    from h2c.compare.session import CompareSession, options_from

    names = {"app": "app_dir"}
    options = options_from(lambda key: getattr(args, names.get(key, key)))
    session = CompareSession(options, worker=worker)
    session.prefetch(session.early_reads(http=http))
    return session


def run(args: argparse.Namespace) -> int:
    _preflight(args)
    session = early_session(args)
    try:
        from h2c.compare.runner import run_compare

        out = sys.stderr if args.json else None  # stdout: the JSON alone
        result = run_compare(plugin_args(args), session=session, stdout=out)
    finally:
        session.close()
    title = f"h2c compare: Heroku {args.heroku_app} vs Convox {args.convox_app}"
    written = args.baseline if result.exit_code == 0 and args.baseline else None
    return finish(args, result, title=title, words=("SAME", "DIFFERENT"),
                  extra={"http": result.details, "baseline": written})  # fmt: skip
