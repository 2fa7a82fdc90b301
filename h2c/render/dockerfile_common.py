"""What the Python and the Node.js Dockerfiles share: the runtime stage's frame, the Debian
packages the built files link against, apt lines and the build-time ``ARG`` lines.

Pure text, as lines the two writers join with newlines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from h2c.plan.planner import ConvoxPlan
from h2c.render.header import header

APP_USER = "1000:1000"
SHELL = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]'
IGNORED_APT = """\
# hadolint rules ignored on purpose, each on its own line below:
#   DL3008 apt packages are not pinned: Debian's security updates must reach the image"""
_BUILD_ARGS_NOTE = (
    "# Build-time config, as Heroku exposes config vars to the build. Convox passes the app\n"
    "# env's value of each ARG (never a secret here: ARG values show in the image history)."
)


def two_stages(plan: ConvoxPlan, ignored: str, build: list[str], runtime: list[str]) -> str:
    """The Dockerfile text: the header, the hadolint rules ignored, the two stages."""
    lines = [header(plan.inputs), ignored, "", *build, "", *runtime]
    return "\n".join(lines) + "\n"


def build_head(comment: str, image: str, env: Sequence[str]) -> list[str]:
    """The build stage's first lines: the image named ``build``, the shell, the env."""
    return [f"# {comment}", f"FROM {image} AS build", SHELL, "ENV " + " \\\n    ".join(env)]


def toolchain_retry(reason: str, packages: Sequence[str]) -> list[str]:
    """The continued lines of a ``RUN`` that, when the install before failed, say why and
    install the toolchain ``packages`` (the caller closes with the install again)."""
    return [
        f" || {{ echo 'h2c: {reason}' >&2 \\",
        "      && apt-get update \\",
        *apt_install(packages),
    ]


def copy_files(files: Sequence[str]) -> list[str]:
    """COPY lines that keep each dependency file's directory.

    >>> copy_files(("package.json", ".yarn/releases/yarn.cjs"))
    ['COPY package.json ./', 'COPY .yarn/releases/yarn.cjs ./.yarn/releases/']
    """
    by_dir: dict[str, list[str]] = {}
    for path in files:
        directory = path.rpartition("/")[0]
        by_dir.setdefault(directory, []).append(path)
    return [
        f"COPY {' '.join(paths)} ./{directory + '/' if directory else ''}"
        for directory, paths in by_dir.items()
    ]


def build_args(plan: ConvoxPlan) -> list[str]:
    """``ARG`` for each config key the build reads: Convox passes the app env's value."""
    keys = [f"ARG {key}" for key in plan.build_args]
    return [_BUILD_ARGS_NOTE, *keys] if keys else []


def apt_install(packages: Sequence[str]) -> list[str]:
    """The continued ``apt-get install`` lines of a ``RUN``, six packages a line.

    >>> apt_install(("gcc", "make"))[1]
    '           gcc make \\\\'
    """
    rows = [packages[i : i + 6] for i in range(0, len(packages), 6)]
    return [
        "      && apt-get install -y --no-install-recommends \\",
        *(f"           {' '.join(row)} \\" for row in rows),
    ]


def linked_packages(comment: str, root: str, pattern: str, target: str) -> list[str]:
    """A ``RUN`` that lists, into ``target``, the Debian packages whose shared libraries the
    files named ``pattern`` under ``root`` link against (``ldd``, ``dpkg -S``). ``ldd`` fails on
    files that are not this platform's (prebuilt darwin/win32 addons ship beside the linux
    ones): that must not fail the build, so its exit status is ignored."""
    return [
        f"# {comment}",
        f"RUN find {root} -name '{pattern}' -type f -print0 \\",
        " | xargs -0 -r sh -c 'ldd \"$@\" 2>/dev/null || true' sh \\",
        " | awk '$2 == \"=>\" && $3 ~ /^\\// {print $3}' | sort -u \\",
        ' | while read -r lib; do dpkg -S "$lib" 2>/dev/null'
        ' || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true; done \\',
        f" | cut -d: -f1 | sort -u > {target}",
    ]


def runtime_head(plan: ConvoxPlan, image: str, env: Sequence[str]) -> list[str]:
    """The runtime stage's first lines: the slim image, the shell, the env (with ``PORT``)."""
    port = [f"PORT={plan.web.port}"] if plan.web is not None else []
    return [
        "# --- runtime: no compiler; the app folder belongs to the app's user, as on Heroku",
        f"FROM {image}",
        SHELL,
        "ENV " + " \\\n    ".join([*env, *port]),
    ]


def install_linked(listed: str, user_setup: Sequence[str] = ()) -> list[str]:
    """Install the listed packages the slim image lacks, then make the app folder."""
    return [
        f"COPY --from=build {listed} /tmp/runtime-packages",
        "# hadolint ignore=DL3008",
        "RUN missing=$(while read -r pkg; do \\",
        "      dpkg-query -W -f='${Status}\\n' \"$pkg\" 2>/dev/null | grep -q ' installed$' \\",
        '      || echo "$pkg"; done < /tmp/runtime-packages) \\',
        ' && if [ -n "$missing" ]; then apt-get update \\',
        '    && echo "$missing" | xargs apt-get install -y --no-install-recommends \\',
        "    && rm -rf /var/lib/apt/lists/*; fi \\",
        " && rm /tmp/runtime-packages \\",
        *user_setup,
        " && install -d -o 1000 -g 1000 /app",
    ]


def runtime_tail(plan: ConvoxPlan, user_note: str) -> list[str]:
    """The numeric user, the web port and the main process's command."""
    lines = [f"# {user_note}", f"USER {APP_USER}"]
    web = plan.web
    if web is not None:
        lines.append(f"EXPOSE {web.port}")
    main = web or (plan.services[0] if plan.services else None)
    if main is not None:
        lines.append("CMD " + json.dumps(list(main.command.argv)))
    return lines
