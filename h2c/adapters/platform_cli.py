"""The ``heroku`` and ``convox`` CLIs as an adapter: the one subprocess call, its output as values.

CLI output is never put in a message: it holds config values.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence

from h2c.artifacts.envfile import parse_env_lines
from h2c.errors import EnvironmentMissing, H2cError, InputError
from h2c.heroku.config import parse_config
from h2c.secret import Secret


class CliFailed(H2cError):
    """A heroku/convox CLI call exited non-zero (its output is not shown: it may hold values)."""


# What a failed call's stderr says, read only to pick the error: it is never shown.
_NOT_LOGGED_IN = re.compile(
    r"not logged in|invalid credentials|unauthori[sz]ed|invalid login|login required|"
    r"authentication|HEROKU_API_KEY|no racks? (?:found|configured)|ERROR: 401",
    re.IGNORECASE,
)
_NOT_FOUND = re.compile(r"couldn.t find that app|app not found|no such app|not found: app",
                        re.IGNORECASE)  # fmt: skip


def run_cli(argv: Sequence[str], *, timeout_s: float = 120.0, binary: str | None = None) -> str:
    """Run a CLI with stdin closed and return its stdout.

    ``binary`` is the program to run in place of ``argv[0]`` (``--heroku-bin``); messages name
    ``argv[0]``. A CLI that is not installed or not logged in is ``EnvironmentMissing``; an app
    the platform does not know is an ``InputError``; any other failure ``CliFailed``. The
    output of a failed call (stdout or stderr) never reaches a message.
    """
    program = shutil.which(binary or argv[0])
    if program is None:
        where = f" (looked for {binary})" if binary else ""
        raise EnvironmentMissing(
            f"the `{argv[0]}` CLI is not installed{where} (needed for {argv[1]})"
        )
    try:
        done = subprocess.run(
            [program, *argv[1:]],
            stdin=subprocess.DEVNULL,  # `convox env set` & co read a non-TTY stdin to EOF
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CliFailed(f"`{' '.join(argv[:2])}` did not finish in {timeout_s:g} s") from None
    if done.returncode != 0:
        command = " ".join(argv)
        if _NOT_LOGGED_IN.search(done.stderr):
            raise EnvironmentMissing(
                f"the `{argv[0]}` CLI is not logged in (`{argv[0]} login`): `{command}` "
                f"exited {done.returncode}"
            )
        if _NOT_FOUND.search(done.stderr):
            raise InputError(f"`{command}`", "the platform does not know this app (check the name)")
        raise CliFailed(f"`{command}` exited {done.returncode}")
    return done.stdout


def heroku_config_live(app: str) -> dict[str, Secret]:
    """``heroku config --json -a APP``."""
    text = run_cli(["heroku", "config", "--json", "-a", app])
    return {c.key: c.value for c in parse_config(text, file=f"heroku config --json -a {app}")}


def convox_env_live(app: str) -> dict[str, Secret]:
    """``convox env -a APP``."""
    return parse_env_lines(run_cli(["convox", "env", "-a", app]), continuation=True)
