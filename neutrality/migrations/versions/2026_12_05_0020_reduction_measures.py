"""The register of reduction measures: measures, each organisation's ranking weights and the
evidence files of a measure (issue 15, sections 1, 2 and 6).

Three new tables; nothing existing changes. The checks keep the vocabulary of
:mod:`neutrality.reductions.measures` (status, category, horizon), the six scores within 1 to 5
(seed 000 §3.4), costs and weights at 0 or more, in the database as well as in Python.

Revision ID: 0020_reduction_measures
Revises: 0019_user_locale_chosen
Create Date: 2026-12-05 05:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateTable

from neutrality.db import ExactDecimal, UTCDateTime

revision: str = "0020_reduction_measures"
down_revision: str | None = "0019_user_locale_chosen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _measures() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("title_zh_hans", sa.String(length=200), nullable=False),
        sa.Column("title_zh_hant", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("horizon", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("cost_amount", ExactDecimal(), nullable=True),
        sa.Column("cost_currency", sa.String(length=3), nullable=True),
        sa.Column("feasibility_score", sa.Integer(), nullable=True),
        sa.Column("impact_score", sa.Integer(), nullable=True),
        sa.Column("cost_benefit_score", sa.Integer(), nullable=True),
        sa.Column("stakeholder_expectations_score", sa.Integer(), nullable=True),
        sa.Column("compliance_score", sa.Integer(), nullable=True),
        sa.Column("innovation_score", sa.Integer(), nullable=True),
        sa.Column("change", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reduction_measures")),
        _fk("reduction_measures", "organisation_id", "organisations"),
        _fk("reduction_measures", "site_id", "sites"),
        sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'dropped')", name=op.f("ck_reduction_measures_status_known")),
        sa.CheckConstraint(
            "category IN ('clean_energy_share', 'protective_gas_leaks', 'refrigerant_choice', 'fire_extinguishers', 'buildings_energy', 'general_equipment', 'metering', 'lighting', 'on_site_renewables', 'energy_efficiency', 'energy_carbon_management', 'green_electricity', 'power_system_optimisation', 'buildings_construction', 'supplier_choice', 'materials_packaging', 'office_supplies', 'water', 'waste', 'logistics', 'eco_design')",
            name=op.f("ck_reduction_measures_category_known"),
        ),
        sa.CheckConstraint("horizon IN ('quick_win', 'medium', 'long_term')", name=op.f("ck_reduction_measures_horizon_known")),
        sa.CheckConstraint("scope IN (1, 2, 3)", name=op.f("ck_reduction_measures_scope_known")),
        sa.CheckConstraint("cost_amount IS NULL OR cost_amount >= 0",
                           name=op.f("ck_reduction_measures_cost_not_negative")),
        sa.CheckConstraint("(cost_amount IS NULL) = (cost_currency IS NULL)",
                           name=op.f("ck_reduction_measures_cost_has_currency")),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                           name=op.f("ck_reduction_measures_ends_after_start")),
        sa.CheckConstraint("status <> 'done' OR end_date IS NOT NULL",
                           name=op.f("ck_reduction_measures_done_has_end")),
        sa.CheckConstraint("feasibility_score IS NULL OR (feasibility_score >= 1 AND feasibility_score <= 5)",
                           name=op.f("ck_reduction_measures_feasibility_score_1_to_5")),
        sa.CheckConstraint("impact_score IS NULL OR (impact_score >= 1 AND impact_score <= 5)",
                           name=op.f("ck_reduction_measures_impact_score_1_to_5")),
        sa.CheckConstraint("cost_benefit_score IS NULL OR (cost_benefit_score >= 1 AND cost_benefit_score <= 5)",
                           name=op.f("ck_reduction_measures_cost_benefit_score_1_to_5")),
        sa.CheckConstraint("stakeholder_expectations_score IS NULL OR (stakeholder_expectations_score >= 1 AND stakeholder_expectations_score <= 5)",
                           name=op.f("ck_reduction_measures_stakeholder_expectations_score_1_to_5")),
        sa.CheckConstraint("compliance_score IS NULL OR (compliance_score >= 1 AND compliance_score <= 5)",
                           name=op.f("ck_reduction_measures_compliance_score_1_to_5")),
        sa.CheckConstraint("innovation_score IS NULL OR (innovation_score >= 1 AND innovation_score <= 5)",
                           name=op.f("ck_reduction_measures_innovation_score_1_to_5")),
    ]


def _weights() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("feasibility", ExactDecimal(), nullable=False),
        sa.Column("impact", ExactDecimal(), nullable=False),
        sa.Column("cost_benefit", ExactDecimal(), nullable=False),
        sa.Column("stakeholder_expectations", ExactDecimal(), nullable=False),
        sa.Column("compliance", ExactDecimal(), nullable=False),
        sa.Column("innovation", ExactDecimal(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_weights")),
        _fk("measure_weights", "organisation_id", "organisations"),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_measure_weights_organisation_id")),
        sa.CheckConstraint("feasibility >= 0", name=op.f("ck_measure_weights_feasibility_not_negative")),
        sa.CheckConstraint("impact >= 0", name=op.f("ck_measure_weights_impact_not_negative")),
        sa.CheckConstraint("cost_benefit >= 0", name=op.f("ck_measure_weights_cost_benefit_not_negative")),
        sa.CheckConstraint("stakeholder_expectations >= 0", name=op.f("ck_measure_weights_stakeholder_expectations_not_negative")),
        sa.CheckConstraint("compliance >= 0", name=op.f("ck_measure_weights_compliance_not_negative")),
        sa.CheckConstraint("innovation >= 0", name=op.f("ck_measure_weights_innovation_not_negative")),
    ]


def _evidence() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_evidence")),
        _fk("measure_evidence", "organisation_id", "organisations"),
        _fk("measure_evidence", "measure_id", "reduction_measures"),
        sa.UniqueConstraint("measure_id", "sha256", name=op.f("uq_measure_evidence_measure_id_sha256")),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_measure_evidence_size_not_negative")),
    ]


#: How SQLAlchemy writes the id column of an AUTOINCREMENT table on SQLite: the key moves onto
#: the column and loses its name.
_UNNAMED_AUTOINCREMENT_KEY = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"

_INDEXES = {
    "reduction_measures": ("organisation_id", "site_id"),
    "measure_evidence": ("organisation_id", "measure_id"),
}


def _create(name: str, items: list[sa.SchemaItem]) -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_table(name, *items)
    else:
        # The audit log names these rows by id, so SQLite must never hand a deleted one's id on
        # (AUTOINCREMENT, as 0014 does), the key keeping its conventional name.
        metadata = sa.MetaData()
        for referred in ("organisations", "sites", "reduction_measures"):
            if referred != name:
                sa.Table(referred, metadata, sa.Column("id", sa.Integer(), primary_key=True))
        table = sa.Table(name, metadata, *items, sqlite_autoincrement=True)
        create = str(CreateTable(table).compile(dialect=op.get_context().dialect))
        op.execute(create.replace(
            _UNNAMED_AUTOINCREMENT_KEY, f"id INTEGER NOT NULL CONSTRAINT pk_{name} PRIMARY KEY AUTOINCREMENT"))
    for column in _INDEXES.get(name, ()):
        op.create_index(op.f(f"ix_{name}_{column}"), name, [column])


def upgrade() -> None:
    _create("reduction_measures", _measures())
    _create("measure_weights", _weights())
    _create("measure_evidence", _evidence())


def downgrade() -> None:
    op.drop_table("measure_evidence")
    op.drop_table("measure_weights")
    op.drop_table("reduction_measures")
