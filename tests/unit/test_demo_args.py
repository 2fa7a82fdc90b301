"""`h2c demo --app`: which bundled sample runs, where its files are, and what the summary says."""

from __future__ import annotations

from pathlib import Path

import pytest

from h2c.cli import build_parser, main
from h2c.commands import demo_steps
from h2c.commands.demo_steps import SAMPLES, Demo, StepRecord, prepare_workdir
from h2c.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK

REPO = Path(__file__).resolve().parents[2]


def test_the_default_is_the_django_sample() -> None:
    args = build_parser("demo").parse_args(["demo"])
    assert args.app == "django"
    assert SAMPLES[args.app].name == "django-sample"


def test_app_node_picks_the_node_sample() -> None:
    args = build_parser("demo").parse_args(["demo", "--app", "node"])
    assert args.app == "node"
    assert SAMPLES[args.app].name == "node-sample"


def test_an_unknown_sample_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--app", "rails"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "argument --app: invalid choice: 'rails'" in err
    assert "[--app {django,node}]" in err  # the usage line names the samples there are


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_each_sample_ships_in_the_package_with_its_exports(key: str) -> None:
    sample = SAMPLES[key]
    assert sample.root.is_relative_to(REPO / "h2c" / "sample")  # package data, not fixtures/
    assert (sample.app / "Procfile").is_file()
    for name in ("config.txt", "addons.json", "formation.txt"):
        assert (sample.exports / name).is_file(), name
    # the fixtures are links to the bundled copy, so the goldens and the gate test the same app
    assert (REPO / "fixtures" / "apps" / sample.name).resolve() == sample.app
    assert (REPO / "fixtures" / "heroku" / sample.name).resolve() == sample.exports


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_each_sample_inspects_cleanly(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    sample, exports = SAMPLES[key], SAMPLES[key].exports
    argv = ["inspect", str(sample.app), "--config", str(exports / "config.txt")]
    argv += ["--addons", str(exports / "addons.json")]
    assert main([*argv, "--formation", str(exports / "formation.txt")]) == EXIT_OK
    assert "error" not in capsys.readouterr().err


def test_the_node_copy_is_a_fresh_node_sample_folder(tmp_path: Path) -> None:
    stale = tmp_path / "node-sample"
    stale.mkdir()
    (stale / "left-over.txt").write_text("from an earlier run")
    app = prepare_workdir(tmp_path, SAMPLES["node"])
    assert app == stale  # the folder name tags the gate's image: h2c-gate/node-sample
    assert (app / "package.json").is_file()
    assert (app / "migrations").is_dir()
    assert not (app / "left-over.txt").exists()
    assert not (app / "manage.py").exists()  # not the Django sample


@pytest.mark.parametrize(
    ("argv", "label", "name"),
    [([], "Django", "django-sample"), (["--app", "node"], "Node.js", "node-sample")],
)
def test_the_summary_says_which_sample_ran(
    argv: list[str],
    label: str,
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    seen: dict[str, object] = {}

    def fake_run_demo(workdir: Path | None, *, keep: bool = False, sample: str = "") -> Demo:
        seen.update(workdir=workdir, keep=keep, sample=sample)
        demo = Demo(tmp_path, SAMPLES[sample])
        demo.steps.append(StepRecord("inspect the Heroku app", "ok", 0.1))
        return demo

    monkeypatch.setattr(demo_steps, "run_demo", fake_run_demo)
    assert main(["demo", *argv]) == EXIT_OK
    assert seen == {"workdir": None, "keep": False, "sample": "node" if argv else "django"}
    out = capsys.readouterr().out
    assert f"h2c demo: the bundled {label} sample" in out  # the table's title
    assert f"h2c demo: PASS (1 of 1 steps ok) on the bundled {label} sample ({name})" in out


def test_a_failed_step_fails_the_node_demo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def fake_run_demo(workdir: Path | None, *, keep: bool = False, sample: str = "") -> Demo:
        demo = Demo(tmp_path, SAMPLES[sample])
        demo.steps.append(StepRecord("generate the Convox artifacts", "failed", 0.1, "exit 2"))
        return demo

    monkeypatch.setattr(demo_steps, "run_demo", fake_run_demo)
    assert main(["demo", "--app", "node", "--workdir", str(tmp_path)]) == EXIT_FAILED
    assert "h2c demo: FAIL (0 of 1 steps ok) on the bundled Node.js sample" in (
        capsys.readouterr().out
    )
