"""``h2c check APP_DIR``: run the gate on an app's generated artifacts and print the verdict.

Exit codes: 0 every check passed, 1 a check failed, 2 bad input (no artifacts, bad
h2c.toml), 3 the machine lacks something (Docker engine, a base or resource image).
Arguments h2c does not know go to pytest unchanged (``h2c check APP --settle 2 -k image``).
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from h2c import output
from h2c.commands._inputs import add_app_arguments, add_flag
from h2c.errors import EXIT_ENVIRONMENT


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--junit-xml", type=Path, help="also write a JUnit XML report")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep containers for debugging (their env holds the app's secrets)",
    )
    parser.add_argument("--settle", type=seconds, help="seconds each process must stay up")
    parser.add_argument(
        "--plan", action="store_true", help="show how the gate will run each service; run nothing"
    )
    parser.add_argument("--json", action="store_true", help="with --plan: the plan as JSON")
    add_flag(
        parser,
        "--require-heroku-side",
        "fail (not skip) the env parity checks when there is no Heroku config export "
        "(also: H2C_REQUIRE_HEROKU_SIDE=1)",
    )


KEEP_WARNING = (
    "--keep: the gate's containers stay after it ends, and their env holds the app's secrets "
    "(convox.env's values); remove them when done: "
    "docker rm -f $(docker ps -aq --filter label=dev.h2c.managed)"
)


def seconds(text: str) -> float:
    """A number of seconds, at least 0 (``--settle``); else a usage error (exit 2).

    >>> seconds("2.5")
    2.5
    >>> seconds("-1")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a number of seconds, at least 0, got '-1'
    """
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds, at least 0, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check", help="run the gate: build, run and probe the generated artifacts"
    )
    add_app_arguments(parser)
    _add_options(parser)
    parser.add_argument(
        "pytest_args", nargs=argparse.REMAINDER, metavar="PYTEST_ARGS", help="passed on to pytest"
    )
    parser.set_defaults(func=run)


def split_rest(args: argparse.Namespace) -> list[str]:
    """Options given after APP_DIR land in the remainder: take back ours, pass the rest on.

    The plugin's ``--h2c-summary FILE`` is taken back too: h2c passes its own summary path to
    pytest and reads the table from there, so the user's path becomes that path (``h2c_summary``).

    >>> ns = argparse.Namespace(config=None, addons=None, formation=None, junit_xml=None,
    ...                         keep=False, settle=None, pytest_args=["--settle", "4", "-k",
    ...                         "image", "--h2c-summary=s.json", "--", "-x"])
    >>> split_rest(ns), ns.settle, ns.h2c_summary
    (['-k', 'image', '-x'], 4.0, PosixPath('s.json'))
    """
    from h2c.cli import _Parser  # a bad value there is a usage error (exit 2) too

    again = _Parser(prog="h2c check", add_help=False, allow_abbrev=False)
    for flag in ("--config", "--addons", "--formation", "--scheduler"):
        again.add_argument(flag, type=Path, default=getattr(args, flag[2:], None))
    _add_options(again)
    again.add_argument("--h2c-summary", type=Path, default=getattr(args, "h2c_summary", None))
    again.set_defaults(junit_xml=args.junit_xml, keep=args.keep, settle=args.settle)
    again.set_defaults(
        **{k: getattr(args, k, False) for k in ("plan", "json", "require_heroku_side")}
    )
    known, rest = again.parse_known_args([a for a in args.pytest_args if a != "--"])
    for key, value in vars(known).items():
        setattr(args, key, value)
    return rest


def run_argv(argv: Sequence[str], *, extra_env: Mapping[str, str]) -> int:
    """``h2c check`` from argv, with variables added to the gate's environment only."""
    from h2c.cli import build_parser

    return run(build_parser("check").parse_args(list(argv)), extra_env=extra_env)


def run(args: argparse.Namespace, *, extra_env: Mapping[str, str] | None = None) -> int:
    from h2c.artifacts.app import load_target
    from h2c.gate.runner import run_gate
    from h2c.gate.summary import render

    app_dir = args.app_dir.resolve()
    extra = split_rest(args)  # a bad option value after APP_DIR is a usage error (exit 2)
    load_target(app_dir)  # bad input (no folder, never generated) stops here with exit 2
    if args.plan:
        return show_plan(args, app_dir)
    if args.keep:
        output.warn(KEEP_WARNING)
    if args.require_heroku_side:
        extra_env = {**(extra_env or {}), "H2C_REQUIRE_HEROKU_SIDE": "1"}
    result = run_gate(
        app_dir,
        config=_abs(args.config),
        addons=_abs(args.addons),
        formation=_abs(args.formation),
        junit_xml=_abs(args.junit_xml),
        keep=args.keep,
        settle=args.settle,
        summary=_abs(args.h2c_summary),
        extra=extra,
        extra_env=extra_env or {},
    )
    width = max(shutil.get_terminal_size((160, 24)).columns, 120)
    output.raw(render(result.records, title=f"h2c gate: {app_dir}", width=width))
    failed = sum(r.result in ("failed", "error") for r in result.records)
    total = len(result.records)
    verdict = "PASS" if result.exit_code == 0 else f"FAIL ({failed} of {total} checks)"
    lacking = [r.reason for r in result.records if r.kind == "environment" and r.reason]
    if result.exit_code == EXIT_ENVIRONMENT and lacking:
        verdict = f"STOPPED, this machine lacks what the gate needs: {lacking[0]}"
    output.info(f"h2c check: {verdict} (exit {result.exit_code})")
    return result.exit_code


def _abs(path: Path | None) -> Path | None:
    return path.resolve() if path is not None else None


def show_plan(args: argparse.Namespace, app_dir: Path) -> int:
    """``--plan``: how the gate will run each service, without running anything."""
    import json

    from h2c.artifacts.app import load_target
    from h2c.runplan.plan import run_plan

    app = load_target(
        app_dir, config=_abs(args.config), addons=_abs(args.addons), formation=_abs(args.formation)
    )
    plan = run_plan(app)
    if args.json:
        output.raw(json.dumps(plan, indent=2, sort_keys=True) + "\n")
        return 0
    rows = []
    for name, svc in plan["services"].items():
        health = svc["health"]
        rows.append((
            name, svc["process"] or "-", " ".join(svc["entrypoint"]) or "-", " ".join(svc["argv"]),
            svc["port"] or "-", health["path"] if health else "-", "yes" if svc["init"] else "no",
            f"{svc['termination_grace']} s", f"{svc['memory_mb']} MB / {svc['cpu_millicores']} m",
            " ".join(svc["resources"]) or "-",
        ))  # fmt: skip
    columns = ("service", "process", "entrypoint", "argv", "port", "health", "init", "grace",
               "memory / cpu", "resources")  # fmt: skip
    output.table(f"h2c check --plan: {app_dir}", columns, rows)
    for name, svc in plan["services"].items():
        env_rows = [(k, e["source"], e["digest"]) for k, e in svc["env"].items()]
        output.table(f"{name}: env", ("key", "source", "digest (keyed per run)"), env_rows)
    if plan["build_args"]:
        args_rows = [
            (k, a["digest"] or "(not in the app env)") for k, a in plan["build_args"].items()
        ]
        output.table("build args", ("ARG", "digest"), args_rows)
    if plan["timers"]:
        timer_rows = [(n, t["schedule"], t["service"], " ".join(t["argv"]))
                      for n, t in plan["timers"].items()]  # fmt: skip
        output.table("timers", ("timer", "schedule", "service", "argv"), timer_rows)
    if plan["overlaid_resources"]:
        output.warn(
            "overlaid (the app env sets their URL; Convox does not start them): "
            + ", ".join(plan["overlaid_resources"])
        )
    return 0
