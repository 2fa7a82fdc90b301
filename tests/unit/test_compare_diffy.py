"""Diffy-style comparison of three answers: each must-fail and must-pass case of the issue."""

from __future__ import annotations

import json

from h2c.compare.answers import Answer
from h2c.compare.diffy import compare
from h2c.compare.requestlist import Request

JSON = (("Content-Type", "application/json"),)
HTML = (("Content-Type", "text/html; charset=utf-8"),)


def _json(doc: object, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    return Answer(status, JSON + headers, json.dumps(doc).encode(), "http://h.example/x")


def _paths(first: Answer, second: Answer, convox: Answer) -> list[str]:
    return [d.path for d in compare(Request("/x"), first, second, convox).differences]


def test_500_only_on_convox_fails_on_status() -> None:
    ok = _json({"a": 1})
    verdict = compare(Request("/x"), ok, ok, _json({"a": 1}, status=500))
    assert [d.path for d in verdict.differences] == ["status"]
    assert "Heroku 200, Convox 500" in verdict.message()


def test_changed_json_field_is_named_by_path() -> None:
    first, second = (
        _json({"user": {"name": "Ada", "t": 1}}),
        _json({"user": {"name": "Ada", "t": 2}}),
    )
    assert _paths(first, second, _json({"user": {"name": "Bob", "t": 3}})) == ["body.user.name"]


def test_changed_header_fails_and_date_never_counts() -> None:
    first = _json({}, headers=(("Cache-Control", "max-age=60"), ("Date", "Mon")))
    second = _json({}, headers=(("Cache-Control", "max-age=60"), ("Date", "Tue")))
    convox = _json({}, headers=(("Cache-Control", "no-store"), ("Date", "Wed")))
    assert _paths(first, second, convox) == ["headers.cache-control"]


def test_redirect_elsewhere_fails_same_place_on_own_host_passes() -> None:
    def redirect(url: str, base: str) -> Answer:
        return Answer(302, (("Location", url),), b"", base + "/account")

    heroku = redirect("https://shop.herokuapp.com/login", "https://shop.herokuapp.com")
    same = redirect("/login", "https://web.shop.convox.cloud")
    other = redirect("https://elsewhere.example/login", "https://web.shop.convox.cloud")
    assert _paths(heroku, heroku, same) == []
    assert _paths(heroku, heroku, other) == ["location"]


def test_field_differing_on_every_heroku_answer_is_noise() -> None:
    answers = [_json({"id": f"r{i}", "at": f"10:00:0{i}", "n": 1}) for i in (1, 2, 3)]
    verdict = compare(Request("/x"), *answers)
    assert verdict.ok and verdict.noise == ("body.at", "body.id")


def test_csrf_token_in_html_is_noise_but_a_changed_heading_is_not() -> None:
    def page(token: str, heading: str = "Welcome") -> Answer:
        body = (f'<html><body><h1>{heading}</h1><form><input name="csrf" value="{token}">'
                "</form></body></html>")  # fmt: skip
        return Answer(200, (*HTML, ("Set-Cookie", f"csrftoken={token}")), body.encode())

    assert _paths(page("aaa"), page("bbb"), page("ccc")) == []
    assert _paths(page("aaa"), page("bbb"), page("ccc", "Hello")) == ["body.html.body.h1.#text"]


def test_no_answer_from_convox_fails() -> None:
    ok = _json({"a": 1})
    verdict = compare(Request("/x"), ok, ok, Answer(0, error="connection failed"))
    assert not verdict.ok and "Convox no answer" in verdict.message()
