"""``aidcalc update``: current macro data from the publishers, as new vintages in a user cache.

Each source is downloaded from the publisher's official interface, parsed into the tidy layout
of the embedded tables, validated, and written as a new *vintage* (CSV + JSON sidecar, the
format of ``datasets/``) under ``<cache>/datasets/``; ``<cache>/current.json`` then points each
table at it, so :func:`aidcalc.load_dataset`, :func:`aidcalc.datasets` and every function read
it. The embedded data stay the offline default until a download succeeds; ``vintage=`` or
:func:`aidcalc.pin_vintages` select any vintage, so a published analysis reproduces exactly.

Sources (``--source``):

* ``wdi``: World Bank API v2 (JSON), ``NY.GDP.MKTP.CD`` and ``SP.POP.TOTL``;
* ``dac``: OECD SDMX REST, DAC1 (``DSD_DAC1@DF_DAC1``), SDMX-CSV: ODA in current and constant
  USD (deflator = 100 x current / constant) and in national currency (exchange rate =
  national currency / current USD);
* ``weo``: IMF SDMX 3.0 (``IMF.RES/WEO``), SDMX-CSV: NGDP_D, NGDPD, NGDP, PCPI, LP, with the
  IMF's latest-actual-year attribute turned into the A/E flag;
* ``ecb``: the ECB's ``eurofxref-hist.zip`` (euro reference rates since 1999).

Safety: timeouts; retries with exponential backoff on 429 and 5xx (``Retry-After`` honoured,
capped); a minimum interval between requests to one host; a body shorter than its
``Content-Length`` or a corrupt archive is an error; a download is validated (columns, numbers,
coverage, no jump of more than a factor ``MAX_JUMP`` against the vintage in use) before it
becomes current; files are written under temporary names and renamed (the JSON sidecar last,
so a half-written vintage is never listed); one update at a time per cache (lock file).
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import shutil
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from .._base._datasets import cache_dir, read_dataset, refresh, resolve
from .._base._errors import (
    AidcalcError,
    ValidationError,
    join_values,
    option_error,
    reject_unknown,
)
from .._base._progress import logger, progress_bar

__all__ = [
    "MAX_TIMEOUT",
    "SOURCES",
    "UpdateError",
    "check_base_url",
    "check_client_options",
    "update",
]


class UpdateError(AidcalcError, OSError):
    """A download failed or was rejected; nothing was changed. Fields: ``source``, ``reason``."""


#: default endpoints (``base_url=`` replaces the scheme and host, e.g. for a mirror or a test)
ENDPOINTS = {
    "wdi": "https://api.worldbank.org/v2/country/all/indicator/{indicator}"
    "?format=json&per_page=20000&date={start}:{end}&page={page}",
    "dac": "https://sdmx.oecd.org/public/rest/data/OECD.DCD.FSD,DSD_DAC1@DF_DAC1,1.2/"
    ".{measure}..{flow}.{unit}.{price}?startPeriod={start}&format=csvfile",
    "weo": "https://api.imf.org/external/sdmx/3.0/data/dataflow/IMF.RES/WEO/%2B/"
    "*.{indicators}.A?c[TIME_PERIOD]=ge:{start}&attributes=all&format=csv",
    "ecb": "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip",
}
SOURCES = tuple(ENDPOINTS)
#: largest accepted change of a value against the vintage in use (a factor, either way)
MAX_JUMP = 3.0
#: largest accepted answer body (the largest real one, the WEO, is a few tens of MB)
MAX_BODY_BYTES = 512 * 1024 * 1024
#: largest accepted uncompressed CSV in the ECB archive (the real one is about 15 MB)
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
_USER_AGENT = "aidcalc (https://github.com/aidcalc; macro data update)"


@dataclass
class _Client:
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0
    min_interval: float = 1.0  # seconds between requests to one host (publishers' limits)
    sleep: Callable[[float], None] = time.sleep
    _last: dict[str, float] | None = None

    def get(self, url: str, source: str) -> bytes:
        host = urlparse(url).netloc
        last = self._last if self._last is not None else {}
        self._last = last
        for attempt in range(self.retries + 1):
            wait = self.min_interval - (time.monotonic() - last.get(host, -1e9))
            if wait > 0:
                self.sleep(wait)
            last[host] = time.monotonic()
            request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    expected = response.headers.get("Content-Length")
                    try:
                        body = response.read(MAX_BODY_BYTES + 1)
                    except http.client.IncompleteRead as short:  # fewer bytes than announced
                        body = short.partial
                    if len(body) > MAX_BODY_BYTES:
                        raise UpdateError(
                            f"{source}: the answer from {url} is larger than "
                            f"{MAX_BODY_BYTES} bytes; refused, nothing was changed",
                            source=source,
                            reason="too large",
                        )
            except urllib.error.HTTPError as err:
                if (err.code == 429 or err.code >= 500) and attempt < self.retries:
                    self.sleep(self._delay(attempt, err.headers.get("Retry-After")))
                    continue
                raise UpdateError(
                    f"{source}: {url} answered HTTP {err.code} {err.reason}"
                    + (f" after {attempt + 1} attempts" if attempt else "")
                    + "; nothing was changed, try again later",
                    source=source,
                    reason=f"HTTP {err.code}",
                ) from None
            except UpdateError:
                raise  # our own verdict (an OSError too): never retried
            except (TimeoutError, urllib.error.URLError, OSError) as err:
                if attempt < self.retries:
                    self.sleep(self._delay(attempt, None))
                    continue
                reason = getattr(err, "reason", err)
                raise UpdateError(
                    f"{source}: no answer from {url} ({reason}) after {attempt + 1} attempts "
                    f"(timeout {self.timeout:g} s); nothing was changed",
                    source=source,
                    reason="timeout" if "timed out" in str(reason) else "network",
                ) from None
            if expected is not None and expected.isdigit() and int(expected) != len(body):
                if attempt < self.retries:
                    self.sleep(self._delay(attempt, None))
                    continue
                raise UpdateError(
                    f"{source}: truncated download from {url} ({len(body)} of {expected} "
                    "bytes); nothing was changed",
                    source=source,
                    reason="truncated",
                )
            return bytes(body)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        delay = self.backoff * (2**attempt)
        if retry_after:
            try:
                delay = max(delay, float(retry_after))
            except ValueError:
                try:
                    when = parsedate_to_datetime(retry_after)
                    delay = max(delay, (when - datetime.now(timezone.utc)).total_seconds())
                except (TypeError, ValueError):
                    pass
        return float(min(max(delay, 0.0), self.max_wait))


def _url(source: str, base_url: str | None, **parts: Any) -> str:
    url = ENDPOINTS[source].format(**parts)
    if base_url:
        p = urlparse(url)
        url = base_url.rstrip("/") + p.path + (f"?{p.query}" if p.query else "")
    return url


def _bad(source: str, url: str, what: str) -> UpdateError:
    return UpdateError(
        f"{source}: the answer from {url} is not what the publisher documents ({what}); "
        "nothing was changed",
        source=source,
        reason="format",
    )


# --- World Bank API v2 ----------------------------------------------------------------------


def _fetch_wdi(client: _Client, base_url: str | None, start: int) -> dict[str, pd.DataFrame]:
    out = {}
    end = datetime.now(timezone.utc).year
    for table, indicator in (("wdi_gdp", "NY.GDP.MKTP.CD"), ("wdi_population", "SP.POP.TOTL")):
        rows: list[tuple[str, int, float]] = []
        page, pages, updated = 1, 1, ""
        while page <= pages:
            url = _url("wdi", base_url, indicator=indicator, start=start, end=end, page=page)
            try:
                meta, data = json.loads(client.get(url, "wdi"))
                pages = int(meta["pages"])
                updated = str(meta.get("lastupdated", ""))
            except (ValueError, TypeError, KeyError):
                raise _bad("wdi", url, "JSON [metadata, observations]") from None
            for obs in data or []:
                value = obs.get("value")
                code = obs.get("countryiso3code") or ""
                if value is None or len(code) != 3:
                    continue
                rows.append((code, int(obs["date"]), float(value)))
            page += 1
        frame = pd.DataFrame(rows, columns=["iso3", "year", "value"])
        out[table] = frame.assign(note="", _updated=updated)
    return out


# --- OECD DAC1 (SDMX-CSV) --------------------------------------------------------------------


def _sdmx_csv(body: bytes, source: str, url: str, need: Sequence[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        raise _bad(source, url, "SDMX-CSV") from None
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise _bad(source, url, f"SDMX-CSV without columns {join_values(missing)}")
    return frame


def _fetch_dac(client: _Client, base_url: str | None, start: int) -> dict[str, pd.DataFrame]:
    need = ("DONOR", "UNIT_MEASURE", "PRICE_BASE", "TIME_PERIOD", "OBS_VALUE")
    # ODA grant equivalent (measure 11010, flow 1160), the OECD's headline ODA since 2018
    url = _url("dac", base_url, measure="11010", flow="1160", unit="USD+XDC", price="V+Q",
               start=start)
    frame = _sdmx_csv(client.get(url, "dac"), "dac", url, need)
    frame["value"] = pd.to_numeric(frame["OBS_VALUE"], errors="coerce")
    frame["year"] = pd.to_numeric(frame["TIME_PERIOD"], errors="coerce")
    frame = frame.dropna(subset=["value", "year"])
    keys = ["DONOR", "year"]

    def series(unit: str, price: str) -> pd.Series:
        part = frame[(frame["UNIT_MEASURE"] == unit) & (frame["PRICE_BASE"] == price)]
        return part.groupby(keys, observed=True)["value"].sum()

    current, constant, national = series("USD", "V"), series("USD", "Q"), series("XDC", "V")
    deflator = (100 * current / constant).replace([np.inf, -np.inf], np.nan).dropna()
    rate = (national / current).replace([np.inf, -np.inf], np.nan).dropna()
    codes = _dac_codes()
    out = {}
    for table, values in (("dac_deflators", deflator), ("dac_exchange_rates", rate)):
        tidy = values[values > 0].reset_index()
        tidy["iso3"] = tidy["DONOR"].map(lambda d: codes.get(str(d), str(d)))
        tidy = tidy[["iso3", "year", "value"]].assign(note="", _updated="")
        out[table] = tidy.astype({"year": "int64"})
    return out


def _dac_codes() -> dict[str, str]:
    """OECD donor codes as the embedded tables spell them (ISO3; aggregates: aidcalc codes)."""
    prov = read_dataset("dac_providers", copy=False)
    out = {str(c): str(k) for c, k in zip(prov["dac_code"], prov["iso3"], strict=True)}
    out.update({"4EU001": "EUI", "DAC": "DAC", "ALLD": "DACM", "G7": "G7C"})
    out.update({str(k): str(k) for k in prov["iso3"]})
    return out


# --- IMF WEO (SDMX-CSV) ---------------------------------------------------------------------

_WEO = ("NGDP_D", "NGDPD", "NGDP", "PCPI", "LP")
_WEO_CODES = {"G163": "EMU", "G998": "EUU", "KOS": "XKX", "WBG": "PSE"}


def _fetch_weo(client: _Client, base_url: str | None, start: int) -> dict[str, pd.DataFrame]:
    url = _url("weo", base_url, indicators="+".join(_WEO), start=start)
    frame = _sdmx_csv(client.get(url, "weo"), "weo", url,
                      ("COUNTRY", "INDICATOR", "TIME_PERIOD", "OBS_VALUE"))
    value = pd.to_numeric(frame["OBS_VALUE"], errors="coerce")
    year = pd.to_numeric(frame["TIME_PERIOD"].str[:4], errors="coerce")
    keep = value.notna() & year.notna() & frame["INDICATOR"].isin(_WEO)
    iso3 = frame["COUNTRY"].replace(_WEO_CODES)
    keep &= ~iso3.str.match(r"^G[X0-9]")
    last = (
        pd.to_numeric(frame["LATEST_ACTUAL_ANNUAL_DATA"].str[:4], errors="coerce")
        if "LATEST_ACTUAL_ANNUAL_DATA" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    status = np.where(last.isna(), "nometa", np.where(year <= last, "A", "E"))
    tidy = pd.DataFrame(
        {"iso3": iso3, "indicator": frame["INDICATOR"], "year": year, "value": value,
         "status": status}
    )[keep]
    return {"weo": tidy.astype({"year": "int64"}).assign(_updated="")}


# --- ECB euro reference rates ---------------------------------------------------------------


def _fetch_ecb(client: _Client, base_url: str | None, start: int) -> dict[str, pd.DataFrame]:
    url = _url("ecb", base_url)
    body = client.get(url, "ecb")
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise _bad("ecb", url, "a zip with one CSV file")
            if archive.getinfo(names[0]).file_size > MAX_ARCHIVE_BYTES:
                raise _bad("ecb", url, f"a CSV of at most {MAX_ARCHIVE_BYTES} bytes")
            with archive.open(names[0]) as member:  # never more than the cap, whatever it says
                raw = member.read(MAX_ARCHIVE_BYTES + 1)
            if len(raw) > MAX_ARCHIVE_BYTES:
                raise _bad("ecb", url, f"a CSV of at most {MAX_ARCHIVE_BYTES} bytes")
            text = raw.decode("utf-8")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, UnicodeDecodeError):
        raise UpdateError(
            f"ecb: the archive from {url} is corrupt or not a zip file; nothing was changed",
            source="ecb",
            reason="corrupt archive",
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if not header or header[0].strip() != "Date":
        raise _bad("ecb", url, "CSV with a 'Date' column")
    rows = []
    for rec in reader:
        for cur, cell in zip(header[1:], rec[1:], strict=False):
            cell, cur = cell.strip(), cur.strip()
            if cur and cell and cell != "N/A":
                rows.append((rec[0].strip(), cur, float(cell)))
    frame = pd.DataFrame(rows, columns=["date", "currency", "value"])
    return {"ecb_eurofxref": frame.assign(note="", _updated="")}


_FETCH: dict[str, Callable[[_Client, str | None, int], dict[str, pd.DataFrame]]] = {
    "wdi": _fetch_wdi,
    "dac": _fetch_dac,
    "weo": _fetch_weo,
    "ecb": _fetch_ecb,
}
_META = {
    "wdi_gdp": ("World Bank (World Development Indicators)", "GDP, current USD",
                "https://data.worldbank.org/indicator/NY.GDP.MKTP.CD",
                "CC BY 4.0 (attribution: The World Bank, World Development Indicators)",
                {"indicator": "NY.GDP.MKTP.CD", "unit": "current USD",
                 "source": "World Bank WDI"}),
    "wdi_population": ("World Bank (World Development Indicators)", "Population, total",
                       "https://data.worldbank.org/indicator/SP.POP.TOTL",
                       "CC BY 4.0 (attribution: The World Bank, World Development Indicators)",
                       {"indicator": "SP.POP.TOTL", "unit": "persons",
                        "source": "World Bank WDI"}),
    "dac_deflators": ("OECD (Development Assistance Committee)",
                      "DAC deflators, USD terms (100 x ODA current / constant USD)",
                      "https://data-explorer.oecd.org/vis?df[id]=DSD_DAC1@DF_DAC1",
                      "OECD terms and conditions (attribution required)",
                      {"indicator": "DAC_DEFLATOR", "source": "OECD DAC1"}),
    "dac_exchange_rates": ("OECD (Development Assistance Committee)",
                           "DAC annual exchange rates, national currency per USD",
                           "https://data-explorer.oecd.org/vis?df[id]=DSD_DAC1@DF_DAC1",
                           "OECD terms and conditions (attribution required)",
                           {"indicator": "EXCHANGE", "source": "OECD DAC1"}),
    "weo": ("International Monetary Fund (World Economic Outlook)",
            "IMF World Economic Outlook: NGDP_D, NGDPD, NGDP, PCPI, LP",
            "https://data.imf.org/en/datasets/IMF.RES:WEO",
            "IMF copyright and usage terms (attribution: IMF, World Economic Outlook)",
            {"source": "IMF WEO"}),
    "ecb_eurofxref": ("European Central Bank",
                      "Euro foreign exchange reference rates (used by aidcalc.get_rates)",
                      "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip",
                      "ECB: free reuse with attribution",
                      {"unit": "currency per EUR", "source": "ECB"}),
}
#: keys a download must cover to be accepted (coverage check)
_REQUIRED = {
    "wdi_gdp": ("USA", "DEU", "JPN"),
    "wdi_population": ("USA", "DEU", "JPN"),
    "dac_deflators": ("USA", "DEU", "JPN", "EUI", "DAC"),
    "dac_exchange_rates": ("JPN", "GBR", "EUI"),
    "weo": ("USA", "DEU", "JPN"),
    "ecb_eurofxref": ("USD", "JPY", "GBP"),
}


def _validate(table: str, frame: pd.DataFrame, source: str) -> None:
    """Schema, numbers, coverage and no absurd jump against the vintage in use."""
    key = "currency" if table == "ecb_eurofxref" else "iso3"
    when = "date" if table == "ecb_eurofxref" else "year"
    values = pd.to_numeric(frame["value"], errors="coerce")
    if frame.empty or values.isna().any() or not np.isfinite(values).all() or (values <= 0).any():
        raise ValidationError(
            f"{source}: the new {table} has no rows or non-numeric/non-positive values; "
            "rejected, nothing was changed",
            problems=None,
        )
    got = set(frame[key].astype(str))
    lacking = [k for k in _REQUIRED[table] if k not in got]
    if lacking:
        raise ValidationError(
            f"{source}: the new {table} does not cover {join_values(lacking)} (partial "
            "download?); rejected, nothing was changed",
            problems=None,
        )
    if frame.duplicated([c for c in (key, when, "indicator") if c in frame.columns]).any():
        raise ValidationError(
            f"{source}: the new {table} has several values for one key; rejected",
            problems=None,
        )
    try:
        old = read_dataset(resolve(table), copy=False)
    except LookupError:
        return
    cols = [c for c in (key, when, "indicator") if c in frame.columns and c in old.columns]
    both = frame.merge(old[[*cols, "value"]], on=cols, suffixes=("", "_old"))
    if both.empty:
        return
    ratio = both["value"].astype(float) / both["value_old"].astype(float)
    if table == "dac_deflators":  # a new base year rescales every value: compare growth
        ratio = ratio / ratio.median()
    jump = (ratio > MAX_JUMP) | (ratio < 1 / MAX_JUMP)
    if jump.any():
        shown = both.loc[jump, [*cols, "value", "value_old"]].head(5).to_dict("records")
        raise ValidationError(
            f"{source}: the new {table} differs from the vintage in use by more than a factor "
            f"{MAX_JUMP:g} for {int(jump.sum())} values (e.g. {shown}); rejected as an absurd "
            "jump, nothing was changed",
            problems=None,
        )


@contextmanager
def _lock(folder: Path, timeout: float = 600.0, stale: float = 3600.0) -> Iterator[None]:
    """One update at a time per cache: an exclusive lock file (removed when done)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".update.lock"
    start = time.monotonic()
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            try:
                if time.time() - path.stat().st_mtime > stale:
                    path.unlink()  # left behind by a crashed process
                    continue
            except FileNotFoundError:
                continue
            if time.monotonic() - start > timeout:
                raise UpdateError(
                    f"another aidcalc update holds {path}; try again when it has finished "
                    "(or delete the file if no update is running)",
                    source="lock",
                    reason="locked",
                ) from None
            time.sleep(0.05)
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        path.unlink(missing_ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _store(table: str, frame: pd.DataFrame, vintage_id: str, folder: Path) -> str:
    publisher, title, url, licence, constants = _META[table]
    name = f"{table}@{vintage_id}"
    updated = str(frame["_updated"].iloc[0]) if "_updated" in frame.columns else ""
    frame = frame.drop(columns=["_updated"], errors="ignore")
    label = f"downloaded {vintage_id}"
    if updated:
        label += f" (publisher's last update {updated})"
    if table == "weo":  # named like the embedded editions ("IMF WEO <Month> <year>")
        label = f"IMF WEO downloaded {vintage_id[3:13]}"
    sidecar = {
        "name": name,
        "table": table,
        "vintage_id": vintage_id,
        "file": f"{name}.csv",
        "title": title,
        "publisher": publisher,
        "source_url": url,
        "vintage": label,
        "licence": licence,
        "retrieved": vintage_id[:10],
        "description": f"{title}, downloaded by `aidcalc update` on {vintage_id}.",
        "constant_columns": {**constants, "vintage": label},
    }
    # into the staging folder; moved into place by _commit (sidecars last)
    frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    (folder / f"{name}.json").write_text(
        json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return name


def _commit(staging: Path, folder: Path) -> None:
    """Move a complete staged vintage into the cache: data files first, then the sidecars
    (a dataset is listed only once its sidecar exists), each by an atomic rename."""
    files = sorted(staging.iterdir(), key=lambda p: (p.suffix == ".json", p.name))
    for path in files:
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(path, folder / path.name)


#: longest accepted ``timeout=`` (seconds per request)
MAX_TIMEOUT = 86_400.0


def check_base_url(base_url: Any) -> None:
    """``base_url=`` is None or an ``http(s)://host[:port][/path]`` address.

    Examples
    --------
    >>> check_base_url("http://127.0.0.1:8080")
    >>> check_base_url("not a url")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: base_url='not a url' is not accepted; use an http:// or ...
    """
    if base_url is None:
        return
    try:
        parts = urlparse(base_url) if isinstance(base_url, str) else None
        ok = parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
        ok = ok and parts is not None and (parts.port is None or parts.port > 0)
    except ValueError:  # a port that is not a number from 0 to 65535, a bad IPv6 address
        ok = False
    if not ok or any(c.isspace() for c in base_url):
        raise option_error(
            "base_url", base_url,
            f"base_url={base_url!r} is not accepted; use an http:// or https:// address with "
            "a host, e.g. 'https://mirror.example.org' (or None for the publishers')",
            "None or an http(s) address",
        )


def check_client_options(
    base_url: Any, *, timeout: Any, retries: Any, backoff: Any, min_interval: Any
) -> None:
    """The download options, checked before any request (a ValidationError names the bad one)."""
    from ._options import check_count, check_number

    check_base_url(base_url)
    check_number("timeout", timeout, maximum=MAX_TIMEOUT)
    check_count("retries", retries, minimum=0)
    check_number("backoff", backoff, zero=True, maximum=MAX_TIMEOUT)
    check_number("min_interval", min_interval, zero=True, maximum=MAX_TIMEOUT)


def update(
    source: str | Sequence[str] = "all",
    *,
    base_url: str | None = None,
    timeout: float = 60.0,
    retries: int = 4,
    backoff: float = 1.0,
    min_interval: float = 1.0,
    start: int = 2000,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Download current macro data from the publishers into the user cache, as new vintages.

    Parameters
    ----------
    source
        ``"dac"``, ``"wdi"``, ``"weo"``, ``"ecb"``, ``"all"`` or a list of them.
    base_url
        Scheme and host to use instead of the publisher's (a mirror; tests use a local server).
    timeout, retries, backoff, min_interval
        Seconds per request; attempts after the first on 429/5xx/timeouts/truncated bodies;
        first backoff delay (doubled each time, ``Retry-After`` honoured, at most 60 s);
        seconds between two requests to one host.
    start
        First year requested.
    progress
        A progress bar by source (:mod:`tqdm.auto`, on stderr): ``None`` (default) when
        stderr is a terminal or in Jupyter; ``True`` / ``False`` force it. Each download is
        also logged (``logging.getLogger("aidcalc")``, INFO).

    Returns
    -------
    pandas.DataFrame
        One row per table written: ``table``, ``name``, ``vintage_id``, ``rows``.

    Raises
    ------
    UpdateError
        A download failed (HTTP error after the retries, timeout, truncated body, corrupt
        archive, unexpected format) or another update holds the lock.
    aidcalc.ValidationError
        A download failed validation (coverage, numbers, absurd jump). In every error case no
        vintage is written and the current ones stay in use.

    Examples
    --------
    >>> update("nasa")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: unknown source 'nasa': use one of 'wdi', 'dac', 'weo', 'ecb', 'all'
    """
    wanted = [source] if isinstance(source, str) else list(source)
    if "all" in wanted:
        wanted = list(SOURCES)
    reject_unknown(wanted, SOURCES, "unknown source {unknown}: use one of {known}",
                   known=join_values([*SOURCES, "all"]))
    check_client_options(base_url, timeout=timeout, retries=retries, backoff=backoff,
                         min_interval=min_interval)
    client = _Client(timeout=timeout, retries=retries, backoff=backoff,
                     min_interval=min_interval)
    root = cache_dir()
    folder = root / "datasets"
    rows = []
    with _lock(root):
        folder.mkdir(parents=True, exist_ok=True)
        fetched: dict[str, pd.DataFrame] = {}
        bar = progress_bar(
            total=len(wanted), desc="aidcalc update", unit="source", progress=progress
        )
        try:
            for src in wanted:  # download and validate everything before writing anything
                logger.info("update: downloading %s", src)
                got = _FETCH[src](client, base_url, start)
                for table, frame in got.items():
                    _validate(table, frame, src)
                fetched.update(got)
                bar.update(1)
        finally:
            bar.close()
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%M%S%fZ")
        vintage_id = f"dl-{stamp}"
        current_path = root / "current.json"
        try:
            current = json.loads(current_path.read_text(encoding="utf-8"))
            if not isinstance(current, dict):
                current = {}
        except (OSError, ValueError):
            current = {}
        staging = root / f".staging-{vintage_id}"
        try:
            staging.mkdir()
            for table, frame in fetched.items():
                name = _store(table, frame, vintage_id, staging)
                current[table] = name
                rows.append({"table": table, "name": name, "vintage_id": vintage_id,
                             "rows": len(frame)})
            _commit(staging, folder)
            _write_atomic(current_path, (json.dumps(current, indent=2) + "\n").encode("utf-8"))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        refresh()
        from .._real import _macro

        _macro._embedded.cache_clear()
    return pd.DataFrame(rows, columns=["table", "name", "vintage_id", "rows"])


def dataset_listing_text() -> str:
    """The ``aidcalc datasets`` listing: every table with its vintage, coverage and source."""
    from .._base._datasets import datasets

    listing = datasets()
    lines = []
    for row in listing.itertuples(index=False):
        mark = "*" if row.in_use else " "
        vid = str(row.vintage_id) or "-"
        lines.append(
            f"{mark} {row.name!s:<28} {vid:<24} {row.origin!s:<10} "
            f"{row.rows!s:>7} rows  {row.coverage!s}\n    {row.publisher!s}: {row.vintage!s} "
            f"<{row.source_url!s}>"
        )
    lines.append("* = the vintage functions use now (pin another with vintage= or "
                 "aidcalc.pin_vintages; download current data with `aidcalc update`)")
    return "\n".join(lines) + "\n"
