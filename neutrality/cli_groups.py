"""Every command group of the ``neutrality`` command, in :data:`GROUPS`, which
:func:`neutrality.app.create_app` registers; and the two groups that belong to no context:
``db`` (migrations) and ``demo`` (demonstration data)."""

from __future__ import annotations

import click
from flask import current_app

from neutrality.access.cli import cli_actor
from neutrality.accounts.cli import members, users
from neutrality.audit.cli import audit
from neutrality.claims.cli import balance, rules
from neutrality.cli_support import Group, cli_uow
from neutrality.commitments.cli import commitments
from neutrality.inventory.cli import inventory
from neutrality.organisations.cli import orgs
from neutrality.registry.cli import registry, retire

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
def demo_load() -> None:
    """Create the demo PV manufacturer, its factories, commitment, periods and users."""
    from neutrality.demo import load_demo

    report = load_demo(cli_uow, cli_actor())
    click.echo(report)


# ``registry`` comes with its ``needs`` command: importing neutrality.claims.cli attaches it.
GROUPS = (db, demo, users, members, orgs, commitments, inventory, registry, retire, balance, rules, audit)
