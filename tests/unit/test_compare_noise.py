"""Noise patterns live apps show that the Diffy cancelling must pass, and the real differences
beside them it must still name: a list that grows between requests (a page-view log, a feed),
and cookies one answer sets that must never ride on the next request."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from h2c.adapters.replay import Limits, replay
from h2c.compare.answers import Answer
from h2c.compare.diffy import compare
from h2c.compare.requestlist import Request
from tests.local_http import JsonHandler, serving

HTML = (("Content-Type", "text/html; charset=utf-8"),)
JSON = (("Content-Type", "application/json"),)


def _paths(*answers: Answer) -> list[str]:
    first, second, convox = answers
    return [d.path for d in compare(Request("/x"), first, second, convox).differences]


def _visits(times: list[str], title: str = "Page views") -> Answer:
    items = "".join(f"<li>{t}</li>" for t in times)
    body = f"<html><body><h2>{title}</h2><ul>{items}</ul></body></html>"
    return Answer(200, HTML, body.encode(), "http://h.example/db/")


def test_a_list_growing_between_the_heroku_answers_is_noise_whatever_its_length_on_convox() -> None:
    # each GET logs a visit: Heroku answers 5 then 6 rows, Convox (asked once less) 4
    heroku1, heroku2 = _visits(["a"] * 5), _visits(["a"] * 6)
    assert _paths(heroku1, heroku2, _visits(["a"] * 4)) == []
    assert _paths(heroku1, heroku2, _visits(["a"] * 8)) == []


def test_in_a_noisy_list_an_item_all_sides_have_is_still_compared() -> None:
    heroku1, heroku2 = _visits(["a", "b"]), _visits(["a", "b", "c"])
    assert _paths(heroku1, heroku2, _visits(["a", "X"])) == ["body.html.body.ul.li[2].#text"]
    assert _paths(heroku1, heroku2, _visits(["a", "b"], "Other")) == ["body.html.body.h2.#text"]


def test_a_list_of_stable_length_on_heroku_missing_an_item_on_convox_fails() -> None:
    heroku = _visits(["a", "b", "c"])
    assert _paths(heroku, heroku, _visits(["a", "b"])) == ["body.html.body.ul.li[3]"]


def test_a_json_feed_newest_first_that_grew_is_noise_but_a_dropped_field_is_not() -> None:
    def feed(ids: list[int], extra: bool = True) -> Answer:
        items = [{"id": i, "title": f"post {i}"} for i in ids]
        doc = {"items": items, "version": "2"} if extra else {"items": items}
        return Answer(200, JSON, json.dumps(doc).encode(), "http://h.example/api/feed")

    heroku1, heroku2 = feed([3, 2, 1]), feed([4, 3, 2, 1])
    assert _paths(heroku1, heroku2, feed([2, 1])) == []
    assert _paths(heroku1, heroku2, feed([3, 2, 1], extra=False)) == ["body.version"]


class _Flashing(JsonHandler):
    """Sets a session cookie on every answer and says whether the request carried one (as a
    flash message or a CSRF token kept in the session would)."""

    extra_headers = (("Set-Cookie", "session=s3cr3t; Path=/; HttpOnly"),)

    def document(self) -> object:
        return {"had_cookie": "Cookie" in self.headers}


@pytest.fixture
def flashing() -> Iterator[str]:
    with serving(_Flashing) as base:
        yield base


def test_replay_sends_every_request_as_a_first_visit(flashing: str) -> None:
    # one thread sends all nine requests: a cookie jar would carry the first answer's cookie
    requests_ = [Request("/a"), Request("/b"), Request("/c")]
    got = replay(requests_, {"heroku": flashing, "convox": flashing}, Limits(concurrency=1))
    bodies = [json.loads(a.body) for answers in got.values() for a in answers]
    assert bodies == [{"had_cookie": False}] * 9


def test_compare_and_postdeploy_checks_fail_by_message_never_by_traceback() -> None:
    # a bare assert prints the session's repr, whose options hold the database URLs
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for folder in ("checks_compare", "checks_postdeploy"):
        for file in sorted((root / folder).glob("test_*.py")):
            tree = ast.parse(file.read_text(encoding="utf-8"))
            asserts = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
            assert not asserts, f"{file.name}:{asserts}: use pytest.fail(..., pytrace=False)"
