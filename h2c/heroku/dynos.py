"""Heroku dyno sizes and what each one means in memory and CPU: the one table h2c keeps.

Standard library only: the Heroku readers validate sizes against it and the planner turns a
size into a Convox ``scale``; it imports neither of them.
"""

from __future__ import annotations

DEFAULT_SIZE = "standard-1x"  # what Heroku runs when no size is given
# Heroku caps a process type at 100 dynos unless support raises it: a quantity beyond this is
# a typo (or hostile), never a formation to copy.
MAX_QUANTITY = 10000

# size -> (memory MB, CPU millicores requested on Convox).
#
# From REFERENCE.md "Dyno memory" (Heroku's dyno types page): the memory of eco, basic,
# standard-1x (512 MB), standard-2x, private-s, shield-s (1 GB), performance-m (2.5 GB) and
# performance-l (14 GB), and the dedicated cores of performance-m (2) and performance-l (8).
# Every other figure is an ESTIMATE, marked on its row: Heroku sells eco..standard-2x and the
# -s sizes as shared "compute units", so their CPU is ours (250 millicores per 512 MB, Convox's
# default for the smallest), and private-m/-l and shield-m/-l are taken as the same class as
# performance-m/-l. The generated convox.yml pins the CPU of the shared sizes (goldens).
SIZES: dict[str, tuple[int, int]] = {
    "eco": (512, 250),  # cpu: estimate
    "basic": (512, 250),  # cpu: estimate
    "standard-1x": (512, 250),  # cpu: estimate
    "standard-2x": (1024, 500),  # cpu: estimate
    "performance-m": (2560, 2000),
    "performance-l": (14336, 8000),
    "performance-l-ram": (30720, 4000),  # estimate
    "performance-xl": (63488, 8000),  # estimate
    "performance-2xl": (129024, 16000),  # estimate
    "private-s": (1024, 500),  # cpu: estimate
    "private-m": (2560, 2000),  # estimate: same class as performance-m
    "private-l": (14336, 8000),  # estimate: same class as performance-l
    "shield-s": (1024, 500),  # cpu: estimate
    "shield-m": (2560, 2000),  # estimate: same class as performance-m
    "shield-l": (14336, 8000),  # estimate: same class as performance-l
}

# Sizes whose figures are pure estimates with no reference class: Heroku accepts them, but the
# planner does not request 30-126 GB on a guess; it warns and uses its default scale instead.
UNSCALED_SIZES = frozenset({"performance-l-ram", "performance-xl", "performance-2xl"})

DYNO_MEMORY_MB: dict[str, int] = {size: mb for size, (mb, _) in SIZES.items()}
DYNO_CPU_MILLICORES: dict[str, int] = {size: cpu for size, (_, cpu) in SIZES.items()}
KNOWN_SIZES: tuple[str, ...] = tuple(SIZES)

# Names older app.json files and the legacy CLI use for today's sizes.
SIZE_ALIASES: dict[str, str] = {
    "free": "eco",
    "hobby": "basic",
    "1x": "standard-1x",
    "2x": "standard-2x",
    "px": "performance-l",
}


def normalize_size(size: str) -> str | None:
    """The canonical lower-case size, or None when Heroku has no such size.

    >>> normalize_size("Standard-2X"), normalize_size("free"), normalize_size("huge")
    ('standard-2x', 'eco', None)
    """
    lowered = size.strip().lower()
    lowered = SIZE_ALIASES.get(lowered, lowered)
    return lowered if lowered in SIZES else None


def convox_scale(size: str) -> tuple[int, int] | None:
    """(memory MB, CPU millicores) for a size or alias as written; None if not scaled.

    >>> convox_scale("standard-2x"), convox_scale("hobby"), convox_scale("performance-xl")
    ((1024, 500), (512, 250), None)
    """
    size = SIZE_ALIASES.get(size, size)
    if size in UNSCALED_SIZES:
        return None
    return SIZES.get(size)


# What the planner requests on Convox for each size or alias it scales: (memory MB, millicores).
DYNO_SIZES: dict[str, tuple[int, int]] = {
    name: scale for name in (*SIZE_ALIASES, *SIZES) if (scale := convox_scale(name)) is not None
}
