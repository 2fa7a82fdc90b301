"""The gate's logic, without an engine: ports, commands, secrets, compose rewrite, exit codes."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from h2c.artifacts.dockerfile import dockerfile_workdir
from h2c.artifacts.envfile import parse_env_lines
from h2c.gate.runner import gate_exit_code, pytest_args
from h2c.gate.summary import Record, check_name, one_line, render
from h2c.runplan.argv import entry_point, resolve_args
from h2c.runplan.compose import compose_for_gate
from h2c.runplan.env import Database, service_env
from h2c.secret import Secret
from h2c.verdicts import leaks
from h2c.verdicts.ports import listen_verdict, parse_listeners, port_disagreement, web_port_places
from h2c.verdicts.process import was_killed

DOCKERFILE = """FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \\
    PORT=8000
WORKDIR /srv/app
EXPOSE 8000
CMD ["sh", "-c", "exec gunicorn app:app --bind 0.0.0.0:$PORT"]
"""
CONVOX = {"services": {"web": {"port": 8000, "command": "gunicorn app:app"}}}
COMPOSE = {"services": {"web": {"build": ".", "ports": ["80:8000"]}}}


def test_ports_agree_everywhere() -> None:
    places = web_port_places(DOCKERFILE, CONVOX, COMPOSE, "web")
    assert [p.port for p in places] == [8000, 8000, 8000, 8000]
    assert port_disagreement(places) is None


def test_port_disagreement_names_each_place() -> None:
    compose = {"services": {"web": {"ports": ["80:5000"]}}}
    message = port_disagreement(web_port_places(DOCKERFILE, CONVOX, compose, "web"))
    assert message is not None
    for part in (
        "Dockerfile EXPOSE: 8000",
        "Dockerfile ENV PORT: 8000",
        "convox.yml services.web.port: 8000",
        "docker-compose.yml web ports 80:<port>: 5000",
    ):
        assert part in message


def test_missing_port_counts_as_disagreement() -> None:
    places = web_port_places("FROM x\n", CONVOX, None, "web")
    assert "Dockerfile EXPOSE: (none)" in (port_disagreement(places) or "")


def test_dockerfile_workdir() -> None:
    assert dockerfile_workdir(DOCKERFILE) == "/srv/app"
    assert dockerfile_workdir("FROM x\n") == "/app"


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("gunicorn config.wsgi --bind 0.0.0.0:$PORT", "gunicorn"),
        ("sh -c 'exec gunicorn x'", "gunicorn"),
        (["sh", "-c", "DEBUG=1 exec python -m app"], "python"),
        ("bash -c 'python manage.py migrate && gunicorn x'", "python"),
        ("", ""),
    ],
)
def test_entry_point(command: str | list[str], program: str) -> None:
    assert entry_point(command) == program


def test_resolve_args_pass_the_name_as_an_argument() -> None:
    args = resolve_args("gun; rm -rf /")
    assert args[-1] == "gun; rm -rf /"
    assert "rm" not in args[2]


LISTEN_TABLE = """  sl  local_address rem_address   st tx_queue rx_queue
   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000
   1: 00000000:1388 00000000:0000 0A 00000000:00000000
   2: 0100007F:1F40 0100007F:D1C2 01 00000000:00000000
"""


def test_listeners_from_proc_net_tcp() -> None:
    assert parse_listeners(LISTEN_TABLE) == [("127.0.0.1", 8000), ("0.0.0.0", 5000)]


def test_listeners_ipv6() -> None:
    table = "0: 00000000000000000000000000000000:1F40 0:0 0A\n"
    assert parse_listeners(table) == [("::", 8000)]


@pytest.mark.parametrize(
    ("listeners", "expected"),
    [
        ([("0.0.0.0", 8000)], None),
        ([("::", 8000)], None),
        ([("127.0.0.1", 8000)], "web listens on 127.0.0.1 inside the container"),
        ([("0.0.0.0", 5000)], "web listens on port 5000, not on $PORT (8000)"),
        ([], "web does not listen on $PORT (8000)"),
    ],
)
def test_listen_verdict(listeners: list[tuple[str, int]], expected: str | None) -> None:
    verdict = listen_verdict(listeners, 8000)
    if expected is None:
        assert verdict is None
    else:
        assert verdict is not None and expected in verdict


def test_secret_needles_skip_ordinary_values() -> None:
    values = {
        "SECRET_KEY": Secret("s3cr3t-value-long"),
        "DJANGO_SETTINGS_MODULE": Secret("config.settings"),
        "DEBUG": Secret("false"),
        "API_TOKEN": Secret("short"),
    }
    assert list(leaks.secret_needles(values)) == ["SECRET_KEY"]


def test_leaks_name_the_key_never_the_value() -> None:
    needles = {"SECRET_KEY": Secret("s3cr3t-value-long")}
    found = leaks.text_leaks({"image history": "ENV SECRET=s3cr3t-value-long"}, needles)
    assert found == ["SECRET_KEY in image history"]
    assert "s3cr3t" not in " ".join(found)


def _tar(members: dict[str, bytes], *, mode: int = 0o644) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, 0, 0
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _saved_image(*layers: dict[str, bytes]) -> io.BytesIO:
    """A ``docker save`` archive (legacy layout): layer tars, a config, manifest.json last."""
    names = [f"{index:064x}/layer.tar" for index in range(len(layers), 0, -1)]
    members = {name: _tar(layer, mode=0o600) for name, layer in zip(names, layers, strict=True)}
    members["cfg.json"] = b'{"config": {}}'
    members["manifest.json"] = json.dumps([{"Config": "cfg.json", "Layers": names}]).encode()
    return io.BytesIO(_tar(members))


def test_layer_scan_names_key_path_and_layer_never_the_value() -> None:
    needles = {"SECRET_KEY": Secret("s3cr3t-value-long"), "API_TOKEN": Secret("tok-123456789")}
    image = _saved_image(
        {"etc/os-release": b"debian"},
        {"app/conf/.secret": b"key=s3cr3t-value-long", "app/app.py": b"print(1)"},
    )
    scan = leaks.scan_saved_image(image, needles)
    assert [str(hit) for hit in scan.hits] == ["SECRET_KEY in /app/conf/.secret (layer 2)"]
    assert scan.layers == 2 and scan.files == 3
    assert "s3cr3t" not in repr(scan)


def test_layer_scan_finds_a_file_a_later_layer_deleted() -> None:
    needles = {"SECRET_KEY": Secret("s3cr3t-value-long")}
    image = _saved_image(
        {"app/tmp/key.txt": b"s3cr3t-value-long"},
        {"app/tmp/.wh.key.txt": b""},
    )
    (hit,) = leaks.scan_saved_image(image, needles).hits
    assert str(hit) == "SECRET_KEY in /app/tmp/key.txt (layer 1, deleted in layer 2)"


def test_layer_scan_skips_huge_files_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leaks, "MAX_MEMBER_BYTES", 4)
    scan = leaks.scan_saved_image(_saved_image({"big.bin": b"0123456789"}), {"K": Secret("x" * 10)})
    assert scan.hits == [] and scan.skipped == ["/big.bin (layer 1, 10 bytes)"]


def test_redactor_masks_values_in_log_tails() -> None:
    redact = leaks.Redactor([Secret("hunter2-password")])
    assert redact("auth failed for hunter2-password") == "auth failed for ********"


def test_compose_for_gate_moves_ports_to_loopback(tmp_path: Path) -> None:
    compose = {
        "version": "2",
        "services": {
            "web": {"build": ".", "ports": ["80:8000"], "command": "sh -c 'x $$PORT'"},
            "database": {"image": "postgres:17"},
        },
    }
    out = compose_for_gate(compose, tmp_path, image="app:gate")
    assert out["services"]["web"]["ports"] == ["127.0.0.1::8000"]
    assert out["services"]["web"]["image"] == "app:gate"
    assert "build" not in out["services"]["web"]
    assert out["services"]["web"]["command"] == "sh -c 'x $$PORT'"
    assert out["services"]["database"] == {"image": "postgres:17"}
    assert compose["services"]["web"]["ports"] == ["80:8000"]  # the input is untouched


def test_compose_for_gate_without_image_makes_build_absolute(tmp_path: Path) -> None:
    out = compose_for_gate({"services": {"web": {"build": "."}}}, tmp_path)
    assert out["services"]["web"]["build"] == str(tmp_path.resolve())


def test_was_killed() -> None:
    assert was_killed(137)
    assert not was_killed(0)
    assert not was_killed(None)


def test_env_file_split_at_first_equals() -> None:
    env = parse_env_lines("A=b=c\n#X=1\n")  # no comments in Convox's env: `#X` is a key
    assert list(env) == ["A", "#X"] and env["A"].reveal() == "b=c"


def test_service_env_links_resources_and_app_env_wins() -> None:
    db = Database("database", "postgres", "database", 5432, "app", Secret("pw-123456"), "app")
    env = service_env(
        {"environment": ["SECRET_KEY", "MODE=prod"], "resources": ["database"]},
        [],
        {"SECRET_KEY": Secret("k"), "UNDECLARED": Secret("u")},
        [db],
        8000,
    )
    assert env["DATABASE_URL"].reveal() == "postgres://app:pw-123456@database:5432/app"
    assert env["MODE"].reveal() == "prod"
    assert env["PORT"].reveal() == "8000"
    assert "UNDECLARED" not in env
    assert "pw-123456" not in repr(env)


def test_exit_codes() -> None:
    env_error = Record("test_image::test_builds", "-", "error", kind="environment")
    assert gate_exit_code(0, [Record("a", "-")]) == 0
    assert gate_exit_code(1, [Record("a", "-", "failed")]) == 1
    assert gate_exit_code(1, [env_error]) == 3
    assert gate_exit_code(1, [Record("a", "-", "error", kind="input")]) == 2
    assert gate_exit_code(5, []) == 2


def test_pytest_args_carry_every_option(tmp_path: Path) -> None:
    args = pytest_args(
        tmp_path, summary=tmp_path / "s.json", junit_xml=tmp_path / "j.xml", keep=True, settle=2.0
    )
    assert args[:4] == [
        "--pyargs",
        "h2c.checks",
        "-p",
        "h2c.gate.plugin",
    ]  # autoload is off: see runner
    assert "--h2c-keep" in args and "--junit-xml" in args
    assert args[args.index("--h2c-settle") + 1] == "2.0"


def test_summary_names_and_render() -> None:
    assert check_name("checks/test_service.py::test_process_stays_up[worker]") == (
        "test_service::test_process_stays_up",
        "worker",
    )
    assert one_line("Failed: web is down\nmore") == "web is down"
    text = render([Record("test_image::test_builds", "-", "failed", 1.5, "step 4")], title="t")
    for column in ("check", "target", "result", "time", "reason", "step 4", "1.5s"):
        assert column in text
