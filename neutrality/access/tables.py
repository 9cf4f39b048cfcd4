"""Tables for users, memberships, API tokens, signed-in sessions and invitations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from neutrality.access.model import InvitationStatus, Role
from neutrality.db import IDS_NEVER_REUSED, Base, UTCDateTime, enum_values_check


class User(Base):
    __tablename__ = "users"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the interface language the user chose (en, zh_Hans, zh_Hant); "" until they choose: the
    #: browser's preference applies
    locale: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )


class Membership(Base):
    """A user's role in one organisation. A verifier's membership is its appointment."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id"),
        CheckConstraint(enum_values_check("role", Role), name="role_known"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])


class ApiToken(Base):
    """A bearer token for scripts. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class UserSession(Base):
    """A signed-in browser. The cookie carries a random id and only its SHA-256 is stored, so
    signing out or changing the password ends the session here, whatever copies of the cookie
    exist."""

    __tablename__ = "user_sessions"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


#: SQL true of a pending invitation, for the partial unique index below.
_PENDING = text("status = 'pending'")


class Invitation(Base):
    """An invitation to take a role in an organisation, made out to an e-mail address.

    Nobody becomes a member without accepting: the person signs in with that address, or creates
    the account, through the link. Only the SHA-256 of the link's token is stored; the link is
    shown once, to whoever invited.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(enum_values_check("role", Role), name="role_known"),
        CheckConstraint(enum_values_check("status", InvitationStatus), name="status_known"),
        CheckConstraint(
            "(status = 'pending' AND responded_at IS NULL)"
            " OR (status <> 'pending' AND responded_at IS NOT NULL)",
            name="responded_unless_pending",
        ),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        # One open invitation per address and organisation: a new one replaces the old.
        Index(
            "ix_invitations_one_pending_per_email",
            "organisation_id",
            "email",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        IDS_NEVER_REUSED,  # the audit log names invitations by id
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # stored lower-cased
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=InvitationStatus.PENDING.value)
    invited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The account that accepted or declined.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
