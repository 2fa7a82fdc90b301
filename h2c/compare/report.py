"""``h2c compare --report F``: Markdown, or HTML when F ends in .html (pure).

Every check's row, then each differing path with both answers' differing parts side by side.
Excerpts pass through ``h2c.secret.mask_values`` with every config value of both platforms
first, so a value of a config key never reaches the report.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from h2c.compare.diffy import PathVerdict
from h2c.gate.summary import Record
from h2c.secret import mask_values


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def render_markdown(title: str, records: Sequence[Record], verdicts: Iterable[PathVerdict],
                    secrets: Iterable[str] = (), note: str | None = None) -> str:  # fmt: skip
    """The report as Markdown.

    >>> from h2c.compare.diffy import FieldDiff
    >>> from h2c.compare.requestlist import Request
    >>> v = PathVerdict(Request("/a"), (FieldDiff("body.k", '"s3cr3t!"', '"x"'),), (), 200, 200)
    >>> print(render_markdown("t", [Record("test_http::test_same_answer", "/a", "failed")], [v],
    ...                       ["s3cr3t!"]))  # doctest: +NORMALIZE_WHITESPACE
    # t
    <BLANKLINE>
    | check | target | result | reason |
    | --- | --- | --- | --- |
    | test_http::test_same_answer | /a | failed |   |
    <BLANKLINE>
    ## GET /a (Heroku 200, Convox 200)
    <BLANKLINE>
    | field | Heroku | Convox |
    | --- | --- | --- |
    | body.k | "********" | "x" |
    <BLANKLINE>
    """
    masked = list(secrets)
    lines = [f"# {title}", "", *([note, ""] if note else [])]
    lines += ["| check | target | result | reason |", "| --- | --- | --- | --- |"]
    for r in records:
        cells = (r.check, r.target, r.result, r.reason)
        lines.append("| " + " | ".join(_md_cell(mask_values(c, masked)) for c in cells) + " |")
    for v in verdicts:
        if v.ok:
            continue
        head = f"{v.request.method} {v.request.path} "
        head += f"(Heroku {v.heroku_status}, Convox {v.convox_status})"
        lines += ["", f"## {head}", "", "| field | Heroku | Convox |", "| --- | --- | --- |"]
        for d in v.differences:
            diff_cells = (d.path, mask_values(d.heroku, masked), mask_values(d.convox, masked))
            lines.append("| " + " | ".join(_md_cell(c) for c in diff_cells) + " |")
        if v.noise:
            lines += ["", "Noise (differed between the two Heroku answers): " + ", ".join(v.noise)]
    return "\n".join(lines) + "\n"


def render_html(title: str, records: Sequence[Record], verdicts: Iterable[PathVerdict],
                secrets: Iterable[str] = (), note: str | None = None) -> str:  # fmt: skip
    """The report as one HTML page (every text escaped)."""
    masked = list(secrets)

    def e(text: str) -> str:
        return html.escape(mask_values(text, masked))

    rows = "".join(f"<tr><td>{e(r.check)}</td><td>{e(r.target)}</td><td>{e(r.result)}</td>"
                   f"<td>{e(r.reason)}</td></tr>" for r in records)  # fmt: skip
    parts = [f"<!doctype html><meta charset=utf-8><title>{e(title)}</title><h1>{e(title)}</h1>",
             f"<p>{e(note)}</p>" if note else "",
             "<table><tr><th>check</th><th>target</th><th>result</th><th>reason</th></tr>",
             rows, "</table>"]  # fmt: skip
    for v in verdicts:
        if v.ok:
            continue
        parts.append(f"<h2>{e(v.request.method)} {e(v.request.path)} (Heroku {v.heroku_status}, "
                     f"Convox {v.convox_status})</h2><table><tr><th>field</th><th>Heroku</th>"
                     "<th>Convox</th></tr>")  # fmt: skip
        parts += [f"<tr><td>{e(d.path)}</td><td><pre>{e(d.heroku)}</pre></td>"
                  f"<td><pre>{e(d.convox)}</pre></td></tr>" for d in v.differences]  # fmt: skip
        parts.append("</table>")
    return "\n".join(parts) + "\n"


def render(path_name: str, title: str, records: Sequence[Record],
           verdicts: Iterable[PathVerdict], secrets: Iterable[str] = (),
           note: str | None = None) -> str:  # fmt: skip
    """HTML for a ``.html``/``.htm`` file name, else Markdown; ``note``: what was not replayed."""
    if path_name.lower().endswith((".html", ".htm")):
        return render_html(title, records, verdicts, secrets, note)
    return render_markdown(title, records, verdicts, secrets, note)
