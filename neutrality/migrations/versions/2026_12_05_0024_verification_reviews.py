"""The verifier's workspace: review comments and their messages, the appointed verifier's
opinions, and who confirmed a verification.

``review_comments`` / ``review_messages``: a verifier's comment on a period's inventory and the
thread the lead answers in. ``verification_opinions``: the verifier's opinion with its signed
statement, one per verification. ``verifications.confirmed_by`` / ``confirmed_at``: nullable,
so every verification recorded before stays "claimed, not confirmed". Nothing is moved.

Revision ID: 0024_verification_reviews
Revises: 0023_target_terms
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateTable

from neutrality.db import UTCDateTime

revision: str = "0024_verification_reviews"
down_revision: str | None = "0023_target_terms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _comments() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("retirement_id", sa.Integer(), nullable=True),
        sa.Column("finding", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'answered', 'closed')", name=op.f("ck_review_comments_status_known")),
        sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)",
                           name=op.f("ck_review_comments_closed_with_date")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comments")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_review_comments_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["period_id"], ["application_periods.id"],
                                name=op.f("fk_review_comments_period_id_application_periods")),
        sa.ForeignKeyConstraint(["inventory_id"], ["inventories.id"],
                                name=op.f("fk_review_comments_inventory_id_inventories")),
        sa.ForeignKeyConstraint(["retirement_id"], ["retirements.id"],
                                name=op.f("fk_review_comments_retirement_id_retirements")),
        sa.ForeignKeyConstraint(["opened_by"], ["users.id"], name=op.f("fk_review_comments_opened_by_users")),
        sa.ForeignKeyConstraint(["closed_by"], ["users.id"], name=op.f("fk_review_comments_closed_by_users")),
    ]


def _messages() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_label", sa.String(length=254), nullable=False),
        sa.Column("author_role", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("author_role IN ('verifier', 'lead')", name=op.f("ck_review_messages_author_role_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_messages")),
        sa.ForeignKeyConstraint(["comment_id"], ["review_comments.id"],
                                name=op.f("fk_review_messages_comment_id_review_comments")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_review_messages_author_id_users")),
    ]


def _opinions() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=False),
        sa.Column("assurance_level", sa.String(length=20), nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("statement_filename", sa.String(length=300), nullable=False),
        sa.Column("statement_sha256", sa.String(length=64), nullable=False),
        sa.Column("statement", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("assurance_level IN ('limited', 'reasonable')",
                           name=op.f("ck_verification_opinions_assurance_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_opinions")),
        sa.ForeignKeyConstraint(["verification_id"], ["verifications.id"],
                                name=op.f("fk_verification_opinions_verification_id_verifications")),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_verification_opinions_recorded_by_users")),
        sa.UniqueConstraint("verification_id", name=op.f("uq_verification_opinions_verification_id")),
    ]


#: How SQLAlchemy writes the id column of an AUTOINCREMENT table on SQLite: the key moves onto
#: the column and loses its name.
_UNNAMED_AUTOINCREMENT_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"


def _create(name: str, items: list[sa.SchemaItem]) -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_table(name, *items)
        return
    # The audit log names each row by id, so SQLite must never hand a deleted row's id on
    # (AUTOINCREMENT, as 0021 does), the key keeping its conventional name.
    metadata = sa.MetaData()
    for referred in ("organisations", "application_periods", "inventories", "retirements", "users",
                     "review_comments", "verifications"):
        if referred != name:
            sa.Table(referred, metadata, sa.Column("id", sa.Integer(), primary_key=True))
    table = sa.Table(name, metadata, *items, sqlite_autoincrement=True)
    create = str(CreateTable(table).compile(dialect=op.get_context().dialect))
    op.execute(create.replace(_UNNAMED_AUTOINCREMENT_KEY,
                              f"id INTEGER NOT NULL CONSTRAINT pk_{name} PRIMARY KEY AUTOINCREMENT"))


def upgrade() -> None:
    # A user id, no foreign key: SQLite adds a named one to a deployed table only by rebuilding it
    op.add_column("verifications", sa.Column("confirmed_by", sa.Integer(), nullable=True))
    op.add_column("verifications", sa.Column("confirmed_at", UTCDateTime(), nullable=True))
    _create("review_comments", _comments())
    op.create_index(op.f("ix_review_comments_organisation_id"), "review_comments", ["organisation_id"])
    op.create_index(op.f("ix_review_comments_period_id"), "review_comments", ["period_id"])
    _create("review_messages", _messages())
    op.create_index(op.f("ix_review_messages_comment_id"), "review_messages", ["comment_id"])
    _create("verification_opinions", _opinions())


def downgrade() -> None:
    op.drop_table("verification_opinions")
    op.drop_index(op.f("ix_review_messages_comment_id"), table_name="review_messages")
    op.drop_table("review_messages")
    op.drop_index(op.f("ix_review_comments_period_id"), table_name="review_comments")
    op.drop_index(op.f("ix_review_comments_organisation_id"), table_name="review_comments")
    op.drop_table("review_comments")
    op.drop_column("verifications", "confirmed_at")
    op.drop_column("verifications", "confirmed_by")
