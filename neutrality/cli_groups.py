"""Every command group of the ``neutrality`` command, in :data:`GROUPS`, which
:func:`neutrality.app.create_app` registers; and the two groups that belong to no context:
``db`` (migrations) and ``demo`` (demonstration data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import current_app

from neutrality import exports
from neutrality.access.cli import cli_actor
from neutrality.accounts.cli import members, users
from neutrality.audit.cli import audit
from neutrality.claims.cli import balance, rules
from neutrality.cli_support import Group, cli_uow
from neutrality.clock import utcnow
from neutrality.commitments.cli import PERIOD, commitments, period_argument
from neutrality.inventory.cli import inventory
from neutrality.organisations.cli import organisation_argument, orgs
from neutrality.reductions.cli import reductions
from neutrality.registry.cli import registry, retire
from neutrality.registry.holdings import HOLDING_DIMENSIONS
from neutrality.reports import services as reports
from neutrality.reports.rendering import LOCALES as REPORT_LOCALES
from neutrality.statements.cli import statement
from neutrality.workbooks import FORMATS, LOCALES, Table, write

# Alembic and the demo data are imported when their command runs, not on every start of the
# command line.


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


@click.group(cls=Group)
def demo() -> None:
    """Demonstration data."""


@demo.command("load")
@click.option("--without-declaration", is_flag=True,
              help="Leave out the published declaration of Yancheng 2024 (rendering its PDFs takes a few seconds).")
def demo_load(without_declaration: bool) -> None:
    """Create the demo PV manufacturer, its factories, commitments, periods and users, and publish
    Yancheng 2024's zero-carbon factory declaration (at NEUTRALITY_PUBLIC_URL/declarations/…)."""
    from neutrality.demo import load_demo

    base = None if without_declaration else current_app.extensions["neutrality.settings"].public_url
    report = load_demo(cli_uow, cli_actor(), declare_at=base)
    click.echo(report)


@click.group(cls=Group)
def export() -> None:
    """Spreadsheets (XLSX or CSV) of the inventory report, holdings, ledger and balance."""


def _export_options(command: Any) -> Any:
    command = click.option("--lang", type=click.Choice(LOCALES), default="en", show_default=True,
                           help="Headers in English, or English then 简体 (zh_Hans) or 繁體 (zh_Hant).")(command)
    command = click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path),
                           required=True, help="The file to write.")(command)
    return click.option("--format", "file_format", type=click.Choice(FORMATS), default="xlsx",
                        show_default=True)(command)


def _write(table: Table, lang: str, file_format: str, output_path: Path) -> None:
    with output_path.open("wb") as out:
        write(table, lang, file_format, out)
    click.echo(f"wrote {output_path}")


@export.command("report")
@organisation_argument
@click.argument("inventory_id", type=click.IntRange(min=1))
@_export_options
def export_report(organisation_id: int, inventory_id: int, file_format: str, output_path: Path,
                  lang: str) -> None:
    """The report of inventory INVENTORY_ID: tCO2e by scope, category, site and gas."""
    table = exports.inventory_report_table(cli_uow(), cli_actor(), organisation_id, inventory_id,
                                           exported_on=utcnow().date())
    _write(table, lang, file_format, output_path)


@export.command("holdings")
@organisation_argument
@click.option("--by", default="scheme", show_default=True,
              help=f"Comma-separated: {', '.join(HOLDING_DIMENSIONS)}.")
@click.option("--status", default="held,reserved", show_default=True, help="Comma-separated statuses.")
@_export_options
def export_holdings(organisation_id: int, by: str, status: str, file_format: str,
                    output_path: Path, lang: str) -> None:
    """Quantities held, grouped, with their cost per currency."""
    table = exports.holdings_table(
        cli_uow(), cli_actor(), organisation_id, [d.strip() for d in by.split(",") if d.strip()],
        statuses=[s.strip() for s in status.split(",") if s.strip()], exported_on=utcnow().date())
    _write(table, lang, file_format, output_path)


@export.command("ledger")
@organisation_argument
@click.option("--period", "period_id", type=PERIOD, default=None, help="Only this period's (its id, or y2025).")
@_export_options
def export_ledger(organisation_id: int, period_id: int | None, file_format: str, output_path: Path,
                  lang: str) -> None:
    """Every retirement and reversal, whether the claim counts it, and the reversals."""
    table = exports.ledger_table(cli_uow(), cli_actor(), organisation_id, period_id=period_id,
                                 exported_on=utcnow().date(), locale=lang)
    _write(table, lang, file_format, output_path)


@export.command("balance")
@organisation_argument
@period_argument
@_export_options
def export_balance(organisation_id: int, period_id: int, file_format: str, output_path: Path,
                   lang: str) -> None:
    """The balance of a period, one figure a row: the ledger's arithmetic and under the claim."""
    table = exports.balance_table(cli_uow(), cli_actor(), organisation_id, period_id,
                                  exported_on=utcnow().date(), locale=lang)
    _write(table, lang, file_format, output_path)


# ``registry`` comes with its ``needs`` command: importing neutrality.claims.cli attaches it.
@click.group(cls=Group)
def report() -> None:
    """Documents: the periodic GHG emission report of a period (PDF, or XLSX/CSV)."""


@report.command("ghg")
@organisation_argument
@period_argument
@click.option("--lang", type=click.Choice(REPORT_LOCALES), default="en", show_default=True,
              help="English, 简体 (zh_Hans) or 繁體 (zh_Hant).")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write.")
@click.option("--format", "file_format", type=click.Choice(("pdf", *FORMATS)), default="pdf", show_default=True,
              help="The report (PDF), or its figures as a spreadsheet.")
def report_ghg(organisation_id: int, period_id: int, lang: str, output_path: Path, file_format: str) -> None:
    """The GHG emission report of the period: figures by scope, ISO 14064-1 category, site and
    gas on both Scope 2 bases, method, uncertainty, change against the previous period and the
    verification."""
    from neutrality.reports.rendering import ghg_report_pdf

    content = reports.ghg_report(cli_uow(), cli_actor(), organisation_id, period_id, prepared_on=utcnow().date())
    if file_format == "pdf":
        output_path.write_bytes(ghg_report_pdf(content, lang))
        click.echo(f"wrote {output_path}")
    else:
        from neutrality.reports.workbook import ghg_report_table

        _write(ghg_report_table(content), lang, file_format, output_path)


GROUPS = (
    db, demo, users, members, orgs, commitments, inventory, registry, retire, balance, rules, audit, export,
    report, reductions, statement,
)
