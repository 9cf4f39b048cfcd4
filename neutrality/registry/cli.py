"""``neutrality registry`` and ``neutrality retire``: instruments (schemes, registry imports,
blocks, purchases, holdings, contests over serials) and the retirement ledger (retire, reverse,
import, plan, reserve, apply, reconcile).

``registry needs`` is defined with the claims, which compute the needs of a period: the
registry sits below the claims and cannot import them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError

from neutrality.access.cli import cli_actor
from neutrality.cli_support import (
    FILE,
    ID,
    Group,
    cli_uow,
    ids,
    load,
    names,
    output,
    parse_json,
    printing,
    read_file,
    read_spreadsheet,
    read_text,
    registry_limits,
    steps,
)
from neutrality.clock import utcnow
from neutrality.commitments.cli import ORGANISATION_AND_PERIOD_HELP, period_argument, period_option
from neutrality.organisations.cli import ORGANISATION_HELP, organisation_argument
from neutrality.pagination import EVERYTHING
from neutrality.registry import (
    contests,
    held_blocks,
    importing,
    matching,
    planning,
    purchases,
    reconciling,
)
from neutrality.registry import retirements as ledger
from neutrality.registry.exports import KINDS as REGISTRY_KINDS
from neutrality.registry.exports import TEMPLATE_KINDS as REGISTRY_TEMPLATES
from neutrality.registry.holdings import holdings
from neutrality.registry.model import BlockStatus, ContestOutcome, ContestStatus
from neutrality.registry.planner import Policy
from neutrality.registry.schemas import (
    BlockSchema,
    ContestSchema,
    HoldingLineSchema,
    PlanApplyFormSchema,
    PlanSchema,
    PurchaseFormSchema,
    PurchaseSchema,
    RegistryImportFormSchema,
    RegistryImportOutcomeSchema,
    ReservationSchema,
    ReserveSchema,
    RetireFormSchema,
    RetirementImportFormSchema,
    RetirementImportOutcomeSchema,
    RetirementReconciliationSchema,
    RetirementSchema,
    SchemeSchema,
)
from neutrality.spreadsheets import OFFERED_ENCODINGS

#: Units of a block, as the API bounds a quantity.
UNITS = click.IntRange(1, 10**15)
#: Units a whole block may retire beyond the need, as the API bounds the tolerance.
TOLERANCE = click.IntRange(0, 10**12)

#: The fields of a block a table shows (--json has them all).
BLOCK_COLUMNS = ("id", "scheme", "project_id", "serial_start", "serial_end", "quantity",
                 "vintage_start", "vintage_end", "status", "account", "purchase_id", "import_id")
#: The fields of a retirement a table shows (--json has them all).
RETIREMENT_COLUMNS = ("id", "period_id", "kind", "block_id", "scheme", "serial_start",
                      "serial_end", "quantity", "unit", "retired_on", "registry_reference",
                      "beneficiary_text", "exclusion_reason")

# --- registry ----------------------------------------------------------------------------------


@click.group(cls=Group)
def registry() -> None:
    """Instruments: schemes, registry imports, blocks, purchases, holdings, needs."""


@registry.command("schemes")
@printing()
def registry_schemes(as_json: bool) -> None:
    """The carbon-credit and certificate schemes, with their unit and serial format."""
    output(SchemeSchema(many=True), held_blocks.list_schemes(cli_actor()), as_json,
           columns=("code", "unit", "kind", "registry", "name"))


@registry.command("template")
@click.argument("kind", type=click.Choice(REGISTRY_TEMPLATES))
def registry_template(kind: str) -> None:
    """Print the CSV template of an I-REC, GEC or CCER file."""
    # the bytes as the API serves them, byte-order mark included (Excel on Chinese Windows)
    click.echo(importing.registry_template(cli_actor(), kind), nl=False)


@registry.command("import", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("path", type=FILE)
@click.option("--kind", type=click.Choice(REGISTRY_KINDS),
              help="The file's format (detected when left out).")
@click.option("--mapping", "mapping_path", type=FILE,
              help='JSON file: {"their header": "our field"}')
@click.option("--encoding", type=click.Choice(OFFERED_ENCODINGS))
@click.option("--account", default="", help="The registry account the blocks sit in.")
@click.option("--purchase", "purchase_id", type=ID,
              help="The purchase that delivered these blocks.")
@click.option("--dry-run", is_flag=True, help="Check and preview; store nothing.")
@click.option("--project-id", "project_ids", multiple=True,
              help="A project of the organisation (repeat for several): of a registry's public "
                   "listing, only these projects' rows are read.")
@printing()
def registry_import(organisation_id: int, path: Path, kind: str | None, mapping_path: Path | None,
                    encoding: str | None, account: str, purchase_id: int | None,
                    dry_run: bool, project_ids: tuple[str, ...], as_json: bool) -> None:
    """Import a registry export or statement: all rows or none; the same file twice changes nothing.
    A registry's public listing is refused unless --project-id names the organisation's projects.
    A file over 1 MiB shows its steps on stderr."""
    mapping = None
    if mapping_path is not None:
        form = {"mapping": read_text(mapping_path, "--mapping")}
        mapping = RegistryImportFormSchema().load(form)["mapping"]
    limits = registry_limits()
    size = path.stat().st_size
    with steps(f"reading {path.name} ({size:,} bytes)", size):
        data = read_spreadsheet(path, limits)
    with steps("checking the rows" if dry_run else "checking and storing the rows", size):
        outcome = importing.import_registry_file(
            cli_uow(), cli_actor(), organisation_id, data=data,
            filename=path.name, max_bytes=limits.max_uncompressed_bytes, limits=limits,
            as_of=utcnow().date(), kind=kind, mapping=mapping,
            encoding=encoding, dry_run=dry_run, account=account, purchase_id=purchase_id,
            project_ids=project_ids,
        )
    output(RegistryImportOutcomeSchema(), outcome, as_json)
    if outcome.errors:
        raise click.exceptions.Exit(1)


@registry.command("blocks", epilog=ORGANISATION_HELP)
@organisation_argument
@click.option("--scheme")
@click.option("--status", type=click.Choice([s.value for s in BlockStatus]))
@printing()
def registry_blocks(organisation_id: int, scheme: str | None, status: str | None, as_json: bool) -> None:
    page = held_blocks.list_blocks(cli_uow(), cli_actor(), organisation_id, EVERYTHING,
                                   scheme=scheme, status=status)
    output(BlockSchema(many=True), page.items, as_json, columns=BLOCK_COLUMNS)


@registry.command("split", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("block_id", type=ID)
@click.argument("quantity", type=UNITS)
@printing()
def registry_split(organisation_id: int, block_id: int, quantity: int, as_json: bool) -> None:
    """Keep QUANTITY units in the block; the rest becomes a new block."""
    part, remainder = held_blocks.split_block(cli_uow(), cli_actor(), organisation_id, block_id,
                                              quantity)
    output(BlockSchema(many=True), [part, remainder], as_json, columns=BLOCK_COLUMNS)


@registry.command("purchase", epilog=ORGANISATION_HELP)
@organisation_argument
@click.option("--json", "path", type=FILE, required=True,
              help="The purchase, shaped like the API's form fields.")
@click.option("--invoice", type=FILE, required=True)
@click.option("--blocks", "block_ids", default="",
              help="Comma-separated ids of the blocks it delivered.")
@printing(json_flag=False)
def registry_purchase(organisation_id: int, path: Path, invoice: Path, block_ids: str, as_json: bool) -> None:
    data = load(PurchaseFormSchema(), path)
    data.pop("block_ids", None)
    delivered = ids(block_ids, message="block ids separated by commas, e.g. 12,14",
                    param_hint="'--blocks'")
    purchase = purchases.record_purchase(
        cli_uow(), cli_actor(), organisation_id, data, invoice=read_file(invoice, "--invoice"),
        invoice_filename=invoice.name, block_ids=delivered)
    output(PurchaseSchema(), purchase, as_json)


@registry.command("holdings", epilog=ORGANISATION_HELP)
@organisation_argument
@click.option("--by", default="scheme,vintage", show_default=True,
              help="Comma-separated: scheme, vintage, project, country, technology, status, "
                   "account.")
@click.option("--status", default="held,reserved", show_default=True,
              help="Comma-separated block statuses.")
@printing()
def registry_holdings(organisation_id: int, by: str, status: str, as_json: bool) -> None:
    lines = holdings(cli_uow(), cli_actor(), organisation_id, names(by), statuses=names(status))
    output(HoldingLineSchema(many=True), lines, as_json)


@registry.command("contests")
@click.option("--status", type=click.Choice([s.value for s in ContestStatus]))
@printing()
def registry_contests(status: str | None, as_json: bool) -> None:
    """Contests over serials entered by two organisations, with both sides."""
    page = contests.list_contests(cli_uow(), cli_actor(), EVERYTHING, status=status)
    output(ContestSchema(many=True), page.items, as_json)


@registry.command("resolve")
@click.argument("contest_id", type=ID)
@click.option("--keep", type=click.Choice([o.value for o in ContestOutcome]), required=True,
              help="claimant: the contested block's organisation keeps the units; holders: the "
                   "contested block is void.")
@click.option("--reason", required=True)
@click.option("--evidence", type=FILE, required=True,
              help="What the decision rests on (the registry's statement of the account).")
@printing()
def registry_resolve(contest_id: int, keep: str, reason: str, evidence: Path, as_json: bool) -> None:
    """Decide who keeps the units of a contest; the other side's units become void."""
    output(ContestSchema(), contests.resolve(
        cli_uow(), cli_actor(), contest_id, {"keep": keep, "reason": reason},
        evidence=read_file(evidence, "--evidence"), evidence_filename=evidence.name), as_json)


# --- retirements -------------------------------------------------------------------------------


@click.group(cls=Group)
def retire() -> None:
    """The retirement ledger: retire units for a period, reverse a mistake, list the ledger."""


@retire.command("block", epilog=ORGANISATION_HELP)
@organisation_argument
@click.option("--json", "path", type=FILE, required=True,
              help="The retirement, shaped like the API's form fields "
                   "(period_id, block_id, quantity, …).")
@click.option("--evidence", type=FILE, required=True,
              help="The registry's retirement certificate or statement.")
@printing(json_flag=False)
def retire_block(organisation_id: int, path: Path, evidence: Path, as_json: bool) -> None:
    """Retire a held block (or its first QUANTITY units) for an application period."""
    entry = ledger.retire(cli_uow(), cli_actor(), organisation_id, load(RetireFormSchema(), path),
                          evidence=read_file(evidence, "--evidence"),
                          evidence_filename=evidence.name,
                          as_of=utcnow().date())
    output(RetirementSchema(), entry, as_json)


@retire.command("reverse", epilog=ORGANISATION_HELP)
@organisation_argument
@click.argument("retirement_id", type=ID)
@click.option("--reason", required=True)
@printing()
def retire_reverse(organisation_id: int, retirement_id: int, reason: str, as_json: bool) -> None:
    """Reverse a mistaken retirement by a compensating entry."""
    output(RetirementSchema(),
         ledger.reverse(cli_uow(), cli_actor(), organisation_id, retirement_id, reason), as_json)


@retire.command("list", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_option()
@printing()
def retire_list(organisation_id: int, period_id: int | None, as_json: bool) -> None:
    page = ledger.list_retirements(cli_uow(), cli_actor(), organisation_id, EVERYTHING, period_id)
    output(RetirementSchema(many=True), page.items, as_json, columns=RETIREMENT_COLUMNS)


@retire.command("import", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.argument("path", type=FILE)
@click.option("--kind", type=click.Choice(REGISTRY_KINDS),
              help="Detected from the header when left out.")
@click.option("--rows", default="",
              help="Only these spreadsheet rows, comma-separated (e.g. 12,14).")
@click.option("--dry-run", is_flag=True,
              help="Show what would be recorded, and what the rules of the claim refuse; write nothing.")
@click.option("--despite-rules", default="", metavar="TEXT",
              help="Why to record the rows a blocking rule of the claim refuses (the registry has "
                   "retired them): the claim does not count them.")
@click.option("--lang", type=click.Choice(["en", "zh_Hans", "zh_Hant"]), default="en", show_default=True,
              help="The language of the table's refusals (the JSON has all three).")
@printing()
def retire_import(organisation_id: int, period_id: int, path: Path, kind: str | None, rows: str,
                  dry_run: bool, despite_rules: str, lang: str, as_json: bool) -> None:
    """Record for a period the retirements a registry export shows on units the organisation
    holds: all rows or none; rows already in the ledger are skipped. A row the rules of the
    period's claim refuse rejects the file, unless --despite-rules gives the reason."""
    # the API's form schema: the same limits on the rows and on the reason
    options = RetirementImportFormSchema().load({"period_id": period_id, "rows": rows,
                                                 "despite_rules": despite_rules})
    limits = registry_limits()
    size = path.stat().st_size
    with steps(f"reading {path.name} ({size:,} bytes)", size):
        data = read_spreadsheet(path, limits)
    with steps("checking the rows" if dry_run else "checking and recording the rows", size):
        outcome = matching.import_retirements(
            cli_uow(), cli_actor(), organisation_id, period_id, data=data,
            filename=path.name, max_bytes=limits.max_uncompressed_bytes, limits=limits,
            as_of=utcnow().date(), kind=kind,
            rows=options["rows"], dry_run=dry_run, despite_rules=options["despite_rules"],
        )
    if as_json:
        output(RetirementImportOutcomeSchema(), outcome, True)
        return
    # each row's refusals in its own line of the rows table, where the reader looks for the row
    # (a nested table would be labelled by its place in the list, not by its spreadsheet row)
    shown = RetirementImportOutcomeSchema().dump(outcome)
    for line in shown["rows"]:
        line["refused_by"] = "; ".join(f"{r['rule_id']}: {r['explanation'][lang]}" for r in line.pop("refusals"))
    output(None, shown, False)


@retire.command("plan", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--policy", type=click.Choice([p.value for p in Policy]),
              default=Policy.OLDEST_VINTAGE.value, show_default=True)
@click.option("--tolerance", type=TOLERANCE, default=0, show_default=True,
              help="Units a whole block may retire beyond the need rather than be split.")
@click.option("--prefer", default="",
              help="Project ids, most preferred first (policy project_preference).")
@click.option("--retire-on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the blocks would be retired, as the rules judge them (default today).")
@printing()
def retire_plan(organisation_id: int, period_id: int, policy: str, tolerance: int,
                prefer: str, retire_on: dt.datetime | None, as_json: bool) -> None:
    """Propose which held blocks to retire for the period, among those the rules of its claim
    accept. Save it with --json: 'retire reserve' and 'retire apply' take that file."""
    preference = ids(prefer, message="project ids separated by commas", param_hint="'--prefer'")
    output(PlanSchema(), planning.propose(cli_uow(), cli_actor(), organisation_id, period_id,
                                        policy=Policy(policy), tolerance=tolerance, preference=preference,
                                        retire_on=retire_on.date() if retire_on else utcnow().date()),
           as_json)


@retire.command("reserve", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--plan", "plan_path", type=FILE, required=True,
              help="The output of 'retire plan --json' (its lines are set aside), "
                   "or a list of {block_id, quantity}.")
@printing()
def retire_reserve(organisation_id: int, period_id: int, plan_path: Path, as_json: bool) -> None:
    """Set aside a plan's units for the period while they are retired at the registry."""
    lines = _plan_lines(plan_path)
    try:
        data = ReserveSchema().load({"lines": lines})
    except ValidationError as exc:
        raise click.ClickException(f"{plan_path}: {exc.messages}") from None
    output(ReservationSchema(many=True),
         planning.reserve(cli_uow(), cli_actor(), organisation_id, period_id, data["lines"]), as_json)


def _plan_lines(path: Path) -> list[dict[str, Any]]:
    """The lines of the plan file given with --plan (the output of 'retire plan', or a bare
    list) as {block_id, quantity}."""
    plan = parse_json(read_file(path, "--plan"), "--plan")
    try:
        lines = plan["lines"] if isinstance(plan, dict) else plan
        return [{"block_id": line["block_id"], "quantity": line.get("quantity")} for line in lines]
    except (KeyError, TypeError, AttributeError) as exc:
        raise click.ClickException(f"{path}: not a plan ({exc})") from None


@retire.command("apply", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--plan", "plan_path", type=FILE, required=True,
              help="The output of 'retire plan --json' (its lines are applied), "
                   "or a list of {block_id, quantity}.")
@click.option("--json", "path", type=FILE, required=True,
              help="The registry's retirement fields: beneficiary_text, purpose, reason, "
                   "retired_on, registry_reference.")
@click.option("--evidence", type=FILE, required=True,
              help="The registry's statement of the retirements.")
@printing(json_flag=False)
def retire_apply(organisation_id: int, period_id: int, plan_path: Path, path: Path,
                 evidence: Path, as_json: bool) -> None:
    """Retire every line of a plan for the period: all of them or none."""
    lines = _plan_lines(plan_path)
    fields = parse_json(read_file(path, "--json"), "--json")
    if not isinstance(fields, dict):
        raise click.BadParameter("the retirement's fields as a JSON object, not a list or a value.",
                                 param_hint="'--json'")
    try:
        data = PlanApplyFormSchema().load({**fields, "lines": lines})
    except ValidationError as exc:
        raise click.ClickException(f"{plan_path}, {path}: {exc.messages}") from None
    entries = planning.apply(cli_uow(), cli_actor(), organisation_id, period_id, data.pop("lines"),
                             data, evidence=read_file(evidence, "--evidence"),
                             evidence_filename=evidence.name, as_of=utcnow().date())
    output(RetirementSchema(many=True), entries, as_json, columns=RETIREMENT_COLUMNS)


@retire.command("reconcile", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@click.argument("path", type=FILE)
@period_option("Only this period's retirements (its id, or y2025).")
@click.option("--kind", type=click.Choice(REGISTRY_KINDS),
              help="Detected from the header when left out.")
@printing()
def retire_reconcile(organisation_id: int, path: Path, period_id: int | None,
                     kind: str | None, as_json: bool) -> None:
    """Compare the ledger with a registry retirement export: every mismatch (a table, or JSON
    with --json); exit 3 when there is any, so a script can stop on it."""
    limits = registry_limits()
    size = path.stat().st_size
    with steps(f"reading {path.name} ({size:,} bytes)", size):
        data = read_spreadsheet(path, limits)
    with steps("comparing the rows with the ledger", size):
        report = reconciling.reconcile_export(
            cli_uow(), cli_actor(), organisation_id, data=data,
            filename=path.name, max_bytes=limits.max_uncompressed_bytes, limits=limits,
            period_id=period_id, kind=kind,
        )
    output(RetirementReconciliationSchema(), report, as_json)
    if report["mismatches"]:
        raise SystemExit(3)
