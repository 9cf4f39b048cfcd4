"""``neutrality orgs``: organisations and their sites, created from JSON files in the API's
shape."""

from __future__ import annotations

from pathlib import Path

import click

from neutrality.access.cli import cli_actor
from neutrality.cli_support import FILE, ID, Group, cli_uow, echo, load
from neutrality.organisations import services as organisations
from neutrality.organisations.schemas import (
    OrganisationCreateSchema,
    OrganisationSchema,
    SiteCreateSchema,
    SiteSchema,
)
from neutrality.pagination import Page


@click.group(cls=Group)
def orgs() -> None:
    """Organisations and their sites."""


@orgs.command("list")
def orgs_list() -> None:
    page = organisations.list_organisations(cli_uow(), cli_actor(), Page(1, 200))
    echo(OrganisationSchema(many=True), page.items)


@orgs.command("create")
@click.option("--json", "path", type=FILE, required=True)
def orgs_create(path: Path) -> None:
    """Create an organisation from a JSON file shaped like the API's request."""
    data = load(OrganisationCreateSchema(), path)
    echo(OrganisationSchema(), organisations.create_organisation(cli_uow(), cli_actor(), data))


@orgs.command("add-site")
@click.argument("organisation_id", type=ID)
@click.option("--json", "path", type=FILE, required=True)
def orgs_add_site(organisation_id: int, path: Path) -> None:
    data = load(SiteCreateSchema(), path)
    echo(SiteSchema(), organisations.create_site(cli_uow(), cli_actor(), organisation_id, data))
