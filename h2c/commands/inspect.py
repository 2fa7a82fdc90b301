"""``h2c inspect``: what h2c detected in a Heroku app, and what it will become on Convox."""

from __future__ import annotations

import argparse
import json

from h2c import output
from h2c.commands._inputs import add_app_arguments, load_from_args
from h2c.errors import EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("inspect", help="show what was detected in a Heroku app")
    add_app_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from h2c.plan.planner import plan
    from h2c.render.inspection import describe

    spec = load_from_args(args)
    report = describe(spec, plan(spec))
    if args.json:
        output.raw(json.dumps(report, indent=2) + "\n")
        return EXIT_OK
    rt = report["runtime"]
    output.table(
        f"{report['app']}: runtime",
        ["language", "version", "decided by", "package manager", "framework", "apt", "hooks"],
        [
            [
                rt["language"],
                rt["version"],
                rt["version_source"],
                rt["package_manager"],
                rt["framework"] or "-",
                " ".join(rt["apt_packages"]) or "-",
                " ".join(rt["hooks"]) or "-",
            ]
        ],
    )
    output.table(
        "processes",
        ["process", "convox service", "role", "command"],
        [[p["process"], p["service"] or "-", p["role"], p["command"]] for p in report["processes"]],
    )
    output.table(
        "add-ons",
        ["add-on", "plan", "as", "becomes"],
        [
            [a["service"], a["plan"] or "-", a["as"], a["resource"] or "needs a decision"]
            for a in report["addons"]
        ],
    )
    env = report["env"]
    output.table(
        "config vars (keys only)",
        ["class", "count", "keys"],
        [[name.replace("_", " "), len(keys), " ".join(keys) or "-"] for name, keys in env.items()],
    )
    for finding in report["findings"]:
        line = f":{finding['line']}" if finding["line"] else ""
        where = f"{finding['file']}{line}: " if finding["file"] else ""
        output.info(f"{finding['severity']}: {where}{finding['message']}")
    return EXIT_OK
