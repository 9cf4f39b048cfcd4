"""Every activity record belongs to a batch of its own inventory; faster record constraints.

- ``activity_imports`` becomes the table of record batches: a file (``kind = 'file'``, with its
  SHA-256) or records sent through the API (``kind = 'api'``, no file hash). A new inventory
  version copies its batches (``copied_from_id``).
- ``activity_records`` reaches its inventory through one composite foreign key
  ``(import_id, inventory_id) → activity_imports (id, inventory_id)`` instead of two keys; the
  records' enum CHECK constraints become OR chains (SQLite rebuilt a temporary table for every
  row it checked against an IN list).

Records without a batch get an API batch per inventory; records a new version copied keep
pointing at the batch of the version they came from, so each such batch is copied into the
new version first.

Revision ID: 0003_record_batches
Revises: 0002_inventory
Create Date: 2026-11-21 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_record_batches"
down_revision: str | Sequence[str] | None = "0002_inventory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW_CHECKS = {
    "scope_known": "scope BETWEEN 1 AND 3",
    "activity_type_known": "(activity_type = 'fuel' OR activity_type = 'electricity' OR "
    "activity_type = 'heat_steam' OR activity_type = 'refrigerant' OR activity_type = 'process' OR "
    "activity_type = 'material' OR activity_type = 'transport' OR activity_type = 'waste' OR "
    "activity_type = 'travel' OR activity_type = 'commuting' OR activity_type = 'spend' OR "
    "activity_type = 'other')",
    "data_quality_known": "(data_quality = 'metered' OR data_quality = 'invoiced' OR "
    "data_quality = 'supplier_specific' OR data_quality = 'industry_average' OR "
    "data_quality = 'estimated')",
    "method_known": "(method = 'activity_based' OR method = 'spend_based' OR "
    "method = 'supplier_specific')",
    "scope1_subtype_known": "scope1_subtype IS NULL OR (scope1_subtype = 'stationary_combustion' OR "
    "scope1_subtype = 'mobile_combustion' OR scope1_subtype = 'process' OR "
    "scope1_subtype = 'fugitive' OR scope1_subtype = 'land_use')",
}
_OLD_CHECKS = {
    "scope_known": "scope IN (1, 2, 3)",
    "activity_type_known": "activity_type IN ('fuel', 'electricity', 'heat_steam', 'refrigerant', "
    "'process', 'material', 'transport', 'waste', 'travel', 'commuting', 'spend', 'other')",
    "data_quality_known": "data_quality IN ('metered', 'invoiced', 'supplier_specific', "
    "'industry_average', 'estimated')",
    "method_known": "method IN ('activity_based', 'spend_based', 'supplier_specific')",
    "scope1_subtype_known": "scope1_subtype IS NULL OR scope1_subtype IN ('stationary_combustion', "
    "'mobile_combustion', 'process', 'fugitive', 'land_use')",
}

def upgrade() -> None:
    with op.batch_alter_table("activity_imports") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="file"))
        batch.add_column(sa.Column("copied_from_id", sa.Integer(), nullable=True))
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=True)
        batch.create_foreign_key(
            op.f("fk_activity_imports_copied_from_id_activity_imports"),
            "activity_imports", ["copied_from_id"], ["id"],
        )
        batch.create_unique_constraint(op.f("uq_activity_imports_id_inventory_id"), ["id", "inventory_id"])
        batch.create_check_constraint(
            op.f("ck_activity_imports_file_has_sha256"),
            "(kind = 'file' AND sha256 IS NOT NULL) OR (kind = 'api' AND sha256 IS NULL)",
        )
    _give_every_record_a_batch_of_its_inventory()
    with op.batch_alter_table("activity_imports") as batch:  # the default was for existing rows
        batch.alter_column("kind", existing_type=sa.String(10), server_default=None)
    with op.batch_alter_table("activity_records") as batch:
        batch.drop_constraint(op.f("fk_activity_records_inventory_id_inventories"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_activity_records_import_id_activity_imports"), type_="foreignkey")
        batch.alter_column("import_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_activity_records_batch"), "activity_imports",
            ["import_id", "inventory_id"], ["id", "inventory_id"],
        )
        for name, sql in _NEW_CHECKS.items():
            batch.drop_constraint(op.f(f"ck_activity_records_{name}"), type_="check")
            batch.create_check_constraint(op.f(f"ck_activity_records_{name}"), sql)


def _give_every_record_a_batch_of_its_inventory() -> None:
    # Plain SQL, set by set, so that it also renders offline (--sql) and runs on both backends.
    # 1. records a new version copied, still pointing at the earlier version's batch
    op.execute(
        "INSERT INTO activity_imports (inventory_id, kind, filename, sha256, encoding, row_count, "
        "copied_from_id, created_at, created_by) "
        "SELECT DISTINCT r.inventory_id, i.kind, i.filename, i.sha256, i.encoding, i.row_count, "
        "i.id, i.created_at, i.created_by "
        "FROM activity_records r JOIN activity_imports i ON i.id = r.import_id "
        "WHERE i.inventory_id <> r.inventory_id"
    )
    op.execute(
        "UPDATE activity_records SET import_id = (SELECT c.id FROM activity_imports c "
        "WHERE c.copied_from_id = activity_records.import_id "
        "AND c.inventory_id = activity_records.inventory_id) "
        "WHERE EXISTS (SELECT 1 FROM activity_imports i WHERE i.id = activity_records.import_id "
        "AND i.inventory_id <> activity_records.inventory_id)"
    )
    # 2. records sent through the API, which had no batch: one per inventory
    op.execute(
        "INSERT INTO activity_imports (inventory_id, kind, filename, sha256, encoding, row_count, "
        "created_at, created_by) "
        "SELECT inventory_id, 'api', '', NULL, '', count(*), CURRENT_TIMESTAMP, "
        "'migration 0003_record_batches' FROM activity_records WHERE import_id IS NULL "
        "GROUP BY inventory_id"
    )
    op.execute(
        "UPDATE activity_records SET import_id = (SELECT a.id FROM activity_imports a "
        "WHERE a.inventory_id = activity_records.inventory_id AND a.kind = 'api') "
        "WHERE import_id IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("activity_records") as batch:
        for name, sql in _OLD_CHECKS.items():
            batch.drop_constraint(op.f(f"ck_activity_records_{name}"), type_="check")
            batch.create_check_constraint(op.f(f"ck_activity_records_{name}"), sql)
        batch.drop_constraint(op.f("fk_activity_records_batch"), type_="foreignkey")
        batch.alter_column("import_id", existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(
            op.f("fk_activity_records_import_id_activity_imports"), "activity_imports", ["import_id"], ["id"]
        )
        batch.create_foreign_key(
            op.f("fk_activity_records_inventory_id_inventories"), "inventories", ["inventory_id"], ["id"]
        )
    # API batches did not exist before: their records go back to having none.
    op.execute(
        "UPDATE activity_records SET import_id = NULL "
        "WHERE import_id IN (SELECT id FROM activity_imports WHERE kind = 'api')"
    )
    op.execute("DELETE FROM activity_imports WHERE kind = 'api'")
    with op.batch_alter_table("activity_imports") as batch:
        batch.drop_constraint(op.f("ck_activity_imports_file_has_sha256"), type_="check")
        batch.drop_constraint(op.f("uq_activity_imports_id_inventory_id"), type_="unique")
        batch.drop_constraint(op.f("fk_activity_imports_copied_from_id_activity_imports"), type_="foreignkey")
        batch.drop_column("copied_from_id")
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=False)
        batch.drop_column("kind")
