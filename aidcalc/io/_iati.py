"""IATI activity XML (versions 1.01-2.03) to a pledge frame.

One row per transaction and category share:

* ``amount`` / ``currency``: ``<value>`` in ``<value @currency>``, else the activity's
  ``@default-currency``, else a ``@default-currency`` on the file's ``<iati-activities>``
  (outside the schema: used, and said in the report); with none, the transaction is
  rejected (no guess). Negative values (reversals, returned funds) are kept as published.
* ``value_date``: ``<value @value-date>``, which IATI defines as the date to use for currency
  conversion (pass ``date="value_date"`` to :func:`aidcalc.convert`); when absent, the
  transaction date is used and the report says so.
* ``announced``: the transaction date; ``status`` from the transaction type (table
  ``_io_iati_transaction_types.csv``, from the IATI TransactionType codelist 2.03 with the
  1.0x letter codes, or written as a name of either codelist where a publisher gave no
  ``@code`` (said in the report): 2/C outgoing commitment -> committed, 3/D disbursement and
  4/E expenditure -> disbursed, 12 outgoing pledge -> pledged; incoming funds, interest,
  repayments, equity and guarantees have no status).
* sectors: the transaction's own sector, else the activity's sectors of one vocabulary (CRS
  5-digit purpose codes preferred, then CRS 3-digit, then the first other vocabulary). Every
  vocabulary of IATI 1.0x (Vocabulary codelist: ``DAC``, ``DAC-3``, ``COFOG``, ...) and 2.0x
  (SectorVocabulary ``1``-``12``, ``98``, ``99``) is known (table
  ``_io_iati_sector_vocabularies.csv``); without ``@vocabulary`` a sector is a CRS 5-digit
  code in both (1.0x ``DAC``, 2.0x ``1``). 5-digit codes are categorised by
  :func:`aidcalc.categorise`, 3-digit codes by the categories of the 5-digit codes under
  them (when they agree); other vocabularies, unknown codes and mixed 3-digit groups give
  ``other`` and the report says so. A transaction with no sector at all is categorised from
  its title and description text. The value is split across categories exactly: in cents,
  by largest remainder, so the parts of a transaction add up to its value to the cent.
  Percentages that do not add up to 100 are normalised and reported.
* ``donor``: from the reporting organisation's identifier (table
  ``datasets/iati_organisation_identifiers.csv``: ``XM-DAC-{DAC code}[-{agency}]`` through
  ``datasets/dac_donor_codes.csv``, ``{ISO2}-GOV-{n}``, ``XI-IATI-EC_*``, the 1.0x agency form
  ``{ISO2}-{n}``, a bare country code, ...), else its name, else the transaction's
  provider-org identifier; ``donor=`` overrides. A name names the donor only when each of
  its parts does ("Germany (BMZ)"), never from initials ("SC (Save the Children)"). A
  transaction whose donor is still unknown is kept with an empty donor and reported, saying
  how to supply it.
  ``recipient``: ISO3 of the recipient country (transaction, else activity).

Everything that was not taken, or taken with a problem, is in the ``rejected`` report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache, lru_cache
from os import PathLike
from pathlib import Path
from typing import IO, Any, NamedTuple
from xml.etree.ElementTree import Element

import pandas as pd

from .._base._errors import InputFileError
from .._real._donors import iso2_to_iso3
from ._common import (
    LEFT_OUT,
    MONEY,
    NOTE,
    ReadResult,
    check_path,
    donor_codes_or_na,
    finish,
    open_source,
    rejected_frame,
    url_scheme,
)
from ._docs import shared_docs
from ._xml import BlockReader, iter_elements, local_name, parse_bytes, repair_text

__all__ = ["read_iati"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_HERE = Path(__file__).resolve().parent
#: root elements of IATI files: activity files (many or one activity), organisation files
_ROOTS = ("iati-activities", "iati-activity", "iati-organisations")
#: an organisation name's parts: the text outside parentheses and inside each pair
_NAME_PARTS = re.compile(r"[()\[\]]")
#: a part that is an identifier, not a name ("(5074)", "(GB-1)")
_IDENT_PART = re.compile(r"[\d\W_]*|[A-Z]{2}-[\w.-]+")
#: IATI OrganisationType codes of public bodies (10 Government, 11 Local Government,
#: 15 Other Public Sector): the only types that confirm a country-form identifier
_PUBLIC_TYPES = frozenset({"10", "11", "15"})

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
    """Code (2.0x number, 1.0x letters) -> (code, name, status)."""
    table = pd.read_csv(_HERE / "_iati_transaction_types.csv", dtype=str, keep_default_na=False)
    out: dict[str, tuple[str, str, str | None]] = {}
    for code, code_v1, name, status in zip(
        table["code"], table["code_v1"], table["name"], table["status"], strict=True
    ):
        entry = (code, name, status or None)
        out[code] = entry
        if code_v1:
            out[code_v1] = entry
    return out


@cache
def _transaction_type_names() -> dict[str, tuple[str, str, str | None]]:
    """Name of a type in the 2.0x or the 1.0x codelist (upper case) -> (code, name, status)."""
    table = pd.read_csv(_HERE / "_iati_transaction_types.csv", dtype=str, keep_default_na=False)
    types = _transaction_types()
    out: dict[str, tuple[str, str, str | None]] = {}
    for code, name, name_v1 in zip(table["code"], table["name"], table["name_v1"], strict=True):
        for text in (name, name_v1):
            if text:
                out[" ".join(text.upper().split())] = types[code]
    return out


def _type_from_text(text: str) -> tuple[str, str, str | None] | None:
    """A transaction type written as a code or as its codelist name, in any letter case."""
    key = " ".join(text.upper().split())
    return _transaction_types().get(key) or _transaction_type_names().get(key)


@cache
def _sector_vocabularies() -> dict[str, tuple[str, str, str]]:
    """Vocabulary code (upper case) -> (kind ``dac5``/``dac3``/``other``, name, IATI version)."""
    table = pd.read_csv(
        _HERE / "_iati_sector_vocabularies.csv", dtype=str, keep_default_na=False
    )
    return {
        code.upper(): (kind, name, version)
        for code, kind, name, version in zip(
            table["code"], table["kind"], table["name"], table["version"], strict=True
        )
    }


@cache
def _crs_codes() -> frozenset[str]:
    from .._base._datasets import read_dataset

    return frozenset(read_dataset("crs_purpose_categories", copy=False)["code"])


@cache
def _dac3_categories() -> dict[str, tuple[str, str | None]]:
    """CRS 3-digit category -> (aidcalc category, note when its 5-digit codes disagree)."""
    from .._base._datasets import read_dataset

    table = read_dataset("crs_purpose_categories", copy=False)
    out: dict[str, tuple[str, str | None]] = {}
    for dac3, cats in table.groupby("dac_category", observed=True)["category"]:
        kinds = sorted(set(cats))
        if len(kinds) == 1:
            out[str(dac3)] = (kinds[0], None)
        else:
            out[str(dac3)] = (
                "other",
                f"the CRS 3-digit code {dac3} covers purpose codes of several categories "
                f"({', '.join(kinds)}): categorised 'other'; publish the 5-digit code",
            )
    return out


@cache
def _org_schemes() -> tuple[tuple[str, re.Pattern[str], str, str], ...]:
    from .._base._datasets import read_dataset

    table = read_dataset("iati_organisation_identifiers", copy=False)
    return tuple(
        (scheme, re.compile(pattern), donor, evidence)
        for scheme, pattern, donor, evidence in zip(
            table["scheme"], table["pattern"], table["donor"], table["evidence"], strict=True
        )
    )


@cache
def _dac_donors() -> dict[str, tuple[str, str]]:
    from .._base._datasets import read_dataset

    table = read_dataset("dac_donor_codes", copy=False)
    return {
        code: (donor, name)
        for code, donor, name in zip(table["dac_code"], table["donor"], table["name"], strict=True)
    }


@lru_cache(maxsize=4096)
def org_donor(ref: str | None, org_type: str | None = None) -> tuple[str | None, str]:
    """The donor code an IATI organisation identifier names, and why (or why not).

    The identifier schemes of ``datasets/iati_organisation_identifiers.csv`` are tried in
    order; the first that matches decides. A scheme whose form other organisations also use
    (the 1.0x agency form ``{ISO2}-{n}``, a bare country code) is overruled by an
    organisation ``@type`` that is not public (10, 11, 15).

    Examples
    --------
    >>> org_donor("XM-DAC-301-2")
    ('CAN', 'XM-DAC-301-2: DAC donor code 301 (Canada)')
    >>> org_donor("CA-3")[0], org_donor("GB-GOV-1")[0], org_donor("US")[0]
    ('CAN', 'GBR', 'USA')
    >>> org_donor("XI-IATI-EC_DEVCO")[0], org_donor("XM-DAC-918")[0], org_donor("XM-DAC-918-3")[0]
    ('EUI', 'EUI', 'EIB')
    >>> print(org_donor("XM-DAC-41114")[1])
    'XM-DAC-41114': the DAC code 41114 is not a donor country or the EU institutions (a
    multilateral or other organisation)
    >>> org_donor("GB-1", "22")[0] is None
    True
    """
    ident = (ref or "").strip().upper()
    if not ident:
        return None, "the organisation has no identifier (@ref)"
    for scheme, pattern, fixed, evidence in _org_schemes():
        match = pattern.match(ident)
        if match is None:
            continue
        groups = match.groupdict()
        if evidence == "type" and org_type and org_type.strip() not in _PUBLIC_TYPES:
            return None, (
                f"{ident!r} has the form of an official agency identifier ({scheme}), but the "
                f"organisation @type={org_type.strip()} says it is not a public body"
            )
        if fixed:
            return fixed, f"{ident}: {scheme} identifier"
        if groups.get("dac"):
            dac = groups["dac"]
            found = _dac_donors().get(dac)
            if found is None:
                return None, (
                    f"{ident!r}: the DAC code {dac} is not a donor country or the EU "
                    "institutions (a multilateral or other organisation)"
                )
            return found[0], f"{ident}: DAC donor code {dac} ({found[1]})"
        iso2 = groups.get("iso2") or ""
        iso3 = iso2_to_iso3().get(iso2)
        if iso3 is None:
            return None, f"{ident!r}: {iso2!r} is not an ISO 3166 country code"
        return iso3, f"{ident}: {scheme} identifier of {iso2}"
    return None, (
        f"{ident!r} is not an identifier of a government or official agency (no scheme of "
        "datasets/iati_organisation_identifiers.csv matches)"
    )


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


def _vocabulary_kind(vocabulary: str) -> str | None:
    entry = _sector_vocabularies().get(vocabulary.upper())
    return entry[0] if entry else None


def _sectors(elem: Element, default: str) -> list[tuple[str, str, str | None]]:
    return [
        (
            (s.get("vocabulary") or "").strip() or default,
            (s.get("code") or "").strip(),
            s.get("percentage"),
        )
        for s in _children(elem, "sector")
        if (s.get("code") or "").strip()
    ]


def _pick_vocabulary(
    sectors: list[tuple[str, str, str | None]],
) -> list[tuple[str, str, str | None]]:
    if not sectors:
        return []
    kinds = [_vocabulary_kind(v) for v, _, _ in sectors]
    chosen = next(
        (sectors[kinds.index(k)][0] for k in ("dac5", "dac3") if k in kinds), sectors[0][0]
    )
    return [s for s in sectors if s[0] == chosen]


class _Donors:
    """Donor of each transaction: ``donor=`` override, identifier, name, provider-org."""

    def __init__(self, override: str | Mapping[str, str] | None) -> None:
        from .._real._donors import donor_code

        self.fixed: str | None = None
        self.by_key: dict[str, str] = {}
        if isinstance(override, str):
            self.fixed = donor_code(override)
        elif override is not None:
            self.by_key = {str(k).strip().upper(): donor_code(v) for k, v in override.items()}
        self._names: dict[str, str | None] = {}

    def _by_name(self, name: str | None) -> str | None:
        """The donor an organisation's name names, when the whole name and each part of it
        (outside and inside parentheses; bare numbers aside) name the same one.

        An organisation's name is not a press headline: in "SC (Save the Children)" or
        "CW (Concern Worldwide)" the leading letters are the organisation's initials, not
        the ISO codes of the Seychelles or Curacao, so a part that names no donor (or
        another one) leaves the donor unknown rather than taken from the other part."""
        if not name:
            return None
        if name not in self._names:
            parts = [p.strip() for p in _NAME_PARTS.split(name)]
            parts = [p for p in parts if p and not _IDENT_PART.fullmatch(p)]
            found = donor_codes_or_na(pd.Series([name, *parts]))
            codes = set(found)
            single = len(codes) == 1 and not found.isna().any()
            self._names[name] = str(found.iloc[0]) if single else None
        return self._names[name]

    @cache  # noqa: B019 - one resolver per read, few distinct organisations
    def resolve(
        self,
        ref: str | None,
        org_type: str | None,
        name: str | None,
        provider_ref: str | None,
        provider_type: str | None,
    ) -> tuple[str | None, tuple[str, Any, str] | None]:
        """(donor, problem (column, value, reason) or None)."""
        if self.fixed is not None:
            return self.fixed, None
        for key in (ref, name, provider_ref):
            if key and key.strip().upper() in self.by_key:
                return self.by_key[key.strip().upper()], None
        code, why = org_donor(ref, org_type)
        if code is not None:
            return code, None
        code = self._by_name(name)
        if code is not None:
            return code, None
        if provider_ref:
            code, _ = org_donor(provider_ref, provider_type)
            if code is not None:
                return code, (
                    "provider-org/@ref",
                    provider_ref,
                    f"the reporting organisation names no donor ({why}); donor {code} taken "
                    f"from the transaction's provider-org {provider_ref!r}",
                )
        who = f"{name} ({ref})" if name and ref else (name or ref or "(no name or @ref)")
        key = ref or name or "<identifier>"
        return None, (
            "reporting-org/@ref",
            ref,
            f"no donor for the reporting organisation {who}: {why}; donor left empty. Supply "
            f"it with read_iati(..., donor={{{key!r}: '<donor code>'}}) (or donor='<code>' "
            "for the whole file)",
        )


class _Activity(NamedTuple):
    """What every transaction of one activity takes from it."""

    source: str
    label: str  # "activity <iati-identifier>", for the report
    ident: str | None
    lang: str | None
    default_vocabulary: str
    default_currency: str | None
    file_currency: bool  # the default currency is the file's (iati-activities), not the activity's
    donor_name: str | None
    donor_ref: str | None
    donor_type: str | None
    title: str | None
    description: str | None
    generated_dates: set[str]  # a value-date equal to one of these is a placeholder
    countries: list[str]
    regions: list[str]
    sectors: list[tuple[str, str, str | None]]


def _codes(elem: Element, name: str, *, upper: bool = False) -> list[str]:
    """The ``@code`` of each ``name`` child (recipient countries or regions), trimmed."""
    codes = [(c.get("code") or "").strip() for c in _children(elem, name)]
    return [c.upper() for c in codes] if upper else codes


def _activity_context(act: Element, root: Element | None, source: str) -> _Activity:
    lang = act.get(_XML_LANG)
    version = act.get("version") or (root.get("version") if root is not None else "") or ""
    default_vocabulary = "DAC" if version.strip().startswith("1") else "1"
    ident_elem = _child(act, "iati-identifier")
    ident = (ident_elem.text or "").strip() if ident_elem is not None else None
    reporting = _child(act, "reporting-org")
    own_currency = (act.get("default-currency") or "").strip().upper() or None
    file_currency = (
        (root.get("default-currency") or "").strip().upper() or None if root is not None else None
    )
    stamps = (
        act.get("generated-datetime"),
        act.get("last-updated-datetime"),
        root.get("generated-datetime") if root is not None else None,
    )
    return _Activity(
        source=source,
        label=f"activity {ident or '(no iati-identifier)'}",
        ident=ident,
        lang=lang,
        default_vocabulary=default_vocabulary,
        default_currency=own_currency or file_currency,
        file_currency=own_currency is None and file_currency is not None,
        donor_name=_narrative(reporting, lang),
        donor_ref=reporting.get("ref") if reporting is not None else None,
        donor_type=reporting.get("type") if reporting is not None else None,
        title=_narrative(_child(act, "title"), lang),
        description=_narrative(_child(act, "description"), lang),
        generated_dates={(d or "")[:10] for d in stamps if d},
        countries=_codes(act, "recipient-country", upper=True),
        regions=_codes(act, "recipient-region"),
        sectors=_sectors(act, default_vocabulary),
    )


class _Reader:
    """Collects transaction records and problems over one or more files."""

    def __init__(self, donors: _Donors) -> None:
        self.records: list[dict[str, Any]] = []
        self.problems: list[dict[str, Any]] = []
        self.donors = donors

    def problem(
        self,
        source: str,
        row: str,
        column: str | None,
        value: Any,
        reason: str,
        *,
        kept: bool | None = None,
        kind: str | None = None,
    ) -> None:
        """One report entry. ``kind``: ``MONEY`` by default (a kept row whose amount,
        currency, date or status was left empty or changed), ``NOTE`` where the caller
        says the money is as the file has it; ``kept=False`` or a reason saying that the
        transaction, activity or file was not taken is ``LEFT_OUT``."""
        if kept is None:
            kept = not reason.startswith(
                ("transaction rejected", "activity skipped", "no readable", "file skipped")
            )
        self.problems.append(
            {
                "source": source,
                "row": row,
                "column": column,
                "value": value,
                "reason": reason,
                "kind": LEFT_OUT if not kept else (kind or MONEY),
            }
        )

    # -- one activity ------------------------------------------------------------------------
    def activity(self, act: Element, root: Element | None, source: str) -> None:
        ctx = _activity_context(act, root, source)
        self._impossible_dates(act, ctx)
        transactions = _children(act, "transaction")
        if not transactions:
            self.problem(
                source,
                ctx.label,
                "transaction",
                None,
                "activity has no <transaction>: nothing read from it (budgets and planned "
                "disbursements are not transactions)",
                kept=False,
            )
        for k, tx in enumerate(transactions, start=1):
            self.transaction(ctx, k, tx)

    def _impossible_dates(self, act: Element, ctx: _Activity) -> None:
        """Impossible dates anywhere in the activity: reported, never silently used."""
        for elem in act.iter():
            iso = elem.get("iso-date")
            if iso is not None and not _valid_date(iso.strip()):
                where = local_name(elem.tag)
                self.problem(
                    ctx.source,
                    ctx.label,
                    f"{where}/@iso-date",
                    iso,
                    f"not a valid date: {where} @iso-date {iso!r} ignored",
                    kind=NOTE,  # a transaction's own dates are reported again, as money
                )

    def transaction(self, ctx: _Activity, k: int, tx: Element) -> None:
        """One transaction: type -> value and currency -> dates -> place, sectors, donor ->
        the record (or the reason it is rejected)."""
        row = f"{ctx.label}, transaction {k}"
        code_entry = self._type(ctx.source, row, tx)
        money = self._value(ctx, row, tx)
        if money is None:
            return
        value, value_elem, currency = money
        tx_date, value_date = self._dates(ctx, row, tx, value_elem)
        tx_countries = _codes(tx, "recipient-country", upper=True)
        tx_regions = _codes(tx, "recipient-region")
        countries = tx_countries or ctx.countries
        regions = tx_regions if (tx_countries or tx_regions) else ctx.regions
        tx_sectors = _sectors(tx, ctx.default_vocabulary)
        provider = _child(tx, "provider-org")
        donor, issue = self.donors.resolve(
            ctx.donor_ref,
            ctx.donor_type,
            ctx.donor_name,
            provider.get("ref") if provider is not None else None,
            provider.get("type") if provider is not None else None,
        )
        if issue is not None:
            self.problem(ctx.source, row, *issue, kind=NOTE)  # donor_name is kept
        self.records.append(
            {
                "donor": donor,
                "donor_name": ctx.donor_name,
                "donor_ref": ctx.donor_ref,
                "recipient_country": ";".join(c for c in countries if c) or None,
                "recipient_region": ";".join(r for r in regions if r) or None,
                "announced": tx_date or None,
                "value_date": value_date or None,
                "value": value,
                "currency": currency,
                "status": code_entry[2],
                "transaction_type": code_entry[0],
                "transaction_type_name": code_entry[1],
                "activity_id": ctx.ident,
                "transaction_ref": tx.get("ref"),
                "transaction_index": k,
                "title": ctx.title,
                "description": _narrative(_child(tx, "description"), ctx.lang)
                or ctx.description
                or ctx.title,
                "provider_org": _org(provider, ctx.lang),
                "receiver_org": _org(_child(tx, "receiver-org"), ctx.lang),
                "source": ctx.source,
                "_sectors": _pick_vocabulary(tx_sectors or ctx.sectors),
                "_sector_level": "transaction" if tx_sectors else "activity",
                "_row": row,
            }
        )

    def _type(
        self, source: str, row: str, tx: Element
    ) -> tuple[str | None, str | None, str | None]:
        """(code, name, status) of the transaction type; an unknown code is kept, reported.

        ``transaction-type/@code`` (a 2.0x number or 1.0x letters), else the type written as
        text: the element's own text (1.0x publishers wrote ``Disbursement`` without a
        code), else the draft ``transaction/@type`` of pre-1.0 files (``commitment``), each
        read as a code or a name of either codelist; a type read from text is said."""
        type_elem = _child(tx, "transaction-type")
        code = (type_elem.get("code") or "").strip() if type_elem is not None else ""
        entry = _type_from_text(code) if code else None
        if entry is not None:
            return entry
        if not code:
            texts = (
                ("transaction-type", (type_elem.text or "") if type_elem is not None else ""),
                ("transaction/@type", tx.get("type") or ""),
            )
            for where, text in texts:
                entry = _type_from_text(text) if text.strip() else None
                if entry is not None:
                    self.problem(
                        source, row, where, text.strip(),
                        f"transaction type written as text ({where} {text.strip()!r}, no "
                        f"@code): read as {entry[0]} ({entry[1]})",
                        kind=NOTE,
                    )
                    return entry
        self.problem(
            source,
            row,
            "transaction-type/@code",
            code or None,
            "unknown or missing transaction type code: status left empty",
        )
        return (code or None, None, None)

    def _value(
        self, ctx: _Activity, row: str, tx: Element
    ) -> tuple[Decimal, Element, str] | None:
        """(value, the <value> element, currency), or None with the reason it is rejected."""
        value_elem = _child(tx, "value")
        value_text = (value_elem.text or "").strip() if value_elem is not None else ""
        try:
            value = Decimal(value_text) if value_text else None
            if value is not None and not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            reason = "transaction rejected: the value is not a number"
            self.problem(ctx.source, row, "value", value_text[:100], reason)
            return None
        if value is None or value_elem is None:
            self.problem(ctx.source, row, "value", None, "transaction rejected: no <value>")
            return None
        own = (value_elem.get("currency") or "").strip().upper()
        currency = own or ctx.default_currency
        if not currency:
            self.problem(
                ctx.source,
                row,
                "value/@currency",
                value_text,
                "transaction rejected: no currency (the <value> has no @currency and neither "
                "the activity nor the file has a @default-currency); add one, aidcalc does not "
                "guess",
            )
            return None
        if not own and ctx.file_currency:
            self.problem(
                ctx.source,
                row,
                "iati-activities/@default-currency",
                currency,
                f"currency {currency} from the file's <iati-activities @default-currency> "
                "(the IATI schema puts it on each <iati-activity>): the value has no "
                "@currency and the activity no @default-currency",
                kind=NOTE,
            )
        return value, value_elem, currency

    def _dates(
        self, ctx: _Activity, row: str, tx: Element, value_elem: Element
    ) -> tuple[str, str]:
        """(transaction date, value date): a missing value-date is the transaction date; one
        that is the file's generation date is reported as a probable placeholder."""
        date_elem = _child(tx, "transaction-date")
        tx_date = ""
        if date_elem is not None:  # 1.0x publishers sometimes wrote the date as text
            tx_date = (date_elem.get("iso-date") or date_elem.text or "").strip()
        value_date = (value_elem.get("value-date") or "").strip()
        if not value_date:
            self.problem(
                ctx.source,
                row,
                "value/@value-date",
                None,
                "no value-date: the transaction date is used as the rate date",
                kind=NOTE,  # the standard's meaning of a missing value-date
            )
            return tx_date, tx_date
        if (
            _valid_date(value_date)
            and _valid_date(tx_date)
            and value_date[:10] in ctx.generated_dates
            and value_date[:10] != tx_date[:10]
        ):
            self.problem(
                ctx.source,
                row,
                "value/@value-date",
                value_date,
                f"value-date {value_date} equals the file's generation date, not the "
                f"transaction date {tx_date}: probably a placeholder; check the rate "
                "date before converting",
                kind=NOTE,  # flagged, not changed
            )
        return tx_date, value_date

    # -- one file ----------------------------------------------------------------------------
    def _no_activities(self, source: str, root_name: str | None) -> None:
        if root_name == "iati-organisations":
            reason = (
                "file skipped: an IATI organisation file (<iati-organisations>) has budgets, "
                "not activities; read_iati reads activity files (<iati-activities>)"
            )
        else:
            reason = "no readable <iati-activity> found: file skipped"
        self.problem(source, "line 1", None, None, reason, kept=False)

    def strict(self, path: Path, label: str | None = None) -> None:
        source = label or str(path)
        roots: list[Element] = []
        found = 0
        for act, root in iter_elements(path, "iati-activity", roots=_ROOTS, on_root=roots.append):
            found += 1
            self.activity(act, root, source)
        if not found:
            self._no_activities(source, local_name(roots[0].tag) if roots else None)

    def recovering(self, path: Path, label: str | None = None) -> None:
        source = label or str(path)
        blocks = BlockReader(path, "iati-activity", name=source, roots=_ROOTS)
        if blocks.root_name == "iati-organisations":
            blocks.close()
            self._no_activities(source, blocks.root_name)
            return
        found = False
        for block in blocks:
            if block.data is None:
                lost = block.kind in ("truncated", "unterminated", "broken-start")
                self.problem(
                    source,
                    f"line {block.line}",
                    "iati-activity",
                    None,
                    f"activity skipped: {block.problem}" if lost else str(block.problem),
                    kept=block.kind == "stray-end",
                    kind=NOTE,  # a stray end tag: no data lost
                )
                found = True
                continue
            found = True
            fixed, repairs = repair_text(block.data, first_line=block.line)
            for p in repairs:
                self.problem(
                    source, f"line {p.line}", None, None, f"column {p.column}: {p.reason}",
                    kind=NOTE,  # a repaired character (a raw & escaped): no value changed
                )
            try:
                wrapper = parse_bytes(
                    blocks.wrap(fixed),
                    name=source,
                    line_offset=block.line - 1 - blocks.prefix_lines,
                    trusted_prolog=True,  # BlockReader's own declaration, no DOCTYPE
                )
            except InputFileError as exc:
                reason = exc.fields["reason"]
                if reason == "unsafe XML":
                    raise  # recovering never relaxes safety
                self.problem(
                    source,
                    f"line {block.line}",
                    "iati-activity",
                    None,
                    f"activity skipped: {reason} (line {exc.fields.get('line')}, column "
                    f"{exc.fields.get('column')})",
                    kept=False,
                )
                continue
            inner = wrapper if blocks.root_name == "iati-activity" else None
            if inner is None:
                inner = _child(wrapper, "iati-activity")
            if inner is not None:
                self.activity(inner, wrapper, source)
        if not found:
            self._no_activities(source, blocks.root_name)


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
    if any(p < 0 for p in pcts) or not all(p.denominator and abs(p) < 10**6 for p in pcts):
        if len(sectors) > 1:
            issue = (None, "sectors without (valid) percentages: split equally")
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


def _sector_categories(
    codes: list[tuple[str, str]],
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], tuple[str, str]]]:
    """(vocabulary, code) -> category, and -> (column, reason) where the result needs a word."""
    from .._pledges._categories import categorise

    crs = _crs_codes()
    dac3 = _dac3_categories()
    vocabularies = _sector_vocabularies()
    category_of: dict[tuple[str, str], str] = {}
    notes: dict[tuple[str, str], tuple[str, str]] = {}
    five: list[tuple[str, str]] = []
    for voc, code in codes:
        entry = vocabularies.get(voc.upper())
        if entry is None:
            category_of[(voc, code)] = "other"
            notes[(voc, code)] = (
                "sector/@vocabulary",
                f"unknown sector vocabulary {voc!r} (not in the IATI 1.0x Vocabulary or 2.0x "
                "SectorVocabulary codelists): categorised 'other'",
            )
            continue
        kind, name, _version = entry
        if kind == "other":
            category_of[(voc, code)] = "other"
            notes[(voc, code)] = (
                "sector/@vocabulary",
                f"sector vocabulary {voc!r} ({name}) is not the OECD DAC CRS purpose list: "
                "categorised 'other'",
            )
        elif code in crs:
            five.append((voc, code))
            if kind == "dac3":
                notes[(voc, code)] = (
                    "sector/@code",
                    f"the 5-digit CRS purpose code {code} under the 3-digit vocabulary {voc!r}: "
                    "read as the 5-digit code",
                )
        elif code in dac3:
            category_of[(voc, code)], mixed = dac3[code]
            if kind == "dac5":
                notes[(voc, code)] = (
                    "sector/@code",
                    f"{code} under the 5-digit vocabulary {voc!r} is a CRS 3-digit code: read "
                    "as one" + (f"; {mixed}" if mixed else ""),
                )
            elif mixed:
                notes[(voc, code)] = ("sector/@code", mixed)
        else:
            category_of[(voc, code)] = "other"
            notes[(voc, code)] = (
                "sector/@code",
                f"{code!r} is not an OECD DAC CRS purpose code (vocabulary {voc!r}, {name}): "
                "categorised 'other'",
            )
    if five:
        probe = pd.DataFrame({"purpose_code": [c for _, c in five]})
        got = categorise(probe, purpose_code="purpose_code")["category"].tolist()
        category_of.update(dict(zip(five, got, strict=True)))
    return category_of, notes


def _explode(reader: _Reader) -> pd.DataFrame:
    """One row per transaction and category; amounts split exactly in cents."""
    from .._pledges._categories import categorise

    codes = sorted({(voc, code) for r in reader.records for voc, code, _ in r["_sectors"]})
    category_of, notes = _sector_categories(codes)
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
        for voc, code, _ in sectors:
            note = notes.get((voc, code))
            if note is not None:
                reader.problem(  # the category, not the money
                    rec["source"], rec["_row"], note[0], f"{voc}:{code}", note[1], kind=NOTE
                )
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
    return pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "recipient"])


@shared_docs
def read_iati(
    path_or_dir: str | PathLike[str] | IO[bytes],
    *,
    recover: bool = False,
    donor: str | Mapping[str, str] | None = None,
    storage_options: Mapping[str, Any] | None = None,
    return_rejected: bool = False,
) -> pd.DataFrame | ReadResult:
    """Read IATI activity XML (one file, or every ``*.xml`` in a folder) into a pledge frame.

    Parameters
    ----------
    path_or_dir
        An IATI ``iati-activities`` file (versions 1.01-2.03) or a folder of them.
    recover
        ``False`` (default): a file that is not well-formed XML raises
        :class:`aidcalc.InputFileError` naming the file, line and column. ``True``: the file
        is read activity by activity (streaming, in time linear in its size): raw ``&`` are
        escaped, activities that still cannot be parsed (and the last one of a truncated file)
        are skipped, and every repair and skip is listed in ``rejected`` with its line. Unsafe
        documents are refused in both modes.
    donor
        Who the donor is where the file does not say it in a form aidcalc knows: a donor code
        or name for every transaction (``"CAN"``), or a mapping from organisation identifier
        (``reporting-org/@ref`` or ``provider-org/@ref``) or reporting-org name to donor code
        or name (``{"XM-DAC-41114": "USA"}``). It wins over what the file says.

    %(storage_options)s
    %(return_rejected)s

    Returns
    -------
    DataFrame or ReadResult
        The frame, or ``(frame, rejected)`` with ``return_rejected=True``. ``frame`` has
        one row per transaction and category share:
        ``donor``, ``donor_name``, ``donor_ref``, ``recipient`` (ISO3), ``recipient_country``
        (ISO2 as published), ``recipient_region``, ``announced`` (transaction date),
        ``value_date`` (the rate date), ``amount``, ``currency``, ``category``,
        ``sector_vocabulary``, ``sector_code``, ``sector_percentage``, ``status``,
        ``transaction_type`` (code) and ``transaction_type_name``, ``transaction_value``,
        ``activity_id``, ``transaction_ref``, ``transaction_index``, ``title``,
        ``description``, ``provider_org``, ``receiver_org``, ``source``. The ``amount`` of a
        transaction's rows add up exactly (to the cent) to ``transaction_value``.
        ``rejected`` lists transactions and activities not taken (no value, no currency, no
        transaction, unreadable) and problems found (no donor, sector vocabularies that are
        not CRS purpose codes, impossible dates, placeholder value-dates, percentages not
        adding up to 100, repairs made by ``recover=True``).

    Raises
    ------
    InputFileError
        Missing file or folder, not XML (e.g. ``/dev/zero``, a spreadsheet), XML that is not
        IATI (the root element is named), an unknown encoding, unsafe XML (entity
        declarations, external references), a value longer than 32 MB, not well-formed XML
        (unless ``recover=True``), or no ``*.xml`` in a folder.
    UnknownDonorError
        A ``donor=`` value that is not a donor aidcalc knows.

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
    >>> frame, rejected = read_iati(path, return_rejected=True)
    >>> frame[["donor", "recipient", "amount", "currency", "category", "status"]]
      donor recipient     amount currency    category     status
    0   DEU       UKR  600000.01      EUR    demining  committed
    1   DEU       UKR  400000.00      EUR      energy  committed
    >>> str(frame["value_date"][0].date()), len(rejected)
    ('2023-05-01', 0)

    IATI 1.0x: letter transaction types, the ``DAC`` sector vocabulary, agency identifiers:

    >>> old = b'''<iati-activities version="1.03"><iati-activity default-currency="CAD">
    ...  <iati-identifier>CA-3-A1</iati-identifier>
    ...  <reporting-org ref="CA-3" type="10">Global Affairs Canada</reporting-org>
    ...  <sector vocabulary="DAC" code="72050"/>
    ...  <transaction><transaction-type code="C"/><transaction-date iso-date="2014-03-01"/>
    ...   <value value-date="2014-03-01">500000</value></transaction>
    ... </iati-activity></iati-activities>'''
    >>> _ = open(path, "wb").write(old)
    >>> read_iati(path)[["donor", "amount", "category", "status"]]
      donor    amount      category     status
    0   CAN  500000.0  humanitarian  committed
    """
    local = isinstance(path_or_dir, (str, PathLike)) and url_scheme(path_or_dir) is None
    if local and storage_options is None:  # a file or folder: read in place (streams guarded)
        where = Path(path_or_dir)  # type: ignore[arg-type]  # str or PathLike here
        if not where.is_dir():
            where = check_path(path_or_dir)
        return _read_iati(where, None, recover, donor, return_rejected)
    # a URL or a file object: downloaded / copied to a temporary file, then read the same way
    with open_source(path_or_dir, storage_options=storage_options) as s:
        return _read_iati(s.path, s.label, recover, donor, return_rejected)


def _read_iati(
    src: Path,
    label: str | None,
    recover: bool,
    donor: str | Mapping[str, str] | None,
    return_rejected: bool,
) -> pd.DataFrame | ReadResult:
    if src.is_dir():
        paths = sorted(p for p in src.iterdir() if p.suffix.lower() == ".xml" and p.is_file())
        if not paths:
            raise InputFileError(
                f"{src}: folder has no *.xml files", path=str(src), reason="no XML files"
            )
    else:
        paths = [check_path(src)]
    reader = _Reader(_Donors(donor))
    for path in paths:
        if recover:
            reader.recovering(path, label)
        else:
            reader.strict(path, label)
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
    frame["donor"] = frame["donor"].astype(object)
    iso3 = iso2_to_iso3()
    single = frame["recipient_country"].where(
        ~frame["recipient_country"].str.contains(";", na=False)
    )
    frame.insert(3, "recipient", single.map(iso3).astype(object))
    frame = frame[list(COLUMNS)]
    frame.attrs["source"] = label or ", ".join(str(p) for p in paths)
    frame.attrs["format"] = "IATI activity XML"
    rejected = rejected_frame(reader.problems).drop_duplicates(ignore_index=True)
    return finish(ReadResult(frame, rejected), return_rejected, reader="read_iati")
