"""Reads made once per run, shared by the compare and postdeploy sessions (the side effects).

A read that failed is kept as its error and raised again for every check that needs it, so
each check reports the real reason (a missing CLI, an unknown app) by name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from h2c.adapters.convox_cli import ConvoxCli

T = TypeVar("T")


class ConvoxOptions(Protocol):
    @property
    def convox_app(self) -> str: ...
    @property
    def rack(self) -> str | None: ...
    @property
    def convox_bin(self) -> str | None: ...
    @property
    def target(self) -> str | None: ...


class OnceReads:
    """A session's reads, each made once; ``options`` name the Convox app and the target."""

    options: ConvoxOptions
    _done: dict[str, Any]

    @property
    def convox(self) -> ConvoxCli:
        return ConvoxCli(self.options.convox_app, self.options.rack, self.options.convox_bin)

    def _once(self, name: str, read: Callable[[], T]) -> T:
        if name not in self._done:
            try:
                self._done[name] = (read(), None)
            except Exception as failed:  # kept, and raised for every check that needs it
                self._done[name] = (None, failed)
        value, error = self._done[name]
        if error is not None:
            raise error
        return value  # type: ignore[no-any-return]

    def done(self, name: str) -> Any:
        """A read already made (None if it was not made or failed): for the report."""
        value, error = self._done.get(name, (None, None))
        return None if error is not None else value

    def _target(self) -> str | None:
        """``--target`` ($VAR expanded) as a checked database URL; None when not given."""
        from h2c.db.conn import check_url
        from h2c.gate.db_targets import expand

        if not self.options.target:
            return None
        return check_url(expand(self.options.target, os.environ, what="--target"), "--target")
