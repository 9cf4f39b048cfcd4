"""Tables for reduction targets and the output of periods (for intensity targets)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from neutrality.db import IDS_NEVER_REUSED, Base, ExactDecimal, UTCDateTime, enum_values_check
from neutrality.reductions.targets import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Scope2Basis,
    Target,
    TargetKind,
    TargetTerm,
)


class EmissionTarget(Base):
    """A reduction target of an organisation, or of one of its commitments.

    The same invariants as :class:`neutrality.reductions.targets.Target`, so a bug in Python
    still cannot store a target year before its base year or an intensity without its output.
    """

    __tablename__ = "emission_targets"
    # ExactDecimal is text on SQLite: the checks compare its numbers as numbers (CAST), not as text
    __table_args__ = (
        CheckConstraint(enum_values_check("kind", TargetKind), name="kind_known"),
        CheckConstraint(enum_values_check("scope2_basis", Scope2Basis) + " OR scope2_basis IS NULL",
                        name="scope2_basis_known"),
        CheckConstraint("scopes IN ('1', '2', '3', '1+2', '1+3', '2+3', '1+2+3')", name="scopes_known"),
        CheckConstraint(f"base_year BETWEEN {EARLIEST_YEAR} AND {LATEST_YEAR}", name="base_year_range"),
        CheckConstraint(f"target_year BETWEEN {EARLIEST_YEAR} AND {LATEST_YEAR}", name="target_year_range"),
        CheckConstraint("target_year > base_year", name="target_after_base"),
        CheckConstraint("CAST(base_value AS NUMERIC) >= 0", name="base_value_not_negative"),
        CheckConstraint("CAST(reduction_percent AS NUMERIC) BETWEEN 0 AND 100", name="reduction_percent_range"),
        # Scope 2 is counted one way or the other, and only when covered
        CheckConstraint("(scopes IN ('2', '1+2', '2+3', '1+2+3')) = (scope2_basis IS NOT NULL)", name="scope2_basis_with_scope2"),
        # an intensity is per unit of output: seed 000 §3.3
        CheckConstraint("(kind = 'intensity' AND output_unit IS NOT NULL AND CAST(base_output AS NUMERIC) > 0) OR "
                        "(kind = 'absolute' AND output_unit IS NULL AND base_output IS NULL)",
                        name="output_with_intensity"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: None: the organisation's periods of every commitment
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    scopes: Mapped[str] = mapped_column(String(10))  # "1", "1+2", "1+2+3"…
    scope2_basis: Mapped[str | None] = mapped_column(String(20))
    base_year: Mapped[int] = mapped_column(Integer)
    base_value: Mapped[Decimal] = mapped_column(ExactDecimal)  # tCO2e, or tCO2e per output_unit
    target_year: Mapped[int] = mapped_column(Integer)
    reduction_percent: Mapped[Decimal] = mapped_column(ExactDecimal)
    output_unit: Mapped[str | None] = mapped_column(String(20))
    base_output: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    #: What the rules of a standard read beside the trajectory (SBTi): the horizon, the day the
    #: target was set (submitted for validation), and the share of its scopes' emissions it
    #: covers. The service checks them; added to a table already deployed, without a rebuild.
    term: Mapped[str] = mapped_column(String(10), server_default=TargetTerm.NEAR_TERM.value)
    set_on: Mapped[dt.date | None] = mapped_column(Date)
    coverage_percent: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    @property
    def scope_list(self) -> list[int]:
        return [int(s) for s in self.scopes.split("+")]

    def value(self) -> Target:
        return Target(kind=TargetKind(self.kind), scopes=frozenset(self.scope_list), base_year=self.base_year,
                      base_value=self.base_value, target_year=self.target_year,
                      reduction_percent=self.reduction_percent,
                      scope2_basis=Scope2Basis(self.scope2_basis) if self.scope2_basis else None,
                      output_unit=self.output_unit, base_output=self.base_output)


class PeriodOutput(Base):
    """The output of an application period (MWh of modules, pieces, revenue…): intensity's divisor."""

    __tablename__ = "period_outputs"
    __table_args__ = (
        CheckConstraint("CAST(quantity AS NUMERIC) > 0", name="quantity_positive"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("application_periods.id"), unique=True)
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal)
    unit: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
