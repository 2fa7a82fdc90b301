"""The gate runs with its own pytest settings: an app's ini files and conftest.py never reach it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from h2c.gate.runner import pytest_args, run_gate

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "fixtures" / "isolated" / "pytest-config"
INI_FILES = {
    "pytest.ini": "[pytest]\naddopts = --cov=app --ds=config.settings\n",
    "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "--cov=app --ds=config.settings"\n',
    "tox.ini": "[pytest]\naddopts = --cov=app\n",
    "setup.cfg": "[tool:pytest]\naddopts = --ds=config.settings\n",
}


def test_pytest_args_name_the_gates_own_ini_and_rootdir(tmp_path: Path) -> None:
    args = pytest_args(Path("app"), summary=Path("s.json"), scratch=tmp_path)
    assert args[args.index("-c") + 1] == str(tmp_path / "pytest.ini")
    assert args[args.index("--rootdir") + 1] == str(tmp_path)
    assert "--noconftest" in args and "no:cacheprovider" in args
    assert Path(args[args.index("--h2c-app") + 1]).is_absolute()  # the gate's cwd is elsewhere
    assert Path(args[args.index("--h2c-summary") + 1]).is_absolute()


@pytest.mark.parametrize("ini", sorted(INI_FILES))
def test_app_pytest_settings_do_not_reach_the_gate(
    ini: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tmp_path / "pytest-config"
    shutil.copytree(APP, app)
    (app / "pyproject.toml").unlink()
    (app / ini).write_text(INI_FILES[ini], encoding="utf-8")
    monkeypatch.chdir(app)  # pytest looks for an ini file from the cwd up: the app's
    monkeypatch.setenv("PYTEST_ADDOPTS", "--cov=app")
    run = run_gate(Path("."), extra=["--collect-only", "-q"])
    assert run.pytest_rc == 0  # "unrecognized arguments: --cov=app" would be 4


def test_the_fixture_app_ships_its_own_pytest_set_up() -> None:
    assert "--cov=app" in (APP / "pyproject.toml").read_text(encoding="utf-8")
    assert (APP / "conftest.py").is_file()
