"""The ``neutrality`` console command: Flask's own commands (run, routes, shell) plus the
application's groups registered in :func:`neutrality.app.create_app`."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from neutrality.app import create_app


@click.group(cls=FlaskGroup, create_app=lambda: create_app(serving=False))
def main() -> None:
    """neutrality: zero-carbon factory and carbon-neutrality claims manager."""
