"""The replay judged as it goes: each request's answers handed over as soon as all three are in,
the environment read once (pytest changes it under the pool's threads), and the per-path
verdicts a check waits for, errors included."""

from __future__ import annotations

import json
import os
import threading
import traceback
from collections.abc import Iterator

import pytest
import requests

from h2c.adapters import replay as replay_module
from h2c.adapters.replay import Limits, replay
from h2c.compare.arrivals import Arrivals
from h2c.compare.requestlist import Request
from h2c.gate.reads import Failure
from tests.local_http import JsonHandler, serving


class _Echo(JsonHandler):
    def document(self) -> object:
        return {"path": self.path}


@pytest.fixture
def echo() -> Iterator[str]:
    with serving(_Echo) as base:
        yield base


def test_each_request_is_handed_over_once_with_its_three_answers(echo: str) -> None:
    requests_ = [Request(f"/p{i}") for i in range(12)]
    handed: list[tuple[str, list[str]]] = []
    lock = threading.Lock()

    def each(request: Request, three: tuple) -> None:
        with lock:
            handed.append((request.path, [json.loads(a.body)["path"] for a in three]))

    got = replay(requests_, {"heroku": echo, "convox": echo}, Limits(concurrency=4, rate=0),
                 each=each)  # fmt: skip
    assert sorted(handed) == sorted((r.path, [r.path] * 3) for r in requests_)
    assert list(got) == requests_  # the whole result still in the list's order


def test_the_environment_is_read_once_per_platform_not_per_request(echo, monkeypatch) -> None:
    """pytest sets PYTEST_CURRENT_TEST at each test phase while the replay runs on threads of
    the same process: requests walking os.environ per request met a KeyError mid-walk."""
    walks: list[str] = []
    real = requests.Session.merge_environment_settings

    def counted(self, url, *args):  # type: ignore[no-untyped-def]
        if self.trust_env:
            walks.append(url)
        return real(self, url, *args)

    monkeypatch.setattr(requests.Session, "merge_environment_settings", counted)
    replay([Request(f"/p{i}") for i in range(10)], {"heroku": echo, "convox": echo},
           Limits(concurrency=4, rate=0))  # fmt: skip
    assert len(walks) == 2  # Heroku's base and Convox's, before the first request


def test_a_proxy_from_the_environment_is_still_used(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    settings = replay_module._environment_settings("https://shop.herokuapp.com")
    assert settings["proxies"].get("https") == "http://proxy.internal:3128"
    assert replay_module._environment_settings("http://127.0.0.1:8000")["proxies"] == {}


def test_a_walk_that_meets_a_changing_environment_is_made_again(monkeypatch) -> None:
    calls: list[int] = []
    real = requests.Session.merge_environment_settings

    def flaky(self, url, *args):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("PYTEST_CURRENT_TEST")  # os.environ changed under the walk
        return real(self, url, *args)

    monkeypatch.setattr(requests.Session, "merge_environment_settings", flaky)
    assert "proxies" in replay_module._environment_settings("http://127.0.0.1:1")
    assert len(calls) == 2


def test_a_verdict_is_waited_for_by_label_and_an_error_reaches_every_waiter() -> None:
    arrivals: Arrivals[str] = Arrivals()
    arrivals.put("/a", "same")
    assert arrivals.wait("/a") == "same"
    waiter: list[BaseException] = []

    def wait_b() -> None:
        try:
            arrivals.wait("/b")
        except RuntimeError as error:
            waiter.append(error)

    thread = threading.Thread(target=wait_b)
    thread.start()
    arrivals.close(RuntimeError("the convox CLI is not logged in"))
    thread.join(5)
    assert [str(e) for e in waiter] == ["the convox CLI is not logged in"]
    with pytest.raises(RuntimeError, match="not logged in"):  # a label asked for later too
        arrivals.wait("/c")
    assert arrivals.wait("/a") == "same"


def test_a_label_the_replay_never_judged_is_a_key_error_not_a_wait_forever() -> None:
    arrivals: Arrivals[str] = Arrivals()
    arrivals.close()
    with pytest.raises(KeyError):
        arrivals.wait("/not-in-the-list")


def test_one_request_that_could_not_be_judged_fails_alone() -> None:
    arrivals: Arrivals[str] = Arrivals()
    try:
        raise ValueError("an answer deepdiff could not read")
    except ValueError as error:
        arrivals.put("/broken", Failure(error))
    arrivals.put("/fine", "same")
    arrivals.close()
    with pytest.raises(ValueError, match="could not read"):
        arrivals.wait("/broken")
    assert arrivals.wait("/fine") == "same"


def test_an_error_raised_for_many_checks_keeps_its_own_traceback() -> None:
    """Raising one exception object again adds the raiser's frames each time: for the hundredth
    check pytest would format a traceback a hundred times deeper (tens of seconds)."""
    try:
        raise RuntimeError("the replay failed")
    except RuntimeError as error:
        failure = Failure(error)
    depths = []
    for _ in range(50):
        try:
            failure.reraise()
        except RuntimeError as raised:
            depths.append(len(traceback.extract_tb(raised.__traceback__)))
    assert len(set(depths)) == 1


def test_the_in_process_run_is_isolated_like_the_subprocess_and_leaves_nothing(
    tmp_path, monkeypatch
) -> None:
    """``h2c compare`` runs pytest in its own process: the user's PYTEST_ADDOPTS (an option
    this pytest does not know would end it with a usage error) and the app's own pytest.ini
    in the working folder must not reach it, and its cwd and environment come back."""
    from h2c.gate.runner import run_checks_here

    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option-of-the-app\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTEST_ADDOPTS", "--no-such-option-of-the-user")
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    run, _ = run_checks_here("compare", ["-k", "test_config", "-q"])
    assert run.pytest_rc == 1  # the checks ran (and failed: no app given), no usage error
    assert [r.reason for r in run.records] and all("needs --h2c-compare-app" in r.reason
                                                    for r in run.records)  # fmt: skip
    assert os.getcwd() == str(tmp_path)
    assert os.environ["PYTEST_ADDOPTS"] == "--no-such-option-of-the-user"
    assert "PYTEST_DISABLE_PLUGIN_AUTOLOAD" not in os.environ


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "new-interpreter"])
def test_the_worker_replays_as_the_in_process_replay_does(echo: str, fork: bool) -> None:
    from h2c.adapters.replay_worker import ReplayWorker

    requests_ = [Request(f"/p{i}") for i in range(9)] + [Request("/p0")]  # a repeat: once
    handed: list[str] = []
    worker = ReplayWorker.spawn(fork=fork)
    got = worker.replay(requests_, {"heroku": echo, "convox": echo}, Limits(concurrency=3, rate=0),
                        each=lambda r, three: handed.append(r.path))  # fmt: skip
    assert list(got) == requests_[:9] and sorted(handed) == sorted(r.path for r in requests_[:9])
    assert all(json.loads(a.body)["path"] == r.path for r, three in got.items() for a in three)


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "new-interpreter"])
def test_a_failed_replay_names_the_kind_of_failure_never_the_url(fork: bool) -> None:
    from h2c.adapters.replay_worker import ReplayFailed, ReplayWorker

    worker = ReplayWorker.spawn(fork=fork)
    with pytest.raises(ReplayFailed) as failed:  # no Convox base URL: a KeyError in the worker
        worker.replay([Request("/")], {"heroku": "http://user:s3cret@127.0.0.1:1"}, Limits())
    assert "KeyError" in str(failed.value) and "s3cret" not in str(failed.value)


def test_a_worker_never_given_its_job_is_stopped_not_left_behind() -> None:
    from h2c.adapters import replay_worker
    from h2c.adapters.replay_worker import ReplayWorker

    ReplayWorker.prestart()
    prestarted = replay_worker._PRESTARTED
    assert prestarted is not None
    assert ReplayWorker.take(needed=False) is None  # `--only config`: nothing is sent
    assert replay_worker._PRESTARTED is None
    with pytest.raises(ProcessLookupError):  # ended and reaped: not even a zombie left
        os.kill(prestarted.pid, 0)
