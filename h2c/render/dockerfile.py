"""Write the Dockerfile and .dockerignore that rebuild what the Heroku buildpack built.

Pure text generation. The Python image (``h2c.render.dockerfile_python``) and the Node.js one
(``h2c.render.dockerfile_node``) build in two stages (their shared lines in
``h2c.render.dockerfile_common``),
as Heroku's build image and run image differ; no config value is ever baked in.
"""

from __future__ import annotations

from h2c.model import AppSpec
from h2c.plan.planner import ConvoxPlan
from h2c.render.dockerfile_node import render_node_dockerfile
from h2c.render.dockerfile_python import render_python_dockerfile
from h2c.render.header import header


def render_dockerfile(spec: AppSpec, plan: ConvoxPlan) -> str:
    """The Dockerfile text for ``spec`` as planned, by the runtime's language."""
    if spec.runtime.language == "node":
        return render_node_dockerfile(spec, plan)
    return render_python_dockerfile(spec, plan)


DOCKERIGNORE = (
    ".git",
    ".gitignore",
    ".env",
    ".env.*",
    "*.env",
    "convox.env",
    "__pycache__",
    "*.pyc",
    ".venv",
    "venv",
    "node_modules",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "*.dump",
    "latest.dump*",
    ".h2c",  # h2c's record of the files it wrote
)


def render_dockerignore(spec: AppSpec, plan: ConvoxPlan) -> str:
    """Keep secrets, dumps, VCS data and local caches out of the build context."""
    lines = [
        header(plan.inputs),
        "# convox.env and .env files hold config values: they must never reach an image.",
        *DOCKERIGNORE,
        *_exports_block(spec),
    ]
    return "\n".join(lines) + "\n"


def export_paths(spec: AppSpec) -> tuple[str, ...]:
    """The Heroku exports generate read from inside the app folder (config.txt holds every
    config value): kept out of the build context too."""
    return tuple(path for _, path in spec.exports if not path.startswith("../"))


def _exports_block(spec: AppSpec) -> list[str]:
    paths = export_paths(spec)
    if not paths:
        return []
    return ["# the Heroku exports h2c read (heroku config -s holds every value)", *paths]
