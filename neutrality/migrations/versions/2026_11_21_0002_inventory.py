"""GHG inventory: inventories and versions, activity records and imports, organisation
factors, completeness, external totals and verifications.

Revision ID: 0002_inventory
Revises: 0001_foundation
Create Date: 2026-11-21 16:40:55.984547
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from neutrality.db import ExactDecimal, UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0002_inventory"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("per_unit", sa.String(length=20), nullable=False),
        sa.Column("mass_unit", sa.String(length=5), nullable=False),
        sa.Column("gases", sa.JSON(), nullable=False),
        sa.Column("ncv", ExactDecimal(), nullable=True),
        sa.Column("ncv_unit", sa.String(length=30), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("geography", sa.String(length=40), nullable=False),
        sa.Column("evidence_filename", sa.String(length=300), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=False),
        sa.Column("change_reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint(
            "kind IN ('fuel_combustion', 'grid_location', 'grid_residual_mix', 'supplier_specific', 'generic')",
            name=op.f("ck_organisation_factors_kind_known"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_organisation_factors_version_positive")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_factors_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_factors")),
        sa.UniqueConstraint(
            "organisation_id",
            "key",
            "version",
            name=op.f("uq_organisation_factors_organisation_id_key_version"),
        ),
    )
    with op.batch_alter_table("organisation_factors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_factors_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "inventories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("gwp_set", sa.String(length=3), nullable=False),
        sa.Column("factor_library_version", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("significance_threshold_percent", ExactDecimal(), nullable=False),
        sa.Column("materiality_threshold_percent", ExactDecimal(), nullable=False),
        sa.Column("frozen_factors", sa.JSON(), nullable=True),
        sa.Column("frozen_result", sa.JSON(), nullable=True),
        sa.Column("frozen_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "gwp_set IN ('AR4', 'AR5', 'AR6')", name=op.f("ck_inventories_gwp_set_known")
        ),
        sa.CheckConstraint(
            "origin IN ('calculated', 'external')", name=op.f("ck_inventories_origin_known")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'verified', 'superseded')",
            name=op.f("ck_inventories_status_known"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_inventories_version_positive")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_inventories_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["application_periods.id"],
            name=op.f("fk_inventories_period_id_application_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventories")),
        sa.UniqueConstraint("period_id", "version", name=op.f("uq_inventories_period_id_version")),
    )
    with op.batch_alter_table("inventories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventories_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inventories_period_id"), ["period_id"], unique=False)

    op.create_table(
        "activity_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name=op.f("fk_activity_imports_inventory_id_inventories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_imports")),
        sa.UniqueConstraint(
            "inventory_id", "sha256", name=op.f("uq_activity_imports_inventory_id_sha256")
        ),
    )
    with op.batch_alter_table("activity_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_imports_inventory_id"), ["inventory_id"], unique=False
        )

    op.create_table(
        "external_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("gas", sa.String(length=30), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("tco2e", ExactDecimal(), nullable=False),
        sa.CheckConstraint(
            "basis IN ('location', 'market', 'none')", name=op.f("ck_external_totals_basis_known")
        ),
        sa.CheckConstraint("scope IN (1, 2, 3)", name=op.f("ck_external_totals_scope_known")),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name=op.f("fk_external_totals_inventory_id_inventories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_totals")),
        sa.UniqueConstraint(
            "inventory_id",
            "scope",
            "category",
            "gas",
            "basis",
            name=op.f("uq_external_totals_inventory_id_scope_category_gas_basis"),
        ),
    )
    with op.batch_alter_table("external_totals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_totals_inventory_id"), ["inventory_id"], unique=False
        )

    op.create_table(
        "inventory_completeness",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("estimated_share_percent", ExactDecimal(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('included', 'excluded_immaterial', 'not_applicable', 'estimated')",
            name=op.f("ck_inventory_completeness_status_known"),
        ),
        sa.CheckConstraint(
            "scope IN (1, 2, 3)", name=op.f("ck_inventory_completeness_scope_known")
        ),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name=op.f("fk_inventory_completeness_inventory_id_inventories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_completeness")),
        sa.UniqueConstraint(
            "inventory_id",
            "scope",
            "category",
            name=op.f("uq_inventory_completeness_inventory_id_scope_category"),
        ),
    )
    with op.batch_alter_table("inventory_completeness", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_completeness_inventory_id"), ["inventory_id"], unique=False
        )

    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=300), nullable=False),
        sa.Column("accreditation", sa.String(length=300), nullable=False),
        sa.Column("standard", sa.String(length=100), nullable=False),
        sa.Column("assurance_level", sa.String(length=20), nullable=False),
        sa.Column("materiality_percent", ExactDecimal(), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("statement_filename", sa.String(length=300), nullable=False),
        sa.Column("statement_sha256", sa.String(length=64), nullable=False),
        sa.Column("statement", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("is_external", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "assurance_level IN ('limited', 'reasonable')",
            name=op.f("ck_verifications_assurance_known"),
        ),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name=op.f("fk_verifications_inventory_id_inventories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
        sa.UniqueConstraint("inventory_id", name=op.f("uq_verifications_inventory_id")),
    )
    op.create_table(
        "activity_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("scope1_subtype", sa.String(length=30), nullable=True),
        sa.Column("scope3_category", sa.Integer(), nullable=True),
        sa.Column("iso_category", sa.Integer(), nullable=False),
        sa.Column("activity_type", sa.String(length=20), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("factor_key", sa.String(length=120), nullable=True),
        sa.Column("gas", sa.String(length=30), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("data_quality", sa.String(length=20), nullable=False),
        sa.Column("uncertainty_percent", ExactDecimal(), nullable=True),
        sa.Column("evidence", sa.String(length=500), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "activity_type IN ('fuel', 'electricity', 'heat_steam', 'refrigerant', 'process', 'material', 'transport', 'waste', 'travel', 'commuting', 'spend', 'other')",
            name=op.f("ck_activity_records_activity_type_known"),
        ),
        sa.CheckConstraint(
            "data_quality IN ('metered', 'invoiced', 'supplier_specific', 'industry_average', 'estimated')",
            name=op.f("ck_activity_records_data_quality_known"),
        ),
        sa.CheckConstraint(
            "method IN ('activity_based', 'spend_based', 'supplier_specific')",
            name=op.f("ck_activity_records_method_known"),
        ),
        sa.CheckConstraint(
            "scope1_subtype IS NULL OR scope1_subtype IN ('stationary_combustion', 'mobile_combustion', 'process', 'fugitive', 'land_use')",
            name=op.f("ck_activity_records_scope1_subtype_known"),
        ),
        sa.CheckConstraint(
            "(scope = 1 AND scope1_subtype IS NOT NULL AND scope3_category IS NULL) OR (scope = 2 AND scope1_subtype IS NULL AND scope3_category IS NULL) OR (scope = 3 AND scope1_subtype IS NULL AND scope3_category BETWEEN 1 AND 15)",
            name=op.f("ck_activity_records_classification_matches_scope"),
        ),
        sa.CheckConstraint(
            "end_date >= start_date", name=op.f("ck_activity_records_ends_after_start")
        ),
        sa.CheckConstraint(
            "iso_category BETWEEN 1 AND 6", name=op.f("ck_activity_records_iso_category_range")
        ),
        sa.CheckConstraint("scope IN (1, 2, 3)", name=op.f("ck_activity_records_scope_known")),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["activity_imports.id"],
            name=op.f("fk_activity_records_import_id_activity_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name=op.f("fk_activity_records_inventory_id_inventories"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_activity_records_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_records")),
        sa.UniqueConstraint(
            "inventory_id", "fingerprint", name=op.f("uq_activity_records_inventory_id_fingerprint")
        ),
    )
    with op.batch_alter_table("activity_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_records_inventory_site", ["inventory_id", "site_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("activity_records", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_records_inventory_site")

    op.drop_table("activity_records")
    op.drop_table("verifications")
    with op.batch_alter_table("inventory_completeness", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_completeness_inventory_id"))

    op.drop_table("inventory_completeness")
    with op.batch_alter_table("external_totals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_totals_inventory_id"))

    op.drop_table("external_totals")
    with op.batch_alter_table("activity_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_imports_inventory_id"))

    op.drop_table("activity_imports")
    with op.batch_alter_table("inventories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventories_period_id"))
        batch_op.drop_index(batch_op.f("ix_inventories_organisation_id"))

    op.drop_table("inventories")
    with op.batch_alter_table("organisation_factors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_factors_organisation_id"))

    op.drop_table("organisation_factors")
