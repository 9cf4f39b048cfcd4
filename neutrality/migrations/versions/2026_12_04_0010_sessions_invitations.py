"""Revocable sessions and invitations to organisations.

Revision ID: 0010_sessions_invitations
Revises: 0009_audited_ids
Create Date: 2026-12-04 18:00:00

* ``user_sessions``: one row per signed-in browser, found by the SHA-256 of the random id its
  cookie carries; signing out or changing the password ends it, so a copied cookie stops working.
  Cookies signed before this revision carry no such id and are treated as signed out.
* ``invitations``: a role offered to an e-mail address, which the person accepts through a link
  (the SHA-256 of its token is stored). At most one pending invitation per address and
  organisation (a partial unique index on both backends).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateTable

from neutrality.db import UTCDateTime

revision: str = "0010_sessions_invitations"
down_revision: str | Sequence[str] | None = "0009_audited_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_user_sessions_expires_after_start")
        ),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)

    _create_invitations()
    op.create_index(
        op.f("ix_invitations_organisation_id"), "invitations", ["organisation_id"], unique=False
    )
    op.create_index(
        op.f("ix_invitations_one_pending_per_email"),
        "invitations",
        ["organisation_id", "email"],
        unique=True,
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )


def _invitation_columns_and_constraints() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("invited_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_invitations_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_user_id"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_invitations_user_id_users")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
        sa.CheckConstraint(
            "role IN ('lead', 'procurement', 'verifier', 'viewer')",
            name=op.f("ck_invitations_role_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn')",
            name=op.f("ck_invitations_status_known"),
        ),
        sa.CheckConstraint(
            "(status = 'pending' AND responded_at IS NULL)"
            " OR (status <> 'pending' AND responded_at IS NOT NULL)",
            name=op.f("ck_invitations_responded_unless_pending"),
        ),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_invitations_expires_after_creation")
        ),
    ]


#: How SQLAlchemy writes the id column of an AUTOINCREMENT table on SQLite: the key moves onto
#: the column and loses its name.
_UNNAMED_AUTOINCREMENT_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"


def _create_invitations() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_table("invitations", *_invitation_columns_and_constraints())
        return
    # The audit log names invitations by id, so SQLite must never hand one out twice
    # (AUTOINCREMENT, as 0009_audited_ids gives the other audited tables), and the key keeps
    # its conventional name there as in 0009: CONSTRAINT pk_invitations PRIMARY KEY AUTOINCREMENT.
    metadata = sa.MetaData()
    for referred in ("organisations", "users"):  # what the foreign keys name, for the compiler
        sa.Table(referred, metadata, sa.Column("id", sa.Integer(), primary_key=True))
    table = sa.Table("invitations", metadata, *_invitation_columns_and_constraints(),
                     sqlite_autoincrement=True)
    create = str(CreateTable(table).compile(dialect=op.get_context().dialect))
    op.execute(create.replace(
        _UNNAMED_AUTOINCREMENT_KEY,
        "id INTEGER NOT NULL CONSTRAINT pk_invitations PRIMARY KEY AUTOINCREMENT",
    ))


def downgrade() -> None:
    op.drop_index(op.f("ix_invitations_one_pending_per_email"), table_name="invitations")
    op.drop_index(op.f("ix_invitations_organisation_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
