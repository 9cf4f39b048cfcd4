"""Tables of the register of reduction measures: the measures, each organisation's ranking
weights and the evidence files of a measure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from neutrality.db import (
    IDS_NEVER_REUSED,
    Base,
    ExactDecimal,
    JSONDocument,
    UTCDateTime,
    enum_values_check,
)
from neutrality.reductions.measures import Horizon, MeasureCategory, MeasureStatus
from neutrality.reductions.ranking import Criterion


def _score_check(criterion: Criterion) -> CheckConstraint:
    # seed 000 §3.4: each criterion is scored 1 to 5 (or not yet)
    name = f"{criterion.value}_score"
    return CheckConstraint(f"{name} IS NULL OR ({name} >= 1 AND {name} <= 5)", name=f"{name}_1_to_5")


class MeasureRow(Base):
    """One reduction measure of an organisation (a site's, or the whole organisation's)."""

    __tablename__ = "reduction_measures"
    __table_args__ = (
        CheckConstraint(enum_values_check("status", MeasureStatus), name="status_known"),
        CheckConstraint(enum_values_check("category", MeasureCategory), name="category_known"),
        CheckConstraint(enum_values_check("horizon", Horizon), name="horizon_known"),
        CheckConstraint("scope IN (1, 2, 3)", name="scope_known"),
        CheckConstraint("cost_amount IS NULL OR cost_amount >= 0", name="cost_not_negative"),
        CheckConstraint("(cost_amount IS NULL) = (cost_currency IS NULL)", name="cost_has_currency"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                        name="ends_after_start"),
        CheckConstraint("status <> 'done' OR end_date IS NOT NULL", name="done_has_end"),
        *(_score_check(criterion) for criterion in Criterion),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    title_en: Mapped[str] = mapped_column(String(200), default="")
    title_zh_hans: Mapped[str] = mapped_column(String(200), default="")
    title_zh_hant: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    horizon: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    cost_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    cost_currency: Mapped[str | None] = mapped_column(String(3))
    feasibility_score: Mapped[int | None] = mapped_column(Integer)
    impact_score: Mapped[int | None] = mapped_column(Integer)
    cost_benefit_score: Mapped[int | None] = mapped_column(Integer)
    stakeholder_expectations_score: Mapped[int | None] = mapped_column(Integer)
    compliance_score: Mapped[int | None] = mapped_column(Integer)
    innovation_score: Mapped[int | None] = mapped_column(Integer)
    #: What the measure changes, as :func:`neutrality.reductions.changes.change_data` writes it.
    change: Mapped[dict[str, str] | None] = mapped_column(JSONDocument)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MeasureWeightsRow(Base):
    """The weights an organisation ranks its measures by (none stored: equal weights)."""

    __tablename__ = "measure_weights"
    __table_args__ = (
        *(CheckConstraint(f"{c.value} >= 0", name=f"{c.value}_not_negative") for c in Criterion),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    feasibility: Mapped[Decimal] = mapped_column(ExactDecimal)
    impact: Mapped[Decimal] = mapped_column(ExactDecimal)
    cost_benefit: Mapped[Decimal] = mapped_column(ExactDecimal)
    stakeholder_expectations: Mapped[Decimal] = mapped_column(ExactDecimal)
    compliance: Mapped[Decimal] = mapped_column(ExactDecimal)
    innovation: Mapped[Decimal] = mapped_column(ExactDecimal)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(254))


class MeasureEvidence(Base):
    """A file that shows a measure's change or its completion (an invoice, a meter reading),
    kept as a verification statement is: its bytes, name and SHA-256."""

    __tablename__ = "measure_evidence"
    __table_args__ = (
        UniqueConstraint("measure_id", "sha256"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("reduction_measures.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    #: Loaded only when downloaded.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(254))
