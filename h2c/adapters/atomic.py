"""Files that appear whole or not at all: a temporary file beside the target, renamed at the end.

Every file h2c writes (the artifacts, ``.h2c/state.json``, ``env export``, ``db dump``) goes
through here. The temporary file is ``.<name>.h2c-tmp`` beside the target, created with
``O_EXCL|O_NOFOLLOW`` and its final mode from the first byte, so a link planted there cannot
redirect the write and a secret is never readable by others; it is fsynced before the rename,
and removed on any failure, so a failed run leaves the old file as it was and no partial one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from h2c.errors import EnvironmentMissing, H2cError, InputError

TEMP_SUFFIX = ".h2c-tmp"
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def temp_path(target: Path) -> Path:
    """Where the temporary file for ``target`` goes.

    >>> temp_path(Path("app/convox.env"))
    PosixPath('app/.convox.env.h2c-tmp')
    """
    return target.with_name(f".{target.name}{TEMP_SUFFIX}")


def write_error(path: Path, error: OSError) -> H2cError:
    """An OSError while writing ``path`` as h2c reports it: a full disk is the environment
    (exit 3), anything else (no such folder, read-only, permission) is a bad path (exit 2)."""
    reason = error.strerror or str(error)
    if error.errno in _FULL:
        return EnvironmentMissing(f"{path}: cannot write: {reason} (free some space and retry)")
    return InputError(str(path), f"cannot write: {reason}")


def refuse_directory(target: Path) -> None:
    """A folder (or anything but a file or nothing) where a file is to be written: exit 2."""
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise write_error(target, error) from None
    if stat.S_ISDIR(mode):
        raise InputError(str(target), "is a folder: name a file to write")
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise InputError(str(target), "is not a regular file: name a file to write")


def open_temp(target: Path, mode: int) -> tuple[int, Path]:
    """Create the temporary file for ``target``: ``(fd, path)``, open for writing.

    A leftover regular file of an interrupted run is replaced; a link (or anything else) there
    is refused, naming it: h2c never writes through a link.
    """
    tmp = temp_path(target)
    try:
        left = tmp.lstat()
    except FileNotFoundError:
        pass
    except OSError as error:
        raise write_error(tmp, error) from None
    else:
        if not stat.S_ISREG(left.st_mode):
            raise InputError(
                str(tmp),
                "is a symbolic link (or not a regular file) where h2c writes its temporary "
                "file; h2c does not write through links: remove it",
            )
        tmp.unlink()  # what an interrupted run left behind
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(tmp, flags, mode)
    except OSError as error:
        raise write_error(tmp, error) from None
    try:
        os.fchmod(fd, mode)  # the umask may have taken bits a non-secret file should have
    except OSError:
        os.close(fd)
        discard(tmp)
        raise
    return fd, tmp


def write_temp(target: Path, data: bytes, mode: int) -> Path:
    """Write ``data`` to the temporary file for ``target``, fsynced; its path. Nothing is left
    behind when this fails."""
    fd, tmp = open_temp(target, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        discard(tmp)
        raise write_error(target, error) from None
    except BaseException:
        discard(tmp)
        raise
    return tmp


def commit(tmp: Path, target: Path) -> None:
    """Rename the finished temporary file over ``target`` and make the rename durable."""
    try:
        os.replace(tmp, target)
    except OSError as error:
        discard(tmp)
        raise write_error(target, error) from None
    sync_dir(target.parent)


def sync_dir(folder: Path) -> None:
    """fsync a folder, so the renames in it survive a crash (best effort)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def discard(tmp: Path) -> None:
    """Remove a temporary file, if it is there."""
    with contextlib.suppress(OSError):
        tmp.unlink()


def write_atomic(target: Path, data: bytes, mode: int) -> None:
    """Replace ``target`` with ``data`` (mode ``mode``), whole or not at all."""
    refuse_directory(target)
    commit(write_temp(target, data, mode), target)
