"""Read Heroku config exports: ``heroku config -s`` (shell) or ``heroku config --json``.

Values become Secrets at once, and no message here ever quotes one: errors name the file, the
line (or JSON pointer) and the key, never the value.

The shell reader is the exact inverse of the CLI's quoting (heroku/cli src/lib/config/quote.ts),
so ``parse_config(format_shell(x))`` gives back ``x`` for any value.
"""

from __future__ import annotations

import json
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
_SINGLE_ESCAPED = re.compile(r"(['\\])")
_DOUBLE_UNESCAPE = {'"': '"', "\\": "\\", "$": "$", "`": "`", "!": "!", "n": "\n"}
_SINGLE_UNESCAPE = {"'": "'", "\\": "\\"}


def quote_heroku(value: str) -> str:
    r"""Quote a value exactly as ``heroku config -s`` does.

    >>> quote_heroku("plain"), quote_heroku(""), quote_heroku("postgres://u:p@h/db")
    ('plain', '', "'postgres://u:p@h/db'")
    >>> print(quote_heroku("it's $5\nok"), quote_heroku("a\\b c"))
    "it's \$5\nok" 'a\\b c'
    """
    if not _NEEDS_QUOTES.search(value):
        return value
    if _NEEDS_DOUBLE.search(value):
        return '"' + _DOUBLE_ESCAPED.sub(r"\\\1", value).replace("\n", "\\n") + '"'
    return "'" + _SINGLE_ESCAPED.sub(r"\\\1", value) + "'"


def format_shell(config: Mapping[str, str | Secret] | Iterable[ConfigVar]) -> str:
    """``KEY=quote(value)`` lines, as ``heroku config -s`` prints them.

    >>> print(format_shell({"A": "x y", "B": "1"}), end="")
    A='x y'
    B=1
    """
    pairs = config.items() if isinstance(config, Mapping) else ((c.key, c.value) for c in config)
    lines = []
    for key, value in pairs:
        text = value.reveal() if isinstance(value, Secret) else value
        lines.append(f"{key}={quote_heroku(text)}\n")
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

    try:
        doc = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError:
        doc = load_json(text, file)  # raises with line and column
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


class _Scanner:
    """Walks the shell format one line at a time; quotes never span lines in Heroku's output."""

    def __init__(self, text: str, file: str) -> None:
        self.text, self.file, self.pos, self.line = text, file, 0, 1

    def error(self, message: str) -> InputError:
        return InputError(Location(self.file, self.line), message)

    def rest_of_line(self) -> str:
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        chunk, self.pos = self.text[self.pos : end], end
        return chunk

    def end_line(self) -> None:
        """Expect the end of the line (CRLF allowed) and step past it."""
        if self.text.startswith("\r", self.pos) and self.text[self.pos + 1 : self.pos + 2] in (
            "\n",
            "",
        ):
            self.pos += 1  # a CRLF line ending, or a CR before the end of the file
        if self.pos < len(self.text) and self.text[self.pos] != "\n":
            raise self.error("unexpected text after the closing quote; expected the end of line")
        self.pos += 1
        self.line += 1

    def quoted(self, quote: str, escapes: dict[str, str]) -> str:
        """Read a quoted value; the opening quote is at ``pos``."""
        out: list[str] = []
        i = self.pos + 1
        text = self.text
        while i < len(text):
            char = text[i]
            if char == quote:
                self.pos = i + 1
                return "".join(out)
            if char == "\n":
                break
            if char == "\\" and i + 1 < len(text) and text[i + 1] in escapes:
                out.append(escapes[text[i + 1]])
                i += 2
                continue
            out.append(char)
            i += 1
        kind = "single" if quote == "'" else "double"
        raise self.error(f"unterminated {kind} quote; expected a closing {quote} on the same line")


def _parse_shell(text: str, file: str) -> tuple[ConfigVar, ...]:
    scan = _Scanner(text, file)
    seen: dict[str, int] = {}
    result = []
    while scan.pos < len(text):
        start = scan.pos
        eq = text.find("=", start)
        newline = text.find("\n", start)
        line_text = text[start : newline if newline >= 0 else len(text)]
        if not line_text.strip() or line_text.lstrip().startswith("#"):
            scan.rest_of_line()
            scan.end_line()
            continue
        if eq < 0 or (0 <= newline < eq):
            raise scan.error("expected KEY=value")
        key = text[start:eq]
        _check_key(key, Location(file, scan.line))
        if key in seen:
            raise scan.error(f"duplicate key {key} (first on line {seen[key]})")
        seen[key] = scan.line
        scan.pos = eq + 1
        opener = text[scan.pos : scan.pos + 1]
        if opener == "'":
            value = scan.quoted("'", _SINGLE_UNESCAPE)
        elif opener == '"':
            value = scan.quoted('"', _DOUBLE_UNESCAPE)
        else:
            value = scan.rest_of_line().removesuffix("\r")
        result.append(ConfigVar(key=key, value=Secret(value), line=seen[key]))
        scan.end_line()
    return tuple(result)
