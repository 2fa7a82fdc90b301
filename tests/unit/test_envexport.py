"""Env export formats are exact, and `h2c env export` writes private files only."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from h2c.artifacts.envfile import parse_env_lines
from h2c.cli import main
from h2c.heroku.config import parse_config
from h2c.plan.naming import TWIN_PREFIX
from h2c.render.envexport import export, format_convox, format_dotenv, format_json
from h2c.render.multiline import decode_twins
from h2c.secret import Secret

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "fixtures" / "apps" / "django-sample"
CONFIG = REPO / "fixtures" / "heroku" / "django-sample" / "config.txt"
KEYS = st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True)
VALUES = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))

# python-dotenv's single-quoted value (dotenv/parser.py): `'((?:\\'|[^'])*)'`, then `\\` and
# `\'` decoded. Re-implemented here so the test needs no extra dependency.
_DOTENV_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)='((?:\\'|[^'])*)'\n", re.DOTALL)


def read_dotenv(text: str) -> dict[str, str]:
    result, pos = {}, 0
    while pos < len(text):
        m = _DOTENV_LINE.match(text, pos)
        assert m is not None, f"unparseable dotenv at offset {pos}"
        result[m[1]] = re.sub(r"\\([\\'])", r"\1", m[2])
        pos = m.end()
    return result


@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_dotenv_reads_back_exactly(env: dict[str, str]) -> None:
    text = format_dotenv({k: Secret(v) for k, v in env.items()}).text
    assert read_dotenv(text) == env


@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_json_reads_back_exactly(env: dict[str, str]) -> None:
    text = format_json({k: Secret(v) for k, v in env.items()}).text
    assert json.loads(text) == env
    assert {c.key: c.value.reveal() for c in parse_config(text, file="x.json")} == env


@given(st.dictionaries(KEYS.filter(lambda k: not k.startswith(TWIN_PREFIX)), VALUES, max_size=6))
def test_convox_format_is_exact_and_flags_multiline(env: dict[str, str]) -> None:
    result = format_convox({k: Secret(v) for k, v in env.items()})
    single = {k: v for k, v in env.items() if "\n" not in v and "\r" not in v}
    assert set(result.flagged) == set(env) - set(single)
    back = parse_env_lines(result.text)  # as `convox env set` reads stdin
    plain = {k: v.reveal() for k, v in back.items() if not k.startswith(TWIN_PREFIX)}
    assert plain == single
    decoded = {k: v.reveal() for k, v in decode_twins(back).items()}  # what the shim exports
    assert decoded == {k: v for k, v in env.items() if k not in single}


def test_convox_format_has_no_quotes() -> None:
    text = format_convox({"URL": Secret("postgres://u:p@h/db"), "Q": Secret("it's")}).text
    assert text == "URL=postgres://u:p@h/db\nQ=it's\n"


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export({}, "yaml")


def _secret_values() -> list[str]:
    return [
        c.value.reveal()
        for c in parse_config(CONFIG.read_text(), file="c")
        if len(c.value.reveal()) >= 6
    ]


@pytest.mark.parametrize("fmt", ["convox", "dotenv", "json"])
def test_export_writes_a_private_file_and_prints_no_value(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"env.{fmt}"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)  # an existing file is replaced, not reused with its old mode
    assert (
        main(["env", "export", str(APP), "--config", str(CONFIG), "--format", fmt, "-o", str(out)])
        == 0
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    printed = capsys.readouterr()
    assert sum(v in printed.out + printed.err for v in _secret_values()) == 0, "a value printed"
    text = out.read_text(encoding="utf-8")
    assert "SECRET_KEY" in text
    # copied keys only: no add-on, resource or platform key is exported
    for key in ("DATABASE_URL", "PAPERTRAIL_API_TOKEN", "HEROKU_APP_NAME"):
        assert key not in text
    assert not list(tmp_path.glob(".env.*"))  # no temporary file left behind


def test_export_to_stdout_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["env", "export", str(APP), "--config", str(CONFIG), "--format", "json"]
    assert main(args) == 2  # no -o: usage error, nothing printed
    assert "SECRET_KEY" not in capsys.readouterr().out
    assert main([*args, "-o", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"ALLOWED_HOSTS", "DJANGO_DEBUG", "SECRET_KEY"}


def test_export_flags_multiline_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.json"
    pem = "-----BEGIN KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8w\n-----END KEY-----"
    config.write_text(json.dumps({"PEM_KEY": pem, "SECRET_KEY": "abcdefgh"}), encoding="utf-8")
    out = tmp_path / "convox.out"
    args = [
        "env",
        "export",
        str(APP),
        "--config",
        str(config),
        "--format",
        "convox",
        "-o",
        str(out),
    ]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "PEM_KEY is multi-line" in err and "MIIBVQ" not in err
    written = parse_env_lines(out.read_text(encoding="utf-8"))
    assert sorted(written) == ["H2C_B64_PEM_KEY", "SECRET_KEY"]
    assert decode_twins(written)["PEM_KEY"].reveal() == pem
    dotenv = tmp_path / "x.env"
    assert main([*args[:-4], "--format", "dotenv", "-o", str(dotenv)]) == 0
    assert read_dotenv(dotenv.read_text(encoding="utf-8"))["PEM_KEY"] == pem
