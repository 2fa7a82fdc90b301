"""Which package manager heroku/heroku-buildpack-nodejs would use, at which version, and the
files its install reads.

Pure: the loader passes the text of the files it found (``NODE_FILES``, and the file names
under ``YARN_DIRS``). The buildpack's rules (REFERENCE "Heroku Node.js buildpack"): the manager
from the lockfile (more than one fails the build), yarn 2+ ("berry") from ``packageManager``,
a ``.yarnrc.yml`` or the lockfile's ``__metadata``, the version from ``packageManager``.
"""

from __future__ import annotations

from collections.abc import Mapping

from h2c.errors import InputError

LOCKFILES: dict[str, str] = {
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "pnpm",
}
# Settings the install reads from the app's root (registry, auth, hoisting, yarnPath, ...): on
# Heroku the install runs in the whole app, so they are copied with the lockfile.
INSTALL_CONFIG = (".npmrc", ".yarnrc", ".yarnrc.yml", "pnpm-workspace.yaml", ".pnpmfile.cjs")
NODE_FILES: tuple[str, ...] = ("package.json", *LOCKFILES, *INSTALL_CONFIG)
# Yarn 2+'s own folders that its install needs (yarnPath's release, plugins, patches); the
# cache and the install state are not: the install makes them.
YARN_DIRS = (".yarn/releases", ".yarn/plugins", ".yarn/patches")
# Installed from the npm registry, pinned, when packageManager names no version: yarn 1 for a
# classic yarn.lock, yarn 4 ("@yarnpkg/cli-dist", berry's npm package) and pnpm's major.
DEFAULT_TOOLS = {"yarn": "1.22.22", "yarn-berry": "4.9.4", "pnpm": "9.15.0"}
NPM_PACKAGES = {"yarn": "yarn", "yarn-berry": "@yarnpkg/cli-dist", "pnpm": "pnpm"}


def package_manager(files: Mapping[str, str], app: str) -> tuple[str, str | None]:
    """(npm | yarn | pnpm, the lockfile or None); more than one lockfile is an InputError."""
    found = [name for name in LOCKFILES if name in files]
    if len(found) > 1:
        raise InputError(
            app,
            "multiple lockfiles were found: " + ", ".join(found) + "; Heroku's Node.js "
            "buildpack fails the build on more than one (keep the one of your package manager)",
        )
    if not found:
        return "npm", None
    return LOCKFILES[found[0]], found[0]


def yarn_berry(files: Mapping[str, str], spec: str | None) -> bool:
    """Yarn 2+: packageManager says so, or a .yarnrc.yml, or the lockfile's ``__metadata``."""
    if spec and spec.startswith("yarn@"):
        return not spec.startswith("yarn@1.")
    return ".yarnrc.yml" in files or "__metadata:" in files.get("yarn.lock", "")


def install_inputs(files: Mapping[str, str], manager: str) -> tuple[str, ...]:
    """The settings files and yarn 2+ folders' files present, in a stable order.

    >>> install_inputs({".npmrc": "", ".yarn/releases/yarn-4.cjs": "", "x.js": ""}, "yarn-berry")
    ('.npmrc', '.yarn/releases/yarn-4.cjs')
    """
    names = [name for name in INSTALL_CONFIG if name in files]
    if manager == "yarn-berry":
        names += sorted(n for n in files if n.startswith(tuple(d + "/" for d in YARN_DIRS)))
    return tuple(names)


def tool_command(manager: str) -> str:
    """The command a non-npm manager runs as (yarn 1 and 2+ alike are ``yarn``).

    >>> tool_command("yarn-berry"), tool_command("pnpm")
    ('yarn', 'pnpm')
    """
    return "pnpm" if manager == "pnpm" else "yarn"


def tool_package(manager: str, spec: str | None) -> str | None:
    """The npm package (pinned) that provides the manager's command, or None for npm: the
    version packageManager names (its ``+sha...`` hash dropped: the registry checks integrity),
    else the buildpack's default.

    >>> tool_package("pnpm", "pnpm@10.4.1+sha512.c753b6c"), tool_package("yarn", None)
    ('pnpm@10.4.1', 'yarn@1.22.22')
    >>> tool_package("yarn-berry", "yarn@4.6.0"), tool_package("npm", "npm@10.9.0")
    ('@yarnpkg/cli-dist@4.6.0', None)
    """
    if manager not in NPM_PACKAGES:
        return None
    version = DEFAULT_TOOLS[manager]
    command = tool_command(manager)
    if spec and spec.startswith(command + "@"):
        named = spec.partition("@")[2].partition("+")[0]
        if named and named[0].isdigit() and (manager != "yarn") == (not named.startswith("1.")):
            version = named
    return f"{NPM_PACKAGES[manager]}@{version}"


def yarn_pnp(files: Mapping[str, str]) -> bool:
    """Yarn 2+ with Plug'n'Play (its default linker): no node_modules, ``.pnp.cjs`` instead.

    >>> yarn_pnp({".yarnrc.yml": "nodeLinker: node-modules\\n"}), yarn_pnp({})
    (False, True)
    """
    for line in files.get(".yarnrc.yml", "").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "nodeLinker":
            return value.split("#")[0].strip().strip("'\"") == "pnp"
    return True


def workspaces(package: Mapping[str, object], files: Mapping[str, str]) -> bool:
    """A monorepo: package.json ``workspaces`` (npm, yarn) or a pnpm-workspace.yaml that lists
    ``packages``; its install reads every workspace's package.json.

    >>> workspaces({"workspaces": ["api"]}, {}), workspaces({}, {"pnpm-workspace.yaml": "x: 1"})
    (True, False)
    """
    if package.get("workspaces"):
        return True
    text = files.get("pnpm-workspace.yaml", "")
    return any(line.split("#")[0].strip() == "packages:" for line in text.splitlines())
