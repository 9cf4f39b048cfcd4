"""A statement's snapshot: every fact it states, as JSON data, and the statement rebuilt from it.

The snapshot is what a statement is made of: :func:`statement_from_snapshot` is the only way to a
:class:`~neutrality.statements.content.Statement`, so a preview, an issued version (frozen with
its snapshot) and its public page all say what the snapshot holds. Figures are kept as decimal
strings (exact), dates as ISO 8601, sentences as their template and values
(:func:`neutrality.messages.to_data`) or in their three languages. :func:`snapshot_sha256` hashes
its canonical JSON (sorted keys, no spaces, UTF-8): the same facts give the same hash.

Pure: no Flask, no database, no clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from neutrality.claims.balance import PeriodBalance
from neutrality.messages import Written, from_data, to_data
from neutrality.reports.content import Change, GhgReport, Line
from neutrality.rules.model import Finding
from neutrality.statements.content import (
    Balance,
    Boundary,
    DeclarationType,
    EacApplied,
    Entity,
    ExcludedLine,
    Exclusion,
    Facility,
    FindingLine,
    Footprint,
    Measure,
    Method,
    PasOption,
    Plan,
    RetirementLine,
    Statement,
    StatementKind,
    TargetProgress,
    Validation,
    ValidationType,
)

#: The snapshot's layout; a later layout reads the earlier ones.
SCHEMA = 1

#: What every statement's quantification follows (the inventory engine's method).
METHOD_STANDARDS = ("ISO 14064-1:2018", "GHG Protocol Corporate Standard", "GHG Protocol Scope 2 Guidance")


def _num(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _line(line: Line) -> dict[str, Any]:
    return {"key": line.key, "location_tco2e": _num(line.location_tco2e), "market_tco2e": _num(line.market_tco2e),
            "mass_t": _num(line.mass_t)}


def _written(value: Any) -> dict[str, str]:
    """A text of the three languages (a rule's Text, a measure's Title, a Written)."""
    if isinstance(value, Written):
        return {"en": str(value), **{k: v for k, v in value.by_locale.items()}}
    if hasattr(value, "zh_hans"):  # a measure's Title
        return {"en": value.in_locale("en"), "zh_Hans": value.in_locale("zh_Hans"),
                "zh_Hant": value.in_locale("zh_Hant")}
    if hasattr(value, "as_dict"):
        return dict(value.as_dict())
    return {"en": str(value)}


def _from_written(data: Mapping[str, str]) -> Written:
    return Written(data.get("en", ""), **{k: v for k, v in data.items() if k != "en"})


def snapshot_of(
    *, kind: StatementKind, declaration: DeclarationType, option: PasOption | None,
    entity: Mapping[str, Any], boundary: Mapping[str, Any], standard: str, validation: Mapping[str, Any],
    commitment: Mapping[str, Any], period: Mapping[str, Any], report: GhgReport, balance: PeriodBalance,
    retirements: Sequence[Mapping[str, Any]], findings: Iterable[Finding], published_at: str,
    prepared_on: dt.date, version: int = 0,
) -> dict[str, Any]:
    """The snapshot of a statement from what the services read: the organisation's particulars,
    the subject's boundary, the commitment and the period as plain data, the GHG report of the
    period, its balance under the claim, its retirements in force (each with its project and the
    hash of its evidence) and the rule findings (the failures, and every finding about the period
    itself: a period with 10,000 retirements has some 100,000 passes, which a statement does
    not list one by one)."""
    claim = balance.claim
    coverage = balance.coverage
    counted_ids = {r["id"] for r in retirements} - {e.retirement_id for e in (claim.excluded if claim else ())}
    certificates = None
    residual = balance.residual_tco2e
    credits_counted = balance.credits_retired_tco2e
    if claim is not None and claim.residual_tco2e is not None:
        residual, credits_counted = claim.residual_tco2e, claim.credits_counted_tco2e
    if coverage is not None and residual is not None:
        # certificates act on market-based Scope 2 only: the whole gap gross → residual is theirs
        certificates = coverage.gross_market_tco2e - residual
    eacs: dict[tuple[str, str], int] = {}
    for r in retirements:
        if r["unit"] == "MWh" and r["id"] in counted_ids:
            key = (r["scheme"], r.get("market") or "")
            eacs[key] = eacs.get(key, 0) + int(r["quantity"])
    u = report.uncertainty
    # Written only when known: the snapshot of a first period states the same facts, and hashes
    # the same (content_sha256: "nothing changed"), as before the balance chart showed reductions.
    achieved = _achieved_reduction(report)
    reductions = {} if achieved is None else {"achieved_reduction_tco2e": _num(achieved)}
    return {
        "schema": SCHEMA,
        "kind": kind.value, "declaration": declaration.value, "option": option.value if option else None,
        "version": version, "prepared_on": _day(prepared_on), "published_at": published_at,
        "entity": dict(entity), "boundary": dict(boundary), "standard": standard, "validation": dict(validation),
        "commitment": dict(commitment), "period": dict(period),
        "method": {"standards": list(METHOD_STANDARDS), "gwp_set": report.gwp_set,
                   "factor_library_version": report.factor_library_version, "factor_sources": list(report.factors),
                   "gases": [line.key for line in report.by_gas], "scope2_methods": ["location_based", "market_based"]},
        "eacs": [{"scheme": s, "market": m, "mwh": q} for (s, m), q in sorted(eacs.items())],
        "footprint": {
            "total": _line(report.total), "by_scope": [_line(x) for x in report.by_scope],
            "by_category": [_line(x) for x in report.by_iso_category],
            "by_scope3_category": [_line(x) for x in report.by_scope3_category],
            "by_gas": [_line(x) for x in report.by_gas],
            "uncertainty_percent": _num(u.percent), "uncertainty_by_scope": [[k, _num(v)] for k, v in u.by_scope],
            "complete": report.complete, "inventory_version": report.version, "inventory_status": report.status},
        "balance": {
            "gross_location_tco2e": _num(balance.gross_location_tco2e),
            "gross_market_tco2e": _num(balance.gross_market_tco2e),
            "certificates_tco2e": _num(certificates), "residual_tco2e": _num(residual),
            "credits_counted_tco2e": _num(credits_counted), "credits_retired_tco2e": _num(balance.credits_retired_tco2e),
            "verdict": claim.verdict if claim is not None else balance.verdict,
            "blocking_rules": list(claim.blocking_period_rules) if claim else [],
            "provisional": balance.provisional},
        "previous_period": [_day(d) for d in report.previous_period] if report.previous_period else None,
        "changes": [{"key": c.key, "previous_tco2e": _num(c.previous_tco2e), "current_tco2e": _num(c.current_tco2e)}
                    for c in report.changes],
        **reductions,
        "targets": [{
            "kind": t.kind, "scopes": t.scopes, "base_year": t.base_year, "base_value": _num(t.base_value),
            "target_year": t.target_year, "reduction_percent": _num(t.reduction_percent),
            "target_value": _num(t.target_value), "unit": t.unit,
            "actual": _num(t.position.actual) if t.position else None,
            "allowed": _num(t.position.allowed) if t.position else None,
            "reduced_percent": _num(t.position.reduced_percent) if t.position else None,
            "on_track": t.position.on_track if t.position else None,
            "problem": to_data(t.problem)} for t in report.targets],
        "measures": [{
            "title": _written(m.title), "status": to_data(m.status), "scope": m.scope, "site": m.site,
            "expected_tco2e": _num(m.expected_tco2e), "achieved_tco2e": _num(m.achieved_tco2e)}
            for m in report.initiatives],
        "retirements": [{**{k: v for k, v in r.items() if k != "market"}, "counted": r["id"] in counted_ids}
                        for r in retirements],
        "excluded": [{"retirement_id": e.retirement_id, "scheme": e.scheme, "quantity": e.quantity, "unit": e.unit,
                      "rules": list(e.rules),
                      "explanation": _written(_first_refusal(claim.refusals.get(e.retirement_id, ()), e.explanation))}
                     for e in (claim.excluded if claim else ())],
        "findings": [{"rule_set": f.rule_set, "rule_id": f.rule_id, "clause": f.clause, "title": _written(f.title),
                      "severity": f.severity.value, "outcome": f.outcome.value,
                      "explanation": _written(f.explanation), "subject": f.subject}
                     for f in findings if f.subject == "period" or f.blocks or f.outcome.value == "fail"],
    }


def _achieved_reduction(report: GhgReport) -> Decimal | None:
    """−(the activity part of the total's change) against the previous period, as the report
    explains it; None without a previous period or a split (an inventory made with another tool)."""
    total = next((x for x in report.explained if x.key == "total"), None)
    return None if total is None else -total.due_to_activity


def _first_refusal(refusals: Sequence[Finding], english: str) -> Any:
    return refusals[0].explanation if refusals else Written(english)


def snapshot_sha256(snapshot: Mapping[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, compact, UTF-8)."""
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lines(items: Sequence[Mapping[str, Any]]) -> tuple[Line, ...]:
    return tuple(Line(i["key"], _dec(i["location_tco2e"]), _dec(i["market_tco2e"]), _dec(i.get("mass_t")))
                 for i in items)


def statement_from_snapshot(snapshot: Mapping[str, Any]) -> Statement:
    """The statement a snapshot holds (see the module)."""
    if snapshot.get("schema") != SCHEMA:
        raise ValueError(f"a statement snapshot of layout {snapshot.get('schema')!r}, not {SCHEMA}")
    e, b, v, c, p = (snapshot[k] for k in ("entity", "boundary", "validation", "commitment", "period"))
    f, bal, m = snapshot["footprint"], snapshot["balance"], snapshot["method"]
    return Statement(
        kind=StatementKind(snapshot["kind"]), declaration=DeclarationType(snapshot["declaration"]),
        option=PasOption(snapshot["option"]) if snapshot.get("option") else None,
        entity=Entity(**{k: e.get(k) or "" for k in Entity.__dataclass_fields__}),
        boundary=Boundary(
            subject=b["subject"], kind=b["kind"], description=b.get("description") or "",
            sites=tuple(Facility(s["name"], s.get("address") or "") for s in b["sites"]),
            exclusions=tuple(Exclusion(x["item"], x["reason"], _dec(x.get("share_percent"))) for x in b["exclusions"])),
        standard=snapshot["standard"],
        validation=Validation(ValidationType(v["type"]), v.get("body") or "", v.get("accreditation") or "",
                              v.get("standard") or "", v.get("assurance_level") or "", v.get("opinion") or "",
                              _date(v.get("verified_on")), v.get("state") or ""),
        baseline_date=_date(c["baseline_date"]), first_qualification_date=_date(c["first_qualification_date"]),
        period_start=_date(p["start"]), period_end=_date(p["end"]), period_sequence=int(p["sequence"]),
        method=Method(tuple(m["standards"]), m["gwp_set"], m["factor_library_version"], tuple(m["factor_sources"]),
                      tuple(m["gases"]), tuple(m["scope2_methods"])),
        eacs=tuple(EacApplied(x["scheme"], x["market"], int(x["mwh"])) for x in snapshot["eacs"]),
        footprint=Footprint(
            total=_lines([f["total"]])[0], by_scope=_lines(f["by_scope"]), by_category=_lines(f["by_category"]),
            by_scope3_category=_lines(f["by_scope3_category"]), by_gas=_lines(f["by_gas"]),
            uncertainty_percent=_dec(f["uncertainty_percent"]),
            uncertainty_by_scope=tuple((k, _dec(x)) for k, x in f["uncertainty_by_scope"]),
            complete=bool(f["complete"]), inventory_version=int(f["inventory_version"]),
            inventory_status=f["inventory_status"]),
        balance=Balance(
            **{k: _dec(bal[k]) for k in ("gross_location_tco2e", "gross_market_tco2e", "certificates_tco2e",
                                         "residual_tco2e")},
            credits_counted_tco2e=_dec(bal["credits_counted_tco2e"]) or Decimal(0),
            credits_retired_tco2e=_dec(bal["credits_retired_tco2e"]) or Decimal(0),
            verdict=bal["verdict"], blocking_rules=tuple(bal["blocking_rules"]), provisional=bool(bal["provisional"])),
        previous_period=(tuple(_date(d) for d in snapshot["previous_period"])  # type: ignore[arg-type]
                         if snapshot.get("previous_period") else None),
        changes=tuple(Change(x["key"], _dec(x["previous_tco2e"]), _dec(x["current_tco2e"]))  # type: ignore[arg-type]
                      for x in snapshot["changes"]),
        targets=tuple(TargetProgress(
            kind=t["kind"], scopes=t["scopes"], base_year=int(t["base_year"]), base_value=_dec(t["base_value"]),
            target_year=int(t["target_year"]), reduction_percent=_dec(t["reduction_percent"]),
            target_value=_dec(t["target_value"]), unit=t["unit"], actual=_dec(t["actual"]),
            allowed=_dec(t["allowed"]), reduced_percent=_dec(t["reduced_percent"]), on_track=t["on_track"],
            problem=from_data(t["problem"])) for t in snapshot["targets"]),  # type: ignore[arg-type]
        plan=Plan(
            statement=c.get("statement") or "", neutrality_deadline=_date(c.get("neutrality_deadline")),
            commitment_until=_date(c.get("commitment_until")),
            planned_measures=tuple(c.get("planned_measures") or ()), offset_strategy=c.get("offset_strategy") or "",
            intended_credit_types=tuple(c.get("intended_credit_types") or ()),
            measures=tuple(Measure(_from_written(x["title"]), from_data(x["status"]), int(x["scope"]), x["site"],
                                   _dec(x["expected_tco2e"]), _dec(x["achieved_tco2e"]))
                           for x in snapshot["measures"])),
        retirements=tuple(RetirementLine(
            id=int(r["id"]), scheme=r["scheme"], unit=r["unit"], project=r["project"], project_id=r["project_id"],
            country=r["country"] or "", vintage_start=_date(r["vintage_start"]), vintage_end=_date(r["vintage_end"]),
            issuance=r["issuance"], serial_start=int(r["serial_start"]), serial_end=int(r["serial_end"]),
            quantity=int(r["quantity"]), registry=r["registry"], retired_on=_date(r["retired_on"]),
            reference=r["reference"], link=r.get("link") or "", beneficiary=r.get("beneficiary") or "",
            evidence_sha256=r["evidence_sha256"], counted=bool(r["counted"]))  # type: ignore[arg-type]
            for r in snapshot["retirements"]),
        excluded=tuple(ExcludedLine(int(x["retirement_id"]), x["scheme"], int(x["quantity"]), x["unit"],
                                    tuple(x["rules"]), _from_written(x["explanation"])) for x in snapshot["excluded"]),
        findings=tuple(FindingLine(x["rule_set"], x["rule_id"], x["clause"], _from_written(x["title"]), x["severity"],
                                   x["outcome"], _from_written(x["explanation"]), x["subject"])
                       for x in snapshot["findings"]),
        published_at=snapshot.get("published_at") or "",
        prepared_on=_date(snapshot["prepared_on"]),  # type: ignore[arg-type]
        version=int(snapshot.get("version") or 0),
        # absent without a previous period to compare with, and from the snapshots frozen before
        # the balance chart showed the reductions
        achieved_reduction_tco2e=_dec(snapshot.get("achieved_reduction_tco2e")),
    )
