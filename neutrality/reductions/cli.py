"""``neutrality reductions``: what a period's inventory shows was reduced.

``achieved`` prints the period against the previous period or the base year: per scope, site
and source, the change split into activity and factor (only the activity part is an achieved
reduction), Scope 2 market-based apart, and each measure's expected and achieved reduction.
"""

from __future__ import annotations

from typing import Any

import click

from neutrality.access.cli import cli_actor
from neutrality.cli_support import Group, cli_uow, output, printing, table
from neutrality.commitments.cli import ORGANISATION_AND_PERIOD_HELP, period_argument
from neutrality.organisations.cli import organisation_argument
from neutrality.presentation import TONNES, rounded
from neutrality.reductions import achieved_services
from neutrality.reductions.achieved_schemas import PeriodReductionsSchema

AGAINST = {"previous": "against_previous", "base-year": "against_base_year"}
_FIGURES = ("old_tco2e", "new_tco2e", "change", "due_to_activity", "due_to_factor", "achieved_reduction")


@click.group(cls=Group)
def reductions() -> None:
    """Reductions achieved, read from the inventories."""


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
