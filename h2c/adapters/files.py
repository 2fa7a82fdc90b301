"""The one place generated files reach the disk.

h2c remembers a digest of every file it wrote (``.h2c/state.json`` in the output folder), so
it can tell a file it wrote (safe to replace) from one the user edited since (kept unless
``--force``). Files marked ``seed`` (h2c.toml) are written once and then belong to the user.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

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
    KEPT_EDITED = "kept (edited by you; --force replaces it)"
    KEPT_SEED = "kept (yours to edit)"


@dataclass(frozen=True)
class Outcome:
    path: str
    action: Action
    diff: str  # unified diff of the change; secrets shown as a placeholder


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


def plan_writes(
    files: Sequence[FileLike], out_dir: Path, *, force: bool, seeds: frozenset[str] = frozenset()
) -> list[Outcome]:
    """Decide, without writing, what happens to each file."""
    state = _read_state(out_dir)
    outcomes = []
    for file in files:
        target = out_dir / file.path
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if old is None:
            action = Action.CREATE
        elif old == file.content:
            action = Action.UNCHANGED
        elif file.path in seeds and not force:
            action = Action.KEPT_SEED
        elif state.get(file.path) != digest(old) and not force:
            action = Action.KEPT_EDITED
        else:
            action = Action.UPDATE
        changes = action in (Action.CREATE, Action.UPDATE)
        diff = _diff(file.path, old, file.content, file.secret) if changes else ""
        outcomes.append(Outcome(file.path, action, diff))
    return outcomes


def apply_writes(files: Sequence[FileLike], out_dir: Path, outcomes: Sequence[Outcome]) -> None:
    """Write the files whose outcome says so, with their modes, and record their digests."""
    state = _read_state(out_dir)
    by_path = {f.path: f for f in files}
    for outcome in outcomes:
        file = by_path[outcome.path]
        if outcome.action in (Action.CREATE, Action.UPDATE):
            target = out_dir / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_private(target, file.content, file.mode)
        if outcome.action in (Action.CREATE, Action.UPDATE, Action.UNCHANGED):
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
