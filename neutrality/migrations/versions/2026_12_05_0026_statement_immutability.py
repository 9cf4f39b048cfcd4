"""Issued statements are immutable in the database itself: triggers refuse any change to what a
version states (its snapshot and hashes, its kind and number, who issued it and when) and to its
PDFs, and refuse deleting either. Only the stamps set after issuing may be written, each once, in
the update that sets it: the publication (``published_at`` with ``published_by``), the
supersession (``superseded_by_id``) and the withdrawal (``withdrawn_at`` with ``withdrawn_by`` and
``withdrawal_reason``), from NULL to a value, never back nor to another value.

As for the audit log (0001) and the ledger (0006): on PostgreSQL the error carries SQLSTATE 23000
(integrity_constraint_violation), so both backends surface it as an IntegrityError. TRUNCATE and
DROP TABLE are schema-owner actions, not row operations, and are not covered. No data change.

Revision ID: 0026_statement_immutability
Revises: 0025_statement_versions
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0026_statement_immutability"
down_revision: str | None = "0025_statement_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_MESSAGE = "an issued statement version never changes"
DOCUMENT_MESSAGE = "the documents of an issued statement never change"

#: What a version states when it is issued: never written again. Written out (not read from the
#: model) so that this revision always makes the same triggers.
ISSUED_COLUMNS = ("id", "organisation_id", "period_id", "kind", "version", "declaration", "snapshot",
                  "snapshot_sha256", "content_sha256", "issued_at", "issued_by", "changes")
#: The stamps set after issuing, by the column whose setting (from NULL) is the event; the others
#: of a group are written in that same update only.
STAMPS = {
    "published_at": ("published_at", "published_by"),
    "superseded_by_id": ("superseded_by_id",),
    "withdrawn_at": ("withdrawn_at", "withdrawn_by", "withdrawal_reason"),
}


def _changed(column: str, postgresql: bool) -> str:
    if postgresql:
        # json has no equality operator: its jsonb form is compared
        cast = "::jsonb" if column == "snapshot" else ""
        return f"OLD.{column}{cast} IS DISTINCT FROM NEW.{column}{cast}"
    return f"OLD.{column} IS NOT NEW.{column}"


def _forbidden_change(postgresql: bool) -> str:
    """The condition of an update that rewrites a version: a column of the issue changed, or a
    stamp's column changed other than in the update that sets the stamp from NULL."""
    issued = [_changed(c, postgresql) for c in ISSUED_COLUMNS]
    stamps = [
        f"(({' OR '.join(_changed(c, postgresql) for c in columns)}) "
        f"AND NOT (OLD.{key} IS NULL AND NEW.{key} IS NOT NULL))"
        for key, columns in STAMPS.items()
    ]
    return " OR ".join(issued + stamps)


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION statement_versions_immutable() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    RAISE EXCEPTION '{VERSION_MESSAGE}'
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                IF {_forbidden_change(postgresql=True)} THEN
                    RAISE EXCEPTION '{VERSION_MESSAGE}'
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER statement_versions_immutable BEFORE UPDATE OR DELETE ON statement_versions "
            "FOR EACH ROW EXECUTE FUNCTION statement_versions_immutable()"
        )
        op.execute(
            f"""
            CREATE FUNCTION statement_documents_immutable() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{DOCUMENT_MESSAGE}'
                    USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER statement_documents_immutable BEFORE UPDATE OR DELETE ON statement_documents "
            "FOR EACH ROW EXECUTE FUNCTION statement_documents_immutable()"
        )
        return
    op.execute(
        "CREATE TRIGGER statement_versions_no_update BEFORE UPDATE ON statement_versions "
        f"WHEN {_forbidden_change(postgresql=False)} "
        f"BEGIN SELECT RAISE(ABORT, '{VERSION_MESSAGE}'); END"
    )
    op.execute(
        "CREATE TRIGGER statement_versions_no_delete BEFORE DELETE ON statement_versions "
        f"BEGIN SELECT RAISE(ABORT, '{VERSION_MESSAGE}'); END"
    )
    for event in ("update", "delete"):
        op.execute(
            f"CREATE TRIGGER statement_documents_no_{event} BEFORE {event.upper()} ON statement_documents "
            f"BEGIN SELECT RAISE(ABORT, '{DOCUMENT_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER statement_documents_immutable ON statement_documents")
        op.execute("DROP FUNCTION statement_documents_immutable()")
        op.execute("DROP TRIGGER statement_versions_immutable ON statement_versions")
        op.execute("DROP FUNCTION statement_versions_immutable()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER statement_documents_no_{event}")
    op.execute("DROP TRIGGER statement_versions_no_delete")
    op.execute("DROP TRIGGER statement_versions_no_update")
