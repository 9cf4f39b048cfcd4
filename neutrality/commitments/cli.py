"""``neutrality commitments``: commitments and their application periods; and :data:`PERIOD`,
how every command names an application period (its id or the year it starts in)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy import or_, select

from neutrality.access.cli import cli_actor
from neutrality.cli_support import FILE, ID, Group, app_context, cli_uow, load, output, printing
from neutrality.commitments import services
from neutrality.commitments.schemas import CommitmentCreateSchema, CommitmentSchema, PeriodSchema
from neutrality.commitments.tables import ApplicationPeriodRow
from neutrality.organisations.cli import ORGANISATION_HELP, organisation_argument

#: Periods appended at once: the API's bound on ``count``.
PERIOD_COUNT = click.IntRange(1, 100)

#: The numbers a bare number may be the year of (see :class:`PeriodParam`).
YEARS = range(1900, 2201)

PERIOD_HELP = (
    "A period (PERIOD_ID, --period) is its id or the year it starts in: y2025 is the "
    "organisation's period starting in 2025, id:17 the period with id 17; a bare number from "
    "1900 to 2200 is taken only when one period fits it as an id or as a year (else the command "
    "stops and lists them), any other bare number is an id.")


class PeriodParam(click.ParamType):
    """An application period of the organisation named before it (``organisation_id``, which
    :func:`neutrality.organisations.cli.organisation_argument` converts first).

    - ``id:17``: the period with id 17.
    - ``y2025``: the organisation's period that starts in 2025; none, or several (two
      commitments), is a usage error listing its periods.
    - ``2025``, a bare number in :data:`YEARS`: both readings are looked up, the period with
      that id (of any organisation) and the organisation's periods starting in that year.
      Exactly one period is taken (a period of another organisation is refused by the service,
      as any id of another organisation is); none, or more than one, is a usage error naming
      them and the two explicit forms. So a year never silently picks a period that happens to
      have that id, nor an id a period that happens to start in that year.
    - any other bare number: an id, held to :data:`ID`'s range as before.
    """

    name = "period"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        explicit_id = re.fullmatch(r"id:\s*([+-]?\d+)", text, flags=re.ASCII | re.IGNORECASE)
        if explicit_id:
            return ID.convert(explicit_id[1], param, ctx)
        year = re.fullmatch(r"y(\d{4})", text, flags=re.ASCII | re.IGNORECASE)
        if year:
            return self._resolve(int(year[1]), as_id=False, param=param, ctx=ctx)
        if re.fullmatch(r"[+-]?\d+", text, flags=re.ASCII):
            number = ID.convert(text, param, ctx)
            if number in YEARS:
                return self._resolve(number, as_id=True, param=param, ctx=ctx)
            return number
        self.fail(f"'{text}' is neither a period's id (17, id:17) nor the year it starts in "
                  "(y2025, 2025).", param, ctx)

    def _resolve(self, number: int, *, as_id: bool, param: click.Parameter | None,
                 ctx: click.Context | None) -> int:
        organisation_id = ctx.params.get("organisation_id") if ctx is not None else None
        if organisation_id is None:
            self.fail("a period is found by its year within an organisation; none was named.",
                      param, ctx)
        app_context(ctx)
        uow = cli_uow()
        period = ApplicationPeriodRow
        wanted = period.organisation_id == organisation_id
        with uow:
            rows = list(uow.session.execute(
                select(period.id, period.organisation_id, period.commitment_id, period.start_date,
                       period.end_date)
                .where(or_(wanted, period.id == number) if as_id else wanted)
                .order_by(period.start_date, period.id)))
        own = [row for row in rows if row.organisation_id == organisation_id]
        by_year = [row for row in own if row.start_date.year == number]
        by_id = [row for row in rows if as_id and row.id == number]
        meant = {row.id: row for row in [*by_id, *by_year]}
        if len(meant) == 1:
            return next(iter(meant))
        if not meant:
            periods = f"its periods: {_listed(own)}" if own else "it has no periods"
            self.fail(f"organisation {organisation_id} has no period "
                      f"{'with id ' + str(number) + ' or ' if as_id else ''}starting in {number}; "
                      f"{periods}.", param, ctx)
        if by_id and by_year:
            starts = "starts" if len(by_year) == 1 else "start"
            self.fail(f"{number} is the id of period {_listed(by_id)}, and "
                      f"{_listed(by_year)} {starts} in {number}: write id:{number} or "
                      f"y{number}.", param, ctx)
        self.fail(f"{len(by_year)} periods of organisation {organisation_id} start in {number}: "
                  f"{_listed(by_year)}; give the id (id:N).", param, ctx)


def _listed(rows: list[Any]) -> str:
    return ", ".join(f"{row.id} ({row.start_date.isoformat()} to {row.end_date.isoformat()}, "
                     f"commitment {row.commitment_id})" for row in rows)


#: An application period on the command line (:class:`PeriodParam`).
PERIOD = PeriodParam()

#: The epilog of a command taking an organisation and a period.
ORGANISATION_AND_PERIOD_HELP = f"{ORGANISATION_HELP}\n\n{PERIOD_HELP}"


def period_argument(command: Callable[..., Any]) -> Callable[..., Any]:
    """The PERIOD_ID argument (:data:`PERIOD`); the command must take ORGANISATION_ID too."""
    return click.argument("period_id", type=PERIOD)(command)


def period_option(help_text: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--period`` option (:data:`PERIOD`)."""
    return click.option("--period", "period_id", type=PERIOD,
                        help=help_text or "Only this period's (its id, or y2025).")


@click.group(cls=Group)
def commitments() -> None:
    """Commitments and application periods."""


@commitments.command("list", epilog=ORGANISATION_HELP)
@organisation_argument
@printing()
def commitments_list(organisation_id: int, as_json: bool) -> None:
    output(CommitmentSchema(many=True),
           services.list_commitments(cli_uow(), cli_actor(), organisation_id), as_json,
           columns=("id", "subject_id", "standard", "zero_carbon_factory", "baseline_date",
                    "first_qualification_date", "period_length_months", "neutrality_deadline",
                    "commitment_until", "period_count"))


@commitments.command("create", epilog=ORGANISATION_HELP)
@organisation_argument
@click.option("--json", "path", type=FILE, required=True)
@printing(json_flag=False)
def commitments_create(organisation_id: int, path: Path, as_json: bool) -> None:
    """Create a commitment from a JSON file shaped like the API's request (--output json to
    print the answer as JSON)."""
    data = load(CommitmentCreateSchema(), path)
    output(CommitmentSchema(),
           services.create_commitment(cli_uow(), cli_actor(), organisation_id, data), as_json)


@commitments.command("periods", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("commitment_id", type=ID)
@printing()
def commitments_periods(organisation_id: int, commitment_id: int, as_json: bool) -> None:
    """List a commitment's application periods."""
    output(PeriodSchema(many=True),
           services.list_periods(cli_uow(), cli_actor(), organisation_id, commitment_id), as_json)


@commitments.command("generate-periods", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("commitment_id", type=ID)
@click.option("--count", type=PERIOD_COUNT)
@click.option("--through", type=click.DateTime(formats=["%Y-%m-%d"]))
@printing()
def commitments_generate(organisation_id: int, commitment_id: int, count: int | None,
                         through: dt.datetime | None, as_json: bool) -> None:
    """Append COUNT periods, or enough to reach THROUGH (YYYY-MM-DD)."""
    created = services.generate(cli_uow(), cli_actor(), organisation_id, commitment_id,
                                count=count, through=through.date() if through else None)
    output(PeriodSchema(many=True), created, as_json)
