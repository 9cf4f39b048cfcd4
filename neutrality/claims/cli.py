"""``neutrality balance``, the neutrality balance of a period, and ``neutrality registry
needs``, what a period still needs.

The needs command keeps its place under ``registry`` where users know it, but the needs are a
claims computation and the registry sits below the claims, so the command is defined here and
attached to the registry group.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from neutrality.access.cli import cli_actor
from neutrality.claims import services
from neutrality.claims.schemas import BalanceSchema, NeedsSchema
from neutrality.cli_support import Group, cli_uow, echo
from neutrality.registry.cli import registry


# Built as the registry group would build it: a command added to a group later does not get the
# application context its group's own commands are given.
@click.command("needs")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
@with_appcontext
def registry_needs(organisation_id: int, period_id: int) -> None:
    """MWh of EACs per market and tCO2e of credits the period still needs."""
    echo(NeedsSchema(), services.period_needs(cli_uow(), cli_actor(), organisation_id, period_id))


registry.add_command(registry_needs)


@click.group(cls=Group)
def balance() -> None:
    """Neutrality balances of application periods."""


@balance.command("show")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
def balance_show(organisation_id: int, period_id: int) -> None:
    """The balance of one period: gross, EAC coverage, residual, credits, verdict (exact, JSON)."""
    echo(BalanceSchema(),
         services.period_balance(cli_uow(), cli_actor(), organisation_id, period_id))
