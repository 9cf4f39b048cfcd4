"""Invitations: how a person becomes a member of an organisation, with consent.

Whoever manages the members invites an e-mail address to a role; the answer is the same whether
or not the address has an account, so nobody learns which addresses do. The invitation's link
(shown once: only the SHA-256 of its token is stored) lets the person accept or decline, signed
in with that address, or create the account and accept in one step. No mail server is needed:
the person inviting hands the link over.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from neutrality.access.model import (
    Actor,
    InvitationStatus,
    Permission,
    Role,
    authorize,
    require_authenticated,
)
from neutrality.access.tables import Invitation, Membership, User
from neutrality.accounts.services import (
    check_password_rules,
    insert_user,
    normalise_email,
    token_hash,
)
from neutrality.audit.services import record, snapshot
from neutrality.clock import utcnow
from neutrality.db import owned_row, query_page
from neutrality.errors import Conflict, Forbidden, NotFound
from neutrality.messages import Msg
from neutrality.organisations.repository import get_organisation_row
from neutrality.pagination import Page, PageResult
from neutrality.uow import UnitOfWork

#: Long enough to reach someone on leave, short enough that a forgotten link dies.
INVITATION_LIFETIME = dt.timedelta(days=14)

#: An invitation's status as its refusals say it.
_STATUS = {
    InvitationStatus.PENDING: Msg("pending"),
    InvitationStatus.ACCEPTED: Msg("accepted"),
    InvitationStatus.DECLINED: Msg("declined"),
    InvitationStatus.WITHDRAWN: Msg("withdrawn"),
}
UNKNOWN_LINK = Msg("this invitation link is unknown; ask the organisation for a new one")


@dataclass(frozen=True)
class InvitationView:
    """What the person holding the link may see of the invitation."""

    organisation_id: int
    organisation_name: str
    email: str
    role: Role
    status: InvitationStatus
    expires_at: dt.datetime
    #: Pending and not expired: it can still be accepted or declined.
    open: bool



def invite(
    uow: UnitOfWork, actor: Actor, organisation_id: int, *, email: str, role: Role
) -> tuple[Invitation, str]:
    """Record an invitation and return it with its token (shown once, never stored).

    Nothing here depends on whether the address has an account. A pending invitation to the same
    address is withdrawn: the new link replaces one the inviter may have lost.
    """
    authorize(actor, Permission.MANAGE_MEMBERS, organisation_id)
    email = normalise_email(email)
    now = utcnow()
    with uow:
        get_organisation_row(uow.session, organisation_id)
        # The members are listed to whoever may invite, so refusing a member reveals nothing.
        role_held = uow.session.scalar(
            select(Membership.role)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email, Membership.organisation_id == organisation_id)
        )
        if role_held is not None:
            raise Conflict(
                Msg("{email} already has the role '{role}' in this organisation", email=email, role=str(role_held)),
                {"email": ["already a member"]},
            )
        previous = uow.session.scalar(
            select(Invitation).where(
                Invitation.organisation_id == organisation_id,
                Invitation.email == email,
                Invitation.status == InvitationStatus.PENDING,
            )
        )
        if previous is not None:
            _close(uow.session, actor, previous, InvitationStatus.WITHDRAWN, now)
            uow.flush()  # before the insert: one pending invitation per address (unique index)
        plain = secrets.token_urlsafe(32)
        invitation = Invitation(
            organisation_id=organisation_id,
            email=email,
            role=Role(role).value,
            token_hash=token_hash(plain),
            status=InvitationStatus.PENDING.value,
            invited_by_user_id=actor.user_id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        uow.session.add(invitation)
        record(uow.session, actor, "invitation.create", invitation,
               organisation_id=organisation_id)
        uow.commit()
        return invitation, plain


def list_invitations(
    uow: UnitOfWork, actor: Actor, organisation_id: int, page: Page
) -> PageResult[Invitation]:
    authorize(actor, Permission.MANAGE_MEMBERS, organisation_id)
    with uow:
        get_organisation_row(uow.session, organisation_id)
        query = (
            select(Invitation)
            .where(Invitation.organisation_id == organisation_id)
            .order_by(Invitation.id.desc())
        )
        return query_page(uow.session, query, page)


def withdraw(
    uow: UnitOfWork, actor: Actor, organisation_id: int, invitation_id: int
) -> Invitation:
    authorize(actor, Permission.MANAGE_MEMBERS, organisation_id)
    with uow:
        invitation = owned_row(
            uow.session, Invitation, organisation_id, invitation_id, what="invitation"
        )
        if invitation.status != InvitationStatus.PENDING:
            raise Conflict(Msg("invitation {id} is {status}, not pending", id=invitation_id, status=_STATUS.get(invitation.status, invitation.status)))
        _close(uow.session, actor, invitation, InvitationStatus.WITHDRAWN, utcnow())
        uow.commit()
        return invitation


def show(uow: UnitOfWork, token: str) -> InvitationView:
    """The invitation a link stands for, in whatever state it is; the token is the credential."""
    with uow:
        invitation = _by_token(uow.session, token)
        organisation = get_organisation_row(uow.session, invitation.organisation_id)
        return InvitationView(
            organisation_id=organisation.id,
            organisation_name=organisation.name,
            email=invitation.email,
            role=Role(invitation.role),
            status=InvitationStatus(invitation.status),
            expires_at=invitation.expires_at,
            open=invitation.status == InvitationStatus.PENDING and invitation.expires_at > utcnow(),
        )


def accept(uow: UnitOfWork, actor: Actor, token: str) -> Membership:
    """The person invited, signed in with the address invited, takes the role."""
    now = utcnow()
    with uow:
        invitation, user = _answerable_by(uow.session, actor, token, now)
        membership = _join(uow, actor, invitation, user, now)
        uow.commit()
        _ = membership.user.email  # loaded while the session is open
        return membership


def decline(uow: UnitOfWork, actor: Actor, token: str) -> Invitation:
    """The person invited, signed in with the address invited, says no."""
    now = utcnow()
    with uow:
        invitation, user = _answerable_by(uow.session, actor, token, now)
        _close(uow.session, actor, invitation, InvitationStatus.DECLINED, now, user_id=user.id)
        uow.commit()
        return invitation


def create_account_and_accept(
    uow: UnitOfWork, token: str, *, display_name: str, password: str
) -> Membership:
    """A person without an account creates one for the address invited and takes the role."""
    check_password_rules(password)
    now = utcnow()
    with uow:
        invitation = _pending(uow.session, token, now)
        try:
            user = insert_user(uow.session, email=invitation.email, display_name=display_name,
                               password=password)
        except Conflict:
            raise Conflict(
                Msg("an account with this address exists already; sign in to accept the invitation"),
                {"email": ["taken"]},
            ) from None
        uow.flush()
        newcomer = Actor(user_id=user.id, label=user.email)
        record(uow.session, newcomer, "user.create", user)
        membership = _join(uow, newcomer, invitation, user, now)
        uow.commit()
        _ = membership.user.email
        return membership


# --- helpers -----------------------------------------------------------------------------------


def _by_token(session: Session, token: str) -> Invitation:
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if invitation is None:
        raise NotFound(UNKNOWN_LINK)
    return invitation


def _pending(session: Session, token: str, now: dt.datetime) -> Invitation:
    invitation = _by_token(session, token)
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict(Msg("this invitation has been {status} already", status=_STATUS.get(invitation.status, invitation.status)),
                       {"status": [invitation.status]})
    if invitation.expires_at <= now:
        raise Conflict(
            Msg("this invitation expired on {date}; ask the organisation for a new one",
                date=invitation.expires_at.date().isoformat()),
            {"expires_at": [invitation.expires_at.isoformat()]},
        )
    return invitation


def _answerable_by(
    session: Session, actor: Actor, token: str, now: dt.datetime
) -> tuple[Invitation, User]:
    require_authenticated(actor)
    invitation = _pending(session, token, now)
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or user.email != invitation.email:
        # Consent: only the person invited answers, however powerful the caller.
        raise Forbidden(Msg("this invitation is for another e-mail address; "
                            "sign in with the address it was made out to"))
    return invitation, user


def _join(
    uow: UnitOfWork, actor: Actor, invitation: Invitation, user: User, now: dt.datetime
) -> Membership:
    role_held = uow.session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id,
            Membership.organisation_id == invitation.organisation_id,
        )
    )
    if role_held is not None:
        raise Conflict(Msg("you already have the role '{role}' in this organisation", role=str(role_held)))
    membership = Membership(
        user_id=user.id,
        organisation_id=invitation.organisation_id,
        role=invitation.role,
        granted_by_user_id=invitation.invited_by_user_id,
        created_at=now,
    )
    uow.session.add(membership)
    record(uow.session, actor, "membership.create", membership,
           organisation_id=invitation.organisation_id)
    _close(uow.session, actor, invitation, InvitationStatus.ACCEPTED, now, user_id=user.id)
    return membership


_ACTIONS = {
    InvitationStatus.ACCEPTED: "invitation.accept",
    InvitationStatus.DECLINED: "invitation.decline",
    InvitationStatus.WITHDRAWN: "invitation.withdraw",
}


def _close(
    session: Session, actor: Actor, invitation: Invitation, status: InvitationStatus,
    now: dt.datetime, *, user_id: int | None = None,
) -> None:
    before = snapshot(invitation)
    invitation.user_id = user_id
    invitation.status = status.value
    invitation.responded_at = now
    record(session, actor, _ACTIONS[status], invitation, before=before,
           organisation_id=invitation.organisation_id)
