"""Repo-wide pytest wiring.

The gate's fixtures come from the ``h2c`` pytest plugin (``h2c.plugin``, an entry point);
here we only make the bundled sample app the default target, so ``pytest`` in the repo root
runs the gate against it.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent
SAMPLE_APP = REPO / "fixtures" / "apps" / "django-sample"
SAMPLE_EXPORTS = REPO / "fixtures" / "heroku" / "django-sample"


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    """Point the gate at the sample app unless the user named one."""
    option = config.option
    if hasattr(option, "h2c_app") and option.h2c_app is None:
        option.h2c_app = str(SAMPLE_APP)
        option.h2c_config = option.h2c_config or str(SAMPLE_EXPORTS / "config.txt")
        option.h2c_addons = option.h2c_addons or str(SAMPLE_EXPORTS / "addons.json")
