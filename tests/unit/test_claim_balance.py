"""The balance under a claim counts only what no blocking rule refuses."""

from __future__ import annotations

from decimal import Decimal

from neutrality.claims.balance import RetiredUnits, claim_balance
from neutrality.rules.model import Finding, Outcome, Severity, Text

T = Text("t", "t", "t")


def _finding(subject: str, rule_id: str, outcome: Outcome = Outcome.FAIL,
             severity: Severity = Severity.BLOCKING) -> Finding:
    return Finding(rule_set="x/1", rule_id=rule_id, clause="", title=T, severity=severity, confirmed=True,
                   outcome=outcome, explanation=Text(f"{rule_id} says no", "否", "否"), evidence={}, subject=subject)


RETIRED = [
    RetiredUnits(1, "VCU", 100, "tCO2e", None),  # refused: beneficiary (SANITY-02)
    RetiredUnits(2, "CCER", 400, "tCO2e", None),  # only a warning: counted
    RetiredUnits(3, "GEC", 1000, "MWh", "CN"),  # refused: expired (CN-GEC-04)
    RetiredUnits(4, "GEC", 500, "MWh", "CN"),  # passes: counted
]
FINDINGS = [
    _finding("retirement:1", "SANITY-02"),
    _finding("retirement:2", "ICVCM-02", severity=Severity.WARNING),
    _finding("retirement:3", "CN-GEC-04"), _finding("retirement:3", "GHGP-04-4"),
    _finding("retirement:4", "CN-GEC-04", outcome=Outcome.PASS),
    _finding("period", "ISO-32"),
]


def test_refused_retirements_are_left_out_and_the_residual_follows_the_certificates_counted() -> None:
    asked: list[dict] = []

    def residual_after(mwh: dict) -> Decimal:
        asked.append(dict(mwh))
        # 1,000 MWh less covered at 0.6096 t/MWh adds 609.6 t to a residual of 650 t
        return Decimal("650") + (Decimal(1500) - mwh.get("CN", Decimal(0))) * Decimal("0.6096")

    claim = claim_balance("iso_14068_1_2023", ("iso-14068-1/2023",), FINDINGS, RETIRED,
                          credits_retired_tco2e=Decimal(500), eac_retired_mwh_by_market={"CN": Decimal(1500)},
                          residual_after=residual_after)
    assert [(e.retirement_id, e.rules) for e in claim.excluded] == [(1, ("SANITY-02",)), (3, ("CN-GEC-04", "GHGP-04-4"))]
    # credits: 500 retired − 100 refused = 400 counted; certificates: 1,500 − 1,000 = 500 MWh counted
    assert claim.credits_counted_tco2e == 400 and claim.eac_counted_mwh_by_market == {"CN": 500}
    assert asked == [{"CN": 500}]
    # residual 650 + 1,000 × 0.6096 = 1,259.6 t; 400 counted − 1,259.6 = −859.6: short
    assert claim.residual_tco2e == Decimal("1259.6000")
    assert claim.difference_tco2e == Decimal("-859.6000") and claim.verdict == "short"
    assert claim.blocking_period_rules == ("ISO-32",)
    assert claim.excluded[0].explanation == "SANITY-02 says no"


def test_with_nothing_refused_the_claim_counts_the_whole_ledger() -> None:
    claim = claim_balance("iso_14068_1_2023", (), [_finding("retirement:2", "ICVCM-02", severity=Severity.WARNING)],
                          RETIRED[1:2], credits_retired_tco2e=Decimal(400), eac_retired_mwh_by_market={},
                          residual_after=lambda mwh: Decimal(300))
    assert claim.excluded == () and claim.credits_counted_tco2e == 400
    assert (claim.difference_tco2e, claim.verdict) == (Decimal(100), "covered")
