"""Reading the user's files, bounded: the one place a reader's input reaches memory.

Every read is of a regular file (a FIFO or ``/dev/zero`` would never end), of at most
``MAX_BYTES``, valid UTF-8, and, for a file inside the app folder, one that stays there (a link
that leaves the app folder is never opened: its text could end up in a message or an image).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from h2c.errors import InputError, Location

MAX_BYTES = 5 * 1024 * 1024  # config exports and app files alike
_LIMIT = "5 MiB"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    r"""Lines ending in ``\r\n``, ``\n`` or a lone ``\r`` (old Mac editors), endings dropped.

    >>> split_lines("a\r\nb\rc\nd")
    ['a', 'b', 'c', 'd']
    """
    return _LINE_BREAK.split(text)


def leaves(path: Path, app_dir: Path) -> bool:
    """True when ``path``, with every link followed, is not inside ``app_dir``."""
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(app_dir))
    return real != root and root not in real.parents


def check_inside(path: Path, app_dir: Path) -> None:
    """Refuse a file of the app that is a link leaving the app folder, naming the file."""
    if leaves(path, app_dir):
        raise InputError(
            str(path), "is a link that leaves the app folder; expected a file inside the app"
        )


def read_bytes(path: Path, *, expected: str) -> bytes:
    """A regular file's bytes, at most MAX_BYTES; anything else is an InputError naming it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(str(path), f"not found; expected {expected}") from None
    except OSError as exc:
        raise InputError(
            str(path), f"cannot be read ({exc.strerror}); expected {expected}"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(str(path), f"not a regular file; expected {expected}")
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError(
                str(path), f"cannot be read ({exc.strerror}); expected {expected}"
            ) from None
    if len(data) > MAX_BYTES:
        raise InputError(
            str(path), f"larger than {_LIMIT}, the limit h2c reads; expected {expected}"
        )
    return data


def decode(data: bytes, file: str) -> str:
    """UTF-8 text, or an InputError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = len(split_lines(data[: exc.start].decode("utf-8", "replace")))
        raise InputError(
            Location(file, line), "not valid UTF-8; expected a UTF-8 text file"
        ) from None


def read_text(path: Path, *, expected: str, app_dir: Path | None = None) -> str:
    """A file's text; missing, unreadable, oversized, non-regular or non-UTF-8 files (and, with
    ``app_dir``, links leaving it) are InputErrors naming it."""
    if app_dir is not None:
        check_inside(path, app_dir)
    return decode(read_bytes(path, expected=expected), str(path))
