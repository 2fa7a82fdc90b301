"""Every malformed command line or hostile folder is exit 2 with one located line, no traceback.

One folder per case under ``malformed_commands/``: ``argv`` (the command, split as a shell
does; ``{app}`` is a scratch copy of the case's ``app/`` folder, ``{case}`` the case folder,
``{tmp}`` a scratch folder, ``{outside}`` an empty folder outside the app), optionally
``links`` (``NAME -> TARGET`` per line: symbolic links planted in the copy) and ``expected``:
text the error line must contain. Nothing may be written in ``{outside}``, and no message may
show ``s3cr3t``. Adding a case is adding a folder.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from h2c.cli import main
from h2c.errors import EXIT_BAD_INPUT

HERE = Path(__file__).parent / "malformed_commands"
CASES = sorted(p for p in HERE.iterdir() if (p / "expected").is_file())


def test_there_are_cases_for_every_command() -> None:
    assert {c.name.split("-")[0] for c in CASES} >= {"generate", "env", "db"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_command(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("H2C_TEST_UNSET", raising=False)
    app, outside, scratch = tmp_path / "app", tmp_path / "outside", tmp_path / "tmp"
    shutil.copytree(case / "app", app, symlinks=True)
    outside.mkdir()
    scratch.mkdir()
    names = {"app": str(app), "case": str(case), "tmp": str(scratch), "outside": str(outside)}

    def fill(text: str) -> str:
        for key, value in names.items():
            text = text.replace("{" + key + "}", value)
        return text

    links = case / "links"
    for line in links.read_text().splitlines() if links.is_file() else []:
        name, _, target = (part.strip() for part in line.partition("->"))
        (app / name).symlink_to(fill(target))
    expected = fill((case / "expected").read_text().strip())

    rc = main([fill(arg) for arg in shlex.split((case / "argv").read_text())])
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("h2c: error: ")]
    assert rc == EXIT_BAD_INPUT, captured.err
    assert len(errors) == 1, captured.err
    assert expected in errors[0], errors[0]
    assert "Traceback" not in captured.err and "s3cr3t" not in captured.err + captured.out
    assert list(outside.iterdir()) == [], "a write escaped the app folder"
