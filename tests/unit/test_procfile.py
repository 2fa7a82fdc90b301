"""Procfile grammar: what Heroku accepts, what it rejects, and what it warns about."""

from __future__ import annotations

import pytest

from h2c.errors import InputError
from h2c.heroku.procfile import parse_procfile
from h2c.model import Severity


def names(text: str) -> list[tuple[str, str, int]]:
    processes, _ = parse_procfile(text)
    return [(p.name, p.command, p.line) for p in processes]


def test_types_commands_and_lines() -> None:
    text = "# comment\n\nweb: gunicorn app:app --bind 0.0.0.0:$PORT\nworker:   celery -A x  \n"
    assert names(text) == [
        ("web", "gunicorn app:app --bind 0.0.0.0:$PORT", 3),
        ("worker", "celery -A x", 4),
    ]


def test_bom_and_crlf_are_accepted() -> None:
    assert names("\ufeffweb: a\r\nrelease: b\r\n") == [("web", "a", 1), ("release", "b", 2)]


def test_command_keeps_colons_and_hashes() -> None:
    assert names("web: sh -c 'echo a:b # not a comment'") == [
        ("web", "sh -c 'echo a:b # not a comment'", 1)
    ]


@pytest.mark.parametrize("name", ["urgent_worker", "Web", "a" * 63, "x-1", "9"])
def test_names_heroku_apps_really_use_are_kept_as_written(name: str) -> None:
    assert names(f"{name}: run") == [(name, "run", 1)]


def test_duplicate_type_last_wins_with_warning_naming_both_lines() -> None:
    processes, findings = parse_procfile("web: one\nworker: w\nweb: two\n", file="P")
    assert [(p.name, p.command, p.line) for p in processes] == [
        ("web", "two", 3),
        ("worker", "w", 2),
    ]
    (finding,) = findings
    assert finding.severity is Severity.WARNING
    assert (finding.file, finding.line) == ("P", 3)
    assert "lines 1 and 3" in finding.message


def test_no_findings_for_a_clean_procfile() -> None:
    assert parse_procfile("web: a\n")[1] == ()


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        ("web: a\nworker\n", "Procfile:2", "expected `<type>: <command>`"),
        ("web:\n", "Procfile:1", "empty command"),
        ("web:    \n", "Procfile:1", "empty command"),
        ("my web: a\n", "Procfile:1", "invalid process type 'my web'"),
        ("web.1: a\n", "Procfile:1", "invalid process type"),
        ("a" * 64 + ": a\n", "Procfile:1", "invalid process type"),
        (": a\n", "Procfile:1", "invalid process type"),
        ("", "Procfile", "no process types"),
        ("# only a comment\n\n", "Procfile", "no process types"),
    ],
)
def test_bad_procfile(text: str, where: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        parse_procfile(text)
    assert info.value.exit_code == 2
    assert str(info.value).startswith(where + ": ")
    assert expected in str(info.value)


def test_file_name_appears_in_errors() -> None:
    with pytest.raises(InputError, match=r"^apps/x/Procfile:1: "):
        parse_procfile("nope\n", file="apps/x/Procfile")
