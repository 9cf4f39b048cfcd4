"""Command groups of the ``neutrality`` command: database, demo, users, members, claims.

Commands call the same services as the API, as a site administrator labelled ``cli:<os user>``
in the audit log. Resources with many fields are created from a JSON file in the API's shape,
checked by the same schemas.
"""

from __future__ import annotations

import decimal
import getpass
import json
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import Schema, ValidationError

from neutrality.access import services as access
from neutrality.access.model import Actor, Role
from neutrality.access.schemas import MembershipSchema, TokenSchema, UserSchema
from neutrality.audit.cli import audit
from neutrality.claims import services as claims
from neutrality.claims.schemas import BalanceSchema, NeedsSchema
from neutrality.clock import utcnow
from neutrality.commitments import services as commitment_services
from neutrality.commitments.schemas import CommitmentCreateSchema, CommitmentSchema, PeriodSchema
from neutrality.errors import NeutralityError
from neutrality.inventory import services as inventories
from neutrality.inventory.metering import DEFAULT_TOLERANCE_PERCENT
from neutrality.inventory.schemas import (
    ImportFormSchema,
    ImportOutcomeSchema,
    InventorySchema,
    LibraryFactorSchema,
    ReconciliationSchema,
    VerificationInSchema,
    VerificationSchema,
)
from neutrality.organisations import services as organisations
from neutrality.organisations.schemas import (
    OrganisationCreateSchema,
    OrganisationSchema,
    SiteCreateSchema,
    SiteSchema,
)
from neutrality.pagination import EVERYTHING, Page
from neutrality.registry import matching, planning, reconciling
from neutrality.registry import retirements as ledger
from neutrality.registry import services as instruments
from neutrality.registry.exports import KINDS as REGISTRY_KINDS
from neutrality.registry.exports import TEMPLATE_KINDS as REGISTRY_TEMPLATES
from neutrality.registry.model import BlockStatus
from neutrality.registry.planner import Policy
from neutrality.registry.schemas import (
    BlockSchema,
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
)
from neutrality.spreadsheets import OFFERED_ENCODINGS
from neutrality.uow import UnitOfWork


def cli_actor() -> Actor:
    return Actor(user_id=None, label=f"cli:{getpass.getuser()}", is_admin=True)


def cli_uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["neutrality.db"].session_factory)


def _echo(schema: Schema, value: Any) -> None:
    click.echo(json.dumps(schema.dump(value), ensure_ascii=False, indent=2))


def _load(schema: Schema, path: Path) -> dict[str, Any]:
    try:
        return schema.load(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else str(exc)
        raise click.ClickException(f"{path}: {messages}") from None


class Group(AppGroup):
    """Runs in the application context and turns the application's own errors, and options
    that do not pass their schema, into a clean message and exit status 1 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NeutralityError as exc:
            detail = f" {json.dumps(exc.details, ensure_ascii=False)}" if exc.details else ""
            raise click.ClickException(f"{exc.code}: {exc.message}{detail}") from None
        except ValidationError as exc:
            raise click.ClickException(
                f"invalid_input: {json.dumps(exc.messages, ensure_ascii=False)}") from None


# --- database ----------------------------------------------------------------------------------


@click.group(cls=Group)
def db() -> None:
    """Database migrations."""


def _url() -> str:
    return current_app.extensions["neutrality.db"].url


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from neutrality import migrate

    migrate.upgrade(_url(), revision)
    click.echo(f"database at {migrate.current(_url())}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (``base`` for an empty database)."""
    from neutrality import migrate

    migrate.downgrade(_url(), revision)
    click.echo(f"database at {migrate.current(_url()) or 'base'}")


@db.command("current")
def db_current() -> None:
    from neutrality import migrate

    click.echo(migrate.current(_url()) or "base")


# --- demo --------------------------------------------------------------------------------------


@click.group(cls=Group)
def demo() -> None:
    """Demonstration data."""


@demo.command("load")
def demo_load() -> None:
    """Create the demo PV manufacturer, its factories, commitment, periods and users."""
    from neutrality.demo import load_demo

    report = load_demo(cli_uow, cli_actor())
    click.echo(report)


# --- users and members ------------------------------------------------------------------------


@click.group(cls=Group)
def users() -> None:
    """User accounts and API tokens."""


@users.command("create")
@click.argument("email")
@click.option("--name", "display_name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", "is_admin", is_flag=True, help="Site administrator.")
def users_create(email: str, display_name: str, password: str, is_admin: bool) -> None:
    user = access.create_user(cli_uow(), cli_actor(), email=email, display_name=display_name,
                              password=password, is_admin=is_admin)
    _echo(UserSchema(), user)


@users.command("list")
def users_list() -> None:
    _echo(UserSchema(many=True), access.list_users(cli_uow(), cli_actor(), Page(1, 200)).items)


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True)
@click.option("--days", type=int, default=90, show_default=True)
def users_token(email: str, name: str, days: int) -> None:
    """Create an API token for EMAIL and print it (shown once)."""
    user_id = next(
        (u.id for u in access.list_users(cli_uow(), cli_actor(), Page(1, 10_000)).items if u.email == email.lower()),
        None,
    )
    if user_id is None:
        raise click.ClickException(f"no user with e-mail {email}")
    owner = access.load_actor(cli_uow(), user_id)
    token, plain = access.create_token(cli_uow(), owner, name=name, expires_in_days=days)
    _echo(TokenSchema(), token)
    click.echo(plain)


@click.group(cls=Group)
def members() -> None:
    """Roles of users in organisations."""


@members.command("add")
@click.argument("organisation_id", type=int)
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def members_add(organisation_id: int, email: str, role: str) -> None:
    membership = access.add_member(cli_uow(), cli_actor(), organisation_id, email=email, role=Role(role))
    _echo(MembershipSchema(), membership)


@members.command("list")
@click.argument("organisation_id", type=int)
def members_list(organisation_id: int) -> None:
    _echo(MembershipSchema(many=True), access.list_members(cli_uow(), cli_actor(), organisation_id))


# --- organisations, sites, commitments, periods -------------------------------------------------


@click.group(cls=Group)
def orgs() -> None:
    """Organisations and their sites."""


@orgs.command("list")
def orgs_list() -> None:
    _echo(OrganisationSchema(many=True), organisations.list_organisations(cli_uow(), cli_actor(), Page(1, 200)).items)


@orgs.command("create")
@click.option("--json", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
def orgs_create(path: Path) -> None:
    """Create an organisation from a JSON file shaped like the API's request."""
    _echo(OrganisationSchema(), organisations.create_organisation(cli_uow(), cli_actor(), _load(OrganisationCreateSchema(), path)))


@orgs.command("add-site")
@click.argument("organisation_id", type=int)
@click.option("--json", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
def orgs_add_site(organisation_id: int, path: Path) -> None:
    _echo(SiteSchema(), organisations.create_site(cli_uow(), cli_actor(), organisation_id, _load(SiteCreateSchema(), path)))


@click.group(cls=Group)
def commitments() -> None:
    """Commitments and application periods."""


@commitments.command("list")
@click.argument("organisation_id", type=int)
def commitments_list(organisation_id: int) -> None:
    _echo(CommitmentSchema(many=True), commitment_services.list_commitments(cli_uow(), cli_actor(), organisation_id))


@commitments.command("create")
@click.argument("organisation_id", type=int)
@click.option("--json", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
def commitments_create(organisation_id: int, path: Path) -> None:
    _echo(CommitmentSchema(), commitment_services.create_commitment(cli_uow(), cli_actor(), organisation_id, _load(CommitmentCreateSchema(), path)))


@commitments.command("periods")
@click.argument("organisation_id", type=int)
@click.argument("commitment_id", type=int)
def commitments_periods(organisation_id: int, commitment_id: int) -> None:
    """List a commitment's application periods."""
    _echo(PeriodSchema(many=True), commitment_services.list_periods(cli_uow(), cli_actor(), organisation_id, commitment_id))


@commitments.command("generate-periods")
@click.argument("organisation_id", type=int)
@click.argument("commitment_id", type=int)
@click.option("--count", type=int)
@click.option("--through", type=click.DateTime(formats=["%Y-%m-%d"]))
def commitments_generate(organisation_id: int, commitment_id: int, count: int | None, through: Any) -> None:
    """Append COUNT periods, or enough to reach THROUGH (YYYY-MM-DD)."""
    created = commitment_services.generate(cli_uow(), cli_actor(), organisation_id, commitment_id,
                              count=count, through=through.date() if through else None)
    _echo(PeriodSchema(many=True), created)


# --- inventory ---------------------------------------------------------------------------------


@click.group(cls=Group)
def inventory() -> None:
    """GHG inventories: create, import activity files, report, verify, versions, templates."""


@inventory.command("create")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
@click.option("--gwp", "gwp_set", type=click.Choice(["AR4", "AR5", "AR6"]), default="AR6", show_default=True)
@click.option("--external", is_flag=True, help="An inventory made with another tool (totals only).")
def inventory_create(organisation_id: int, period_id: int, gwp_set: str, external: bool) -> None:
    created = inventories.create_inventory(cli_uow(), cli_actor(), organisation_id, period_id=period_id,
                                           gwp_set=gwp_set, origin="external" if external else "calculated")
    _echo(InventorySchema(), created)


@inventory.command("list")
@click.argument("organisation_id", type=int)
def inventory_list(organisation_id: int) -> None:
    _echo(InventorySchema(many=True), inventories.list_inventories(cli_uow(), cli_actor(), organisation_id))


@inventory.command("import")
@click.argument("organisation_id", type=int)
@click.argument("inventory_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON file: {"columns": {"their header": "our field"}, "fixed": {"unit": "kWh"}}')
@click.option("--encoding", type=click.Choice(OFFERED_ENCODINGS))
@click.option("--dry-run", is_flag=True, help="Check and preview; store nothing.")
def inventory_import(organisation_id: int, inventory_id: int, path: Path, mapping_path: Path | None,
                     encoding: str | None, dry_run: bool) -> None:
    """Import a CSV/XLSX activity file: all rows or none; the same file twice changes nothing."""
    mapping = None
    if mapping_path is not None:
        mapping = ImportFormSchema().load({"mapping": mapping_path.read_text(encoding="utf-8")})["mapping"]
    data = path.read_bytes()
    outcome = inventories.import_activities(
        cli_uow(), cli_actor(), organisation_id, inventory_id, data=data, filename=path.name,
        max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes, mapping=mapping,
        encoding=encoding, dry_run=dry_run,
    )
    _echo(ImportOutcomeSchema(), outcome)


@inventory.command("report")
@click.argument("organisation_id", type=int)
@click.argument("inventory_id", type=int)
def inventory_report(organisation_id: int, inventory_id: int) -> None:
    """Exact figures by scope, category, gas, site and ISO category (JSON)."""
    report = inventories.inventory_report(cli_uow(), cli_actor(), organisation_id, inventory_id)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))


@inventory.command("metering")
@click.argument("organisation_id", type=int)
@click.argument("inventory_id", type=int)
@click.option("--tolerance", "tolerance_percent", type=decimal.Decimal, default=DEFAULT_TOLERANCE_PERCENT, show_default=True,
              help="How far (%) an invoice may differ from the meters before it is flagged.")
def inventory_metering(organisation_id: int, inventory_id: int, tolerance_percent: decimal.Decimal) -> None:
    """Invoices against meter readings: superseded (not counted) or partly metered (flagged)."""
    items = inventories.metering_reconciliation(cli_uow(), cli_actor(), organisation_id, inventory_id,
                                                tolerance_percent=tolerance_percent)
    _echo(ReconciliationSchema(many=True), items)


@inventory.command("template")
@click.argument("activity_type")
def inventory_template(activity_type: str) -> None:
    """Print the CSV template of an activity type (redirect it to a file)."""
    click.echo(inventories.activity_template(cli_actor(), activity_type).decode("utf-8-sig"), nl=False)


@inventory.command("new-version")
@click.argument("organisation_id", type=int)
@click.argument("inventory_id", type=int)
@click.option("--reason", required=True)
def inventory_new_version(organisation_id: int, inventory_id: int, reason: str) -> None:
    _echo(InventorySchema(), inventories.new_version(cli_uow(), cli_actor(), organisation_id, inventory_id, reason=reason))


@inventory.command("verify")
@click.argument("organisation_id", type=int)
@click.argument("inventory_id", type=int)
@click.option("--statement", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--json", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="body, accreditation, assurance_level, materiality_percent, opinion, verified_on")
def inventory_verify(organisation_id: int, inventory_id: int, statement: Path, path: Path) -> None:
    """Record the verification with its statement file and freeze the inventory."""
    details = _load(VerificationInSchema(), path)
    verification = inventories.verify_inventory(
        cli_uow(), cli_actor(), organisation_id, inventory_id, details=details,
        statement=statement.read_bytes(), statement_filename=statement.name)
    _echo(VerificationSchema(), verification)


@inventory.command("factors")
@click.option("--kind")
@click.option("--geography")
def inventory_factors(kind: str | None, geography: str | None) -> None:
    """The shipped emission-factor library, with provenance."""
    _echo(LibraryFactorSchema(many=True), inventories.library_factors(cli_actor(), kind=kind, geography=geography))


# --- registry ----------------------------------------------------------------------------------

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group(cls=Group)
def registry() -> None:
    """Instruments: schemes, registry imports, blocks, purchases, holdings, needs."""


@registry.command("schemes")
def registry_schemes() -> None:
    for s in instruments.list_schemes(cli_actor()):
        click.echo(f"{s.code:7} {s.unit:6} {s.kind.value:14} {s.name}")


@registry.command("template")
@click.argument("kind", type=click.Choice(REGISTRY_TEMPLATES))
def registry_template(kind: str) -> None:
    """Print the CSV template of an I-REC, GEC or CCER file."""
    click.echo(instruments.registry_template(cli_actor(), kind).decode("utf-8-sig"), nl=False)


@registry.command("import")
@click.argument("organisation_id", type=int)
@click.argument("path", type=_FILE)
@click.option("--kind", type=click.Choice(REGISTRY_KINDS), help="The file's format (detected when left out).")
@click.option("--mapping", "mapping_path", type=_FILE, help='JSON file: {"their header": "our field"}')
@click.option("--encoding", type=click.Choice(OFFERED_ENCODINGS))
@click.option("--account", default="", help="The registry account the blocks sit in.")
@click.option("--purchase", "purchase_id", type=int, help="The purchase that delivered these blocks.")
@click.option("--dry-run", is_flag=True, help="Check and preview; store nothing.")
def registry_import(organisation_id: int, path: Path, kind: str | None, mapping_path: Path | None,
                    encoding: str | None, account: str, purchase_id: int | None, dry_run: bool) -> None:
    """Import a registry export or statement: all rows or none; the same file twice changes nothing."""
    mapping = None
    if mapping_path is not None:
        mapping = RegistryImportFormSchema().load({"mapping": mapping_path.read_text(encoding="utf-8")})["mapping"]
    outcome = instruments.import_registry_file(
        cli_uow(), cli_actor(), organisation_id, data=path.read_bytes(), filename=path.name,
        max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes, as_of=utcnow().date(),
        kind=kind, mapping=mapping, encoding=encoding, dry_run=dry_run, account=account, purchase_id=purchase_id,
    )
    _echo(RegistryImportOutcomeSchema(), outcome)
    if outcome.errors:
        raise click.exceptions.Exit(1)


@registry.command("blocks")
@click.argument("organisation_id", type=int)
@click.option("--scheme")
@click.option("--status", type=click.Choice([s.value for s in BlockStatus]))
def registry_blocks(organisation_id: int, scheme: str | None, status: str | None) -> None:
    _echo(BlockSchema(many=True), instruments.list_blocks(cli_uow(), cli_actor(), organisation_id, EVERYTHING,
                                                           scheme=scheme, status=status).items)


@registry.command("split")
@click.argument("organisation_id", type=int)
@click.argument("block_id", type=int)
@click.argument("quantity", type=int)
def registry_split(organisation_id: int, block_id: int, quantity: int) -> None:
    """Keep QUANTITY units in the block; the rest becomes a new block."""
    part, remainder = instruments.split_block(cli_uow(), cli_actor(), organisation_id, block_id, quantity)
    _echo(BlockSchema(many=True), [part, remainder])


@registry.command("purchase")
@click.argument("organisation_id", type=int)
@click.option("--json", "path", type=_FILE, required=True, help="The purchase, shaped like the API's form fields.")
@click.option("--invoice", type=_FILE, required=True)
@click.option("--blocks", "block_ids", default="", help="Comma-separated ids of the blocks it delivered.")
def registry_purchase(organisation_id: int, path: Path, invoice: Path, block_ids: str) -> None:
    data = _load(PurchaseFormSchema(), path)
    data.pop("block_ids", None)
    try:
        ids = [int(part) for part in block_ids.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter("block ids separated by commas, e.g. 12,14", param_hint="--blocks") from None
    purchase = instruments.record_purchase(cli_uow(), cli_actor(), organisation_id, data,
                                           invoice=invoice.read_bytes(), invoice_filename=invoice.name, block_ids=ids)
    _echo(PurchaseSchema(), purchase)


@registry.command("holdings")
@click.argument("organisation_id", type=int)
@click.option("--by", default="scheme,vintage", show_default=True,
              help="Comma-separated: scheme, vintage, project, country, technology, status, account.")
@click.option("--status", default="held,reserved", show_default=True, help="Comma-separated block statuses.")
def registry_holdings(organisation_id: int, by: str, status: str) -> None:
    lines = instruments.holdings(cli_uow(), cli_actor(), organisation_id, [p.strip() for p in by.split(",") if p.strip()],
                                 statuses=[p.strip() for p in status.split(",") if p.strip()])
    _echo(HoldingLineSchema(many=True), lines)


@registry.command("needs")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
def registry_needs(organisation_id: int, period_id: int) -> None:
    """MWh of EACs per market and tCO2e of credits the period still needs."""
    _echo(NeedsSchema(), claims.period_needs(cli_uow(), cli_actor(), organisation_id, period_id))


# --- retirements and balances -------------------------------------------------------------------


@click.group(cls=Group)
def retire() -> None:
    """The retirement ledger: retire units for a period, reverse a mistake, list the ledger."""


@retire.command("block")
@click.argument("organisation_id", type=int)
@click.option("--json", "path", type=_FILE, required=True,
              help="The retirement, shaped like the API's form fields (period_id, block_id, quantity, …).")
@click.option("--evidence", type=_FILE, required=True, help="The registry's retirement certificate or statement.")
def retire_block(organisation_id: int, path: Path, evidence: Path) -> None:
    """Retire a held block (or its first QUANTITY units) for an application period."""
    entry = ledger.retire(cli_uow(), cli_actor(), organisation_id, _load(RetireFormSchema(), path),
                          evidence=evidence.read_bytes(), evidence_filename=evidence.name, as_of=utcnow().date())
    _echo(RetirementSchema(), entry)


@retire.command("reverse")
@click.argument("organisation_id", type=int)
@click.argument("retirement_id", type=int)
@click.option("--reason", required=True)
def retire_reverse(organisation_id: int, retirement_id: int, reason: str) -> None:
    """Reverse a mistaken retirement by a compensating entry."""
    _echo(RetirementSchema(), ledger.reverse(cli_uow(), cli_actor(), organisation_id, retirement_id, reason))


@retire.command("list")
@click.argument("organisation_id", type=int)
@click.option("--period", "period_id", type=int)
def retire_list(organisation_id: int, period_id: int | None) -> None:
    _echo(RetirementSchema(many=True),
          ledger.list_retirements(cli_uow(), cli_actor(), organisation_id, EVERYTHING, period_id).items)


@retire.command("import")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
@click.argument("path", type=_FILE)
@click.option("--kind", type=click.Choice(REGISTRY_KINDS), help="Detected from the header when left out.")
@click.option("--rows", default="", help="Only these spreadsheet rows, comma-separated (e.g. 12,14).")
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; write nothing.")
def retire_import(organisation_id: int, period_id: int, path: Path, kind: str | None, rows: str,
                  dry_run: bool) -> None:
    """Record for a period the retirements a registry export shows on units the organisation
    holds: all rows or none; rows already in the ledger are skipped."""
    options = RetirementImportFormSchema().load({"period_id": period_id, "rows": rows})
    outcome = matching.import_retirements(
        cli_uow(), cli_actor(), organisation_id, period_id, data=path.read_bytes(), filename=path.name,
        max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes, as_of=utcnow().date(),
        kind=kind, rows=options["rows"], dry_run=dry_run,
    )
    _echo(RetirementImportOutcomeSchema(), outcome)


@retire.command("plan")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
@click.option("--policy", type=click.Choice([p.value for p in Policy]), default=Policy.OLDEST_VINTAGE.value,
              show_default=True)
@click.option("--tolerance", type=click.IntRange(min=0), default=0, show_default=True,
              help="Units a whole block may retire beyond the need rather than be split.")
@click.option("--prefer", default="", help="Project ids, most preferred first (policy project_preference).")
def retire_plan(organisation_id: int, period_id: int, policy: str, tolerance: int, prefer: str) -> None:
    """Propose which held blocks to retire for the period (JSON; 'retire apply' takes it)."""
    try:
        preference = [int(p) for p in prefer.split(",") if p.strip()]
    except ValueError:
        raise click.BadParameter("project ids separated by commas", param_hint="--prefer") from None
    _echo(PlanSchema(), planning.propose(cli_uow(), cli_actor(), organisation_id, period_id, policy=Policy(policy),
                                         tolerance=tolerance, preference=preference))


@retire.command("reserve")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
@click.option("--plan", "plan_path", type=_FILE, required=True,
              help="The output of 'retire plan' (its lines are set aside), or a list of {block_id, quantity}.")
def retire_reserve(organisation_id: int, period_id: int, plan_path: Path) -> None:
    """Set aside a plan's units for the period while they are retired at the registry."""
    try:
        data = ReserveSchema().load({"lines": _plan_lines(plan_path)})
    except ValidationError as exc:
        raise click.ClickException(f"{plan_path}: {exc.messages}") from None
    _echo(ReservationSchema(many=True), planning.reserve(cli_uow(), cli_actor(), organisation_id, period_id,
                                                         data["lines"]))


def _plan_lines(path: Path) -> list[dict[str, Any]]:
    """The lines of a plan file (the output of 'retire plan', or a bare list) as {block_id, quantity}."""
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
        lines = plan["lines"] if isinstance(plan, dict) else plan
        return [{"block_id": line["block_id"], "quantity": line.get("quantity")} for line in lines]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise click.ClickException(f"{path}: not a plan ({exc})") from None


@retire.command("apply")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
@click.option("--plan", "plan_path", type=_FILE, required=True,
              help="The output of 'retire plan' (its lines are applied), or a list of {block_id, quantity}.")
@click.option("--json", "path", type=_FILE, required=True,
              help="The registry's retirement fields: beneficiary_text, purpose, reason, retired_on, registry_reference.")
@click.option("--evidence", type=_FILE, required=True, help="The registry's statement of the retirements.")
def retire_apply(organisation_id: int, period_id: int, plan_path: Path, path: Path, evidence: Path) -> None:
    """Retire every line of a plan for the period: all of them or none."""
    lines = _plan_lines(plan_path)
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        data = PlanApplyFormSchema().load({**fields, "lines": lines})
    except (ValueError, TypeError, ValidationError) as exc:
        raise click.ClickException(f"{plan_path}, {path}: {getattr(exc, 'messages', exc)}") from None
    entries = planning.apply(cli_uow(), cli_actor(), organisation_id, period_id, data.pop("lines"), data,
                             evidence=evidence.read_bytes(), evidence_filename=evidence.name, as_of=utcnow().date())
    _echo(RetirementSchema(many=True), entries)


@retire.command("reconcile")
@click.argument("organisation_id", type=int)
@click.argument("path", type=_FILE)
@click.option("--period", "period_id", type=int, help="Only this period's retirements.")
@click.option("--kind", type=click.Choice(REGISTRY_KINDS), help="Detected from the header when left out.")
def retire_reconcile(organisation_id: int, path: Path, period_id: int | None, kind: str | None) -> None:
    """Compare the ledger with a registry retirement export: every mismatch (JSON); exit 3 when
    there is any, so a script can stop on it."""
    report = reconciling.reconcile_export(
        cli_uow(), cli_actor(), organisation_id, data=path.read_bytes(), filename=path.name,
        max_bytes=current_app.extensions["neutrality.settings"].max_upload_bytes, period_id=period_id, kind=kind,
    )
    _echo(RetirementReconciliationSchema(), report)
    if report["mismatches"]:
        raise SystemExit(3)


@click.group(cls=Group)
def balance() -> None:
    """Neutrality balances of application periods."""


@balance.command("show")
@click.argument("organisation_id", type=int)
@click.argument("period_id", type=int)
def balance_show(organisation_id: int, period_id: int) -> None:
    """The balance of one period: gross, EAC coverage, residual, credits, verdict (exact, JSON)."""
    _echo(BalanceSchema(), claims.period_balance(cli_uow(), cli_actor(), organisation_id, period_id))


GROUPS = (db, demo, users, members, orgs, commitments, inventory, registry, retire, balance, audit)
