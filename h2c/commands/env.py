"""``h2c env diff`` and ``h2c env export``: env parity between Heroku and Convox.

``diff`` prints one row per key (status and 4 hex chars of each side's digest, never a value)
and exits 1 when any key fails. ``export`` writes the env Convox needs in a chosen format to a
file created with mode 0600; it prints values to stdout only when asked with ``-o -``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from h2c import output
from h2c.errors import EXIT_FAILED, EXIT_OK, InputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("env", help="compare or export the app's env")
    sub = parser.add_subparsers(dest="env_command", metavar="ACTION")
    sub.required = True

    d = sub.add_parser("diff", help="compare Heroku's config with the Convox env, by digest")
    _common(d)
    d.add_argument("--convox-app", metavar="NAME", help="read the live `convox env -a NAME`")
    d.add_argument("--json", action="store_true", help="print JSON instead of a table")
    d.set_defaults(func=run_diff)

    e = sub.add_parser("export", help="write the env Convox needs (convox, dotenv or json)")
    _common(e)
    e.add_argument("--format", required=True, choices=("convox", "dotenv", "json"))
    e.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="file to write (mode 0600); - = stdout",
    )
    e.set_defaults(func=run_export)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_dir", metavar="APP_DIR", type=Path, help="the app's folder")
    parser.add_argument("--config", type=Path, help="output of `heroku config -s` or `--json`")
    parser.add_argument("--addons", type=Path, help="output of `heroku addons --json`")
    parser.add_argument("--heroku-app", metavar="NAME", help="read the live `heroku config`")


def run_diff(args: argparse.Namespace) -> int:
    from h2c.artifacts.envsides import load_sides

    sides = load_sides(
        args.app_dir,
        config=args.config,
        addons=args.addons,
        heroku_app=args.heroku_app,
        convox_app=args.convox_app,
    )
    verdicts = sides.diff()
    failed = [v for v in verdicts if v.fails]
    if args.json:
        rows = [
            {
                "key": v.key,
                "status": v.status.value,
                "fails": v.fails,
                "heroku": v.heroku,
                "convox": v.convox,
                "detail": v.detail,
            }
            for v in verdicts
        ]
        output.raw(json.dumps({"keys": rows, "failed": len(failed)}, indent=2) + "\n")
    else:
        output.table(
            f"env diff: {args.app_dir}",
            ["key", "status", "heroku", "convox", "detail"],
            [
                (v.key, v.status.value + (" FAIL" if v.fails else ""), v.heroku, v.convox, v.detail)
                for v in verdicts
            ],
        )
        verdict = f"FAIL ({len(failed)} of {len(verdicts)} keys)" if failed else "PASS"
        output.info(f"h2c env diff: {verdict}")
    return EXIT_FAILED if failed else EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from h2c.adapters.platform_cli import heroku_config_live
    from h2c.heroku.app import load_app
    from h2c.plan.planner import plan
    from h2c.render.envexport import export

    if args.config is None and not args.heroku_app:
        raise InputError(str(args.app_dir), "no Heroku side: pass --config FILE or --heroku-app")
    spec = load_app(args.app_dir, config=args.config, addons=args.addons)
    config = (
        heroku_config_live(args.heroku_app)
        if args.heroku_app
        else {c.key: c.value for c in spec.config}
    )
    if args.heroku_app:
        from dataclasses import replace

        from h2c.model import ConfigVar

        spec = replace(spec, config=tuple(ConfigVar(k, v) for k, v in config.items()))
    keys = plan(spec).copy_keys
    result = export({k: config[k] for k in keys if k in config}, args.format)
    if args.output == "-":
        output.raw(result.text)
    else:
        write_private(Path(args.output), result.text)
        output.info(f"wrote {len(keys)} keys to {args.output} (mode 0600)")
    for key in result.flagged:
        output.warn(
            f"{key} is multi-line: Convox env cannot hold it, so it is written as its base64 twin "
            f"H2C_B64_{key}; the image needs the h2c-env entrypoint that decodes it and "
            "convox.yml must declare the twin (`h2c generate` writes both)"
        )
    return EXIT_OK


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600 from the first byte, replacing it atomically.

    A folder there is refused (exit 2); a failed write leaves the old file as it was.
    """
    from h2c.adapters.atomic import write_atomic

    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            str(path), "cannot be written as UTF-8: a value holds a lone surrogate"
        ) from None
    write_atomic(path, data, 0o600)
