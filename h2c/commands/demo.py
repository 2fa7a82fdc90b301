"""``h2c demo``: the main job on the bundled sample app, with a summary at the end."""

from __future__ import annotations

import argparse
from pathlib import Path

from h2c import output
from h2c.errors import EXIT_FAILED, EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="migrate the bundled Django sample end to end, offline"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where to copy the sample (default: a new temporary folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from h2c.commands.demo_steps import run_demo

    demo = run_demo(args.workdir, keep=args.keep or args.workdir is not None)
    output.table(
        "h2c demo",
        ["#", "step", "result", "time", "detail"],
        [
            [i, s.name, s.result, f"{s.seconds:.1f}s", s.detail.splitlines()[0] if s.detail else ""]
            for i, s in enumerate(demo.steps, 1)
        ],
    )
    failed = [s for s in demo.steps if s.result != "ok"]
    output.info(
        f"h2c demo: {'PASS' if not failed else 'FAIL'} "
        f"({len(demo.steps) - len(failed)} of {len(demo.steps)} steps ok)"
    )
    return EXIT_FAILED if failed else EXIT_OK
