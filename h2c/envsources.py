"""Where the two sides of the env diff come from: files, or the live CLIs when installed.

Heroku side: a ``heroku config -s``/``--json`` export, or ``heroku config --json -a APP``; plus
app.json (required keys, add-ons) through ``load_app``. Convox side: the generated convox.env
with convox.yml's ``environment`` lists (defaults, required keys) and resources, or
``convox env -a APP``. Exceptions: h2c.toml ``[env]``. The text parsers here are pure; the only
side effects are reading files and ``run_cli`` (the one subprocess call). CLI output is never
put in a message: it holds values.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from h2c.envparity import Exceptions, KeyVerdict, diff
from h2c.errors import EnvironmentMissing, H2cError, InputError, Location
from h2c.gatecfg import load_toml, toml_line
from h2c.heroku.config import parse_config
from h2c.model import Addon, AppSpec
from h2c.secret import Secret

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --- pure parsers ---------------------------------------------------------------------------


def parse_env_lines(text: str, *, continuation: bool = True) -> dict[str, Secret]:
    """``KEY=VALUE`` lines as ``convox env`` prints them, split at the first ``=``, no quotes.

    With ``continuation`` a line that does not start with ``KEY=`` continues the previous value
    (how ``convox env`` prints a multi-line value). Without it (a convox.env file, read the way
    ``convox env set`` reads stdin) such lines and ``#`` comments are skipped, so a multi-line
    value keeps only its first line, as it would on Convox.

    >>> env = parse_env_lines("A=1\\nPEM=line1\\nline2\\nB=x=y\\n")
    >>> env["PEM"].reveal(), env["B"].reveal()
    ('line1\\nline2', 'x=y')
    >>> parse_env_lines("PEM=line1\\nline2\\n", continuation=False)["PEM"].reveal()
    'line1'
    """
    env: dict[str, str] = {}
    last: str | None = None
    for line in text.split("\n"):
        key, eq, value = line.partition("=")
        if eq and _KEY_RE.match(key):
            env[key], last = value, key
        elif continuation and last is not None and line:
            env[last] += "\n" + line
    return {k: Secret(v) for k, v in env.items()}


@dataclass(frozen=True)
class ManifestEnv:
    """What convox.yml says about env: every ``environment`` list and linked resource."""

    declared: frozenset[str] | None  # None when some list holds `*`
    defaults: Mapping[str, str] = field(default_factory=dict)  # KEY=default
    required: frozenset[str] = frozenset()  # bare KEY
    provided: frozenset[str] = frozenset()  # <RESOURCE>_URL and parts of linked resources


def manifest_env(doc: Mapping[str, Any]) -> ManifestEnv:
    """Read the env declarations of a parsed convox.yml (top level and every service).

    >>> m = manifest_env({"resources": {"database": {"type": "postgres"}}, "services": {"web":
    ...     {"environment": ["A", "B=2"], "resources": ["database"]}}})
    >>> sorted(m.declared), dict(m.defaults), sorted(m.required), "DATABASE_URL" in m.provided
    (['A', 'B'], {'B': '2'}, ['A'], True)
    """
    lists = [doc.get("environment") or []]
    linked: set[str] = set()
    for service in (doc.get("services") or {}).values():
        service = service or {}
        lists.append(service.get("environment") or [])
        linked.update(str(r) for r in service.get("resources") or [])
    declared: set[str] | None = set()
    defaults: dict[str, str] = {}
    required: set[str] = set()
    for entries in lists:
        for item in entries:
            key, eq, default = str(item).partition("=")
            if key == "*":
                declared = None
                continue
            if declared is not None:
                declared.add(key)
            if eq:
                defaults.setdefault(key, default)
            else:
                required.add(key)
    required -= set(defaults)
    provided = set()
    for name in linked:
        prefix = re.sub(r"[^A-Z0-9]", "_", name.upper())
        provided |= {f"{prefix}_{part}" for part in ("URL", "USER", "PASS", "HOST", "PORT", "NAME")}
    return ManifestEnv(
        frozenset(declared) if declared is not None else None,
        defaults,
        frozenset(required),
        frozenset(provided),
    )


def with_defaults(app_env: Mapping[str, Secret], manifest: ManifestEnv) -> dict[str, Secret]:
    """The app env a service sees: the set values, then convox.yml defaults for the rest."""
    env = dict(app_env)
    for key, default in manifest.defaults.items():
        env.setdefault(key, Secret(default))
    return env


def parse_exceptions(text: str, *, file: str) -> Exceptions:
    """h2c.toml ``[env]``: ``ignore`` and ``expect_changed``, each ``{ key, reason }``.

    A missing or empty reason is bad input: an exception nobody can explain is a hole in the
    gate. (A bare string in ``ignore`` is such an exception.)

    >>> e = parse_exceptions('[env]\\nignore = [{ key = "A", reason = "unused" }]\\n', file="t")
    >>> dict(e.ignore), dict(e.expect_changed)
    ({'A': 'unused'}, {})
    """
    doc = load_toml(text, file=file)
    env = doc.get("env", {})
    if not isinstance(env, dict):
        raise InputError(Location(file, toml_line(text, "env")), "[env] must be a table")
    return Exceptions(
        ignore=_entries(env, "ignore", text, file),
        expect_changed=_entries(env, "expect_changed", text, file),
    )


def _entries(env: Mapping[str, Any], name: str, text: str, file: str) -> dict[str, str]:
    items = env.get(name, [])
    where = Location(file, toml_line(text, "env", name))
    if not isinstance(items, list):
        raise InputError(where, f"[env] {name} must be an array of {{ key = ..., reason = ... }}")
    result: dict[str, str] = {}
    for i, item in enumerate(items):
        if isinstance(item, str):
            raise InputError(
                where,
                f'[env] {name} entry {i} ({item}) has no reason: write {{ key = "{item}", '
                'reason = "why" }',
            )
        key = item.get("key") if isinstance(item, dict) else None
        reason = item.get("reason") if isinstance(item, dict) else None
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise InputError(where, f"[env] {name} entry {i} must have key = an env var name")
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(where, f"[env] {name} entry {i} ({key}) needs a non-empty reason")
        result[key] = reason.strip()
    return result


# --- adapters -------------------------------------------------------------------------------


class CliFailed(H2cError):
    """A heroku/convox CLI call exited non-zero (its output is not shown: it may hold values)."""


def run_cli(argv: Sequence[str], *, timeout_s: float = 120.0) -> str:
    """Run a CLI and return its stdout; EnvironmentMissing when it is not installed."""
    if shutil.which(argv[0]) is None:
        raise EnvironmentMissing(f"the `{argv[0]}` CLI is not installed (needed for {argv[1]})")
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise CliFailed(f"`{' '.join(argv[:2])}` did not finish in {timeout_s:g} s") from None
    if done.returncode != 0:
        raise CliFailed(f"`{' '.join(argv)}` exited {done.returncode}")
    return done.stdout


def heroku_config_live(app: str) -> dict[str, Secret]:
    """``heroku config --json -a APP``."""
    text = run_cli(["heroku", "config", "--json", "-a", app])
    return {c.key: c.value for c in parse_config(text, file=f"heroku config --json -a {app}")}


def convox_env_live(app: str) -> dict[str, Secret]:
    """``convox env -a APP``."""
    return parse_env_lines(run_cli(["convox", "env", "-a", app]))


# --- both sides of one app ------------------------------------------------------------------


@dataclass(frozen=True)
class EnvSides:
    heroku: dict[str, Secret]
    convox: dict[str, Secret]  # with convox.yml defaults applied
    manifest: ManifestEnv
    app_json_required: frozenset[str]
    addons: tuple[Addon, ...]
    exceptions: Exceptions
    defaulted: frozenset[str] = frozenset()  # Convox value from a convox.yml default only

    def diff(self) -> list[KeyVerdict]:
        return diff(
            self.heroku,
            self.convox,
            app_json_required=self.app_json_required,
            convox_required=self.manifest.required,
            addons=self.addons,
            exceptions=self.exceptions,
            provided=self.manifest.provided,
            declared=self.manifest.declared,
            defaulted=self.defaulted,
        )


def sides_from(
    heroku: Mapping[str, Secret],
    app_env: Mapping[str, Secret],
    convox_doc: Mapping[str, Any],
    spec: AppSpec | None,
    *,
    toml_text: str | None = None,
    toml_file: str = "h2c.toml",
) -> EnvSides:
    """Assemble both sides from values already read (pure; the gate's fixture uses this)."""
    manifest = manifest_env(convox_doc)
    return EnvSides(
        heroku=dict(heroku),
        convox=with_defaults(app_env, manifest),
        manifest=manifest,
        app_json_required=frozenset(d.key for d in spec.env_decls if d.required)
        if spec
        else frozenset(),
        addons=spec.addons if spec else (),
        exceptions=parse_exceptions(toml_text, file=toml_file) if toml_text else Exceptions(),
        defaulted=frozenset(k for k in manifest.defaults if k not in app_env),
    )


def load_sides(
    app_dir: Path,
    *,
    config: Path | None = None,
    addons: Path | None = None,
    heroku_app: str | None = None,
    convox_app: str | None = None,
) -> EnvSides:
    """Read both sides for ``app_dir`` (its generated convox.yml, convox.env and h2c.toml)."""
    from h2c.heroku.app import load_app, read_text

    spec = load_app(app_dir, config=config, addons=addons)
    if heroku_app:
        heroku = heroku_config_live(heroku_app)
    elif config is not None:
        heroku = {c.key: c.value for c in spec.config}
    else:
        raise InputError(str(app_dir), "no Heroku side: pass --config FILE or --heroku-app NAME")
    yml_path = app_dir / "convox.yml"
    if not yml_path.is_file():
        raise InputError(str(yml_path), f"not found: run `h2c generate {app_dir}` first")
    try:
        doc = yaml.safe_load(read_text(yml_path, expected="convox.yml"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError(Location(str(yml_path), line), "not valid YAML") from None
    if not isinstance(doc, dict):
        raise InputError(str(yml_path), "expected a mapping at the top level")
    if convox_app:
        app_env = convox_env_live(convox_app)
    else:
        env_path = app_dir / "convox.env"
        text = read_text(env_path, expected="convox.env") if env_path.is_file() else ""
        app_env = parse_env_lines(text, continuation=False)
    toml_path = app_dir / "h2c.toml"
    toml_text = read_text(toml_path, expected="h2c.toml") if toml_path.is_file() else None
    return sides_from(heroku, app_env, doc, spec, toml_text=toml_text, toml_file=str(toml_path))
