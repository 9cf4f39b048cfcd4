"""Serial numbers as registries write them, decoded into a range of one issuance.

Pure: no Flask, no database.

Each scheme's ``serial_format`` (``data/schemes.csv``) names one parser in :data:`PARSERS`: a new
scheme with a known layout is a new row; a new layout is a new parser here. Parsers are strict
about structure and tolerant only of surrounding whitespace. A serial we cannot read is refused
with a message saying what was expected, never guessed at, because a misread range can hide a
double count or invent one.

Sources: Verra VCS-02 and Gold Standard GS-02 (``research/anchors-standards.md`` §7), checked
against every row of the registry samples and of the real-world exports beside them (Verra's
pre-2017 layout, Gold Standard serials without "GS" before the project code); GEC: anchors §6.1
and ``anchors-systems.md`` §4.4; CDM CER: the Kyoto Data Exchange Standards (CER-01).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from neutrality.errors import InvalidInput, SettingsError
from neutrality.messages import Msg
from neutrality.registry import schemes
from neutrality.registry.model import ParsedSerial, Scheme


class SerialError(InvalidInput):
    """A serial number that does not follow its scheme's layout."""

    code = "invalid_serial"

    def __init__(self, message: str, details: Mapping[str, Any] | None = None):
        super().__init__(message, details or {"serial": [message]})


Parser = Callable[[Scheme, str], ParsedSerial]

# ASCII only: str.isdigit() also accepts '²' and full-width digits, which no registry writes.
_DIGITS = re.compile(r"[0-9]+")
_LETTERS = re.compile(r"[A-Z]+")
_COUNTRY = re.compile(r"[A-Z]{2}")  # ISO 3166-1 alpha-2, as every sample writes it (upper case)


def parse_serial(scheme: Scheme | str, raw: str) -> ParsedSerial:
    """Decode ``raw`` (a serial or serial range of ``scheme``, a code or a :class:`Scheme`)."""
    found = scheme if isinstance(scheme, Scheme) else schemes.scheme(scheme)
    text = raw.strip()
    if not text:
        raise SerialError(
            Msg("the {scheme} serial is empty; expected the serial number or range as the registry shows it", scheme=found.code)
        )
    parser = PARSERS.get(found.serial_format)
    if parser is None:
        # A scheme row naming a layout nobody wrote a parser for is a shipping error, not bad input.
        raise SettingsError(
            f"scheme {found.code} has serial format '{found.serial_format}', which no parser reads; "
            f"known formats: {', '.join(sorted(PARSERS))}"
        )
    return parser(found, text)


#: The parts of a serial and what each should be, as the refusals name them (looked up only
#: when a serial is refused: parsing a million rows makes none of them).
_WORDS = {
    "0 or 1": Msg("0 or 1"),
    "GS followed by digits, as in GS1-1": Msg("GS followed by digits, as in GS1-1"),
    "LULUCF activity": Msg("LULUCF activity"),
    "a two-letter ISO 3166 code such as CN": Msg("a two-letter ISO 3166 code such as CN"),
    "a two-letter ISO 3166 code such as KE": Msg("a two-letter ISO 3166 code such as KE"),
    "applicable commitment period": Msg("applicable commitment period"),
    "batch": Msg("batch"),
    "block id": Msg("block id"),
    "capital letters such as APX or MER": Msg("capital letters such as APX or MER"),
    "capital letters such as VCS": Msg("capital letters such as VCS"),
    "capital letters such as VCU": Msg("capital letters such as VCU"),
    "capital letters such as VER": Msg("capital letters such as VER"),
    "country": Msg("country"),
    "digits": Msg("digits"),
    "digits (0 for none)": Msg("digits (0 for none)"),
    "digits, as in GS1-1": Msg("digits, as in GS1-1"),
    "four digits such as 2025": Msg("four digits such as 2025"),
    "issuance number": Msg("issuance number"),
    "label flag": Msg("label flag"),
    "one digit (5 for a CER)": Msg("one digit (5 for a CER)"),
    "original commitment period": Msg("original commitment period"),
    "party": Msg("party"),
    "prefix": Msg("prefix"),
    "programme": Msg("programme"),
    "project": Msg("project"),
    "project code": Msg("project code"),
    "project id": Msg("project id"),
    "registry": Msg("registry"),
    "second part": Msg("second part"),
    "sectoral scope": Msg("sectoral scope"),
    "series": Msg("series"),
    "seventh part": Msg("seventh part"),
    "the GSID, with or without GS before it, such as GS11603": Msg("the GSID, with or without GS before it, such as GS11603"),
    "track": Msg("track"),
    "unit type": Msg("unit type"),
    "vintage year": Msg("vintage year"),
    "end": Msg("end"),
    "serial": Msg("serial"),
    "start": Msg("start"),
    "vintage end": Msg("vintage end"),
    "vintage start": Msg("vintage start"),
    "a whole number (digits only)": Msg("a whole number (digits only)"),
    "project filing code": Msg("project filing code"),
    "production month": Msg("production month"),
    "electricity category": Msg("electricity category"),
    "trade category": Msg("trade category"),
    "lulucf activity": Msg("lulucf activity"),
}


def _word(text: Any) -> Any:
    return _WORDS.get(text, text)


# --- shared checks ---------------------------------------------------------------------------


def _require(pattern: re.Pattern[str], text: str, what: str, expected: str, context: str) -> str:
    if not pattern.fullmatch(text):
        raise SerialError(Msg("{what} '{value}' in {context} is not valid; expected {expected}", what=_word(what), value=text,
                              context=context, expected=_word(expected)))
    return text


def _unit_number(text: str, what: str, context: str, *, minimum: int) -> int:
    """A unit number; ``minimum`` is the lowest the layout allows (Verra and GS count from 1)."""
    _require(_DIGITS, text, what, "a whole number (digits only)", context)
    value = int(text)
    if value < minimum:
        raise SerialError(Msg("{what} {value} in {context} is below {minimum}; expected a number from {minimum}",
                              what=_word(what), value=text, context=context, minimum=minimum))
    return value


def _check_range(start: int, end: int, context: str) -> None:
    if end < start:
        raise SerialError(
            Msg("end {end} is before start {start} in {context}; expected the lower serial first",
                end=end, start=start, context=context)
        )


def _check_vintage(start: dt.date, end: dt.date, context: str) -> None:
    if end < start:
        raise SerialError(
            Msg("vintage end {end} is before vintage start {start} in {context}; "
                "expected the vintage to start on or before its end", end=end.isoformat(),
                start=start.isoformat(), context=context)
        )


def _ddmmyyyy(text: str, what: str, context: str) -> dt.date:
    day = _ddmmyyyy_day(text)
    if day is not None:
        return day
    raise SerialError(
        Msg("{what} {value} is not a date (DDMMYYYY) in {context}; expected a real day such as 01012022 "
            "for 1 January 2022", what=_word(what), value=text, context=context)
    )


@functools.lru_cache(maxsize=4096)
def _ddmmyyyy_day(text: str) -> dt.date | None:
    # A million serials carry a few hundred distinct vintage dates: each is read once.
    if re.fullmatch(r"[0-9]{8}", text):
        try:
            return dt.date(int(text[4:]), int(text[2:4]), int(text[:2]))
        except ValueError:
            return None
    return None


# --- Verra ------------------------------------------------------------------------------------

#: Verra's serial, part by part (VCS-02), as Verra has written it since 2017.
VERRA_LAYOUT = (
    "block id", "start", "end", "VCS", "VCU", "issuance", "VER", "country", "sectoral scope",
    "project", "vintage start DDMMYYYY", "vintage end", "label flag",
)
#: The layout of units issued through the APX and Markit (MER) registries before Verra ran its own
#: registry: no programme part, the unit type first and the issuing registry where VER now stands
#: (``4147-176338408-176338907-VCU-016-MER-AU-14-641-16042012-15042013-0``). Verra's exports still
#: list these blocks as issued, so a file of an older project mixes both layouts.
VERRA_EARLY_LAYOUT = (
    "block id", "start", "end", "VCU", "issuance", "registry such as APX or MER", "country",
    "sectoral scope", "project", "vintage start DDMMYYYY", "vintage end", "label flag",
)


#: The whole layout at once: a well-formed serial (nearly all of them) is read with one match;
#: only one that fails it goes through the part-by-part checks that say what is wrong.
_VERRA_SHAPE = re.compile(
    r"([0-9]+)-([0-9]+)-([0-9]+)-([A-Z]+)-([A-Z]+)-([0-9]+)-([A-Z]+)-([A-Z]{2})-([0-9]+)-([0-9]+)"
    r"-([0-9]{8})-([0-9]{8})-([01])"
)
_VERRA_EARLY_SHAPE = re.compile(
    r"([0-9]+)-([0-9]+)-([0-9]+)-([A-Z]+)-([0-9]+)-([A-Z]+)-([A-Z]{2})-([0-9]+)-([0-9]+)"
    r"-([0-9]{8})-([0-9]{8})-([01])"
)


def _verra_parts(text: str) -> tuple[list[str], bool]:
    """The serial's parts in the current layout's order (the early layout's missing programme
    part as ""), and whether all of them already have the right shape."""
    if shape := _VERRA_SHAPE.fullmatch(text):
        return list(shape.groups()), True
    if shape := _VERRA_EARLY_SHAPE.fullmatch(text):
        return _from_early(list(shape.groups())), True
    parts = text.split("-")
    if len(parts) == len(VERRA_LAYOUT):
        return parts, False
    # Twelve parts whose fourth is not "VCS" are the early layout; a current serial with one
    # part lost (it would start "…-VCS-VCU-…") is not read as an early one.
    if len(parts) == len(VERRA_EARLY_LAYOUT) and parts[3] != "VCS":
        return _from_early(parts), False
    raise SerialError(
        Msg("'{serial}' is not a Verra serial: expected {count} parts separated by '-' "
            "({layout}), or {early_count} in the layout of units issued "
            "before 2017 ({early_layout}), found {found}", serial=text, count=len(VERRA_LAYOUT),
            layout=", ".join(VERRA_LAYOUT), early_count=len(VERRA_EARLY_LAYOUT),
            early_layout=", ".join(VERRA_EARLY_LAYOUT), found=len(parts))
    )


def _from_early(parts: list[str]) -> list[str]:
    block_id, start, end, unit_type, issuance, registry, *rest = parts
    return [block_id, start, end, "", unit_type, issuance, registry, *rest]


def parse_verra(scheme: Scheme, text: str) -> ParsedSerial:
    context = Msg("Verra serial '{serial}'", serial=text)
    parts, well_formed = _verra_parts(text)
    early = parts[3] == ""
    (block_id, start_text, end_text, program, unit_type, issuance, ver, country, scope, project,
     vintage_start_text, vintage_end_text, label_flag) = parts
    if not well_formed:
        _require(_DIGITS, block_id, "block id", "digits", context)
        start = _unit_number(start_text, "start", context, minimum=1)
        end = _unit_number(end_text, "end", context, minimum=1)
    else:
        start, end = int(start_text), int(end_text)
        if start < 1 or end < 1:  # the shape has digits only; Verra counts from 1
            _unit_number(start_text, "start", context, minimum=1)
            _unit_number(end_text, "end", context, minimum=1)
    _check_range(start, end, context)
    if not well_formed:
        if not early:
            _require(_LETTERS, program, "programme", "capital letters such as VCS", context)
        _require(_LETTERS, unit_type, "unit type", "capital letters such as VCU", context)
        _require(_DIGITS, issuance, "issuance number", "digits", context)
        if early:
            _require(_LETTERS, ver, "registry", "capital letters such as APX or MER", context)
        else:
            _require(_LETTERS, ver, "seventh part", "capital letters such as VER", context)
        _require(_COUNTRY, country, "country", "a two-letter ISO 3166 code such as CN", context)
        _require(_DIGITS, scope, "sectoral scope", "digits", context)
        _require(_DIGITS, project, "project id", "digits", context)
    vintage_start = _ddmmyyyy(vintage_start_text, "vintage start", context)
    vintage_end = _ddmmyyyy(vintage_end_text, "vintage end", context)
    _check_vintage(vintage_start, vintage_end, context)
    _require(re.compile("[01]"), label_flag, "label flag", "0 or 1", context)
    fields = {
        "block_id": block_id, "program": program, "unit_type": unit_type, "issuance": issuance,
        "sectoral_scope": scope, "label_flag": label_flag,
    }
    if early:
        del fields["program"]
        fields["registry"] = ver
    return ParsedSerial(
        scheme=scheme.code, raw=text,
        # The block id changes at every split or transfer, and the label flag can change after
        # issuance (a label added later), so neither identifies the numbering. An early serial's
        # key keeps its own form (no empty programme part): nothing published says how its
        # issuance numbers relate to the current layout's.
        issuance_key="-".join(part for part in parts[3:12] if part),
        start=start, end=end, project_id=project, country=country,
        vintage_start=vintage_start, vintage_end=vintage_end,
        fields=fields,
    )


# --- Gold Standard ----------------------------------------------------------------------------

#: GS Impact Registry serial (GS-02): no published spec. Range, vintage year and project code are
#: checked against every VER row of the GS samples; the fifth part's meaning is unknown ("series").
GOLD_STANDARD_LAYOUT = (
    "GS1", "1", "country", "GS<project id> (early serials: the id alone)", "series", "vintage year", "batch", "start", "end",
)

# Kyoto unit identifiers start with the party and a unit-type digit ("RW-5-1463953-…"). The GS
# registry lists GS-labelled CDM CERs (product type CER) under such serials; they are CERs.
_KYOTO_SHAPE = re.compile(r"[A-Z]{2}-[0-9]-[0-9]+-")


def parse_gold_standard(scheme: Scheme, text: str) -> ParsedSerial:
    context = Msg("Gold Standard serial '{serial}'", serial=text)
    if _KYOTO_SHAPE.match(text):
        raise SerialError(
            Msg("'{serial}' is not a Gold Standard VER serial: it has the layout of a Kyoto (CDM) CER serial "
                "(party, unit type, serial, …); record it under scheme CER. Expected a serial such as "
                "GS1-1-KE-GS11603-16-2025-30256-110-5463", serial=text)
        )
    parts = text.split("-")
    if len(parts) != len(GOLD_STANDARD_LAYOUT):
        raise SerialError(
            Msg("'{serial}' is not a Gold Standard serial: expected {count} parts "
                "separated by '-' ({layout}), found {found}", serial=text, count=len(GOLD_STANDARD_LAYOUT),
                layout=", ".join(GOLD_STANDARD_LAYOUT), found=len(parts))
        )
    programme, version, country, project_code, series, vintage_year, batch, start_text, end_text = parts
    _require(re.compile("GS[0-9]+"), programme, "prefix", "GS followed by digits, as in GS1-1", context)
    _require(_DIGITS, version, "second part", "digits, as in GS1-1", context)
    _require(_COUNTRY, country, "country", "a two-letter ISO 3166 code such as KE", context)
    # Serials of early issuances write the GSID alone (GS1-1-KH-1020-16-2012-325-1-22283).
    _require(re.compile("(?:GS)?[0-9]+"), project_code, "project code", "the GSID, with or without GS before it, such as GS11603", context)
    gsid = project_code.removeprefix("GS")
    _require(_DIGITS, series, "series", "digits", context)
    _require(re.compile("[0-9]{4}"), vintage_year, "vintage year", "four digits such as 2025", context)
    _require(_DIGITS, batch, "batch", "digits", context)
    start = _unit_number(start_text, "start", context, minimum=1)
    end = _unit_number(end_text, "end", context, minimum=1)
    _check_range(start, end, context)
    year = int(vintage_year)
    if year < 1:
        raise SerialError(Msg("vintage year {year} in {context} is not a year; expected e.g. 2025",
                              year=vintage_year, context=context))
    return ParsedSerial(
        scheme=scheme.code, raw=text,
        # the key writes the project code one way, so that a block written with "GS" and one
        # written without it are seen as the same issuance
        issuance_key="-".join([*parts[:3], f"GS{gsid}", *parts[4:7]]), start=start, end=end,
        project_id=gsid, country=country,
        # The serial carries a vintage year only: the vintage is that calendar year.
        vintage_start=dt.date(year, 1, 1), vintage_end=dt.date(year, 12, 31),
        fields={
            "prefix": f"{programme}-{version}", "project_code": f"GS{gsid}", "series": series,
            "vintage_year": vintage_year, "batch": batch,
        },
    )


# --- China GEC --------------------------------------------------------------------------------

GEC_CODE_LENGTH = 32

#: Where each part sits in a 32-digit GEC code (as Python slices). Published: the first 17 digits
#: are the project filing code (建档立卡编码) and the last 15 hold production date, GEC sequence,
#: electricity category and trade category (anchors §6.1; systems §4.4, tanpaifang Q&A 2025-03).
#: INFERRED, not published: the positions inside those 15 (digits 18–23 production month YYYYMM,
#: 24–30 sequence, 31 electricity category, 32 trade category). Check against a real GEC before
#: relying on them; changing this table is the whole fix.
GEC_LAYOUT: Mapping[str, slice] = {
    "project_code": slice(0, 17),
    "production_month": slice(17, 23),
    "sequence": slice(23, 30),
    "electricity_category": slice(30, 31),
    "trade_category": slice(31, 32),
}
_GEC_SHARED = {
    "project_code": "project filing code",
    "production_month": "production month",
    "electricity_category": "electricity category",
    "trade_category": "trade category",
}
_GEC_SEPARATOR = re.compile(r"\s*[-~–—,]\s*|\s+to\s+", re.IGNORECASE)
_GEC_EXPECTED = Msg(
    "{length} digits (17 of the project filing code, then 15 of production month, "
    "sequence and categories)", length=GEC_CODE_LENGTH
)


def _gec_code(code: str, context: str) -> dict[str, str]:
    if len(code) != GEC_CODE_LENGTH or not _DIGITS.fullmatch(code):
        found = (Msg("{count} characters", count=len(code)) if _DIGITS.fullmatch(code)
                 else Msg("{count} characters, not all digits", count=len(code)))
        raise SerialError(Msg("'{code}' in {context} is not a GEC code: expected {expected}, found {found}",
                              code=code, context=context, expected=_GEC_EXPECTED, found=found))
    parts = {name: code[position] for name, position in GEC_LAYOUT.items()}
    month = parts["production_month"]
    if not (1 <= int(month[4:]) <= 12 and int(month[:4]) >= 1):
        raise SerialError(
            Msg("GEC production month {month} is not a month; expected YYYYMM with a month 01–12 "
                "(digits 18–23 of code '{code}' in {context})", month=month, code=code, context=context)
        )
    if int(parts["sequence"]) < 1:
        raise SerialError(
            Msg("GEC sequence {sequence} of code '{code}' in {context} is not a sequence number; "
                "expected 1 or more (digits 24–30)", sequence=parts["sequence"], code=code, context=context)
        )
    return parts


def parse_gec(scheme: Scheme, text: str) -> ParsedSerial:
    context = Msg("GEC block '{block}'", block=text)
    codes = _GEC_SEPARATOR.split(text)
    if len(codes) > 2:
        raise SerialError(
            Msg("'{block}' is not a GEC block: expected one GEC code, or two joined by '-', '~', '–', '—', "
                "' to ' or ',', found {count} pieces", block=text, count=len(codes))
        )
    first = _gec_code(codes[0], context)
    last = _gec_code(codes[-1], context)
    for name, label in _GEC_SHARED.items():
        if first[name] != last[name]:
            raise SerialError(
                Msg("the two GEC codes in '{block}' differ in their {label} ({first} and {last}); "
                    "expected a block within one project, production month and category, differing only "
                    "in the sequence", block=text, label=_word(label), first=first[name], last=last[name])
            )
    start, end = int(first["sequence"]), int(last["sequence"])
    _check_range(start, end, context)
    month = first["production_month"]
    year, month_number = int(month[:4]), int(month[4:])
    return ParsedSerial(
        scheme=scheme.code, raw=text,
        issuance_key="-".join(first[name] for name in _GEC_SHARED),
        start=start, end=end, project_id=first["project_code"],
        country="CN",  # the NEA issues GECs for generation in China only (CN-GEC-01)
        vintage_start=dt.date(year, month_number, 1),
        vintage_end=dt.date(year, month_number, calendar.monthrange(year, month_number)[1]),
        fields={
            "project_code": first["project_code"], "production_month": f"{month[:4]}-{month[4:]}",
            "electricity_category": first["electricity_category"],
            "trade_category": first["trade_category"],
        },
    )


# --- generic range (CCER, ACC, I-REC, GO, REC) ------------------------------------------------

# A hyphen separates two serials only with spaces around it: unspaced hyphens sit inside serials.
_RANGE_SEPARATOR = re.compile(r"\s+to\s+|\s*[–—~]\s*|\s+-\s+", re.IGNORECASE)
_TRAILING_NUMBER = re.compile(r"(.*?)([0-9]+)")
_COMPACT_RANGE = re.compile(r"(.+)-([0-9]+)-([0-9]+)")


def _range_expected(scheme: Scheme) -> str:
    return Msg(
        "expected two {scheme} serials that differ only in their trailing number, joined by "
        "' to ', '–', '—', '~' or ' - ' (e.g. ABC-0001 to ABC-0100), or '<prefix>-<start>-<end>' "
        "(e.g. ABC-1-100), or one serial ending in its number", scheme=scheme.name
    )


def _issuance_prefix(prefix: str, text: str, scheme: Scheme) -> str:
    # "ABC-0001 to ABC-0100" and "ABC-1-100" must get the same key, or an overlap between a
    # block written one way and a block written the other would go unseen.
    key = prefix.rstrip("-")
    if not key:
        raise SerialError(
            Msg("'{serial}' has no prefix before its number; {expected}, with the "
                "registry's prefix that tells one issuance from another", serial=text,
                expected=_range_expected(scheme))
        )
    return key


def _trailing_number(side: str, text: str, scheme: Scheme) -> tuple[str, str]:
    found = _TRAILING_NUMBER.fullmatch(side)
    if found is None:
        raise SerialError(Msg("'{side}' in '{serial}' does not end in a number; {expected}", side=side,
                              serial=text, expected=_range_expected(scheme)))
    return found.group(1), found.group(2)


def parse_range(scheme: Scheme, text: str) -> ParsedSerial:
    sides = _RANGE_SEPARATOR.split(text)
    if len(sides) > 2:
        raise SerialError(Msg("'{serial}' has {count} range separators; {expected}", serial=text,
                              count=len(sides) - 1, expected=_range_expected(scheme)))
    if len(sides) == 2:
        (prefix, start_text), (end_prefix, end_text) = (_trailing_number(side, text, scheme) for side in sides)
        if prefix != end_prefix:
            raise SerialError(
                Msg("the two serials in '{serial}' have different prefixes ('{first}' and '{second}'); "
                    "expected two serials of one issuance that differ only in their trailing number",
                    serial=text, first=prefix, second=end_prefix)
            )
        if len(start_text) != len(end_text):
            raise SerialError(
                Msg("the numbers {start} and {end} in '{serial}' have different widths "
                    "({start_width} and {end_width} digits); expected numbers of the same width, "
                    "as the registry pads them", start=start_text, end=end_text, serial=text,
                    start_width=len(start_text), end_width=len(end_text))
            )
    elif compact := _COMPACT_RANGE.fullmatch(text):
        prefix, start_text, end_text = compact.groups()
    else:
        prefix, start_text = _trailing_number(text, text, scheme)
        end_text = start_text
    key = _issuance_prefix(prefix, text, scheme)
    start, end = int(start_text), int(end_text)  # 0 allowed: these layouts are not published
    _check_range(start, end, Msg("{scheme} range '{serial}'", scheme=scheme.name, serial=text))
    return ParsedSerial(
        scheme=scheme.code, raw=text, issuance_key=key, start=start, end=end, fields={"prefix": key},
    )


# --- CDM CER (Kyoto DES) ----------------------------------------------------------------------

#: A CER block per the Kyoto Data Exchange Standards (CER-01): the block form below is taken from
#: the DES and NOT checked against a real CDM Registry export. The pair form (two unit serials
#: joined by ' - ', e.g. "RW-5-1459975-2-2-0-7014 - RW-5-1460107-2-2-0-7014") is how the GS
#: registry sample lists GS-labelled CERs, and is checked against those rows.
CDM_BLOCK_LAYOUT = (
    "party", "unit type", "start", "end", "original commitment period",
    "applicable commitment period", "LULUCF activity", "project", "track (optional)",
)
_CDM_UNIT_LAYOUT = ("party", "unit type", "serial", "original commitment period",
                    "applicable commitment period", "LULUCF activity", "project", "track (optional)")
_CDM_SHARED = ("party", "unit_type", "original_commitment_period", "applicable_commitment_period",
               "lulucf_activity", "project", "track")


def _cdm_shared(values: list[str], context: str) -> dict[str, str]:
    """The parts of a Kyoto identifier other than the unit numbers, checked."""
    party, unit_type, original, applicable, lulucf, project, *track = values
    _require(_COUNTRY, party, "party", "a two-letter ISO 3166 code such as CN", context)
    _require(re.compile("[0-9]"), unit_type, "unit type", "one digit (5 for a CER)", context)
    _require(_DIGITS, original, "original commitment period", "digits", context)
    _require(_DIGITS, applicable, "applicable commitment period", "digits", context)
    _require(_DIGITS, lulucf, "LULUCF activity", "digits (0 for none)", context)
    _require(_DIGITS, project, "project", "digits", context)
    if track:
        _require(_DIGITS, track[0], "track", "digits", context)
    return {
        "party": party, "unit_type": unit_type, "original_commitment_period": original,
        "applicable_commitment_period": applicable, "lulucf_activity": lulucf, "project": project,
        "track": track[0] if track else "",
    }


def _cdm_unit(side: str, text: str, context: str) -> tuple[dict[str, str], int]:
    parts = side.split("-")
    if len(parts) not in (7, 8):
        raise SerialError(
            Msg("'{side}' in '{serial}' is not a CER unit serial: expected 7 or 8 parts separated by '-' "
                "({layout}), found {found}", side=side, serial=text, layout=", ".join(_CDM_UNIT_LAYOUT),
                found=len(parts))
        )
    serial = _unit_number(parts[2], "serial", context, minimum=0)
    return _cdm_shared(parts[:2] + parts[3:], context), serial


def _cdm_block(text: str, context: str) -> tuple[dict[str, str], int, int]:
    parts = text.split("-")
    if len(parts) == 7:  # one unit serial, no end: a single CER
        shared, serial = _cdm_unit(text, text, context)
        return shared, serial, serial
    if len(parts) not in (8, 9):
        raise SerialError(
            Msg("'{serial}' is not a CER serial block: expected 8 or 9 parts separated by '-' "
                "({layout}), or two unit serials joined by ' - ', found {found} parts", serial=text,
                layout=", ".join(CDM_BLOCK_LAYOUT), found=len(parts))
        )
    # The DES does not say unit serials start at 1, so 0 is not refused.
    start = _unit_number(parts[2], "start", context, minimum=0)
    end = _unit_number(parts[3], "end", context, minimum=0)
    return _cdm_shared(parts[:2] + parts[4:], context), start, end


def parse_cdm(scheme: Scheme, text: str) -> ParsedSerial:
    context = Msg("CER serial '{serial}'", serial=text)
    sides = _RANGE_SEPARATOR.split(text)
    if len(sides) > 2:
        raise SerialError(
            Msg("'{serial}' has {count} range separators; expected one CER block or two unit serials",
                serial=text, count=len(sides) - 1)
        )
    if len(sides) == 2:
        (shared, start), (end_shared, end) = (_cdm_unit(side, text, context) for side in sides)
        for name in _CDM_SHARED:
            if shared[name] != end_shared[name]:
                raise SerialError(
                    Msg("the two CER serials in '{serial}' differ in their {part} "
                        "({first} and {second}); expected two serials of "
                        "one issuance that differ only in the unit number", serial=text,
                        part=_word(name.replace("_", " ")), first=shared[name] or "none", second=end_shared[name] or "none")
                )
    else:
        shared, start, end = _cdm_block(text, context)
    _check_range(start, end, context)
    return ParsedSerial(
        scheme=scheme.code, raw=text,
        issuance_key="-".join(shared[name] for name in _CDM_SHARED if shared[name]),
        start=start, end=end, project_id=shared["project"], country=shared["party"],
        fields={name: value for name, value in shared.items() if name not in ("party", "project") and value},
    )


#: serial_format (``schemes.csv``) → the parser that reads it.
PARSERS: dict[str, Parser] = {
    "verra": parse_verra,
    "gold_standard": parse_gold_standard,
    "gec": parse_gec,
    "range": parse_range,
    "cdm": parse_cdm,
}
