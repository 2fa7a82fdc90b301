"""Rewrite a Procfile command for the ``command`` field of Convox v3's convox.yml.

Convox v3 splits ``command`` into args with no shell, and interpolates every ``${...}`` in
convox.yml from the app env at load time (no escape). So a command that needs a shell runs as
``sh -c '<command>'``, with ``exec`` before its last simple command so SIGTERM reaches the app,
and each ``${VAR:-x}`` becomes ``$VAR`` plus ``VAR=x`` in the service's environment list (a
public default from the Procfile, never a config value).

Pure: text in, a frozen SafeCommand out; the planner decides what to do with it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from h2c.model import Severity

_SHELL_CHARS = frozenset("$&|;<>`*?~()[]{}\\\n")
_ASSIGN_RE = re.compile(r"""[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"])*\s+""")
_BRACE_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?])([^}$`\\\"']*))?\}")
_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac"}
    | {"{", "}", "!", "time", "function", "[[", "exec"}
)


@dataclass(frozen=True)
class SafeCommand:
    """A Procfile command made safe for convox.yml: args, the text Convox splits, and notes."""

    original: str
    argv: tuple[str, ...]  # what the container runs (also the Dockerfile's JSON CMD)
    text: str  # convox.yml `command`: shell-split by Convox into argv
    defaults: tuple[tuple[str, str], ...] = ()  # VAR -> public default taken from `${VAR:-x}`
    required: tuple[str, ...] = ()  # VAR from `${VAR:?msg}`
    wrapped: bool = False  # runs through `sh -c`
    rewrites: tuple[str, ...] = ()  # human notes on each `${...}` rewritten
    unsupported: tuple[str, ...] = ()  # `${...}` forms left as is: the user must decide

    @property
    def finding_text(self) -> str | None:
        """What changed, for a Finding; None when the command is used as written."""
        if not self.wrapped:
            return None
        parts = ["runs through `sh -c` (Convox v3 runs commands without a shell)"]
        parts.extend(self.rewrites)
        if self.unsupported:
            parts.append(
                "cannot rewrite "
                + ", ".join(f"`{u}`" for u in self.unsupported)
                + ": Convox would interpolate it at deploy time; move the logic into a script"
            )
        return "; ".join(parts)

    @property
    def severity(self) -> Severity:
        """How much the change matters: the user decides on a ``${...}`` left as is, is
        warned of one rewritten, and only told of a plain ``sh -c`` wrap.

        >>> rewrite_command("run ${FILE%.txt}").severity, rewrite_command("a && b").severity
        (<Severity.DECISION: 'decision'>, <Severity.INFO: 'info'>)
        """
        if self.unsupported:
            return Severity.DECISION
        return Severity.WARNING if self.rewrites else Severity.INFO


def rewrite_command(command: str) -> SafeCommand:
    """Rewrite one Procfile command for Convox v3 (see the module docstring)."""
    original = command.strip()
    if not (set(original) & _SHELL_CHARS) and not _ASSIGN_RE.match(original):
        try:
            return SafeCommand(original, tuple(shlex.split(original)), original)
        except ValueError:  # unbalanced quotes: let sh report it, as on Heroku
            pass
    body, defaults, required, rewrites, unsupported = _rewrite_braces(original)
    argv = ("sh", "-c", _add_exec(body))
    return SafeCommand(
        original,
        argv,
        shlex.join(argv),
        tuple(defaults.items()),
        tuple(required),
        True,
        tuple(rewrites),
        tuple(unsupported),
    )


def _rewrite_braces(
    s: str,
) -> tuple[str, dict[str, str], list[str], list[str], list[str]]:
    """Replace `${...}` so no `${` is left, with the shell meaning kept where possible."""
    out: list[str] = []
    defaults: dict[str, str] = {}
    required: list[str] = []
    rewrites: list[str] = []
    unsupported: list[str] = []
    state: str | None = None
    i = 0
    while i < len(s):
        c = s[i]
        if state == "'":
            if s.startswith("${", i):  # literal inside single quotes: split the quote
                out.append("$''{")
                i += 2
                continue
            state = None if c == "'" else state
        elif c == "\\" and i + 1 < len(s):
            out.append('\\$""{' if s.startswith("\\${", i) else s[i : i + 2])
            i += 3 if s.startswith("\\${", i) else 2
            continue
        elif s.startswith("${", i):
            m = _BRACE_RE.match(s, i)
            if m is None:
                end = s.find("}", i)
                unsupported.append(s[i : end + 1] if end > 0 else s[i:])
            else:
                name, op, word = m.group(1), m.group(2), m.group(3) or ""
                nxt = s[m.end() : m.end() + 1]
                out.append(f"${name}" + ('""' if nxt.isalnum() or nxt == "_" else ""))
                note = f"`{m.group(0)}` -> `${name}`"
                if op in (":-", "-", ":=", "="):
                    defaults.setdefault(name, word)
                    note += f" with {name}={word} in the service environment"
                elif op in (":?", "?"):
                    required.append(name)
                    note += f" with {name} required in the service environment"
                rewrites.append(note)
                i = m.end()
                continue
        elif c in "'\"":
            state = None if state == c else (c if state is None else state)
        out.append(c)
        i += 1
    return "".join(out), defaults, required, rewrites, unsupported


def _add_exec(body: str) -> str:
    """Put `exec` before the last simple command so the app gets signals directly.

    >>> _add_exec("python manage.py migrate && gunicorn x")
    'python manage.py migrate && exec gunicorn x'
    >>> _add_exec("FOO=1 celery worker 2>&1"), _add_exec("a | b")
    ('FOO=1 exec celery worker 2>&1', 'a | b')
    """
    start = _last_segment_start(body)
    if start is None or "\n" in body:
        return body
    pos = start + len(body[start:]) - len(body[start:].lstrip())
    while (m := _ASSIGN_RE.match(body, pos)) is not None:
        pos = m.end()
    words = body[pos:].split(None, 1)
    if not words or words[0] in _KEYWORDS:
        return body
    return body[:pos] + "exec " + body[pos:]


def _last_segment_start(s: str) -> int | None:
    """Where the last `&&`/`||`/`;` segment starts, or None if it is not a simple command."""
    state: str | None = None
    depth, start, unsafe, i = 0, 0, False, 0
    while i < len(s):
        c = s[i]
        if state == "'" or (state == '"' and c != "\\"):
            state = None if c == state else state
        elif c == "\\":
            i += 1
        elif c in "'\"":
            state = c
        elif s.startswith("$(", i):
            depth, i = depth + 1, i + 1
        elif depth:
            depth -= c == ")"
        elif s.startswith(("&&", "||"), i) or c == ";":
            start, unsafe = i + (1 if c == ";" else 2), False
            i += 0 if c == ";" else 1
        elif c in "|()`{}" or (c == "&" and s[i - 1 : i] not in (">", "<")):
            unsafe = True
        i += 1
    return None if unsafe else start


# --- release hazards: what a release command's exit status hides -----------------------------

_LIST_OPS = ("&&", "||", ";", "&", "|")


def _split_list(s: str) -> list[tuple[str, str]]:
    """Split a command at its top-level ``&& || ; & |`` into (text, operator after it) pairs.

    Quotes, backslashes, ``$(...)``, ``(...)`` and backticks are kept whole; ``2>&1``, ``>&2``
    and ``&>`` are redirections, not operators.

    >>> _split_list("a 2>&1 | tee x && b; c &")
    [('a 2>&1', '|'), ('tee x', '&&'), ('b', ';'), ('c', '&')]
    """
    parts: list[tuple[str, str]] = []
    state: str | None = None
    depth, start, i = 0, 0, 0
    while i < len(s):
        c = s[i]
        if state == "'" or (state in ('"', "`") and c != "\\"):
            state = None if c == state else state
        elif c == "\\":
            i += 1
        elif c in "'\"`":
            state = c
        elif c == "(":
            depth += 1
        elif depth:
            depth -= c == ")"
        elif c in "&|;" and not (
            c == "&" and (s[i - 1 : i] in (">", "<") or s[i + 1 : i + 2] == ">")
        ):
            op = next(o for o in _LIST_OPS if s.startswith(o, i))
            parts.append((s[start:i].strip(), op))
            start = i + len(op)
            i = start
            continue
        i += 1
    parts.append((s[start:].strip(), ""))
    return [(text, op) for text, op in parts if text or op]


def release_hazards(command: str) -> list[str]:
    """What a release command's shell operators let through: one sentence per hazard.

    Heroku fails a release only when the command's last exit status is non-zero, so with
    ``a & b`` (``a`` in the background) or ``a; b`` a failure of ``a`` is ignored, and with
    ``a || b`` or ``a | b`` it is hidden. ``&&`` is safe. Names commands, never values.

    >>> print(*release_hazards("flask db migrate & flask clear-cache"))  # doctest: +ELLIPSIS
    `flask db migrate &` runs in the background: ... a failure of `flask db migrate` is ignored
    >>> release_hazards("python manage.py migrate && python manage.py seed")
    []
    """
    parts = _split_list(command.strip())
    tail = [text for text, op in parts if op in ("", ";", "&")]
    last = tail[-1] if tail and parts[-1][1] == "" else None
    hazards: list[str] = []
    head = 0  # where the current and-or list starts
    for n, (text, op) in enumerate(parts):
        listed = " ".join(t + (f" {o}" if o else "") for t, o in parts[head:n]) + f" {text}"
        listed = listed.strip()
        status = f"the release's exit status is `{last}`'s" if last else "the release ends at once"
        if op == "&":
            hazards.append(
                f"`{listed} &` runs in the background: {status}, so a failure of "
                f"`{listed}` is ignored"
            )
        elif op == ";" and n + 1 < len(parts):
            hazards.append(f"`{listed};`: a failure of `{listed}` is ignored ({status})")
        elif op == "||":
            nxt = parts[n + 1][0] if n + 1 < len(parts) else ""
            hazards.append(
                f"`{listed} || {nxt}`: a failure of `{listed}` is hidden (`{nxt}` runs "
                "instead and its status counts)"
            )
        elif op == "|":
            hazards.append(
                f"`{text} | ...`: a failure of `{text}` is hidden (a pipeline's status is its "
                "last command's; `sh` has no pipefail)"
            )
        if op in (";", "&"):
            head = n + 1
    return hazards
