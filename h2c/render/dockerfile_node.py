"""The Dockerfile that builds a Node.js app the way heroku/heroku-buildpack-nodejs builds it.

Pure text. Two stages, in the house style of ``h2c.render.dockerfile_python``:

- **build**: ``NODE_ENV=production`` as on Heroku; ``heroku-prebuild`` (it needs the code, so the
  dependency layer is then rebuilt on every code change), the locked install with
  devDependencies (``npm ci --include=dev``, ...), keyed on package.json and the lockfile. A
  dependency with a native addon is compiled, as on Heroku: when the plain install fails, the
  build stage installs the toolchain node-gyp needs (``BUILD_PACKAGES``) and installs again. Then
  the code, the build-time config (``ARG``), ``heroku-postbuild`` (else ``build``), the
  devDependencies pruned, ``heroku-cleanup``. Last, the Debian packages whose shared libraries
  the installed ``.node`` addons link against (``ldd``, ``dpkg -S``).
- **runtime**: the slim image, those libraries, no compiler; the built app folder owned by the
  app's user (uid 1000, the official image's ``node``), ``HOME=/app``, ``node_modules/.bin`` on
  ``PATH`` (as Heroku's profile puts it), ``NODE_ENV=production``; the multi-line values' shim
  (``h2c.render.multiline``) as the entrypoint when there are any.
"""

from __future__ import annotations

import json

from h2c.model import AppSpec, Runtime
from h2c.plan.planner import ConvoxPlan
from h2c.render.dockerfile_python import APP_USER, _apt_install, _build_args
from h2c.render.header import header
from h2c.render.multiline import shim_dockerfile_lines

# What node-gyp needs to compile an addon (heroku-24-build has these): a C/C++ toolchain and
# Python 3 for gyp itself.
BUILD_PACKAGES = ("build-essential", "python3", "pkg-config", "libssl-dev", "zlib1g-dev")
RUNTIME_LIST = "/tmp/h2c-runtime-packages"
# Without multi-line values (whose h2c-env shim is then the entrypoint): the official image's
# docker-entrypoint.sh only puts `node` before a non-command, and every command here names its
# program, so the image runs what convox.yml says.
_NO_ENTRYPOINT = ["ENTRYPOINT []"]

IGNORED_RULES = """\
# hadolint rules ignored on purpose, each on its own line below:
#   DL3008 apt packages are not pinned: Debian's security updates must reach the image
#   DL3016 npm packages are not pinned: the lockfile pins every dependency the app runs with"""

# install (devDependencies included, as Heroku's build), prune (after the build)
_INSTALL = {
    "npm": ("npm ci --include=dev", "npm prune --omit=dev"),
    "npm-nolock": ("npm install --include=dev", "npm prune --omit=dev"),
    "yarn": (
        "yarn install --frozen-lockfile --production=false",
        "yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline",
    ),
    "yarn-berry": ("yarn install --immutable", "yarn workspaces focus --all --production"),
    "pnpm": ("pnpm install --frozen-lockfile --prod=false", "pnpm prune --prod"),
}


def node_image(runtime: Runtime) -> str:
    """The official image the app builds from.

    >>> node_image(Runtime("node", "20", "package.json", "npm", ("package.json",)))
    'node:20-slim'
    """
    return f"node:{runtime.version}-slim"


def install_commands(runtime: Runtime) -> tuple[str, str]:
    """The install (with devDependencies) and the prune, for the app's package manager.

    >>> install_commands(Runtime("node", "20", "default", "npm", ("package.json",)))[0]
    'npm install --include=dev'
    """
    key = runtime.package_manager
    if key == "npm" and len(runtime.dependency_files) < 2:
        key = "npm-nolock"
    return _INSTALL.get(key, _INSTALL["npm"])


def render_node_dockerfile(spec: AppSpec, plan: ConvoxPlan) -> str:
    """The Dockerfile text for a Node.js app as planned."""
    image = node_image(spec.runtime)
    lines = [header(plan.inputs), IGNORED_RULES, ""]
    lines += build_stage(spec, plan, image)
    lines += [""]
    lines += runtime_stage(spec, plan, image)
    return "\n".join(lines) + "\n"


def build_stage(spec: AppSpec, plan: ConvoxPlan, image: str) -> list[str]:
    """Dependencies (compiled when they must be), then the code and the buildpack's scripts."""
    rt = spec.runtime
    install, prune = install_commands(rt)
    lines = [
        "# --- build: as Heroku's build, with a toolchain when a native addon must compile",
        f"FROM {image} AS build",
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
        "ENV NODE_ENV=production \\\n    NPM_CONFIG_UPDATE_NOTIFIER=false \\\n"
        "    NPM_CONFIG_FUND=false",
        *_corepack(rt),
        "WORKDIR /app",
    ]
    if rt.node_prebuild:
        lines += [
            "# heroku-prebuild runs before dependencies are installed, as on Heroku; it needs",
            "# the code, so the dependency layer is rebuilt on every code change.",
            "COPY . /app",
            *_build_args(plan),
            _run_script(rt, "heroku-prebuild"),
            *_install(install),
        ]
    else:
        lines += [
            "# Dependencies first, keyed on package.json and the lockfile: code changes reuse it.",
            f"COPY {' '.join(rt.dependency_files)} ./",
            *_install(install),
            "COPY . /app",
            *_build_args(plan),
        ]
    if rt.node_build_script:
        lines += [f"# {rt.node_build_script}, as Heroku runs it after the install"]
        lines.append(_run_script(rt, rt.node_build_script))
    lines += [
        "# devDependencies pruned after the build, as on Heroku (NODE_ENV=production)",
        f"RUN {prune}",
    ]
    if rt.node_cleanup:
        lines.append(_run_script(rt, "heroku-cleanup"))
    lines += [
        "# The Debian packages whose shared libraries the installed native addons link against.",
        "RUN find /app -name '*.node' -type f -print0 | xargs -0 -r ldd 2>/dev/null \\",
        " | awk '$2 == \"=>\" && $3 ~ /^\\// {print $3}' | sort -u \\",
        ' | while read -r lib; do dpkg -S "$lib" 2>/dev/null'
        ' || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true; done \\',
        f" | cut -d: -f1 | sort -u > {RUNTIME_LIST}",
    ]
    return lines


def runtime_stage(spec: AppSpec, plan: ConvoxPlan, image: str) -> list[str]:
    """The slim image with the libraries the addons link against and the built app."""
    env = ["NODE_ENV=production", "HOME=/app", "PATH=$PATH:/app/node_modules/.bin"]
    web = plan.web
    if web is not None:
        env.append(f"PORT={web.port}")
    lines = [
        "# --- runtime: no compiler; the app folder belongs to the app's user, as on Heroku",
        f"FROM {image}",
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
        "ENV " + " \\\n    ".join(env),
        f"COPY --from=build {RUNTIME_LIST} /tmp/runtime-packages",
        "# hadolint ignore=DL3008",
        "RUN missing=$(while read -r pkg; do \\",
        "      dpkg-query -W -f='${Status}\\n' \"$pkg\" 2>/dev/null | grep -q ' installed$' \\",
        '      || echo "$pkg"; done < /tmp/runtime-packages) \\',
        ' && if [ -n "$missing" ]; then apt-get update \\',
        '    && echo "$missing" | xargs apt-get install -y --no-install-recommends \\',
        "    && rm -rf /var/lib/apt/lists/*; fi \\",
        " && rm /tmp/runtime-packages \\",
        " && install -d -o 1000 -g 1000 /app",
        f"COPY --from=build --chown={APP_USER} /app /app",
        "WORKDIR /app",
        *(shim_dockerfile_lines(list(plan.multiline_keys)) or _NO_ENTRYPOINT),
        "# Numeric, so Kubernetes can check runAsNonRoot (the image's own `node` user).",
        f"USER {APP_USER}",
    ]
    if web is not None:
        lines.append(f"EXPOSE {web.port}")
    main = web or (plan.services[0] if plan.services else None)
    if main is not None:
        lines.append("CMD " + json.dumps(list(main.command.argv)))
    return lines


def _corepack(rt: Runtime) -> list[str]:
    """yarn and pnpm come from corepack, at the version packageManager names."""
    if rt.package_manager == "npm":
        return []
    tool = "yarn" if rt.package_manager.startswith("yarn") else "pnpm"
    spec = rt.node_package_manager or tool
    return [f"RUN corepack enable && corepack prepare {spec} --activate"]


def _run_script(rt: Runtime, script: str) -> str:
    runner = {"yarn": "yarn run", "yarn-berry": "yarn run", "pnpm": "pnpm run"}
    return f"RUN {runner.get(rt.package_manager, 'npm run')} {script}"


def _install(install: str) -> list[str]:
    """The locked install; when a native addon fails to build, node-gyp's toolchain is
    installed and the install tried again."""
    return [
        "# hadolint ignore=DL3008,DL3016",
        f"RUN {install} \\",
        " || { echo 'h2c: a native addon must be compiled: installing the build toolchain' >&2 \\",
        "      && apt-get update \\",
        *_apt_install(BUILD_PACKAGES),
        "      && rm -rf /var/lib/apt/lists/* \\",
        f"      && {install}; }}",
    ]
