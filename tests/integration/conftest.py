"""Engine fixtures for integration tests (only these): ``engine``, a session-wide connection.

``engine`` skips the test when no Docker engine answers, unless ``H2C_REQUIRE_ENGINE=1``, which
turns a missing engine into a failure (CI). Everything the session created is removed at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from h2c.errors import EnvironmentMissing
from tests.unavailable import unavailable


@pytest.fixture(scope="session")
def engine() -> Iterator[object]:
    """A connected ``h2c.adapters.docker.Engine`` whose session is cleaned up after the tests."""
    from h2c.adapters.docker import Engine

    try:
        connected = Engine.connect()
    except EnvironmentMissing as missing:
        unavailable(str(missing))
    with connected:
        yield connected
    connected.close()
