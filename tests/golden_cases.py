"""The golden cases: every fixture app, with the Heroku exports recorded beside it.

Adding a case is adding a folder under fixtures/apps/ (and, optionally, its exports under
fixtures/heroku/<name>/); its expected artifacts live in tests/golden/<name>/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APPS = REPO / "fixtures" / "apps"
EXPORTS = REPO / "fixtures" / "heroku"
GOLDEN = REPO / "tests" / "golden"


@dataclass(frozen=True)
class GoldenCase:
    name: str
    app_dir: Path
    config: Path | None
    addons: Path | None
    formation: Path | None
    scheduler: Path | None = None

    def cli_args(self) -> list[str]:
        args = []
        for flag, path in (
            ("--config", self.config),
            ("--addons", self.addons),
            ("--formation", self.formation),
            ("--scheduler", self.scheduler),
        ):
            if path is not None:
                args += [flag, str(path)]
        return args


def _first(folder: Path, *names: str) -> Path | None:
    return next((folder / n for n in names if (folder / n).is_file()), None)


def golden_cases() -> list[GoldenCase]:
    cases = []
    for app_dir in sorted(p for p in APPS.iterdir() if (p / "Procfile").is_file()):
        exports = EXPORTS / app_dir.name
        cases.append(
            GoldenCase(
                app_dir.name,
                app_dir,
                _first(exports, "config.txt", "config.json"),
                _first(exports, "addons.json"),
                _first(exports, "formation.txt"),
                _first(exports, "scheduler.json"),
            )
        )
    return cases
