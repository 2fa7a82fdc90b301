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

from h2c.heroku.node_pm import tool_command
from h2c.model import AppSpec, Runtime
from h2c.plan.planner import ConvoxPlan
from h2c.render import dockerfile_common as common
from h2c.render.multiline import shim_dockerfile_lines

# What node-gyp needs to compile an addon (heroku-24-build has these): a C/C++ toolchain and
# Python 3 for gyp itself.
BUILD_PACKAGES = ("build-essential", "python3", "pkg-config", "libssl-dev", "zlib1g-dev")
RUNTIME_LIST = "/tmp/h2c-runtime-packages"
# Without multi-line values (whose h2c-env shim is then the entrypoint): the official image's
# docker-entrypoint.sh only puts `node` before a non-command, and every command here names its
# program, so the image runs what convox.yml says.
_NO_ENTRYPOINT = ["ENTRYPOINT []"]
_BUILD_NOTE = "--- build: as Heroku's build, with a toolchain when a native addon must compile"
_BUILD_ENV = ("NODE_ENV=production", "NPM_CONFIG_UPDATE_NOTIFIER=false", "NPM_CONFIG_FUND=false")
_COMPILE_NOTE = "a native addon must be compiled: installing the build toolchain"
_USER_NOTE = "Numeric, so Kubernetes can check runAsNonRoot (the image's own `node` user)."

IGNORED_RULES = f"""\
{common.IGNORED_APT}
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
    build = build_stage(spec, plan, image)
    return common.two_stages(plan, IGNORED_RULES, build, runtime_stage(spec, plan, image))


def build_stage(spec: AppSpec, plan: ConvoxPlan, image: str) -> list[str]:
    """Dependencies (compiled when they must be), then the code and the buildpack's scripts."""
    rt = spec.runtime
    install, prune = install_commands(rt)
    lines = [
        *common.build_head(_BUILD_NOTE, image, _BUILD_ENV + _pnp_cache(rt)),
        *_tool(rt),
        "WORKDIR /app",
    ]
    if rt.node_prebuild:
        lines += [
            "# heroku-prebuild runs before dependencies are installed, as on Heroku; it needs",
            "# the code, so the dependency layer is rebuilt on every code change.",
            "COPY . /app",
            *common.build_args(plan),
            _run_script(rt, "heroku-prebuild"),
            *_install(install),
        ]
    elif rt.node_workspaces:
        lines += [
            "# Workspaces: the install reads every workspace's package.json, so it needs the",
            "# code, and the dependency layer is rebuilt on every code change.",
            "COPY . /app",
            *_install(install),
            *common.build_args(plan),
        ]
    else:
        lines += [
            "# Dependencies first, keyed on package.json and the lockfile: code changes reuse it.",
            *common.copy_files(rt.dependency_files),
            *_install(install),
            "COPY . /app",
            *common.build_args(plan),
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
    comment = "The Debian packages whose shared libraries the installed native addons link against."
    return lines + common.linked_packages(comment, "/app", "*.node", RUNTIME_LIST)


def runtime_stage(spec: AppSpec, plan: ConvoxPlan, image: str) -> list[str]:
    """The slim image with the libraries the addons link against and the built app."""
    env = ["NODE_ENV=production", "HOME=/app", "PATH=$PATH:/app/node_modules/.bin"]
    if spec.runtime.node_pnp:
        env.append("NODE_OPTIONS=--require=/app/.pnp.cjs")
    return [
        *common.runtime_head(plan, image, env),
        *_tool_at_runtime(spec),
        *common.install_linked(RUNTIME_LIST),
        f"COPY --from=build --chown={common.APP_USER} /app /app",
        "WORKDIR /app",
        *(shim_dockerfile_lines(list(plan.multiline_keys)) or _NO_ENTRYPOINT),
        *common.runtime_tail(plan, _USER_NOTE),
    ]


_TOOL_NOTE = (
    "# {cmd} at the version packageManager names, else the buildpack's default, from the npm\n"
    "# registry the install uses (--force: over any copy the image ships, as its yarn 1)."
)


def _tool(rt: Runtime) -> list[str]:
    """The package manager's command, installed with npm (corepack needs repo.yarnpkg.com for
    yarn 2+, and leaves the image from Node.js 25)."""
    if not rt.node_tool:
        return []
    return [
        _TOOL_NOTE.format(cmd=tool_command(rt.package_manager)),
        f"RUN npm install -g --force {rt.node_tool} && npm cache clean --force",
    ]


def _pnp_cache(rt: Runtime) -> tuple[str, ...]:
    """Plug'n'Play reads the packages from yarn's cache: the app's own (.yarn/cache), so that
    the runtime stage has it, not the global one under /root."""
    return ("YARN_ENABLE_GLOBAL_CACHE=false",) if rt.node_pnp else ()


def _tool_at_runtime(spec: AppSpec) -> list[str]:
    """The package manager in the runtime image too when a process runs it, as Heroku keeps it
    on the dyno's PATH."""
    cmd = tool_command(spec.runtime.package_manager)
    if any(p.command.split()[:1] == [cmd] for p in spec.processes):
        return _tool(spec.runtime)
    return []


def _run_script(rt: Runtime, script: str) -> str:
    runner = {"yarn": "yarn run", "yarn-berry": "yarn run", "pnpm": "pnpm run"}
    return f"RUN {runner.get(rt.package_manager, 'npm run')} {script}"


def _install(install: str) -> list[str]:
    """The locked install; when a native addon fails to build, node-gyp's toolchain is
    installed and the install tried again."""
    return [
        "# hadolint ignore=DL3008,DL3016",
        f"RUN {install} \\",
        *common.toolchain_retry(_COMPILE_NOTE, BUILD_PACKAGES),
        "      && rm -rf /var/lib/apt/lists/* \\",
        f"      && {install}; }}",
    ]
