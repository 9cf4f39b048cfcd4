"""``neutrality commitments``: commitments and their application periods."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from neutrality.access.cli import cli_actor
from neutrality.cli_support import FILE, ID, Group, cli_uow, echo, load
from neutrality.commitments import services
from neutrality.commitments.schemas import CommitmentCreateSchema, CommitmentSchema, PeriodSchema

#: Periods appended at once: the API's bound on ``count``.
PERIOD_COUNT = click.IntRange(1, 100)


@click.group(cls=Group)
def commitments() -> None:
    """Commitments and application periods."""


@commitments.command("list")
@click.argument("organisation_id", type=ID)
def commitments_list(organisation_id: int) -> None:
    echo(CommitmentSchema(many=True),
         services.list_commitments(cli_uow(), cli_actor(), organisation_id))


@commitments.command("create")
@click.argument("organisation_id", type=ID)
@click.option("--json", "path", type=FILE, required=True)
def commitments_create(organisation_id: int, path: Path) -> None:
    data = load(CommitmentCreateSchema(), path)
    echo(CommitmentSchema(),
         services.create_commitment(cli_uow(), cli_actor(), organisation_id, data))


@commitments.command("periods")
@click.argument("organisation_id", type=ID)
@click.argument("commitment_id", type=ID)
def commitments_periods(organisation_id: int, commitment_id: int) -> None:
    """List a commitment's application periods."""
    echo(PeriodSchema(many=True),
         services.list_periods(cli_uow(), cli_actor(), organisation_id, commitment_id))


@commitments.command("generate-periods")
@click.argument("organisation_id", type=ID)
@click.argument("commitment_id", type=ID)
@click.option("--count", type=PERIOD_COUNT)
@click.option("--through", type=click.DateTime(formats=["%Y-%m-%d"]))
def commitments_generate(organisation_id: int, commitment_id: int, count: int | None,
                         through: dt.datetime | None) -> None:
    """Append COUNT periods, or enough to reach THROUGH (YYYY-MM-DD)."""
    created = services.generate(cli_uow(), cli_actor(), organisation_id, commitment_id,
                                count=count, through=through.date() if through else None)
    echo(PeriodSchema(many=True), created)
