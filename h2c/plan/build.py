"""Build-time config: which config vars the image build gets, as Heroku gives them to its build.

Pure. Heroku exposes every config var to the build; Convox passes, as ``--build-arg``, the app
env's value of each ``ARG`` the Dockerfile declares (convox/convox pkg/build/docker.go
``buildArgs``), and an ARG's value shows in the image history. So the build gets the config
keys it reads (``bin/pre_compile``, ``bin/post_compile``, the settings collectstatic imports)
and the ones the buildpack itself reads, unless they look secret: those are named in a finding.
"""

from __future__ import annotations

from h2c.model import AppSpec, Finding, Severity
from h2c.plan.envrules import EnvKind, classify
from h2c.verdicts.leaks import SENSITIVE_KEY

# Read by heroku-buildpack-python or Django itself at build time, whether or not app code names
# them.
BUILDPACK_KEYS = ("DJANGO_SETTINGS_MODULE", "DISABLE_COLLECTSTATIC")
# collectstatic gets harmless placeholders for these (h2c.render.dockerfile_python)
PLACEHOLDER_KEYS = ("SECRET_KEY", "DATABASE_URL")


def plan_build_args(spec: AppSpec, findings: list[Finding]) -> tuple[str, ...]:
    """The config keys declared as ``ARG`` in the build stage, sorted."""
    config = {c.key for c in spec.config}
    wanted: dict[str, tuple[str, int]] = {}
    for key, file, line in spec.build_reads:
        wanted.setdefault(key, (file, line))
    for key in BUILDPACK_KEYS:
        if key in config:
            wanted.setdefault(key, ("", 0))
    args = []
    for key, (file, line) in sorted(wanted.items()):
        if key not in config or classify(key, spec.addons) is not EnvKind.COPY:
            continue
        if SENSITIVE_KEY.search(key) and key not in BUILDPACK_KEYS:
            if key in PLACEHOLDER_KEYS and spec.runtime.collectstatic:
                continue
            findings.append(
                Finding(
                    Severity.INFO,
                    f"the build reads {key}, which looks secret: it is not passed to the image "
                    "build (a build arg's value shows in `docker history`), where Heroku's build "
                    "saw it; if a build step fails without it, give that step a placeholder",
                    file or None,
                    line or None,
                )
            )
            continue
        args.append(key)
    return tuple(args)


def placeholder_value(key: str) -> str:
    """A harmless stand-in for a value the build reads but must not get (never a real one).

    >>> placeholder_value("DATABASE_URL"), placeholder_value("REDIS_URL"), placeholder_value("K")
    ('sqlite:///:memory:', 'http://h2c-build-placeholder.invalid/', 'h2c-build-placeholder')
    """
    if key == "DATABASE_URL":
        return "sqlite:///:memory:"
    if key.endswith("_URL"):
        return "http://h2c-build-placeholder.invalid/"
    return "h2c-build-placeholder"


def plan_build_placeholders(spec: AppSpec, build_args: tuple[str, ...]) -> tuple[str, ...]:
    """Keys the build reads that it does not get as an ARG (a secret, an add-on's), yet that
    Heroku's build had: each gets a placeholder on the build steps' own line, so settings that
    insist on them (``env("DJANGO_SECRET_KEY")``) still import; ``SECRET_KEY`` and
    ``DATABASE_URL`` always do, for collectstatic."""
    config = {c.key for c in spec.config}
    read = {key for key, _, _ in spec.build_reads if key in config}
    keys = (read - set(build_args)) | (
        set(PLACEHOLDER_KEYS) if spec.runtime.collectstatic else set()
    )
    return tuple(sorted(keys))
