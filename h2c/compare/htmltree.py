"""HTML as a tree of readable keys, so a structural differ names the element that differs (pure).

The standard library's ``html.parser`` does the tokenising (no dependency, and it never fails
on broken markup); this module only nests what it reports. An element is a dict whose keys are
``@attr`` (its attributes), ``tag`` / ``tag[2]`` ... (child elements, numbered among siblings
of the same tag) and ``#text`` / ``#text[2]`` (text with whitespace collapsed), so a path
reads ``html.body.form.input[2].@value``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})  # fmt: skip


class _Element:
    __slots__ = ("children", "counts", "tag")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.children: dict[str, Any] = {}
        self.counts: dict[str, int] = {}

    def add(self, name: str, value: Any) -> None:
        n = self.counts[name] = self.counts.get(name, 0) + 1
        self.children[name if n == 1 else f"{name}[{n}]"] = value


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [_Element("#document")]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag)
        for name, value in attrs:
            element.children[f"@{name}"] = value if value is not None else ""
        self.stack[-1].add(tag, element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):  # close up to the matching open tag
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            self.stack[-1].add("#text", text)


def _plain(element: _Element) -> dict[str, Any]:
    return {k: _plain(v) if isinstance(v, _Element) else v for k, v in element.children.items()}


def html_tree(text: str) -> dict[str, Any]:
    """The document as nested dicts of ``@attr``, ``tag[n]`` and ``#text[n]`` keys.

    >>> tree = html_tree('<p class="x">Hi <b>you</b><br>there</p><p>2</p>')
    >>> tree  # doctest: +NORMALIZE_WHITESPACE
    {'p': {'@class': 'x', '#text': 'Hi', 'b': {'#text': 'you'}, 'br': {}, '#text[2]': 'there'},
     'p[2]': {'#text': '2'}}
    """
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return _plain(builder.stack[0])
