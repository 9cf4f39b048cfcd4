"""Tables of issued statements: each version with its frozen snapshot, and its PDFs per locale.

An issued version is never rewritten: only its publication, supersession and withdrawal stamps
are set later, each once (by :mod:`neutrality.statements.versions`, the only writer), and neither
a version nor a PDF is deleted. The database enforces it (triggers, migration 0026)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from neutrality.db import IDS_NEVER_REUSED, Base, JSONDocument, UTCDateTime, enum_values_check
from neutrality.statements.content import StatementKind


class StatementVersion(Base):
    """Version ``version`` (1, 2… per period and kind) of a period's statement, as issued."""

    __tablename__ = "statement_versions"
    __table_args__ = (
        UniqueConstraint("period_id", "kind", "version"),
        CheckConstraint(enum_values_check("kind", StatementKind), name="kind_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        # From version 2 the issuer says what changed; a withdrawal always says why
        CheckConstraint("version = 1 OR changes IS NOT NULL", name="changes_from_version_2"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawal_reason IS NULL)", name="withdrawn_with_reason"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("application_periods.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    declaration: Mapped[str] = mapped_column(String(20))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    #: The hash of the snapshot without its version, date and address: what "nothing changed" compares
    content_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changes: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    #: The version published after this one (which was the public declaration until then)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("statement_versions.id"))

    documents: Mapped[list[StatementDocument]] = relationship(order_by="StatementDocument.locale", lazy="selectin")


class StatementDocument(Base):
    """The PDF of a version in one locale, with its SHA-256 (checked again whenever it is read)."""

    __tablename__ = "statement_documents"
    __table_args__ = (
        UniqueConstraint("version_id", "locale"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("statement_versions.id"), index=True)
    locale: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    #: Loaded only when the PDF is asked for
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
