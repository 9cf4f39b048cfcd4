"""Per-request access to the unit of work and the acting user.

Authentication happens once per request in :func:`identify`: a bearer token wins (and a bad
token is refused outright, never silently downgraded to anonymous), otherwise the session cookie.
The cookie carries only the id of a server-side session (:mod:`neutrality.accounts.sessions`),
so a session that was signed out is refused whatever copy of the cookie comes back. Tokens are
rate-limited per account and per address (:mod:`neutrality.web.ratelimit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request, session

from neutrality.access.model import ANONYMOUS, Actor, require_authenticated
from neutrality.accounts import services as access
from neutrality.accounts import sessions
from neutrality.errors import Unauthenticated
from neutrality.messages import Msg
from neutrality.uow import UnitOfWork
from neutrality.web import ratelimit
from neutrality.web.api import API_PREFIX

#: The key of the Flask session (the signed cookie) holding the server-side session's id.
SESSION_KEY = "session_id"

V = TypeVar("V", bound=Callable[..., Any])


def uow(*, reading: bool | None = None) -> UnitOfWork:
    """A unit of work for this request: a reading one for a GET (on SQLite it reads a snapshot
    and never waits for a writer), unless ``reading`` says otherwise."""
    if reading is None:
        reading = request.method in ("GET", "HEAD", "OPTIONS")
    return UnitOfWork(current_app.extensions["neutrality.db"].session_factory, reading=reading)


def identify() -> None:
    g.actor, g.auth_method = ANONYMOUS, None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(Msg("the Authorization header takes the form 'Bearer <token>'"))
        ratelimit.check_token_address()
        actor = access.actor_for_token(uow(reading=True), token.strip())
        if actor is None:
            ratelimit.count_refused_token()
            raise Unauthenticated(Msg("the API token is unknown, expired or revoked"))
        ratelimit.count_token_use(actor.user_id)
        g.actor, g.auth_method = actor, "token"
        return
    session_id = session.get(SESSION_KEY)
    if session_id is None:
        return
    actor = sessions.actor_for_session(uow(reading=True), session_id)
    if actor is None:  # signed out, expired, or the account was deactivated
        session.clear()
        return
    g.actor, g.auth_method = actor, "session"


def actor() -> Actor:
    return g.get("actor", ANONYMOUS)


#: The attribute that marks a view anyone may call, signed in or not (see :func:`public`).
_PUBLIC = "neutrality_public"
#: flask-smorest's blueprint serving the OpenAPI document, which is public.
_DOCUMENTATION = "api-docs"


def public(view: V) -> V:
    """Mark an API view that answers callers who are not signed in (signing in, for one)."""
    setattr(view, _PUBLIC, True)
    return view


def require_caller() -> None:
    """Refuse an anonymous API request (401) before anything reads its path or body: a caller
    who is not signed in learns that first, not how the body should have looked (422).

    Runs right after :func:`identify`. Pages redirect to the sign-in page themselves, and a path
    that matches no endpoint is a 404 for everyone.
    """
    if actor().is_authenticated or request.method == "OPTIONS":
        return
    if request.endpoint is None or not request.path.startswith(API_PREFIX + "/"):
        return
    view = current_app.view_functions.get(request.endpoint)
    if request.blueprint == _DOCUMENTATION or getattr(view, _PUBLIC, False):
        return
    require_authenticated(actor())
