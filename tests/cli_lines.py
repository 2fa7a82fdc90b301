"""The ``h2c ...`` command lines of a document (a runbook, a CI workflow), parsed by h2c's own
argument parser, so a documented command cannot drift from the CLI it names."""

from __future__ import annotations

import argparse
import re
import shlex
import textwrap

from h2c.cli import build_parser


def fenced_blocks(markdown: str, lang: str) -> list[str]:
    """The text of every fenced ```` ```lang ```` block (indented ones dedented).

    >>> fenced_blocks("a\\n   ```sh\\n   h2c check\\n   ```\\n```yaml\\nx: 1\\n```\\n", "sh")
    ['h2c check\\n']
    """
    pattern = rf"^([ \t]*)```{re.escape(lang)}[ \t]*\n(.*?)^\1```[ \t]*$"
    return [textwrap.dedent(m[2]) for m in re.finditer(pattern, markdown, re.M | re.S)]


def h2c_command_lines(script: str) -> list[list[str]]:
    """The arguments of every line of a shell script that runs ``h2c`` (``\\``-continued lines
    joined, comments dropped).

    >>> h2c_command_lines('cd x\\n  h2c db snapshot --from "$U" \\\\\\n  -o b.json  # now\\n')
    [['db', 'snapshot', '--from', '$U', '-o', 'b.json']]
    """
    out = []
    for line in script.replace("\\\n", " ").splitlines():
        if line.strip().startswith("h2c "):
            out.append(shlex.split(line, comments=True)[1:])
    return out


def parse_h2c(argv: list[str]) -> argparse.Namespace:
    """``argv`` as ``h2c`` parses it; a usage error (``h2c.cli.UsageError``) otherwise."""
    return build_parser(argv[0]).parse_args(argv)
