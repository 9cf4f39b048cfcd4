"""Reduction targets of an organisation (or of one commitment) and the output of periods.

``emission_targets``: absolute or intensity targets, their scopes, the Scope 2 basis when
Scope 2 is covered, base and target years, the reduction (%), and for an intensity the unit of
output and the base year's output; their invariants are check constraints as well.
``period_outputs``: one output (quantity, unit) per application period, the divisor of an
intensity target. Nothing is moved: both tables start empty.

Revision ID: 0021_reduction_targets
Revises: 0020_reduction_measures
Create Date: 2026-12-05 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateTable

from neutrality.db import ExactDecimal, UTCDateTime

revision: str = "0021_reduction_targets"
down_revision: str | None = "0020_reduction_measures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _targets() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("scopes", sa.String(length=10), nullable=False),
        sa.Column("scope2_basis", sa.String(length=20), nullable=True),
        sa.Column("base_year", sa.Integer(), nullable=False),
        sa.Column("base_value", ExactDecimal(), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("reduction_percent", ExactDecimal(), nullable=False),
        sa.Column("output_unit", sa.String(length=20), nullable=True),
        sa.Column("base_output", ExactDecimal(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('absolute', 'intensity')", name=op.f("ck_emission_targets_kind_known")),
        sa.CheckConstraint("scope2_basis IN ('location_based', 'market_based') OR scope2_basis IS NULL",
                           name=op.f("ck_emission_targets_scope2_basis_known")),
        sa.CheckConstraint("scopes IN ('1', '2', '3', '1+2', '1+3', '2+3', '1+2+3')",
                           name=op.f("ck_emission_targets_scopes_known")),
        sa.CheckConstraint("base_year BETWEEN 1990 AND 2100", name=op.f("ck_emission_targets_base_year_range")),
        sa.CheckConstraint("target_year BETWEEN 1990 AND 2100", name=op.f("ck_emission_targets_target_year_range")),
        sa.CheckConstraint("target_year > base_year", name=op.f("ck_emission_targets_target_after_base")),
        sa.CheckConstraint("CAST(base_value AS NUMERIC) >= 0", name=op.f("ck_emission_targets_base_value_not_negative")),
        sa.CheckConstraint("CAST(reduction_percent AS NUMERIC) BETWEEN 0 AND 100",
                           name=op.f("ck_emission_targets_reduction_percent_range")),
        sa.CheckConstraint("(scopes IN ('2', '1+2', '2+3', '1+2+3')) = (scope2_basis IS NOT NULL)",
                           name=op.f("ck_emission_targets_scope2_basis_with_scope2")),
        sa.CheckConstraint("(kind = 'intensity' AND output_unit IS NOT NULL AND CAST(base_output AS NUMERIC) > 0) OR "
                           "(kind = 'absolute' AND output_unit IS NULL AND base_output IS NULL)",
                           name=op.f("ck_emission_targets_output_with_intensity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emission_targets")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_emission_targets_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitments.id"],
                                name=op.f("fk_emission_targets_commitment_id_commitments")),
    ]


def _outputs() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("quantity", ExactDecimal(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("CAST(quantity AS NUMERIC) > 0", name=op.f("ck_period_outputs_quantity_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_outputs")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_period_outputs_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["period_id"], ["application_periods.id"],
                                name=op.f("fk_period_outputs_period_id_application_periods")),
        sa.UniqueConstraint("period_id", name=op.f("uq_period_outputs_period_id")),
    ]


#: How SQLAlchemy writes the id column of an AUTOINCREMENT table on SQLite: the key moves onto
#: the column and loses its name.
_UNNAMED_AUTOINCREMENT_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"


def _create(name: str, items: list[sa.SchemaItem]) -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_table(name, *items)
        return
    # The audit log names both by id, so SQLite must never hand a deleted row's id on
    # (AUTOINCREMENT, as 0014 does), the key keeping its conventional name.
    metadata = sa.MetaData()
    for referred in ("organisations", "commitments", "application_periods"):
        sa.Table(referred, metadata, sa.Column("id", sa.Integer(), primary_key=True))
    table = sa.Table(name, metadata, *items, sqlite_autoincrement=True)
    create = str(CreateTable(table).compile(dialect=op.get_context().dialect))
    op.execute(create.replace(_UNNAMED_AUTOINCREMENT_KEY,
                              f"id INTEGER NOT NULL CONSTRAINT pk_{name} PRIMARY KEY AUTOINCREMENT"))


def upgrade() -> None:
    _create("emission_targets", _targets())
    op.create_index(op.f("ix_emission_targets_organisation_id"), "emission_targets", ["organisation_id"])
    op.create_index(op.f("ix_emission_targets_commitment_id"), "emission_targets", ["commitment_id"])
    _create("period_outputs", _outputs())
    op.create_index(op.f("ix_period_outputs_organisation_id"), "period_outputs", ["organisation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_period_outputs_organisation_id"), table_name="period_outputs")
    op.drop_table("period_outputs")
    op.drop_index(op.f("ix_emission_targets_commitment_id"), table_name="emission_targets")
    op.drop_index(op.f("ix_emission_targets_organisation_id"), table_name="emission_targets")
    op.drop_table("emission_targets")
