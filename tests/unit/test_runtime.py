"""The buildpack's decisions: Python version, package manager, framework, Aptfile, hooks."""

from __future__ import annotations

import json

import pytest

from h2c.errors import InputError
from h2c.heroku.runtime import RUNTIME_FILES, detect_runtime, requirement_includes
from h2c.model import Runtime, Severity

PIP = {"requirements.txt": "gunicorn\n"}


def detect(files: dict[str, str], **kwargs: object) -> Runtime:
    return detect_runtime(files, **kwargs)[0]  # type: ignore[arg-type]


def lock(**requires: str) -> str:
    return json.dumps({"_meta": {"requires": requires}, "default": {}})


# ---- version ------------------------------------------------------------------------------------


def test_runtime_txt_wins_and_is_deprecated() -> None:
    files = {**PIP, "runtime.txt": "python-3.12.4\n", ".python-version": "3.11\n"}
    runtime, findings = detect_runtime(files)
    assert (runtime.version, runtime.version_source, runtime.minor_version) == (
        "3.12.4",
        "runtime.txt",
        "3.12",
    )
    assert any(f.severity is Severity.WARNING and "deprecated" in f.message for f in findings)


def test_python_version_with_comments() -> None:
    files = {**PIP, ".python-version": "# pinned for the buildpack\n\n3.13\n"}
    runtime = detect(files)
    assert (runtime.version, runtime.version_source) == ("3.13", ".python-version")


@pytest.mark.parametrize(
    ("requires", "version"),
    [
        ({"python_full_version": "3.11.9", "python_version": "3.11"}, "3.11.9"),
        ({"python_version": "3.10"}, "3.10"),
    ],
)
def test_pipfile_lock_version(requires: dict[str, str], version: str) -> None:
    runtime = detect({"Pipfile": "[packages]\n", "Pipfile.lock": lock(**requires)})
    assert (runtime.version, runtime.version_source) == (version, "Pipfile.lock")


def test_default_version_is_reported() -> None:
    runtime, findings = detect_runtime(PIP)
    assert (runtime.version, runtime.version_source) == ("3.14", "default")
    assert any(f.severity is Severity.INFO and "3.14" in f.message for f in findings)
    assert detect(PIP, default_version="3.12").version == "3.12"


def test_pipfile_lock_without_version_uses_default() -> None:
    runtime = detect({"Pipfile": "", "Pipfile.lock": lock()})
    assert runtime.version_source == "default"


@pytest.mark.parametrize(
    ("files", "where", "expected"),
    [
        ({"runtime.txt": "3.12\n"}, "runtime.txt:1", "python-X.Y"),
        ({"runtime.txt": "python-3.12\npython-3.11\n"}, "runtime.txt:1", "one line"),
        ({"runtime.txt": "python-3.8.10"}, "runtime.txt:1", "Python 3.8.10 is not supported"),
        ({"runtime.txt": "pypy3-7.3"}, "runtime.txt:1", "python-X.Y"),
        ({".python-version": "3.12\n3.11\n"}, ".python-version:2", "exactly one"),
        ({".python-version": "# nothing\n"}, ".python-version", "exactly one"),
        ({".python-version": "3.12.0rc1\n"}, ".python-version:1", "expected X.Y or X.Y.Z"),
        ({".python-version": "\n3.9\n"}, ".python-version:2", "3.9 is not supported"),
        ({".python-version": "3.15"}, ".python-version:1", "expected 3.10 to 3.14"),
        ({".python-version": "2.7"}, ".python-version:1", "not supported"),
    ],
)
def test_bad_version(files: dict[str, str], where: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        detect_runtime({**PIP, **files})
    assert str(info.value).startswith(where)
    assert expected in str(info.value)


def test_bad_pipfile_lock_version_names_pointer() -> None:
    files = {"Pipfile": "", "Pipfile.lock": lock(python_version="3.9")}
    with pytest.raises(InputError, match=r"^Pipfile.lock at /_meta/requires/python_version: "):
        detect_runtime(files)
    with pytest.raises(InputError, match=r"^Pipfile.lock:1:1: invalid JSON"):
        detect_runtime({"Pipfile": "", "Pipfile.lock": "not json"})


def test_root_prefixes_file_names_in_messages() -> None:
    with pytest.raises(InputError, match=r"^apps/x/runtime.txt:1: "):
        detect_runtime({**PIP, "runtime.txt": "bad"}, root="apps/x")


# ---- package manager --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "manager", "deps"),
    [
        (PIP, "pip", ("requirements.txt",)),
        ({"Pipfile": "", "Pipfile.lock": lock()}, "pipenv", ("Pipfile", "Pipfile.lock")),
        ({"pyproject.toml": "", "poetry.lock": ""}, "poetry", ("pyproject.toml", "poetry.lock")),
        ({"pyproject.toml": "", "uv.lock": ""}, "uv", ("pyproject.toml", "uv.lock")),
    ],
)
def test_package_manager(files: dict[str, str], manager: str, deps: tuple[str, ...]) -> None:
    runtime = detect(files)
    assert (runtime.package_manager, runtime.dependency_files) == (manager, deps)


def test_pip_includes_referenced_files_that_exist() -> None:
    files = {
        "requirements.txt": "-r requirements/base.txt\n-c constraints.txt\n-r missing.txt\n",
        "requirements/base.txt": "--requirement common.txt\nflask\n",
        "requirements/common.txt": "gunicorn\n",
        "constraints.txt": "",
    }
    runtime, findings = detect_runtime(files)
    (missing,) = [f for f in findings if f.severity is Severity.WARNING]
    assert (missing.file, missing.line) == ("requirements.txt", 3)
    assert "missing.txt" in missing.message
    assert runtime.dependency_files == (
        "requirements.txt",
        "requirements/base.txt",
        "constraints.txt",
        "requirements/common.txt",
    )


def test_requirement_includes_forms() -> None:
    text = "-rbase.txt\n-r  a.txt\n--requirement=b.txt\n--constraint c.txt\n# -r no.txt\nx\n"
    assert requirement_includes(text) == ("base.txt", "a.txt", "b.txt", "c.txt")
    assert requirement_includes("-r ../up.txt\n", "reqs") == ("up.txt",)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"requirements.txt": "", "poetry.lock": "", "pyproject.toml": ""},
            "multiple Python package manager files were found: requirements.txt, poetry.lock",
        ),
        ({"requirements.txt": "", "Pipfile": ""}, "requirements.txt, Pipfile"),
        ({"uv.lock": "", "poetry.lock": "", "pyproject.toml": ""}, "poetry.lock, uv.lock"),
        ({}, "no Python package manager file found"),
        ({"pyproject.toml": ""}, "no Python package manager file found"),
    ],
)
def test_package_manager_conflicts(files: dict[str, str], expected: str) -> None:
    with pytest.raises(InputError) as info:
        detect_runtime(files, root="app")
    assert str(info.value).startswith("app: ")
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("files", "where", "expected"),
    [
        ({"Pipfile": ""}, "Pipfile", "without Pipfile.lock"),
        ({"Pipfile.lock": lock()}, "Pipfile.lock", "without Pipfile"),
        ({"poetry.lock": ""}, "poetry.lock", "without pyproject.toml"),
        ({"uv.lock": ""}, "uv.lock", "without pyproject.toml"),
    ],
)
def test_incomplete_package_manager(files: dict[str, str], where: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        detect_runtime(files)
    assert str(info.value).startswith(where + ": ")
    assert expected in str(info.value)


# ---- framework ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "framework", "manage"),
    [
        ({"requirements.txt": "Django==5.2\n", "manage.py": ""}, "django", "manage.py"),
        ({"requirements.txt": "django>=4\n", "site/manage.py": ""}, "django", "site/manage.py"),
        (
            {"requirements.txt": "DJANGO\n", "b/manage.py": "", "a/x/manage.py": ""},
            "django",
            "b/manage.py",
        ),
        ({"requirements.txt": "Django==5.2\n"}, None, None),  # no manage.py
        ({"requirements.txt": "django-environ\n", "manage.py": ""}, None, None),
        ({"requirements.txt": "Flask==3.0\ngunicorn\n"}, "flask", None),
        ({"requirements.txt": "flask-sqlalchemy\n"}, None, None),
        (
            {
                "pyproject.toml": 'dependencies = ["Django>=5"]',
                "uv.lock": 'name = "django"',
                "manage.py": "",
            },
            "django",
            "manage.py",
        ),
        (
            {"Pipfile": '[packages]\ndjango = "*"\n', "Pipfile.lock": lock(), "manage.py": ""},
            "django",
            "manage.py",
        ),
        ({"requirements.txt": "gunicorn\n"}, None, None),
        (
            {"requirements.txt": "# like django\ngunicorn  # not flask\n", "manage.py": ""},
            None,
            None,
        ),
    ],
)
def test_framework(files: dict[str, str], framework: str | None, manage: str | None) -> None:
    runtime = detect(files)
    assert (runtime.framework, runtime.django_manage) == (framework, manage)
    assert runtime.collectstatic is (framework == "django")


def test_disable_collectstatic() -> None:
    files = {"requirements.txt": "Django\n", "manage.py": ""}
    runtime, findings = detect_runtime(files, disable_collectstatic=True)
    assert runtime.framework == "django" and runtime.collectstatic is False
    assert any("DISABLE_COLLECTSTATIC" in f.message for f in findings)


# ---- Aptfile and hooks -------------------------------------------------------------------------


def test_aptfile() -> None:
    aptfile = (
        "# system libraries\nlibpq-dev\n\nlibgdal-dev\n"
        "https://example.com/pkg.deb\n:repo:deb http://x y main\nnot a package\n"
    )
    runtime, findings = detect_runtime({**PIP, "Aptfile": aptfile}, root="app")
    assert runtime.apt_packages == ("libpq-dev", "libgdal-dev")
    skipped = [(f.file, f.line) for f in findings if f.severity is Severity.WARNING]
    assert skipped == [("app/Aptfile", 5), ("app/Aptfile", 6), ("app/Aptfile", 7)]


def test_hooks_and_language() -> None:
    runtime = detect({**PIP, "bin/pre_compile": "", "bin/post_compile": ""})
    assert (runtime.language, runtime.pre_compile, runtime.post_compile) == ("python", True, True)
    plain = detect(PIP)
    assert (plain.pre_compile, plain.post_compile, plain.apt_packages) == (False, False, ())


def test_runtime_files_constant_lists_what_the_loader_reads() -> None:
    for name in (
        "runtime.txt",
        ".python-version",
        "Pipfile",
        "Pipfile.lock",
        "requirements.txt",
        "poetry.lock",
        "pyproject.toml",
        "uv.lock",
        "manage.py",
        "Aptfile",
        "bin/pre_compile",
        "bin/post_compile",
    ):
        assert name in RUNTIME_FILES
