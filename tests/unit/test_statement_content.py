"""The statement as a value: built from its snapshot only, its checklist per kind (every item
present or its absence stated), the declaration's wording in three languages, and the label of
a PAS 2060 statement made after the specification was withdrawn."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from neutrality.statements.content import (
    ABSENCES,
    DeclarationType,
    StatementKind,
    ValidationType,
    checklist,
)
from neutrality.statements.snapshot import SCHEMA, snapshot_sha256, statement_from_snapshot


def _line(key: str, location: str, market: str, mass: str | None = None) -> dict[str, Any]:
    return {"key": key, "location_tco2e": location, "market_tco2e": market, "mass_t": mass}


def bare(**changes: Any) -> dict[str, Any]:
    """A first period, self-validated, nothing excluded, no certificate, no credit, no target and
    not published: the statement of a factory that has done only its inventory."""
    snapshot: dict[str, Any] = {
        "schema": SCHEMA, "kind": "iso_14068_1_report", "declaration": "commitment", "option": None, "version": 1,
        "prepared_on": "2026-12-05", "published_at": "",
        "entity": {"name": "Demo", "legal_name": "Demo Ltd.", "nature": "private", "legal_representative": "王建国",
                   "registered_address": "1 Road", "production_address": "2 Road", "industry_category": "PV",
                   "contact_person": "李雯", "contact_phone": "", "contact_email": ""},
        "boundary": {"subject": "Plant A", "kind": "site", "description": "", "sites": [{"name": "A", "address": "2 Road"}],
                     "exclusions": []},
        "standard": "ISO 14068-1:2023", "validation": {"type": "self"},
        "commitment": {"statement": "We commit.", "baseline_date": "2023-12-31", "first_qualification_date": "2024-12-31",
                       "neutrality_deadline": None, "commitment_until": None, "planned_measures": [],
                       "offset_strategy": "", "intended_credit_types": []},
        "period": {"id": 7, "sequence": 1, "start": "2024-01-01", "end": "2024-12-31", "status": "open"},
        "method": {"standards": ["ISO 14064-1:2018"], "gwp_set": "AR6", "factor_library_version": "2025.1",
                   "factor_sources": ["MEE 2023"], "gases": ["CO2"], "scope2_methods": ["location_based", "market_based"]},
        "eacs": [],
        "footprint": {"total": _line("total", "110", "120"), "by_scope": [_line("1", "10", "10"), _line("2", "100", "110")],
                      "by_category": [], "by_scope3_category": [], "by_gas": [_line("CO2", "110", "120", "110")],
                      "uncertainty_percent": None, "uncertainty_by_scope": [], "complete": True, "inventory_version": 1,
                      "inventory_status": "draft"},
        "balance": {"gross_location_tco2e": "110", "gross_market_tco2e": "120", "certificates_tco2e": "0",
                    "residual_tco2e": "120", "credits_counted_tco2e": "0", "credits_retired_tco2e": "0", "verdict": "short",
                    "blocking_rules": [], "provisional": True},
        "previous_period": None, "changes": [], "targets": [], "measures": [], "retirements": [], "excluded": [],
        "findings": [],
    }
    for key, value in changes.items():
        snapshot[key] = value
    return snapshot


def full(**changes: Any) -> dict[str, Any]:
    """An achieved second period with everything a statement can hold."""
    snapshot = bare(
        declaration="achievement", published_at="https://example.test/declarations/1/7",
        validation={"type": "third_party", "body": "Verifier Co., Ltd.", "accreditation": "CNAS",
                    "standard": "ISO 14064-3", "assurance_level": "reasonable", "opinion": "fair",
                    "verified_on": "2025-03-01"},
        eacs=[{"scheme": "GEC", "market": "CN", "mwh": 100}],
        previous_period=["2023-01-01", "2023-12-31"],
        changes=[{"key": "1", "previous_tco2e": "12", "current_tco2e": "10"}],
        targets=[{"kind": "absolute", "scopes": "1+2", "base_year": 2023, "base_value": "130", "target_year": 2030,
                  "reduction_percent": "42", "target_value": "75.4", "unit": "tCO2e", "actual": "120",
                  "allowed": "122", "reduced_percent": "7.69", "on_track": True, "problem": None}],
        measures=[{"title": {"en": "Heat recovery", "zh_Hans": "余热回收", "zh_Hant": "餘熱回收"}, "status": "done",
                   "scope": 1, "site": "A", "expected_tco2e": "2", "achieved_tco2e": "2"}],
        retirements=[{"id": 3, "scheme": "CCER", "unit": "tCO2e", "project": "Wind", "project_id": "CCER-1",
                      "country": "CN", "vintage_start": "2024-01-01", "vintage_end": "2024-12-31", "issuance": "X",
                      "serial_start": 1, "serial_end": 120, "quantity": 120, "registry": "CCER registry",
                      "retired_on": "2025-02-01", "reference": "R-1", "link": "", "beneficiary": "Demo Ltd.",
                      "evidence_sha256": "a" * 64, "counted": True}],
        excluded=[{"retirement_id": 4, "scheme": "IREC", "quantity": 5, "unit": "MWh", "rules": ["IREC-07"],
                   "explanation": {"en": "no", "zh_Hans": "否", "zh_Hant": "否"}}],
        findings=[{"rule_set": "iso/1", "rule_id": "ISO-21", "clause": "11.2", "title": {"en": "t"},
                   "severity": "blocking", "outcome": "pass", "explanation": {"en": "ok"}, "subject": "period"}])
    snapshot["footprint"] = {**snapshot["footprint"], "uncertainty_percent": "4.2"}
    snapshot["boundary"] = {**snapshot["boundary"], "exclusions": [{"item": "canteen", "reason": "<1 %",
                                                                     "share_percent": "0.4"}]}
    snapshot["commitment"] = {**snapshot["commitment"], "neutrality_deadline": "2024-12-31",
                              "planned_measures": ["PV"], "offset_strategy": "CCER"}
    snapshot["entity"] = {**snapshot["entity"], "contact_phone": "+86 1"}
    snapshot["balance"] = {**snapshot["balance"], "credits_counted_tco2e": "120", "credits_retired_tco2e": "120",
                           "verdict": "covered", "provisional": False}
    snapshot.update(changes)
    return snapshot


KINDS_AND_TYPES = [(k, d) for k in StatementKind for d in DeclarationType]


@pytest.mark.parametrize(("kind", "declaration"), KINDS_AND_TYPES)
def test_every_item_of_a_bare_statement_is_present_or_its_absence_is_stated(kind, declaration) -> None:
    statement = statement_from_snapshot(bare(kind=kind.value, declaration=declaration.value))
    items = checklist(statement)
    assert len({i.id for i in items}) == len(items)  # ids name one item each
    assert all(i.stated for i in items)
    absent = {i.id for i in items if not i.present}
    # self-validated, first period, nothing excluded, no certificate, no credit, not published:
    # each of those is an absent item with its sentence, whatever the kind
    sentences = {str(i.absence) for i in items if not i.present}
    assert "The statement is self-validated: no certifier or validator is named." in sentences
    assert str(ABSENCES["excl"]) in sentences and str(ABSENCES["eac"]) in sentences
    assert str(ABSENCES["published"]) in sentences
    assert absent  # a bare statement is far from complete


@pytest.mark.parametrize(("kind", "declaration"), KINDS_AND_TYPES)
def test_a_full_statement_has_every_item_present(kind, declaration) -> None:
    statement = statement_from_snapshot(full(kind=kind.value, declaration=declaration.value))
    missing = [(i.id, str(i.absence)) for i in checklist(statement) if not i.present]
    # a PAS 2060 commitment has no Table A.1 option to state, but its checklist (PAS-55) does not
    # ask for one; the snapshot above states no option, so an achievement misses PAS-54.4 only
    assert missing == ([("PAS-54.4", "No Table A.1 option applies: this is a declaration of commitment.")]
                       if (kind, declaration) == (StatementKind.PAS_2060_QES, DeclarationType.ACHIEVEMENT) else [])


def test_the_checklists_follow_their_sources() -> None:
    ids = {k: [i.id for i in checklist(statement_from_snapshot(bare(kind=k.value, declaration="achievement")))]
           for k in StatementKind}
    # PAS-54 items 1 to 12 (13, openness, is how the document is written, not an item of it)
    assert {i.split("(")[0] for i in ids[StatementKind.PAS_2060_QES]} == {f"PAS-54.{n}" for n in range(1, 13)}
    # seed 003 §9.1 (a)–(e) the implementation plan, §9.2 (a)–(c) the declaration's contents
    assert {"CN-9.1(a)", "CN-9.1(b)", "CN-9.1(c)", "CN-9.1(d)", "CN-9.1(e)", "CN-9.2(a)", "CN-9.2(b)",
            "CN-9.2(c)"} <= set(ids[StatementKind.CN_ZERO_CARBON_FACTORY])
    commitment = [i.id for i in checklist(statement_from_snapshot(bare(kind="pas_2060_qes")))]
    # PAS-55: items 1–3 and 5–8, the offset strategy and the date; no option (4), no offsets (10)
    assert "PAS-55(e)" in commitment and "PAS-55(d)" in commitment
    assert not any(i.startswith(("PAS-55.4", "PAS-55.9", "PAS-55.10", "PAS-54")) for i in commitment)


def test_a_zero_carbon_factory_short_of_credits_says_it_is_not_achieved() -> None:
    snapshot = full(kind="cn_zero_carbon_factory")
    snapshot["balance"] = {**snapshot["balance"], "credits_counted_tco2e": "119", "verdict": "short"}
    [item] = [i for i in checklist(statement_from_snapshot(snapshot)) if i.id == "CN-9.2(b)n"]
    assert not item.present and item.absence.startswith("The period is not shown to be carbon neutral")


def test_the_wording_of_each_kind_and_type_in_three_languages() -> None:
    achieved = statement_from_snapshot(full(kind="pas_2060_qes"))
    # PAS-56's pattern; "Verifier Co., Ltd." ends the sentence with one full stop
    assert achieved.wording == ("Carbon neutrality of Plant A achieved by Demo Ltd. in accordance with PAS 2060:2014 "
                                "for the period 2024-01-01 to 2024-12-31, independently certified by Verifier Co., Ltd.")
    assert achieved.wording.in_locale("zh_Hans") == (
        "Demo Ltd.依据 PAS 2060:2014，在 2024-01-01 至 2024-12-31 期间实现了Plant A的碳中和，经Verifier Co., Ltd.独立第三方核证。")
    assert achieved.wording.in_locale("zh_Hant").startswith("Demo Ltd.依據 PAS 2060:2014")
    committed = statement_from_snapshot(full(kind="cn_zero_carbon_factory", declaration="commitment"))
    assert committed.wording == "Demo Ltd. commits to make Plant A a zero-carbon factory by 2024-12-31."
    assert committed.wording.in_locale("zh_Hant") == "Demo Ltd.承諾於 2024-12-31 前將Plant A建成零碳工廠。"
    # without a deadline the commitment says it is yet to be set
    undated = statement_from_snapshot(bare(declaration="commitment"))
    assert undated.wording.endswith("by a date yet to be set.") and "待定日期" in undated.wording.in_locale("zh_Hans")
    assert undated.validation.type is ValidationType.SELF
    for kind, declaration in KINDS_AND_TYPES:
        wording = statement_from_snapshot(full(kind=kind.value, declaration=declaration.value)).wording
        assert wording and wording.in_locale("zh_Hans") != wording.in_locale("zh_Hant") != str(wording)


@pytest.mark.parametrize(("kind", "end", "labelled"), [
    ("pas_2060_qes", "2026-12-31", True),  # a 2026 period: after the withdrawal (2025-11-30)
    ("pas_2060_qes", "2025-12-31", True),  # ends a month after it
    ("pas_2060_qes", "2025-11-30", False),  # ends the day it was withdrawn
    ("iso_14068_1_report", "2026-12-31", False),
    ("cn_zero_carbon_factory", "2026-12-31", False),
])
def test_a_pas_2060_statement_after_its_withdrawal_is_labelled(kind: str, end: str, labelled: bool) -> None:
    snapshot = bare(kind=kind, period={"id": 8, "sequence": 2, "start": end[:4] + "-01-01", "end": end,
                                       "status": "open"})
    statement = statement_from_snapshot(snapshot)
    assert statement.follows_withdrawn_specification is labelled
    assert (statement.withdrawn_label is not None) is labelled
    if labelled:
        assert "withdrawn specification" in statement.withdrawn_label


def test_the_snapshot_hash_is_canonical() -> None:
    snapshot = full()
    reordered = json.loads(json.dumps(dict(reversed(list(snapshot.items())))))
    # the same facts in another key order: the same hash (sorted keys, compact UTF-8 JSON)
    assert snapshot_sha256(reordered) == snapshot_sha256(snapshot)
    changed = copy.deepcopy(snapshot)
    changed["footprint"]["total"]["market_tco2e"] = "120.0"  # the same number written otherwise
    assert snapshot_sha256(changed) != snapshot_sha256(snapshot)


def test_the_statement_keeps_every_figure_exact() -> None:
    statement = statement_from_snapshot(full())
    assert statement.balance.net_tco2e == Decimal("0")  # 120 residual − 120 credits
    assert statement.footprint.by_scope[1].market_tco2e == Decimal("110")
    assert statement.retirements[0].serials == "X 1–120"
    assert statement.prepared_on == dt.date(2026, 12, 5)
    assert statement.plan.measures[0].title.in_locale("zh_Hant") == "餘熱回收"


def test_a_snapshot_of_another_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="layout 99"):
        statement_from_snapshot(bare(schema=99))
