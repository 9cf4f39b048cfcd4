"""``neutrality balance``, the neutrality balance of a period, and ``neutrality registry
needs``, what a period still needs.

The needs command keeps its place under ``registry`` where users know it, but the needs are a
claims computation and the registry sits below the claims, so the command is defined here and
attached to the registry group.
"""

from __future__ import annotations

import click

from neutrality.access.cli import cli_actor
from neutrality.claims import eligibility, readiness_service, services
from neutrality.claims.schemas import (
    BalanceSchema,
    NeedsSchema,
    PeriodFindingsSchema,
    ReadinessSchema,
    RuleSetSchema,
)
from neutrality.cli_support import Group, cli_uow, output, printing
from neutrality.clock import utcnow
from neutrality.commitments.cli import ORGANISATION_AND_PERIOD_HELP, period_argument
from neutrality.organisations.cli import organisation_argument
from neutrality.registry.cli import registry
from neutrality.rules.catalogue import shipped_catalogue


# Under `neutrality registry`, where users look for it; defined here, where the needs live.
@registry.command("needs", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@printing()
def registry_needs(organisation_id: int, period_id: int, as_json: bool) -> None:
    """MWh of EACs per market and tCO2e of credits the period still needs."""
    output(NeedsSchema(), services.period_needs(cli_uow(), cli_actor(), organisation_id, period_id),
           as_json)



@click.group(cls=Group)
def balance() -> None:
    """Neutrality balances of application periods."""


@balance.command("show", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@printing()
def balance_show(organisation_id: int, period_id: int, as_json: bool) -> None:
    """The balance of one period: gross, EAC coverage, residual, credits, verdict (exact figures;
    a table, or JSON with --json)."""
    output(BalanceSchema(),
           services.period_balance(cli_uow(), cli_actor(), organisation_id, period_id), as_json)


@click.group(cls=Group)
def rules() -> None:
    """Rule sets of the standards, and the findings of a period under its claim."""


@rules.command("list")
@printing()
def rules_list(as_json: bool) -> None:
    """Every rule set shipped: standard, version, kind, status and the dates it is in force."""
    output(RuleSetSchema(many=True, exclude=("rules",)), shipped_catalogue().sets, as_json,
           columns=("key", "version", "kind", "status", "in_force_from", "in_force_to", "rule_count"))


@rules.command("show")
@click.argument("key")
@click.option("--version", help="The version (default: every version of the standard).")
@printing()
def rules_show(key: str, version: str | None, as_json: bool) -> None:
    """The rules of one standard (e.g. iso-14068-1, gec, re100)."""
    sets = [s for s in shipped_catalogue().versions(key) if version is None or s.version == version]
    if not sets:
        known = ", ".join(sorted({s.key for s in shipped_catalogue().sets}))
        raise click.BadParameter(f"no rule set {key}{'/' + version if version else ''}; known: {known}",
                                 param_hint="KEY")
    for rule_set in sets:
        output(RuleSetSchema(), rule_set, as_json) if as_json else output(
            None, [{"id": r.id, "clause": r.clause, "title": r.title.en, "check": r.check,
                    "severity": r.severity.value, "confirmed": r.confirmed,
                    "in_force_from": r.in_force_from, "in_force_to": r.in_force_to} for r in rule_set.rules],
            False)


@rules.command("check", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--all", "show_all", is_flag=True,
              help="Show every finding (by default only the failures: blocking and warnings).")
@click.option("--lang", type=click.Choice(["en", "zh_Hans", "zh_Hant"]), default="en", show_default=True,
              help="The language of the table's explanations (the JSON has all three).")
@printing()
def rules_check(organisation_id: int, period_id: int, show_all: bool, lang: str, as_json: bool) -> None:
    """Judge a period by the rules of its claim: each retirement and the period itself. Exits
    with 1 when a blocking rule fails."""
    found = eligibility.period_findings(cli_uow(), cli_actor(), organisation_id, period_id,
                                        as_of=utcnow().date())
    if as_json:
        output(PeriodFindingsSchema(), found, True)
    else:
        shown = [f for f in found.findings if show_all or f.outcome.value == "fail"]
        click.echo(f"rule sets: {', '.join(found.rule_sets)}; {len(found.findings)} finding(s), "
                   f"{found.blocking_count} blocking")
        output(None, [{"subject": f.subject, "rule": f.rule_id, "outcome": f.outcome.value,
                       "severity": f.severity.value, "confirmed": f.confirmed,
                       "explanation": f.explanation.in_locale(lang)} for f in shown], False)
    if found.blocking_count:
        raise click.exceptions.Exit(1)


@rules.command("readiness", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--lang", type=click.Choice(["en", "zh_Hans", "zh_Hant"]), default="en", show_default=True,
              help="The language of the table's texts (the JSON has all three).")
@printing()
def rules_readiness(organisation_id: int, period_id: int, lang: str, as_json: bool) -> None:
    """What is missing or failing before the period's declaration can be made, blocking items
    first, each with the action that fixes it. Exits with 1 while anything blocks."""
    ready = readiness_service.period_readiness(cli_uow(), cli_actor(), organisation_id, period_id,
                                               as_of=utcnow().date())
    if as_json:
        output(ReadinessSchema(), ready, True)
    else:
        click.echo(ready.summary.in_locale(lang))
        if ready.items:
            output(None, [{"blocking": "yes" if i.blocking else "no", "code": i.code,
                           "rules": ", ".join(i.rules), "text": i.text.in_locale(lang),
                           "action": i.action, "fix": i.action_text.in_locale(lang)} for i in ready.items],
                   False)
    if not ready.ready:
        raise click.exceptions.Exit(1)
