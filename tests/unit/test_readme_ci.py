"""README's GitHub Actions example for ``h2c postdeploy`` is a workflow, and each ``h2c`` line in
it is a command h2c's own parser accepts, so the example cannot drift from the CLI. Linted by
actionlint too where it is installed (it is no dependency: its PyPI package downloads the
binary while it builds)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli_lines import fenced_blocks, h2c_command_lines, parse_h2c

README = Path(__file__).parents[2] / "README.md"


def workflow_text() -> str:
    (block,) = [b for b in fenced_blocks(README.read_text(encoding="utf-8"), "yaml")
                if "h2c postdeploy" in b]  # fmt: skip
    return block


def workflow() -> dict[Any, Any]:
    doc = yaml.safe_load(workflow_text())
    assert isinstance(doc, dict)
    return doc


def steps() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(job, step) for every step of every job."""
    return [(job, step) for job in workflow()["jobs"].values() for step in job["steps"]]


def test_it_is_a_workflow() -> None:
    doc = workflow()
    assert doc.get("on", doc.get(True)), "a trigger (PyYAML reads the key `on` as true)"
    for job, step in steps():
        assert "runs-on" in job
        assert ("uses" in step) != ("run" in step), step


def test_every_h2c_line_parses_with_h2c_itself() -> None:
    commands = [(job, step, argv) for job, step in steps()
                for argv in h2c_command_lines(step.get("run", ""))]  # fmt: skip
    assert commands, "the example runs h2c"
    for job, step, argv in commands:
        args = parse_h2c(argv)
        env = {**job.get("env", {}), **step.get("env", {})}
        for value in vars(args).values():  # a '$VAR' h2c reads must be in the step's env
            for name in re.findall(r"^\$(\w+)$", str(value)):
                assert name in env, f"{argv}: ${name} is not set in the job or the step"
    (postdeploy,) = [parse_h2c(a) for _, _, a in commands if a[0] == "postdeploy"]
    assert postdeploy.convox_app and postdeploy.baseline and postdeploy.target
    assert postdeploy.junit_xml
    deploys = [s["run"] for _, s in steps() if str(s.get("run", "")).startswith("convox deploy")]
    assert deploys and all(f"-a {postdeploy.convox_app}" in d for d in deploys), "the same app"
    uploads = [s for _, s in steps() if str(s.get("uses", "")).startswith("actions/upload")]
    assert [u["with"]["path"] for u in uploads] == [postdeploy.junit_xml]
    assert all(u.get("if") == "always()" for u in uploads), "the report also when checks fail"


def test_actionlint_accepts_it(tmp_path: Path) -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed")
    path = tmp_path / ".github" / "workflows" / "deploy.yml"
    path.parent.mkdir(parents=True)
    path.write_text(workflow_text(), encoding="utf-8")
    done = subprocess.run([actionlint, "-no-color", str(path)], cwd=tmp_path,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
