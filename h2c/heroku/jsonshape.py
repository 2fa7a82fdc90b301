"""JSON helpers every Heroku JSON reader shares, so each wrong shape reads the same.

A wrong shape is reported as ``file at /pointer: expected X, got Y`` (an InputError carrying an
RFC 6901 pointer), and a parse error with its line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from h2c.errors import InputError, Location

KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # a config var name


def pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer.

    >>> pointer("formation", "web", "quantity"), pointer("env", "A/B~C"), pointer()
    ('/formation/web/quantity', '/env/A~1B~0C', '')
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def kind_of(value: object) -> str:
    """A JSON type name with its article: ``an object``, ``a string``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def got(value: object, *, show: bool = True) -> str:
    """What was found, for a message: the scalar itself when ``show``, else only its type.

    >>> got("two"), got(2.5), got([1]), got("s3cret", show=False)
    ('"two"', '2.5', 'an array', 'a string')
    """
    if (show and isinstance(value, str | int | float | bool)) or value is None:
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:57] + '..."'
    return kind_of(value)


def shape_error(
    file: str, ptr: str, expected: str, value: object, *, show: bool = True
) -> InputError:
    """``file at /ptr: expected <expected>, got <value>``."""
    return InputError(
        Location(file, pointer=ptr), f"expected {expected}, got {got(value, show=show)}"
    )


MAX_DIGITS = 30  # an integer longer than this is no count, port or minute h2c reads
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that would break a line or hide text where a name lands (YAML, Markdown, a
# terminal): C0/C1 controls, line and paragraph separators, bidi controls, zero-widths, BOM.
_NOT_PLAIN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


class _BadNumber(ValueError):
    def __init__(self, token: str, message: str) -> None:
        super().__init__(message)
        self.token, self.message = token, message


def _parse_int(token: str) -> int:
    if len(token.lstrip("-")) > MAX_DIGITS:
        raise _BadNumber(token, f"an integer of {len(token.lstrip('-'))} digits; "
                         f"expected at most {MAX_DIGITS}")  # fmt: skip
    return int(token)


def _parse_constant(token: str) -> Any:
    raise _BadNumber(token, f"{token} is not JSON; expected a number")


PairsHook = Callable[[list[tuple[str, Any]]], Any]


def load_json(text: str, file: str, *, pairs_hook: PairsHook | None = None) -> Any:
    """Parse JSON or raise an InputError with line and column (or pointer): syntax, nesting
    too deep, numbers too long, a lone surrogate escape (``"\\ud800"``).

    >>> load_json('{"a": [1, "x"]}', "f.json")
    {'a': [1, 'x']}
    """
    text = text.removeprefix("\ufeff")
    try:
        doc = json.loads(
            text, parse_int=_parse_int, parse_constant=_parse_constant, object_pairs_hook=pairs_hook
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            Location(file, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(file, "invalid JSON: nested too deeply") from None
    except _BadNumber as exc:
        raise InputError(_locate(text, exc.token, file), f"invalid JSON: {exc.message}") from None
    _check_unicode(doc, file)
    return doc


def _locate(text: str, token: str, file: str) -> Location:
    at = max(text.find(token), 0)
    line = text.count("\n", 0, at) + 1
    return Location(file, line, at - (text.rfind("\n", 0, at) + 1) + 1)


def _check_unicode(doc: Any, file: str) -> None:
    """No string (key or value) holds a lone surrogate: it cannot be printed or written."""
    # (value, (parent link, key)): the pointer is built only for the one that fails
    stack: list[tuple[Any, Any]] = [(doc, None)]
    while stack:
        value, link = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    _surrogate(file, (link, key))
                stack.append((item, (link, key)))
        elif isinstance(value, list):
            stack += [(item, (link, i)) for i, item in enumerate(value)]
        elif isinstance(value, str) and _SURROGATE.search(value):
            _surrogate(file, link)


def _surrogate(file: str, link: Any) -> None:
    parts: list[str | int] = []
    while link is not None:
        link, part = link
        parts.append(part)
    raise InputError(
        Location(file, pointer=pointer(*reversed(parts))),
        "a lone surrogate (an unpaired \\uD800-\\uDFFF escape); expected valid Unicode text",
    )


def check_plain(value: str, where: Location, what: str) -> str:
    """``value`` when it is one line of visible text (it may reach YAML, Markdown, a terminal).

    >>> check_plain("my-app", Location("app.json", pointer="/name"), "an app name")
    'my-app'
    """
    bad = _NOT_PLAIN.search(value)
    if bad is not None:
        raise InputError(
            where,
            f"control character U+{ord(bad[0]):04X} at offset {bad.start()}; "
            f"expected {what} on one line, of visible characters",
        )
    return value


def plain_str(value: object, file: str, ptr: str, what: str) -> str:
    """A JSON string that is one line of visible text."""
    return check_plain(expect_str(value, file, ptr), Location(file, pointer=ptr), what)


def expect_object(value: object, file: str, ptr: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise shape_error(file, ptr, "an object", value)
    return value


def expect_str(value: object, file: str, ptr: str) -> str:
    if not isinstance(value, str):
        raise shape_error(file, ptr, "a string", value)
    return value


def optional_str(obj: Mapping[str, Any], key: str, file: str, ptr: str) -> str | None:
    value = obj.get(key)
    return None if value is None else expect_str(value, file, pointer_join(ptr, key))


def pointer_join(ptr: str, *parts: str | int) -> str:
    return ptr + pointer(*parts)
