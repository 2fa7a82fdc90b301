"""``convox run SERVICE CMD --release R``: one command's exit status, for ``h2c postdeploy``.

``convox run`` joins its arguments, re-splits them and execs them without a shell, with the
remote exit code as its own and the remote stderr on stdout: a non-zero exit is an answer here
(migrations pending), not a failure of the call. Only a missing or logged-out CLI is an error.
Stdin is closed (a non-TTY stdin is read to EOF); the output is never returned or shown, it may
hold values.
"""

from __future__ import annotations

import shutil
import subprocess

from h2c.adapters.convox_cli import ConvoxCli
from h2c.adapters.platform_cli import _NOT_FOUND, _NOT_LOGGED_IN, CliFailed
from h2c.errors import EnvironmentMissing, InputError


def run_status(
    cli: ConvoxCli, service: str, command: str, *, release: str, timeout_s: float = 600.0
) -> int:
    """The exit status of ``command`` run once in ``service`` on ``release``."""
    program = shutil.which(cli.binary or "convox")
    if program is None:
        raise EnvironmentMissing("the `convox` CLI is not installed (needed for run)")
    rack = ["-r", cli.rack] if cli.rack else []
    argv = [program, "run", service, command, "--release", release, "-a", cli.app, *rack]
    shown = f"convox run {service} '{command}' --release {release} -a {cli.app}"
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout_s, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise CliFailed(f"`{shown}` did not finish in {timeout_s:g} s") from None
    if done.returncode != 0:
        said = done.stderr + done.stdout
        if _NOT_LOGGED_IN.search(said):
            raise EnvironmentMissing(f"the `convox` CLI is not logged in (`convox login`): "
                                     f"`{shown}` exited {done.returncode}")  # fmt: skip
        if _NOT_FOUND.search(done.stderr):
            raise InputError(f"`{shown}`", "the platform does not know this app (check the name)")
    return done.returncode
