"""The Node.js Dockerfile: the buildpack's order, two stages, no compiler at run time."""

from __future__ import annotations

import json
from pathlib import Path

from h2c.heroku.app import load_app
from h2c.plan.planner import plan
from h2c.render.dockerfile import render_dockerfile
from h2c.standins.catalog import CATALOG, missing_image_message

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "fixtures" / "apps" / "node-sample"


def _dockerfile(app: Path) -> str:
    spec = load_app(app)
    return render_dockerfile(spec, plan(spec))


def _stages(text: str) -> tuple[str, str]:
    build, _, runtime = text.partition("\n# --- runtime")
    return build, runtime


def test_sample_builds_from_the_node_standin_in_two_stages() -> None:
    text = _dockerfile(SAMPLE)
    assert "FROM node:20-slim AS build" in text and "\nFROM node:20-slim\n" in text
    assert "node:20-slim" in CATALOG


def test_install_with_dev_build_then_prune_in_that_order() -> None:
    build, runtime = _stages(_dockerfile(SAMPLE))
    steps = ["COPY package.json package-lock.json ./", "RUN npm ci --include=dev", "COPY . /app"]
    steps += ["RUN npm run build", "RUN npm prune --omit=dev"]
    positions = [build.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "NODE_ENV=production" in build and "NODE_ENV=production" in runtime


def test_toolchain_only_in_the_build_stage_on_a_failed_install() -> None:
    build, runtime = _stages(_dockerfile(SAMPLE))
    assert "build-essential python3" in build and "|| {" in build
    assert "build-essential" not in runtime and "npm ci" not in runtime


def test_runtime_is_non_root_owns_app_and_runs_the_start_script_directly() -> None:
    _, runtime = _stages(_dockerfile(SAMPLE))
    assert "COPY --from=build --chown=1000:1000 /app /app" in runtime
    assert "USER 1000:1000" in runtime and "HOME=/app" in runtime
    assert "PATH=$PATH:/app/node_modules/.bin" in runtime
    assert runtime.rstrip().endswith('CMD ["node", "server.js"]')
    assert "ENTRYPOINT []" in runtime


def test_heroku_prebuild_runs_before_the_install_with_the_code(tmp_path: Path) -> None:
    scripts = {"start": "node a.js", "heroku-prebuild": "node pre.js", "heroku-cleanup": "node c"}
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts}))
    (tmp_path / "yarn.lock").write_text("")
    build, _ = _stages(_dockerfile(tmp_path))
    order = ["COPY . /app", "RUN yarn run heroku-prebuild", "yarn install --frozen-lockfile"]
    order += ["--production --ignore-scripts", "RUN yarn run heroku-cleanup"]
    positions = [build.index(step) for step in order]
    assert positions == sorted(positions)
    assert "npm install -g yarn@1.22.22" in build  # classic yarn.lock, no packageManager


def test_a_version_without_a_standin_is_named_with_what_there_is() -> None:
    message = missing_image_message("node:24-slim")
    assert "node:24-slim is not available" in message and "node:20-slim" in message
