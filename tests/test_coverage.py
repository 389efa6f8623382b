"""Issue 14: the report on the embedded dataset says how complete each comparison is."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from aidcalc._report._build import build_report
from aidcalc._report._coverage import coverage_html, coverage_table


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    report = build_report(out=tmp_path_factory.mktemp("coverage-report"))
    return report.index.read_text(encoding="utf-8")


def _method_section(page: str) -> str:
    start = page.index("<h2>Method</h2>")
    end = page.index("<h2>", start + 1)
    return page[start:end]


def test_method_section_holds_the_coverage_table(page):
    method = _method_section(page)
    assert "<h3>Coverage of the embedded dataset</h3>" in method
    table = coverage_table()
    rows = re.findall(r"<tr(?: class=\"total\")?><td>(\w{3})</td><td>([^<]*)</td>"
                      r"<td>(\d+)</td>", method)
    assert len(rows) == len(table)
    assert [int(n) for *_, n in rows] == table["rows"].tolist()
    assert [d for d, *_ in rows] == table["donor"].tolist()
    # every share printed is the table's, to one decimal
    for row in table[table["share"].notna()].itertuples():
        assert f"{row.share * 100:.1f}%" in method, row
    assert html.escape("no headline published") in method


def test_coverage_is_only_for_the_embedded_dataset(tmp_path):
    from aidcalc import load_dataset

    g7 = load_dataset("g7_ukraine_pledges")
    own = build_report(g7[g7["donor"].isin(["JPN", "DEU"])], out=tmp_path / "own")
    assert own.coverage == ""
    assert "Coverage of the embedded dataset" not in own.index.read_text(encoding="utf-8")


@pytest.mark.parametrize("locale", ["en", "de", "fr", "it", "ja", "uk"])
def test_coverage_block_in_every_report_language(locale):
    table = coverage_table()
    block = coverage_html(locale, table=table)
    assert block.count("<tr") == len(table) + 1
    assert block.count('class="total"') == table["category"].eq("all").sum()
    assert pd.notna(table["sum_eur"]).all()


def test_coverage_block_escapes_the_data():
    table = coverage_table()
    has = table.index[table["share"].notna()][0]
    table.loc[has, "headline_text"] = "<script>x</script> & more"
    block = coverage_html("en", table=table)
    assert "<script>" not in block
    assert "&lt;script&gt;x&lt;/script&gt; &amp; more" in block
