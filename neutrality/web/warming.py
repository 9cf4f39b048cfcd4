"""Work every server process would otherwise do on its first requests, done once in gunicorn's
master before it forks (``preload_app``): the workers inherit the result, so a worker that is
started or replaced (``max_requests``) answers its first requests as fast as its later ones.

Measured before this existed: a fresh worker's first public declaration page took 0.45 s in
a quiet process (0.25 s of it configuring the ORM's mappers) and over 2 s under load.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, get_translations
from sqlalchemy.orm import configure_mappers

from neutrality.settings import SUPPORTED_LOCALES


def page_templates(app: Flask) -> list[str]:
    """The templates of the web pages (the PDF documents have their own environment)."""
    return sorted(name for name in app.jinja_env.list_templates()
                  if name.endswith(".html") and not name.startswith("documents/"))


def warm(app: Flask) -> None:
    """Configure the mappers, compile the pages' templates and read the catalogues of every language."""
    configure_mappers()
    with app.test_request_context():
        for name in page_templates(app):
            app.jinja_env.get_template(name)
        for locale in SUPPORTED_LOCALES:
            with force_locale(locale):
                get_translations()
