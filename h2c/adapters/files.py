"""The one place generated files reach the disk.

h2c remembers a digest of every file it wrote (``.h2c/state.json`` in the output folder), so
it can tell a file it wrote (safe to replace) from one the user edited since (kept unless
``--force``). Files marked ``seed`` (h2c.toml) are written once and then belong to the user.
A file h2c never wrote (not in the record, no h2c header) is the app's: ``existing_layout``
puts h2c's Dockerfile and compose file beside the app's own, and h2c's exclusions go into the
app's own .dockerignore as a marked block (``merged``: updated in place, never recorded).
"""

from __future__ import annotations

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

from h2c.errors import InputError
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
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_state(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files", {}) if isinstance(data, dict) else {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _write_state(out_dir: Path, state: dict[str, str]) -> None:
    """Record the digests; an unchanged record is not rewritten, so a second run writes nothing."""
    path = out_dir / STATE_FILE
    text = json.dumps({"files": dict(sorted(state.items()))}, indent=2) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, ValueError):
        pass  # missing or unreadable: write it afresh
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _diff(path: str, old: str | None, new: str, secret: bool) -> str:
    if secret:
        return f"--- {path}\n+++ {path}\n@@ secret file: content not shown @@\n"
    return "".join(
        difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{path}" if old is not None else "/dev/null",
            tofile=f"b/{path}",
        )
    )


def _foreign_text(out_dir: Path, path: str, state: dict[str, str]) -> str | None:
    """The text of a file at ``path`` that h2c did not write; None if h2c did, or none is there.

    h2c's files are those in its record, and those whose first line is its header (the
    record may be lost: a fresh clone of a repository that does not keep ``.h2c/``).
    """
    target = out_dir / path
    if path in state or not target.is_file():
        return None
    text = target.read_text(encoding="utf-8")
    return None if written_by_h2c(text) else text


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
        if flag and not (out_dir / name).is_file():
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
        target = out_dir / file.path
        old = target.read_text(encoding="utf-8") if target.exists() else None
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


def apply_writes(files: Sequence[FileLike], out_dir: Path, outcomes: Sequence[Outcome]) -> None:
    """Write the files whose outcome says so, with their modes, and record h2c's own digests."""
    state = _read_state(out_dir)
    by_path = {f.path: f for f in files}
    for outcome in outcomes:
        file = by_path[outcome.path]
        if outcome.action in WRITES:
            target = out_dir / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            keep_mode = not outcome.record and target.is_file()  # the app's file keeps its mode
            mode = stat.S_IMODE(target.stat().st_mode) if keep_mode else file.mode
            _write_private(target, file.content, mode)
        if not outcome.record:
            state.pop(file.path, None)
        elif outcome.action in (Action.CREATE, Action.UPDATE, Action.UNCHANGED):
            state[file.path] = digest(file.content)
    _write_state(out_dir, state)


def _write_private(target: Path, content: str, mode: int) -> None:
    """Create with the final mode from the start, so a secret file is never world-readable."""
    tmp = target.with_name(f".{target.name}.h2c-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)
    os.chmod(tmp, mode)
    os.replace(tmp, target)
