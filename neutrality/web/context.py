"""Per-request access to the unit of work and the acting user.

Authentication happens once per request in :func:`identify`: a bearer token wins (and a bad
token is refused outright, never silently downgraded to anonymous), otherwise the session cookie.
"""

from __future__ import annotations

from flask import current_app, g, request, session

from neutrality.access.model import ANONYMOUS, Actor
from neutrality.accounts import services as access
from neutrality.errors import Unauthenticated
from neutrality.uow import UnitOfWork


def uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["neutrality.db"].session_factory)


def identify() -> None:
    g.actor, g.auth_method = ANONYMOUS, None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the Authorization header takes the form 'Bearer <token>'")
        actor = access.actor_for_token(uow(), token.strip())
        if actor is None:
            raise Unauthenticated("the API token is unknown, expired or revoked")
        g.actor, g.auth_method = actor, "token"
        return
    user_id = session.get("user_id")
    if user_id is not None:
        actor = access.load_actor(uow(), user_id)
        if actor is None:
            session.clear()
            return
        g.actor, g.auth_method = actor, "session"


def actor() -> Actor:
    return g.get("actor", ANONYMOUS)
