"""Repo-wide pytest wiring.

The gate's fixtures come from the ``h2c`` pytest plugin (``h2c.gate.plugin``, an entry point).
Here we only make the bundled sample app the gate's default target, so ``pytest`` in the repo
root runs the gate against it: the sample is copied to a scratch folder and generated there
(the repo's copy stays a plain Heroku app), exactly as a user would run ``h2c generate``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
SAMPLE_APP = REPO / "fixtures" / "apps" / "django-sample"
SAMPLE_EXPORTS = REPO / "fixtures" / "heroku" / "django-sample"
_SCRATCH: list[Path] = []


def generated_sample() -> Path:
    """A scratch copy of the sample app with its artifacts generated from its Heroku exports."""
    from h2c.cli import main

    scratch = Path(tempfile.mkdtemp(prefix="h2c-sample-"))
    _SCRATCH.append(scratch)
    app = scratch / SAMPLE_APP.name  # the folder name tags the gate's image: keep it stable
    shutil.copytree(SAMPLE_APP, app)
    code = main(
        [
            "generate",
            str(app),
            "--config",
            str(SAMPLE_EXPORTS / "config.txt"),
            "--addons",
            str(SAMPLE_EXPORTS / "addons.json"),
            "--formation",
            str(SAMPLE_EXPORTS / "formation.txt"),
        ]
    )
    if code != 0:
        raise pytest.UsageError(f"h2c generate on the sample app failed (exit {code})")
    return app


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Point the gate at the generated sample unless the user named an app."""
    option = config.option
    if getattr(option, "h2c_app", "absent") is None:
        option.h2c_app = str(generated_sample())
        option.h2c_config = option.h2c_config or str(SAMPLE_EXPORTS / "config.txt")
        option.h2c_addons = option.h2c_addons or str(SAMPLE_EXPORTS / "addons.json")


def pytest_unconfigure(config: pytest.Config) -> None:
    for scratch in _SCRATCH:
        shutil.rmtree(scratch, ignore_errors=True)
