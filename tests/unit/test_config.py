"""Config exports: heroku's quoting, its exact inverse, and values that never leak."""

from __future__ import annotations

import json
import re
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from h2c.errors import InputError
from h2c.heroku.config import format_shell, parse_config, quote_heroku
from h2c.secret import Secret

keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)
configs = st.dictionaries(keys, st.text(), max_size=8)


def as_dict(text: str, file: str = "config.env") -> dict[str, str]:
    return {c.key: c.value.reveal() for c in parse_config(text, file=file)}


# ---- quote_heroku: what heroku/cli src/lib/config/quote.ts prints ----------------------------


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("plain", "plain"),
        ("", ""),
        ("abc-123_./%+~", "abc-123_./%+~"),
        ("postgres://u:p@host:5432/db", "'postgres://u:p@host:5432/db'"),
        ("a b", "'a b'"),
        ("tab\there", "'tab\there'"),
        ("a\\b", "'a\\b'"),  # single-quoted text is literal (heroku/cli >= v11.9.0)
        ("$HOME", "'$HOME'"),
        ("it's", '"it\'s"'),
        ("line1\nline2", '"line1\\nline2"'),
        ('it\'s "$x" `y` !z \\', '"it\'s \\"\\$x\\" \\`y\\` \\!z \\\\"'),
        ("cr\rhere", "'cr\rhere'"),  # CR is whitespace: quoted, kept raw
        ("é€😀", "é€😀"),  # non-ASCII letters print bare
        ("\u00a0", "'\u00a0'"),  # JavaScript \s includes NBSP
        ("\ufeff", "'\ufeff'"),  # ... and the BOM, which Python's \s does not
        ("\x1c", "\x1c"),  # ... but not the file separator, which Python's \s does
        ("\x85", "\x85"),  # ... nor NEL
    ],
)
def test_quote_matches_heroku_cli(value: str, quoted: str) -> None:
    assert quote_heroku(value) == quoted


@pytest.mark.parametrize("char", "#!$&'()*,:;<=>?@[\\]^`{|}\" ")
def test_every_special_character_forces_quotes(char: str) -> None:
    assert quote_heroku(f"a{char}b") != f"a{char}b"


@pytest.mark.parametrize("char", "%+-./_~0aZ")
def test_safe_characters_print_bare(char: str) -> None:
    assert quote_heroku(f"a{char}b") == f"a{char}b"


@given(st.text())
def test_quoted_value_is_one_line(value: str) -> None:
    assert "\n" not in quote_heroku(value)


# ---- round trip -------------------------------------------------------------------------------


def single_quoted(config: dict[str, str], *, legacy: bool = False) -> list[tuple[str, str]]:
    """(key, text between the quotes) for each value the CLI single-quotes."""
    quoted = ((k, quote_heroku(v, legacy=legacy)) for k, v in config.items())
    return [(k, q[1:-1]) for k, q in quoted if q.startswith("'")]


def ambiguous_key(config: dict[str, str], *, legacy: bool = False) -> str | None:
    """The key the reader must refuse: single-quoted backslashes, all in even runs."""
    bodies = single_quoted(config, legacy=legacy)
    if any(len(run) % 2 for _, body in bodies for run in re.findall(r"\\+", body)):
        return None
    return next((k for k, body in bodies if "\\" in body), None)


def assert_reads_back(text: str, config: dict[str, str], refused: str | None) -> None:
    """The reader inverts the CLI's quoting, or refuses by key (never by value)."""
    if refused is None:
        assert as_dict(text) == config
        return
    with pytest.raises(InputError) as info:
        parse_config(text, file="config.env")
    assert f": {refused}: a backslash inside single quotes reads two ways" in str(info.value)
    assert "heroku config --json" in str(info.value)


@settings(max_examples=300)
@given(configs)
@example({"A": 'it\'s "$x"\\n\n\\', "B": "", "C": "\\", "D": "\r", "E": "'\r\n\\"})
@example({"K": "\\n", "L": "'\\n", "M": "\n\n", "N": "#", "O": " lead", "P": "trail "})
@example({"A": "a\\\\b c", "B": "d\\e f"})  # an even run, proven new by the odd one
@example({"A": "a\\\\b c"})  # only an even run: refused
def test_shell_round_trip(config: dict[str, str]) -> None:
    # heroku/cli >= v11.9.0: single-quoted text is literal
    assert_reads_back(format_shell(config), config, ambiguous_key(config))


@settings(max_examples=300)
@given(configs)
@example({"A": "a\\b c", "B": "x y"})
def test_legacy_shell_round_trip_or_refusal(config: dict[str, str]) -> None:
    # heroku/cli < v11.9.0 doubled each backslash inside single quotes: never an odd run, so a
    # file that has any is refused by key, and one without reads the same either way
    text = format_shell(config, legacy=True)
    assert_reads_back(text, config, ambiguous_key(config, legacy=True))
    if ambiguous_key(config, legacy=True) is None:
        assert text == format_shell(config)


def test_old_and_new_quoting_told_apart() -> None:
    assert as_dict("A='a\\b c'\n") == {"A": "a\\b c"}  # a lone backslash: the new CLI
    assert as_dict("A='a\\\\b'\nB='c\\d'\n") == {"A": "a\\\\b", "B": "c\\d"}  # whole file new
    with pytest.raises(InputError) as info:
        parse_config("A=1\nWIN='C:\\\\s3cr3t'\n", file="config.env")
    assert str(info.value).startswith("config.env:2: WIN: a backslash inside single quotes")
    assert "s3cr3t" not in str(info.value)
    assert as_dict('A="a\\\\b\'"\n') == {"A": "a\\b'"}  # double quotes: the same in both


@given(configs)
def test_round_trip_with_crlf_line_endings(config: dict[str, str]) -> None:
    # Windows editors turn the line endings into CRLF; values keep their own CRs (a newline
    # inside a value is always written as the two characters \n, so only endings change).
    text = format_shell(config).replace("\n", "\r\n")
    assert_reads_back(text, config, ambiguous_key(config))


@given(configs)
def test_json_round_trip(config: dict[str, str]) -> None:
    assert as_dict(json.dumps(config), "config.json") == config


def test_format_shell_accepts_config_vars_and_secrets() -> None:
    parsed = parse_config("A='x y'\nB=2\n", file="c")
    assert format_shell(parsed) == "A='x y'\nB=2\n"
    assert format_shell({"S": Secret("a b")}) == "S='a b'\n"


def test_shell_lines_keep_order_and_line_numbers() -> None:
    text = "\ufeffB=2\n\n# comment\nA='x'\r\nC=\n"
    got = parse_config(text, file="c")
    assert [(c.key, c.line) for c in got] == [("B", 1), ("A", 4), ("C", 5)]
    assert [c.value.reveal() for c in got] == ["2", "x", ""]
    assert all(isinstance(c.value, Secret) for c in got)


def test_empty_export_has_no_vars() -> None:
    assert parse_config("", file="c") == ()
    assert parse_config("{}", file="c") == ()


def test_hand_written_bare_value_with_spaces_is_kept() -> None:
    assert as_dict("A=x y\n") == {"A": "x y"}


def test_unknown_escape_keeps_backslash() -> None:
    assert as_dict("A='a\\qb'\nB=\"c\\qd\"\n") == {"A": "a\\qb", "B": "c\\qd"}


# ---- errors ------------------------------------------------------------------------------------

SECRET = "s3cr3t-VALUE"


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        (f"A=1\nB='{SECRET}\n", "c.env:2", "unterminated single quote"),
        (f'A="{SECRET}\n', "c.env:1", "unterminated double quote"),
        (f"A='{SECRET}'x\n", "c.env:1", "unexpected text after the closing quote"),
        (f"1A={SECRET}\n", "c.env:1", "invalid config var name"),
        (f"A-B={SECRET}\n", "c.env:1", "invalid config var name"),
        (f"A=1\n{SECRET}\n", "c.env:2", "expected KEY=value"),
        (f"A={SECRET}\nB=2\nA={SECRET}\n", "c.env:3", "duplicate key A (first on line 1)"),
        (f'{{"A": 1, "B": "{SECRET}"}}', "c.env at /A", "expected a string, got an integer"),
        (f'{{"A": null, "B": "{SECRET}"}}', "c.env at /A", "expected a string, got null"),
        (f'["{SECRET}"]', "c.env at /", "expected a JSON object of config vars, got an array"),
        (f'{{"A": "{SECRET}", "A": "x"}}', "c.env at /A", "duplicate key"),
        (f'{{"9": "{SECRET}"}}', "c.env at /9", "invalid config var name"),
        (f'{{"A": "{SECRET}",}}', "c.env:1:", "invalid JSON"),
    ],
)
def test_bad_config_is_input_error_without_values(text: str, where: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        parse_config(text, file="c.env")
    message = str(info.value)
    assert info.value.exit_code == 2
    assert message.startswith(where), message
    assert expected in message
    assert SECRET not in message and "s3cr3t" not in repr(info.value.args)


@given(st.text(alphabet=string.printable + "'\"\\é", max_size=40))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        parse_config(text, file="c")
    except InputError as exc:
        assert exc.exit_code == 2
