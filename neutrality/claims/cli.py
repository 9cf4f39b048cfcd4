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
from neutrality.cli_support import ID, Group, cli_uow, echo
from neutrality.registry.cli import registry


# Under `neutrality registry`, where users look for it; defined here, where the needs live.
@registry.command("needs")
@click.argument("organisation_id", type=ID)
@click.argument("period_id", type=ID)
def registry_needs(organisation_id: int, period_id: int) -> None:
    """MWh of EACs per market and tCO2e of credits the period still needs."""
    echo(NeedsSchema(), services.period_needs(cli_uow(), cli_actor(), organisation_id, period_id))



@click.group(cls=Group)
def balance() -> None:
    """Neutrality balances of application periods."""


@balance.command("show")
@click.argument("organisation_id", type=ID)
@click.argument("period_id", type=ID)
def balance_show(organisation_id: int, period_id: int) -> None:
    """The balance of one period: gross, EAC coverage, residual, credits, verdict (exact, JSON)."""
    echo(BalanceSchema(),
         services.period_balance(cli_uow(), cli_actor(), organisation_id, period_id))
