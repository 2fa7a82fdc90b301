"""Arguments shared by the commands that read a Heroku app."""

from __future__ import annotations

import argparse
from pathlib import Path

from h2c.model import AppSpec


def add_app_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_dir", metavar="APP_DIR", type=Path, help="the Heroku app's folder")
    parser.add_argument(
        "--config", type=Path, help="output of `heroku config -s` or `heroku config --json`"
    )
    parser.add_argument("--addons", type=Path, help="output of `heroku addons --json`")
    parser.add_argument(
        "--formation", type=Path, help="output of `heroku ps:scale` (web=2:Standard-2X ...)"
    )
    parser.add_argument(
        "--scheduler",
        type=Path,
        help="Heroku Scheduler jobs as its API returns them (JSON): they become timers",
    )


def add_flag(parser: argparse.ArgumentParser, flag: str, help: str) -> None:
    """An on/off option (``store_true``)."""
    parser.add_argument(flag, action="store_true", help=help)


def load_from_args(args: argparse.Namespace) -> AppSpec:
    from h2c.heroku.app import load_app

    return load_app(
        args.app_dir,
        config=args.config,
        addons=args.addons,
        formation=args.formation,
        scheduler=getattr(args, "scheduler", None),
    )
