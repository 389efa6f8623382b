"""The G7 comparison report: every chart as PNG and SVG, the tables behind them, one HTML page.

``aidcalc report`` (see :mod:`aidcalc._cli`) is a thin wrapper around :func:`build_report`.
"""

from __future__ import annotations

import base64
import html
import importlib.util
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd

from ._errors import AidcalcError, InputFileError, ValidationError, join_values
from ._groups import apply_merges
from ._locale import LocaleLike

__all__ = ["CHARTS", "STAGES", "Report", "build_report", "default_stage"]

#: the charts of the report, in the order of the page
CHARTS = ("donors", "share_of_gdp", "timeline", "pipeline", "categories")
DATASET = "g7_ukraine_pledges"
PNG_DPI = 200
_PRICES = ("dac", "cpi", "none")
_FX = ("spot", "month", "year", "dac")
#: ``stage=`` values: one lifecycle stage, or ``"all"`` (every row summed)
STAGES = ("pledged", "committed", "allocated", "disbursed", "all")
_HERE = Path(__file__).resolve().parent
_PUBLISHED_RE = re.compile(r"^(.*?)\s*published by (\d{4}-\d{2}-\d{2})$")
_WEO_RE = re.compile(r"IMF WEO \w+ \d{4}")


def _weo_editions(deflators: list[str]) -> list[str]:
    """The IMF WEO editions that extended deflators beyond the last published year."""
    return sorted({m.group(0) for d in deflators for m in _WEO_RE.finditer(d)})


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

    @property
    def index(self) -> Path:
        return self.out / "index.html"


class ReportError(AidcalcError, ValueError):
    """The report cannot be made from these options or this input."""


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


#: readers whose stages are measures of the same money: the stages compared by default, in order
#: of preference (the first one present in the data is used)
_MEASURE_DEFAULTS = {
    "kiel": ("allocated", "committed"),  # Kiel's headline measure is allocations
    "iati": ("committed", "disbursed", "pledged"),  # IATI transactions: commitments first
}


def default_stage(frame: pd.DataFrame) -> str:
    """The stage the report sums when ``stage=None``: never two measures of the same money.

    The Kiel Ukraine Support Tracker gives each aid activity as two measures of the same money,
    ``Commitment`` and ``Allocation`` (read by :func:`aidcalc.io.read_kiel` into ``status``
    ``committed`` / ``allocated``, with Kiel's ``measure`` column kept): summing both rows would
    count the money twice, so the default is ``"allocated"``, Kiel's headline measure. IATI
    transactions are measures of one activity's money too (a commitment, then the
    disbursements that pay it out; incoming funds and repayments are no stage at all), so the
    default there is ``"committed"`` (or the first of disbursed, pledged present). A source is
    recognised by ``frame.attrs["format"]`` (set by the readers) or by Kiel's ``measure`` /
    IATI's ``transaction_type`` column. In a pledge frame such as the embedded
    ``g7_ukraine_pledges`` every row is distinct money (statuses of different announcements),
    so every row is summed (``"all"``).

    Examples
    --------
    >>> import pandas as pd
    >>> kiel = pd.DataFrame({"measure": ["Commitment", "Allocation"],
    ...                      "status": ["committed", "allocated"]})
    >>> default_stage(kiel)
    'allocated'
    >>> iati = pd.DataFrame({"transaction_type": ["2", "3", "1"],
    ...                      "status": ["committed", "disbursed", None]})
    >>> default_stage(iati), default_stage(iati[iati["status"] != "committed"])
    ('committed', 'disbursed')
    >>> default_stage(pd.DataFrame({"status": ["pledged", "committed"]}))
    'all'
    """
    source = _measure_source(frame)
    if source is None:
        return "all"
    present = set(frame["status"].dropna()) if "status" in frame else set()
    preferred = _MEASURE_DEFAULTS[source]
    return next((s for s in preferred if s in present), preferred[0])


def _measure_source(frame: pd.DataFrame) -> str | None:
    """Which reader's measures the stages are ("kiel", "iati"), or None for steps of a pledge."""
    fmt = str(frame.attrs.get("format", "")).lower()
    if fmt.startswith("kiel") or "measure" in frame:
        return "kiel"
    if fmt.startswith("iati") or "transaction_type" in frame:
        return "iati"
    return None


def _stages_are_measures(frame: pd.DataFrame) -> bool:
    """True when the stages are measures of the same money (Kiel, IATI), not steps."""
    return _measure_source(frame) is not None


def _at_stage(
    frame: pd.DataFrame, stage: str, input_name: str, notes: list[str], label: Label
) -> pd.DataFrame:
    """The rows at ``stage`` (all rows for ``"all"``), with the rule stated in ``notes``."""
    if stage == "all":
        notes.append(label("note_stage_all"))
        return frame
    if "status" not in frame.columns:
        raise ReportError(
            f"--stage {stage}: {input_name} has no status column; use --stage all to sum every "
            "row",
            option="stage",
        )
    status = frame["status"].astype("string").str.strip().str.lower()
    keep = status.eq(stage).fillna(False).astype(bool).to_numpy()
    if not keep.any():
        present = sorted(status.dropna().unique().tolist())
        raise ReportError(
            f"--stage {stage}: {input_name} has no {stage} rows (its stages: "
            f"{', '.join(present) if present else 'none'}); choose one of "
            f"{', '.join(STAGES)}",
            option="stage",
        )
    notes.append(
        label("note_stage").format(
            stage=label(stage), kept=int(keep.sum()), other=int((~keep).sum())
        )
    )
    return frame.loc[keep]


def _check_options(to: str, base_year: int, prices: str, fx: str) -> str:
    code = str(to).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ReportError(
            f"--to {to!r} is not a currency code: use an ISO 4217 code such as EUR, USD or JPY",
            option="to",
        )
    from babel.numbers import list_currencies

    if code not in list_currencies():
        raise ReportError(
            f"--to {to!r}: unknown currency; use an ISO 4217 code such as EUR, USD or JPY",
            option="to",
        )
    if prices not in _PRICES:
        raise ReportError(
            f"--prices {prices!r} is not one of {', '.join(_PRICES)}", option="prices"
        )
    if fx not in _FX:
        raise ReportError(f"--fx {fx!r} is not one of {', '.join(_FX)}", option="fx")
    if not 1960 <= int(base_year) <= 2100:
        raise ReportError(f"--base-year {base_year} is not a plausible year", option="base_year")
    return code


def _read_input(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    source = Path(path)
    if not source.exists():
        raise InputFileError(f"{source}: no such file", path=str(source), reason="missing")
    if source.is_dir():
        raise InputFileError(f"{source} is a folder, not a file", path=str(source))
    from .io import read_any

    result = read_any(source)
    frame = getattr(result, "frame", result)
    rejected = getattr(result, "rejected", None)
    if not isinstance(frame, pd.DataFrame):  # pragma: no cover - depends on aidcalc.io
        raise InputFileError(f"{source}: could not be read as a table", path=str(source))
    return frame, rejected if isinstance(rejected, pd.DataFrame) and len(rejected) else None


def _pledges_only(frame: pd.DataFrame, notes: list[str], label: Label) -> pd.DataFrame:
    """Keep rows that may be summed: individual pledges, not totals or restatements."""
    if "kind" not in frame.columns:
        return frame
    kinds = frame["kind"].astype("string").str.strip().str.lower()
    keep = kinds.eq("pledge").fillna(False).astype(bool)
    left_out = kinds[~keep].value_counts()
    if len(left_out):
        what = label("list_sep").join(
            label("kind_count").format(kind=label(f"kind_{k}"), n=n) for k, n in left_out.items()
        )
        notes.append(
            label("note_pledges_only").format(
                kept=int(keep.sum()), other=int((~keep).sum()), what=what
            )
        )
    return frame.loc[keep]


def _require(frame: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"{where} has no column {join_values(missing)} (it has "
            f"{join_values(list(frame.columns))}); the report needs donor, amount, currency "
            f"and announced",
            problems=pd.DataFrame({"column": missing}),
        )


def _unique(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    return sorted(frame[column].dropna().astype(str).unique().tolist())


def _normalise(
    frame: pd.DataFrame,
    to: str,
    base_year: int,
    prices: str,
    fx: str,
    notes: list[str],
    label: Label,
) -> tuple[pd.DataFrame, str, pd.DataFrame | None]:
    """Normalised rows, the value column, and the rows that could not be normalised (with
    their reason in ``reason``), which the report lists instead of failing on real-world
    files with a few undated or unconvertible rows."""
    from ._prices import normalise

    price_arg = None if prices == "none" else prices
    out = f"amount_{to}_{base_year}" if price_arg else f"amount_{to}"
    result = normalise(
        frame,
        to=to,
        base_year=base_year,
        date="announced",
        fx=cast(Literal["spot", "month", "year", "dac"], fx),  # checked by _check_options
        prices=price_arg,  # type: ignore[arg-type]
        extend="weo" if price_arg else None,  # IMF WEO after the last published year
        out=out,
        errors="coerce",
    )
    failed = result[out].isna().to_numpy()
    left_out = None
    if failed.all():
        reason = result["error"].dropna().astype(str).iloc[0] if "error" in result else "?"
        raise ReportError(f"no row could be converted to {to}: {reason}", reason=reason)
    if failed.any():
        reasons = result.loc[failed, "error"] if "error" in result else "could not be converted"
        left_out = frame.loc[failed].assign(reason=reasons)
        result = result.loc[~failed]
    if "error" in result.columns:
        result = result.drop(columns="error")
    notes.append(
        label("note_fx").format(
            to=to, rate=label(f"rate_{fx}"), sources=_fx_sources(result, label.locale)
        )
    )
    if price_arg:
        deflators = _unique(result, "deflator_source")
        extended = [d for d in deflators if "extend='last'" in d]
        notes.append(
            label("note_constant").format(year=base_year, method=_method(prices, label))
        )
        if extended:
            notes.append(label("note_extended"))
        if editions := _weo_editions(deflators):
            notes.append(label("note_weo").format(edition=", ".join(editions)))
    else:
        notes.append(label("note_current").format(to=to))
    return result, out, left_out


def _share(
    frame: pd.DataFrame, base_year: int, notes: list[str], label: Label
) -> tuple[pd.DataFrame, str]:
    """Each pledge as a percent of its donor's GDP in ``base_year`` (or the latest year before
    it that the GDP table covers), amounts as announced, GDP converted at that year's rate."""
    from ._errors import DataCoverageError
    from ._relative import share_of_gdp

    error: DataCoverageError | None = None
    for year in range(base_year, base_year - 4, -1):
        try:
            result = share_of_gdp(
                frame, value="amount", currency="currency", gdp_year=year, out="pct_of_gdp"
            )
        except DataCoverageError as err:
            error = err
            continue
        note = label("note_share").format(year=year)
        notes.append(note)
        return result, note
    assert error is not None
    raise error


class Label:
    """Label lookup in one locale (``label("note_fx")``), see ``aidcalc/plot/labels.csv``."""

    def __init__(self, locale: Any) -> None:
        self.locale = locale

    def __call__(self, key: str) -> str:
        from .plot._style import get_label

        return get_label(key, self.locale)


def _fx_sources(frame: pd.DataFrame, locale: Any) -> str:
    from .plot._style import localise_source

    sources = [f for f in _unique(frame, "fx_source") if not f.lower().startswith("identity")]
    return "; ".join(localise_source(f, locale) for f in sources) or localise_source(
        "ECB euro reference rates", locale
    )


def _vintage(vintage: str, label: Label) -> str:
    """``"DAC1 published by 2024-12-02"`` in the report's language."""
    if m := _PUBLISHED_RE.match(vintage):
        return label("vintage_published").format(table=m.group(1), date=m.group(2))
    return vintage


def _method(prices: str, label: Label) -> str:
    """The deflators used, with their vintage, in the report's language."""
    from ._datasets import dataset_info

    if prices == "dac":
        return label("foot_dac").format(
            vintage=_vintage(str(dataset_info("dac_deflators").vintage), label)
        )
    return label("foot_cpi")


def _footnote(
    frame: pd.DataFrame,
    theme: Any,
    *,
    source: str | None,
    prices: str,
    fx: str,
    price_base: str,
    stage: str = "all",
) -> str:
    """The report's footnote: source, price base with deflator vintage, exchange rates."""
    from .plot._style import Unit, join_sentences

    label = Label(theme.locale)
    lang_sep = label("list_sep")
    parts = []

    def item(key: str, text: str) -> None:
        parts.append(label("foot_item").format(label=label(key), text=text))

    if source:
        item("source", source.rstrip("."))
    prices_text = Unit.parse(price_base).prices(theme.locale) if price_base else ""
    if prices in ("dac", "cpi"):
        prices_text += label("list_sep") + _method(prices, label)
    deflators = _unique(frame, "deflator_source")
    if any("extend='last'" in d or "carried forward" in d.lower() for d in deflators):
        prices_text += ("; " if lang_sep == ", " else lang_sep) + label("foot_extended")
    if editions := _weo_editions(deflators):
        prices_text += ("; " if lang_sep == ", " else lang_sep) + label("foot_weo").format(
            edition=", ".join(editions)
        )
    item("prices", prices_text)
    item("rates", _fx_sources(frame, theme.locale) + lang_sep + label(f"rate_{fx}"))
    if stage != "all":
        item("stage", label("foot_stage").format(stage=label(stage)))
    return join_sentences(parts)


def _save(fig: Any, out: Path, name: str, files: list[Path]) -> None:
    """PNG and SVG of ``fig``: the layout is computed once, then both files are drawn."""
    fig.set_facecolor("white")
    fig.set_dpi(PNG_DPI)  # text extents depend (slightly) on the dpi: measure at the PNG's
    fig.draw_without_rendering()  # constrained layout runs here, once, without rasterising
    bbox = fig.get_tightbbox().padded(0.12)
    fig.set_layout_engine("none")
    for ext, opts in (("png", {"dpi": PNG_DPI}), ("svg", {})):
        path = out / f"{name}.{ext}"
        fig.savefig(path, bbox_inches=bbox, **opts)
        files.append(path)


def _tables(
    frame: pd.DataFrame,
    value: str,
    share: pd.DataFrame | None,
    locale: Any,
    *,
    stages: pd.DataFrame | None = None,
    cumulative: bool = True,
) -> dict[str, pd.DataFrame]:
    from .plot import stage_totals
    from .plot._style import STATUS_ORDER, donor_label, get_label

    def names(codes: pd.Series) -> pd.Series:
        return codes.map(lambda c: donor_label(c, locale))

    by_cat = frame.groupby(["donor", "category"], observed=True)[value].sum().reset_index()
    by_cat.insert(1, "donor_name", names(by_cat["donor"]))
    by_cat.insert(3, "category_name", by_cat["category"].map(lambda c: get_label(c, locale)))
    totals = by_cat.groupby("donor")[value].transform("sum")
    by_cat = by_cat.assign(_t=totals).sort_values(["_t", "donor", value], ascending=False)
    by_cat = by_cat.drop(columns="_t").reset_index(drop=True)

    daily = frame.groupby(["donor", "announced"], observed=True)[value].sum().reset_index()
    daily = daily.sort_values(["donor", "announced"], kind="stable").reset_index(drop=True)
    daily["cumulative"] = daily.groupby("donor")[value].cumsum()
    daily.insert(1, "donor_name", names(daily["donor"]))

    stages = stage_totals(
        frame if stages is None else stages, value=value, cumulative=cumulative
    ).reset_index()
    stages.insert(1, "donor_name", names(stages["donor"]))
    largest = stages[list(STATUS_ORDER)].max(axis=1)  # = pledged when cumulative
    stages = stages.assign(_m=largest).sort_values("_m", ascending=False, kind="stable")
    stages = stages.drop(columns="_m").reset_index(drop=True)

    tables = {"donors_by_category": by_cat}
    if share is not None:
        shares = share.groupby("donor", observed=True)[[value, "pct_of_gdp"]].sum()
        shares["rank_by_amount"] = shares[value].rank(ascending=False, method="min").astype(int)
        shares["rank_by_share"] = shares["pct_of_gdp"].rank(ascending=False, method="min").astype(
            int
        )
        shares = shares.sort_values("pct_of_gdp", ascending=False).reset_index()
        shares.insert(1, "donor_name", names(shares["donor"]))
        tables["share_of_gdp"] = shares
    tables["timeline"] = daily
    tables["pipeline"] = stages
    return tables


def build_report(
    data: pd.DataFrame | str | Path | None = None,
    *,
    out: str | Path = "aidcalc-report",
    to: str = "EUR",
    base_year: int = 2024,
    prices: str = "dac",
    fx: str = "spot",
    locale: LocaleLike = "en",
    group: str | None = "G7",
    stage: str | None = None,
    source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Write the G7 comparison report (charts, tables, ``index.html``) into ``out``.

    Parameters
    ----------
    data
        A pledge frame, a path to a file :func:`aidcalc.io.read_any` can read, or None for the
        embedded ``g7_ukraine_pledges`` dataset.
    out
        Output folder (created if needed; files of the same name are replaced).
    to, base_year, prices, fx
        The common unit: currency, price year, ``"dac"``/``"cpi"`` deflators or ``"none"``
        (current prices), and which exchange rate (``"spot"``: the day's ECB rate). Deflator
        tables that end before a pledge's year are carried forward from their last year, and
        the page says so.
    locale
        Language of charts and tables (``"en"``, ``"de"``, ``"fr"``, ``"it"``, ``"ja"``,
        ``"uk"``).
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
        Called with a short message at each step (the CLI shows them on a terminal).

    Returns
    -------
    Report

    Examples
    --------
    >>> import tempfile
    >>> report = build_report(out=tempfile.mkdtemp())  # doctest: +SKIP
    >>> sorted(p.name for p in report.files)[:3]  # doctest: +SKIP
    ['categories.png', 'categories.svg', 'donors.png']
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plot
    from ._datasets import dataset_info, load_dataset
    from ._export import write_csv, write_xlsx
    from .plot._common import keep_members
    from .plot._style import Theme, get_label, make_theme

    say = progress or (lambda _msg: None)
    to = _check_options(to, base_year, prices, fx)
    if stage is not None and str(stage).strip().lower() not in STAGES:
        raise ReportError(
            f"--stage {stage!r} is not one of {', '.join(STAGES)}", option="stage"
        )
    theme: Theme = make_theme(locale)
    lang = theme.lang
    label = Label(theme.locale)
    notes: list[str] = []

    say("reading the data")
    rejected: pd.DataFrame | None = None
    if data is None:
        info = dataset_info(DATASET)
        frame = load_dataset(DATASET)
        title = label(f"dataset_{DATASET}") if lang != "en" else info.title
        source = source or label("source_vintage").format(title=title, vintage=info.vintage)
        input_name = label("input_embedded").format(name=DATASET)
    elif isinstance(data, pd.DataFrame):
        frame = data
        input_name = label("input_frame")
    else:
        frame, rejected = _read_input(data)
        input_name = str(data)
        source = source or Path(data).name
        if rejected is not None:
            message = (
                f"{len(rejected)} row{'s' if len(rejected) != 1 else ''} of {input_name} could "
                f"not be read and {'are' if len(rejected) != 1 else 'is'} not in the "
                f"report (each with its reason in rejected.csv)"
            )
            warnings.warn(message, stacklevel=2)
            notes.append(label("note_rejected_read").format(input=input_name, n=len(rejected)))
    _require(frame, ["donor", "amount", "currency", "announced"], input_name)
    stage = default_stage(frame) if stage is None else str(stage).strip().lower()
    cumulative = not _stages_are_measures(frame)  # Kiel: each measure on its own
    notes.append(label("note_input").format(input=input_name, n=len(frame)))
    frame = _pledges_only(frame, notes, label)
    if _measure_source(frame) == "kiel" and frame["donor"].eq("EIB").any():
        # Kiel's country summary counts the EIB under the EU institutions (datasets/donor_merges)
        frame = frame.assign(donor=apply_merges(frame["donor"], "kiel"))
        notes.append(label("note_merge_kiel"))
    if group and str(group).lower() != "all":
        members = list(plot._style.resolve_members(group) or [])
        if "EUI" not in members and "EUU" not in members:
            members += ["EUI", "EUU"]
        frame = keep_members(frame, "donor", members)
        notes.append(label("note_group").format(group=group))
    if frame.empty:
        raise ReportError(f"{input_name} has no pledges to report", input=input_name)
    _at_stage(frame, stage, input_name, notes, label)  # checked before converting

    say(f"converting to {to}" + (f" at {base_year} prices" if prices != "none" else ""))
    normalised, value, left_out = _normalise(frame, to, base_year, prices, fx, notes, label)
    if left_out is not None:
        n = len(left_out)
        message = (
            f"{n} row{'s' if n != 1 else ''} could not be converted to {to} and "
            f"{'are' if n != 1 else 'is'} not in the report (each with its reason in "
            f"rejected.csv), e.g. {left_out['reason'].astype(str).iloc[0]}"
        )
        warnings.warn(message, stacklevel=2)
        notes.append(label("note_rejected_convert").format(to=to, n=n))
        rejected = left_out if rejected is None else pd.concat([rejected, left_out])
    everything = normalised  # every stage: the pipeline chart and table
    if "status" in everything.columns:
        stages = everything["status"].astype("string").str.strip().str.lower()
        nonzero = everything[value].abs().gt(0).groupby(stages.to_numpy()).any()
        for empty in nonzero.index[~nonzero.to_numpy()]:
            hint = "choose another --stage" if empty == stage else "the pipeline shows 0 there"
            warnings.warn(
                f"the {empty} rows of {input_name} sum to 0 {to}: the file carries no amounts "
                f"at that stage (the processed Kiel CSV keeps commitments at 0 EUR); {hint}",
                stacklevel=2,
            )
    if stage != "all":
        at = normalised["status"].astype("string").str.strip().str.lower().eq(stage)
        normalised = normalised.loc[at.fillna(False).astype(bool).to_numpy()]
        if normalised.empty:
            raise ReportError(
                f"no {stage} row of {input_name} could be converted to {to}", option="stage"
            )
    price_base = _unique(normalised, "price_base")
    from .plot._style import Unit

    bases = "; ".join(Unit.parse(b).describe(theme.locale) for b in price_base)
    notes.append(label("note_price_base").format(unit=bases))
    say("computing shares of GDP")
    shared: pd.DataFrame | None = None
    share_note = ""
    try:
        shared, share_note = _share(normalised, base_year, notes, label)
    except AidcalcError as err:
        notes.append(label("note_share_failed").format(error=err))

    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    report = Report(
        out=outdir, value=value, price_base="; ".join(price_base), notes=notes, stage=stage
    )
    foot = _footnote(normalised, theme, source=source, prices=prices, fx=fx,
                     price_base=report.price_base, stage=stage)
    pipe_foot = foot if stage == "all" else _footnote(
        everything, theme, source=source, prices=prices, fx=fx, price_base=report.price_base
    )
    report.footnote = foot
    if data is None:  # the embedded dataset: say how complete each donor's rows are
        from ._coverage import coverage_html

        report.coverage = coverage_html(theme.locale)
    common = {"value": value, "locale": theme.locale, "footnote": foot}
    events = _event_labels(normalised, "announced", lang)
    drawers: dict[str, Callable[[], Any]] = {
        "donors": lambda: plot.donors(normalised, **common, highlight=None),
        "share_of_gdp": lambda: plot.share_of_gdp(
            cast(pd.DataFrame, shared),  # only drawn when `shared` is not None (see charts)
            **{**common, "footnote": f"{foot} {share_note}".strip()}
        ),
        # undated rows (a row needs a date only for a rate or a deflator) cannot be placed on
        # a time axis: the chart leaves them out and its footnote says how many and how much
        "timeline": lambda: plot.timeline(normalised, **common, events=events, missing="drop"),
        "pipeline": lambda: plot.pipeline(
            everything, **{**common, "footnote": pipe_foot}, cumulative=cumulative
        ),
        "categories": lambda: plot.categories(normalised, **common)[0],
    }
    charts = [c for c in CHARTS if c != "share_of_gdp" or shared is not None]
    for name in charts:
        say(f"drawing {name}")
        ax = drawers[name]()
        _save(ax.figure, outdir, name, report.files)
        plt.close(ax.figure)

    say("writing tables")
    report.tables = _tables(
        normalised, value, shared, theme.locale, stages=everything, cumulative=cumulative
    )
    if rejected is not None:
        report.tables["rejected"] = rejected
    report.tables["pledges"] = everything
    xlsx = importlib.util.find_spec("openpyxl") is not None
    for name, table in report.tables.items():
        report.files.append(write_csv(table, outdir / f"{name}.csv"))
        if xlsx:
            report.files.append(write_xlsx(_for_excel(table), outdir / f"{name}.xlsx", sheet=name))

    say("writing index.html")
    page = _html(report, charts, everything, theme, source=source, label=get_label,
                 cumulative=cumulative)
    index = outdir / "index.html"
    index.write_text(page, encoding="utf-8")
    report.files.append(index)
    return report


def _for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store time zones or categoricals of mixed objects: plain columns."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
    return out


# --- the HTML page -------------------------------------------------------------------------------

_CSS = """
body{font-family:"DejaVu Sans","Noto Sans","Noto Sans CJK JP",sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc}
figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
table{border-collapse:collapse;font-size:.85rem;margin:.8rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem}td.num{text-align:right}
th{background:#f3f3f3}.note{color:#555;font-size:.9rem}
"""


def _sentence(text: str, loc: Any) -> str:
    """``text`` ended with the language's full stop."""
    return text + ("。" if loc.language in ("ja", "zh") else ".")


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: Any, text: Any) -> str:
    href = str(url or "")
    if href.startswith(("https://", "http://")):
        return f'<a href="{_esc(href)}">{_esc(text or href)}</a>'
    return _esc(text or href)


def _column_title(column: str, value: str, unit_text: str, loc: Any) -> str:
    """A column's heading in the page's language (the CSV keeps the identifier)."""
    from .plot._style import STATUS_ORDER, _labels, get_label

    if column == value and unit_text:
        return unit_text
    if column in STATUS_ORDER:
        return get_label(column, loc)
    if f"col_{column}" in _labels():
        return get_label(f"col_{column}", loc)
    return column


def _table_html(
    frame: pd.DataFrame,
    fmt: Callable[[float], str],
    value: str,
    *,
    loc: Any = None,
    unit_text: str = "",
) -> str:
    rows = []
    head = "".join(
        f'<th title="{_esc(c)}">{_esc(_column_title(str(c), value, unit_text, loc))}</th>'
        if loc is not None else f"<th>{_esc(c)}</th>"
        for c in frame.columns
    )
    money = {value, "cumulative", "pledged", "committed", "allocated", "disbursed"}
    for record in frame.itertuples(index=False):
        cells = []
        for col, cell in zip(frame.columns, record, strict=True):
            if col in money and isinstance(cell, (int, float)):
                cells.append(f'<td class="num">{_esc(fmt(float(cell)))}</td>')
            elif isinstance(cell, float):
                cells.append(f'<td class="num">{cell:.4g}</td>')
            elif isinstance(cell, pd.Timestamp):
                cells.append(f"<td>{cell.date().isoformat()}</td>")
            else:
                cells.append(f"<td>{_esc(cell)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _html(
    report: Report,
    charts: Sequence[str],
    frame: pd.DataFrame,
    theme: Any,
    *,
    source: str | None,
    label: Callable[[str, Any], str],
    cumulative: bool = True,
) -> str:
    from ._datasets import datasets
    from .plot._style import STATUS_ORDER, Unit, amount_formatter, join_sentences

    loc = theme.locale
    unit = Unit.parse(report.price_base) if report.price_base else None
    fmt = amount_formatter(unit, loc) if unit else (lambda x: f"{x:,.0f}")
    unit_text = unit.describe(loc) if unit else ""
    intro = _sentence(unit_text, loc) if unit else ""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_esc(loc.language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(label('report_title', loc))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(label('report_title', loc))}</h1>",
        f'<p class="note">{_esc(join_sentences([intro, source or ""]))}</p>',
        f"<h2>{_esc(label('charts', loc))}</h2>",
    ]
    for name in charts:
        png = report.out / f"{name}.png"
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        title = label(f"title_{name}", loc)
        parts.append(
            f'<figure id="{name}"><img src="data:image/png;base64,{data}" alt="{_esc(title)}"'
            f' data-file="{name}.png"><figcaption>{_esc(title)}: '
            f'<a href="{name}.png">PNG</a> · <a href="{name}.svg">SVG</a></figcaption></figure>'
        )
    parts.append(f"<h2>{_esc(label('tables', loc))}</h2>")
    for name, table in report.tables.items():
        links = f'<a href="{name}.csv">CSV</a>'
        if (report.out / f"{name}.xlsx").exists():
            links += f' · <a href="{name}.xlsx">XLSX</a>'
        parts.append(f"<h3>{_esc(label(f'table_{name}', loc))} ({links})</h3>")
        if name == "pledges":
            cols = [c for c in ("pledge_id", "donor", "announced", "amount_text", "category",
                                "status", report.value, "fx_rate", "deflator") if c in table]
            shown = table[cols].copy()
            for col in ("category", "status"):  # codes shown in words (the CSV keeps codes)
                if col in shown:
                    shown[col] = shown[col].map(lambda c: label(str(c), loc) if pd.notna(c) else c)
            parts.append(_table_html(shown, fmt, report.value, loc=loc, unit_text=unit_text))
        else:
            parts.append(_table_html(table, fmt, report.value, loc=loc, unit_text=unit_text))
    parts.append(f"<h2>{_esc(label('method', loc))}</h2><ul>")
    parts.extend(f"<li>{_esc(n)}</li>" for n in report.notes)
    sep = " < " if cumulative else label("list_sep", loc)  # measures have no order
    stages = sep.join(label(s, loc) for s in STATUS_ORDER)
    key = "note_pipeline_stages" if cumulative else "note_pipeline_measures"
    parts.append(f"<li>{_esc(label(key, loc).format(stages=stages))}</li></ul>")
    parts.append(report.coverage)  # empty unless the input is the embedded dataset
    listing = datasets()
    head = "".join(
        f"<th>{_esc(label(f'col_{c}', loc))}</th>"
        for c in ("dataset", "publisher", "vintage", "licence")
    )
    parts.append(f"<h3>{_esc(label('datasets_used', loc))}</h3>")
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
    for row in listing.itertuples(index=False):
        parts.append(
            f"<tr><td>{_link(row.source_url, row.title)}</td><td>{_esc(row.publisher)}</td>"
            f"<td>{_esc(_vintage(str(row.vintage), Label(loc)))}</td>"
            f"<td>{_esc(row.licence)}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(f"<h2>{_esc(label('sources', loc))}</h2><ol>")
    if "source_url" in frame.columns:
        cols = [c for c in ("source_title", "source_url", "source_date") if c in frame.columns]
        seen = frame[cols].drop_duplicates()
        for row in seen.itertuples(index=False):
            rec = dict(zip(cols, row, strict=True))
            date = rec.get("source_date")
            parts.append(
                f"<li>{_link(rec.get('source_url'), rec.get('source_title'))}"
                f"{' (' + _esc(date) + ')' if isinstance(date, str) and date else ''}</li>"
            )
    parts.append("</ol></body></html>")
    return "\n".join(parts)
