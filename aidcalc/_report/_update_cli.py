"""The ``aidcalc update`` and ``aidcalc datasets`` subcommands (kept apart from ``_cli.py``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._cli_types import base_url, seconds

_SOURCES = ("dac", "wdi", "weo", "ecb", "all")


_DEBUG = ("--debug", {"action": "store_true", "help": "show the full traceback on errors"})
#: the options of ``aidcalc update`` (flag, ``add_argument`` keywords)
_UPDATE_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--source", {"choices": _SOURCES, "default": "all",
                  "help": "which publisher to download from, e.g. --source weo (default: all)"}),
    ("--timeout", {"type": seconds, "default": 60.0, "metavar": "SECONDS",
                   "help": "seconds per request, more than 0 and at most a day, e.g. "
                   "--timeout 120 (default: 60)"}),
    ("--base-url", {"type": base_url, "default": None, "metavar": "URL",
                    "help": argparse.SUPPRESS}),
    _DEBUG,
)


def add_commands(sub: Any) -> None:
    """Add ``update`` and ``datasets`` to the ``aidcalc`` subcommand parser."""
    from ._cli import add_command

    add_command(
        sub, "update", options=_UPDATE_OPTIONS,
        help="download current macro data from the publishers into the user cache",
        description=(
            "Download current data from the publishers' official interfaces (OECD SDMX for "
            "DAC1, the World Bank API, the IMF's WEO SDMX service, the ECB's reference-rate "
            "history) as a new vintage in the user cache; validated before it is used. The "
            "embedded data stay available: pin a vintage with vintage= or "
            "aidcalc.pin_vintages()."
        ),
    )
    add_command(
        sub, "datasets", options=(_DEBUG,),
        help="list every table with its vintage, coverage and source",
        description="List the embedded and downloaded tables: vintage, coverage, source.",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``update`` or ``datasets``; returns the exit status (errors: see ``_cli.guarded``)."""
    if args.command == "datasets":
        from ..io._update import dataset_listing_text

        sys.stdout.write(dataset_listing_text())
        return 0
    from ..io._update import update

    done = update(args.source, base_url=args.base_url, timeout=args.timeout)
    for row in done.itertuples(index=False):
        sys.stdout.write(f"{row.table}: {row.rows} rows, vintage {row.vintage_id} ({row.name})\n")
    sys.stdout.write("now in use; `aidcalc datasets` lists every vintage\n")
    return 0
