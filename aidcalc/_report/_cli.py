"""The ``aidcalc`` command (also ``python -m aidcalc``)."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from ._cli_types import (
    READER_FLAGS,
    byte_size,
    column_role,
    header_line,
    input_locale,
    member_name,
    ratio,
    reader_flags,
    sheet,
)

__all__ = ["add_command", "guarded", "main"]

_EPILOG = """\
examples:
  aidcalc report                                  the G7 report on the embedded data
  aidcalc report pledges.xlsx --out my-report     your own spreadsheet of pledges
  aidcalc report --to JPY --locale ja             in yen, labelled in Japanese
  aidcalc report --prices none                    current prices, no deflators
  aidcalc report kiel.xlsx --stage committed      Kiel tracker: commitments, not allocations
  aidcalc report zusagen.csv --input-locale de --column 'Geber=donor'
                                                  a German table, its donor column named
  aidcalc report CRS.zip --member 'CRS 2022 data.txt' --max-uncompressed 20GB
                                                  one file of a large zipped CRS download

exit status:
  0  the report was written; each 'aidcalc: warning:' line on stderr says what it leaves out
     (rows, amount, reason: also in every chart's footnote, on the page and in rejected.csv),
     a chart it could not draw, or a language without translations (English is used)
  1  no report: the error line says why and which option or file fix to use (e.g. a base year
     after what the rates and deflators cover, a missing column, a zip over the limits or
     holding several files, no chart that can be drawn, an --out that is a file, holds
     symbolic links or cannot be written); nothing is written for input problems
  2  the command line itself is wrong (unknown option, or a value no input could make right:
     an unknown currency, language or group, a negative limit, an empty --out)
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"aidcalc: error: {message} (see '{self.prog} --help')\n")


def _option(flag: str, help: str, **keywords: Any) -> tuple[str, dict[str, Any]]:
    """An option of a subcommand: its flag (or name) and ``add_argument`` keywords."""
    return flag, {**keywords, "help": help}


_REPORT_HELP = "write the G7 comparison report (charts, tables, index.html)"
_REPORT_DESCRIPTION = (
    "Write charts (PNG and SVG), the tables behind them (CSV, and XLSX when openpyxl is "
    "installed) and a self-contained index.html comparing donors in one currency and price "
    "base."
)
#: the options of ``aidcalc report``, in the order of --help
_REPORT_OPTIONS = (
    _option("input", "a file of pledges (CSV, XLSX, Kiel, CRS or IATI export), e.g. "
            "pledges.csv; default: the embedded g7_ukraine_pledges dataset",
            nargs="?", metavar="INPUT"),
    _option("--to", "currency of the report, an ISO 4217 code, e.g. --to USD (default: EUR)",
            default="EUR", metavar="CUR"),
    _option("--base-year", "express amounts in this year's prices, e.g. --base-year 2023 "
            "(default: 2024)", type=int, default=2024, metavar="YEAR"),
    _option("--prices", "deflators: OECD DAC (dac), consumer prices of the currency's economy "
            "(cpi) or none for current prices, e.g. --prices none (default: dac; years after "
            "the last published deflator are extended with the IMF WEO, and the report says "
            "so)",
            default="dac", choices=("dac", "cpi", "none")),
    _option("--fx", "exchange rate: the ECB rate of the announcement day (spot), the monthly "
            "or yearly average, or the OECD DAC annual rate, e.g. --fx year (default: each row "
            "at the finest rate its date allows: the day's rate, the month's mean for a "
            "month-only date, the OECD DAC annual rate for a year, as in the OECD CRS)",
            default=None, choices=("spot", "month", "year", "dac")),
    _option("--locale", "language of labels and numbers: en, de, fr, it, ja, uk, e.g. "
            "--locale de (default: en)", default="en", metavar="LOCALE"),
    _option("--group", "only donors of this group (with the EU institutions), or 'all', e.g. "
            "--group all (default: G7)", default="G7", metavar="GROUP"),
    _option("--stage", "which lifecycle stage the totals count, so that two measures of the "
            "same money are never added: only rows of that status, or all rows, e.g. --stage "
            "committed (default: allocated for the Kiel tracker, whose commitment and "
            "allocation rows measure the same aid; all for pledge lists, whose rows are "
            "distinct money; the pipeline chart always shows every stage)",
            default=None, choices=("allocated", "committed", "pledged", "disbursed", "all")),
    _option("--out", "output folder, e.g. --out report-de (default: ./aidcalc-report); never "
            "empty, never written through a symbolic link; files an earlier report wrote there "
            "and this one does not are removed, other files are left alone",
            default="aidcalc-report", metavar="DIR"),
    _option("--member", "the file to read inside a zip INPUT that holds several, e.g. "
            "--member 'CRS 2022 data.txt' (default: the zip's one data file)",
            type=member_name, default=None, metavar="NAME"),
    _option("--max-uncompressed", "read a zip INPUT that declares more than the zip-bomb "
            "limit when uncompressed (default: 8 GiB, 1 GiB for a workbook), e.g. "
            "--max-uncompressed 20GB", type=byte_size, default=None, metavar="SIZE"),
    _option("--max-ratio", "read a zip INPUT whose compression ratio is above the zip-bomb "
            "limit (default: 200), e.g. --max-ratio 500", type=ratio, default=None,
            metavar="RATIO"),
    _option("--sheet", "the worksheet to read in an XLSX INPUT, by name or number (0 is the "
            "first), e.g. --sheet data (default: the first; the Kiel tracker's data sheet)",
            type=sheet, default=None, metavar="SHEET"),
    _option("--column", "which column of the INPUT table holds what, as HEADER=ROLE (roles: "
            "donor, amount, currency, announced, amount_text, category, status, ...); repeat "
            "for each column, e.g. --column 'Geber=donor' --column 'Betrag (Mio. EUR)=amount' "
            "(default: columns named like the roles, in English)",
            type=column_role, action="append", default=None, metavar="HEADER=ROLE"),
    _option("--input-locale", "the language and number format the INPUT table is written in "
            "(decimal comma, month names, day/month order, currency words), e.g. "
            "--input-locale de (default: English; --locale only sets the report's labels)",
            type=input_locale, default=None, metavar="LOCALE"),
    _option("--header-row", "the line number of the INPUT table's header, 1 for the first "
            "(when title rows above it hide it), e.g. --header-row 3 (default: the first of the "
            "first rows that names a donor and an amount column)",
            type=header_line, default=None, metavar="N"),
    _option("--recover", "read an IATI INPUT that is not well-formed XML, keeping what parses "
            "(the report says what was lost), e.g. --recover (default: refuse the file)",
            action="store_const", const=True, default=None),
    _option("--debug", "show the full traceback when something fails, e.g. --debug",
            action="store_true"),
)
#: the options of ``aidcalc report`` passed to the reader (``read_any``): argument -> keyword
_READ_OPTIONS = {flag[2:].replace("-", "_"): name for name, flag in READER_FLAGS.items()}


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aidcalc",
        description="Aid-commitment analytics: compare what donors promised, honestly.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    add_command(sub, "report", options=_REPORT_OPTIONS, help=_REPORT_HELP,
                description=_REPORT_DESCRIPTION, epilog=_EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    from ._update_cli import add_commands  # `aidcalc update`, `aidcalc datasets`

    add_commands(sub)
    return parser


def add_command(
    sub: Any, name: str, *, options: Sequence[tuple[str, dict[str, Any]]], help: str,
    description: str, **parser_options: Any,
) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` to ``sub`` with its ``options`` (flag or name,
    ``add_argument`` keywords), in the order of ``--help``."""
    command: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=description, **parser_options
    )
    for flag, keywords in options:
        command.add_argument(flag, **keywords)
    return command


def _version() -> str:
    from .. import __version__

    return f"aidcalc {__version__}"


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text or type(err).__name__


def _progress(stream: TextIO) -> Callable[[str], None]:
    start = time.perf_counter()

    def say(message: str) -> None:
        stream.write(f"\r\x1b[K[{time.perf_counter() - start:5.1f}s] {message}")
        stream.flush()

    return say


def _show_warning(message: Warning | str, category: type[Warning], *_args: object,
                  **_kwargs: object) -> None:
    sys.stderr.write(f"aidcalc: warning: {_one_line(Exception(str(message)))}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``aidcalc`` command; returns the exit status.

    Examples
    --------
    >>> main(["report", "--prices", "sometimes"])
    2
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 2
    if args.command is None:
        parser.print_help()
        return 0
    if args.command in ("update", "datasets"):
        from ._update_cli import run

        return guarded(lambda: run(args), debug=args.debug, interrupted=" (nothing was changed)")
    usage = _usage_error(args)
    if usage:
        sys.stderr.write(f"aidcalc: error: {usage} (see 'aidcalc report --help')\n")
        return 2
    return guarded(lambda: _report(args), debug=args.debug, tty=sys.stderr.isatty())


def _usage_error(args: argparse.Namespace) -> str:
    """What is wrong with the report's options on their own (empty: nothing), checked before
    anything is read or written."""
    from .._base._errors import AidcalcError
    from ._options import check_options
    from ._output import check_out

    if args.input is not None and not args.input.strip():
        return "INPUT is empty: name a file, e.g. aidcalc report pledges.csv"
    given = [f"--{name.replace('_', '-')}" for name in _READ_OPTIONS
             if getattr(args, name) is not None]
    if given and args.input is None:
        return (f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for reading an INPUT "
                "file; name the file, e.g. aidcalc report FILE "
                f"{given[0]} ...")
    try:
        check_out(args.out)
        check_options(args.to, args.base_year, args.prices, args.fx, args.stage,
                      group=args.group, locale=args.locale)
    except AidcalcError as err:
        return _one_line(err)
    return ""


def _report(args: argparse.Namespace) -> int:
    from ._build import build_report

    tty = sys.stderr.isatty()
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        report = build_report(
            args.input,
            out=args.out,
            to=args.to,
            base_year=args.base_year,
            prices=args.prices,
            fx=args.fx,
            locale=args.locale,
            group=args.group,
            stage=args.stage,
            progress=_progress(sys.stderr) if tty else None,
            read_options=_read_options(args),
        )
    if tty:
        sys.stderr.write("\n")
    sys.stdout.write(f"wrote {len(report.files)} files; open {report.index}\n")
    return 0


def _read_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reader's keywords from the command line (``--column`` pairs as one ``mapping``)."""
    options = {name: getattr(args, arg) for arg, name in _READ_OPTIONS.items()
               if getattr(args, arg) is not None}  # fmt: skip
    if "mapping" in options:
        options["mapping"] = dict(options["mapping"])
    return options


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit after a broken pipe
    raises nothing (the recipe of the Python docs, "Note on SIGPIPE")."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (a test)
        pass


def guarded(
    run: Callable[[], int], *, debug: bool, tty: bool = False, interrupted: str = ""
) -> int:
    """``run()``'s exit status; whatever it raises is one ``aidcalc: error:`` line and status 1
    (130 when interrupted), the traceback only with ``--debug``. The reader's options are
    named by their flags (``pass --member``, not ``pass member=``)."""
    from .._base._errors import AidcalcError

    try:
        return run()
    except KeyboardInterrupt:
        sys.stderr.write(f"\naidcalc: interrupted{interrupted}\n")
        return 130
    except BrokenPipeError:  # the reader went away (`aidcalc datasets | head`): stop quietly
        _quiet_stdout()
        return 0
    except Exception as err:
        if debug:
            raise
        if tty:
            sys.stderr.write("\n")
        expected = isinstance(err, (AidcalcError, OSError))
        what = _one_line(err) if expected else f"{type(err).__name__}: {_one_line(err)}"
        hint = "" if expected else " (run again with --debug for the traceback)"
        sys.stderr.write(f"aidcalc: error: {reader_flags(what)}{hint}\n")
        return 1
