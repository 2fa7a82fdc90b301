"""The one place generated files reach the disk.

h2c remembers a digest of every file it wrote (``.h2c/state.json`` in the output folder), so
it can tell a file it wrote (safe to replace) from one the user edited since (kept unless
``--force``). Files marked ``seed`` (h2c.toml) are written once and then belong to the user.
A file h2c never wrote (not in the record, no h2c header) is the app's: ``existing_layout``
puts h2c's Dockerfile and compose file beside the app's own, and h2c's exclusions go into the
app's own .dockerignore as a marked block (``merged``: updated in place, never recorded).

Writes are all or nothing (``h2c.adapters.atomic``: temporary files beside the targets, renamed
once every one is written), and never leave the output folder: a symbolic link that points
outside it (``.h2c``, an artifact) is refused, naming it.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from h2c.adapters import atomic
from h2c.errors import H2cError, InputError, Location, printable
from h2c.render.layout import (
    COMPOSE,
    DOCKERFILE,
    DOCKERIGNORE_FILE,
    H2C_COMPOSE,
    H2C_DOCKERFILE,
    Layout,
    written_by_h2c,
)

STATE_FILE = Path(".h2c") / "state.json"


class FileLike(Protocol):
    """A file to write: render.GeneratedFile, or anything shaped like it."""

    @property
    def path(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def mode(self) -> int: ...
    @property
    def secret(self) -> bool: ...


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    BLOCK = "add block"  # h2c's block, to the app's own file: its own lines left as they are
    KEPT_EDITED = "kept (edited by you; --force replaces it)"
    KEPT_FOREIGN = "kept (not written by h2c; --force replaces it)"
    KEPT_SEED = "kept (yours to edit)"


WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.BLOCK})


@dataclass(frozen=True)
class Outcome:
    path: str
    action: Action
    diff: str  # unified diff of the change; secrets shown as a placeholder
    record: bool = True  # False: the app's own file (h2c's block in it): not h2c's to claim


def digest(text: str) -> str:
    # surrogateescape: a file that is not UTF-8 (read that way) still has a digest
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def checked_path(out_dir: Path, rel: str | Path) -> Path:
    """The path to read and write for ``rel`` in ``out_dir``, refusing what would escape it.

    A symbolic link on the way (``.h2c``, the file itself) that points outside the folder is
    refused (exit 2, naming it): h2c never writes, nor reads back, a file outside the app. A
    link that stays inside is followed, so the file it names is the one kept up to date.
    """
    root = out_dir.resolve()
    path = out_dir
    for part in Path(rel).parts:
        path = path / part
        if path.is_symlink():
            real = path.resolve()
            if not _inside(real, root):
                raise InputError(
                    str(path),
                    f"is a symbolic link to {real}, outside {root}: h2c does not write outside "
                    "the app folder; remove the link",
                )
    real = path.resolve() if path.is_symlink() else path
    if real.exists() and not real.is_file():
        raise InputError(str(path), "is not a regular file: h2c writes a file there; move it away")
    return real


def _read_text(path: Path) -> str | None:
    """A file's text (bytes that are not UTF-8 kept as surrogates), or None if it is absent."""
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise InputError(str(path), f"cannot read: {error.strerror or error}") from None


def _state_path(out_dir: Path) -> Path:
    """``.h2c/state.json``; a ``.h2c`` that is a file, or a link leaving the folder, is refused."""
    path = checked_path(out_dir, STATE_FILE)
    if path.parent.exists() and not path.parent.is_dir():
        raise InputError(
            str(out_dir / STATE_FILE.parent),
            "is a file, not a folder: h2c keeps its record of the files it wrote in "
            f"{STATE_FILE}; move the file away",
        )
    return path


def _read_state(out_dir: Path) -> dict[str, str]:
    text = _read_text(_state_path(out_dir))
    try:
        data = json.loads(text) if text is not None else {}
    except ValueError:
        return {}
    files = data.get("files", {}) if isinstance(data, dict) else {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _state_text(state: dict[str, str]) -> str:
    return json.dumps({"files": dict(sorted(state.items()))}, indent=2) + "\n"


def _diff(path: str, old: str | None, new: str, secret: bool) -> str:
    if secret:
        return f"--- {path}\n+++ {path}\n@@ secret file: content not shown @@\n"
    shown = [
        (text or "").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        for text in (old, new)
    ]
    return "".join(
        difflib.unified_diff(
            shown[0].splitlines(keepends=True),
            shown[1].splitlines(keepends=True),
            fromfile=f"a/{path}" if old is not None else "/dev/null",
            tofile=f"b/{path}",
        )
    )


def _foreign_text(out_dir: Path, path: str, state: dict[str, str]) -> str | None:
    """The text of a file at ``path`` that h2c did not write; None if h2c did, or none is there.

    h2c's files are those in its record, and those whose first line is its header (the
    record may be lost: a fresh clone of a repository that does not keep ``.h2c/``).
    """
    if path in state:
        return None
    text = _read_text(checked_path(out_dir, path))
    return None if text is None or written_by_h2c(text) else text


def existing_layout(
    out_dir: Path, *, adopt_dockerfile: bool = False, adopt_compose: bool = False
) -> Layout:
    """Where h2c's files go, given the Dockerfile, compose file and .dockerignore already there.

    The app's own Dockerfile stays; h2c writes Dockerfile.convox and builds with it, unless
    ``adopt_dockerfile`` (then convox.yml builds with the app's and h2c writes none). Likewise
    docker-compose.yml and docker-compose.convox.yml. An app's own .dockerignore gets h2c's block.
    """
    state = _read_state(out_dir)
    dockerfile, compose = DOCKERFILE, COMPOSE
    for flag, name in ((adopt_dockerfile, DOCKERFILE), (adopt_compose, COMPOSE)):
        if flag and not checked_path(out_dir, name).is_file():
            raise InputError(str(out_dir / name), "no such file to adopt")
    if not adopt_dockerfile and _foreign_text(out_dir, DOCKERFILE, state) is not None:
        dockerfile = H2C_DOCKERFILE
    if not adopt_compose and _foreign_text(out_dir, COMPOSE, state) is not None:
        compose = H2C_COMPOSE
    return Layout(
        dockerfile=dockerfile,
        compose=compose,
        write_dockerfile=not adopt_dockerfile,
        write_compose=not adopt_compose,
        dockerignore=_foreign_text(out_dir, DOCKERIGNORE_FILE, state),
    )


def plan_writes(
    files: Sequence[FileLike],
    out_dir: Path,
    *,
    force: bool,
    seeds: frozenset[str] = frozenset(),
    merged: frozenset[str] = frozenset(),
) -> list[Outcome]:
    """Decide, without writing, what happens to each file.

    ``merged`` are the app's own files that h2c adds a block to (their content is the app's
    text with h2c's block): written whenever they differ, and never recorded as h2c's.
    """
    state = _read_state(out_dir)
    outcomes = []
    for file in files:
        old = _read_text(checked_path(out_dir, file.path))
        if old is None:
            action = Action.CREATE
        elif old == file.content:
            action = Action.UNCHANGED
        elif file.path in merged:
            action = Action.BLOCK
        elif file.path in seeds and not force:
            action = Action.KEPT_SEED
        elif state.get(file.path) != digest(old) and not force:
            h2c_wrote = file.path in state or written_by_h2c(old)
            action = Action.KEPT_EDITED if h2c_wrote else Action.KEPT_FOREIGN
        else:
            action = Action.UPDATE
        diff = _diff(file.path, old, file.content, file.secret) if action in WRITES else ""
        outcomes.append(Outcome(file.path, action, diff, record=file.path not in merged))
    return outcomes


def _encode(file: FileLike, *, own: bool) -> bytes:
    """The bytes of a file to write; h2c's own files must be UTF-8 (the app's keep theirs)."""
    try:
        return file.content.encode("utf-8", "strict" if own else "surrogateescape")
    except UnicodeEncodeError as error:
        where = file.content.count("\n", 0, error.start) + 1
        raise InputError(
            Location(file.path, where),
            f"cannot be written as UTF-8: {printable(file.content[error.start : error.end])} "
            "(a lone surrogate: fix the value it comes from)",
        ) from None


def apply_writes(files: Sequence[FileLike], out_dir: Path, outcomes: Sequence[Outcome]) -> None:
    """Write the files whose outcome says so, with their modes, and record h2c's own digests.

    All or nothing: every file goes to its temporary file first (the record too); only when all
    are written are they renamed into place, the record last. A failure before that (a full
    disk, a value that cannot be encoded) removes the temporary files and changes nothing.
    """
    state = _read_state(out_dir)
    by_path = {f.path: f for f in files}
    staged: list[tuple[Path, Path, str]] = []  # (temporary, target, path as planned)
    updates: dict[str, str | None] = {}  # path -> digest to record (None: forget it)
    try:
        for outcome in outcomes:
            file = by_path[outcome.path]
            data = _encode(file, own=outcome.record) if outcome.action in WRITES else b""
            if not outcome.record:
                updates[file.path] = None
            elif outcome.action in (Action.CREATE, Action.UPDATE, Action.UNCHANGED):
                updates[file.path] = digest(file.content)
            if outcome.action not in WRITES:
                continue
            target = checked_path(out_dir, file.path)
            keep_mode = not outcome.record and target.is_file()  # the app's file keeps its mode
            mode = stat.S_IMODE(target.stat().st_mode) if keep_mode else file.mode
            _mkdir(target.parent)
            staged.append((atomic.write_temp(target, data, mode), target, file.path))
        new_state = _updated(state, updates)
        state_file = _state_path(out_dir)
        if _read_text(state_file) != _state_text(new_state):  # unchanged: not rewritten
            _mkdir(state_file.parent)
            data = _state_text(new_state).encode("utf-8")
            staged.append((atomic.write_temp(state_file, data, 0o644), state_file, ""))
    except BaseException:
        for tmp, _, _ in staged:
            atomic.discard(tmp)
        raise
    _commit(staged, state, updates, out_dir)


def _updated(state: dict[str, str], updates: dict[str, str | None]) -> dict[str, str]:
    new = dict(state)
    for path, value in updates.items():
        if value is None:
            new.pop(path, None)
        else:
            new[path] = value
    return new


def _commit(
    staged: list[tuple[Path, Path, str]],
    state: dict[str, str],
    updates: dict[str, str | None],
    out_dir: Path,
) -> None:
    """Rename every temporary file into place. Should one rename fail, the rest are dropped
    and the record says what is on disk now, so the next run still knows h2c's own files."""
    done: set[str] = set()
    for index, (tmp, target, path) in enumerate(staged):
        try:
            os.replace(tmp, target)
        except OSError as error:
            for later, _, _ in staged[index:]:
                atomic.discard(later)
            kept = {p: d for p, d in updates.items() if p in done or p not in _paths(staged)}
            text = _state_text(_updated(state, kept))
            with contextlib.suppress(H2cError):
                atomic.write_atomic(_state_path(out_dir), text.encode("utf-8"), 0o644)
            raise atomic.write_error(target, error) from None
        done.add(path)
    for folder in {target.parent for _, target, _ in staged}:
        atomic.sync_dir(folder)


def _paths(staged: list[tuple[Path, Path, str]]) -> set[str]:
    return {path for _, _, path in staged if path}


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(str(folder), "is a file, not a folder") from None
    except OSError as error:
        raise atomic.write_error(folder, error) from None
