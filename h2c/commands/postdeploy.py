"""``h2c postdeploy APP_DIR --convox-app NAME``: after each deploy, is the live app still whole?

Read-only on the platform (``convox apps info``, ``ps``, ``services``, ``env --release``, and
one ``convox run`` of h2c.toml's migration *status* command on the active release): the deploy
settled, every service runs, the web endpoint answers, the config is there and unchanged, the
migrations are applied and, against a cut-over baseline (``h2c db snapshot``), no data was lost.
A pytest run underneath (``h2c.postdeploy_checks``), so the summary table, JUnit XML and exit
codes are the gate's: 0 healthy, 1 a check failed, 2 bad input, 3 a CLI or login missing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from h2c.commands._live import cli_binary, finish, require_cli, require_generated
from h2c.commands._live import plugin_args as live_plugin_args
from h2c.errors import InputError

# options passed on to the plugin as they are (paths made absolute), in this order
PASSED = ("convox_app", "rack", "url", "baseline", "target", "timeout", "poll", "http_wait",
          "convox_bin", "junit_xml")  # fmt: skip
PATHS = ("baseline", "junit_xml")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "postdeploy", help="after a deploy: regression checks against the live Convox app"
    )
    p.add_argument("app_dir", type=Path, metavar="APP_DIR")
    p.add_argument("--convox-app", required=True, metavar="NAME")
    p.add_argument("--rack", metavar="RACK")
    p.add_argument("--url", metavar="URL", help="the web endpoint (env H2C_POSTDEPLOY_URL; "
                   "default https://<web domain>); http:// only on loopback")  # fmt: skip
    p.add_argument("--baseline", metavar="FILE", help="the cut-over baseline (h2c db snapshot)")
    p.add_argument("--target", metavar="URL|$VAR", help="the Convox database (read-only)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="S",
                   help="how long the deploy may take to settle (default 600)")  # fmt: skip
    p.add_argument("--poll", type=float, default=5.0, metavar="S",
                   help="seconds between two `convox apps info` (default 5)")  # fmt: skip
    p.add_argument("--http-wait", type=float, default=60.0, metavar="S",
                   help="how long a path may take to answer, retried with backoff")  # fmt: skip
    p.add_argument(
        "--convox-bin", type=cli_binary, metavar="PATH", help="the convox CLI (default: on PATH)"
    )
    p.add_argument("--junit-xml", metavar="F")
    p.add_argument("--json", action="store_true", help="the result as JSON on stdout")
    p.set_defaults(func=run)


def _preflight(args: argparse.Namespace) -> None:
    """Bad input and a missing CLI stop here (exit 2 and 3), before pytest starts."""
    from h2c.postdeploy.settings import load_expected

    require_generated(args.app_dir)
    load_expected(args.app_dir)  # a bad convox.yml or h2c.toml: one line naming file and line
    require_cli("convox", args.convox_bin)
    if args.baseline and not Path(args.baseline).is_file():
        raise InputError(args.baseline, "no such baseline (write one with `h2c db snapshot`)")
    if args.timeout <= 0 or args.poll <= 0 or args.http_wait < 0:
        raise InputError("--timeout/--poll/--http-wait", "must be positive numbers of seconds")


def plugin_args(args: argparse.Namespace) -> list[str]:
    """The plugin's options for these arguments."""
    return live_plugin_args(args, "postdeploy", PASSED, PATHS)


def run(args: argparse.Namespace) -> int:
    from h2c.postdeploy.runner import run_postdeploy

    _preflight(args)
    result = run_postdeploy(plugin_args(args), stdout=2 if args.json else None)
    title = f"h2c postdeploy: Convox {args.convox_app}"
    return finish(args, result, title=title, words=("HEALTHY", "FAILED"))
