"""The Dockerfile that builds a Python app the way heroku-buildpack-python builds it.

Pure text. Two stages:

- **build**: the app's dependencies in a venv, keyed on the dependency files only (a code change
  reuses the layer). A dependency without a wheel for this platform is compiled, as on Heroku:
  when the plain install fails, the build stage installs what Heroku's build image
  (heroku/base-images heroku-24-build) offers for Python packages (``BUILD_PACKAGES``) and
  installs again. Then the code, the build-time config (``ARG``, which Convox fills from the app
  env), ``bin/pre_compile``, Django's collectstatic and ``bin/post_compile``, in the buildpack's
  order. Last, the Debian packages whose shared libraries the installed ``.so`` files link
  against are listed, derived from the files themselves (``ldd``, ``dpkg -S``), not a hand list.
- **runtime**: the slim image, those libraries and the Aptfile's packages, no compiler; the venv
  and the built app folder, owned by the app's user (on Heroku the dyno user owns ``/app``),
  ``HOME=/app``; a numeric non-root user.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from h2c.model import AppSpec
from h2c.plan.build import placeholder_value
from h2c.plan.planner import ConvoxPlan
from h2c.render import dockerfile_common as common
from h2c.render.multiline import shim_dockerfile_lines

# What heroku-24-build installs that Python packages compile against, by Debian name (the rest
# of its list serves Ruby, PHP and image tools: autoconf, bison, libmagickwand-dev, ...). The
# core covers the common cases (psycopg2, uWSGI, psycopg[c], cffi, cryptography) and is tried
# first, so a build that needs a compiler rarely pays for the whole list.
CORE_BUILD_PACKAGES = (
    "build-essential",  # gcc, g++, make, libc6-dev
    "pkg-config",
    "libpq-dev",  # psycopg2, psycopg[c]
    "libssl-dev",
    "libffi-dev",
    "zlib1g-dev",
)
MORE_BUILD_PACKAGES = (
    "git",  # VCS requirements (git+https://...)
    "gettext",  # Django compilemessages
    "default-libmysqlclient-dev",  # mysqlclient
    "libxml2-dev",
    "libxslt1-dev",
    "libjpeg-dev",
    "libbz2-dev",
    "libyaml-dev",
    "libmemcached-dev",  # pylibmc
    "libcurl4-openssl-dev",  # pycurl
    "libldap-dev",  # python-ldap
    "libsasl2-dev",
    "libkrb5-dev",
    "libsodium-dev",
    "libargon2-dev",
    "libev-dev",
    "libevent-dev",
    "libzstd-dev",
    "liblz4-dev",
    "libgdbm-dev",
    "libmagic-dev",
)
BUILD_PACKAGES = CORE_BUILD_PACKAGES + MORE_BUILD_PACKAGES

# Placeholders that let Django settings import during collectstatic: not config values.
RUNTIME_LIST = "/opt/venv/.h2c-runtime-packages"
_USER_SETUP = (
    " && groupadd --gid 1000 app \\",
    " && useradd --uid 1000 --gid 1000 --home-dir /app --no-create-home app \\",
)

IGNORED_RULES = f"""\
{common.IGNORED_APT}
#   DL3013 build tools (pipenv, poetry, uv) are not pinned: they only read the lock file,
#          which pins every dependency the app runs with"""

_BUILD_NOTE = "--- build: as Heroku's build, with its toolchain when a dependency must compile"
_COMPILE_NOTE = "a dependency must be compiled: installing the build toolchain"
_BUILD_ENV = (
    "PYTHONDONTWRITEBYTECODE=1",
    "PIP_NO_CACHE_DIR=1",
    "PIP_DISABLE_PIP_VERSION_CHECK=1",
    "VIRTUAL_ENV=/opt/venv",
    "PATH=/opt/venv/bin:$PATH",
)


def render_python_dockerfile(spec: AppSpec, plan: ConvoxPlan) -> str:
    """The Dockerfile text for a Python app as planned."""
    image = f"python:{spec.runtime.minor_version}-slim"
    build = build_stage(spec, plan, image)
    return common.two_stages(plan, IGNORED_RULES, build, runtime_stage(spec, plan, image))


def build_stage(spec: AppSpec, plan: ConvoxPlan, image: str) -> list[str]:
    """Dependencies (compiled when they must be), then the code and Heroku's build steps."""
    rt = spec.runtime
    lines = [
        *common.build_head(_BUILD_NOTE, image, _BUILD_ENV),
        *_apt(rt.apt_packages, "Aptfile packages (also there at build time, as on Heroku)"),
        "RUN python -m venv /opt/venv",
        "WORKDIR /app",
    ]
    if rt.pre_compile:
        lines += [
            "# bin/pre_compile runs before dependencies are installed, as on Heroku; it needs",
            "# the code, so the dependency layer is rebuilt on every code change.",
            "COPY . /app",
            *common.build_args(plan),
            "RUN chmod +x bin/pre_compile && bin/pre_compile",
            *_install(rt.package_manager),
            *_runtime_packages(),
        ]
    else:
        lines += [
            "# Dependencies first, keyed on the dependency files only: code changes reuse it.",
            *common.copy_files(rt.dependency_files),
            *_install(rt.package_manager),
            *_runtime_packages(),
            "COPY . /app",
            *common.build_args(plan),
        ]
    lines += _build_steps(spec, plan)
    return lines


def _runtime_packages() -> list[str]:
    """List, right after the install (so a code change does not redo it), the Debian packages
    whose shared libraries the installed extensions link against."""
    comment = "The Debian packages whose shared libraries the installed extensions link against."
    return common.linked_packages(comment, "/opt/venv", "*.so*", RUNTIME_LIST)


def runtime_stage(spec: AppSpec, plan: ConvoxPlan, image: str) -> list[str]:
    """The slim image with the libraries the app links against, the venv and the built app."""
    env = ["PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "VIRTUAL_ENV=/opt/venv"]
    env += ["PATH=/opt/venv/bin:$PATH", "HOME=/app"]
    return [
        *common.runtime_head(plan, image, env),
        *_apt(spec.runtime.apt_packages, "Aptfile packages"),
        *common.install_linked(RUNTIME_LIST, _USER_SETUP),
        "COPY --from=build /opt/venv /opt/venv",
        f"COPY --from=build --chown={common.APP_USER} /app /app",
        "WORKDIR /app",
        *shim_dockerfile_lines(list(plan.multiline_keys)),
        *common.runtime_tail(plan, "Numeric, so Kubernetes can check runAsNonRoot."),
    ]


def _apt(packages: Sequence[str], comment: str) -> list[str]:
    if not packages:
        return []
    return [
        f"# {comment}",
        "# hadolint ignore=DL3008",
        "RUN apt-get update \\",
        " && apt-get install -y --no-install-recommends " + " ".join(sorted(set(packages))) + " \\",
        " && rm -rf /var/lib/apt/lists/*",
    ]


def _build_steps(spec: AppSpec, plan: ConvoxPlan) -> list[str]:
    """collectstatic, then bin/post_compile, in the buildpack's order, each with placeholders
    for what the build reads but must not get (secrets, add-on keys)."""
    rt = spec.runtime
    env = " ".join(f"{k}={shlex.quote(placeholder_value(k))}" for k in plan.build_placeholders)
    prefix = f"{env} " if env else ""
    lines = []
    if rt.pre_compile or rt.post_compile:
        lines += _apt(("gettext",), "gettext, as Heroku's build image has (compilemessages)")
    if rt.collectstatic:
        manage = rt.django_manage or "manage.py"
        lines += [
            "# Static files at build time, as on Heroku (skipped when DISABLE_COLLECTSTATIC is",
            "# set). What the settings read and the build must not get: harmless placeholders.",
            'RUN if [ "${DISABLE_COLLECTSTATIC:-0}" = "0" ]; then \\',
            f"    {prefix}python {manage} collectstatic --noinput; fi",
        ]
    if rt.post_compile:
        lines.append(f"RUN chmod +x bin/post_compile && {prefix}bin/post_compile")
    return lines


def _install(manager: str) -> list[str]:
    """Install the locked dependencies into /opt/venv; when a package has no wheel, install
    Heroku's build toolchain (its core first, then the rest) and try again. Build tools (pipenv,
    poetry, uv) live in a throwaway venv."""
    install = _install_command(manager)
    return [
        "# hadolint ignore=DL3008,DL3013",
        f"RUN {install} \\",
        *common.toolchain_retry(_COMPILE_NOTE, CORE_BUILD_PACKAGES),
        f"      && {install}; }} \\",
        " || { echo 'h2c: installing the rest of Heroku build image libraries' >&2 \\",
        *common.apt_install(MORE_BUILD_PACKAGES),
        f"      && {install}; }}",
    ]


def _install_command(manager: str) -> str:
    tool = (
        "{{ python -m venv /tmp/tools && /tmp/tools/bin/pip install --no-cache-dir {pkg}"
        " && {run}; }}"
    )
    if manager == "pipenv":
        run = (
            "/tmp/tools/bin/pipenv requirements > /tmp/requirements.txt"
            " && pip install --no-cache-dir -r /tmp/requirements.txt"
        )
        return tool.format(pkg="pipenv", run=run)
    if manager == "poetry":
        run = (
            "POETRY_VIRTUALENVS_CREATE=false /tmp/tools/bin/poetry sync --only main"
            " --no-root --no-interaction"
        )
        return tool.format(pkg="poetry", run=run)
    if manager == "uv":
        run = (
            "UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never"
            " /tmp/tools/bin/uv sync --locked --no-default-groups --no-install-project"
        )
        return tool.format(pkg="uv", run=run)
    return "pip install --no-cache-dir -r requirements.txt"
