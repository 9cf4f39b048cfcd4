"""Tables for commitments (the carbon (neutrality) management plan) and application periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from neutrality.commitments.model import ApplicationPeriod as PeriodValue
from neutrality.commitments.model import PeriodPlan, PeriodSpan, PeriodStatus, Standard
from neutrality.db import (
    IDS_NEVER_REUSED,
    Base,
    ExactDecimal,
    JSONDocument,
    UTCDateTime,
    enum_values_check,
)


class Commitment(Base):
    """A commitment to carbon neutrality for one subject, with its management plan.

    PAS 2060 §7 carbon management plan / ISO 14068-1 carbon neutrality management plan; seed 003
    §9.1 lists the same five elements for a zero-carbon factory.
    """

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint(enum_values_check("standard", Standard), name="standard_known"),
        CheckConstraint("first_qualification_date > baseline_date", name="qualification_after_baseline"),
        CheckConstraint("period_length_months BETWEEN 1 AND 60", name="period_length_range"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    standard: Mapped[str] = mapped_column(String(30))
    #: The claim is also a 零碳工厂 declaration under the zero-carbon factory guidance.
    zero_carbon_factory: Mapped[bool] = mapped_column(Boolean, default=False)
    statement: Mapped[str] = mapped_column(Text)
    baseline_date: Mapped[dt.date] = mapped_column(Date)
    first_qualification_date: Mapped[dt.date] = mapped_column(Date)
    period_length_months: Mapped[int] = mapped_column(Integer)
    first_period_includes_historic_reductions: Mapped[bool] = mapped_column(Boolean, default=False)
    neutrality_deadline: Mapped[dt.date | None] = mapped_column(Date)  # 碳中和期限
    commitment_until: Mapped[dt.date | None] = mapped_column(Date)  # 未来承诺期限
    planned_measures: Mapped[list[Any]] = mapped_column(JSONDocument)
    offset_strategy: Mapped[str] = mapped_column(Text)
    estimated_offset_tco2e: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    intended_credit_types: Mapped[list[Any]] = mapped_column(JSONDocument)
    #: further frameworks its claims are judged by (rule-set keys: sbti-near-term, re100…)
    frameworks: Mapped[list[Any] | None] = mapped_column(JSONDocument, default=list)  # None read as []
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    reduction_targets: Mapped[list[ReductionTarget]] = relationship(
        back_populates="commitment", order_by="ReductionTarget.id", cascade="all, delete-orphan"
    )
    periods: Mapped[list[ApplicationPeriodRow]] = relationship(
        back_populates="commitment", order_by="ApplicationPeriodRow.sequence"
    )

    def plan(self) -> PeriodPlan:
        return PeriodPlan(
            self.baseline_date,
            self.first_qualification_date,
            self.period_length_months,
            self.first_period_includes_historic_reductions,
        )


class ReductionTarget(Base):
    __tablename__ = "reduction_targets"
    __table_args__ = (
        CheckConstraint("target_year > base_year", name="target_after_base"),
        CheckConstraint("kind IN ('absolute', 'intensity')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    scopes: Mapped[str] = mapped_column(String(40))  # e.g. "1+2", "3"
    kind: Mapped[str] = mapped_column(String(20))
    base_year: Mapped[int] = mapped_column(Integer)
    target_year: Mapped[int] = mapped_column(Integer)
    reduction_percent: Mapped[Decimal] = mapped_column(ExactDecimal)
    description: Mapped[str] = mapped_column(Text, default="")

    commitment: Mapped[Commitment] = relationship(back_populates="reduction_targets")


class ApplicationPeriodRow(Base):
    """One application period. On PostgreSQL an exclusion constraint also forbids overlaps."""

    __tablename__ = "application_periods"
    __table_args__ = (
        UniqueConstraint("commitment_id", "sequence"),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint(enum_values_check("status", PeriodStatus), name="status_known"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30))
    includes_historic_reductions: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    commitment: Mapped[Commitment] = relationship(back_populates="periods")

    def value(self) -> PeriodValue:
        return PeriodValue(
            self.sequence,
            PeriodSpan(self.start_date, self.end_date),
            PeriodStatus(self.status),
            self.includes_historic_reductions,
        )
