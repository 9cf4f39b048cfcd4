"""``neutrality statement``: a period's statement as a preview PDF (nothing stored), its issued
versions (issue, list, publish, withdraw), and a PDF checked against a public declaration (verify)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from neutrality.access.cli import cli_actor
from neutrality.cli_support import Group, cli_uow
from neutrality.clock import utcnow
from neutrality.commitments.cli import ORGANISATION_AND_PERIOD_HELP, period_argument
from neutrality.organisations.cli import organisation_argument
from neutrality.statements.content import DeclarationType, StatementKind
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
    """A preview of the period's statement (not issued: no version number), as PDF: every item of its checklist, or
    the sentence saying it is absent. Nothing is stored."""
    from neutrality.statements.rendering import statement_pdf

    url = public_url(current_app.extensions["neutrality.settings"].public_url, organisation_id, period_id)
    built = build_statement(cli_uow(), cli_actor(), organisation_id, period_id, kind,
                            prepared_on=utcnow().date(), published_at=url)
    output_path.write_bytes(statement_pdf(built.statement, lang, sha256=built.sha256))
    click.echo(f"wrote {output_path} (snapshot SHA-256 {built.sha256})")


@statement.command("issue", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
@click.option("--kind", type=click.Choice([k.value for k in StatementKind]), required=True,
              help="iso_14068_1_report, pas_2060_qes or cn_zero_carbon_factory.")
@click.option("--declaration", type=click.Choice([d.value for d in DeclarationType]), default=None,
              help="The statement's own unless named; an achievement the rules do not allow is refused.")
@click.option("--changes", default=None, help="What changed since the previous version (required from version 2).")
def statement_issue(organisation_id: int, period_id: int, kind: str, declaration: str | None,
                    changes: str | None) -> None:
    """Issue the next version of the period's statement: its snapshot frozen, its PDFs in
    English, 简体 and 繁體 stored with their SHA-256."""
    from neutrality.statements.versions import issue_statement

    url = public_url(current_app.extensions["neutrality.settings"].public_url, organisation_id, period_id)
    version = issue_statement(cli_uow(), cli_actor(), organisation_id, period_id, kind, issued_on=utcnow().date(),
                              changes=changes, declaration=declaration, published_at=url)
    click.echo(f"issued statement {version.id}: {version.kind} version {version.version} ({version.declaration}), "
               f"snapshot SHA-256 {version.snapshot_sha256}")


@statement.command("list", epilog=ORGANISATION_AND_PERIOD_HELP)
@organisation_argument
@period_argument
def statement_list(organisation_id: int, period_id: int) -> None:
    """The period's issued versions: id, kind, version, declaration, status, issued at."""
    from neutrality.statements.versions import list_versions, status_of

    for v in list_versions(cli_uow(), cli_actor(), organisation_id, period_id):
        click.echo(f"{v.id}\t{v.kind}\t{v.version}\t{v.declaration}\t{status_of(v).value}\t{v.issued_at.isoformat()}")


@statement.command("publish")
@organisation_argument
@click.argument("version_id", type=int)
def statement_publish(organisation_id: int, version_id: int) -> None:
    """Make the version the period's public declaration (the one public before is superseded)."""
    from neutrality.statements.versions import publish_version

    version = publish_version(cli_uow(), cli_actor(), organisation_id, version_id)
    click.echo(f"published statement {version.id} (version {version.version})")


@statement.command("withdraw")
@organisation_argument
@click.argument("version_id", type=int)
@click.option("--reason", required=True, help="Why it is withdrawn (shown with it).")
def statement_withdraw(organisation_id: int, version_id: int, reason: str) -> None:
    """Withdraw the version, saying why: it stays listed, marked withdrawn."""
    from neutrality.statements.versions import withdraw_version

    version = withdraw_version(cli_uow(), cli_actor(), organisation_id, version_id, reason=reason)
    click.echo(f"withdrew statement {version.id} (version {version.version})")


@statement.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("url")
def statement_verify(file: Path, url: str) -> None:
    """Check the PDF FILE against the public declaration at URL (its page, or its .json): the
    file's SHA-256 is looked for among the PDFs of every version published there.

    Exit status: 0 the PDF is a version of the declaration in force; 1 it is not in the public
    record (or the record could not be read); 3 it is a genuine version, since superseded or
    withdrawn."""
    from neutrality.statements.checking import (
        Outcome,
        RecordUnreadable,
        compare,
        fetch_record,
        file_sha256,
    )

    sha256 = file_sha256(file)
    click.echo(f"SHA-256 of {file.name}: {sha256}")
    try:
        record = fetch_record(url)
    except RecordUnreadable as error:
        click.echo(f"not checked: {error}", err=True)
        raise SystemExit(Outcome.NOT_FOUND) from None
    verdict = compare(sha256, record)
    if verdict.outcome is Outcome.NOT_FOUND:
        published = sorted({d["sha256"] for k in record["declarations"] for v in k.get("versions", ())
                            for d in v.get("documents", ())})
        click.echo("NOT FOUND: no version published at this address has this PDF; it is not the statement "
                   "published there, or it was changed after it was issued.")
        click.echo(f"the PDFs published there: {', '.join(published) or 'none'}")
        raise SystemExit(Outcome.NOT_FOUND)
    click.echo(f"FOUND: {verdict.kind} version {verdict.version}, in {verdict.locale}; "
               f"snapshot SHA-256 {verdict.snapshot_sha256} (printed in the PDF's footer)")
    if verdict.snapshot_consistent is False:
        click.echo("warning: the record's snapshot does not hash to its stated snapshot SHA-256", err=True)
    if verdict.outcome is Outcome.IN_FORCE:
        click.echo("status: published, the declaration in force")
    elif verdict.status == "withdrawn":
        click.echo(f"status: WITHDRAWN: {verdict.withdrawal_reason}")
    else:
        click.echo(f"status: SUPERSEDED by version {verdict.superseded_by_version}")
    raise SystemExit(verdict.outcome)
