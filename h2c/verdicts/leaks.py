"""Looking for config values where they must not be: image history, ENV, files, messages.

Values are compared in this process only (``scan_saved_image`` reads the image's layers from
the host; no container gets them); every finding names a key, never its value.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from h2c.plan.envrules import SENSITIVE_KEY, EnvKind, classify
from h2c.secret import Secret, mask_values

# --- secrets --------------------------------------------------------------------------------


def secret_needles(
    values: Mapping[str, Secret], *, min_length: int = 8, published: Collection[str] = ()
) -> dict[str, Secret]:
    """The config values worth searching an image for: long enough and secret-looking.

    A value like ``production`` or ``app.settings`` legitimately appears in the source; a key
    that names a secret, or a long value mixing letters and digits, does not. ``published``
    holds values the app itself publishes (app.json ``value`` defaults, which convox.yml
    repeats): they are in the repository already, not secrets.

    >>> values = {"SECRET_KEY": Secret("x" * 20), "DEBUG": Secret("False"),
    ...           "HEROKU_APP_NAME": Secret("shop-2024-production"),
    ...           "SETTINGS": Secret("app.settings"), "T": Secret("a1b2c3d4e5f6g7h8"),
    ...           "LABEL": Secret("Cost: $5 per unit")}
    >>> sorted(secret_needles(values, published=["Cost: $5 per unit"]))
    ['SECRET_KEY', 'T']
    """
    chosen = {}
    public = frozenset(published)
    for key, value in values.items():
        if classify(key) is EnvKind.PLATFORM:  # HEROKU_APP_NAME, DYNO...: set by Heroku, public
            continue
        text = value.reveal()
        if len(text) < min_length or text.lower() in ("true", "false") or text in public:
            continue
        mixed = len(text) >= 16 and re.search(r"\d", text) and re.search(r"[A-Za-z]", text)
        if SENSITIVE_KEY.search(key) or mixed:
            chosen[key] = value
    return chosen


MAX_MEMBER_BYTES = 64 * 1024 * 1024  # larger files are skipped, and named in a note
WHITEOUT = ".wh."  # a layer's mark that a file of an earlier layer is deleted
OPAQUE = ".wh..wh..opq"  # ... that a folder's earlier contents are


@dataclass(frozen=True)
class LayerHit:
    """A needle found in one layer's file: ``key`` names it, the value is never kept."""

    key: str
    path: str  # absolute, as the container would see it
    layer: int  # 1 = the base image's first layer
    deleted_in: int | None = None  # a later layer that deletes the file (still in the image)

    def __str__(self) -> str:
        gone = f", deleted in layer {self.deleted_in}" if self.deleted_in else ""
        return f"{self.key} in {self.path} (layer {self.layer}{gone})"


@dataclass
class LayerScan:
    """What ``scan_saved_image`` found, and what it could not read."""

    hits: list[LayerHit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "<path> (layer N, <size> bytes)"
    files: int = 0
    layers: int = 0


def _layer_path(name: str) -> str:
    """A layer member's name as an absolute path.

    >>> _layer_path("./app/conf/.secret"), _layer_path("etc/passwd")
    ('/app/conf/.secret', '/etc/passwd')
    """
    return "/" + name.removeprefix("./").lstrip("/")


def _whiteout(path: str) -> str | None:
    """The path a whiteout entry deletes (a folder's for an opaque one), else None.

    >>> _whiteout("/app/.wh.secret.txt"), _whiteout("/app/.wh..wh..opq"), _whiteout("/app/x")
    ('/app/secret.txt', '/app/', None)
    """
    folder, _, base = path.rpartition("/")
    if base == OPAQUE:
        return folder + "/"
    return f"{folder}/{base.removeprefix(WHITEOUT)}" if base.startswith(WHITEOUT) else None


def _scan_layer(
    layer: tarfile.TarFile, needles: Sequence[tuple[str, bytes]], name: str, scan: LayerScan
) -> tuple[list[tuple[str, str]], list[str]]:
    """``(path, key)`` for each needle in a layer's files (or names); and its whiteouts."""
    hits, whiteouts = [], []
    for member in layer:
        path = _layer_path(member.name)
        gone = _whiteout(path)
        if gone is not None:
            whiteouts.append(gone)
            continue
        label = f"{path} {member.linkname}".encode()
        found = {key for key, value in needles if value in label}
        if member.isfile():
            scan.files += 1
            if member.size > MAX_MEMBER_BYTES:
                scan.skipped.append(f"{path} ({name}, {member.size} bytes)")
            else:
                data = (layer.extractfile(member) or io.BytesIO()).read()
                found |= {key for key, value in needles if value in data}
        hits += [(path, key) for key in sorted(found)]
    return hits, whiteouts


def _deleted_in(path: str, layer: int, whiteouts: Mapping[int, list[str]]) -> int | None:
    for later in sorted(n for n in whiteouts if n > layer):
        if any(path == gone or (gone.endswith("/") and path.startswith(gone))
               for gone in whiteouts[later]):  # fmt: skip
            return later
    return None


_Layers = dict[str, tuple[list[tuple[str, str]], list[str]]]  # member -> (hits, whiteouts)


def _read_archive(
    stream: IO[bytes], wanted: Sequence[tuple[str, bytes]], scan: LayerScan
) -> tuple[_Layers, list[str]]:
    """Each layer tar's hits and whiteouts, and the manifest's layer order (base first)."""
    by_member: _Layers = {}
    order: list[str] = []
    with tarfile.open(fileobj=stream, mode="r|") as outer:
        for member in outer:
            content = outer.extractfile(member) if member.isfile() else None
            if content is None:
                continue
            if member.name == "manifest.json":
                manifest = json.loads(content.read() or b"[]")
                order = list(manifest[0].get("Layers") or []) if manifest else []
                continue
            try:
                with tarfile.open(fileobj=content, mode="r|*") as layer:
                    by_member[member.name] = _scan_layer(layer, wanted, member.name, scan)
            except tarfile.ReadError:  # the image's config, a layer's json: not a layer
                continue
    return by_member, order


def scan_saved_image(stream: IO[bytes], needles: Mapping[str, Secret]) -> LayerScan:
    """Every file of every layer of a ``docker save`` stream, searched for the needles.

    Read from the host, as root: files only root may read, and files a later layer deleted
    (which stay in the image), are searched too. Layers are numbered by the image's
    manifest.json, base first. Only keys are reported.
    """
    wanted = [(key, value.reveal().encode()) for key, value in sorted(needles.items())]
    scan = LayerScan()
    by_member, order = _read_archive(stream, [(k, v) for k, v in wanted if v], scan)
    number = {name: index for index, name in enumerate(order, start=1)}
    scan.layers = len(by_member)
    whiteouts = {number.get(name, 0): found[1] for name, found in by_member.items()}
    for name, (hits, _) in by_member.items():
        index = number.get(name, 0)
        for path, key in hits:
            scan.hits.append(LayerHit(key, path, index, _deleted_in(path, index, whiteouts)))
    scan.skipped = [_number_note(note, number) for note in scan.skipped]
    scan.hits.sort(key=lambda hit: (hit.layer, hit.path, hit.key))
    return scan


def _number_note(note: str, number: Mapping[str, int]) -> str:
    for name, index in number.items():
        note = note.replace(f"({name},", f"(layer {index},")
    return note


def text_leaks(places: Mapping[str, str], needles: Mapping[str, Secret]) -> list[str]:
    """``"KEY in <place>"`` for each needle found in a named text (history, ENV, ...).

    >>> text_leaks({"ENV": "A=hunter2hunter2"}, {"PASS": Secret("hunter2hunter2")})
    ['PASS in ENV']
    """
    leaks = []
    for place, text in places.items():
        for key, value in sorted(needles.items()):
            if value.reveal() and value.reveal() in text:
                leaks.append(f"{key} in {place}")
    return leaks


class Redactor:
    """Masks every known config value in text that reaches a message (log tails, output).

    >>> Redactor([Secret("hunter2hunter2"), Secret("ab")])("pw=hunter2hunter2 ab")
    'pw=******** ab'
    """

    def __init__(self, values: Iterable[Secret]) -> None:
        self._values = tuple(v.reveal() for v in values)

    def __call__(self, text: str) -> str:
        return mask_values(text, self._values)
