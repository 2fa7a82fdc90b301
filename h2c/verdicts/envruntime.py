"""What reached the container's process: its environ, read without a value ever shown, and
the verdict that every expected key reached it with the same value (``h2c.verdicts.envparity``
judges the app env itself)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from h2c.secret import Secret
from h2c.verdicts.envparity import KeyVerdict, Status, short_digest

# Prints the app process's environ as hex bytes: the text never holds a value verbatim, so no
# masking in between can touch it, and it reaches Python only. The app process is PID 1, or,
# under an init (``init: true`` renders as a shared PID namespace; ``docker run --init``), the
# init's lowest-numbered child: the process the image's ENTRYPOINT shim exec'd into, which sees
# the decoded multi-line values (the container's own env, PID 1's under an init, does not).
ENVIRON_SCRIPT = """pid=1
case "$(cat /proc/1/comm 2>/dev/null)" in
docker-init|tini|dumb-init|pause|catatonit|init)
  for d in /proc/[0-9]*; do
    s=$(cat "$d/stat" 2>/dev/null) || continue
    set -- ${s##*) }
    n=${d#/proc/}
    if [ "$2" = 1 ] && { [ "$pid" = 1 ] || [ "$n" -lt "$pid" ]; }; then pid=$n; fi
  done;;
esac
exec od -An -v -tx1 "/proc/$pid/environ"
"""
ENVIRON_ARGS = ["/bin/sh", "-c", ENVIRON_SCRIPT]
_HEX_RE = re.compile(r"^[0-9a-fA-F\s]*$")


def environ_from_hex(text: str) -> dict[str, Secret]:
    """Decode ``od -An -v -tx1`` output of a NUL-separated environ into key -> Secret.

    >>> env = environ_from_hex(" 41 3d 31 00 42 3d 00\\n")
    >>> sorted(env), env["A"].reveal(), env["B"].reveal()
    (['A', 'B'], '1', '')
    """
    if not _HEX_RE.match(text):
        raise ValueError("not od hex output")
    data = bytes.fromhex("".join(text.split()))
    env: dict[str, Secret] = {}
    for entry in data.split(b"\0"):
        if not entry:
            continue
        key, _, value = entry.decode("utf-8", "replace").partition("=")
        env[key] = Secret(value)
    return env


def runtime_diff(expected: Mapping[str, Secret], actual: Mapping[str, Secret]) -> list[KeyVerdict]:
    """Every expected key must reach the process with the same digest.

    >>> [v.status.value for v in runtime_diff({"A": Secret("1"), "B": Secret("2")},
    ...                                       {"A": Secret("1"), "B": Secret("3")})]
    ['ok', 'runtime_differs']
    """
    verdicts = []
    for key in sorted(expected):
        want, got = expected[key], actual.get(key)
        if got is None:
            status, detail = Status.RUNTIME_MISSING, "not in the running process's environment"
        elif got != want:
            status, detail = Status.RUNTIME_DIFFERS, "the running process sees another value"
        else:
            status, detail = Status.OK, ""
        verdicts.append(KeyVerdict(key, status, detail, short_digest(want), short_digest(got)))
    return verdicts
