"""``python -m aidcalc``: the same as the ``aidcalc`` command."""

from __future__ import annotations

import sys

from ._report._cli import main

if __name__ == "__main__":
    sys.exit(main())
