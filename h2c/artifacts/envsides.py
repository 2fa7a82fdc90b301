"""Where the two sides of the env diff come from: files, or the live CLIs when installed.

Heroku side: a ``heroku config -s``/``--json`` export, or ``heroku config --json -a APP``; plus
app.json (required keys, add-ons) through ``load_app``. Convox side: the generated convox.env
with convox.yml's ``environment`` lists (defaults, required keys) and resources, or
``convox env -a APP``. Exceptions: h2c.toml ``[env]``. The text parsers here are pure; the only
side effects are reading files and ``run_cli`` (the one subprocess call). CLI output is never
put in a message: it holds values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from h2c.adapters.platform_cli import convox_env_live, heroku_config_live
from h2c.artifacts.convox_yml import ManifestEnv, manifest_env, with_defaults
from h2c.artifacts.envfile import parse_env_lines
from h2c.artifacts.h2c_toml import h2c_toml_in, read_h2c_toml
from h2c.artifacts.yamldoc import load_yaml_mapping
from h2c.errors import InputError
from h2c.model import Addon, AppSpec
from h2c.plan.naming import twin_key
from h2c.render.multiline import decode_twins
from h2c.secret import Secret
from h2c.verdicts.envparity import Exceptions, KeyVerdict, diff

# --- pure parsers ---------------------------------------------------------------------------


# --- adapters -------------------------------------------------------------------------------


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
    spec: AppSpec,
    exceptions: Exceptions,
) -> EnvSides:
    """Assemble both sides from values already read (pure; the gate's fixture uses this)."""
    manifest = manifest_env(convox_doc)
    decoded = decode_twins(app_env)  # what the entrypoint shim exports from the base64 twins
    if manifest.declared is not None:
        declared = manifest.declared | {k for k in decoded if twin_key(k) in manifest.declared}
        manifest = replace(manifest, declared=frozenset(declared))
    return EnvSides(
        heroku=dict(heroku),
        convox={**with_defaults(app_env, manifest), **decoded},
        manifest=manifest,
        app_json_required=frozenset(d.key for d in spec.env_decls if d.required),
        addons=spec.addons,
        exceptions=exceptions,
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

    recorded = h2c_toml_in(app_dir).heroku  # [heroku]: the exports generate read
    config = config or recorded.path("config", app_dir)
    addons = addons or recorded.path("addons", app_dir)
    spec = load_app(app_dir, config=config, addons=addons)
    if heroku_app:
        heroku = heroku_config_live(heroku_app)
    elif config is not None:
        heroku = {c.key: c.value for c in spec.config}
    else:
        raise InputError(
            str(app_dir),
            "no Heroku side: pass --config FILE or --heroku-app NAME (or record it in h2c.toml "
            '[heroku] config = "FILE")',
        )
    yml_path = app_dir / "convox.yml"
    if not yml_path.is_file():
        raise InputError(str(yml_path), f"not found: run `h2c generate {app_dir}` first")
    doc = load_yaml_mapping(read_text(yml_path, expected="convox.yml"), file=str(yml_path))
    if convox_app:
        app_env = convox_env_live(convox_app)
    else:
        env_path = app_dir / "convox.env"
        text = read_text(env_path, expected="convox.env") if env_path.is_file() else ""
        app_env = parse_env_lines(text)
    toml_path = app_dir / "h2c.toml"
    exceptions = Exceptions()
    if toml_path.is_file():
        text = read_text(toml_path, expected="h2c.toml")
        exceptions = read_h2c_toml(text, file=str(toml_path)).env
    return sides_from(heroku, app_env, doc, spec, exceptions)
