"""The application factory."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel, get_locale
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from neutrality import __version__
from neutrality.db import Database
from neutrality.errors import SettingsError
from neutrality.rules.catalogue import shipped_catalogue
from neutrality.settings import PROJECT_ROOT, Settings, load_settings
from neutrality.web import errors, frame, labels, ratelimit
from neutrality.web.api import API_PREFIX, Api, IdConverter, check_path_ids
from neutrality.web.context import identify, require_caller
from neutrality.web.public_pages import PublicPages

csrf = CSRFProtect()
babel = Babel()

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(settings: Settings | Mapping[str, Any] | None = None, *, serving: bool = True) -> Flask:
    """Build the application: settings, database, extensions, blueprints, error handlers, CLI.

    ``serving=False`` is the ``neutrality`` command acting on the data: it signs no cookie a
    browser keeps, so it runs without a secret key of its own (see :func:`_secret_key`)."""
    if not isinstance(settings, Settings):
        settings = load_settings(settings)
    app = Flask(
        __name__,
        instance_path=str(Path(settings.instance_path).resolve()),
        template_folder=str(PROJECT_ROOT / "templates"),
        # stylesheets, scripts and images of the pages, served by the app itself: no CDN, and
        # the Content-Security-Policy stays default-src 'self'
        static_folder=str(PROJECT_ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(
        SECRET_KEY=_secret_key(settings, Path(app.instance_path), serving=serving),
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # CSRF is checked in _protect_forms below: on every unsafe request authenticated by the
        # session cookie, but not for bearer-token calls, which a browser cannot forge.
        WTF_CSRF_CHECK_DEFAULT=False,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        API_TITLE="neutrality",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.extensions["neutrality.settings"] = settings
    # the rule sets are read now: a broken rule file stops the application before it serves
    app.extensions["neutrality.rules"] = shipped_catalogue()
    # JSON answers carry Chinese text as text (盐城工厂), not as \u escapes a person cannot read;
    # UTF-8 is JSON's own encoding, and the Content-Type says so.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if settings.proxy_hops:
        # Behind a reverse proxy the connection's address is the proxy's; trust exactly the
        # hops configured, so the rate limits count the real client and a client cannot forge it.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    # the public declaration pages, answered from memory ahead of everything else for a moment
    public_pages = PublicPages(fresh=settings.public_page_fresh_ms / 1000)
    app.extensions["neutrality.public_pages"] = public_pages
    app.wsgi_app = public_pages.wrap(app.wsgi_app)  # type: ignore[method-assign]
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.extensions["neutrality.db"] = Database(settings.resolved_database_url)

    csrf.init_app(app)
    babel.init_app(app, locale_selector=frame.choose_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.filters["place"] = labels.place
    errors.register(app)
    ratelimit.init_app(app, settings)  # sign-in and API tokens, per account and per address
    app.before_request(identify)
    app.before_request(require_caller)  # 401 before the path or the body is looked at
    app.before_request(check_path_ids)
    app.before_request(_protect_forms)
    app.after_request(_security_headers)
    _register_blueprints(app)
    _register_commands(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from neutrality.web.admin_pages import bp as admin_pages
    from neutrality.web.api.access import blp as access_api
    from neutrality.web.api.achieved import blp as achieved_api
    from neutrality.web.api.audit import blp as audit_api
    from neutrality.web.api.claims import blp as claims_api
    from neutrality.web.api.claims import rules_blp as rules_api
    from neutrality.web.api.commitments import blp as commitments_api
    from neutrality.web.api.contests import blp as contests_api
    from neutrality.web.api.exports import blp as exports_api
    from neutrality.web.api.inventory import blp as inventory_api
    from neutrality.web.api.inventory import factors_blp as factors_api
    from neutrality.web.api.organisations import blp as organisations_api
    from neutrality.web.api.reductions import blp as reductions_api
    from neutrality.web.api.registry import blp as registry_api
    from neutrality.web.api.registry import schemes_blp as schemes_api
    from neutrality.web.api.statements import blp as statements_api
    from neutrality.web.api.targets import blp as targets_api
    from neutrality.web.api.verification import blp as verification_api
    from neutrality.web.commitment_pages import bp as commitment_pages
    from neutrality.web.dashboard import bp as dashboard
    from neutrality.web.declaration_pages import bp as declaration_pages
    from neutrality.web.factor_pages import bp as factor_pages
    from neutrality.web.holdings_pages import bp as holdings_pages
    from neutrality.web.inventory_pages import bp as inventory_pages
    from neutrality.web.ledger_pages import bp as ledger_pages
    from neutrality.web.organisation_pages import bp as organisation_pages
    from neutrality.web.pages import bp as pages
    from neutrality.web.planner_pages import bp as planner_pages
    from neutrality.web.purchase_pages import bp as purchase_pages
    from neutrality.web.reduction_pages import bp as reduction_pages
    from neutrality.web.reference import bp as reference
    from neutrality.web.registry_pages import bp as registry_pages
    from neutrality.web.statement_pages import bp as statement_pages
    from neutrality.web.verification_pages import bp as verification_pages
    from neutrality.web.verifier_pages import bp as verifier_pages

    api = Api(app, spec_kwargs={"info": {"description": "Zero-carbon factory and carbon-neutrality claims"}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    for blueprint in (
        access_api, organisations_api, commitments_api, inventory_api, factors_api, registry_api, schemes_api,
        claims_api, rules_api, audit_api, contests_api, exports_api, reductions_api, targets_api,
        achieved_api, verification_api, statements_api,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(pages)
    app.register_blueprint(dashboard)
    app.register_blueprint(inventory_pages)
    app.register_blueprint(planner_pages)
    app.register_blueprint(holdings_pages)
    app.register_blueprint(purchase_pages)
    app.register_blueprint(verifier_pages)
    app.register_blueprint(verification_pages)
    app.register_blueprint(registry_pages)
    app.register_blueprint(commitment_pages)
    app.register_blueprint(reduction_pages)
    app.register_blueprint(ledger_pages)
    app.register_blueprint(admin_pages)
    app.register_blueprint(organisation_pages)
    app.register_blueprint(factor_pages)
    app.register_blueprint(reference)
    app.register_blueprint(declaration_pages)
    app.register_blueprint(statement_pages)
    frame.init_app(app)


def _register_commands(app: Flask) -> None:
    from neutrality.cli_groups import GROUPS

    for group in GROUPS:
        app.cli.add_command(group)


def _protect_forms() -> None:
    if request.method in SAFE_METHODS or g.get("auth_method") == "token":
        return
    if request.path.startswith(API_PREFIX + "/") and g.get("auth_method") is None:
        return  # an anonymous API call carries no cookie to abuse; the service answers 401
    csrf.protect()


def _security_headers(response: Any) -> Any:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
    return response


#: The shortest secret key accepted outside the demo: 32 characters (of a hexadecimal key, 128 bits).
MIN_SECRET_KEY_LENGTH = 32


def _secret_key(settings: Settings, instance: Path, *, serving: bool = True) -> str:
    """The key that signs sessions and CSRF tokens. A server runs without one given only for the
    demo and the tests: a key generated on the server would differ between hosts and sit beside
    the data. The command line signs nothing a browser keeps, so it needs none."""
    if settings.demo or settings.testing or not serving:
        return settings.secret_key or _instance_secret(instance)
    if not settings.secret_key:
        raise SettingsError(
            "NEUTRALITY_SECRET_KEY is not set. Set it to a long random value, for example the "
            "output of: python3 -c 'import secrets; print(secrets.token_hex(32))'. Only the demo "
            "(NEUTRALITY_DEMO=1, as bin/up sets it) runs without one."
        )
    if len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"NEUTRALITY_SECRET_KEY is too short: it needs at least {MIN_SECRET_KEY_LENGTH} "
            "characters, for example the output of: "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'."
        )
    return settings.secret_key


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart in development."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
