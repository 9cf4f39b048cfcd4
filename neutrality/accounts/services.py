"""Use cases for accounts, API tokens and memberships.

Sign-in, sessions and passwords are :mod:`neutrality.accounts.sessions`; invitations, the way a
person becomes a member with consent, are :mod:`neutrality.accounts.invitations`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from neutrality.access.model import (
    Actor,
    Permission,
    Role,
    authorize,
    email_key,
    require_admin,
    require_authenticated,
)
from neutrality.access.passwords import MIN_PASSWORD_LENGTH, hash_password
from neutrality.access.tables import ApiToken, Membership, User, UserSession
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.db import query_page
from neutrality.errors import Conflict, InvalidInput, NotFound
from neutrality.messages import Msg
from neutrality.organisations.repository import get_organisation_row
from neutrality.pagination import Page, PageResult
from neutrality.settings import SUPPORTED_LOCALES
from neutrality.uow import UnitOfWork

TOKEN_PREFIX = "ntr_"  # noqa: S105 - a marker, not a secret


def normalise_email(email: str) -> str:
    """:func:`email_key` of an address, refused if it cannot be one."""
    email = email_key(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput(Msg("'{email}' is not an e-mail address", email=email), {"email": ["not an e-mail address"]})
    return email


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            Msg("a password has at least {length} characters", length=MIN_PASSWORD_LENGTH),
            {"password": [f"shorter than {MIN_PASSWORD_LENGTH} characters"]},
        )


def create_user(
    uow: UnitOfWork,
    actor: Actor,
    *,
    email: str,
    display_name: str,
    password: str,
    is_admin: bool = False,
    locale: str = "",
) -> User:
    require_admin(actor)
    email = normalise_email(email)
    check_password_rules(password)
    with uow:
        user = insert_user(uow.session, email=email, display_name=display_name,
                           password=password, is_admin=is_admin, locale=locale)
        record(uow.session, actor, "user.create", user)
        uow.commit()
        return user


def insert_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    is_admin: bool = False,
    locale: str = "",
) -> User:
    """Add an account in the caller's transaction (``email`` normalised, password checked)."""
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(Msg("a user with e-mail {email} already exists", email=email), {"email": ["taken"]})
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        is_admin=is_admin,
        is_active=True,
        locale=locale,
        created_at=utcnow(),
    )
    session.add(user)
    return user


def list_users(uow: UnitOfWork, actor: Actor, page: Page) -> PageResult:
    require_admin(actor)
    with uow:
        return query_page(uow.session, select(User).order_by(User.id), page)


def set_user_active(uow: UnitOfWork, actor: Actor, user_id: int, *, active: bool) -> User:
    """A site administrator disables an account (it can no longer sign in; its sessions end and
    its API tokens stop working) or enables it again. Memberships and history are kept.

    An administrator cannot disable their own account: the site would risk having none left.
    """
    require_admin(actor)
    if not active and user_id == actor.user_id:
        raise Conflict(Msg("you cannot disable your own account"), {"is_active": ["your own account"]})
    with uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound(Msg("user {id} not found", id=user_id))
        if user.is_active != active:
            before = snapshot(user)
            user.is_active = active
            if not active:
                uow.session.execute(
                    update(UserSession)
                    .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
                    .values(ended_at=utcnow())
                )
            record(uow.session, actor, "user.enable" if active else "user.disable", user, before=before)
            uow.commit()
        return user


def load_actor(uow: UnitOfWork, user_id: int) -> Actor | None:
    """The actor for a signed-in user, with a role per organisation; None if the user is gone."""
    with uow:
        return actor_of(uow.session, user_id)


def actor_of(session: Session, user_id: int) -> Actor | None:
    """:func:`load_actor` in the caller's transaction."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    roles = {
        m.organisation_id: Role(m.role)
        for m in session.scalars(select(Membership).where(Membership.user_id == user_id))
    }
    return Actor(user_id=user.id, label=user.email, is_admin=user.is_admin, roles=roles, locale=user.locale or None)


def set_own_locale(uow: UnitOfWork, actor: Actor, locale: str) -> User:
    """The language of the interface for the signed-in user, kept with the account."""
    require_authenticated(actor)
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput(Msg("the language is one of {languages}", languages=", ".join(SUPPORTED_LOCALES)), {"locale": [locale]})
    with uow:
        user = uow.session.get(User, actor.user_id)
        if user is None:
            raise NotFound(Msg("user {id} not found", id=actor.user_id))
        if user.locale != locale:
            before = snapshot(user)
            user.locale = locale
            record(uow.session, actor, "user.locale", user, before=before)
            uow.commit()
        return user


def token_hash(token: str) -> str:
    """What is stored of an API token, a session id or an invitation link: its SHA-256.

    They carry 256 bits of randomness, so a fast hash is enough: there is nothing to brute-force."""
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for_token(uow: UnitOfWork, token: str) -> Actor | None:
    now = utcnow()
    with uow:
        row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
        if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
            return None
        user_id = row.user_id
        # Record use at most once a minute: a busy script should not write on every request.
        # Skipped while another request writes (the next use records it): a read never waits
        # for, nor fails because of, someone else's import.
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
            row.last_used_at = now
            uow.commit_unless_busy()
        # In the same unit of work: this runs on every API request.
        return actor_of(uow.session, user_id)


def create_token(
    uow: UnitOfWork, actor: Actor, *, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create an API token for the acting user; the plain token is returned once, never stored."""
    require_authenticated(actor)
    if actor.user_id is None:
        raise InvalidInput(Msg("tokens belong to a user; the command line has none"))
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise InvalidInput(Msg("a token lasts 1 to 3650 days"), {"expires_in_days": ["1–3650"]})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with uow:
        token = ApiToken(
            user_id=actor.user_id,
            name=name,
            token_hash=token_hash(plain),
            prefix=plain[: len(TOKEN_PREFIX) + 4],
            created_at=now,
            expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
        )
        uow.session.add(token)
        record(uow.session, actor, "api_token.create", token)
        uow.commit()
        return token, plain


def list_tokens(uow: UnitOfWork, actor: Actor) -> list[ApiToken]:
    require_authenticated(actor)
    with uow:
        return list(
            uow.session.scalars(
                select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
            )
        )


def revoke_token(uow: UnitOfWork, actor: Actor, token_id: int) -> ApiToken:
    require_authenticated(actor)
    with uow:
        token = uow.session.get(ApiToken, token_id)
        if token is None or (token.user_id != actor.user_id and not actor.is_admin):
            raise NotFound(Msg("token {id} not found", id=token_id))
        if token.revoked_at is not None:
            raise Conflict(Msg("token {id} is already revoked", id=token_id))
        before = snapshot(token)
        token.revoked_at = utcnow()
        record(uow.session, actor, "api_token.revoke", token, before=before)
        uow.commit()
        return token


# --- memberships -------------------------------------------------------------------------------


def list_members(uow: UnitOfWork, actor: Actor, organisation_id: int) -> list[Membership]:
    authorize(actor, Permission.VIEW_ORGANISATION, organisation_id)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        rows = uow.session.scalars(
            select(Membership)
            .where(Membership.organisation_id == organisation_id)
            .order_by(Membership.id)
        ).all()
        for row in rows:
            _ = row.user.email  # loaded while the session is open
        return list(rows)


def add_member(
    uow: UnitOfWork, actor: Actor, organisation_id: int, *, email: str, role: Role
) -> Membership:
    """A site administrator gives an existing user a role at once (the command line, the demo).

    Everyone else invites (:func:`neutrality.accounts.invitations.invite`): a member of one
    organisation does not learn which addresses have accounts, nor add anyone without consent.
    """
    require_admin(actor)
    email = normalise_email(email)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        user = uow.session.scalar(select(User).where(User.email == email))
        if user is None:
            raise NotFound(Msg("no user with e-mail {email}; a site administrator creates accounts", email=email))
        existing = uow.session.scalar(
            select(Membership).where(
                Membership.user_id == user.id, Membership.organisation_id == organisation_id
            )
        )
        if existing is not None:
            raise Conflict(
                Msg("{email} already has the role '{role}' in this organisation", email=email, role=str(existing.role)),
                {"email": ["already a member"]},
            )
        membership = Membership(
            user_id=user.id,
            organisation_id=organisation_id,
            role=Role(role).value,
            granted_by_user_id=actor.user_id,
            created_at=utcnow(),
        )
        uow.session.add(membership)
        record(uow.session, actor, "membership.create", membership, organisation_id=organisation_id)
        uow.commit()
        _ = membership.user.email
        return membership


def _member_row(session: Session, organisation_id: int, user_id: int) -> Membership:
    membership = session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )
    if membership is None:
        raise NotFound(Msg("user {user} is not a member of organisation {organisation}", user=user_id, organisation=organisation_id))
    return membership


def _keep_a_lead(session: Session, membership: Membership) -> None:
    """Refuse to take away the organisation's last lead (removed, or given another role)."""
    if membership.role != Role.LEAD:
        return
    leads = session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.organisation_id == membership.organisation_id, Membership.role == Role.LEAD
        )
    )
    if leads == 1:
        raise Conflict(Msg("an organisation keeps at least one lead; appoint another first"))


def change_role(
    uow: UnitOfWork, actor: Actor, organisation_id: int, user_id: int, role: Role
) -> Membership:
    """Give a member another role in the organisation (the last lead keeps theirs)."""
    authorize(actor, Permission.MANAGE_MEMBERS, organisation_id)
    role = Role(role)
    with uow:
        membership = _member_row(uow.session, organisation_id, user_id)
        if membership.role != role:
            _keep_a_lead(uow.session, membership)
            before = snapshot(membership)
            membership.role = role.value
            record(uow.session, actor, "membership.update", membership,
                   before=before, organisation_id=organisation_id)
            uow.commit()
        _ = membership.user.email
        return membership


def remove_member(uow: UnitOfWork, actor: Actor, organisation_id: int, user_id: int) -> None:
    authorize(actor, Permission.MANAGE_MEMBERS, organisation_id)
    with uow:
        membership = _member_row(uow.session, organisation_id, user_id)
        _keep_a_lead(uow.session, membership)
        before = snapshot(membership)
        record(
            uow.session, actor, "membership.delete", membership,
            before=before, deleted=True, organisation_id=organisation_id,
        )
        uow.session.delete(membership)
        uow.commit()
