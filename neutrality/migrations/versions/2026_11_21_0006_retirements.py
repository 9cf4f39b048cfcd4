"""Retirement ledger: retirements (append-only) and the retired ranges that guard every unit.

- ``retirements``: triggers refuse UPDATE and DELETE on both backends (a mistake is reversed
  by a compensating entry).
- ``retired_ranges``: on PostgreSQL an exclusion constraint forbids two rows sharing a unit of
  one issuance, whoever retired them (btree_gist, installed by 0001). SQLite serialises writers
  (BEGIN IMMEDIATE) and the service probes the same index.

Revision ID: 0006_retirements
Revises: 0005_audit_chain
Create Date: 2026-11-21 21:05:13.820363
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from neutrality.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0006_retirements"
down_revision: str | Sequence[str] | None = "0005_audit_chain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=10), nullable=False),
        sa.Column("issuance_key", sa.String(length=200), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=6), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=True),
        sa.Column("beneficiary_organisation_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_text", sa.String(length=500), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=False),
        sa.Column("registry_reference", sa.String(length=200), nullable=False),
        sa.Column("registry_link", sa.String(length=500), nullable=False),
        sa.Column("evidence_filename", sa.String(length=300), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=False),
        sa.Column("evidence", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.CheckConstraint(
            "(kind = 'retirement' AND reverses_id IS NULL) OR (kind = 'reversal' AND reverses_id IS NOT NULL)",
            name=op.f("ck_retirements_reversal_names_its_entry"),
        ),
        sa.CheckConstraint(
            "kind = 'retirement' OR kind = 'reversal'", name=op.f("ck_retirements_kind_known")
        ),
        sa.CheckConstraint(
            "unit = 'tCO2e' OR unit = 'MWh'", name=op.f("ck_retirements_unit_known")
        ),
        sa.CheckConstraint(
            "quantity = serial_end - serial_start + 1",
            name=op.f("ck_retirements_quantity_is_range"),
        ),
        sa.CheckConstraint(
            "serial_start >= 0 AND serial_end >= serial_start",
            name=op.f("ck_retirements_range_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_retirements_beneficiary_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["block_id"], ["serial_blocks.id"], name=op.f("fk_retirements_block_id_serial_blocks")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_retirements_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["application_periods.id"],
            name=op.f("fk_retirements_period_id_application_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["retirements.id"], name=op.f("fk_retirements_reverses_id_retirements")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_retirements_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retirements")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_retirements_reverses_id")),
    )
    with op.batch_alter_table("retirements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retirements_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index("ix_retirements_period", ["period_id", "kind"], unique=False)

    op.create_table(
        "retired_ranges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retirement_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=10), nullable=False),
        sa.Column("issuance_key", sa.String(length=200), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "serial_end >= serial_start", name=op.f("ck_retired_ranges_range_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["retirement_id"],
            ["retirements.id"],
            name=op.f("fk_retired_ranges_retirement_id_retirements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retired_ranges")),
        sa.UniqueConstraint("retirement_id", name=op.f("uq_retired_ranges_retirement_id")),
    )
    with op.batch_alter_table("retired_ranges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_retired_ranges_issuance_start",
            ["scheme", "issuance_key", "serial_start"],
            unique=False,
        )

    _ledger_triggers(create=True)
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE retired_ranges ADD CONSTRAINT ex_retired_ranges_no_overlap "
            "EXCLUDE USING gist (scheme WITH =, issuance_key WITH =, "
            "int8range(serial_start, serial_end, '[]') WITH &&)"
        )


def downgrade() -> None:
    _ledger_triggers(create=False)
    with op.batch_alter_table("retired_ranges", schema=None) as batch_op:
        batch_op.drop_index("ix_retired_ranges_issuance_start")

    op.drop_table("retired_ranges")
    with op.batch_alter_table("retirements", schema=None) as batch_op:
        batch_op.drop_index("ix_retirements_period")
        batch_op.drop_index(batch_op.f("ix_retirements_organisation_id"))

    op.drop_table("retirements")


APPEND_ONLY_MESSAGE = "retirements is append-only"


def _ledger_triggers(*, create: bool) -> None:
    # As for audit_entries (0001): the ledger is only ever appended to; SQLSTATE 23000 on
    # PostgreSQL so both backends surface it as an IntegrityError.
    postgresql = op.get_context().dialect.name == "postgresql"
    if postgresql and create:
        op.execute(
            f"""
            CREATE FUNCTION retirements_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER retirements_append_only BEFORE UPDATE OR DELETE ON retirements "
            "FOR EACH ROW EXECUTE FUNCTION retirements_append_only()"
        )
    elif postgresql:
        op.execute("DROP TRIGGER retirements_append_only ON retirements")
        op.execute("DROP FUNCTION retirements_append_only()")
    else:
        for event in ("update", "delete"):
            if create:
                op.execute(
                    f"CREATE TRIGGER retirements_no_{event} BEFORE {event.upper()} ON retirements "
                    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
                )
            else:
                op.execute(f"DROP TRIGGER retirements_no_{event}")
