"""``neutrality statement``: a period's statement as a preview PDF (nothing is stored)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from neutrality.access.cli import cli_actor
from neutrality.cli_support import Group, cli_uow
from neutrality.clock import utcnow
from neutrality.commitments.cli import ORGANISATION_AND_PERIOD_HELP, period_argument
from neutrality.organisations.cli import organisation_argument
from neutrality.statements.content import StatementKind
from neutrality.statements.rendering import LOCALES
from neutrality.statements.services import build_statement, public_url


@click.group(cls=Group)
def statement() -> None:
    """Statements: the ISO 14068-1 report, the PAS 2060 QES (legacy) and the 零碳工厂声明."""


@statement.command("build", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--kind", type=click.Choice([k.value for k in StatementKind]), required=True,
              help="iso_14068_1_report, pas_2060_qes (PAS 2060 was withdrawn on 2025-11-30) or cn_zero_carbon_factory.")
@click.option("--lang", type=click.Choice(LOCALES), default="en", show_default=True,
              help="English, 简体 (zh_Hans) or 繁體 (zh_Hant).")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PDF to write.")
def statement_build(organisation_id: int, period_id: int, kind: str, lang: str, output_path: Path) -> None:
    """A preview of the period's statement (version 1), as PDF: every item of its checklist, or
    the sentence saying it is absent. Nothing is stored."""
    from neutrality.statements.rendering import statement_pdf

    url = public_url(current_app.extensions["neutrality.settings"].public_url, organisation_id, period_id)
    built = build_statement(cli_uow(), cli_actor(), organisation_id, period_id, kind,
                            prepared_on=utcnow().date(), published_at=url)
    output_path.write_bytes(statement_pdf(built.statement, lang, sha256=built.sha256))
    click.echo(f"wrote {output_path} (snapshot SHA-256 {built.sha256})")
