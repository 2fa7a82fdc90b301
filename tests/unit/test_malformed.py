"""Every malformed input is an InputError (exit 2) saying where and what was expected.

One folder per case under ``malformed/``: an app directory (Procfile, app.json, runtime files)
plus any of ``config.env``/``config.json``, ``addons.json``, ``formation.txt``,
``scheduler.json`` (passed as the exports), and ``expected``: text the error message must
contain. Adding a case is adding a folder (``_outside/`` is no case: the target of the links
that leave their app folder). Config values in the cases hold ``s3cr3t``: no message may show one.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h2c.errors import EXIT_BAD_INPUT, InputError
from h2c.heroku.addons import parse_addons_json
from h2c.heroku.app import load_app
from h2c.heroku.appjson import parse_app_json
from h2c.heroku.config import parse_config
from h2c.heroku.formation import parse_formation
from h2c.heroku.procfile import parse_procfile
from h2c.heroku.runtime import detect_runtime

HERE = Path(__file__).parent / "malformed"
CASES = sorted(p for p in HERE.iterdir() if (p / "expected").is_file())


def first_existing(case: Path, *names: str) -> Path | None:
    return next((case / n for n in names if os.path.lexists(case / n)), None)


def config_values(case: Path) -> list[str]:
    """Every value in the case's config export, however it is quoted."""
    path = first_existing(case, "config.env", "config.json")
    if path is None or not path.is_file():
        return []
    text = path.read_text(errors="replace")
    if path.suffix == ".json":
        return re.findall(r'"((?:[^"\\]|\\.)*)"\s*[,}\]]', text)
    values = []
    for line in text.splitlines():
        _, _, value = line.partition("=")
        values += [v for v in re.split(r"['\"\s]", value) if len(v) >= 4]
    return values


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 66


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input(case: Path) -> None:
    shown = Path(os.path.relpath(case))
    exports = {
        "config": first_existing(shown, "config.env", "config.json"),
        "addons": first_existing(shown, "addons.json"),
        "formation": first_existing(shown, "formation.txt"),
        "scheduler": first_existing(shown, "scheduler.json"),
    }
    expected = (case / "expected").read_text().strip()

    with pytest.raises(InputError) as info:
        load_app(shown, **exports)

    message = str(info.value)
    assert info.value.exit_code == EXIT_BAD_INPUT
    assert message.startswith(str(shown)), "the file is named as the user typed it"
    assert re.match(r"^\S+(:\d+(:\d+)?| at /\S*)?: ", message), "file, line or pointer first"
    assert expected in message
    assert "s3cr3t" not in message
    for value in config_values(case):
        assert value not in message, "a config value leaked into an error message"


def test_case_values_are_found_by_the_leak_check() -> None:
    values = config_values(HERE / "config-json-non-string")
    assert "s3cr3t-abc" in values
    assert json.loads((HERE / "config-json-non-string" / "config.json").read_text())
    assert "'postgres://u:s3cr3t@h/db" not in config_values(HERE / "config-unterminated-quote")
    assert "postgres://u:s3cr3t@h/db" in config_values(HERE / "config-unterminated-quote")


# ---- no input gives a traceback ---------------------------------------------------------------


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
app_json_docs = st.fixed_dictionaries(
    {},
    optional={
        k: json_values
        for k in ("name", "env", "formation", "addons", "scripts", "buildpacks", "keywords")
    },
)
PARSERS = {
    "procfile": lambda t: parse_procfile(t),
    "app.json": lambda t: parse_app_json(t),
    "config": lambda t: parse_config(t, file="c"),
    "addons": lambda t: parse_addons_json(t, file="a"),
    "formation": lambda t: parse_formation(t, file="f"),
    "runtime": lambda t: detect_runtime({"requirements.txt": t, ".python-version": t}),
}


@settings(max_examples=60)
@pytest.mark.parametrize("reader", sorted(PARSERS))
@given(text=st.text(max_size=60) | json_values.map(json.dumps))
def test_readers_raise_only_input_errors(reader: str, text: str) -> None:
    try:
        PARSERS[reader](text)
    except InputError as exc:
        assert exc.exit_code == EXIT_BAD_INPUT


@settings(max_examples=150)
@given(app_json_docs)
def test_app_json_shapes_raise_only_input_errors(doc: dict[str, object]) -> None:
    try:
        parse_app_json(json.dumps(doc))
    except InputError as exc:
        # a shape says its pointer (quoted when it holds a space); an integer too long to
        # read, its line and column
        assert re.search(r' at "?/', str(exc)) or re.match(
            r"^app.json:1:\d+: invalid JSON: an integer", str(exc)
        )
