"""Human labels for stored codes (enums, regions), in the reader's language."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from neutrality.organisations import geography

LABELS = {
    "nature": {
        "state_owned": _l("State-owned enterprise"),
        "collective": _l("Collective enterprise"),
        "private": _l("Private enterprise"),
        "foreign_invested": _l("Foreign-invested enterprise"),
        "joint_venture": _l("Sino-foreign joint venture"),
        "hk_macao_taiwan_invested": _l("Hong Kong, Macao or Taiwan invested enterprise"),
        "listed": _l("Listed company"),
        "other": _l("Other"),
    },
    "approach": {
        "operational_control": _l("Operational control"),
        "financial_control": _l("Financial control"),
        "equity_share": _l("Equity share"),
    },
    "standard": {
        "iso_14068_1_2023": "ISO 14068-1:2023",
        "pas_2060_2014": _l("PAS 2060:2014 (withdrawn 30 Nov 2025)"),
    },
    "dimension": {
        "scheme": _l("Scheme"), "vintage": _l("Vintage"), "project": _l("Project"), "country": _l("Country"),
        "technology": _l("Technology"), "status": _l("Status"), "account": _l("Account"),
    },
    "block_status": {
        "held": _l("Held"), "reserved": _l("Reserved"), "retired": _l("Retired"), "cancelled": _l("Cancelled"),
        "transferred_out": _l("Transferred out"), "contested": _l("Contested"), "void": _l("Void"),
    },
    "mismatch": {
        "missing_at_registry": _l("Not retired at the registry"),
        "quantity_differs": _l("Quantity differs"),
        "beneficiary_mismatch": _l("Beneficiary is someone else"),
        "after_deadline": _l("Retired after the deadline"),
        "date_differs": _l("Date differs"),
        "overlaps_another_organisation": _l("Units also claimed by another organisation"),
        "not_recorded_here": _l("Retired at the registry, not in the ledger"),
    },
    "policy": {
        "oldest_vintage": _l("Oldest vintage first"),
        "cheapest": _l("Cheapest first"),
        "project_preference": _l("Preferred projects first"),
    },
    "inventory_status": {
        "draft": _l("Draft, not verified"),
        "verified": _l("Verified"),
        "superseded": _l("Superseded by a newer version"),
    },
    "invitation_status": {
        "pending": _l("Pending"), "accepted": _l("Accepted"), "declined": _l("Declined"),
        "withdrawn": _l("Withdrawn"),
    },
    "period_status": {
        "open": _l("Open"),
        "inventory_verified": _l("Inventory verified"),
        "covered": _l("Covered"),
        "declared": _l("Declared"),
    },
    "statement_kind": {
        "iso_14068_1_report": _l("Carbon neutrality report (ISO 14068-1)"),
        "pas_2060_qes": _l("Qualifying explanatory statement (PAS 2060)"),
        "cn_zero_carbon_factory": _l("Zero-carbon factory declaration"),
    },
    "declaration": {
        "achievement": _l("Declaration of achievement"),
        "commitment": _l("Declaration of commitment"),
    },
    "statement_status": {
        "issued": _l("Issued, not published"),
        "published": _l("Published"),
        "superseded": _l("Superseded by a later version"),
        "withdrawn": _l("Withdrawn"),
    },
    "validation": {
        "third_party": _l("Independent third-party certification"),
        "other_party": _l("Other-party validation"),
        "self": _l("Self-validation"),
    },
    "assurance": {
        "reasonable": _l("Reasonable assurance"),
        "limited": _l("Limited assurance"),
    },
}


def label(value: str | None, kind: str) -> str:
    if value is None:
        return ""
    return str(LABELS[kind].get(value, value))


def place(code: str | None) -> str:
    """A province or grid region by name in the page's language, with its code."""
    if not code:
        return ""
    country = code.split("-")[0]
    found = geography.SUBDIVISIONS.get(country, {}).get(code) or geography.GRID_REGIONS.get(country, {}).get(code)
    if found is None:
        return code
    locale = str(get_locale() or "en")
    name = {"zh_Hans": found.zh_hans, "zh_Hant": found.zh_hant}.get(locale, found.en)
    return f"{name} ({code})"
