"""Env parity rules: one status per key, exceptions with reasons, and never a value shown."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from h2c.artifacts.envsides import load_sides
from h2c.cli import main
from h2c.errors import InputError
from h2c.heroku.config import parse_config
from h2c.model import Addon
from h2c.secret import Secret
from h2c.verdicts.envparity import Exceptions, Status, diff, failures, short_digest
from h2c.verdicts.envruntime import environ_from_hex, runtime_diff

REPO = Path(__file__).resolve().parents[2]
CASES = sorted(p.parent for p in (REPO / "fixtures" / "env").glob("*/expected.txt"))
PG = Addon("heroku-postgresql", "essential-0", "DATABASE", ("DATABASE_URL",))


def S(text: str) -> Secret:
    return Secret(text)


def statuses(verdicts) -> dict[str, str]:
    return {v.key: v.status.value for v in verdicts}


# --- one rule at a time ----------------------------------------------------------------------


def test_equal_copied_key_is_ok_and_absent_is_missing() -> None:
    got = statuses(diff({"A": S("1"), "B": S("2")}, {"A": S("1")}))
    assert got == {"A": "ok", "B": "missing"}


def test_changed_value() -> None:
    [v] = diff({"A": S("heroku-value")}, {"A": S("convox-value")})
    assert v.status is Status.CHANGED and v.fails


def test_platform_keys_not_expected_and_fail_when_copied() -> None:
    heroku = {"PORT": S("5000"), "DYNO": S("web.1"), "HEROKU_APP_NAME": S("shop")}
    assert set(statuses(diff(heroku, {})).values()) == {"platform"}
    assert statuses(diff(heroku, {"HEROKU_APP_NAME": S("shop")}))["HEROKU_APP_NAME"] == (
        "platform_copied"
    )


@pytest.mark.parametrize(
    "key", ["DATABASE_URL", "REDIS_URL", "HEROKU_POSTGRESQL_RED_URL", "REPORTING_DB_URL"]
)
def test_resource_url_rules(key: str) -> None:
    addons = [Addon("heroku-postgresql", None, "REPORTING_DB", ("REPORTING_DB_URL",))]
    heroku = {key: S("postgres://u:p@heroku-host/db")}
    assert statuses(diff(heroku, dict(heroku), addons=addons))[key] == "copied_addon_url"
    assert statuses(diff(heroku, {}, addons=addons, provided={key}))[key] == "resource"
    assert statuses(diff(heroku, {}, addons=addons))[key] == "resource_missing"
    other = {key: S("postgres://elsewhere/db")}
    assert statuses(diff(heroku, other, addons=addons))[key] == "resource_overridden"


def test_copied_addon_url_is_never_waived() -> None:
    heroku = {"DATABASE_URL": S("postgres://u:p@heroku-host/db")}
    exceptions = Exceptions(
        ignore={"DATABASE_URL": "just this once"}, expect_changed={"DATABASE_URL": "resource"}
    )
    [v] = diff(heroku, dict(heroku), addons=[PG], exceptions=exceptions)
    assert v.status is Status.COPIED_ADDON_URL


def test_addon_key_needs_a_decision_until_recorded() -> None:
    heroku = {"PAPERTRAIL_API_TOKEN": S("8iQ2gBy7XvQOfWM16PNb")}
    assert statuses(diff(heroku, {}))["PAPERTRAIL_API_TOKEN"] == "needs_decision"
    kept = diff(heroku, dict(heroku))
    assert statuses(kept)["PAPERTRAIL_API_TOKEN"] == "ok"
    recorded = Exceptions(ignore={"PAPERTRAIL_API_TOKEN": "logs go to Convox's syslog"})
    [v] = diff(heroku, {}, exceptions=recorded)
    assert v.status is Status.IGNORED and "syslog" in v.detail


def test_required_keys() -> None:
    got = statuses(diff({}, {"B": S("x")}, app_json_required={"A", "B"}, convox_required={"C"}))
    assert got == {"A": "required_unset", "B": "convox_only", "C": "required_unset"}
    # a bare convox.yml key makes the deploy fail: ignore cannot waive it; app.json's can be
    waived = Exceptions(ignore={"A": "set by hand later", "C": "set by hand later"})
    got = statuses(diff({}, {}, app_json_required={"A"}, convox_required={"C"}, exceptions=waived))
    assert got == {"A": "ignored", "C": "required_unset"}


def test_resource_and_system_keys_count_as_set() -> None:
    got = diff({}, {}, app_json_required={"DATABASE_URL", "PORT"}, provided={"DATABASE_URL"})
    assert not failures(got)


def test_undeclared_key_is_dropped_by_convox() -> None:
    env = {"A": S("1"), "B": S("2")}
    assert statuses(diff(env, env, declared={"A"})) == {"A": "ok", "B": "undeclared"}
    assert statuses(diff(env, env, declared=None)) == {"A": "ok", "B": "ok"}


def test_multiline_carried_flagged_and_mangled() -> None:
    pem = "-----BEGIN KEY-----\nabc\n-----END KEY-----"
    heroku = {"PEM": S(pem)}
    [v] = diff(heroku, {"PEM": S(pem)})
    assert v.status is Status.MULTILINE and not v.fails and "twin" in v.detail
    for mangled in (pem.replace("\n", "\\n"), pem.splitlines()[0]):
        [v] = diff(heroku, {"PEM": S(mangled)})
        assert v.status is Status.MULTILINE_MANGLED and v.fails
    [v] = diff(heroku, {})
    assert v.status is Status.MISSING and "multi-line" in v.detail


def test_quotes_kept_by_heroku_config_s_pipe() -> None:
    [v] = diff({"A": S("a b")}, {"A": S("'a b'")})
    assert v.status is Status.QUOTES_KEPT


def test_expect_changed() -> None:
    exceptions = Exceptions(expect_changed={"A": "rotated on Convox", "B": "rotated"})
    got = diff(
        {"A": S("old"), "B": S("same")}, {"A": S("new"), "B": S("same")}, exceptions=exceptions
    )
    assert statuses(got) == {"A": "expected_changed", "B": "ok"}
    assert "rotated on Convox" in got[0].detail


def test_short_digest_shows_four_hex_chars() -> None:
    assert short_digest(S("x")) == "sha256:" + S("x").digest[:4]


# Bracketed so a value can never be a chance substring of a key name or a fixed message.
VALUES = st.text(min_size=6).map(lambda text: f"\u27e6{text}\u27e7")


@given(VALUES, VALUES)
def test_no_verdict_ever_holds_a_value(heroku_value: str, convox_value: str) -> None:
    keys = ("APP_SETTING", "DATABASE_URL", "PAPERTRAIL_API_TOKEN", "HEROKU_APP_NAME")
    verdicts = diff(
        {k: S(heroku_value) for k in keys},
        {k: S(convox_value) for k in keys},
        addons=[PG],
        declared={"APP_SETTING"},
    )
    for v in verdicts:
        for text in (v.message(), v.detail, v.heroku, v.convox, repr(v)):
            assert not (heroku_value in text or convox_value in text), f"{v.key}: a value shows"


# --- runtime truth ---------------------------------------------------------------------------


def test_environ_from_hex_and_runtime_diff() -> None:
    raw = b"A=1\0B=two words\0C=x=y\nz\0"
    text = " ".join(f"{b:02x}" for b in raw)
    env = environ_from_hex(text)
    assert {k: v.reveal() for k, v in env.items()} == {"A": "1", "B": "two words", "C": "x=y\nz"}
    got = runtime_diff({"A": S("1"), "B": S("other"), "D": S("d")}, env)
    assert statuses(got) == {"A": "ok", "B": "runtime_differs", "D": "runtime_missing"}
    with pytest.raises(ValueError):
        environ_from_hex("A=1")


# --- the broken cases, through the files and the CLI ----------------------------------------


def expected_failures(case: Path) -> dict[str, str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").split("\n")
    return dict(line.split() for line in lines if line.strip())


def case_values(case: Path) -> list[str]:
    """Every value on either side of a case, to prove none is shown."""
    heroku = parse_config((case / "heroku.txt").read_text(encoding="utf-8"), file="heroku.txt")
    values = [c.value.reveal() for c in heroku]
    for line in (case / "convox.env").read_text(encoding="utf-8").splitlines():
        values.append(line.partition("=")[2])
    return [v for v in values if len(v) >= 6]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_case_is_rejected_by_name(case: Path) -> None:
    sides = load_sides(case, config=case / "heroku.txt")
    failed = {v.key: v.status.value for v in failures(sides.diff())}
    assert failed == expected_failures(case)
    for verdict in failures(sides.diff()):
        message = verdict.message()
        assert verdict.key in message and verdict.status.value in message
        shown = sum(value in message for value in case_values(case))
        assert shown == 0, f"a value shows in the message of {verdict.key}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_env_diff_command_fails_without_showing_values(
    case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["env", "diff", str(case), "--config", str(case / "heroku.txt")]
    assert main(args) == 1
    table = capsys.readouterr()
    assert main([*args, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    failed = {row["key"]: row["status"] for row in doc["keys"] if row["fails"]}
    assert failed == expected_failures(case)
    everything = table.out + table.err + json.dumps(doc)
    assert sum(value in everything for value in case_values(case)) == 0, "a value was printed"


def test_exception_without_reason_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "app"
    shutil.copytree(REPO / "fixtures" / "env" / "addon-undecided", app)
    (app / "h2c.toml").write_text('[env]\nignore = ["PAPERTRAIL_API_TOKEN"]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"h2c.toml:2: .*no reason"):
        load_sides(app, config=app / "heroku.txt")
    assert main(["env", "diff", str(app), "--config", str(app / "heroku.txt")]) == 2
    (app / "h2c.toml").write_text(
        '[env]\nexpect_changed = [{ key = "PAPERTRAIL_API_TOKEN", reason = " " }]\n',
        encoding="utf-8",
    )
    assert main(["env", "diff", str(app), "--config", str(app / "heroku.txt")]) == 2
    assert "non-empty reason" in capsys.readouterr().err
    (app / "h2c.toml").write_text(
        '[env]\nignore = [{ key = "PAPERTRAIL_API_TOKEN", reason = "logs via syslog" }]\n',
        encoding="utf-8",
    )
    assert main(["env", "diff", str(app), "--config", str(app / "heroku.txt")]) == 0


def test_generated_env_files_are_private_and_dockerignored() -> None:
    from h2c.heroku.app import load_app
    from h2c.render.bundle import render_all

    exports = REPO / "fixtures" / "heroku" / "django-sample"
    spec = load_app(REPO / "fixtures" / "apps" / "django-sample", config=exports / "config.txt")
    rendered = render_all(spec)
    secret_files = [f for f in rendered.files if f.secret or f.path.endswith(".env")]
    assert [f.path for f in secret_files] == ["convox.env"]
    ignored = {
        line.strip().lstrip("/") for line in rendered.file(".dockerignore").content.splitlines()
    }
    for f in secret_files:
        assert stat.S_IMODE(f.mode) == 0o600, f"{f.path} is not mode 0600"
        assert f.secret
        assert f.path in ignored, f"{f.path} is not in .dockerignore"
    assert {".env", "*.env"} <= ignored  # what `h2c env export -o x.env` may write, too
