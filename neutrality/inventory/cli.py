"""``neutrality inventory``: GHG inventories from the command line: create, import activity
files, report, reconcile invoices with meters, verify, new versions, templates and the factor
library."""

from __future__ import annotations

import decimal
from pathlib import Path

import click

from neutrality.access.cli import cli_actor
from neutrality.cli_support import (
    FILE,
    ID,
    Group,
    activity_limits,
    cli_uow,
    load,
    output,
    printing,
    read_file,
    read_spreadsheet,
    read_text,
    steps,
)
from neutrality.commitments.cli import ORGANISATION_AND_PERIOD_HELP, period_argument
from neutrality.inventory import activities, mappings
from neutrality.inventory import services as inventories
from neutrality.inventory.metering import DEFAULT_TOLERANCE_PERCENT
from neutrality.inventory.schemas import (
    ImportFormSchema,
    ImportOutcomeSchema,
    InventorySchema,
    LibraryFactorSchema,
    ReconciliationSchema,
    ReportSchema,
    SavedMappingSchema,
    VerificationInSchema,
    VerificationSchema,
)
from neutrality.organisations.cli import ORGANISATION_HELP, organisation_argument
from neutrality.spreadsheets import OFFERED_ENCODINGS


@click.group(cls=Group)
def inventory() -> None:
    """GHG inventories: create, import activity files, report, verify, versions, templates."""


@inventory.command("create", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--gwp", "gwp_set", type=click.Choice(["AR4", "AR5", "AR6"]), default="AR6",
              show_default=True)
@click.option("--external", is_flag=True, help="An inventory made with another tool (totals only).")
@printing()
def inventory_create(organisation_id: int, period_id: int, gwp_set: str, external: bool,
                     as_json: bool) -> None:
    created = inventories.create_inventory(
        cli_uow(), cli_actor(), organisation_id, period_id=period_id, gwp_set=gwp_set,
        origin="external" if external else "calculated")
    output(InventorySchema(), created, as_json)


@inventory.command("list", epilog=ORGANISATION_HELP)
@organisation_argument
@printing()
def inventory_list(organisation_id: int, as_json: bool) -> None:
    output(InventorySchema(many=True),
           inventories.list_inventories(cli_uow(), cli_actor(), organisation_id), as_json,
           columns=("id", "period_id", "version", "status", "origin", "gwp_set",
                    "factor_library_version", "activity_count", "created_at"))


@inventory.command("import", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("inventory_id", type=ID)
@click.argument("path", type=FILE)
@click.option("--mapping", "mapping_path", type=FILE,
              help='JSON file: {"columns": {"their header": "our field"}, '
                   '"fixed": {"unit": "kWh"}}')
@click.option("--encoding", type=click.Choice(OFFERED_ENCODINGS))
@click.option("--dry-run", is_flag=True, help="Check and preview; store nothing.")
@click.option("--overlap", type=click.Choice([o.value for o in activities.Overlap]), default="refuse",
              show_default=True,
              help="Rows covering what earlier files hold: refuse them, supersede the earlier rows, "
                   "or add them as meant.")
@click.option("--save-mapping/--no-save-mapping", default=True, show_default=True,
              help="Save the --mapping for the file's layout, for the next file of that layout.")
@printing()
def inventory_import(organisation_id: int, inventory_id: int, path: Path, mapping_path: Path | None,
                     encoding: str | None, dry_run: bool, overlap: str, save_mapping: bool,
                     as_json: bool) -> None:
    """Import a CSV/XLSX activity file: all rows or none; the same file twice changes nothing.
    A file sent without --mapping whose header row has a saved mapping is read with it. A file
    over 1 MiB shows its steps on stderr."""
    mapping = None
    if mapping_path is not None:
        form = {"mapping": read_text(mapping_path, "--mapping")}
        mapping = ImportFormSchema().load(form)["mapping"]
    limits = activity_limits()
    size = path.stat().st_size
    with steps(f"reading {path.name} ({size:,} bytes)", size):
        data = read_spreadsheet(path, limits)
    with steps("checking the rows" if dry_run else "checking and storing the rows", size):
        outcome = activities.import_activities(
            cli_uow(), cli_actor(), organisation_id, inventory_id, data=data, filename=path.name,
            max_bytes=limits.max_uncompressed_bytes, limits=limits, mapping=mapping,
            encoding=encoding, dry_run=dry_run, overlap=activities.Overlap(overlap),
            save_mapping=save_mapping,
        )
    output(ImportOutcomeSchema(), outcome, as_json)
    if outcome.preview is not None and outcome.preview.errors:
        raise click.exceptions.Exit(1)  # a dry run that found problems: scripts can tell


@inventory.command("mappings", epilog=ORGANISATION_HELP)
@organisation_argument
@printing()
def inventory_mappings(organisation_id: int, as_json: bool) -> None:
    """The column mappings saved for the organisation's file layouts, the most recently used
    first."""
    output(SavedMappingSchema(many=True), mappings.list_mappings(cli_uow(), cli_actor(), organisation_id),
           as_json, columns=("id", "header", "sheet", "last_used_at", "created_at", "created_by"))


@inventory.command("forget-mapping", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("mapping_id", type=ID)
def inventory_forget_mapping(organisation_id: int, mapping_id: int) -> None:
    """Forget a saved column mapping (audited): the next file of its layout needs one again."""
    mappings.forget_mapping(cli_uow(), cli_actor(), organisation_id, mapping_id)
    click.echo(f"column mapping {mapping_id} forgotten")


@inventory.command("report", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("inventory_id", type=ID)
@printing()
def inventory_report(organisation_id: int, inventory_id: int, as_json: bool) -> None:
    """Figures by scope, category, gas, site and ISO category (a table of rounded figures, or
    JSON with --json: exact figures, each object's rounded in its "display")."""
    report = inventories.inventory_report(cli_uow(), cli_actor(), organisation_id, inventory_id)
    output(ReportSchema(), report, as_json)


@inventory.command("metering", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("inventory_id", type=ID)
@click.option("--tolerance", "tolerance_percent", type=decimal.Decimal,
              default=DEFAULT_TOLERANCE_PERCENT, show_default=True,
              help="How far (%) an invoice may differ from the meters before it is flagged.")
@printing()
def inventory_metering(organisation_id: int, inventory_id: int,
                       tolerance_percent: decimal.Decimal, as_json: bool) -> None:
    """Invoices against meter readings: superseded (not counted) or partly metered (flagged)."""
    items = inventories.metering_reconciliation(cli_uow(), cli_actor(), organisation_id,
                                                inventory_id, tolerance_percent=tolerance_percent)
    output(ReconciliationSchema(many=True), items, as_json)


@inventory.command("template")
@click.argument("activity_type")
def inventory_template(activity_type: str) -> None:
    """Print the CSV template of an activity type (redirect it to a file)."""
    template = activities.activity_template(cli_actor(), activity_type)
    # the bytes as the API serves them, byte-order mark included: without it Excel on Chinese
    # Windows reads the file in the ANSI code page (GBK or Big5) and shows mojibake
    click.echo(template, nl=False)


@inventory.command("undo-import", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("inventory_id", type=ID)
@click.argument("import_id", type=ID)
def inventory_undo_import(organisation_id: int, inventory_id: int, import_id: int) -> None:
    """Take an import back whole: its records and the batch, audited (not once verified)."""
    removed = activities.undo_import(cli_uow(), cli_actor(), organisation_id, inventory_id, import_id)
    click.echo(f"import {import_id} taken back: {removed:,} record(s) removed")


@inventory.command("new-version", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("inventory_id", type=ID)
@click.option("--reason", required=True)
@printing()
def inventory_new_version(organisation_id: int, inventory_id: int, reason: str,
                          as_json: bool) -> None:
    created = inventories.new_version(cli_uow(), cli_actor(), organisation_id, inventory_id,
                                      reason=reason)
    output(InventorySchema(), created, as_json)


@inventory.command("verify", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("inventory_id", type=ID)
@click.option("--statement", type=FILE, required=True)
@click.option("--json", "path", type=FILE, required=True,
              help="body, accreditation, assurance_level, materiality_percent, opinion, "
                   "verified_on")
@printing(json_flag=False)
def inventory_verify(organisation_id: int, inventory_id: int, statement: Path, path: Path,
                     as_json: bool) -> None:
    """Record the verification with its statement file and freeze the inventory (--output json
    to print the answer as JSON)."""
    details = load(VerificationInSchema(), path)
    verification = inventories.verify_inventory(
        cli_uow(), cli_actor(), organisation_id, inventory_id, details=details,
        statement=read_file(statement, "--statement"), statement_filename=statement.name)
    output(VerificationSchema(), verification, as_json)


@inventory.command("factors")
@click.option("--kind")
@click.option("--geography")
@printing()
def inventory_factors(kind: str | None, geography: str | None, as_json: bool) -> None:
    """The shipped emission-factor library, with provenance."""
    output(LibraryFactorSchema(many=True),
           inventories.library_factors(cli_actor(), kind=kind, geography=geography), as_json,
           columns=("key", "kind", "per_unit", "mass_unit", "gases.CO2", "gases.CH4",
                    "gases.N2O", "gases.CO2e", "ncv", "ncv_unit", "provenance.publisher",
                    "provenance.year", "name"))
