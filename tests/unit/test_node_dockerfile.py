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
    assert "npm install -g --force yarn@1.22.22" in build  # classic yarn.lock, no packageManager


def test_a_version_without_a_standin_is_named_with_what_there_is() -> None:
    message = missing_image_message("node:24-slim")
    assert "node:24-slim is not available" in message and "node:20-slim" in message


def _app(tmp_path: Path, files: dict[str, str], **package: object) -> Path:
    scripts = {"start": "node server.js"}
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts, **package}))
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_berry_installs_with_its_settings_and_yarn_path(tmp_path: Path) -> None:
    files = {
        "yarn.lock": "__metadata:\n  version: 8\n",
        ".yarnrc.yml": "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.9.4.cjs\n",
        ".yarn/releases/yarn-4.9.4.cjs": "",
        ".npmrc": "",
    }
    build, runtime = _stages(_dockerfile(_app(tmp_path, files, packageManager="yarn@4.9.4")))
    assert "RUN npm install -g --force @yarnpkg/cli-dist@4.9.4" in build
    copies = ["COPY package.json yarn.lock .npmrc .yarnrc.yml ./"]
    copies += [
        "COPY .yarn/releases/yarn-4.9.4.cjs ./.yarn/releases/",
        "RUN yarn install --immutable",
    ]
    positions = [build.index(step) for step in copies]
    assert positions == sorted(positions)
    assert "corepack" not in build and "NODE_OPTIONS" not in runtime


def test_berry_plug_n_play_keeps_its_cache_in_the_app(tmp_path: Path) -> None:
    files = {"yarn.lock": "__metadata:\n  version: 8\n", ".yarnrc.yml": "enableTelemetry: 0\n"}
    build, runtime = _stages(_dockerfile(_app(tmp_path, files)))
    assert "YARN_ENABLE_GLOBAL_CACHE=false" in build
    assert "NODE_OPTIONS=--require=/app/.pnp.cjs" in runtime


def test_pnpm_version_from_package_manager_without_its_hash(tmp_path: Path) -> None:
    spec = "pnpm@10.4.1+sha512.c753b6c3ad7afa13af388fa6d808035a008e30ea9993f58c6663e2bc5ff2"
    build, runtime = _stages(
        _dockerfile(_app(tmp_path, {"pnpm-lock.yaml": ""}, packageManager=spec))
    )
    assert "RUN npm install -g --force pnpm@10.4.1 && npm cache clean --force" in build
    assert "pnpm install --frozen-lockfile --prod=false" in build
    assert "pnpm" not in runtime  # the processes run node itself


def test_workspaces_install_with_the_code(tmp_path: Path) -> None:
    app = _app(tmp_path, {"yarn.lock": ""}, workspaces=["api", "lib"])
    build, _ = _stages(_dockerfile(app))
    assert build.index("COPY . /app") < build.index("RUN yarn install --frozen-lockfile")
    assert "COPY package.json yarn.lock ./" not in build


def test_the_package_manager_reaches_the_runtime_when_a_process_runs_it(tmp_path: Path) -> None:
    app = _app(tmp_path, {"yarn.lock": "", "Procfile": "web: yarn start\nworker: yarn jobs\n"})
    _, runtime = _stages(_dockerfile(app))
    assert "RUN npm install -g --force yarn@1.22.22" in runtime
