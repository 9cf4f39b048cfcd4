"""``neutrality reductions``: the register of measures, the targets and their progress, and what
a period's inventory shows was reduced.

``achieved`` prints the period against the previous period or the base year: per scope, site
and source, the change split into activity and factor (only the activity part is an achieved
reduction), Scope 2 market-based apart, and each measure's expected and achieved reduction.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import click

from neutrality.access.cli import cli_actor
from neutrality.cli_support import Group, cli_uow, output, printing, table
from neutrality.commitments.cli import ORGANISATION_AND_PERIOD_HELP, period_argument
from neutrality.organisations.cli import organisation_argument
from neutrality.presentation import PERCENT, QUANTITY, TONNES, rounded
from neutrality.reductions import achieved_services, services, target_services
from neutrality.reductions.achieved_schemas import PeriodReductionsSchema
from neutrality.reductions.schemas import RegisterSchema
from neutrality.reductions.target_schemas import ProgressSchema, TargetSchema
from neutrality.reductions.targets import TargetKind

AGAINST = {"previous": "against_previous", "base-year": "against_base_year"}
_FIGURES = ("old_tco2e", "new_tco2e", "change", "due_to_activity", "due_to_factor", "achieved_reduction")


@click.group(cls=Group)
def reductions() -> None:
    """Reduction measures, targets and progress, and reductions achieved, read from the inventories."""


def _row(level: str, line: dict[str, Any], **where: Any) -> dict[str, Any]:
    figures = line["figures"] if "figures" in line else line
    return {"level": level, **where, **{name: rounded(figures[name], TONNES) for name in _FIGURES}}


def _lines(comparison: dict[str, Any], sites: dict[int, str]) -> list[dict[str, Any]]:
    basis = comparison["basis"]
    rows = [_row(f"scope ({basis})", line, scope=line["scope"]) for line in comparison["by_scope"]]
    rows += [_row("site", line, site=sites.get(line["site_id"], line["site_id"])) for line in comparison["by_site"]]
    rows += [_row("source", line, scope=line["scope"], site=sites.get(line["site_id"], line["site_id"]),
                  source=line["name"]) for line in comparison["by_source"]]
    rows.append(_row(f"total ({basis})", comparison["total"]))
    return rows


@reductions.command("achieved", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--against", type=click.Choice(list(AGAINST)), default="previous", show_default=True,
              help="Compare with the previous period of the commitment, or with its base year.")
@printing()
def reductions_achieved(organisation_id: int, period_id: int, against: str, as_json: bool) -> None:
    """The period against an earlier one: the change per scope, site and source, split into
    activity and factor (tCO2e; reduction = −change), and each measure's expected and achieved
    reduction. A revised factor is not an achieved reduction."""
    found = achieved_services.period_reductions(cli_uow(), cli_actor(), organisation_id, period_id)
    data = PeriodReductionsSchema().dump(found)
    if as_json:
        output(None, data, True)
        return
    chosen = data[AGAINST[against]]
    for note in data["notes"]:
        click.echo(f"note: {note}")
    if chosen is None:
        click.echo(f"{data['year']}: nothing to compare {against.replace('-', ' ')} with")
        return
    result = chosen["result"]
    click.echo(f"{chosen['to_year']} (inventory {chosen['to_inventory_id']}) against {chosen['from_year']} "
               f"(inventory {chosen['from_inventory_id']}), tCO2e; achieved reduction = −due_to_activity")
    for note in chosen["notes"]:
        click.echo(f"note: {note}")
    sites = {site["id"]: site["name"] for site in data["sites"]}
    click.echo(table(_lines(result["location"], sites) + _lines(result["scope2_market"], sites),
                     columns=("level", "scope", "site", "source", *_FIGURES)))
    measures = []
    for item in data["measures"]:
        got = item[AGAINST[against]] or {}
        expected = item["expected"]
        measures.append({
            "id": item["measure_id"], "title": item["title_en"] or item["title_zh_hans"] or item["title_zh_hant"],
            "status": item["status"], "scope": item["scope"], "source": item["source"],
            "expected_tco2e": rounded(expected["tco2e"], TONNES) if expected else None,
            "achieved_tco2e": rounded(got.get("achieved_reduction"), TONNES),
            "shared_tco2e": rounded(got.get("shared_reduction"), TONNES),
            "market_tco2e": rounded(got.get("market_achieved_reduction"), TONNES),
            "note": got.get("note"),
        })
    click.echo("\nmeasures:")
    click.echo(table(measures))
    if result["attributed_reduction"] is not None:
        click.echo(f"\nattributed to measures (each source once): {rounded(result['attributed_reduction'], TONNES)}; "
                   f"not attributed: {rounded(result['unattributed_reduction'], TONNES)}")


@reductions.command("measures")
@organisation_argument
@printing()
def reductions_measures(organisation_id: int, as_json: bool) -> None:
    """The register of reduction measures, ranked by the weighted score, with each measure's
    expected reduction a year (tCO2e, calculated from what it changes)."""
    register = services.list_measures(cli_uow(), cli_actor(), organisation_id)
    if as_json:
        output(RegisterSchema(), register, True)
        return
    rows = [{
        "rank": view.rank, "id": view.row.id, "title": view.value.title.in_locale("en"),
        "category": view.value.category.value, "scope": int(view.value.scope), "source": view.value.source,
        "status": view.value.status.value, "expected_tco2e": rounded(view.expected.tco2e, TONNES) if view.expected else None,
        "score": rounded(view.score, QUANTITY) if view.score is not None else None,
    } for view in register.measures]
    click.echo(f"GWP set of the latest inventory: {register.gwp_set}")
    click.echo(table(rows))


@reductions.command("targets")
@organisation_argument
@printing()
def reductions_targets(organisation_id: int, as_json: bool) -> None:
    """The organisation's reduction targets: kind, scopes, base and target years and values."""
    stored = target_services.list_targets(cli_uow(), cli_actor(), organisation_id)
    output(TargetSchema(many=True), stored, as_json,
           columns=("id", "commitment_id", "kind", "scopes", "scope2_basis", "base_year", "base_value", "target_year",
                    "reduction_percent", "target_value", "output_unit", "term"))


@reductions.command("progress")
@organisation_argument
@click.argument("target_id", type=int)
@printing()
def reductions_progress(organisation_id: int, target_id: int, as_json: bool) -> None:
    """Each period of a target on its trajectory: actual beside allowed, on or off track, reduced
    since the base year (for an intensity, also in tCO2e); and what the base-year check did."""
    followed = target_services.target_progress(cli_uow(), cli_actor(), organisation_id, target_id)
    if as_json:
        output(ProgressSchema(), followed, True)
        return
    if followed.base is not None:
        click.echo(f"base year: {followed.base.explanation}")
    def measured(value: Decimal) -> str | None:  # an intensity in tCO2e per unit needs its small digits
        if followed.target.kind == TargetKind.INTENSITY.value:
            return format(value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), "f")
        return rounded(value, TONNES)

    unit = "tCO2e" if followed.target.output_unit is None else f"tCO2e/{followed.target.output_unit}"
    click.echo(f"target {followed.target.id}: {followed.target.kind}, scope {followed.target.scopes}, "
               f"{followed.target.base_year}→{followed.target.target_year} −{followed.target.reduction_percent}% ({unit})")
    rows = [{
        "year": p.year, "period": p.period_id, "inventory": f"{p.inventory_id} ({p.inventory_status})",
        "actual": measured(p.position.actual), "allowed": measured(p.position.allowed),
        "on_track": "yes" if p.position.on_track else "no",
        "reduced_%": rounded(p.position.reduced_percent, PERCENT) if p.position.reduced_percent is not None else None,
        "tco2e": rounded(p.position.tco2e, TONNES),
    } for p in followed.periods]
    click.echo(table(rows))
    for period_id in followed.missing_output:
        click.echo(f"period {period_id}: no output recorded, so its intensity cannot be given")
