"""Reads of a compare/postdeploy session: each made once, even when started early on threads."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from h2c.gate.reads import OnceReads


@dataclass
class Options:
    convox_app: str = "shop"
    rack: str | None = None
    convox_bin: str | None = None
    target: str | None = None


@dataclass
class Session(OnceReads):
    options: Options = field(default_factory=Options)
    _done: dict[str, Any] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def slow(self) -> str:
        def read() -> str:
            self.calls.append("slow")
            time.sleep(0.2)
            return "answer"

        return self._once("slow", read)

    def broken(self) -> str:
        def read() -> str:
            self.calls.append("broken")
            raise RuntimeError("the convox CLI is not logged in")

        return self._once("broken", read)


def test_a_prefetched_read_is_made_once_and_waited_for() -> None:
    session = Session()
    session.prefetch([session.slow, session.broken])
    results: list[str] = []
    waiters = [threading.Thread(target=lambda: results.append(session.slow())) for _ in range(4)]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join()
    assert results == ["answer"] * 4
    with pytest.raises(RuntimeError, match="not logged in"):  # kept, raised for each asker
        session.broken()
    with pytest.raises(RuntimeError, match="not logged in"):
        session.broken()
    assert sorted(session.calls) == ["broken", "slow"]


@pytest.mark.parametrize(
    ("keyword", "markexpr", "replays"),
    [("", "", True), ("config", "", False), ("", "compare", False)],
)
def test_http_is_replayed_early_only_when_every_check_runs(
    keyword: str, markexpr: str, replays: bool
) -> None:
    from types import SimpleNamespace

    from h2c.compare.plugin import every_check_runs

    options = {"keyword": keyword, "markexpr": markexpr}
    config = SimpleNamespace(getoption=options.__getitem__)
    assert every_check_runs(config) is replays  # type: ignore[arg-type]


@pytest.mark.parametrize("http", [True, False])
def test_the_early_reads_are_every_read_and_the_replay_only_when_asked(http: bool) -> None:
    from h2c.compare.session import CompareOptions, CompareSession

    session = CompareSession(CompareOptions(Path("."), "shop", "shop"))
    names = [read.__name__ for read in session.early_reads(http=http)]
    assert ("http" in names) is http
    assert {"config", "processes", "schedule", "data", "release", "heroku_config",
            "formation", "convox_processes", "bases"} <= set(names)  # fmt: skip


def test_the_data_is_read_before_any_request_is_replayed(monkeypatch, tmp_path) -> None:
    """An app may write on a GET: the replay must not run while the source is counted."""
    from h2c.compare import session as module
    from h2c.compare.session import CompareOptions, CompareSession

    order: list[str] = []
    options = CompareOptions(tmp_path, "shop", "shop", heroku_url="http://127.0.0.1:1",
                             convox_url="http://127.0.0.1:2")  # fmt: skip
    compare = CompareSession(options)
    monkeypatch.setattr(compare, "requests", lambda: module.from_paths(["/"]))
    monkeypatch.setattr(compare, "data", lambda: order.append("data"))

    class Worker:
        @staticmethod
        def spawn() -> Worker:
            return Worker()

        def replay(self, *args: object, **kwargs: object) -> dict[str, object]:
            order.append("replay")
            return {}

    monkeypatch.setattr(module, "ReplayWorker", Worker)
    compare.prefetch([compare.http, compare.data])
    assert compare.http() == {}
    assert order.index("data") < order.index("replay")
