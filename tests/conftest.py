"""Options for h2c's own tests."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("h2c-dev").addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current writers (read the diff before committing)",
    )
