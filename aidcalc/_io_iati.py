"""IATI activity XML (versions 2.01-2.03, and 1.0x transaction codes) to a pledge frame.

One row per transaction and category share:

* ``amount`` / ``currency``: ``<value>`` in ``<value @currency>``, else the activity's
  ``@default-currency``; with neither, the transaction is rejected (no guess).
* ``value_date``: ``<value @value-date>``, which IATI defines as the date to use for currency
  conversion (pass ``date="value_date"`` to :func:`aidcalc.convert`); when absent, the
  transaction date is used and the report says so.
* ``announced``: the transaction date; ``status`` from the transaction type (table
  ``_io_iati_transaction_types.csv``, from the IATI TransactionType codelist 2.03: 2 outgoing
  commitment -> committed, 3 disbursement and 4 expenditure -> disbursed, 12 outgoing pledge ->
  pledged; incoming funds, interest, repayments, equity and guarantees have no status).
* sectors: the transaction's own sector, else the activity's sectors of one vocabulary (DAC
  5-digit purpose codes preferred, then DAC 3-digit, then the first other vocabulary). Their
  percentages are mapped to categories (:func:`aidcalc.categorise` on the purpose code; DAC
  3-digit and other vocabularies are not purpose codes and give ``other``; a transaction with
  no sector at all is categorised from its title and description text) and the
  value is split across categories exactly: in cents, by largest remainder, so the parts of a
  transaction add up to its value to the cent. Percentages that do not add up to 100 are
  normalised and reported.
* ``donor``: the reporting organisation (name to code via ``aidcalc._donors``; government
  publisher identifiers ``XX-GOV-...`` and the European Commission ``XI-IATI-EC...`` by
  identifier); ``recipient``: ISO3 of the recipient country (transaction, else activity).

Everything that was not taken, or taken with a problem, is in the ``rejected`` report.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pandas as pd

from ._errors import InputFileError
from ._io_common import ReadResult, check_path, donor_codes_or_na, rejected_frame
from ._xml import iter_elements, local_name, parse_bytes, repair_text, split_blocks

__all__ = ["read_iati"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_HERE = Path(__file__).resolve().parent

COLUMNS = (
    "donor",
    "donor_name",
    "donor_ref",
    "recipient",
    "recipient_country",
    "recipient_region",
    "announced",
    "value_date",
    "amount",
    "currency",
    "category",
    "sector_vocabulary",
    "sector_code",
    "sector_percentage",
    "status",
    "transaction_type",
    "transaction_type_name",
    "transaction_value",
    "activity_id",
    "transaction_ref",
    "transaction_index",
    "title",
    "description",
    "provider_org",
    "receiver_org",
    "source",
)


@cache
def _transaction_types() -> dict[str, tuple[str, str, str | None]]:
    table = pd.read_csv(_HERE / "_io_iati_transaction_types.csv", dtype=str, keep_default_na=False)
    out: dict[str, tuple[str, str, str | None]] = {}
    for code, code_v1, name, status in zip(
        table["code"], table["code_v1"], table["name"], table["status"], strict=True
    ):
        entry = (code, name, status or None)
        out[code] = entry
        if code_v1:
            out[code_v1] = entry
    return out


def _iso2_to_iso3() -> dict[str, str]:
    from ._donors import _iso2_to_iso3 as table  # the one ISO 3166 table (cached there)

    return table()


def _narrative(elem: Element | None, lang: str | None) -> str | None:
    """The narrative in the activity's language (or without a language), else the first."""
    if elem is None:
        return None
    texts = [
        (n.get(_XML_LANG), (n.text or "").strip()) for n in elem if local_name(n.tag) == "narrative"
    ]
    texts = [(lg, t) for lg, t in texts if t]
    for wanted in (None, lang, "en"):
        for lg, t in texts:
            if lg == wanted:
                return t
    if texts:
        return texts[0][1]
    text = (elem.text or "").strip()  # IATI 1.0x: text directly in the element
    return text or None


def _child(elem: Element, name: str) -> Element | None:
    for c in elem:
        if local_name(c.tag) == name:
            return c
    return None


def _children(elem: Element, name: str) -> list[Element]:
    return [c for c in elem if local_name(c.tag) == name]


def _org(elem: Element | None, lang: str | None) -> str | None:
    if elem is None:
        return None
    name = _narrative(elem, lang)
    ref = elem.get("ref")
    if name and ref:
        return f"{name} ({ref})"
    return name or ref


def _valid_date(text: str | None) -> bool:
    if not text or not _DATE.match(text):
        return False
    try:
        pd.Timestamp(text[:10])
    except ValueError:
        return False
    return True


def _sectors(elem: Element) -> list[tuple[str, str, str | None]]:
    return [
        (s.get("vocabulary") or "1", (s.get("code") or "").strip(), s.get("percentage"))
        for s in _children(elem, "sector")
        if (s.get("code") or "").strip()
    ]


def _pick_vocabulary(
    sectors: list[tuple[str, str, str | None]],
) -> list[tuple[str, str, str | None]]:
    if not sectors:
        return []
    vocabs = [v for v, _, _ in sectors]
    chosen = next((v for v in ("1", "2") if v in vocabs), vocabs[0])
    return [s for s in sectors if s[0] == chosen]


class _Reader:
    """Collects transaction records and problems over one or more files."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.problems: list[dict[str, Any]] = []

    def problem(self, source: str, row: str, column: str | None, value: Any, reason: str) -> None:
        kept = not reason.startswith(("transaction rejected", "activity skipped", "no readable"))
        self.problems.append(
            {
                "source": source,
                "row": row,
                "column": column,
                "value": value,
                "reason": reason,
                "kept": kept,
            }
        )

    # -- one activity ------------------------------------------------------------------------
    def activity(self, act: Element, root: Element | None, source: str) -> None:
        lang = act.get(_XML_LANG)
        ident_elem = _child(act, "iati-identifier")
        ident = (ident_elem.text or "").strip() if ident_elem is not None else None
        label = f"activity {ident or '(no iati-identifier)'}"
        default_currency = (act.get("default-currency") or "").strip().upper() or None
        reporting = _child(act, "reporting-org")
        donor_name = _narrative(reporting, lang)
        donor_ref = reporting.get("ref") if reporting is not None else None
        title = _narrative(_child(act, "title"), lang)
        activity_description = _narrative(_child(act, "description"), lang)
        generated_dates = {
            (d or "")[:10]
            for d in (
                act.get("generated-datetime"),
                act.get("last-updated-datetime"),
                root.get("generated-datetime") if root is not None else None,
            )
            if d
        }
        act_countries = [
            (c.get("code") or "").strip().upper() for c in _children(act, "recipient-country")
        ]
        act_regions = [(c.get("code") or "").strip() for c in _children(act, "recipient-region")]
        act_sectors = _sectors(act)

        # impossible dates anywhere in the activity (reported, never silently used)
        for elem in act.iter():
            iso = elem.get("iso-date")
            if iso is not None and not _valid_date(iso.strip()):
                where = local_name(elem.tag)
                self.problem(
                    source,
                    label,
                    f"{where}/@iso-date",
                    iso,
                    f"not a valid date: {where} @iso-date {iso!r} ignored",
                )

        types = _transaction_types()
        for k, tx in enumerate(_children(act, "transaction"), start=1):
            row = f"{label}, transaction {k}"
            type_elem = _child(tx, "transaction-type")
            code = (type_elem.get("code") or "").strip() if type_elem is not None else ""
            code_entry: tuple[str | None, str | None, str | None] | None = types.get(
                code
            ) or types.get(code.upper())
            if code_entry is None:
                self.problem(
                    source,
                    row,
                    "transaction-type/@code",
                    code or None,
                    "unknown or missing transaction type code: status left empty",
                )
                code_entry = (code or None, None, None)
            value_elem = _child(tx, "value")
            value_text = (value_elem.text or "").strip() if value_elem is not None else ""
            try:
                value = Decimal(value_text) if value_text else None
                if value is not None and not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                self.problem(
                    source,
                    row,
                    "value",
                    value_text,
                    "transaction rejected: the value is not a number",
                )
                continue
            if value is None:
                self.problem(source, row, "value", None, "transaction rejected: no <value>")
                continue
            assert value_elem is not None  # the value was read from it
            currency = (value_elem.get("currency") or "").strip().upper() or default_currency
            if not currency:
                self.problem(
                    source,
                    row,
                    "value/@currency",
                    value_text,
                    "transaction rejected: no currency (the <value> has no @currency and the "
                    "activity has no @default-currency); add one, aidcalc does not guess",
                )
                continue
            date_elem = _child(tx, "transaction-date")
            tx_date = (date_elem.get("iso-date") or "").strip() if date_elem is not None else ""
            value_date = (value_elem.get("value-date") or "").strip()
            if not value_date:
                self.problem(
                    source,
                    row,
                    "value/@value-date",
                    None,
                    "no value-date: the transaction date is used as the rate date",
                )
                value_date = tx_date
            elif (
                _valid_date(value_date)
                and _valid_date(tx_date)
                and value_date[:10] in generated_dates
                and value_date[:10] != tx_date[:10]
            ):
                self.problem(
                    source,
                    row,
                    "value/@value-date",
                    value_date,
                    f"value-date {value_date} equals the file's generation date, not the "
                    f"transaction date {tx_date}: probably a placeholder; check the rate "
                    "date before converting",
                )
            tx_countries = [
                (c.get("code") or "").strip().upper() for c in _children(tx, "recipient-country")
            ]
            tx_regions = [(c.get("code") or "").strip() for c in _children(tx, "recipient-region")]
            countries = tx_countries or act_countries
            regions = tx_regions if (tx_countries or tx_regions) else act_regions
            tx_sectors = _sectors(tx)
            sectors = _pick_vocabulary(tx_sectors or act_sectors)
            self.records.append(
                {
                    "donor_name": donor_name,
                    "donor_ref": donor_ref,
                    "recipient_country": ";".join(c for c in countries if c) or None,
                    "recipient_region": ";".join(r for r in regions if r) or None,
                    "announced": tx_date or None,
                    "value_date": value_date or None,
                    "value": value,
                    "currency": currency,
                    "status": code_entry[2],
                    "transaction_type": code_entry[0],
                    "transaction_type_name": code_entry[1],
                    "activity_id": ident,
                    "transaction_ref": tx.get("ref"),
                    "transaction_index": k,
                    "title": title,
                    "description": _narrative(_child(tx, "description"), lang)
                    or activity_description
                    or title,
                    "provider_org": _org(_child(tx, "provider-org"), lang),
                    "receiver_org": _org(_child(tx, "receiver-org"), lang),
                    "source": source,
                    "_sectors": sectors,
                    "_sector_level": "transaction" if tx_sectors else "activity",
                    "_row": row,
                }
            )

    # -- one file ----------------------------------------------------------------------------
    def strict(self, path: Path) -> None:
        for act, root in iter_elements(path, "iati-activity"):
            self.activity(act, root, str(path))

    def recovering(self, path: Path) -> None:
        source = str(path)
        data = path.read_bytes()
        fixed, repairs = repair_text(data)
        for p in repairs:
            self.problem(source, f"line {p.line}", None, None, f"column {p.column}: {p.reason}")
        saved = (len(self.records), len(self.problems))
        try:
            for act, root in iter_elements(fixed, "iati-activity", name=source):
                self.activity(act, root, source)
            return
        except InputFileError as exc:
            if exc.fields["reason"] == "unsafe XML":
                raise  # recovering never relaxes safety
            del self.records[saved[0] :]
            del self.problems[saved[1] :]
        # still broken after the repairs: read each activity on its own, skip the broken ones
        head = re.search(rb"<iati-activities\b[^>]*>", fixed)
        opening = head.group(0) if head else b"<iati-activities>"
        found = False
        for offset, block in split_blocks(fixed, "iati-activity"):
            found = True
            line = fixed.count(b"\n", 0, offset) + 1
            try:
                wrapper = parse_bytes(opening + block + b"</iati-activities>", name=source)
            except InputFileError as exc:
                reason = exc.fields["reason"]
                if reason == "unsafe XML":
                    raise
                self.problem(
                    source, f"line {line}", "iati-activity", None, f"activity skipped: {reason}"
                )
                continue
            inner = _child(wrapper, "iati-activity")
            if inner is not None:
                self.activity(inner, wrapper, source)
        if not found:
            self.problem(
                source, "line 1", None, None, "no readable <iati-activity> found: file skipped"
            )


def _split_units(total: int, weights: list[Fraction]) -> list[int]:
    """Split an integer number of units by weights, exactly (largest remainder)."""
    whole = sum(weights)
    sign = -1 if total < 0 else 1
    total = abs(total)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[:rest]:
        parts[i] += 1
    return [sign * p for p in parts]


def _plan(
    sectors: list[tuple[str, str, str | None]],
    level: str,
    category_of: dict[tuple[str, str], str],
    key: Any,
) -> tuple[dict[str, list[Any]], tuple[Any, str] | None]:
    """Category -> [weight, sector codes, vocabularies], and a percentage problem if any."""
    if not sectors:
        return {key: [Fraction(1), [], []]}, None
    issue: tuple[Any, str] | None = None
    pcts: list[Fraction] = []
    for _voc, _code, pct in sectors:
        try:
            pcts.append(Fraction(Decimal(pct)) if pct not in (None, "") else Fraction(-1))
        except InvalidOperation:
            pcts.append(Fraction(-1))
    if any(p < 0 for p in pcts):
        if len(sectors) > 1:
            issue = (None, "sectors without percentages: split equally")
        pcts = [Fraction(1)] * len(sectors)
    elif sum(pcts) == 0:
        issue = ("0", "sector percentages are all 0: split equally")
        pcts = [Fraction(1)] * len(sectors)
    elif level == "activity" and sum(pcts) != 100:
        total = float(sum(pcts))
        issue = (
            f"{total:g}",
            f"sector percentages add up to {total:g}, not 100: normalised to 100",
        )
    shares: dict[str, list[Any]] = {}
    for (voc, code, _), weight in zip(sectors, pcts, strict=True):
        entry = shares.setdefault(category_of.get((voc, code), "other"), [Fraction(0), [], []])
        entry[0] += weight
        entry[1].append(code)
        entry[2].append(voc)
    return shares, issue


def _explode(reader: _Reader) -> pd.DataFrame:
    """One row per transaction and category; amounts split exactly in cents."""
    from ._categories import categorise

    codes = sorted({(voc, code) for r in reader.records for voc, code, _ in r["_sectors"]})
    category_of: dict[tuple[str, str], str] = {}
    if codes:
        probe = pd.DataFrame({"purpose_code": [c for v, c in codes if v in ("1", "2")]})
        if len(probe):
            got = categorise(probe, purpose_code="purpose_code")["category"].tolist()
            known = [(v, c) for v, c in codes if v in ("1", "2")]
            category_of.update(dict(zip(known, got, strict=True)))
    # transactions without any sector: categorise their text (title, description) instead
    unsectored = [i for i, r in enumerate(reader.records) if not r["_sectors"]]
    by_text: dict[int, str] = {}
    if unsectored:
        texts = pd.DataFrame(
            {
                "title": [reader.records[i]["title"] or "" for i in unsectored],
                "description": [reader.records[i]["description"] or "" for i in unsectored],
            }
        )
        got = categorise(texts, text=["title", "description"])["category"].tolist()
        by_text = dict(zip(unsectored, got, strict=True))
    rows: list[dict[str, Any]] = []
    plans: dict[Any, tuple[dict[str, list[Any]], tuple[Any, str] | None]] = {}
    for i, rec in enumerate(reader.records):
        value: Decimal = rec["value"]
        exponent = value.as_tuple().exponent
        scale = max(2, -exponent) if isinstance(exponent, int) else 2
        units = int(value.scaleb(scale))
        sectors = rec["_sectors"]
        key = (tuple(sectors), rec["_sector_level"]) if sectors else by_text.get(i, "other")
        if key not in plans:  # transactions of one activity share their sector plan
            plans[key] = _plan(sectors, rec["_sector_level"], category_of, key)
        shares, issue = plans[key]
        if issue is not None:
            reader.problem(rec["source"], rec["_row"], "sector/@percentage", *issue)
        if len(shares) == 1:
            parts = [units]  # one category: the whole value, nothing to split
        else:
            parts = _split_units(units, [e[0] for e in shares.values()])
        whole = sum(e[0] for e in shares.values())
        base = {k: v for k, v in rec.items() if not k.startswith("_") and k != "value"}
        for (cat, (pct, sec_codes, vocs)), part in zip(shares.items(), parts, strict=True):
            row = dict(base)
            row["amount"] = part / 10**scale
            row["transaction_value"] = float(value)
            row["category"] = cat
            row["sector_code"] = ";".join(sec_codes) or None
            row["sector_vocabulary"] = vocs[0] if vocs else None
            row["sector_percentage"] = float(pct * 100 / whole)
            rows.append(row)
    return pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "donor" and c != "recipient"])


def _donors(frame: pd.DataFrame) -> pd.Series:
    names = frame["donor_name"].astype(object)
    refs = frame["donor_ref"].fillna("").astype(str).str.upper()
    by_ref = pd.Series(pd.NA, index=frame.index, dtype=object)
    gov = refs.str.extract(r"^([A-Z]{2})-GOV-", expand=False)
    by_ref = by_ref.mask(gov.notna(), gov.map(_iso2_to_iso3()))
    by_ref = by_ref.mask(refs.str.startswith("XI-IATI-EC"), "EUI")
    need = names[by_ref.isna()].dropna()  # names only where the identifier did not settle it
    unique = need.drop_duplicates()
    by_name = pd.Series(pd.NA, index=frame.index, dtype=object)
    if len(unique):
        coded = donor_codes_or_na(pd.Series(unique.to_numpy(), index=unique.to_numpy()))
        by_name[need.index] = need.map(dict(zip(unique.to_numpy(), coded.to_numpy(), strict=True)))
    return by_ref.fillna(by_name).astype(object)


def read_iati(path_or_dir: str | Path, *, recover: bool = False) -> ReadResult:
    """Read IATI activity XML (one file, or every ``*.xml`` in a folder) into a pledge frame.

    Parameters
    ----------
    path_or_dir
        An IATI ``iati-activities`` file (versions 2.01-2.03; 1.0x transaction codes are
        understood) or a folder of them.
    recover
        ``False`` (default): a file that is not well-formed XML raises
        :class:`aidcalc.InputFileError` naming the file, line and column. ``True``: raw ``&``
        are escaped, activities that still cannot be parsed are skipped, and every repair and
        skip is listed in ``rejected``. Unsafe documents are refused in both modes.

    Returns
    -------
    ReadResult
        ``(frame, rejected)``. ``frame`` has one row per transaction and category share:
        ``donor``, ``donor_name``, ``donor_ref``, ``recipient`` (ISO3), ``recipient_country``
        (ISO2 as published), ``recipient_region``, ``announced`` (transaction date),
        ``value_date`` (the rate date), ``amount``, ``currency``, ``category``,
        ``sector_vocabulary``, ``sector_code``, ``sector_percentage``, ``status``,
        ``transaction_type`` (code) and ``transaction_type_name``, ``transaction_value``,
        ``activity_id``, ``transaction_ref``, ``transaction_index``, ``title``,
        ``description``, ``provider_org``, ``receiver_org``, ``source``. The ``amount`` of a
        transaction's rows add up exactly (to the cent) to ``transaction_value``.
        ``rejected`` lists transactions not taken (no value, no currency) and problems found
        (impossible dates, placeholder value-dates, percentages not adding up to 100,
        repairs made by ``recover=True``).

    Raises
    ------
    InputFileError
        Missing file or folder, unsafe XML (entity declarations, external references),
        not well-formed XML (unless ``recover=True``), or no ``*.xml`` in a folder.

    Examples
    --------
    >>> import tempfile, os
    >>> xml = b'''<iati-activities version="2.03"><iati-activity default-currency="EUR">
    ...  <iati-identifier>XX-1</iati-identifier>
    ...  <reporting-org ref="DE-GOV-1"><narrative>Germany</narrative></reporting-org>
    ...  <recipient-country code="UA"/>
    ...  <sector vocabulary="1" code="15250" percentage="60"/>
    ...  <sector vocabulary="1" code="23630" percentage="40"/>
    ...  <transaction><transaction-type code="2"/><transaction-date iso-date="2023-05-02"/>
    ...   <value value-date="2023-05-01">1000000.01</value></transaction>
    ... </iati-activity></iati-activities>'''
    >>> path = os.path.join(tempfile.mkdtemp(), "a.xml")
    >>> _ = open(path, "wb").write(xml)
    >>> frame, rejected = read_iati(path)
    >>> frame[["donor", "recipient", "amount", "currency", "category", "status"]]
      donor recipient     amount currency    category     status
    0   DEU       UKR  600000.01      EUR    demining  committed
    1   DEU       UKR  400000.00      EUR      energy  committed
    >>> str(frame["value_date"][0].date()), len(rejected)
    ('2023-05-01', 0)
    """
    src = Path(path_or_dir)
    if src.is_dir():
        paths = sorted(p for p in src.iterdir() if p.suffix.lower() == ".xml" and p.is_file())
        if not paths:
            raise InputFileError(
                f"{src}: folder has no *.xml files", path=str(src), reason="no XML files"
            )
    else:
        paths = [check_path(src)]
    reader = _Reader()
    for path in paths:
        if recover:
            reader.recovering(path)
        else:
            reader.strict(path)
    frame = _explode(reader)
    for col in ("announced", "value_date"):
        text = frame[col].astype("string").str.slice(0, 10)
        frame[col] = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        bad = frame[col].isna() & text.notna()
        for src_name, row, value in zip(
            frame.loc[bad, "source"], frame.index[bad], text[bad], strict=True
        ):
            reader.problem(
                src_name,
                f"frame row {row}",
                col,
                value,
                f"{col} {value!r} is not a valid date: left empty",
            )
    frame.insert(0, "donor", _donors(frame))
    iso3 = _iso2_to_iso3()
    single = frame["recipient_country"].where(
        ~frame["recipient_country"].str.contains(";", na=False)
    )
    frame.insert(3, "recipient", single.map(iso3).astype(object))
    frame = frame[list(COLUMNS)]
    frame.attrs["source"] = ", ".join(str(p) for p in paths)
    frame.attrs["format"] = "IATI activity XML"
    rejected = rejected_frame(reader.problems).drop_duplicates(ignore_index=True)
    return ReadResult(frame, rejected)
