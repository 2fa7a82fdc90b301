"""Multi-line config values on Convox: a one-line base64 twin, decoded by an entrypoint shim.

Convox's env store is line-based (REFERENCE "Env formats"): a value with a newline cannot live
in it by any route. Each such value travels as ``H2C_B64_<KEY>`` (standard base64, one line) in
convox.env and the convox.yml ``environment`` lists; the image's ENTRYPOINT, a tiny POSIX sh
script, decodes each twin into ``<KEY>`` (trailing newlines kept) and then ``exec "$@"``, so
services, timers and ``convox run`` all see the exact value. Pure text; the Dockerfile renderer
calls ``shim_dockerfile_lines``, the convox.env writer ``twin_env_lines``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence

from h2c.plan.naming import SHIM_PATH, TWIN_PREFIX, twin_key
from h2c.secret import Secret


def encode(value: str) -> str:
    """A value as its twin holds it: base64 of its UTF-8 bytes, one line.

    >>> encode("a\\nb\\n")
    'YQpiCg=='
    """
    return base64.b64encode(value.encode("utf-8")).decode("ascii")


def twin_env_lines(values: Mapping[str, Secret]) -> list[str]:
    """The convox.env lines (no newline) carrying ``values``, in the given order.

    >>> twin_env_lines({"PEM": Secret("-----BEGIN-----\\nx\\n")})
    ['H2C_B64_PEM=LS0tLS1CRUdJTi0tLS0tCngK']
    """
    return [f"{twin_key(key)}={encode(value.reveal())}" for key, value in values.items()]


def environment_entries(keys: Iterable[str]) -> list[str]:
    """What convox.yml ``environment`` lists declare for these keys (bare: required).

    >>> environment_entries(["PEM", "GOOGLE_CREDENTIALS"])
    ['H2C_B64_PEM', 'H2C_B64_GOOGLE_CREDENTIALS']
    """
    return [twin_key(key) for key in keys]


def decode_twins(env: Mapping[str, Secret]) -> dict[str, Secret]:
    """What the shim exports: key -> decoded value for every twin in ``env`` (bad base64: left
    out, the shim refuses to start).

    >>> {k: v.reveal() for k, v in decode_twins({"H2C_B64_PEM": Secret("YQpiCg=="),
    ...                                          "H2C_B64_BAD": Secret("%%")}).items()}
    {'PEM': 'a\\nb\\n'}
    """
    result = {}
    for name, value in env.items():
        if name.startswith(TWIN_PREFIX) and len(name) > len(TWIN_PREFIX):
            try:
                raw = base64.b64decode(value.reveal(), validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                continue
            result[name.removeprefix(TWIN_PREFIX)] = Secret(raw)
    return result


def shim_script(keys: Sequence[str]) -> list[str]:
    """The shim's lines: decode each twin that is set, then run the command.

    ``$(...)`` drops trailing newlines, so the decoded text ends with a sentinel ``x`` that is
    cut off after. The twin's name is fixed per key: nothing from the env is evaluated.

    >>> line = shim_script(["PEM"])[2]
    >>> line.startswith('if [ -n "${H2C_B64_PEM+x}" ]; then'), line.endswith('PEM="${h2c_v%x}"; fi')
    (True, True)
    """
    lines = ["#!/bin/sh", "# h2c: decode multi-line config values from their base64 twins"]
    for key in keys:
        twin = twin_key(key)
        lines.append(
            f'if [ -n "${{{twin}+x}}" ]; then h2c_v=$(printf %s "${twin}" | base64 -d && printf x)'
            f' || {{ echo "h2c-env: {twin} is not base64" >&2; exit 1; }};'
            f' export {key}="${{h2c_v%x}}"; fi'
        )
    return [*lines, "unset h2c_v", 'exec "$@"']


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def shim_dockerfile_lines(keys: Sequence[str]) -> list[str]:
    """Dockerfile lines installing the shim (as root, before ``USER``) and making it the
    ENTRYPOINT; nothing when no key is multi-line.

    >>> lines = shim_dockerfile_lines(["PEM"])
    >>> lines[2][:40], lines[3]
    ("RUN printf '%s\\\\n' '#!/bin/sh' '# h2c: de", 'ENTRYPOINT ["/usr/local/bin/h2c-env"]')
    >>> shim_dockerfile_lines([])
    []
    """
    if not keys:
        return []
    words = " ".join(_sh_quote(line) for line in shim_script(keys))
    return [
        "# The script's $ must reach the file as written: single quotes on purpose.",
        "# hadolint ignore=SC2016",
        f"RUN printf '%s\\n' {words} > {SHIM_PATH} && chmod 0755 {SHIM_PATH}",
        f'ENTRYPOINT ["{SHIM_PATH}"]',
    ]
