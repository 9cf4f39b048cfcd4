"""Tables of the verifier's workspace: review comments with their messages, and opinions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from neutrality.db import IDS_NEVER_REUSED, Base, UTCDateTime, enum_values_check
from neutrality.inventory.status import AssuranceLevel
from neutrality.verification.model import Author, CommentStatus


class ReviewComment(Base):
    """A verifier's comment on a period's inventory, naming at most one record it is about (an
    activity record, a retirement or a rule finding), and the thread it starts."""

    __tablename__ = "review_comments"
    __table_args__ = (
        CheckConstraint(enum_values_check("status", CommentStatus), name="status_known"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_with_date"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("application_periods.id"), index=True)
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id"))
    #: What it is about, if one record: checked by the service against the period when opened
    activity_id: Mapped[int | None] = mapped_column(Integer)
    retirement_id: Mapped[int | None] = mapped_column(ForeignKey("retirements.id"))
    finding: Mapped[str | None] = mapped_column(String(40))  # a rule id of the period's findings
    status: Mapped[str] = mapped_column(String(10))
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    messages: Mapped[list[ReviewMessage]] = relationship(order_by="ReviewMessage.id", lazy="selectin")


class ReviewMessage(Base):
    """One message of a thread, never edited: the thread's history."""

    __tablename__ = "review_messages"
    __table_args__ = (
        CheckConstraint(enum_values_check("author_role", Author), name="author_role_known"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("review_comments.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_label: Mapped[str] = mapped_column(String(254))
    author_role: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class VerificationOpinion(Base):
    """The appointed verifier's opinion on a recorded verification, with its signed statement:
    what turns a verification from claimed into confirmed (``verifications.confirmed_at``)."""

    __tablename__ = "verification_opinions"
    __table_args__ = (
        CheckConstraint(enum_values_check("assurance_level", AssuranceLevel), name="assurance_known"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    verification_id: Mapped[int] = mapped_column(ForeignKey("verifications.id"), unique=True)
    assurance_level: Mapped[str] = mapped_column(String(20))
    conclusion: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    statement_filename: Mapped[str] = mapped_column(String(300))
    statement_sha256: Mapped[str] = mapped_column(String(64))
    #: Loaded only for the evidence pack.
    statement: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
