"""The audit log table. Rows are only ever inserted; triggers refuse UPDATE and DELETE.

Entries form one hash chain in id order (:mod:`neutrality.audit.chain`); ``record()`` fills the
two hash columns when the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from neutrality.db import Base, JSONDocument, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        # Two entries chained onto the same predecessor would be a fork. The advisory lock in
        # record() prevents it; the constraint makes the database refuse it should anything
        # ever append without that lock.
        UniqueConstraint("previous_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    action: Mapped[str] = mapped_column(String(80))  # e.g. "site.update"
    entity_type: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    previous_hash: Mapped[str] = mapped_column(String(64))  # the entry before it; 64 zeros first
    entry_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of this entry, see chain.py
