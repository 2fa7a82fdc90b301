"""The app the gate checks: its folder, its Procfile and the generated artifacts, as values.

The gate tests the artifacts as they are on disk (hand edits included), so it reads
convox.yml and the compose file itself instead of re-planning from the model. Reading files
happens here; the env assembly below is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from h2c.artifacts.convox_yml import convox_port
from h2c.artifacts.dockerfile import declared_args
from h2c.artifacts.envfile import parse_env_lines
from h2c.artifacts.h2c_toml import H2cToml, h2c_toml_in
from h2c.artifacts.yamldoc import load_yaml_mapping
from h2c.errors import InputError
from h2c.heroku.app import load_app, read_text
from h2c.model import AppSpec
from h2c.plan.naming import RELEASE, service_names, twin_key
from h2c.secret import Secret

ARTIFACTS = (
    "Dockerfile",
    ".dockerignore",
    "convox.yml",
    "docker-compose.yml",
    "convox.env",
    "h2c.toml",
    "MIGRATION.md",
)
REQUIRED = ("Dockerfile", "convox.yml")
# h2c's Gen1 manifest when the app has its own docker-compose.yml (h2c.render.layout)
H2C_COMPOSE = "docker-compose.convox.yml"


@dataclass(frozen=True)
class GateApp:
    """One app folder with its generated artifacts, read once per gate session."""

    dir: Path
    processes: dict[str, str]  # Procfile type -> command, in file order
    dockerfile: str
    convox: dict[str, Any]
    compose: dict[str, Any] | None
    app_env: dict[str, Secret]  # convox.env
    config: dict[str, Secret]  # the Heroku config export, when given
    present: frozenset[str]
    spec: AppSpec = field(compare=False)
    h2c_toml: H2cToml = field(default_factory=H2cToml)  # defaults when the app has none
    dockerfile_name: str = "Dockerfile"  # what convox.yml builds with (its build.manifest)
    compose_name: str = "docker-compose.yml"  # the Gen1 manifest judged (h2c's if beside)
    heroku_side: bool = False  # a Heroku config export was given (or h2c.toml [heroku] names one)

    @property
    def services(self) -> dict[str, dict[str, Any]]:
        return dict(self.convox.get("services") or {})

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.convox.get("resources") or {})

    @property
    def web(self) -> str:
        """The routed service: ``web`` if it has a port, else the first service with one."""
        services = self.services
        if convox_port(services.get("web") or {}) is not None:
            return "web"
        return next((n for n, s in services.items() if convox_port(s or {}) is not None), "web")

    @property
    def build_args(self) -> dict[str, Secret]:
        """What Convox passes the build: the app env's value of each ARG the Dockerfile declares
        (convox/convox pkg/build/docker.go ``buildArgs``); nothing else of the env."""
        return {k: self.app_env[k] for k in declared_args(self.dockerfile) if k in self.app_env}

    @property
    def service_names(self) -> dict[str, str]:
        """Procfile type -> the convox.yml service it became (``h2c.plan.naming``'s one rule)."""
        return service_names(list(self.processes))

    @property
    def release(self) -> str | None:
        return self.processes.get(RELEASE)

    @property
    def published_values(self) -> frozenset[str]:
        """Defaults app.json publishes (``"value"``): in the repository, so not secrets."""
        return frozenset(d.value for d in self.spec.env_decls if d.value)


def _yaml(path: Path) -> dict[str, Any]:
    return load_yaml_mapping(read_text(path, expected=path.name), file=str(path))


def build_manifest(convox: Mapping[str, Any]) -> str:
    """The Dockerfile convox.yml builds with: a service's ``build.manifest`` (under its path).

    >>> build_manifest({"services": {"web": {"build": "."}}})
    'Dockerfile'
    >>> build = {"path": ".", "manifest": "Dockerfile.convox"}
    >>> build_manifest({"services": {"web": {"build": build}}})
    'Dockerfile.convox'
    """
    for svc in (convox.get("services") or {}).values():
        build = svc.get("build") if isinstance(svc, dict) else None
        if isinstance(build, dict) and build.get("manifest"):
            folder = str(build.get("path") or ".").strip("/")
            manifest = str(build["manifest"])
            return manifest if folder in ("", ".") else f"{folder}/{manifest}"
    return "Dockerfile"


def compose_manifest(app_dir: Path) -> str:
    """The Gen1 manifest the gate judges: h2c's beside the app's own, else docker-compose.yml."""
    return H2C_COMPOSE if (app_dir / H2C_COMPOSE).is_file() else "docker-compose.yml"


def load_target(
    app_dir: Path,
    *,
    config: Path | None = None,
    addons: Path | None = None,
    formation: Path | None = None,
) -> GateApp:
    """Read the app and its artifacts; InputError when the artifacts were never generated."""
    if not app_dir.is_dir():
        raise InputError(str(app_dir), "no such app folder")
    present = frozenset(name for name in ARTIFACTS if (app_dir / name).is_file())
    missing = [name for name in REQUIRED if name not in present]
    convox = _yaml(app_dir / "convox.yml") if "convox.yml" in present else {}
    dockerfile = build_manifest(convox)
    if "convox.yml" in present and not (app_dir / dockerfile).is_file():
        missing = [dockerfile]  # convox.yml names a Dockerfile that is not there
    if missing:
        raise InputError(
            str(app_dir),
            f"missing {', '.join(missing)}: run `h2c generate {app_dir}` first",
        )
    compose_name = compose_manifest(app_dir)
    toml = h2c_toml_in(app_dir)  # [heroku]: the exports generate read, unless given here
    config = config or toml.heroku.path("config", app_dir)
    addons = addons or toml.heroku.path("addons", app_dir)
    formation = formation or toml.heroku.path("formation", app_dir)
    spec = load_app(app_dir, config=config, addons=addons, formation=formation)
    env_file = app_dir / "convox.env"
    env_text = read_text(env_file, expected="convox.env") if env_file.is_file() else ""
    return GateApp(
        dir=app_dir,
        processes={p.name: p.command for p in spec.processes},
        dockerfile=read_text(app_dir / dockerfile, expected="a Dockerfile"),
        convox=convox,
        compose=_yaml(app_dir / compose_name) if (app_dir / compose_name).is_file() else None,
        app_env=convox_side_env(parse_env_lines(env_text), spec),
        config={c.key: c.value for c in spec.config},
        present=present,
        spec=spec,
        h2c_toml=toml,
        heroku_side=config is not None,
        dockerfile_name=dockerfile,
        compose_name=compose_name,
    )


def set_by_argument(spec: AppSpec, app_env: Mapping[str, Secret]) -> dict[str, Secret]:
    """The multi-line values MIGRATION.md has the user set one by one, as Convox will hold them.

    convox.env cannot carry a multi-line value (``convox env set`` splits stdin into lines), so
    the runbook sets each copied one with ``convox env set "KEY=$(heroku config:get KEY)"``;
    the shell's ``$(...)`` drops trailing newlines, and so does this. Keys in convox.env win.

    >>> from h2c.model import ConfigVar, Runtime
    >>> rt = Runtime("python", "3.12", "default", "pip", ("requirements.txt",))
    >>> spec = AppSpec("demo", (), rt, config=(ConfigVar("A", Secret("x")),
    ...     ConfigVar("PEM", Secret("a\\nb\\n"))))
    >>> {k: v.reveal() for k, v in set_by_argument(spec, {"A": Secret("x")}).items()}
    {'PEM': 'a\\nb'}
    """
    from h2c.plan.planner import plan

    result = {}
    for key in plan(spec).copy_keys:
        value = spec.config_value(key)
        if key in app_env or twin_key(key) in app_env:  # a base64 twin carries it
            continue
        if value is not None and value.is_multiline:
            result[key] = Secret(value.reveal().rstrip("\n"))
    return result


def convox_side_env(app_env: dict[str, Secret], spec: AppSpec) -> dict[str, Secret]:
    """convox.env, plus the values the runbook sets by argument (see ``set_by_argument``)."""
    return {**app_env, **set_by_argument(spec, app_env)}
