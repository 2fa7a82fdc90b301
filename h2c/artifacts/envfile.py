"""Reading convox.env and ``convox env`` output: the one ``KEY=VALUE`` parser h2c has.

Convox stores a release's env as one text and re-reads it line by line (convox/convox
pkg/structs/environment.go ``Load``): each line is split at its first ``=``, the key is trimmed,
and a line with no ``=`` or an empty key is dropped. There are no comments and no quotes:
``# note=x`` becomes the key ``# note``, ``export B=2`` the key ``export B``. The gate and
``h2c env diff`` both read convox.env through here, so both see what Convox would store.
"""

from __future__ import annotations

from h2c.plan.naming import ENV_KEY_RE
from h2c.secret import Secret


def parse_env_lines(text: str, *, continuation: bool = False) -> dict[str, Secret]:
    """``KEY=VALUE`` lines read as Convox reads them; the last of a repeated key wins.

    With ``continuation`` (``convox env`` output, which prints a multi-line value as it is), a
    line that does not start with an env var name and ``=`` continues the previous value.

    >>> env = parse_env_lines(" A=1\\nexport B=2\\n9C=3\\n# c=4\\nno equals\\n=5\\nD=x=y\\n")
    >>> {k: v.reveal() for k, v in env.items()}
    {'A': '1', 'export B': '2', '9C': '3', '# c': '4', 'D': 'x=y'}
    >>> parse_env_lines("PEM=line1\\nline2\\n")["PEM"].reveal()
    'line1'
    >>> parse_env_lines("A=1\\nPEM=line1\\nline2\\n", continuation=True)["PEM"].reveal()
    'line1\\nline2'
    """
    env: dict[str, str] = {}
    last: str | None = None
    for line in text.split("\n"):
        raw_key, eq, value = line.partition("=")
        key = raw_key.strip()
        if continuation and last is not None and line and not (eq and ENV_KEY_RE.match(raw_key)):
            env[last] += "\n" + line
        elif eq and key:
            env[key], last = value, key
    return {k: Secret(v) for k, v in env.items()}
