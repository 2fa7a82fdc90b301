"""Looking for config values where they must not be: image history, ENV, files, messages.

Only ``needle_payload`` reveals values, to build the env of a throwaway scanning container;
everything else reports key names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from h2c.plan.envrules import EnvKind, classify
from h2c.secret import Secret, mask_values

SENSITIVE_KEY = re.compile(r"SECRET|KEY|TOKEN|PASS|PWD|URL|DSN|CREDENTIAL|AUTH|PRIVATE|SALT")


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


def needle_payload(needles: Mapping[str, Secret]) -> str:
    """JSON ``[[key, value], ...]`` for a throwaway container's env: the only place values go."""
    return json.dumps([[key, value.reveal()] for key, value in sorted(needles.items())])


SCAN_SCRIPT = (
    "import json,os,sys\n"
    "needles=[(k,v.encode()) for k,v in json.loads(os.environ.pop('H2C_NEEDLES'))]\n"
    "for root in sys.argv[1:]:\n"
    "  for d,dirs,files in os.walk(root):\n"
    "    dirs[:]=[x for x in dirs if x not in ('proc','sys','dev')]\n"
    "    for f in files:\n"
    "      p=os.path.join(d,f)\n"
    "      try:\n"
    "        if os.path.islink(p) or os.path.getsize(p)>20000000: continue\n"
    "        data=open(p,'rb').read()\n"
    "      except OSError: continue\n"
    "      for k,v in needles:\n"
    "        if v in data: print(p+'\\t'+k)\n"
)


def scan_args(roots: Sequence[str]) -> list[str]:
    """Args that print ``path<TAB>KEY`` for each file holding a needle (never the value)."""
    return ["python", "-c", SCAN_SCRIPT, *roots]


def parse_scan(output: str, keys: Sequence[str]) -> list[tuple[str, str]]:
    """``(path, KEY)`` pairs from the scan; lines naming an unknown key are dropped.

    >>> parse_scan("/app/.env\\tSECRET_KEY\\nnoise\\n", ["SECRET_KEY"])
    [('/app/.env', 'SECRET_KEY')]
    """
    found = []
    for line in output.splitlines():
        path, _, key = line.rpartition("\t")
        if path and key in keys:
            found.append((path, key))
    return found


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
