"""Format the env that Convox needs, for people and tools: convox, dotenv or JSON. Pure.

- ``convox``: ``KEY=VALUE`` exactly, no quotes, for ``convox env set`` (which reads stdin
  lines split at the first ``=``, no quote stripping). A multi-line value cannot go through
  stdin: it is left out and flagged, to be set as an argument (``KEY="$(cat file)"``).
- ``dotenv``: the python-dotenv dialect, always single-quoted (no ``${}`` interpolation), with
  ``\\`` and ``'`` backslash-escaped and newlines kept inside the quotes: exact for any value.
- ``json``: ``{"KEY": "value"}``, the shape of ``heroku config --json``, exact for any value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from h2c.render.multiline import twin_env_lines
from h2c.secret import Secret

FORMATS = ("convox", "dotenv", "json")


@dataclass(frozen=True)
class Export:
    text: str
    flagged: tuple[str, ...] = ()  # multi-line keys carried by base64 twins in a convox export


def format_convox(env: Mapping[str, Secret]) -> Export:
    """``KEY=VALUE`` lines; a multi-line value as its base64 twin (``h2c.render.multiline``),
    flagged: the image needs the h2c-env entrypoint that decodes it.

    >>> e = format_convox({"A": Secret("x='1' y"), "PEM": Secret("a\\nb")})
    >>> e.text, e.flagged
    ("A=x='1' y\\nH2C_B64_PEM=YQpi\\n", ('PEM',))
    """
    lines, flagged = [], []
    for key, value in env.items():
        if value.is_multiline:
            flagged.append(key)
            lines += [line + "\n" for line in twin_env_lines({key: value})]
        else:
            lines.append(f"{key}={value.reveal()}\n")
    return Export("".join(lines), tuple(flagged))


def dotenv_quote(value: str) -> str:
    """A python-dotenv single-quoted value.

    >>> print(dotenv_quote("it's ${HOME}"), dotenv_quote("a\\\\b"))
    'it\\'s ${HOME}' 'a\\\\b'
    """
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def format_dotenv(env: Mapping[str, Secret]) -> Export:
    """``KEY='value'`` lines that python-dotenv reads back exactly.

    >>> print(format_dotenv({"A": Secret("1"), "PEM": Secret("a\\nb")}).text, end="")
    A='1'
    PEM='a
    b'
    """
    return Export("".join(f"{k}={dotenv_quote(v.reveal())}\n" for k, v in env.items()))


def format_json(env: Mapping[str, Secret]) -> Export:
    """A JSON object in the given key order.

    >>> print(format_json({"A": Secret("x\\ny")}).text, end="")
    {
      "A": "x\\ny"
    }
    """
    doc = {key: value.reveal() for key, value in env.items()}
    return Export(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def export(env: Mapping[str, Secret], fmt: str) -> Export:
    """Format ``env`` as ``fmt`` (one of ``FORMATS``)."""
    formatters = {"convox": format_convox, "dotenv": format_dotenv, "json": format_json}
    if fmt not in formatters:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return formatters[fmt](env)
