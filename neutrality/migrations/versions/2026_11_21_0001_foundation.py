"""Foundation: access, audit, organisations and claims tables.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-21 00:00:00

Besides the tables of the models, this revision adds what the models cannot express:

* PostgreSQL: an exclusion constraint so two application periods of one commitment never overlap
  (needs the ``btree_gist`` extension for the ``=`` on an integer inside a GiST index).
* Both backends: triggers that make ``audit_entries`` append-only.

Constraint names are written out (``op.f``) exactly as the naming convention in
``neutrality.db`` produces them, so later migrations can drop them by name on either backend.
PostgreSQL truncates names over 63 characters; SQLAlchemy applies the same deterministic
truncation (name prefix + hash) to ``op.f`` names as to the models' names, so they still match.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from neutrality.db import ExactDecimal, UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0001_foundation"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_MESSAGE = "audit_entries is append-only"

_APPROACHES = "'operational_control', 'financial_control', 'equity_share'"


def _dialect() -> str:
    # From the migration context rather than op.get_bind(), so offline (--sql) mode works too.
    name = op.get_context().dialect.name
    if name not in ("postgresql", "sqlite"):
        # The triggers and the exclusion constraint below are written per backend; refuse rather
        # than build a schema without its append-only and no-overlap guarantees.
        raise NotImplementedError(f"migrations support PostgreSQL and SQLite, not {name}")
    return name


def upgrade() -> None:
    dialect = _dialect()

    # --- organisations -------------------------------------------------------------------------
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_name", sa.String(length=300), nullable=False),
        sa.Column("english_name", sa.String(length=300), nullable=True),
        sa.Column("unified_social_credit_code", sa.String(length=18), nullable=True),
        sa.Column("nature_of_enterprise", sa.String(length=40), nullable=False),
        sa.Column("legal_representative", sa.String(length=200), nullable=False),
        sa.Column("registered_address", sa.String(length=500), nullable=False),
        sa.Column("production_address", sa.String(length=500), nullable=False),
        sa.Column("industry_category", sa.String(length=200), nullable=False),
        sa.Column("industry_code", sa.String(length=20), nullable=True),
        sa.Column("contact_person", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("consolidation_approach", sa.String(length=30), nullable=False),
        sa.Column("consolidation_justification", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.CheckConstraint(
            "nature_of_enterprise IN ('state_owned', 'collective', 'private', "
            "'foreign_invested', 'joint_venture', 'hk_macao_taiwan_invested', 'listed', 'other')",
            name=op.f("ck_organisations_nature_known"),
        ),
        sa.CheckConstraint(
            f"consolidation_approach IN ({_APPROACHES})",
            name=op.f("ck_organisations_approach_known"),
        ),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
        sa.UniqueConstraint(
            "unified_social_credit_code",
            name=op.f("uq_organisations_unified_social_credit_code"),
        ),
    )

    # --- access --------------------------------------------------------------------------------
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "user_id", "organisation_id", name=op.f("uq_memberships_user_id_organisation_id")
        ),
        sa.CheckConstraint(
            "role IN ('lead', 'procurement', 'verifier', 'viewer')",
            name=op.f("ck_memberships_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_user_id"],
            ["users.id"],
            name=op.f("fk_memberships_granted_by_user_id_users"),
        ),
    )
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"], unique=False)
    op.create_index(
        op.f("ix_memberships_organisation_id"), "memberships", ["organisation_id"], unique=False
    )

    # --- audit ---------------------------------------------------------------------------------
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("entity_type", sa.String(length=80), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_audit_entries_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_entries_organisation_id_organisations"),
        ),
    )
    op.create_index(
        op.f("ix_audit_entries_organisation_id"),
        "audit_entries",
        ["organisation_id"],
        unique=False,
    )
    _create_audit_append_only_triggers(dialect)

    # --- organisations: approach history, sites, subjects --------------------------------------
    op.create_table(
        "consolidation_approach_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("approach", sa.String(length=30), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consolidation_approach_changes")),
        sa.CheckConstraint(
            f"approach IN ({_APPROACHES})",
            name=op.f("ck_consolidation_approach_changes_approach_known"),
        ),
        # Named by hand: the conventional name would exceed PostgreSQL's 63 characters.
        sa.UniqueConstraint(
            "organisation_id",
            "effective_from",
            name=op.f("uq_consolidation_approach_changes_org_effective_from"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consolidation_approach_changes_organisation_id_organisations"),
        ),
    )
    op.create_index(
        op.f("ix_consolidation_approach_changes_organisation_id"),
        "consolidation_approach_changes",
        ["organisation_id"],
        unique=False,
    )

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("grid_region", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_sites_organisation_id_name")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_sites_organisation_id_organisations"),
        ),
    )
    op.create_index(op.f("ix_sites_organisation_id"), "sites", ["organisation_id"], unique=False)

    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
        sa.UniqueConstraint(
            "organisation_id", "name", name=op.f("uq_subjects_organisation_id_name")
        ),
        sa.CheckConstraint("kind IN ('site', 'organisation')", name=op.f("ck_subjects_kind_known")),
        sa.CheckConstraint(
            "(kind = 'site' AND site_id IS NOT NULL) OR (kind = 'organisation' AND site_id IS NULL)",
            name=op.f("ck_subjects_site_matches_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_subjects_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_subjects_site_id_sites")),
    )
    op.create_index(
        op.f("ix_subjects_organisation_id"), "subjects", ["organisation_id"], unique=False
    )

    op.create_table(
        "subject_sites",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject_id", "site_id", name=op.f("pk_subject_sites")),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_sites_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_subject_sites_site_id_sites")
        ),
    )

    op.create_table(
        "subject_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("estimated_share_percent", ExactDecimal(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_exclusions")),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_subject_exclusions_subject_id_subjects"),
        ),
    )
    op.create_index(
        op.f("ix_subject_exclusions_subject_id"),
        "subject_exclusions",
        ["subject_id"],
        unique=False,
    )

    # --- claims --------------------------------------------------------------------------------
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("standard", sa.String(length=30), nullable=False),
        sa.Column("zero_carbon_factory", sa.Boolean(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("first_qualification_date", sa.Date(), nullable=False),
        sa.Column("period_length_months", sa.Integer(), nullable=False),
        sa.Column("first_period_includes_historic_reductions", sa.Boolean(), nullable=False),
        sa.Column("neutrality_deadline", sa.Date(), nullable=True),
        sa.Column("commitment_until", sa.Date(), nullable=True),
        sa.Column("planned_measures", sa.JSON(), nullable=False),
        sa.Column("offset_strategy", sa.Text(), nullable=False),
        sa.Column("estimated_offset_tco2e", ExactDecimal(), nullable=True),
        sa.Column("intended_credit_types", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
        sa.CheckConstraint(
            "standard IN ('iso_14068_1_2023', 'pas_2060_2014')",
            name=op.f("ck_commitments_standard_known"),
        ),
        sa.CheckConstraint(
            "first_qualification_date > baseline_date",
            name=op.f("ck_commitments_qualification_after_baseline"),
        ),
        sa.CheckConstraint(
            "period_length_months BETWEEN 1 AND 60",
            name=op.f("ck_commitments_period_length_range"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_commitments_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_commitments_subject_id_subjects")
        ),
    )
    op.create_index(
        op.f("ix_commitments_organisation_id"), "commitments", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_commitments_subject_id"), "commitments", ["subject_id"], unique=False)

    op.create_table(
        "reduction_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("base_year", sa.Integer(), nullable=False),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("reduction_percent", ExactDecimal(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reduction_targets")),
        sa.CheckConstraint(
            "target_year > base_year", name=op.f("ck_reduction_targets_target_after_base")
        ),
        sa.CheckConstraint(
            "kind IN ('absolute', 'intensity')", name=op.f("ck_reduction_targets_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_reduction_targets_commitment_id_commitments"),
        ),
    )
    op.create_index(
        op.f("ix_reduction_targets_commitment_id"),
        "reduction_targets",
        ["commitment_id"],
        unique=False,
    )

    op.create_table(
        "application_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("includes_historic_reductions", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_periods")),
        sa.UniqueConstraint(
            "commitment_id", "sequence", name=op.f("uq_application_periods_commitment_id_sequence")
        ),
        sa.CheckConstraint(
            "end_date >= start_date", name=op.f("ck_application_periods_ends_after_start")
        ),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_application_periods_sequence_positive")),
        sa.CheckConstraint(
            "status IN ('open', 'inventory_verified', 'covered', 'declared')",
            name=op.f("ck_application_periods_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_application_periods_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_application_periods_commitment_id_commitments"),
        ),
    )
    op.create_index(
        op.f("ix_application_periods_organisation_id"),
        "application_periods",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_application_periods_commitment_id"),
        "application_periods",
        ["commitment_id"],
        unique=False,
    )
    if dialect == "postgresql":
        # GiST cannot index "integer =" without btree_gist. IF NOT EXISTS: the extension is
        # database-wide and may already be installed (by a DBA or another schema).
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        # Closed ranges ('[]'), as PeriodSpan's start and end are both inclusive: a period ending
        # on 31 March and one starting on 31 March share a day and overlap, exactly as
        # PeriodSpan.overlaps says.
        op.execute(
            "ALTER TABLE application_periods ADD CONSTRAINT ex_application_periods_no_overlap "
            "EXCLUDE USING gist "
            "(commitment_id WITH =, daterange(start_date, end_date, '[]') WITH &&)"
        )


def downgrade() -> None:
    dialect = _dialect()

    # Reverse dependency order: children before the tables their foreign keys point at.
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE application_periods DROP CONSTRAINT ex_application_periods_no_overlap"
        )
        # btree_gist stays installed on purpose: CREATE EXTENSION IF NOT EXISTS may have found it
        # already there (installed by a DBA, or used by another schema in the same database), and
        # this revision cannot tell; dropping it could break objects it does not own. Leaving it
        # costs nothing, and re-running upgrade is unaffected thanks to IF NOT EXISTS.
    op.drop_index(op.f("ix_application_periods_commitment_id"), table_name="application_periods")
    op.drop_index(op.f("ix_application_periods_organisation_id"), table_name="application_periods")
    op.drop_table("application_periods")

    op.drop_index(op.f("ix_reduction_targets_commitment_id"), table_name="reduction_targets")
    op.drop_table("reduction_targets")

    op.drop_index(op.f("ix_commitments_subject_id"), table_name="commitments")
    op.drop_index(op.f("ix_commitments_organisation_id"), table_name="commitments")
    op.drop_table("commitments")

    op.drop_index(op.f("ix_subject_exclusions_subject_id"), table_name="subject_exclusions")
    op.drop_table("subject_exclusions")

    op.drop_table("subject_sites")

    op.drop_index(op.f("ix_subjects_organisation_id"), table_name="subjects")
    op.drop_table("subjects")

    op.drop_index(op.f("ix_sites_organisation_id"), table_name="sites")
    op.drop_table("sites")

    op.drop_index(
        op.f("ix_consolidation_approach_changes_organisation_id"),
        table_name="consolidation_approach_changes",
    )
    op.drop_table("consolidation_approach_changes")

    _drop_audit_append_only_triggers(dialect)
    op.drop_index(op.f("ix_audit_entries_organisation_id"), table_name="audit_entries")
    op.drop_table("audit_entries")

    op.drop_index(op.f("ix_memberships_organisation_id"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_user_id"), table_name="memberships")
    op.drop_table("memberships")

    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")

    op.drop_table("users")
    op.drop_table("organisations")


# --- audit_entries is append-only --------------------------------------------------------------
#
# The application only ever inserts audit rows; the triggers make the database refuse the rest,
# so neither a bug nor a hand-written UPDATE can rewrite history. On PostgreSQL the error is
# raised with SQLSTATE 23000 (integrity_constraint_violation) so that both backends surface it as
# an IntegrityError (SQLite's RAISE(ABORT) is a constraint error). TRUNCATE and DROP TABLE are not
# row operations and are not covered: they are schema-owner actions, not application ones.


def _create_audit_append_only_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_entries_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_entries_append_only "
            "BEFORE UPDATE OR DELETE ON audit_entries "
            "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"
        )
    else:
        for event in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER audit_entries_no_{event} BEFORE {event.upper()} ON audit_entries "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _drop_audit_append_only_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_entries_no_{event}")
