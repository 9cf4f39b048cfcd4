"""``neutrality balance``, the neutrality balance of a period, and ``neutrality registry
needs``, what a period still needs.

The needs command keeps its place under ``registry`` where users know it, but the needs are a
claims computation and the registry sits below the claims, so the command is defined here and
attached to the registry group.
"""

from __future__ import annotations

import click

from neutrality.access.cli import cli_actor
from neutrality.claims import services
from neutrality.claims.schemas import BalanceSchema, NeedsSchema
from neutrality.cli_support import Group, cli_uow, output, printing
from neutrality.commitments.cli import ORGANISATION_AND_PERIOD_HELP, period_argument
from neutrality.organisations.cli import organisation_argument
from neutrality.registry.cli import registry


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
