"""JSON helpers every Heroku JSON reader shares, so each wrong shape reads the same.

A wrong shape is reported as ``file at /pointer: expected X, got Y`` (an InputError carrying an
RFC 6901 pointer), and a parse error with its line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
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


def load_json(text: str, file: str) -> Any:
    """Parse JSON or raise an InputError with line and column."""
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(
            Location(file, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(file, "invalid JSON: nested too deeply") from None


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
