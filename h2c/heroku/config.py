"""Read Heroku config exports: ``heroku config -s`` (shell) or ``heroku config --json``.

Values become Secrets at once, and no message here ever quotes one: errors name the file, the
line (or JSON pointer) and the key, never the value.

The shell reader is the exact inverse of the CLI's quoting (heroku/cli src/lib/config/quote.ts),
so ``parse_config(format_shell(x))`` gives back ``x`` for any value, for the CLI of today. Two
quotings are in the wild: before heroku/cli v11.9.0 (PR #3833) a backslash inside single quotes
was doubled, since then single-quoted text is literal. An odd run of backslashes inside single
quotes proves the new one (the whole file is then read so); when only even runs occur the text
cannot tell, and the reader stops, naming the key, and asks for ``heroku config --json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from h2c.errors import InputError, Location
from h2c.heroku.jsonshape import KEY_RE, kind_of, load_json, pointer
from h2c.model import ConfigVar
from h2c.secret import Secret

# JavaScript's \s, which quote.ts tests with: it differs from Python's \s (no \x1c-\x1f, no
# \x85, but U+FEFF), so it is spelled out.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_NEEDS_QUOTES = re.compile('["' + _JS_SPACE + r"#!$&'()*,:;<=>?@\[\\\]^`{|}]")
_NEEDS_DOUBLE = re.compile("['\n]")
_DOUBLE_ESCAPED = re.compile(r'(["\\$`!])')
_DOUBLE_UNESCAPE = {'"': '"', "\\": "\\", "$": "$", "`": "`", "!": "!", "n": "\n"}
_DOUBLE_BODY = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"')
_ESCAPE = re.compile(r"\\(.)")
_BACKSLASHES = re.compile(r"\\+")
_AMBIGUOUS = (
    "a backslash inside single quotes reads two ways (heroku/cli before v11.9.0 doubled it, "
    "later versions print it as is), and nothing in this file tells which CLI wrote it; "
    "export the config with `heroku config --json` instead (it is exact)"
)


def quote_heroku(value: str, *, legacy: bool = False) -> str:
    r"""Quote a value exactly as ``heroku config -s`` does (``legacy``: a CLI before v11.9.0).

    >>> quote_heroku("plain"), quote_heroku(""), quote_heroku("postgres://u:p@h/db")
    ('plain', '', "'postgres://u:p@h/db'")
    >>> print(quote_heroku("it's $5\nok"), quote_heroku("a\\b c"))
    "it's \$5\nok" 'a\b c'
    >>> print(quote_heroku("a\\b c", legacy=True))
    'a\\b c'
    """
    if not _NEEDS_QUOTES.search(value):
        return value
    if _NEEDS_DOUBLE.search(value):
        return '"' + _DOUBLE_ESCAPED.sub(r"\\\1", value).replace("\n", "\\n") + '"'
    return "'" + (value.replace("\\", "\\\\") if legacy else value) + "'"


def format_shell(
    config: Mapping[str, str | Secret] | Iterable[ConfigVar], *, legacy: bool = False
) -> str:
    """``KEY=quote(value)`` lines, as ``heroku config -s`` prints them.

    >>> print(format_shell({"A": "x y", "B": "1"}), end="")
    A='x y'
    B=1
    """
    pairs = config.items() if isinstance(config, Mapping) else ((c.key, c.value) for c in config)
    lines = []
    for key, value in pairs:
        text = value.reveal() if isinstance(value, Secret) else value
        lines.append(f"{key}={quote_heroku(text, legacy=legacy)}\n")
    return "".join(lines)


def parse_config(text: str, *, file: str) -> tuple[ConfigVar, ...]:
    """Parse a config export, telling JSON from the shell format by its first character.

    >>> [(c.key, c.value.reveal(), c.line) for c in parse_config("A='x y'\\nB=1\\n", file="c")]
    [('A', 'x y', 1), ('B', '1', 2)]
    >>> [(c.key, c.value.reveal()) for c in parse_config('{"A": "x"}', file="c.json")]
    [('A', 'x')]
    """
    text = text.removeprefix("\ufeff")
    if text.lstrip().startswith(("{", "[")):
        return _parse_json(text, file)
    return _parse_shell(text, file)


def _parse_json(text: str, file: str) -> tuple[ConfigVar, ...]:
    duplicates: list[str] = []

    def pairs_hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        seen: dict[str, object] = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    doc = load_json(text, file, pairs_hook=pairs_hook)
    if not isinstance(doc, dict):
        raise InputError(
            Location(file, pointer=""),
            f"expected a JSON object of config vars, got {kind_of(doc)}",
        )
    if duplicates:
        raise InputError(Location(file, pointer=pointer(duplicates[0])), "duplicate key")
    result = []
    for key, value in doc.items():
        ptr = pointer(key)
        _check_key(key, Location(file, pointer=ptr))
        if not isinstance(value, str):
            # kind only: a config value is never shown, even a wrongly typed one
            raise InputError(
                Location(file, pointer=ptr), f"expected a string, got {kind_of(value)}"
            )
        result.append(ConfigVar(key=key, value=Secret(value)))
    return tuple(result)


def _check_key(key: str, where: Location) -> None:
    if not KEY_RE.match(key):
        raise InputError(
            where,
            "invalid config var name: expected letters, digits and '_', not starting with a digit",
        )


def _shell_lines(text: str, file: str) -> list[tuple[str, int, str]]:
    """``(key, line, the text after "=")`` for each assignment; quotes never span lines in
    Heroku's output, and a line may end in CRLF."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    seen: dict[str, int] = {}
    found = []
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        stripped = line.lstrip()
        if not stripped.rstrip() or stripped.startswith("#"):
            continue
        key, eq, rest = line.partition("=")
        if not eq:
            raise InputError(Location(file, number), "expected KEY=value")
        _check_key(key, Location(file, number))
        if key in seen:
            raise InputError(
                Location(file, number), f"duplicate key {key} (first on line {seen[key]})"
            )
        seen[key] = number
        found.append((key, number, rest))
    return found


def _single_body(rest: str, file: str, number: int) -> str:
    close = rest.find("'", 1)
    if close < 0:
        raise InputError(
            Location(file, number),
            "unterminated single quote; expected a closing ' on the same line",
        )
    _end_of_line(rest[close + 1 :], file, number)
    return rest[1:close]


def _double_value(rest: str, file: str, number: int) -> str:
    match = _DOUBLE_BODY.match(rest)
    if match is None:
        raise InputError(
            Location(file, number),
            'unterminated double quote; expected a closing " on the same line',
        )
    _end_of_line(rest[match.end() :], file, number)
    return _ESCAPE.sub(lambda m: _DOUBLE_UNESCAPE.get(m[1], m[0]), match[1])


def _end_of_line(after: str, file: str, number: int) -> None:
    if after:
        raise InputError(
            Location(file, number),
            "unexpected text after the closing quote; expected the end of line",
        )


def _check_single_quoting(singles: list[tuple[str, int, str]], file: str) -> None:
    """Refuse a file whose single-quoted backslashes could be either CLI's (only even runs)."""
    odd = any(len(run) % 2 for _, _, body in singles for run in _BACKSLASHES.findall(body))
    if odd:
        return  # only the new CLI writes a lone backslash: every value is literal
    first = next(((key, line) for key, line, body in singles if "\\" in body), None)
    if first is not None:
        raise InputError(Location(file, first[1]), f"{first[0]}: {_AMBIGUOUS}")


def _parse_shell(text: str, file: str) -> tuple[ConfigVar, ...]:
    values: dict[str, str] = {}
    singles = []
    entries = _shell_lines(text, file)
    for key, number, rest in entries:
        if rest.startswith("'"):
            body = _single_body(rest, file, number)
            singles.append((key, number, body))
            values[key] = body
        elif rest.startswith('"'):
            values[key] = _double_value(rest, file, number)
        else:
            values[key] = rest
    _check_single_quoting(singles, file)
    return tuple(ConfigVar(key=k, value=Secret(values[k]), line=n) for k, n, _ in entries)
