"""The pledge frame: validate (every problem reported) and pledges (build, never drop silently)."""

from __future__ import annotations

import pandas as pd
import pytest

import aidcalc


def good():
    return pd.DataFrame(
        {
            "donor": ["JPN", "EUI"],
            "recipient": ["UKR", "UKR"],
            "announced": pd.to_datetime(["2024-06-08", "2024-02-28"]),
            "amount": [12.1e9, 50e9],
            "currency": ["USD", "EUR"],
            "category": ["all", "budget_support"],
            "status": ["committed", "committed"],
            "kind": ["total_to_date", "pledge"],
            "period_start": [None, 2024],
            "period_end": [None, 2027],
            "mine": [1, 2],
        }
    )


def test_valid_frame_has_no_problems():
    problems = aidcalc.validate(good())
    assert problems.empty
    assert list(problems.columns) == ["row", "column", "value", "problem", "severity"]


def test_every_problem_is_reported_with_row_column_value():
    f = good()
    f.loc[0, "donor"] = "Japan"
    f.loc[1, "currency"] = "EURO"
    f.loc[0, "status"] = "promised"
    f.loc[1, "kind"] = "pledged"
    f.loc[1, "category"] = "transport"
    f.loc[1, "period_start"] = 2030
    f["amount"] = [-1.0, float("inf")]
    problems = aidcalc.validate(f)
    got = set(zip(problems["row"], problems["column"], strict=True))
    assert got == {
        (0, "donor"),
        (1, "currency"),
        (0, "status"),
        (1, "kind"),
        (1, "category"),
        (1, "period_start"),
        (0, "amount"),
        (1, "amount"),
    }
    row = problems[problems["column"] == "currency"].iloc[0]
    assert row["value"] == "EURO" and "ISO 4217" in row["problem"]
    assert (
        "negative"
        in problems.loc[problems["row"].eq(0) & problems["column"].eq("amount"), "problem"].item()
    )


def test_negative_amounts_are_warnings_not_errors():
    f = good()
    f.loc[1, "amount"] = -2.5e6  # Kiel records corrections as negative values
    problems = aidcalc.validate(f)
    assert problems[["row", "column", "severity"]].values.tolist() == [[1, "amount", "warning"]]
    aidcalc.validate(f, errors="raise")  # warnings do not raise
    ok, rejected = aidcalc.pledges(f, return_rejected=True)
    assert len(ok) == 2 and rejected.empty


def test_missing_required_columns_and_raise_mode():
    f = good().drop(columns=["currency"])
    problems = aidcalc.validate(f)
    assert problems[["row", "column", "problem", "severity"]].values.tolist() == [
        [None, "currency", "required column missing", "error"]
    ]
    with pytest.raises(aidcalc.ValidationError, match="currency: required column missing") as e:
        aidcalc.validate(f, errors="raise")
    assert len(e.value.problems) == 1


def test_code_shaped_but_unknown_codes_are_reported():
    f = good()
    f.loc[0, "donor"] = "XYZ"
    f.loc[1, "recipient"] = "UKX"
    problems = aidcalc.validate(f)
    assert problems[["row", "column", "problem"]].values.tolist() == [
        [0, "donor", "unknown donor code"],
        [1, "recipient", "unknown recipient code"],
    ]


def test_pairs_and_parts_are_checked():
    f = good()
    f["pair_id"] = ["P1", "P1"]
    f["pledge_id"] = ["G1", "G2"]
    f["part_of"] = [None, "G9"]
    problems = aidcalc.validate(f)
    assert set(problems["column"]) == {"pair_id", "part_of"}


def test_extra_categories_can_be_allowed():
    f = good()
    f.loc[1, "category"] = "water"
    assert not aidcalc.validate(f).empty
    assert aidcalc.validate(f, categories=("water", "all")).empty


def test_pledges_maps_names_parses_text_and_rejects_with_reasons():
    table = pd.DataFrame(
        {
            "Land": ["Japan", "Deutschland", "Atlantis", "Frankreich", "Italien"],
            "Betrag": ["1,9 Billionen ¥", "rund 5 Mrd. €", "5 Mio. €", "viel", None],
            "Datum": ["2024-06-08", "2024-01-01", "2024-01-01", "2024-13-01", "2024-02-01"],
            "Wert": [None, None, None, None, 7.0],
            "Währung": [None, None, None, None, "eur"],
            "mine": [1, 2, 3, 4, 5],
        },
        index=list("abcde"),
    )
    ok, rejected = aidcalc.pledges(
        table,
        locale="de",
        recipient="UKR",
        mapping={
            "Land": "donor",
            "Betrag": "amount_text",
            "Datum": "announced",
            "Wert": "amount",
            "Währung": "currency",
        }, return_rejected=True,
    )
    assert len(ok) + len(rejected) == len(table)
    assert ok.index.tolist() == ["a", "b", "e"]
    assert ok["donor"].tolist() == ["JPN", "DEU", "ITA"]
    assert ok["amount"].tolist() == [1.9e12, 5e9, 7.0]
    assert ok["currency"].tolist() == ["JPY", "EUR", "EUR"]
    assert ok["mine"].tolist() == [1, 2, 5]
    assert (ok["recipient"] == "UKR").all()
    assert pd.api.types.is_datetime64_any_dtype(ok["announced"])
    assert rejected.index.tolist() == ["c", "d"]
    assert rejected.loc["c", "reason"].startswith("donor: unknown name (Atlantis)")
    assert "amount_text: no number" in rejected.loc["d", "reason"]
    assert "announced: not a date ('2024-13-01')" in rejected.loc["d", "reason"]
    assert rejected.loc["d", "Land"] == "Frankreich"  # rejected rows are given back unchanged
    assert table["Land"].tolist()[0] == "Japan"  # input not mutated


def test_pledges_recognises_common_column_names():
    ok, rejected = aidcalc.pledges(
        pd.DataFrame(
            {"Donor": ["USA"], "Date": ["2023-01-18"], "Value": [125e6], "Currency": ["usd"]}
        )
    , return_rejected=True)
    assert rejected.empty
    assert ok.columns.tolist() == ["donor", "announced", "amount", "currency"]


def test_pledges_reads_files_and_reports_bad_paths(tmp_path):
    path = tmp_path / "pledges.csv"
    pd.DataFrame({"donor": ["CAN"], "amount_text": ["C$15 million"]}).to_csv(path, index=False)
    ok, _ = aidcalc.pledges(path, return_rejected=True)
    assert ok[["donor", "amount", "currency"]].values.tolist() == [["CAN", 15e6, "CAD"]]
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        aidcalc.pledges(tmp_path / "missing.csv", return_rejected=True)
    other = tmp_path / "pledges.json"
    other.write_text("{}")
    with pytest.raises(aidcalc.InputFileError, match=r"pledges\.json: the table has no column"):
        aidcalc.pledges(other, return_rejected=True)


def test_pledges_needs_required_columns_and_valid_mapping():
    with pytest.raises(aidcalc.ValidationError, match=r"no column for \['currency'\]"):
        aidcalc.pledges(pd.DataFrame({"donor": ["JPN"], "amount": [1.0]}), return_rejected=True)
    with pytest.raises(aidcalc.ValidationError, match="mapping names columns that are not"):
        aidcalc.pledges(
            pd.DataFrame({"donor": ["JPN"]}), mapping={"Land": "donor"}, return_rejected=True
        )


def test_pledges_keeps_duplicate_index_labels_and_order():
    table = pd.DataFrame(
        {"donor": ["JPN", "XX1", "USA"], "amount": [1.0, 2.0, 3.0], "currency": ["JPY"] * 3},
        index=[5, 5, 4],
    )
    ok, rejected = aidcalc.pledges(table, return_rejected=True)
    assert ok.index.tolist() == [5, 4] and ok["amount"].tolist() == [1.0, 3.0]
    assert rejected.index.tolist() == [5] and rejected["donor"].tolist() == ["XX1"]
    assert rejected["reason"].item().startswith("donor: unknown name (XX1)")


# --- QA A3 / B7: dates read by the locale's convention, never guessed -----------------------


def _dates(values, **kw):
    table = pd.DataFrame(
        {
            "donor": ["DEU"] * len(values),
            "announced": values,
            "amount": [1.0] * len(values),
            "currency": ["EUR"] * len(values),
        }
    )
    return aidcalc.pledges(table, **kw, return_rejected=True)


@pytest.mark.parametrize("locale", ["de", "fr", "it", "en_GB", "de_AT"])
def test_day_first_locales(locale):
    ok, rejected = _dates(["07/06/2024", "13.06.2024", "2024-06-05"], locale=locale)
    assert rejected.empty
    assert ok["announced"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-06-07",
        "2024-06-13",
        "2024-06-05",
    ]


def test_month_first_locale_and_impossible_dates():
    ok, rejected = _dates(["07/06/2024", "13/06/2024"], locale="en_US")
    assert ok["announced"].dt.strftime("%Y-%m-%d").tolist() == ["2024-07-06"]
    assert "announced: not a date ('13/06/2024'): impossible date" in rejected["reason"].item()


@pytest.mark.parametrize("locale", [None, "en"])
def test_ambiguous_dates_are_rejected_without_a_settled_order(locale):
    ok, rejected = _dates(["07/06/2024", "13/06/2024", "06/06/2024"], locale=locale)
    # one reading only (13 cannot be a month; 06/06 reads the same both ways): accepted
    assert ok["announced"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-13", "2024-06-06"]
    assert rejected.index.tolist() == [0]
    reason = rejected["reason"].item()
    assert "ambiguous day/month order" in reason and "locale=" in reason


def test_partial_mixed_order_and_mixed_offset_dates_are_rejected_with_reasons():
    ok, rejected = _dates(["2024", "2024-06", "24.02.22"], locale="de")
    # a year or a month keeps its row and its text (a note); a two-digit year is refused
    assert ok["announced"].tolist() == ["2024", "2024-06"]
    assert rejected["kind"].tolist() == ["note", "note", "left out"]
    assert rejected["reason"].str.contains("has no day").tolist() == [True, True, False]
    assert "two-digit or short year" in rejected["reason"].iloc[2]
    _, rejected = _dates(["13/06/2024", "06/13/2024"])
    assert rejected["reason"].str.contains("mixes day-first and month-first").all()
    _, rejected = _dates(["2022-06-07T10:00:00+02:00", "2022-06-07T10:00:00-05:00"])
    assert rejected["reason"].str.contains(r"mixes UTC offsets \(\+02:00, -05:00\)").all()
    # one offset (or none) is fine: the calendar date as written
    ok, rejected = _dates(["2022-06-07", "2022-06-07T23:30:00+02:00", "19 February 2024"])
    assert rejected.empty
    assert ok["announced"].dt.strftime("%Y-%m-%d").tolist() == [
        "2022-06-07",
        "2022-06-07",
        "2024-02-19",
    ]


# --- QA C12: missing and future announcement dates -----------------------------------------


def test_validate_reports_missing_and_future_dates():
    f = pd.DataFrame(
        {
            "donor": ["JPN", "JPN", "JPN"],
            "amount": [1.0, 2.0, 3.0],
            "currency": ["JPY"] * 3,
            "announced": pd.to_datetime(["2024-06-08", None, "2031-01-01"]),
        }
    )
    problems = aidcalc.validate(f).set_index("row")
    assert problems.loc[1, "problem"].startswith("announced date missing")
    assert problems.loc[1, "severity"] == "warning"
    assert problems.loc[2, "problem"] == "announced in the future"
    assert problems.loc[2, "severity"] == "error"
    ok, rejected = aidcalc.pledges(f, return_rejected=True)
    assert ok.index.tolist() == [0, 1]  # a missing date is legal, a future one is not
    assert rejected["reason"].item().startswith("announced: announced in the future")


# --- QA B8: wrong input types and duplicate columns ----------------------------------------


def test_wrong_types_and_duplicate_columns_are_clear():
    with pytest.raises(TypeError, match="pledges expects a pandas DataFrame, got dict"):
        aidcalc.pledges({"donor": ["JPN"]}, return_rejected=True)
    with pytest.raises(aidcalc.AidcalcError, match="validate expects a pandas DataFrame"):
        aidcalc.validate([1])
    dup = pd.DataFrame(
        [["JPN", "JPN", 1.0, "JPY"]], columns=["donor", "donor", "amount", "currency"]
    )
    for func in (aidcalc.validate, aidcalc.pledges):
        with pytest.raises(aidcalc.ValidationError, match="duplicate column names 'donor'"):
            func(dup)
