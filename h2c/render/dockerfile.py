"""Write the Dockerfile and .dockerignore that rebuild what the Heroku Python buildpack built.

Pure text generation. The image is the official ``python:<minor>-slim``, dependencies live in a
venv in their own layer (keyed on the dependency files only, so a code change reuses it), the
app runs as a non-root user, and no config value is ever baked in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from h2c.model import AppSpec, Runtime
from h2c.plan.planner import ConvoxPlan
from h2c.render.header import header

# Placeholders that let Django settings import during collectstatic: not config values.
COLLECTSTATIC_ENV = "SECRET_KEY=collectstatic-placeholder DATABASE_URL=sqlite:///:memory:"

_IGNORED_RULES = """\
# hadolint rules ignored on purpose, each on its own line below:
#   DL3008 apt packages are not pinned: Debian's security updates must reach the image
#   DL3013 build tools (pipenv, poetry, uv) are not pinned: they only read the lock file,
#          which pins every dependency the app runs with"""


def render_dockerfile(spec: AppSpec, plan: ConvoxPlan) -> str:
    """The Dockerfile text for ``spec`` as planned."""
    rt = spec.runtime
    lines = [header(plan.inputs), _IGNORED_RULES, "", f"FROM python:{rt.minor_version}-slim", ""]
    lines += ['SHELL ["/bin/bash", "-o", "pipefail", "-c"]', ""]
    lines += _environment(plan)
    if rt.apt_packages:
        lines += [
            "# Aptfile packages",
            "# hadolint ignore=DL3008",
            "RUN apt-get update \\",
            " && apt-get install -y --no-install-recommends "
            + " ".join(sorted(set(rt.apt_packages)))
            + " \\",
            " && rm -rf /var/lib/apt/lists/*",
            "",
        ]
    lines += [
        "RUN groupadd --gid 1000 app \\",
        " && useradd --create-home --uid 1000 --gid 1000 app \\",
        " && python -m venv /opt/venv",
        "WORKDIR /app",
        "",
    ]
    lines += _build_steps(rt)
    lines += [
        "",
        "# The code stays owned by root (read-only for the app); chown what the app writes to.",
        "# Numeric, so Kubernetes can check runAsNonRoot.",
        "USER 1000:1000",
    ]
    web = plan.web
    if web is not None:
        lines.append(f"EXPOSE {web.port}")
    main = web or (plan.services[0] if plan.services else None)
    if main is not None:
        lines.append("CMD " + json.dumps(list(main.command.argv)))
    return "\n".join(lines) + "\n"


def _environment(plan: ConvoxPlan) -> list[str]:
    """The image's ENV: Python's and pip's quiet settings, the venv, and web's PORT."""
    env = [
        "PYTHONDONTWRITEBYTECODE=1",
        "PYTHONUNBUFFERED=1",
        "PIP_NO_CACHE_DIR=1",
        "PIP_DISABLE_PIP_VERSION_CHECK=1",
        "VIRTUAL_ENV=/opt/venv",
        "PATH=/opt/venv/bin:$PATH",
    ]
    if plan.web is not None:
        env.append(f"PORT={plan.web.port}")
    return ["ENV " + " \\\n    ".join(env), ""]


def _build_steps(rt: Runtime) -> list[str]:
    """Dependencies, code and the buildpack's hooks, in the order the buildpack runs them."""
    if rt.pre_compile:
        lines = [
            "# bin/pre_compile runs before dependencies are installed, as on Heroku. It needs",
            "# the code, so the dependency layer is rebuilt on every code change; if your",
            "# pre_compile does not touch dependency files, move these two lines below it.",
            "COPY . /app",
            "RUN chmod +x bin/pre_compile && bin/pre_compile",
            "",
            *_install(rt.package_manager),
            "",
        ]
    else:
        lines = [
            "# Dependencies first, keyed on the dependency files only: code changes reuse it.",
            *_copy_files(rt.dependency_files),
            *_install(rt.package_manager),
            "",
            "COPY . /app",
        ]
    if rt.post_compile:
        lines.append("RUN chmod +x bin/post_compile && bin/post_compile")
    if rt.collectstatic:
        manage = rt.django_manage or "manage.py"
        lines += [
            "# Static files at build time, as on Heroku. The settings module may want",
            "# SECRET_KEY and DATABASE_URL: harmless placeholders on this line only (not ENV).",
            f"RUN {COLLECTSTATIC_ENV} python {manage} collectstatic --noinput",
        ]
    return lines


def _copy_files(files: Sequence[str]) -> list[str]:
    """COPY lines that keep each dependency file's directory."""
    by_dir: dict[str, list[str]] = {}
    for path in files:
        directory = path.rpartition("/")[0]
        by_dir.setdefault(directory, []).append(path)
    return [
        f"COPY {' '.join(paths)} ./{directory + '/' if directory else ''}"
        for directory, paths in by_dir.items()
    ]


def _install(manager: str) -> list[str]:
    """Install the locked dependencies into /opt/venv; build tools live in a throwaway venv."""
    tool = "python -m venv /tmp/tools \\\n && /tmp/tools/bin/pip install --no-cache-dir {pkg} \\\n"
    if manager == "pipenv":
        return [
            "# hadolint ignore=DL3013",
            "RUN "
            + tool.format(pkg="pipenv")
            + " && /tmp/tools/bin/pipenv requirements > /tmp/requirements.txt \\\n"
            " && pip install --no-cache-dir -r /tmp/requirements.txt \\\n"
            " && rm -rf /tmp/tools /tmp/requirements.txt",
        ]
    if manager == "poetry":
        return [
            "# poetry installs into the active venv (VIRTUAL_ENV); the app code is not a package",
            "# hadolint ignore=DL3013",
            "RUN "
            + tool.format(pkg="poetry")
            + " && POETRY_VIRTUALENVS_CREATE=false /tmp/tools/bin/poetry sync --only main"
            " --no-root --no-interaction \\\n"
            " && rm -rf /tmp/tools",
        ]
    if manager == "uv":
        return [
            "# hadolint ignore=DL3013",
            "RUN "
            + tool.format(pkg="uv")
            + " && UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never"
            " /tmp/tools/bin/uv sync --locked --no-default-groups --no-install-project \\\n"
            " && rm -rf /tmp/tools",
        ]
    return ["RUN pip install --no-cache-dir -r requirements.txt"]


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
    ]
    return "\n".join(lines) + "\n"
