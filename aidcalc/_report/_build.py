"""The G7 comparison report: every chart as PNG and SVG, the tables behind them, one HTML page.

``aidcalc report`` (see :mod:`aidcalc._report._cli`) is a thin wrapper around :func:`build_report`,
which reads as its four steps: prepare (check the options, read the input, convert, account
for every row left out: :mod:`._options`, :mod:`._input`, :mod:`._values`, :mod:`._ledger`,
:mod:`._notes`), draw (the charts with their footnotes), write the tables (:mod:`._tables`),
write the page (:mod:`._page`), all through the output folder (:mod:`._output`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any, cast

import pandas as pd

from .._base._errors import AidcalcError
from .._base._labels import LANGUAGES, Labels
from .._base._locale import LocaleLike
from ..plot._style import Unit
from . import _values
from ._input import Source, read_source
from ._ledger import ChartNotes, Entry, Ledger, entry_text, select
from ._notes import footnote, price_notes
from ._options import (
    CHARTS,
    STAGES,
    Options,
    ReportError,
    at_stage,
    check_options,
    default_stage,
    unique,
)
from ._output import Output
from ._page import page_html
from ._tables import TABLES, chart_tables, write_tables

__all__ = [
    "CHARTS",
    "STAGES",
    "ChartNotDrawnWarning",
    "LeftOutWarning",
    "LocaleFallbackWarning",
    "Report",
    "ReportError",
    "build_report",
    "default_stage",
    "report_languages",
]

PNG_DPI = 200
_HERE = Path(__file__).resolve().parent


@dataclass
class Report:
    """What :func:`build_report` wrote."""

    out: Path
    """The output folder."""
    files: list[Path] = field(default_factory=list)
    """Every file written (charts, tables, ``index.html``)."""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    """The tables behind the charts, by name."""
    value: str = ""
    """The column of normalised amounts the charts show."""
    price_base: str = ""
    """What the amounts are, e.g. ``"constant 2024 EUR"``."""
    notes: list[str] = field(default_factory=list)
    """The method notes printed on the page, in the report's language."""
    footnote: str = ""
    """The footnote under every chart (source, prices, exchange rates), in the language."""
    stage: str = "all"
    """The lifecycle stage the totals count (``"all"``: every row), see :func:`default_stage`."""
    coverage: str = ""
    """For the embedded dataset: its coverage per donor and category (HTML, method section)."""
    footnotes: dict[str, str] = field(default_factory=dict)
    """Each chart's own footnote (the common one plus what that chart leaves out), by chart."""
    not_drawn: dict[str, str] = field(default_factory=dict)
    """Charts that could not be drawn, with the reason in the report's language."""
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every input row not in the totals, with ``left_out`` (reason key) and ``reason``
    (written as ``rejected.csv``)."""
    left_out_note: str = ""
    """What the totals leave out (how many rows, how much, why), in the report's language."""
    chart_left_out: dict[str, list[str]] = field(default_factory=dict)
    """What each chart leaves out beyond the report's totals (e.g. undated rows on the
    timeline), in the report's language, by chart."""
    removed: list[Path] = field(default_factory=list)
    """Files an earlier report wrote in ``out`` that this one replaced by nothing (removed)."""

    @property
    def index(self) -> Path:
        return self.out / "index.html"


class LocaleFallbackWarning(UserWarning):
    """The report's language has no translations: its words are in English."""


class ChartNotDrawnWarning(UserWarning):
    """A chart of the report could not be drawn (the page names it and says why)."""


class LeftOutWarning(UserWarning):
    """Rows of the input are not in the report's totals (the page and footnotes say which)."""


def report_languages() -> tuple[str, ...]:
    """The languages every string of the report page is translated into.

    Examples
    --------
    >>> report_languages()
    ('en', 'de', 'fr', 'it', 'ja', 'uk')
    """
    return LANGUAGES


def build_report(
    data: pd.DataFrame | str | Path | None = None,
    *,
    out: str | Path = "aidcalc-report",
    to: str = "EUR",
    base_year: int = 2024,
    prices: str = "dac",
    fx: str | None = None,
    locale: LocaleLike = "en",
    group: str | None = "G7",
    stage: str | None = None,
    source: str | None = None,
    progress: bool | Callable[[str], None] | None = None,
    read_options: Mapping[str, Any] | None = None,
) -> Report:
    """Write the G7 comparison report (charts, tables, ``index.html``) into ``out``.

    No money is left out silently: every input row that is not in the totals (rows the reader
    rejected, rows without a category or a lifecycle status, restatements and totals that
    repeat money, donors outside ``group``, rows that cannot be converted) is counted, summed
    and explained in every chart's footnote and on the page, in the page's language, and
    listed with its reason in ``rejected.csv``; rows one chart cannot show (undated rows on
    the timeline, donors without GDP, other stages) are said in that chart's footnote. Rows
    that an option would convert (e.g. a base year after the data's coverage) raise
    :class:`ReportError` naming the option to use instead.

    Parameters
    ----------
    data
        A pledge frame, a path to a file :func:`aidcalc.io.read_any` can read, or None for the
        embedded ``g7_ukraine_pledges`` dataset.
    out
        Output folder (created if needed; must not be empty). Files are written through a
        temporary file and replaced, never through a symbolic link; files that an earlier
        report wrote there and this one does not (listed in ``.aidcalc-report-files``) are
        removed, no other file is touched.
    to, base_year, prices, fx
        The common unit: currency, price year, ``"dac"``/``"cpi"`` deflators or ``"none"``
        (current prices), and which exchange rate (``"spot"``: the day's ECB rate; ``None``,
        the default: each row at the finest rate its date allows, the day's rate for a day,
        the month's mean for a month only, the OECD DAC annual rate for a year only, as for
        annual data such as the OECD CRS; the page counts the rows of each). Deflator
        tables that end before a pledge's year are carried forward from their last year, and
        the page says so.
    locale
        Language of charts and tables (``"en"``, ``"de"``, ``"fr"``, ``"it"``, ``"ja"``,
        ``"uk"``; any other falls back to English with one :class:`LocaleFallbackWarning`).
    group
        Only donors of this group (``"G7"``; the EU institutions are kept with the G7, as the
        EU takes part in G7 summits); None or ``"all"`` keeps every donor.
    stage
        Which lifecycle stage the totals count: ``"pledged"``, ``"committed"``,
        ``"allocated"``, ``"disbursed"`` (only rows of that ``status``) or ``"all"`` (every
        row). None (default) never sums two measures of the same money: ``"allocated"`` for
        the Kiel tracker, whose commitment and allocation rows measure the same aid, ``"all"``
        for pledge lists whose rows are distinct money (see :func:`default_stage`). The
        pipeline chart and table always show every stage; the page and the footnotes state
        the stage.
    source
        Data source named in footnotes (default: the dataset's title and vintage, or the file).
    progress
        A progress bar by chart (:mod:`tqdm.auto`, on stderr): ``None`` (default) when
        stderr is a terminal or in Jupyter, ``True`` / ``False`` to force it. A callable is
        called with a short message at each step instead (the CLI shows them on a
        terminal). Each step is also logged (``logging.getLogger("aidcalc")``, INFO).
    read_options
        Options for reading a file ``data`` with :func:`aidcalc.io.read_any`, e.g.
        ``{"member": "CRS 2022 data.txt", "max_ratio": 500}`` for a zip holding several files
        or a genuine file above the zip-bomb limits (``max_uncompressed=``, ``max_ratio=``).
        Refused (:class:`ReportError`) for the embedded dataset or a frame.

    Returns
    -------
    Report

    Raises
    ------
    ReportError
        Bad options, an input without a needed column (checked before anything is written),
        rows an option would convert, or no chart that can be drawn.

    Examples
    --------
    >>> import tempfile
    >>> report = build_report(out=tempfile.mkdtemp())  # doctest: +SKIP
    >>> sorted(p.name for p in report.files)[:3]  # doctest: +SKIP
    ['categories.png', 'categories.svg', 'donors.png']
    """
    say = _say(progress)
    opts = check_options(to, base_year, prices, fx, stage, group=group, locale=locale)
    run = _prepare(data, opts, out=out, locale=locale, group=group, stage=stage, source=source,
                   say=say, read_options=read_options)
    report = Report(out=run.output.dir, value=opts.value, price_base=run.unit.code,
                    notes=run.notes, stage=run.read.stage)
    charts = _draw(run, report, progress=progress, say=say)
    _write_tables(run, report, say=say)
    _write_page(run, report, charts, say=say)
    return report


def _say(progress: bool | Callable[[str], None] | None) -> Callable[[str], None]:
    """Each step logged (``aidcalc`` logger, INFO) and given to a ``progress`` callable."""
    from .._base._progress import logger

    def say(message: str) -> None:
        logger.info("report: %s", message)
        if callable(progress):
            progress(message)

    return say


# --- prepare: read, convert, account for every row ----------------------------------------------


@dataclass
class _Prepared:
    """What the charts, tables and page are made of, with the method notes (in order)."""

    opts: Options
    output: Output
    theme: Any
    label: Labels
    read: Source
    ledger: Ledger
    unit: Unit
    everything: pd.DataFrame
    """Every row in the totals, at every stage (the pipeline's rows)."""
    chart_notes: ChartNotes
    """What each chart leaves out beyond the totals."""
    normalised: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The rows at the report's stage."""
    dated: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Those of them with a date (the timeline's rows)."""
    shared: pd.DataFrame | None = None
    """Those with a share of GDP (the share chart's rows), None when there are none."""
    share_note: str = ""
    notes: list[str] = field(default_factory=list)
    left_note: str = ""
    not_drawn: dict[str, str] = field(default_factory=dict)


def _prepare(
    data: pd.DataFrame | str | Path | None, opts: Options, *, out: str | Path,
    locale: LocaleLike, group: str | None, stage: str | None, source: str | None,
    say: Callable[[str], None], read_options: Mapping[str, Any] | None = None,
) -> _Prepared:
    """Check the output folder and the language, read the input, convert every row, account
    for those left out, and split the rows each chart shows."""
    from ..plot._style import make_theme

    names = [f"{c}.{e}" for c in CHARTS for e in ("png", "svg")]
    names += [f"{t}.{e}" for t in TABLES for e in ("csv", "xlsx")] + ["index.html"]
    output = Output(out, names)  # checks --out before anything is read or written
    theme = make_theme(locale)
    _warn_untranslated(theme.lang, locale)
    label = Labels(theme.locale)
    say("reading the data")
    read = read_source(data, source=source, stage=stage, label=label,
                       read_options=read_options)
    say(f"converting to {opts.to}" + (f" at {opts.base_year} prices"
                                      if opts.prices != "none" else ""))
    ledger, notes = _account(read, opts, group, label)
    everything = ledger.result.loc[ledger.keep].drop(columns="error")
    unit = ledger.unit = _values.unit_of(everything, opts.to)
    run = _Prepared(opts, output, theme, label, read, ledger, unit, everything,
                    ChartNotes(everything.index, CHARTS))
    prices = price_notes(everything, unit.currency, unit.year or opts.base_year, opts.prices,
                         opts.fx, label)  # the unit the rows name, not the options
    run.left_note = _left_out(ledger, read.cli_name)
    _warn_empty_stages(everything, opts, read)
    run.normalised = _at_report_stage(run)
    run.dated = _dated(run)
    say("computing shares of GDP")
    share_note = _shares(run)
    if run.dated.empty:
        run.not_drawn["timeline"] = label("not_drawn_no_rows",
                                          what=run.chart_notes.texts["timeline"][-1])
    run.notes = [*read.notes, *notes, *prices, run.left_note,
                 label("note_price_base", unit=unit.describe(theme.locale)),
                 *([share_note] if share_note else [])]
    return run


def _warn_untranslated(lang: str, locale: LocaleLike) -> None:
    if lang not in report_languages():
        warnings.warn(
            f"locale {str(locale)!r} has no translations: the report's words are in English "
            f"(numbers and dates follow {str(locale)!r}); translated: "
            f"{', '.join(report_languages())}",
            LocaleFallbackWarning, stacklevel=4,
        )


def _account(
    read: Source, opts: Options, group: str | None, label: Labels
) -> tuple[Ledger, list[str]]:
    """Every row converted; the rows the totals leave out in the ledger, with their reason
    (the reader's rejections, incomplete rows, repeats, other donors, failed conversions)."""
    result = _values.convert_rows(read.frame, opts.to, opts.base_year, opts.prices, opts.fx)
    ledger = Ledger(result, opts.value, Unit(opts.to, None if opts.prices == "none" else
                                             opts.base_year), label)
    if read.rejected is not None:
        _add_rejected(ledger, read.rejected)
    notes = select(ledger, group, read.cli_name)
    # the stage is checked before going on: a stage without rows is an error, not a page
    _rows, stage_note = at_stage(result.loc[ledger.keep], read.stage, read.cli_name, label)
    _values.leave_unconverted(ledger, read.frame, opts, read.cli_name)
    return ledger, [*notes, stage_note]


def _add_rejected(ledger: Ledger, rejected: pd.DataFrame) -> None:
    """The rows the reader left out: a total row that repeats the rows it totals is money
    already counted (``kind``, as the repeats of the data), any other row money lost."""
    from ..io._result import repeats

    repeat = repeats(rejected)
    for key, rows in (("kind", rejected.loc[repeat]), ("read", rejected.loc[~repeat])):
        reason = rows.get("reason", "could not be read")
        ledger.add(key, rows.drop(columns="reason", errors="ignore"), reason)


def _left_out(ledger: Ledger, cli_name: str) -> str:
    """The note on what the totals leave out; lost money (not repeats, not other donors) is
    also a :class:`LeftOutWarning`."""
    label = ledger.label
    note = (label("note_report_left_out", what="; ".join(ledger.texts()))
            if ledger.entries else label("note_nothing_left_out"))
    if lost := ledger.lost():
        warnings.warn(
            f"{cli_name}: left out of the report: " + "; ".join(ledger.texts(lost, english=True))
            + " (each row with its reason in rejected.csv)",
            LeftOutWarning, stacklevel=4,
        )
    return note


def _warn_empty_stages(everything: pd.DataFrame, opts: Options, read: Source) -> None:
    """A stage whose rows sum to 0 carries no amounts (the processed Kiel CSV's commitments)."""
    if "status" not in everything.columns:
        return
    stages = everything["status"].astype("string").str.strip().str.lower()
    nonzero = everything[opts.value].abs().gt(0).groupby(stages.to_numpy(), observed=True).any()
    for empty in nonzero.index[~nonzero.to_numpy()]:
        hint = "choose another --stage" if empty == read.stage else "the pipeline shows 0 there"
        warnings.warn(
            f"the {empty} rows of {read.cli_name} sum to 0 {opts.to}: the file carries no "
            f"amounts at that stage (the processed Kiel CSV keeps commitments at 0 EUR); {hint}",
            stacklevel=4,
        )


def _at_report_stage(run: _Prepared) -> pd.DataFrame:
    """The rows at the report's stage; the others are in the pipeline chart only, said in
    every other chart's footnote and in pledges.csv."""
    everything, stage = run.everything, run.read.stage
    if stage == "all":
        return everything
    status = everything["status"].astype("string").str.strip().str.lower().eq(stage)
    at = status.fillna(False).astype(bool).to_numpy()
    normalised = everything.loc[at]
    if normalised.empty:
        raise ReportError(f"no {stage} row of {run.read.cli_name} could be converted to "
                          f"{run.opts.to}", option="stage")
    if (~at).any():
        run.chart_notes.mark(everything.index[~at], f"not in the {stage} totals (status "
                             f"{'/'.join(unique(everything.loc[~at], 'status'))}): pipeline "
                             "chart only")
        run.chart_notes.add([c for c in CHARTS if c != "pipeline"],
                            _entry_text(run, Entry("stage", everything.loc[~at])))
    return normalised


def _entry_text(run: _Prepared, entry: Entry) -> str:
    return entry_text(entry, run.opts.value, run.unit, run.label, run.theme.locale)


def _dated(run: _Prepared) -> pd.DataFrame:
    """The rows with a date; the timeline says how many it leaves out."""
    normalised = run.normalised
    dated_mask = pd.to_datetime(normalised["announced"], errors="coerce").notna().to_numpy()
    if (~dated_mask).any():
        run.chart_notes.mark(normalised.index[~dated_mask],
                             "timeline: no date to place it in time")
        run.chart_notes.add(["timeline"], _entry_text(
            run, Entry("undated_timeline", normalised.loc[~dated_mask])))
    return normalised.loc[dated_mask]


def _shares(run: _Prepared) -> str:
    """Each row's share of its donor's GDP; rows without GDP are said in that chart's
    footnote, and a chart without any is not drawn. Returns the method note."""
    label, normalised = run.label, run.normalised
    try:
        share_all, run.share_note, _year = _values.share_rows(normalised, run.opts.base_year, label)
    except AidcalcError as err:
        run.not_drawn["share_of_gdp"] = label("not_drawn_error", error=err)
        return label("note_share_failed", error=err)
    ok = share_all["pct_of_gdp"].notna().to_numpy()
    if (~ok).any():
        run.chart_notes.mark(normalised.index[~ok], "share_of_gdp: " + share_all.loc[
            ~ok, "error"].fillna("no GDP for the donor").astype(str))
        run.chart_notes.add(["share_of_gdp"], _entry_text(run, Entry("no_gdp",
                                                                     normalised.loc[~ok])))
    if ok.any():
        run.shared = share_all.loc[ok].drop(columns="error")
        return run.share_note
    run.not_drawn["share_of_gdp"] = label(
        "not_drawn_no_rows", what=run.chart_notes.texts["share_of_gdp"][-1])
    return ""


# --- draw: each chart with its footnote ---------------------------------------------------------


def _draw(
    run: _Prepared, report: Report, *, progress: bool | Callable[[str], None] | None,
    say: Callable[[str], None],
) -> list[str]:
    """Draw and save each chart that can be drawn (PNG and SVG); the charts drawn, in order."""
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _footnotes(run, report)
    if run.read.embedded:
        from ._coverage import coverage_html  # how complete each donor's rows are

        report.coverage = coverage_html(run.theme.locale)
    figures = _figures(run, _drawers(run, report.footnotes), progress, say)
    not_drawn = run.not_drawn
    for name, why in not_drawn.items():
        warnings.warn(
            f"the {name} chart is not drawn: {why}" if run.theme.lang == "en" else
            f"the {name} chart is not drawn ({why})", ChartNotDrawnWarning, stacklevel=3)
    if not figures:
        raise ReportError(
            "no chart could be drawn: " + "; ".join(f"{k}: {v}" for k, v in not_drawn.items()),
            not_drawn=not_drawn,
        )
    report.not_drawn = not_drawn
    report.left_out = run.ledger.frame()
    report.left_out_note = run.left_note
    report.chart_left_out = {c: v for c, v in run.chart_notes.texts.items() if v}
    charts = [c for c in CHARTS if c in figures]
    for name in charts:
        _save(figures[name], run.output, name)
        plt.close(figures[name])
    return charts


def _footnotes(run: _Prepared, report: Report) -> None:
    """Each chart's footnote (what the totals and that chart leave out), and the common one."""
    opts, left = run.opts, run.ledger.texts()

    def foot(frame: pd.DataFrame, stage: str, left_out: list[str]) -> str:
        return footnote(frame, run.theme, source=run.read.source, prices=opts.prices,
                        fx=opts.fx, to=opts.to, price_base=run.unit.code, stage=stage,
                        left_out=left_out)

    stage = run.read.stage
    report.footnotes = {
        c: foot(run.everything if c == "pipeline" else run.normalised,
                "all" if c == "pipeline" else stage, [*left, *run.chart_notes.texts[c]])
        for c in CHARTS
    }
    if run.shared is not None:
        report.footnotes["share_of_gdp"] = (
            f"{report.footnotes['share_of_gdp']} {run.share_note}".strip())
    report.footnote = foot(run.normalised, stage, left)


def _drawers(run: _Prepared, footnotes: dict[str, str]) -> dict[str, Callable[[], Any]]:
    """How each chart is drawn (``aidcalc.plot``), on the rows it shows."""
    from .. import plot

    common = {"value": run.opts.value, "locale": run.theme.locale, "unit": run.unit.code}
    dated = run.dated
    events = _event_labels(dated, "announced", run.theme.lang) if not dated.empty else None
    normalised = run.normalised
    return {
        "donors": lambda: plot.donors(normalised, **common, footnote=footnotes["donors"],
                                      highlight=None),
        "share_of_gdp": lambda: plot.share_of_gdp(
            cast(pd.DataFrame, run.shared), **common, footnote=footnotes["share_of_gdp"]),
        "timeline": lambda: plot.timeline(dated, **common, footnote=footnotes["timeline"],
                                          events=events),
        "pipeline": lambda: plot.pipeline(run.everything, **common,
                                          footnote=footnotes["pipeline"],
                                          cumulative=run.read.cumulative),
        "categories": lambda: plot.categories(normalised, **common,
                                              footnote=footnotes["categories"])[0],
    }


def _figures(
    run: _Prepared, drawers: dict[str, Callable[[], Any]],
    progress: bool | Callable[[str], None] | None, say: Callable[[str], None],
) -> dict[str, Any]:
    """The figure of each chart that can be drawn (a failure is said as not drawn)."""
    from .._base._progress import progress_bar

    figures: dict[str, Any] = {}
    bar = progress_bar(
        total=sum(1 for c in CHARTS if c not in run.not_drawn),
        desc="aidcalc report: charts",
        unit="chart",
        progress=False if callable(progress) else progress,
    )
    try:
        for name in CHARTS:
            if name in run.not_drawn:
                continue
            say(f"drawing {name}")
            try:
                figures[name] = drawers[name]().figure
            except AidcalcError as err:
                run.not_drawn[name] = run.label("not_drawn_error", error=err)
            bar.update(1)
    finally:
        bar.close()
    return figures


def _save(fig: Any, out: Output, name: str) -> None:
    """PNG and SVG of ``fig``: the layout is computed once, then both files are drawn."""
    fig.set_facecolor("white")
    fig.set_dpi(PNG_DPI)  # text extents depend (slightly) on the dpi: measure at the PNG's
    fig.draw_without_rendering()  # constrained layout runs here, once, without rasterising
    bbox = fig.get_tightbbox().padded(0.12)
    fig.set_layout_engine("none")
    for ext, opts in (("png", {"dpi": PNG_DPI}), ("svg", {})):
        out.write(f"{name}.{ext}", partial(_savefig, fig, bbox, ext, opts))


def _savefig(fig: Any, bbox: Any, ext: str, opts: dict[str, Any], path: Path) -> None:
    fig.savefig(path, bbox_inches=bbox, format=ext, **opts)


@cache
def _events() -> pd.DataFrame:
    frame = pd.read_csv(_HERE / "_report_events.csv", dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _event_labels(frame: pd.DataFrame, date: str, lang: str) -> pd.DataFrame | None:
    """Conferences and summits on the recipient's aid calendar inside the data's date range."""
    events = _events()
    recipients = set(frame["recipient"].dropna().astype(str)) if "recipient" in frame else set()
    events = events[events["recipient"].isin(recipients)]
    when = pd.to_datetime(frame[date])
    events = events[(events["date"] >= when.min()) & (events["date"] <= when.max())]
    if events.empty:
        return None
    column = lang if lang in events.columns else "en"
    return pd.DataFrame({"date": events["date"], "label": events[column].where(
        events[column] != "", events["en"])})


# --- write the tables and the page ---------------------------------------------------------------


def _write_tables(run: _Prepared, report: Report, *, say: Callable[[str], None]) -> None:
    """The tables behind the charts, the left-out rows (rejected.csv) and every row in the
    totals with the charts that leave it out (pledges.csv)."""
    say("writing tables")
    report.tables = chart_tables(
        run.normalised, run.opts.value, run.shared, run.theme.locale, stages=run.everything,
        cumulative=run.read.cumulative, dated=run.dated,
    )
    report.tables["rejected"] = report.left_out
    report.tables["pledges"] = run.everything.assign(left_out_of=run.chart_notes.column())
    write_tables(report.tables, run.output)


def _write_page(
    run: _Prepared, report: Report, charts: list[str], *, say: Callable[[str], None]
) -> None:
    """``index.html``, then the manifest (files of an earlier report not written are removed)."""
    say("writing index.html")
    page = page_html(report, charts, run.everything, run.theme, source=run.read.source,
                     cumulative=run.read.cumulative, files={p.name for p in run.output.files})
    run.output.write("index.html", lambda p: p.write_text(page, encoding="utf-8"))
    report.removed = run.output.finish()
    report.files = list(run.output.files)
