"""``neutrality audit``: check the audit log's hash chain."""

from __future__ import annotations

import click

from neutrality.access.cli import cli_actor
from neutrality.audit import services
from neutrality.cli_support import Group, cli_uow


@click.group(cls=Group)
def audit() -> None:
    """The audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain: exit status 1, naming the first broken entry, if any entry was
    altered, removed or inserted.

    Keep the head hash it prints somewhere else: the chain alone cannot show entries dropped
    from, or appended to, its end (see neutrality.audit.chain).
    """
    report = services.verify_chain(cli_uow(), cli_actor())
    if report.broken is not None:
        raise click.ClickException(
            f"audit chain broken at {report.broken} ({report.checked} entries read)"
        )
    click.echo(f"audit chain intact: {report.checked} entries")
    if report.head_hash is not None:
        click.echo(f"head hash: {report.head_hash}")
