"""Instrument registry: projects and devices, registry imports, purchases, serial blocks.

Held blocks never share a unit: the service checks it, serialised per organisation (SQLite:
the immediate transaction's write lock; PostgreSQL: a transaction advisory lock). An exclusion
constraint was measured and left out: its GiST checks made a million-block import take 208 s
instead of about 50. The database-level guarantee against double counting belongs to the
retirement ledger, where a unit used twice would be a false claim.

Revision ID: 0004_registry
Revises: 0003_record_batches
Create Date: 2026-11-21 20:14:52.288417
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from neutrality.db import ExactDecimal, UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0004_registry"
down_revision: str | Sequence[str] | None = "0003_record_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instrument_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source_registry", sa.String(length=40), nullable=False),
        sa.Column("registry_project_id", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("proponent", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("methodology", sa.String(length=200), nullable=False),
        sa.Column("project_type", sa.String(length=300), nullable=False),
        sa.Column("mitigation", sa.String(length=20), nullable=False),
        sa.Column("crediting_period_start", sa.Date(), nullable=True),
        sa.Column("crediting_period_end", sa.Date(), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("technology", sa.String(length=60), nullable=False),
        sa.Column("capacity_mw", ExactDecimal(), nullable=True),
        sa.Column("commissioning_date", sa.Date(), nullable=True),
        sa.Column("repowering_date", sa.Date(), nullable=True),
        sa.Column("grid_region", sa.String(length=20), nullable=True),
        sa.Column("subsidised", sa.Boolean(), nullable=True),
        sa.Column("gec_tradable", sa.Boolean(), nullable=True),
        sa.Column("gec_project_code", sa.String(length=17), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint(
            "kind IN ('carbon_credit', 'eac')", name=op.f("ck_instrument_projects_kind_known")
        ),
        sa.CheckConstraint(
            "mitigation IN ('removal', 'avoidance', 'mixed', 'unknown')",
            name=op.f("ck_instrument_projects_mitigation_known"),
        ),
        sa.CheckConstraint(
            "capacity_mw IS NULL OR capacity_mw > 0",
            name=op.f("ck_instrument_projects_capacity_positive"),
        ),
        sa.CheckConstraint(
            "crediting_period_end IS NULL OR crediting_period_start IS NULL OR crediting_period_end >= crediting_period_start",
            name=op.f("ck_instrument_projects_crediting_period_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_instrument_projects_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_projects")),
        sa.UniqueConstraint(
            "organisation_id",
            "source_registry",
            "registry_project_id",
            name=op.f("uq_instrument_projects_organisation_id_source_registry_registry_project_id"),
        ),
    )
    with op.batch_alter_table("instrument_projects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instrument_projects_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "purchases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=10), nullable=False),
        sa.Column("supplier", sa.String(length=300), nullable=False),
        sa.Column("contract_reference", sa.String(length=200), nullable=False),
        sa.Column("contract_date", sa.Date(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivery_account", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("invoice_filename", sa.String(length=300), nullable=False),
        sa.Column("invoice_sha256", sa.String(length=64), nullable=False),
        sa.Column("invoice", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchases_quantity_positive")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_purchases_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_purchases_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchases")),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchases_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "registry_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=False),
        sa.Column("block_count", sa.Integer(), nullable=False),
        sa.Column("project_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_registry_imports_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_imports")),
        sa.UniqueConstraint(
            "organisation_id", "sha256", name=op.f("uq_registry_imports_organisation_id_sha256")
        ),
    )
    with op.batch_alter_table("registry_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registry_imports_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "serial_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=10), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("issuance_key", sa.String(length=200), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("vintage_start", sa.Date(), nullable=True),
        sa.Column("vintage_end", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("raw_serial", sa.String(length=300), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("split_from_id", sa.Integer(), nullable=True),
        sa.Column("purchase_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint(
            "(status = 'held' OR status = 'reserved' OR status = 'retired' OR status = 'cancelled' OR status = 'transferred_out')",
            name=op.f("ck_serial_blocks_status_known"),
        ),
        sa.CheckConstraint(
            "quantity = serial_end - serial_start + 1",
            name=op.f("ck_serial_blocks_quantity_is_range"),
        ),
        sa.CheckConstraint(
            "serial_start >= 0 AND serial_end >= serial_start",
            name=op.f("ck_serial_blocks_range_ordered"),
        ),
        sa.CheckConstraint(
            "vintage_end IS NULL OR vintage_start IS NULL OR vintage_end >= vintage_start",
            name=op.f("ck_serial_blocks_vintage_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["registry_imports.id"],
            name=op.f("fk_serial_blocks_import_id_registry_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_serial_blocks_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["instrument_projects.id"],
            name=op.f("fk_serial_blocks_project_id_instrument_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["purchase_id"], ["purchases.id"], name=op.f("fk_serial_blocks_purchase_id_purchases")
        ),
        sa.ForeignKeyConstraint(
            ["split_from_id"],
            ["serial_blocks.id"],
            name=op.f("fk_serial_blocks_split_from_id_serial_blocks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serial_blocks")),
    )
    with op.batch_alter_table("serial_blocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_serial_blocks_issuance_start",
            ["organisation_id", "scheme", "issuance_key", "serial_start"],
            unique=False,
            postgresql_where=sa.text("status <> 'transferred_out'"),
            sqlite_where=sa.text("status <> 'transferred_out'"),
        )
        batch_op.create_index(
            "ix_serial_blocks_project", ["organisation_id", "project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_serial_blocks_purchase_id"), ["purchase_id"], unique=False
        )

def downgrade() -> None:
    with op.batch_alter_table("serial_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_serial_blocks_purchase_id"))
        batch_op.drop_index("ix_serial_blocks_project")
        batch_op.drop_index(
            "ix_serial_blocks_issuance_start",
            postgresql_where=sa.text("status <> 'transferred_out'"),
            sqlite_where=sa.text("status <> 'transferred_out'"),
        )

    op.drop_table("serial_blocks")
    with op.batch_alter_table("registry_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_imports_organisation_id"))

    op.drop_table("registry_imports")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchases_organisation_id"))

    op.drop_table("purchases")
    with op.batch_alter_table("instrument_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instrument_projects_organisation_id"))

    op.drop_table("instrument_projects")
