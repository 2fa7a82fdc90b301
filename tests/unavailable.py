"""One rule for a test whose engine, server or image is not on this machine.

On a laptop it skips, saying what to install; in CI (``H2C_REQUIRE_ENGINE=1``) a missing
part is a failure, never a skip.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(message: str) -> NoReturn:
    """Skip with ``message``, or fail with it when the environment must be complete."""
    __tracebackhide__ = True
    if os.environ.get("H2C_REQUIRE_ENGINE") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_images(engine: object, images: list[str] | tuple[str, ...]) -> None:
    """Stand-in images built by scripts/setup, or ``unavailable``."""
    missing = [i for i in images if not engine.image_present(i)]  # type: ignore[attr-defined]
    if missing:
        unavailable(f"stand-in images not built: {missing}; run scripts/setup")
