"""convox.env: exact values, no quotes, config order; and no value anywhere else."""

from __future__ import annotations

import pytest
from test_plan import django_app, hard_app

from h2c.artifacts.envfile import parse_env_lines
from h2c.model import AppSpec
from h2c.plan.planner import plan
from h2c.render.bundle import render_all
from h2c.render.envfile import render_convox_env
from h2c.render.multiline import decode_twins


def test_lines_are_exact_values_in_config_order() -> None:
    spec = django_app()
    result = render_convox_env(spec, plan(spec))
    lines = result.text.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == list(plan(spec).copy_keys)
    for line in lines:
        key, value = line.split("=", 1)  # as `convox env set` splits stdin
        secret = spec.config_value(key)
        assert secret is not None and secret.reveal() == value, f"value of {key} differs"
    assert result.multiline_keys == ()


def test_dropped_keys_are_not_written() -> None:
    spec = django_app()
    keys = {line.split("=", 1)[0] for line in render_convox_env(spec, plan(spec)).text.splitlines()}
    assert not keys & {"DATABASE_URL", "PAPERTRAIL_API_TOKEN", "HEROKU_APP_NAME"}


def test_multiline_values_are_carried_by_base64_twins() -> None:
    spec = hard_app()
    result = render_convox_env(spec, plan(spec))
    assert result.multiline_keys == ("PRIVATE_KEY",)
    env = parse_env_lines(result.text)  # as Convox stores it: one line per key
    assert "PRIVATE_KEY" not in env
    assert decode_twins(env)["PRIVATE_KEY"] == spec.config_value("PRIVATE_KEY")
    rest = [line for line in result.text.splitlines() if not line.startswith("H2C_B64_")]
    assert rest == ["WEB_CONCURRENCY=4", "LITERAL_BRACES=prefix-${HOME}-suffix"]


@pytest.mark.parametrize("make", [django_app, hard_app], ids=["django", "hard"])
def test_no_config_value_outside_convox_env(make: object) -> None:
    spec: AppSpec = make()  # type: ignore[operator]
    rendered = render_all(spec)
    env = rendered.file("convox.env")
    assert env.secret and env.mode == 0o600
    others = [f for f in rendered.files if f.path != "convox.env"]
    assert all(not f.secret and f.mode == 0o644 for f in others)
    for var in spec.config:
        value = var.value.reveal().strip()
        if len(value) < 6:
            continue  # "4" or "" would match anywhere
        for f in others:
            assert value not in f.content, f"config value of {var.key} leaked into {f.path}"
        for finding in rendered.findings:
            assert value not in finding.message, f"config value of {var.key} in a finding"
