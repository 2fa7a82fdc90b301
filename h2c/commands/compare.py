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
import shutil
from pathlib import Path

from h2c import output
from h2c.errors import EnvironmentMissing, InputError

# option -> plugin option; values are passed on as they are (paths made absolute)
PASSED = {
    "heroku_app": "--h2c-compare-heroku-app", "convox_app": "--h2c-compare-convox-app",
    "rack": "--h2c-compare-rack", "heroku_url": "--h2c-compare-heroku-url",
    "convox_url": "--h2c-compare-convox-url", "requests": "--h2c-compare-requests",
    "source": "--h2c-compare-source", "target": "--h2c-compare-target",
    "scheduler": "--h2c-compare-scheduler", "heroku_bin": "--h2c-compare-heroku-bin",
    "convox_bin": "--h2c-compare-convox-bin", "concurrency": "--h2c-compare-concurrency",
    "rate": "--h2c-compare-rate", "max_requests": "--h2c-compare-max-requests",
    "quiet": "--h2c-compare-quiet", "report": "--h2c-compare-report", "junit_xml": "--junit-xml",
}  # fmt: skip
PATHS = ("requests", "scheduler", "report", "junit_xml")


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
    p.add_argument("--heroku-bin", metavar="PATH", help="the heroku CLI (default: on PATH)")
    p.add_argument("--convox-bin", metavar="PATH", help="the convox CLI (default: on PATH)")
    p.add_argument("--concurrency", type=int, default=8, metavar="N")
    p.add_argument("--rate", type=float, default=50.0, metavar="R", help="requests per second")
    p.add_argument("--max-requests", type=int, default=500, metavar="N", help="paths at most")
    p.add_argument("--ignore-header", action="append", default=[], metavar="NAME")
    p.add_argument("--quiet", type=float, default=2.0, metavar="S",
                   help="seconds between the two reads of the source's counts")  # fmt: skip
    p.add_argument("--junit-xml", metavar="F")
    p.add_argument("--report", metavar="F", help="Markdown, or HTML for a .html name")
    p.add_argument("--json", action="store_true", help="the result as JSON on stdout")
    p.set_defaults(func=run)


def _preflight(args: argparse.Namespace) -> None:
    """Bad input and missing CLIs stop here (exit 2 and 3), before pytest starts."""
    app_dir = args.app_dir.resolve()
    if not (app_dir / "convox.yml").is_file():
        raise InputError(str(app_dir / "convox.yml"), f"not found: run `h2c generate {app_dir}`")
    for name, binary in (("heroku", args.heroku_bin), ("convox", args.convox_bin)):
        if shutil.which(binary or name) is None:
            where = f" (looked for {binary})" if binary else " on PATH"
            raise EnvironmentMissing(f"the `{name}` CLI is not installed{where}")
    if args.requests and not Path(args.requests).is_file():
        raise InputError(args.requests, "no such request list")


def plugin_args(args: argparse.Namespace) -> list[str]:
    """The plugin's options for these arguments."""
    out = ["--h2c-compare-app", str(args.app_dir.resolve())]
    for key, flag in PASSED.items():
        value = getattr(args, key)
        if value is None:
            continue
        out += [flag, str(Path(value).resolve()) if key in PATHS else str(value)]
    for name in args.ignore_header:
        out += ["--h2c-compare-ignore-header", name]
    if args.checksums:
        out.append("--h2c-compare-checksums")
    return out


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from h2c.compare.runner import run_compare
    from h2c.gate.summary import render

    _preflight(args)
    result = run_compare(
        plugin_args(args), stdout=2 if args.json else None
    )  # fd 2: stdout keeps the JSON alone
    if args.json:
        doc = {"exit_code": result.exit_code, "checks": [asdict(r) for r in result.records],
               "http": result.details}  # fmt: skip
        output.raw(json.dumps(doc, indent=2) + "\n")
        return result.exit_code
    width = max(shutil.get_terminal_size((160, 24)).columns, 120)
    title = f"h2c compare: Heroku {args.heroku_app} vs Convox {args.convox_app}"
    output.raw(render(result.records, title=title, width=width))
    failed = sum(r.result in ("failed", "error") for r in result.records)
    verdict = "SAME" if result.exit_code == 0 else f"DIFFERENT ({failed} of {len(result.records)})"
    output.info(f"h2c compare: {verdict} (exit {result.exit_code})")
    return result.exit_code
