"""Tables for organisations, consolidation approach history, sites and claim subjects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from neutrality.db import (
    IDS_NEVER_REUSED,
    Base,
    ExactDecimal,
    JSONDocument,
    UTCDateTime,
    enum_values_check,
)
from neutrality.organisations.model import ConsolidationApproach, NatureOfEnterprise, SubjectKind


class Organisation(Base):
    """A tenant: the company that makes claims. Carries what a 零碳工厂声明 states (seed 003 §9.2)."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(enum_values_check("nature_of_enterprise", NatureOfEnterprise), name="nature_known"),
        CheckConstraint(enum_values_check("consolidation_approach", ConsolidationApproach), name="approach_known"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    legal_name: Mapped[str] = mapped_column(String(300))
    english_name: Mapped[str | None] = mapped_column(String(300))
    #: other names registries record it under (a retirement's beneficiary must name it)
    aliases: Mapped[list[Any] | None] = mapped_column(JSONDocument, default=list)  # None read as []
    unified_social_credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    nature_of_enterprise: Mapped[str] = mapped_column(String(40))
    legal_representative: Mapped[str] = mapped_column(String(200))
    registered_address: Mapped[str] = mapped_column(String(500))
    production_address: Mapped[str] = mapped_column(String(500))
    industry_category: Mapped[str] = mapped_column(String(200))
    industry_code: Mapped[str | None] = mapped_column(String(20))  # GB/T 4754, e.g. C3825
    contact_person: Mapped[str] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    country: Mapped[str] = mapped_column(String(2))
    # Exactly one approach at a time; its history lives in consolidation_approach_changes.
    consolidation_approach: Mapped[str] = mapped_column(String(30))
    consolidation_justification: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    sites: Mapped[list[Site]] = relationship(back_populates="organisation", order_by="Site.id")


class ConsolidationApproachChange(Base):
    """Each approach an organisation has used, from when, and why it changed.

    A change of approach is a structural change that forces a base-year recalculation, so the
    date and reason are kept for the inventory engine to act on.
    """

    __tablename__ = "consolidation_approach_changes"
    __table_args__ = (
        CheckConstraint(enum_values_check("approach", ConsolidationApproach), name="approach_known"),
        # Named by hand: the conventional name would exceed PostgreSQL's 63 characters.
        UniqueConstraint(
            "organisation_id", "effective_from", name="uq_consolidation_approach_changes_org_effective_from"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    approach: Mapped[str] = mapped_column(String(30))
    justification: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(254))


class Site(Base):
    """A factory or other facility. Country, region and grid region decide factors and markets."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("organisation_id", "name"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(10))  # ISO 3166-2, e.g. CN-JS
    grid_region: Mapped[str | None] = mapped_column(String(40))  # e.g. CN-EAST
    address: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="sites")


class Subject(Base):
    """What a carbon-neutrality claim is about: one site, or the organisation over chosen sites."""

    __tablename__ = "subjects"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name"),
        CheckConstraint(enum_values_check("kind", SubjectKind), name="kind_known"),
        CheckConstraint(
            "(kind = 'site' AND site_id IS NOT NULL) OR (kind = 'organisation' AND site_id IS NULL)",
            name="site_matches_kind",
        ),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    included_sites: Mapped[list[Site]] = relationship(secondary="subject_sites", order_by="Site.id")
    exclusions: Mapped[list[SubjectExclusion]] = relationship(
        back_populates="subject", order_by="SubjectExclusion.id"
    )


class SubjectSite(Base):
    __tablename__ = "subject_sites"

    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)


class SubjectExclusion(Base):
    """Something left out of a subject's boundary, why, and roughly how much it weighs."""

    __tablename__ = "subject_exclusions"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    item: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    #: Estimated share of the subject's total emissions, in percent.
    estimated_share_percent: Mapped[Decimal] = mapped_column(ExactDecimal)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    subject: Mapped[Subject] = relationship(back_populates="exclusions")
