"""The session ``h2c compare`` starts before it imports pytest, handed to the plugin.

The replay and the CLI calls then run while pytest starts and collects (about a second) rather
than after. A module of its own, not the plugin: the CLI must not import the plugin before
pytest loads it (pytest could no longer rewrite it).
"""

from __future__ import annotations

from typing import Any

import pytest

EARLY = pytest.StashKey[Any]()  # a CompareSession whose reads were started before pytest


class EarlySession:
    """A plugin object for ``pytest.main(plugins=...)``: the plugin uses the session only when
    its options are the ones pytest's arguments give (else it makes its own)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[EARLY] = self.session
