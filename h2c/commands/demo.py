"""``h2c demo``: the main job on a bundled sample app, with a summary at the end."""

from __future__ import annotations

import argparse
from pathlib import Path

from h2c import output
from h2c.errors import EXIT_FAILED, EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from h2c.commands.demo_steps import DEFAULT_SAMPLE, SAMPLES

    parser = subparsers.add_parser(
        "demo",
        help="migrate a bundled sample app end to end, offline (Django; --app node: Node.js)",
    )
    parser.add_argument(
        "--app",
        choices=sorted(SAMPLES),
        default=DEFAULT_SAMPLE,
        help="which bundled sample: django (web, release, worker on Postgres; the default) or "
        "node (Express, a worker and knex migrations on Postgres)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="where to copy the sample (default: a new temporary folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from h2c.commands.demo_steps import run_demo

    demo = run_demo(args.workdir, keep=args.keep or args.workdir is not None, sample=args.app)
    output.table(
        f"h2c demo: the bundled {demo.sample.label} sample",
        ["#", "step", "result", "time", "detail"],
        [
            [i, s.name, s.result, f"{s.seconds:.1f}s", s.detail.splitlines()[0] if s.detail else ""]
            for i, s in enumerate(demo.steps, 1)
        ],
    )
    failed = [s for s in demo.steps if s.result != "ok"]
    output.info(
        f"h2c demo: {'PASS' if not failed else 'FAIL'} "
        f"({len(demo.steps) - len(failed)} of {len(demo.steps)} steps ok) "
        f"on the bundled {demo.sample.label} sample ({demo.sample.name})"
    )
    return EXIT_FAILED if failed else EXIT_OK
