"""Hostile input to the readers: no read leaves the app folder, nothing is injected or lost,
work is bounded, and every failure is an InputError (exit 2) that says where."""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h2c.errors import EXIT_BAD_INPUT, InputError, printable
from h2c.heroku.addons import parse_addons_json
from h2c.heroku.app import dyno_reads, load_app
from h2c.heroku.appjson import parse_app_json
from h2c.heroku.config import parse_config
from h2c.heroku.files import MAX_BYTES, decode
from h2c.heroku.formation import parse_formation
from h2c.heroku.procfile import parse_procfile
from h2c.heroku.pyversion import python_version
from h2c.heroku.runtime import detect_runtime
from h2c.heroku.scheduler import parse_scheduler

SECRET = "s3cr3t-outside"


@pytest.fixture
def guard() -> Iterator[Callable[[int], None]]:
    """Fail (instead of hanging the suite) when a read does not end: a FIFO, a quadratic loop."""

    def expire(_signum: int, _frame: object) -> None:
        raise TimeoutError("the reader did not finish: unbounded work")

    previous = signal.signal(signal.SIGALRM, expire)
    yield lambda seconds: signal.alarm(seconds)
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def app(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "app"
    files = {"Procfile": "web: gunicorn app:app\n", "requirements.txt": "flask\n", **files}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (tmp_path / "outside.txt").write_text(SECRET + "\n")
    return root


def refused(path: Path, **exports: Path) -> str:
    with pytest.raises(InputError) as info:
        load_app(path, **exports)  # type: ignore[arg-type]
    assert info.value.exit_code == EXIT_BAD_INPUT
    assert SECRET not in str(info.value)
    return str(info.value)


# ---- 2: no read escapes the app folder -------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Aptfile", ".python-version", "runtime.txt", "app.json", "Procfile", "Pipfile.lock"]
)
def test_a_link_leaving_the_app_is_never_read(tmp_path: Path, name: str) -> None:
    root = app(tmp_path)
    (root / name).unlink(missing_ok=True)
    (root / name).symlink_to(tmp_path / "outside.txt")
    assert refused(root) == f"{root / name}: is a link that leaves the app folder; " + (
        "expected a file inside the app"
    )


def test_a_link_inside_the_app_is_read(tmp_path: Path) -> None:
    root = app(tmp_path, **{"config/python-version": "3.12\n"})
    (root / ".python-version").symlink_to("config/python-version")
    assert load_app(root).runtime.version == "3.12"


def test_settings_and_hooks_that_leave_are_refused(tmp_path: Path) -> None:
    root = app(
        tmp_path, **{"requirements.txt": "django\n", "manage.py": "", "site/__init__.py": ""}
    )
    (root / "site" / "settings.py").symlink_to(tmp_path / "outside.txt")
    config = tmp_path / "config.env"
    config.write_text("DJANGO_SETTINGS_MODULE=site.settings\n")
    assert "site/settings.py: is a link that leaves the app folder" in refused(root, config=config)
    (root / "site" / "settings.py").unlink()
    (root / "bin").mkdir()
    (root / "bin" / "post_compile").symlink_to(tmp_path / "outside.txt")
    assert "bin/post_compile: is a link that leaves the app folder" in refused(root)


def test_scanned_python_links_leaving_are_not_followed(tmp_path: Path) -> None:
    root = app(tmp_path)
    (tmp_path / "dyno.py").write_text('import os\nos.environ["DYNO"]\n')
    (root / "linked.py").symlink_to(tmp_path / "dyno.py")
    (root / "pkg").symlink_to(tmp_path, target_is_directory=True)
    assert dyno_reads(root) == ()


@pytest.mark.parametrize("include", ["/abs/base.txt", "../base.txt", "reqs/../../base.txt"])
def test_requirement_includes_outside_the_app_are_refused(tmp_path: Path, include: str) -> None:
    root = app(tmp_path, **{"requirements.txt": f"flask\n-r {include}\n"})
    message = refused(root)
    assert message.startswith(f"{root}/requirements.txt:2: `-r {include}` reads ")
    assert "outside the app folder" in message


def test_an_absolute_include_that_exists_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    root = app(tmp_path, **{"requirements.txt": f"-r {outside}\n"})
    assert "outside the app folder" in refused(root)
    with pytest.raises(InputError):
        detect_runtime({"requirements.txt": f"-r {outside}\n", str(outside): "x\n"})


# ---- 3: no injection; 4: nothing lost -------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"name": "a\nb"}, "app.json at /name"),
        ({"name": "a\x00b"}, "app.json at /name"),
        ({"name": "a\u202eb"}, "app.json at /name"),
        ({"addons": [{"plan": "heroku-redis", "as": "A\nB"}]}, "app.json at /addons/0/as"),
        ({"addons": ["heroku-redis:mini\n# x"]}, "app.json at /addons/0"),
        ({"addons": ["bad service\n"]}, "app.json at /addons/0"),
    ],
)
def test_names_must_be_plain(doc: dict[str, object], where: str) -> None:
    with pytest.raises(InputError) as info:
        parse_app_json(json.dumps(doc))
    assert str(info.value).startswith(where + ": ")


def test_addon_export_names_must_be_plain() -> None:
    entry = {"addon_service": {"name": "heroku-redis"}, "attachments": [{"name": "R\nX"}]}
    with pytest.raises(InputError, match=r"^a at /0/attachments/0/name: expected an attachm"):
        parse_addons_json(json.dumps([entry]), file="a")
    entry = {"addon_service": {"name": "heroku-redis"}, "config_vars": ["A\nB"]}
    with pytest.raises(InputError, match=r"^a at /0/config_vars/0: expected a config var"):
        parse_addons_json(json.dumps([entry]), file="a")


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\u2028", "\x85"])
def test_procfile_commands_hold_no_control_characters(bad: str) -> None:
    with pytest.raises(InputError, match=r"^Procfile:2: control character U\+"):
        parse_procfile(f"web: a\nworker: b{bad}c\n")


def test_procfile_keeps_tabs() -> None:
    assert parse_procfile("web: a\tb\n")[0][0].command == "a\tb"


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"])
def test_procfile_line_endings_old_mac_too(ending: str) -> None:
    text = ending.join(["web: a", "# c", "worker: b", ""])
    assert [(p.name, p.line) for p in parse_procfile(text)[0]] == [("web", 1), ("worker", 3)]


def test_error_locations_are_printed_plain() -> None:
    with pytest.raises(InputError) as info:
        parse_app_json('{"env": {"A\\nB": "x"}}')
    assert str(info.value).startswith("app.json at /env/A\\x0aB: invalid config var name")


# ---- 5: bounded work ------------------------------------------------------------------------


def test_a_fifo_is_not_a_regular_file(tmp_path: Path, guard: Callable[[int], None]) -> None:
    fifo = tmp_path / "config.env"
    os.mkfifo(fifo)
    guard(20)
    assert refused(app(tmp_path), config=fifo) == f"{fifo}: not a regular file; " + (
        "expected the output of `heroku config -s` or `--json`"
    )


def test_dev_zero_is_not_a_regular_file(tmp_path: Path, guard: Callable[[int], None]) -> None:
    guard(20)
    assert refused(app(tmp_path), formation=Path("/dev/zero")).startswith(
        "/dev/zero: not a regular file"
    )


def test_inputs_are_capped(tmp_path: Path) -> None:
    big = tmp_path / "config.env"
    big.write_text("A=" + "x" * MAX_BYTES + "\n")
    assert "larger than 5 MiB, the limit h2c reads" in refused(app(tmp_path), config=big)


def test_big_inputs_are_read_in_linear_time(guard: Callable[[int], None]) -> None:
    # each of these took minutes before (a backtracking regex, a search per line, a scan per
    # add-on); linear, all of them together take about a second
    guard(60)
    with pytest.raises(InputError, match="expected `<type>: <command>`"):
        parse_procfile("a" + " " * 200_000 + "b")
    assert parse_procfile("web: a" + " " * 100_000 + "b")[0][0].command.endswith("b")
    assert len(parse_config("#\n" * 200_000 + "A=1\n", file="c")) == 1
    assert len(parse_config("".join(f"K{i}='v {i}'\n" for i in range(200_000)), file="c")) > 0
    addons = json.dumps({"addons": [f"svc{i}" for i in range(20_000)]})
    assert len(parse_app_json(addons).addons) == 20_000


# ---- 6: exit codes as documented ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"formation": {"web": {"quantity": ' + "9" * 5000 + "}}}", "app.json:1:36: invalid JSON"),
        ('{"formation": {"web": {"quantity": 1e5}}}', "app.json at /formation/web/quantity"),
        ('{"formation": {"web": {"quantity": 100001}}}', "app.json at /formation/web/quantity"),
        ('{"name": "\\udc00"}', "app.json at /name: a lone surrogate"),
        ('{"\\ud800": 1}', "app.json at /\\ud800: a lone surrogate"),
        ('{"name": NaN}', "app.json:1:10: invalid JSON: NaN is not JSON"),
        ("[" * 50_000, "app.json: invalid JSON: nested too deeply"),
    ],
)
def test_json_edge_cases_are_located(text: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        parse_app_json(text)
    assert str(info.value).startswith(expected)
    str(info.value).encode("utf-8")  # printable: no surrogate reaches the terminal


def test_formation_quantity_of_5000_digits() -> None:
    with pytest.raises(InputError, match=r"^f:1: quantity of 'web' too large"):
        parse_formation("web=" + "9" * 5000, file="f")


# ---- every reader, arbitrary input: InputError with a location, nothing else -----------------

LOCATED = re.compile(r"^\S+(:\d+(:\d+)?| at /\S*| at \"/[^\"]*\")?: \S")


def _runtime(name: str) -> Callable[[str], object]:
    def read(text: str) -> object:
        files = {"requirements.txt": "flask\n", name: text}
        if name in ("Pipfile.lock", "Pipfile"):
            files = {"Pipfile": "", "Pipfile.lock": text}
        if name in ("poetry.lock", "pyproject.toml"):
            files = {"pyproject.toml": text, "poetry.lock": text}
        return detect_runtime(files)

    return read


READERS: dict[str, Callable[[str], object]] = {
    "procfile": lambda t: parse_procfile(t),
    "app.json": lambda t: parse_app_json(t),
    "config": lambda t: parse_config(t, file="c"),
    "addons": lambda t: parse_addons_json(t, file="a"),
    "formation": lambda t: parse_formation(t, file="f"),
    "scheduler": lambda t: parse_scheduler(t, file="s"),
    "python-version": lambda t: python_version({".python-version": t}, str, "3.14", []),
    "runtime.txt": lambda t: python_version({"runtime.txt": t}, str, "3.14", []),
    **{
        f"runtime:{name}": _runtime(name)
        for name in ("requirements.txt", "Aptfile", "Pipfile.lock", "poetry.lock", "Procfile")
    },
}
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
).map(json.dumps)
texts = (
    st.text(max_size=80)
    | st.text(alphabet=st.sampled_from("web:=-r'\"\\\n\r\t #{}[]0123456789.aA_\x00\x1b"))
    | json_like
    | st.binary(max_size=80).map(lambda b: b.decode("utf-8", "surrogateescape"))
)


def read_bytes_as_loader(data: bytes) -> str | None:
    try:
        return decode(data, "f")
    except InputError as exc:
        assert LOCATED.match(str(exc)), str(exc)
        return None


@settings(max_examples=80, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.parametrize("reader", sorted(READERS))
@given(text=texts, data=st.binary(max_size=80))
def test_every_reader_raises_only_located_input_errors(reader: str, text: str, data: bytes) -> None:
    decoded = read_bytes_as_loader(data)
    for candidate in (text, decoded) if decoded is not None else (text,):
        try:
            READERS[reader](candidate)
        except InputError as exc:
            message = str(exc)
            assert exc.exit_code == EXIT_BAD_INPUT
            assert LOCATED.match(message), message
            assert printable(str(exc.location)) == str(exc.location)
