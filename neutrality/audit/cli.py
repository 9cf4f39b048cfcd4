"""``neutrality audit``: check the audit log's hash chain.

The group is registered in :data:`neutrality.commands.GROUPS`. It is a plain Flask ``AppGroup``
rather than ``neutrality.commands.Group``: commands.py imports this module to register it, so
importing ``Group`` from there at import time would be circular. The command imports the CLI
helpers when it runs, by which time both modules are loaded. (``Group`` only adds turning a
NeutralityError into a clean message; a site administrator's verification raises none.)
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from neutrality.audit import services


@click.group(cls=AppGroup)
def audit() -> None:
    """The audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain: exit status 1, naming the first broken entry, if any entry was
    altered, removed or inserted.

    Keep the head hash it prints somewhere else: the chain alone cannot show entries dropped
    from, or appended to, its end (see neutrality.audit.chain).
    """
    from neutrality.commands import cli_actor, cli_uow  # see the module docstring

    report = services.verify_chain(cli_uow(), cli_actor())
    if report.broken is not None:
        raise click.ClickException(
            f"audit chain broken at {report.broken} ({report.checked} entries read)"
        )
    click.echo(f"audit chain intact: {report.checked} entries")
    if report.head_hash is not None:
        click.echo(f"head hash: {report.head_hash}")
