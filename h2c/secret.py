"""Config values are secrets until proven otherwise.

``Secret`` masks itself in ``repr``/``str`` so assertion output, logs, JUnit XML and
exceptions never show a value; equality and hashing go through a digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

MASK = "********"
MIN_MASKED_LENGTH = 4  # shorter values ("1", "on", "yes") are too common to hide in text


def mask_values(text: str, values: Iterable[str], *, min_length: int = MIN_MASKED_LENGTH) -> str:
    """``text`` with every value of ``min_length`` or more replaced by ``MASK``, longest first.

    The one masking rule for text that reaches a person: container logs, log tails in failure
    messages, database errors.

    >>> mask_values("pw=hunter2hunter2 ab", ["hunter2hunter2", "ab"])
    'pw=******** ab'
    """
    for value in sorted({v for v in values if len(v) >= min_length}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


class Secret:
    """A config value that only reveals itself when asked to by name.

    >>> s = Secret("hunter2")
    >>> s
    Secret('********')
    >>> str(s), f"{s}"
    ('********', '********')
    >>> s == Secret("hunter2"), s == Secret("other")
    (True, False)
    >>> s.reveal()
    'hunter2'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret holds text only")
        self._value = value

    def reveal(self) -> str:
        """The real value: only for writing convox.env or starting a container."""
        return self._value

    @property
    def digest(self) -> str:
        """A SHA-256 digest, safe to compare and to show shortened."""
        return hashlib.sha256(self._value.encode("utf-8")).hexdigest()

    @property
    def is_empty(self) -> bool:
        return self._value == ""

    @property
    def is_multiline(self) -> bool:
        return "\n" in self._value or "\r" in self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self.digest == other.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled, so it cannot reach a cache or report")
