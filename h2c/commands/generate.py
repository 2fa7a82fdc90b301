"""``h2c generate``: write the Convox artifacts for a Heroku app."""

from __future__ import annotations

import argparse
from pathlib import Path

from h2c import output
from h2c.adapters.files import WRITES, Action, apply_writes, existing_layout, plan_writes
from h2c.commands._inputs import add_app_arguments, add_flag, load_from_args
from h2c.errors import EXIT_FAILED, EXIT_OK, InputError
from h2c.model import Severity

SEED_FILES = frozenset({"h2c.toml"})


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("generate", help="write Dockerfile, convox.yml and the rest")
    add_app_arguments(parser)
    parser.add_argument("--out", type=Path, help="where to write (default: APP_DIR)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if any artifact would change")
    mode.add_argument("--dry-run", action="store_true", help="print a diff, write nothing")
    parser.add_argument("--force", action="store_true", help="replace files you edited")
    add_flag(
        parser,
        "--adopt-dockerfile",
        "build with the app's own Dockerfile (the gate judges it) instead of writing "
        "Dockerfile.convox beside it",
    )
    add_flag(
        parser,
        "--adopt-compose",
        "use the app's own docker-compose.yml as the Gen1 manifest instead of writing "
        "docker-compose.convox.yml beside it",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from h2c.render.bundle import render_all
    from h2c.render.layout import DOCKERIGNORE_FILE, file_notes

    spec = load_from_args(args)
    out_dir: Path = args.out or args.app_dir
    layout = existing_layout(
        out_dir, adopt_dockerfile=args.adopt_dockerfile, adopt_compose=args.adopt_compose
    )
    rendered = render_all(spec, layout)
    merged = frozenset({DOCKERIGNORE_FILE}) if layout.dockerignore is not None else frozenset()
    outcomes = plan_writes(
        rendered.files, out_dir, force=args.force, seeds=SEED_FILES, merged=merged
    )
    for finding in rendered.findings:
        if finding.severity is not Severity.INFO:
            output.finding(str(finding))
    if args.dry_run:
        for outcome in outcomes:
            output.raw(outcome.diff)
        return EXIT_OK
    changing = [o for o in outcomes if o.action in WRITES]
    if args.check:
        for outcome in outcomes:
            if outcome.action is Action.KEPT_EDITED:
                output.info(f"edited by you (not drift): {out_dir / outcome.path}")
            elif outcome.action is Action.KEPT_FOREIGN:
                output.info(f"not written by h2c (not drift): {out_dir / outcome.path}")
        for outcome in changing:
            output.info(f"drift: {out_dir / outcome.path} would {outcome.action.value}")
        if changing:
            return EXIT_FAILED
        output.info(f"up to date: {len(outcomes)} artifacts in {out_dir}")
        return EXIT_OK
    _make_folder(out_dir)
    apply_writes(rendered.files, out_dir, outcomes)
    notes = file_notes(layout)
    for outcome in outcomes:
        note = f"  ({notes[outcome.path]})" if outcome.path in notes else ""
        output.info(f"{outcome.action.value:>9}  {out_dir / outcome.path}{note}")
    return EXIT_OK


def _make_folder(out_dir: Path) -> None:
    """Create ``--out`` (exit 2 naming it when it cannot be: a file, /proc, read-only)."""
    from h2c.adapters.atomic import write_error

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(
            str(out_dir), "is a file, not a folder: name a folder to write to"
        ) from None
    except OSError as error:
        raise write_error(out_dir, error) from None
