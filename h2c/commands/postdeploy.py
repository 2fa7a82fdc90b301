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
import shutil
from pathlib import Path

from h2c import output
from h2c.errors import EnvironmentMissing, InputError

# option -> plugin option; values are passed on as they are (paths made absolute)
PASSED = {
    "convox_app": "--h2c-postdeploy-convox-app", "rack": "--h2c-postdeploy-rack",
    "url": "--h2c-postdeploy-url", "baseline": "--h2c-postdeploy-baseline",
    "target": "--h2c-postdeploy-target", "timeout": "--h2c-postdeploy-timeout",
    "poll": "--h2c-postdeploy-poll", "http_wait": "--h2c-postdeploy-http-wait",
    "convox_bin": "--h2c-postdeploy-convox-bin", "junit_xml": "--junit-xml",
}  # fmt: skip
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
    p.add_argument("--convox-bin", metavar="PATH", help="the convox CLI (default: on PATH)")
    p.add_argument("--junit-xml", metavar="F")
    p.add_argument("--json", action="store_true", help="the result as JSON on stdout")
    p.set_defaults(func=run)


def _preflight(args: argparse.Namespace) -> None:
    """Bad input and a missing CLI stop here (exit 2 and 3), before pytest starts."""
    app_dir = args.app_dir.resolve()
    if not (app_dir / "convox.yml").is_file():
        raise InputError(str(app_dir / "convox.yml"), f"not found: run `h2c generate {app_dir}`")
    if shutil.which(args.convox_bin or "convox") is None:
        where = f" (looked for {args.convox_bin})" if args.convox_bin else " on PATH"
        raise EnvironmentMissing(f"the `convox` CLI is not installed{where}")
    if args.baseline and not Path(args.baseline).is_file():
        raise InputError(args.baseline, "no such baseline (write one with `h2c db snapshot`)")
    if args.timeout <= 0 or args.poll <= 0 or args.http_wait < 0:
        raise InputError("--timeout/--poll/--http-wait", "must be positive numbers of seconds")


def plugin_args(args: argparse.Namespace) -> list[str]:
    """The plugin's options for these arguments."""
    out = ["--h2c-postdeploy-app", str(args.app_dir.resolve())]
    for key, flag in PASSED.items():
        value = getattr(args, key)
        if value is not None:
            out += [flag, str(Path(value).resolve()) if key in PATHS else str(value)]
    return out


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from h2c.gate.summary import render
    from h2c.postdeploy.runner import run_postdeploy

    _preflight(args)
    result = run_postdeploy(plugin_args(args), stdout=2 if args.json else None)
    if args.json:
        doc = {"exit_code": result.exit_code, "checks": [asdict(r) for r in result.records]}
        output.raw(json.dumps(doc, indent=2) + "\n")
        return result.exit_code
    width = max(shutil.get_terminal_size((160, 24)).columns, 120)
    output.raw(render(result.records, title=f"h2c postdeploy: Convox {args.convox_app}",
                      width=width))  # fmt: skip
    failed = sum(r.result in ("failed", "error") for r in result.records)
    verdict = "HEALTHY" if result.exit_code == 0 else f"FAILED ({failed} of {len(result.records)})"
    output.info(f"h2c postdeploy: {verdict} (exit {result.exit_code})")
    return result.exit_code
