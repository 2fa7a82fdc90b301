"""Render every Convox artifact for one app: the only entry point the CLI needs.

Pure: returns the files as values; one function elsewhere writes them to disk.
"""

from __future__ import annotations

from dataclasses import dataclass

from h2c.model import AppSpec, Finding
from h2c.plan.planner import ConvoxPlan, plan
from h2c.render.compose import render_compose
from h2c.render.convox_yml import render_convox_yml
from h2c.render.dockerfile import render_dockerfile, render_dockerignore
from h2c.render.envfile import render_convox_env
from h2c.render.h2c_toml import render_h2c_toml
from h2c.render.runbook import render_migration_md


@dataclass(frozen=True)
class GeneratedFile:
    path: str  # relative to the app directory
    content: str
    mode: int = 0o644
    secret: bool = False  # holds config values: never print, never commit


@dataclass(frozen=True)
class Rendered:
    files: tuple[GeneratedFile, ...]
    plan: ConvoxPlan
    findings: tuple[Finding, ...]  # the readers' findings, then the plan's
    multiline_keys: tuple[str, ...]  # left out of convox.env: set by hand (see MIGRATION.md)

    def file(self, path: str) -> GeneratedFile:
        return next(f for f in self.files if f.path == path)


def render_all(spec: AppSpec) -> Rendered:
    """Plan once, then render every artifact from that plan."""
    planned = plan(spec)
    env = render_convox_env(spec, planned)
    files = (
        GeneratedFile("Dockerfile", render_dockerfile(spec, planned)),
        GeneratedFile(".dockerignore", render_dockerignore(spec, planned)),
        GeneratedFile("convox.yml", render_convox_yml(spec, planned)),
        GeneratedFile("docker-compose.yml", render_compose(spec, planned)),
        GeneratedFile("convox.env", env.text, 0o600, secret=True),
        GeneratedFile("h2c.toml", render_h2c_toml(spec, planned)),
        GeneratedFile("MIGRATION.md", render_migration_md(spec, planned)),
    )
    return Rendered(files, planned, spec.findings + planned.findings, env.multiline_keys)
