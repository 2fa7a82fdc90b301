"""The ``heroku`` and ``convox`` CLIs as an adapter: the one subprocess call, its output as values.

CLI output is never put in a message: it holds config values.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from h2c.artifacts.envfile import parse_env_lines
from h2c.errors import EnvironmentMissing, H2cError
from h2c.heroku.config import parse_config
from h2c.secret import Secret


class CliFailed(H2cError):
    """A heroku/convox CLI call exited non-zero (its output is not shown: it may hold values)."""


def run_cli(argv: Sequence[str], *, timeout_s: float = 120.0) -> str:
    """Run a CLI and return its stdout; EnvironmentMissing when it is not installed."""
    if shutil.which(argv[0]) is None:
        raise EnvironmentMissing(f"the `{argv[0]}` CLI is not installed (needed for {argv[1]})")
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise CliFailed(f"`{' '.join(argv[:2])}` did not finish in {timeout_s:g} s") from None
    if done.returncode != 0:
        raise CliFailed(f"`{' '.join(argv)}` exited {done.returncode}")
    return done.stdout


def heroku_config_live(app: str) -> dict[str, Secret]:
    """``heroku config --json -a APP``."""
    text = run_cli(["heroku", "config", "--json", "-a", app])
    return {c.key: c.value for c in parse_config(text, file=f"heroku config --json -a {app}")}


def convox_env_live(app: str) -> dict[str, Secret]:
    """``convox env -a APP``."""
    return parse_env_lines(run_cli(["convox", "env", "-a", app]), continuation=True)
