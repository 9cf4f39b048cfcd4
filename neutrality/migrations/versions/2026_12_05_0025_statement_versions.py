"""Issued statements: ``statement_versions`` (each version of a period's statement with its frozen
snapshot, publication and withdrawal stamps) and ``statement_documents`` (its PDF per locale with
the PDF's SHA-256). New tables: nothing is moved.

Revision ID: 0025_statement_versions
Revises: 0024_verification_reviews
Create Date: 2026-12-05 08:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateTable

from neutrality.db import UTCDateTime

revision: str = "0025_statement_versions"
down_revision: str | None = "0024_verification_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _versions() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("declaration", sa.String(length=20), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('iso_14068_1_report', 'pas_2060_qes', 'cn_zero_carbon_factory')",
                           name=op.f("ck_statement_versions_kind_known")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_statement_versions_version_positive")),
        sa.CheckConstraint("version = 1 OR changes IS NOT NULL", name=op.f("ck_statement_versions_changes_from_version_2")),
        sa.CheckConstraint("(withdrawn_at IS NULL) = (withdrawal_reason IS NULL)",
                           name=op.f("ck_statement_versions_withdrawn_with_reason")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_versions")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_statement_versions_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["period_id"], ["application_periods.id"],
                                name=op.f("fk_statement_versions_period_id_application_periods")),
        sa.ForeignKeyConstraint(["issued_by"], ["users.id"], name=op.f("fk_statement_versions_issued_by_users")),
        sa.ForeignKeyConstraint(["published_by"], ["users.id"], name=op.f("fk_statement_versions_published_by_users")),
        sa.ForeignKeyConstraint(["withdrawn_by"], ["users.id"], name=op.f("fk_statement_versions_withdrawn_by_users")),
        sa.ForeignKeyConstraint(["superseded_by_id"], ["statement_versions.id"],
                                name=op.f("fk_statement_versions_superseded_by_id_statement_versions")),
        sa.UniqueConstraint("period_id", "kind", "version", name=op.f("uq_statement_versions_period_id_kind_version")),
    ]


def _documents() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_documents")),
        sa.ForeignKeyConstraint(["version_id"], ["statement_versions.id"],
                                name=op.f("fk_statement_documents_version_id_statement_versions")),
        sa.UniqueConstraint("version_id", "locale", name=op.f("uq_statement_documents_version_id_locale")),
    ]


#: How SQLAlchemy writes the id column of an AUTOINCREMENT table on SQLite: the key moves onto
#: the column and loses its name.
_UNNAMED_AUTOINCREMENT_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"


def _create(name: str, items: list[sa.SchemaItem]) -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_table(name, *items)
        return
    # The audit log names each row by id, so SQLite must never hand a deleted row's id on
    # (AUTOINCREMENT, as 0021 and 0024 do), the key keeping its conventional name.
    metadata = sa.MetaData()
    for referred in ("organisations", "application_periods", "users", "statement_versions"):
        if referred != name:
            sa.Table(referred, metadata, sa.Column("id", sa.Integer(), primary_key=True))
    table = sa.Table(name, metadata, *items, sqlite_autoincrement=True)
    create = str(CreateTable(table).compile(dialect=op.get_context().dialect))
    op.execute(create.replace(_UNNAMED_AUTOINCREMENT_KEY,
                              f"id INTEGER NOT NULL CONSTRAINT pk_{name} PRIMARY KEY AUTOINCREMENT"))


def upgrade() -> None:
    _create("statement_versions", _versions())
    op.create_index(op.f("ix_statement_versions_organisation_id"), "statement_versions", ["organisation_id"])
    op.create_index(op.f("ix_statement_versions_period_id"), "statement_versions", ["period_id"])
    _create("statement_documents", _documents())
    op.create_index(op.f("ix_statement_documents_version_id"), "statement_documents", ["version_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_statement_documents_version_id"), table_name="statement_documents")
    op.drop_table("statement_documents")
    op.drop_index(op.f("ix_statement_versions_period_id"), table_name="statement_versions")
    op.drop_index(op.f("ix_statement_versions_organisation_id"), table_name="statement_versions")
    op.drop_table("statement_versions")
