"""Reading convox.env and ``convox env`` output: the one ``KEY=VALUE`` parser h2c has."""

from __future__ import annotations

from h2c.plan.naming import ENV_KEY_RE as _KEY_RE
from h2c.secret import Secret


def parse_env_lines(text: str, *, continuation: bool = True) -> dict[str, Secret]:
    """``KEY=VALUE`` lines as ``convox env`` prints them, split at the first ``=``, no quotes.

    With ``continuation`` a line that does not start with ``KEY=`` continues the previous value
    (how ``convox env`` prints a multi-line value). Without it (a convox.env file, read the way
    ``convox env set`` reads stdin) such lines and ``#`` comments are skipped, so a multi-line
    value keeps only its first line, as it would on Convox.

    >>> env = parse_env_lines("A=1\\nPEM=line1\\nline2\\nB=x=y\\n")
    >>> env["PEM"].reveal(), env["B"].reveal()
    ('line1\\nline2', 'x=y')
    >>> parse_env_lines("PEM=line1\\nline2\\n", continuation=False)["PEM"].reveal()
    'line1'
    """
    env: dict[str, str] = {}
    last: str | None = None
    for line in text.split("\n"):
        key, eq, value = line.partition("=")
        if eq and _KEY_RE.match(key):
            env[key], last = value, key
        elif continuation and last is not None and line:
            env[last] += "\n" + line
    return {k: Secret(v) for k, v in env.items()}
