"""The report's page, ``index.html``: self-contained (charts inlined as PNG), every string from
the message catalogue in the report's language."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._base._labels import Labels, get_label, has_label
from .._pledges._lifecycle import STATUS_ORDER
from ..plot._style import Unit, amount_formatter, join_sentences
from ._notes import vintage_text
from ._options import CHARTS

if TYPE_CHECKING:
    from ._build import Report

__all__ = ["page_html"]

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
    if column == value and unit_text:
        return unit_text
    if column in STATUS_ORDER:
        return get_label(column, loc)
    if has_label(f"col_{column}"):
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



def page_html(
    report: Report,
    charts: Sequence[str],
    frame: pd.DataFrame,
    theme: Any,
    *,
    source: str | None,
    cumulative: bool = True,
    files: set[str] | None = None,
) -> str:
    """The page: title and unit, the charts drawn (or why not), the tables, the method notes
    with the coverage and datasets used, and the sources of the rows (``frame``)."""
    loc = theme.locale
    label = Labels(loc)
    unit = Unit.parse(report.price_base) if report.price_base else None
    fmt = amount_formatter(unit, loc) if unit else (lambda x: f"{x:,.0f}")
    unit_text = unit.describe(loc) if unit else ""
    intro = _sentence(unit_text, loc) if unit else ""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_esc(loc.language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(label('report_title'))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(label('report_title'))}</h1>",
        f'<p class="note">{_esc(join_sentences([intro, source or ""]))}</p>',
        f"<h2>{_esc(label('charts'))}</h2>",
    ]
    parts += [_figure(report, name, name in charts, label) for name in CHARTS]
    parts.append(f"<h2>{_esc(label('tables'))}</h2>")
    for name, table in report.tables.items():
        parts += _table_section(report, name, table, label, fmt, unit_text,
                                files if files is not None else set())
    parts += _method(report, label, cumulative)
    parts += _sources(frame, label)
    return "\n".join(parts)


def _figure(report: Report, name: str, drawn: bool, label: Labels) -> str:
    """A chart inlined as PNG with links to its files, or why it is not drawn; and what it
    leaves out beyond the totals."""
    loc = label.locale
    title = label(f"title_{name}")
    extra = report.chart_left_out.get(name, [])
    more = (" " + _esc(label("note_chart_left_out", chart=title, what="; ".join(extra)))
            if extra else "")
    if not drawn:
        why = report.not_drawn.get(name, "")
        return (
            f'<figure id="{name}" class="not-drawn"><figcaption>{_esc(title)}: '
            f'{_esc(_sentence(label("not_drawn", reason=why), loc))}'
            f"{more}</figcaption></figure>"
        )
    png = report.out / f"{name}.png"
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    return (
        f'<figure id="{name}"><img src="data:image/png;base64,{data}" alt="{_esc(title)}"'
        f' data-file="{name}.png"><figcaption>{_esc(title)}: '
        f'<a href="{name}.png">PNG</a> · <a href="{name}.svg">SVG</a>{more}</figcaption>'
        "</figure>"
    )


def _table_section(
    report: Report, name: str, table: pd.DataFrame, label: Labels,
    fmt: Callable[[float], str], unit_text: str, files: set[str],
) -> list[str]:
    """A table's heading with links to its files, what its chart leaves out, and the table
    (the left-out rows: how many and why; the rows: their main columns, codes in words)."""
    loc = label.locale
    links = f'<a href="{name}.csv">CSV</a>'
    if f"{name}.xlsx" in files:
        links += f' · <a href="{name}.xlsx">XLSX</a>'
    parts = [f"<h3>{_esc(label(f'table_{name}'))} ({links})</h3>"]
    chart = "donors" if name == "donors_by_category" else name
    if chart_extra := report.chart_left_out.get(chart):
        said = label("note_chart_left_out", chart=label(f"table_{name}"),
                     what="; ".join(chart_extra))
        parts.append(f'<p class="note">{_esc(said)}</p>')
    if name == "rejected":  # the rows are in rejected.csv; the page says how many and why
        parts.append(f'<p class="note" id="left-out">{_esc(report.left_out_note)}</p>')
        return parts
    if name == "pledges":
        cols = [c for c in ("pledge_id", "donor", "announced", "amount_text", "category",
                            "status", report.value, "fx_rate", "deflator") if c in table]
        table = table[cols].copy()
        for col in ("category", "status"):  # codes shown in words (the CSV keeps codes)
            if col in table:
                table[col] = table[col].map(lambda c: label(str(c)) if pd.notna(c) else c)
    parts.append(_table_html(table, fmt, report.value, loc=loc, unit_text=unit_text))
    return parts


def _method(report: Report, label: Labels, cumulative: bool) -> list[str]:
    """The method notes, the pipeline's rule, the coverage and the datasets used."""
    from .._base._datasets import datasets

    parts = [f"<h2>{_esc(label('method'))}</h2><ul>"]
    parts.extend(f"<li>{_esc(n)}</li>" for n in report.notes)
    sep = " < " if cumulative else label("list_sep")  # measures have no order
    stages = sep.join(label(s) for s in STATUS_ORDER)
    key = "note_pipeline_stages" if cumulative else "note_pipeline_measures"
    parts.append(f"<li>{_esc(label(key, stages=stages))}</li></ul>")
    parts.append(report.coverage)  # empty unless the input is the embedded dataset
    head = "".join(
        f"<th>{_esc(label(f'col_{c}'))}</th>" for c in ("dataset", "publisher", "vintage",
                                                         "licence")
    )
    parts.append(f"<h3>{_esc(label('datasets_used'))}</h3>")
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
    for row in datasets().itertuples(index=False):
        parts.append(
            f"<tr><td>{_link(row.source_url, row.title)}</td><td>{_esc(row.publisher)}</td>"
            f"<td>{_esc(vintage_text(str(row.vintage), label))}</td>"
            f"<td>{_esc(row.licence)}</td></tr>"
        )
    parts.append("</tbody></table>")
    return parts


def _sources(frame: pd.DataFrame, label: Labels) -> list[str]:
    """The sources of the rows, each once, linked."""
    parts = [f"<h2>{_esc(label('sources'))}</h2><ol>"]
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
    return parts
