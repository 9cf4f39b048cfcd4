"""``neutrality orgs``: organisations and their sites, created from JSON files in the API's
shape; and :data:`ORGANISATION`, how every command names an organisation (its id or its name)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from neutrality.access.cli import cli_actor
from neutrality.cli_support import FILE, Group, NamedId, cli_uow, load, output, printing
from neutrality.organisations import services as organisations
from neutrality.organisations.schemas import (
    OrganisationCreateSchema,
    OrganisationSchema,
    SiteCreateSchema,
    SiteSchema,
)
from neutrality.organisations.tables import Organisation
from neutrality.pagination import EVERYTHING


def _organisation_names() -> list[tuple[int, str]]:
    uow = cli_uow()
    with uow:
        return [(i, n) for i, n in uow.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.id))]


#: An organisation on the command line: its id (``7``) or its name (``盐城工厂``, any case).
ORGANISATION = NamedId("organisation", _organisation_names, "neutrality orgs list")

ORGANISATION_HELP = ("ORGANISATION_ID is the organisation's id or its name (case-insensitive, "
                     "e.g. 7 or 苏辉光伏; a name of digits only is taken for an id).")


def organisation_argument(command: Callable[..., Any]) -> Callable[..., Any]:
    """The ORGANISATION_ID argument (:data:`ORGANISATION`), converted before the other
    parameters (is_eager) so that a period can be found by its year within the organisation."""
    return click.argument("organisation_id", type=ORGANISATION, is_eager=True)(command)


@click.group(cls=Group)
def orgs() -> None:
    """Organisations and their sites."""


@orgs.command("list")
@printing()
def orgs_list(as_json: bool) -> None:
    page = organisations.list_organisations(cli_uow(), cli_actor(), EVERYTHING)
    output(OrganisationSchema(many=True), page.items, as_json, columns=(
        "id", "name", "legal_name", "unified_social_credit_code", "country",
        "consolidation_approach"))


@orgs.command("create")
@click.option("--json", "path", type=FILE, required=True)
@printing(json_flag=False)
def orgs_create(path: Path, as_json: bool) -> None:
    """Create an organisation from a JSON file shaped like the API's request (--output json to
    print the answer as JSON)."""
    data = load(OrganisationCreateSchema(), path)
    output(OrganisationSchema(),
           organisations.create_organisation(cli_uow(), cli_actor(), data), as_json)


@orgs.command("sites", epilog=ORGANISATION_HELP)
@organisation_argument
@printing()
def orgs_sites(organisation_id: int, as_json: bool) -> None:
    """The organisation's sites: the names and ids its activity files may give as the site."""
    page = organisations.list_sites(cli_uow(), cli_actor(), organisation_id, EVERYTHING)
    output(SiteSchema(many=True), page.items, as_json,
           columns=("id", "name", "country", "region", "grid_region", "address"))


@orgs.command("add-site", epilog=ORGANISATION_HELP)
@organisation_argument
@click.option("--json", "path", type=FILE, required=True)
@printing(json_flag=False)
def orgs_add_site(organisation_id: int, path: Path, as_json: bool) -> None:
    """Add a site from a JSON file shaped like the API's request (--output json to print the
    answer as JSON)."""
    data = load(SiteCreateSchema(), path)
    output(SiteSchema(),
           organisations.create_site(cli_uow(), cli_actor(), organisation_id, data), as_json)
