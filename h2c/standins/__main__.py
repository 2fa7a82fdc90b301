"""``python -m h2c.standins ensure|rebuild [NAME...] | list``: build the offline stand-in images."""

from __future__ import annotations

import sys

from h2c.standins.build import main

sys.exit(main())
