"""Render every Convox artifact for one app: the only entry point the CLI needs.

Pure: returns the files as values; one function elsewhere writes them to disk.
"""

from __future__ import annotations

from dataclasses import dataclass

from h2c.model import AppSpec, Finding
from h2c.plan.planner import ConvoxPlan, plan
from h2c.render.compose import render_compose
from h2c.render.convox_yml import render_convox_yml
from h2c.render.dockerfile import export_paths, render_dockerfile, render_dockerignore
from h2c.render.envfile import render_convox_env
from h2c.render.h2c_toml import render_h2c_toml
from h2c.render.layout import Layout, layout_findings, with_h2c_block
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


DEFAULT_LAYOUT = Layout()  # a folder with none of its own: every file under its usual name


def render_all(spec: AppSpec, layout: Layout = DEFAULT_LAYOUT) -> Rendered:
    """Plan once, then render every artifact from that plan, under the names ``layout`` gives."""
    planned = plan(spec)
    env = render_convox_env(spec, planned)
    files = (
        *_build_files(spec, planned, layout),
        GeneratedFile("convox.yml", render_convox_yml(spec, planned, dockerfile=layout.dockerfile)),
        *_compose_file(spec, planned, layout),
        GeneratedFile("convox.env", env.text, 0o600, secret=True),
        GeneratedFile("h2c.toml", render_h2c_toml(spec, planned)),
        GeneratedFile("MIGRATION.md", render_migration_md(spec, planned)),
    )
    findings = spec.findings + planned.findings + layout_findings(layout)
    return Rendered(files, planned, findings, env.multiline_keys)


def _build_files(spec: AppSpec, planned: ConvoxPlan, layout: Layout) -> list[GeneratedFile]:
    """h2c's Dockerfile (none when the app's is adopted) and the .dockerignore (or its block)."""
    files = []
    if layout.write_dockerfile:
        files.append(GeneratedFile(layout.dockerfile, render_dockerfile(spec, planned)))
    if layout.dockerignore is None:
        ignore = render_dockerignore(spec, planned)
    else:
        ignore = with_h2c_block(
            layout.dockerignore,
            keep=(layout.dockerfile,),
            also=export_paths(spec),
        )
    return [*files, GeneratedFile(".dockerignore", ignore)]


def _compose_file(spec: AppSpec, planned: ConvoxPlan, layout: Layout) -> list[GeneratedFile]:
    if not layout.write_compose:
        return []
    return [
        GeneratedFile(layout.compose, render_compose(spec, planned, dockerfile=layout.dockerfile))
    ]
