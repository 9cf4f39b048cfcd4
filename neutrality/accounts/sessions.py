"""Signing in and out, the server-side sessions of signed-in browsers, and passwords.

A browser's cookie carries only a random session id; the session itself is a row of
``user_sessions``, looked up on every request. Signing out ends that row, and a password change
ends every row of the account, so a cookie copied before either stops working at once.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from neutrality.access.model import Actor, email_key, require_admin, require_authenticated
from neutrality.access.passwords import hash_password, verify_password
from neutrality.access.tables import User, UserSession
from neutrality.accounts.services import actor_of, check_password_rules, normalise_email, token_hash
from neutrality.audit.services import record
from neutrality.clock import utcnow
from neutrality.errors import InvalidInput, NotFound, Unauthenticated
from neutrality.messages import Msg
from neutrality.uow import UnitOfWork

#: A copied cookie is worth at most a working day, even if nobody signs out.
SESSION_LIFETIME = dt.timedelta(hours=12)

WRONG_CREDENTIALS = Msg("wrong e-mail or password")



def authenticate(uow: UnitOfWork, email: str, password: str) -> int:
    """Check a sign-in and return the user id; the same error whatever was wrong."""
    with uow:
        user = uow.session.scalar(select(User).where(User.email == email_key(email)))
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or not user.is_active:
            raise Unauthenticated(WRONG_CREDENTIALS)
        return user.id


def open_session(uow: UnitOfWork, user_id: int) -> str:
    """Open a session for a user who has just proved who they are (signed in, created the
    account, changed the password); returns the id for the cookie, of which only the hash is
    stored. The account's ended and expired sessions are dropped on the way."""
    now = utcnow()
    with uow:
        _drop_dead_sessions(uow.session, user_id, now)
        plain = secrets.token_urlsafe(32)
        uow.session.add(
            UserSession(
                user_id=user_id,
                token_hash=token_hash(plain),
                created_at=now,
                last_seen_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        uow.commit()
        return plain


def _drop_dead_sessions(session: Session, user_id: int, now: dt.datetime) -> None:
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user_id,
            or_(UserSession.ended_at.is_not(None), UserSession.expires_at <= now),
        )
    )


def sign_in(uow: UnitOfWork, email: str, password: str) -> str:
    """Check the e-mail and password and open a session; returns the id for the cookie."""
    return open_session(uow, authenticate(uow, email, password))


def actor_for_session(uow: UnitOfWork, session_id: str) -> Actor | None:
    """The actor of a live session; None if the session is unknown, ended or expired."""
    now = utcnow()
    with uow:
        row = uow.session.scalar(
            select(UserSession).where(UserSession.token_hash == token_hash(session_id))
        )
        if row is None or row.ended_at is not None or row.expires_at <= now:
            return None
        actor = actor_of(uow.session, row.user_id)
        # Record use at most once a minute, and not while another request writes (the next use
        # records it): browsing neither writes on every request nor waits for someone's import.
        if actor is not None and now - row.last_seen_at > dt.timedelta(minutes=1):
            row.last_seen_at = now
            uow.commit_unless_busy()
        return actor


def sign_out(uow: UnitOfWork, session_id: str) -> None:
    """End the session whose id the cookie carries (nothing to do if it has ended already)."""
    with uow:
        uow.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(session_id), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        uow.commit()


def _end_all_sessions(session: Session, user_id: int) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def change_password(
    uow: UnitOfWork, actor: Actor, *, current_password: str, new_password: str
) -> None:
    """The signed-in user's own change: the current password is checked, and every session of
    the account ends (the caller may open a fresh one for the browser that asked)."""
    require_authenticated(actor)
    if actor.user_id is None:
        raise InvalidInput(Msg("a password belongs to a user; the command line has none"))
    check_password_rules(new_password)
    with uow:
        user = uow.session.get(User, actor.user_id)
        if user is None or not verify_password(user.password_hash, current_password):
            raise InvalidInput(
                Msg("the current password is wrong"), {"current_password": ["wrong password"]}
            )
        _set_password(uow.session, actor, user, new_password)
        uow.commit()


def set_password(uow: UnitOfWork, actor: Actor, *, email: str, new_password: str) -> None:
    """A site administrator sets a user's password (e.g. a forgotten one); every session of the
    account ends."""
    require_admin(actor)
    email = normalise_email(email)
    check_password_rules(new_password)
    with uow:
        user = uow.session.scalar(select(User).where(User.email == email))
        if user is None:
            raise NotFound(Msg("no user with e-mail {email}", email=email))
        _set_password(uow.session, actor, user, new_password)
        uow.commit()


def _set_password(session: Session, actor: Actor, user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    _end_all_sessions(session, user.id)
    # The log keeps that the password changed, never the hash (audit.services drops it).
    record(session, actor, "user.password_change", user)
