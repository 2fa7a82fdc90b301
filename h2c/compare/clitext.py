"""The text the ``convox`` CLI prints, read as stdcli writes it (pure).

Tables: each column ``%-Ws`` (W = the widest cell or header, in bytes), joined by two spaces,
the last column unpadded. Cells such as STARTED ("2 days ago") and COMMAND hold spaces, so a
row is cut at the header's column offsets, in bytes. Label blocks (``convox apps info``): a
label padded to the widest, then the value.
"""

from __future__ import annotations

import re

_HEADER_CELL = re.compile(rb"\S+")


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a stdcli table as ``{HEADER: cell}``, cut at the header's byte offsets.

    >>> rows = parse_table(
    ...     "ID     SERVICE  STATUS   STARTED     COMMAND\\n"
    ...     "web-1  web      running  2 days ago  gunicorn app:app\\n"
    ...     "wrk-1  worker   crashed  1 hour ago  \\n")
    >>> [(r["SERVICE"], r["STATUS"], r["STARTED"], r["COMMAND"]) for r in rows]
    [('web', 'running', '2 days ago', 'gunicorn app:app'), ('worker', 'crashed', '1 hour ago', '')]
    >>> parse_table("")
    []
    """
    lines = [line.encode("utf-8") for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = [(m.start(), m.group().decode()) for m in _HEADER_CELL.finditer(lines[0])]
    rows = []
    for line in lines[1:]:
        row = {}
        for i, (start, name) in enumerate(header):
            end = header[i + 1][0] if i + 1 < len(header) else len(line)
            row[name] = line[start:end].decode("utf-8", "replace").strip()
        rows.append(row)
    return rows


def parse_labels(text: str) -> dict[str, str]:
    """A stdcli label block (``convox apps info``) as ``{label: value}``.

    >>> parse_labels("Name        shop\\nStatus      running\\nRelease     RABC\\nLocked      \\n")
    {'Name': 'shop', 'Status': 'running', 'Release': 'RABC', 'Locked': ''}
    """
    labels = {}
    for line in text.splitlines():
        label, _, value = line.strip().partition(" ")
        if label:
            labels[label] = value.strip()
    return labels
