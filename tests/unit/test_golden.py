"""Every fixture app renders exactly its golden artifacts (tests/golden/<app>/)."""

from __future__ import annotations

import pytest

from h2c.adapters.files import existing_layout
from h2c.heroku.app import load_app
from h2c.render.bundle import render_all
from tests.golden_cases import GOLDEN, GoldenCase, golden_cases

CASES = golden_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_artifacts_match_golden(case: GoldenCase, request: pytest.FixtureRequest) -> None:
    spec = load_app(
        case.app_dir,
        config=case.config,
        addons=case.addons,
        formation=case.formation,
        scheduler=case.scheduler,
    )
    rendered = render_all(spec, existing_layout(case.app_dir))
    folder = GOLDEN / case.name
    if request.config.getoption("--update-golden"):
        folder.mkdir(parents=True, exist_ok=True)
        for file in rendered.files:
            (folder / file.path).write_text(file.content, encoding="utf-8")
    expected = sorted(p.name for p in folder.iterdir())
    assert sorted(f.path for f in rendered.files) == expected
    for file in rendered.files:
        golden = (folder / file.path).read_text(encoding="utf-8")
        assert file.content == golden, f"{case.name}/{file.path} differs from its golden file"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rendering_is_deterministic(case: GoldenCase) -> None:
    def render() -> list[tuple[str, str]]:
        spec = load_app(
            case.app_dir,
            config=case.config,
            addons=case.addons,
            formation=case.formation,
            scheduler=case.scheduler,
        )
        return [(f.path, f.content) for f in render_all(spec, existing_layout(case.app_dir)).files]

    assert render() == render()
