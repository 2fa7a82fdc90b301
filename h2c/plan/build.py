"""Build-time config: which config vars the image build gets, as Heroku gives them to its build.

Pure. Heroku exposes every config var to the build; Convox passes, as ``--build-arg``, the app
env's value of each ``ARG`` the Dockerfile declares (convox/convox pkg/build/docker.go
``buildArgs``), and an ARG's value shows in the image history. So the build gets the config
keys it reads (``bin/pre_compile``, ``bin/post_compile``, the settings collectstatic imports)
and the ones the buildpack itself reads, unless they look secret: those are named in a finding.
"""

from __future__ import annotations

from h2c.model import AppSpec, Finding, Severity
from h2c.plan.envrules import SENSITIVE_KEY, EnvKind, classify

# Read by heroku-buildpack-python or Django itself at build time, whether or not app code names
# them.
BUILDPACK_KEYS = ("DJANGO_SETTINGS_MODULE", "DISABLE_COLLECTSTATIC")
# collectstatic gets harmless placeholders for these (h2c.render.dockerfile_python)
PLACEHOLDER_KEYS = ("SECRET_KEY", "DATABASE_URL")


def plan_build(spec: AppSpec, findings: list[Finding]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The config keys declared as ``ARG`` in the build stage, and those its steps get a
    placeholder for instead (sorted, each).

    A key the build reads reaches it as an ARG when it is the app's own and looks public. One
    that looks secret, or belongs to an add-on, does not (an ARG's value shows in the image
    history), yet Heroku's build had it: the build steps get a placeholder for it on their own
    line, so settings that insist on it (``env("DJANGO_SECRET_KEY")``) still import.
    ``SECRET_KEY`` and ``DATABASE_URL`` always get one for collectstatic.
    """
    config = {c.key for c in spec.config}
    wanted: dict[str, tuple[str, int]] = {}
    for key, file, line in spec.build_reads:
        if key in config:
            wanted.setdefault(key, (file, line))
    for key in BUILDPACK_KEYS:
        if key in config:
            wanted.setdefault(key, ("", 0))
    args: list[str] = []
    placeholders = set(PLACEHOLDER_KEYS) if spec.runtime.collectstatic else set()
    for key, (file, line) in sorted(wanted.items()):
        if classify(key, spec.addons) is not EnvKind.COPY:
            placeholders.add(key)
        elif SENSITIVE_KEY.search(key) and key not in BUILDPACK_KEYS:
            if key not in placeholders:
                findings.append(_secret_read(key, file, line))
            placeholders.add(key)
        else:
            args.append(key)
    return tuple(args), tuple(sorted(placeholders))


def _secret_read(key: str, file: str, line: int) -> Finding:
    return Finding(
        Severity.INFO,
        f"the build reads {key}, which looks secret: it is not passed to the image build (a "
        "build arg's value shows in `docker history`), where Heroku's build saw it; the build "
        "steps get a placeholder for it instead",
        file or None,
        line or None,
    )


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
