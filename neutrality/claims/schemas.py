"""API schemas of what the claims layer answers: the balance and the needs of a period."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_dump, validate
from webargs.fields import DelimitedList

from neutrality.presentation import COUNT, PERCENT, QUANTITY, TONNES
from neutrality.schemas import Display, StrictSchema, quantity


class ExcludedSchema(StrictSchema):
    retirement_id = fields.Integer()
    scheme = fields.String()
    quantity = fields.Integer()
    unit = fields.String()
    market = fields.String(allow_none=True)
    rules = fields.List(fields.String(), metadata={"description": "the blocking rules that refuse it"})
    explanation = fields.String(metadata={"description": "the first refusal, in English (…/findings has all three)"})


class ClaimBalanceSchema(StrictSchema):
    """The balance under the rules of the commitment's claim: only the retirements no blocking
    rule refuses count."""

    standard = fields.String()
    rule_sets = fields.List(fields.String())
    excluded = fields.List(fields.Nested(ExcludedSchema), metadata={
        "description": "retirements in the ledger that the claim does not count, with the rules"})
    credits_counted_tco2e = quantity()
    eac_counted_mwh_by_market = fields.Dict(keys=fields.String(), values=quantity())
    residual_tco2e = quantity(allow_none=True, metadata={
        "description": "market-based, once the counted certificates cover their electricity"})
    difference_tco2e = quantity(allow_none=True)
    verdict = fields.String(allow_none=True, metadata={
        "description": "covered when the credits counted ≥ the residual, else short"})
    blocking_period_rules = fields.List(fields.String(), metadata={
        "description": "period rules that fail and block the claim whatever the figures (e.g. ISO-32)"})
    display = Display(credits_counted_tco2e=TONNES, eac_counted_mwh_by_market=QUANTITY,
                      residual_tco2e=TONNES, difference_tco2e=TONNES)


class BalanceSchema(StrictSchema):
    """Exact figures (decimal strings); ``difference_tco2e`` = credits retired − residual.

    The top-level figures are the arithmetic of the whole ledger, without rules; ``claim`` is the
    balance under the rules of the commitment's claim."""

    period_id = fields.Integer()
    start_date = fields.Date()
    end_date = fields.Date()
    inventory_id = fields.Integer(allow_none=True)
    inventory_status = fields.String(allow_none=True)
    provisional = fields.Boolean(metadata={"description": "true until the inventory is verified"})
    verification_state = fields.String(allow_none=True, metadata={"description": (
        "claimed (recorded by the organisation) or confirmed (by the appointed verifier's opinion); "
        "null without a verification. A claim needs it confirmed")})
    retirements = fields.List(fields.Integer())
    gross_location_tco2e = quantity(allow_none=True)
    gross_market_tco2e = quantity(allow_none=True, metadata={"description": "market-based, before any certificate"})
    electricity_mwh = quantity(allow_none=True)
    eac_retired_mwh_by_market = fields.Dict(keys=fields.String(), values=quantity())
    retired_by_scheme = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "units retired per scheme: tCO2e for credits, MWh for certificates"})
    eac_covered_mwh = quantity()
    eac_unused_mwh_by_market = fields.Dict(keys=fields.String(), values=quantity())
    electricity_covered_percent = quantity(allow_none=True)
    residual_tco2e = quantity(allow_none=True)
    credits_retired_tco2e = quantity()
    difference_tco2e = quantity(allow_none=True)
    verdict = fields.String(allow_none=True, metadata={
        "description": "covered when credits retired ≥ residual, else short; null without an inventory"})
    note = fields.String(metadata={"description": "present when the figures need a word of caution"})
    claim = fields.Nested(ClaimBalanceSchema, allow_none=True, metadata={
        "description": "the balance under the claim's rules (null without an inventory)"})
    display = Display(
        gross_location_tco2e=TONNES, gross_market_tco2e=TONNES, electricity_mwh=QUANTITY,
        eac_retired_mwh_by_market=QUANTITY, retired_by_scheme=COUNT, eac_covered_mwh=QUANTITY,
        eac_unused_mwh_by_market=QUANTITY, electricity_covered_percent=PERCENT,
        residual_tco2e=TONNES, credits_retired_tco2e=TONNES, difference_tco2e=TONNES)

    @post_dump
    def _note_only_when_there_is_one(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("note") is None:
            data.pop("note", None)
        return data


class MarketNeedSchema(StrictSchema):
    market = fields.String()
    electricity_mwh = quantity()
    eac_retired_mwh = quantity()
    eac_needed_mwh = quantity()
    eac_held_mwh = quantity()
    eac_to_buy_mwh = quantity()
    display = Display(electricity_mwh=QUANTITY, eac_retired_mwh=QUANTITY, eac_needed_mwh=QUANTITY,
                      eac_held_mwh=QUANTITY, eac_to_buy_mwh=QUANTITY)


class CreditNeedSchema(StrictSchema):
    gross_location_tco2e = quantity()
    gross_market_tco2e = quantity()
    residual_tco2e = quantity()
    retired_tco2e = quantity()
    needed_tco2e = quantity()
    held_tco2e = quantity()
    to_buy_tco2e = quantity()
    display = Display(gross_location_tco2e=TONNES, gross_market_tco2e=TONNES, residual_tco2e=TONNES,
                      retired_tco2e=TONNES, needed_tco2e=TONNES, held_tco2e=TONNES, to_buy_tco2e=TONNES)


class NeedsSchema(StrictSchema):
    """What a period still needs; figures are exact decimal strings."""

    period_id = fields.Integer()
    start_date = fields.Date()
    end_date = fields.Date()
    standard = fields.String()
    retirement_deadline = fields.Date(allow_none=True)
    deadline_rule = fields.String()
    inventory_id = fields.Integer(allow_none=True)
    inventory_status = fields.String(allow_none=True)
    markets = fields.List(fields.Nested(MarketNeedSchema))
    credits = fields.Nested(CreditNeedSchema, allow_none=True)
    not_counted = fields.List(fields.Nested(ExcludedSchema), metadata={
        "description": "retirements in force the claim does not count (a blocking rule refuses them): "
                       "the retired figures above leave them out"})
    residual_basis = fields.String(metadata={
        "description": "which residual credits.residual_tco2e is: with all grid electricity covered by certificates"})
    residual_explanation = fields.String(metadata={
        "description": "why a retirement plan's or the balance's residual can differ from this one"})
    note = fields.String(metadata={"description": "present when the figures need a word of caution"})

    @post_dump
    def _note_only_when_there_is_one(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("note") is None:
            data.pop("note", None)
        return data


# --- rules and findings ----------------------------------------------------------------------


class TextSchema(StrictSchema):
    en = fields.String()
    zh_Hans = fields.String()
    zh_Hant = fields.String()


class RuleSchema(StrictSchema):
    id = fields.String()
    clause = fields.String()
    title = fields.Nested(TextSchema)
    check = fields.String()
    params = fields.Dict(metadata={"description": "the check's parameters, as the rule file gives them"})
    severity = fields.String(metadata={"description": "blocking: a failure refuses; warning: shown only"})
    target = fields.String(metadata={"description": "retirement or period"})
    instruments = fields.List(fields.String(), metadata={"description": "schemes or kinds judged (empty: all)"})
    in_force_from = fields.Date(allow_none=True)
    in_force_to = fields.Date(allow_none=True)
    source = fields.String()
    confirmed = fields.Boolean(metadata={"description": "false: the source is not yet confirmed against the primary text"})


class RuleSetSchema(StrictSchema):
    key = fields.String()
    version = fields.String()
    kind = fields.String()
    status = fields.String()
    title = fields.Nested(TextSchema)
    source = fields.String()
    in_force_from = fields.Date(allow_none=True)
    in_force_to = fields.Date(allow_none=True)
    path = fields.String()
    rule_count = fields.Function(lambda s: len(s.rules))
    rules = fields.List(fields.Nested(RuleSchema))


class FindingSchema(StrictSchema):
    subject = fields.String(metadata={"description": "period, retirement:<id> or block:<id>"})
    rule_set = fields.String()
    rule_id = fields.String()
    clause = fields.String()
    title = fields.Nested(TextSchema)
    outcome = fields.String(metadata={"description": "pass, fail or not_applicable"})
    severity = fields.String()
    blocks = fields.Boolean(metadata={"description": "a blocking rule failed"})
    confirmed = fields.Boolean()
    explanation = fields.Nested(TextSchema)
    evidence = fields.Dict(keys=fields.String(), values=fields.String())


class FindingsQuerySchema(StrictSchema):
    outcome = DelimitedList(fields.String(validate=validate.OneOf(["pass", "fail", "not_applicable"])),
                            load_default=list, metadata={
        "description": "comma-separated outcomes to list (pass, fail, not_applicable); all by default"})
    subject = fields.String(load_default=None, validate=validate.Regexp(r"^(period|retirement:[0-9]+)$"),
                            metadata={"description": "only the findings about this subject: period or retirement:<id>"})


class PeriodFindingsSchema(StrictSchema):
    period_id = fields.Integer()
    standard = fields.String()
    as_of = fields.Date()
    rule_sets = fields.List(fields.String())
    blocking_count = fields.Integer(metadata={"description": "blocking rules that fail, among all the findings"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "findings per outcome, of all the findings whatever the query lists"})
    findings = fields.List(fields.Nested(FindingSchema), metadata={
        "description": "the findings of the outcomes and subject asked for"})


# --- readiness -------------------------------------------------------------------------------


class ReadinessItemSchema(StrictSchema):
    code = fields.String(metadata={"description": (
        "what is missing or failing: standard_not_in_force, no_inventory, inventory_not_verified, "
        "verification_not_confirmed, retirement_refused, rule_failed, credits_short, electricity_not_covered, "
        "retirement_deadline_passed, retirement_deadline_near, rule_warning")})
    subject = fields.String(metadata={"description": "period, retirement:<id>, market:<code> or rule:<id>"})
    blocking = fields.Boolean(metadata={"description": "true: the declaration cannot be made until it is fixed"})
    rules = fields.List(fields.String(), metadata={"description": "the rule ids it comes from (may be empty)"})
    figures = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "exact figures as strings: to_cover_tco2e, uncovered_mwh, days_left, days_overdue…"})
    text = fields.Nested(TextSchema)
    action = fields.String(metadata={"description": (
        "the page that fixes it: create_inventory, verify_inventory, retire_credits, retire_certificates, "
        "reverse_retirement, record_alias, change_standard, record_labels, review_inventory, "
        "review_claim, review_findings")})
    action_text = fields.Nested(TextSchema)


class ReadinessSchema(StrictSchema):
    """Blocking items first, then warnings; ``ready`` when nothing blocks."""

    period_id = fields.Integer()
    as_of = fields.Date()
    ready = fields.Boolean()
    blocking_count = fields.Function(lambda r: len(r.blocking))
    summary = fields.Nested(TextSchema)
    items = fields.List(fields.Nested(ReadinessItemSchema))
