"""Procfile commands made safe for Convox v3: no shell, every ``${...}`` interpolated at load.

The rewritten command must mean what the original meant in ``sh``: the last test runs both.
"""

from __future__ import annotations

import subprocess

import pytest

from h2c.model import Severity
from h2c.plan.commands import rewrite_command


def test_plain_command_is_kept() -> None:
    safe = rewrite_command("celery -A shop worker -l info")
    assert (safe.text, safe.finding_text) == ("celery -A shop worker -l info", None)


@pytest.mark.parametrize(
    ("command", "body"),
    [
        ("a && b", "a && exec b"),
        ("a; b", "a; exec b"),
        ("a || b", "a || exec b"),
        ("a | b", "a | b"),
        ("a &", "a &"),
        ("exec a $X", "exec a $X"),
        ("if true; then a; fi", "if true; then a; fi"),
        ("X=1 Y='a b' run $Z", "X=1 Y='a b' exec run $Z"),
        ("run > log 2>&1", "exec run > log 2>&1"),
        ("run --n $(nproc)", "exec run --n $(nproc)"),
    ],
)
def test_exec_is_added_to_the_last_simple_command(command: str, body: str) -> None:
    assert rewrite_command(command).argv == ("sh", "-c", body)


def test_single_quotes_are_escaped_for_convox_split() -> None:
    safe = rewrite_command("echo 'it is' $HOME")
    assert safe.text == "sh -c 'exec echo '\"'\"'it is'\"'\"' $HOME'"
    assert safe.finding_text is not None and safe.severity is Severity.INFO


def test_a_rewritten_default_is_a_warning() -> None:
    safe = rewrite_command("gunicorn app.wsgi -w ${WEB_CONCURRENCY:-2} -b :$PORT")
    assert safe.text == "sh -c 'exec gunicorn app.wsgi -w $WEB_CONCURRENCY -b :$PORT'"
    assert safe.severity is Severity.WARNING


def test_unsupported_expansion_is_a_decision() -> None:
    safe = rewrite_command("run ${FILE%.txt}")
    assert safe.finding_text is not None and safe.severity is Severity.DECISION
    assert "${FILE%.txt}" in safe.text  # left for the user: the validator flags it


SHELL_CASES = [
    "echo ${A:-dflt} end",
    'echo "${A:-dflt}x" y',
    "echo ${A}b ${B-two}",
    "echo '${A}' literal",
    "echo \\${A} escaped",
    'echo "a ${A} b" && echo done',
]


@pytest.mark.parametrize("command", SHELL_CASES)
@pytest.mark.parametrize("env", [{}, {"A": "set", "B": "bee"}])
def test_rewrite_keeps_shell_meaning(command: str, env: dict[str, str]) -> None:
    """The rewritten command, with its defaults as env, prints what the original printed."""
    safe = rewrite_command(command)
    assert "${" not in safe.text
    run_env = {"PATH": "/usr/bin:/bin", **dict(safe.defaults), **env}
    original = subprocess.run(
        ["sh", "-c", command], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True
    )
    rewritten = subprocess.run(list(safe.argv), env=run_env, capture_output=True)
    assert rewritten.stdout == original.stdout
