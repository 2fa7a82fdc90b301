"""The canary search shared by the no-leak tests (tests/integration/test_canaries*.py).

``Search`` looks for every form of every canary (raw, URL-encoded, base64 at any alignment) in
bytes, text, file trees and ``docker save`` archives; a hit names the canary's label and where
it was found, never its value. ``h2c(...)`` runs the CLI as a user would (a subprocess).
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

# --- the search ------------------------------------------------------------------------------


def forms(value: str) -> dict[str, bytes]:
    """The shapes a value can leak in: raw, URL-encoded, base64 (at any 3-byte alignment).

    >>> sorted(forms("CANARY+tok/abc=def"))  # b64url is b64 here, url+ is url: one each
    ['b64@0', 'b64@1', 'b64@2', 'raw', 'url']
    >>> forms("CANARY+tok/abc=def")["url"]
    b'CANARY%2Btok%2Fabc%3Ddef'
    """
    raw = value.encode("utf-8")
    found = {"raw": raw, "url": quote(value, safe="").encode(), "url+": quote_plus(value).encode()}
    for shift in range(3):
        for name, encode in (("b64", base64.b64encode), ("b64url", base64.urlsafe_b64encode)):
            text = encode(b"\0" * shift + raw)
            # drop the characters that depend on the bytes around the value
            start = 4 * ((shift + 2) // 3)
            core = text[start : len(text) - 4]
            if len(core) >= 12:
                found[f"{name}@{shift}"] = core
    unique: dict[str, bytes] = {}
    for form, pattern in found.items():  # one hit per shape: "url" is "raw" for plain text
        if pattern not in unique.values():
            unique[form] = pattern
    return unique


@dataclass
class Search:
    """Searches bytes for every form of every canary; hits name the canary, never its value."""

    canaries: dict[str, str] = field(repr=False)  # label -> value
    hits: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._patterns = [
            (label, form, pattern)
            for label, value in self.canaries.items()
            for form, pattern in forms(value).items()
        ]

    def scan(self, where: str, data: bytes) -> None:
        for label, form, pattern in self._patterns:
            if pattern in data:
                self.hits.append(f"{label} ({form}) in {where}")

    def redact(self, text: str) -> str:
        """``text`` with each canary replaced by its label: safe in an assertion message."""
        for label, value in self.canaries.items():
            text = text.replace(value, f"<{label}>")
        return text

    def scan_text(self, where: str, text: str) -> None:
        self.scan(where, text.encode("utf-8", "surrogateescape"))

    def scan_tree(self, root: Path, *, skip: Iterable[Path] = ()) -> int:
        skipped = {p.resolve() for p in skip}
        count = 0
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink() and path.resolve() not in skipped:
                self.scan(str(path.relative_to(root)), path.read_bytes())
                count += 1
        return count

    def scan_image_tar(self, image: str, tar_path: Path) -> int:
        """Every member of a `docker save` archive; each layer's files one by one."""
        count = 0
        with tarfile.open(tar_path) as outer:
            for member in outer:
                if not member.isfile():
                    continue
                data = outer.extractfile(member).read()  # type: ignore[union-attr]
                if member.name.endswith("layer.tar"):
                    for name, content in _layer_files(data):
                        self.scan(f"{image} {member.name}:{name}", content)
                        count += 1
                else:
                    self.scan(f"{image} {member.name}", data)
                    count += 1
        return count


def _layer_files(data: bytes) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(fileobj=io.BytesIO(data)) as layer:
        for member in layer:
            if member.isfile():
                yield member.name, layer.extractfile(member).read()  # type: ignore[union-attr]
            # names of links and directories can leak too
            yield member.name + " (name)", (member.name + " " + member.linkname).encode()


# --- running the CLI ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    """One finished ``h2c`` run: its arguments, exit code, stdout and stderr."""

    args: list[str]
    rc: int
    out: str
    err: str

    def __repr__(self) -> str:  # arguments may hold canary URLs: pytest would print them
        return f"Ran(h2c {' '.join(self.args[:2])} -> exit {self.rc})"


def h2c(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> Ran:
    """``python -m h2c.cli ARGS`` in ``cwd``; ``env`` adds variables to this process's own."""
    full = dict(os.environ, H2C_REQUIRE_ENGINE="1", COLUMNS="200", **(env or {}))
    done = subprocess.run(
        [sys.executable, "-m", "h2c.cli", *args],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        cwd=cwd,
        env=full,
        timeout=1800,
        check=False,
    )
    return Ran(list(args), done.returncode, done.stdout, done.stderr)


def junit_cases(path: Path) -> dict[str, str]:
    """``module::test[param]`` -> passed | failed | error | skipped."""
    result = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname", "").rpartition(".")[2]
        status = "passed"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                status = "failed" if tag == "failure" else tag
        result[f"{module}::{case.get('name')}"] = status
    return result
