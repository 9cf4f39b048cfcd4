"""Tables of the instrument registry: projects and devices, serial blocks, purchases, imports.

Every row belongs to one organisation: registry data is public, but what an organisation
records about it (its projects' labels, its accounts, its prices) is its own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
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
from neutrality.registry.model import (
    BlockStatus,
    ContestOutcome,
    ContestStatus,
    InstrumentKind,
    MitigationType,
)

#: Blocks that still count as ours: the ones that must never overlap.
HELD_BY_US = text("status <> 'transferred_out' AND status <> 'void'")
#: Blocks holding their units without dispute (model.CLAIMS): no two share a unit, whoever holds
#: them.
CLAIMED = text("status = 'held' OR status = 'reserved' OR status = 'retired'")
#: Blocks in an open contest (few: they wait for a site administrator).
CONTESTED = text("status = 'contested'")


class InstrumentProject(Base):
    """A crediting project or an EAC production device, with what the rule checks need."""

    __tablename__ = "instrument_projects"
    __table_args__ = (
        UniqueConstraint("organisation_id", "source_registry", "registry_project_id"),
        CheckConstraint(enum_values_check("kind", InstrumentKind), name="kind_known"),
        CheckConstraint(enum_values_check("mitigation", MitigationType), name="mitigation_known"),
        CheckConstraint(
            "crediting_period_end IS NULL OR crediting_period_start IS NULL "
            "OR crediting_period_end >= crediting_period_start",
            name="crediting_period_ordered",
        ),
        CheckConstraint("capacity_mw IS NULL OR capacity_mw > 0", name="capacity_positive"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: "verra", "gold_standard", "gec", "irec", "ccer", … (who numbers the project)
    source_registry: Mapped[str] = mapped_column(String(40))
    registry_project_id: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(500))
    proponent: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100), default="")  # host region / province
    methodology: Mapped[str] = mapped_column(String(200), default="")
    project_type: Mapped[str] = mapped_column(String(300), default="")
    mitigation: Mapped[str] = mapped_column(String(20), default=MitigationType.UNKNOWN.value)
    crediting_period_start: Mapped[dt.date | None] = mapped_column(Date)
    crediting_period_end: Mapped[dt.date | None] = mapped_column(Date)
    #: Quality labels and attributes: ccp, corsia, ccb, article6_authorised,
    #: corresponding_adjustment… (name → true/false or text)
    labels: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # EAC production devices
    technology: Mapped[str] = mapped_column(String(60), default="")
    capacity_mw: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    commissioning_date: Mapped[dt.date | None] = mapped_column(Date)
    repowering_date: Mapped[dt.date | None] = mapped_column(Date)
    grid_region: Mapped[str | None] = mapped_column(String(20))
    subsidised: Mapped[bool | None] = mapped_column(Boolean)  # feed-in tariff or other subsidy
    gec_tradable: Mapped[bool | None] = mapped_column(Boolean)
    gec_project_code: Mapped[str | None] = mapped_column(String(17))  # 建档立卡编码
    extra: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))


class RegistryImport(Base):
    """A registry export or statement imported, identified by its SHA-256 (a re-import is a no-op)."""

    __tablename__ = "registry_imports"
    __table_args__ = (UniqueConstraint("organisation_id", "sha256"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str] = mapped_column(String(20))
    block_count: Mapped[int] = mapped_column(Integer)
    project_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))


class Purchase(Base):
    """A purchase of credits or certificates, with its invoice; the blocks it delivered point
    back at it."""

    __tablename__ = "purchases"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="price_not_negative"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(10))
    supplier: Mapped[str] = mapped_column(String(300))
    contract_reference: Mapped[str] = mapped_column(String(200))
    contract_date: Mapped[dt.date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    delivery_account: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    invoice_filename: Mapped[str] = mapped_column(String(300))
    invoice_sha256: Mapped[str] = mapped_column(String(64))
    #: Loaded only when asked for (:func:`neutrality.registry.purchases.invoice_of`): a listing of
    #: purchases must not carry their files.
    invoice: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))


class SerialBlock(Base):
    """Units ``serial_start..serial_end`` of one issuance, held in one account.

    Blocks an organisation still holds (every status but transferred out and void) never share
    a unit: the service checks it from the index below (one probe: held blocks do not overlap,
    so the only candidate is the last one starting at or before the new block's end), with the
    organisation's writers serialised (:func:`neutrality.registry.held_blocks.lock_holdings`).
    Across organisations, blocks held, reserved or retired never share a unit either: a block
    entered on units another organisation holds so is stored contested
    (:mod:`neutrality.registry.contests`).
    """

    __tablename__ = "serial_blocks"
    __table_args__ = (
        # (the scheme is checked by the service against schemes.csv: a new scheme is data, not
        # a migration)
        CheckConstraint(enum_values_check("status", BlockStatus, bulk=True), name="status_known"),
        CheckConstraint("serial_start >= 0 AND serial_end >= serial_start", name="range_ordered"),
        CheckConstraint("quantity = serial_end - serial_start + 1", name="quantity_is_range"),
        CheckConstraint(
            "vintage_end IS NULL OR vintage_start IS NULL OR vintage_end >= vintage_start",
            name="vintage_ordered",
        ),
        Index(
            "ix_serial_blocks_issuance_start",
            "organisation_id", "scheme", "issuance_key", "serial_start",
            postgresql_where=HELD_BY_US, sqlite_where=HELD_BY_US,
        ),
        Index("ix_serial_blocks_project", "organisation_id", "project_id"),
        # the retirement planner's lots: grouped from the index alone, each read by id
        # (neutrality.registry.held_lots)
        Index("ix_serial_blocks_lots", "organisation_id", "status", "scheme", "project_id", "vintage_start",
              "vintage_end", "purchase_id", "id", "quantity"),
        # across organisations: who else holds these units (one probe, as claims never overlap),
        # and which open contests touch them
        Index(
            "ix_serial_blocks_claims", "scheme", "issuance_key", "serial_start",
            postgresql_where=CLAIMED, sqlite_where=CLAIMED,
        ),
        Index(
            "ix_serial_blocks_contested", "scheme", "issuance_key", "serial_start",
            postgresql_where=CONTESTED, sqlite_where=CONTESTED,
        ),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    scheme: Mapped[str] = mapped_column(String(10))
    project_id: Mapped[int] = mapped_column(ForeignKey("instrument_projects.id"))
    issuance_key: Mapped[str] = mapped_column(String(200))
    serial_start: Mapped[int] = mapped_column(BigInteger)
    serial_end: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    vintage_start: Mapped[dt.date | None] = mapped_column(Date)
    vintage_end: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(200), default="")
    #: The serial exactly as the registry wrote it (for a block split here: the original's).
    raw_serial: Mapped[str] = mapped_column(String(300))
    #: Decoded parts of the serial (issuance no., production month, …) and registry fields.
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    #: The block this one was split from.
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("serial_blocks.id"))
    purchase_id: Mapped[int | None] = mapped_column(ForeignKey("purchases.id"), index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("registry_imports.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))


class BlockReservation(Base):
    """Units set aside for one application period by a retirement plan (the block's status is
    "reserved"), until they are retired for it or released. Other periods' plans leave them
    alone and a retirement for another period is refused; the ledger, not this, is what
    guarantees no double counting."""

    __tablename__ = "block_reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("serial_blocks.id"), unique=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("application_periods.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))


class Retirement(Base):
    """One entry of the retirement ledger: units of a block retired for a subject and period,
    or the reversal of such an entry. Append-only (triggers refuse UPDATE and DELETE): a
    mistaken retirement is reversed by a compensating entry with a reason, never edited."""

    __tablename__ = "retirements"
    __table_args__ = (
        CheckConstraint("kind = 'retirement' OR kind = 'reversal'", name="kind_known"),
        CheckConstraint(
            "(kind = 'retirement' AND reverses_id IS NULL) OR (kind = 'reversal' AND reverses_id IS NOT NULL)",
            name="reversal_names_its_entry",
        ),
        CheckConstraint("serial_start >= 0 AND serial_end >= serial_start", name="range_ordered"),
        CheckConstraint("quantity = serial_end - serial_start + 1", name="quantity_is_range"),
        CheckConstraint("unit = 'tCO2e' OR unit = 'MWh'", name="unit_known"),
        # a retirement is reversed at most once
        UniqueConstraint("reverses_id"),
        Index("ix_retirements_period", "period_id", "kind"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("application_periods.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    kind: Mapped[str] = mapped_column(String(12))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("retirements.id"))
    block_id: Mapped[int] = mapped_column(ForeignKey("serial_blocks.id"))
    scheme: Mapped[str] = mapped_column(String(10))
    issuance_key: Mapped[str] = mapped_column(String(200))
    serial_start: Mapped[int] = mapped_column(BigInteger)
    serial_end: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(6))
    #: For EACs: the market (country) whose electricity they cover.
    market: Mapped[str | None] = mapped_column(String(2))
    #: The claiming entity, structured; the registry's own wording beside it.
    beneficiary_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    beneficiary_text: Mapped[str] = mapped_column(String(500))
    purpose: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    #: The date on the registry's evidence, not the day it was recorded here.
    retired_on: Mapped[dt.date] = mapped_column(Date)
    registry_reference: Mapped[str] = mapped_column(String(200))
    registry_link: Mapped[str] = mapped_column(String(500), default="")
    evidence_filename: Mapped[str] = mapped_column(String(300))
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    #: Loaded only when asked for (:func:`neutrality.registry.retirements.evidence_of`): a
    #: certificate is ~200 KiB and a ledger listing must not carry them.
    evidence: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: The registry export the retirement was read from (its row is the evidence), if any.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("registry_imports.id"))
    #: The block's status before this retirement: "held" or "reserved", or "retired" for units
    #: the registry had already retired (imported from the organisation's account export). A
    #: reversal makes the units held again, unless this says "retired" or the retirement was
    #: read from a registry export (``import_id``): the registry shows those units retired.
    block_status_before: Mapped[str] = mapped_column(String(20), server_default=text("'held'"))
    #: why it was recorded although a blocking rule of the claim refuses it ("" when none does);
    #: the balance under the claim does not count it
    exclusion_reason: Mapped[str] = mapped_column(Text, server_default=text("''"), default="")
    #: the blocking findings when it was recorded (None when none)
    findings: Mapped[list[Any] | None] = mapped_column(JSONDocument)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))


class RetiredRange(Base):
    """The units that stand retired, by anyone: the guard against retiring a unit twice.

    One row per retirement in force; a reversal deletes its row in the same transaction as the
    reversal's ledger entry (the ledger keeps the history). PostgreSQL enforces that no two
    rows share a unit with an exclusion constraint (migration 0006); SQLite's writers are
    serialised and the service checks the same from the index below.
    """

    __tablename__ = "retired_ranges"
    __table_args__ = (
        CheckConstraint("serial_end >= serial_start", name="range_ordered"),
        Index("ix_retired_ranges_issuance_start", "scheme", "issuance_key", "serial_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retirement_id: Mapped[int] = mapped_column(ForeignKey("retirements.id"), unique=True)
    scheme: Mapped[str] = mapped_column(String(10))
    issuance_key: Mapped[str] = mapped_column(String(200))
    serial_start: Mapped[int] = mapped_column(BigInteger)
    serial_end: Mapped[int] = mapped_column(BigInteger)


class SerialContest(Base):
    """A block entered on units another organisation held, reserved or retired (the block's
    status is "contested"), until a site administrator decides who keeps the units, with a
    reason and the evidence. Every side's units stay unretired meanwhile.

    The row names only the claimant's side (its audit entries are the claimant's to read): the
    holders are the other organisations' blocks on the units, read when a site administrator
    looks, and the blocks a resolution voided are in the audit log of their own organisation.
    """

    __tablename__ = "serial_contests"
    __table_args__ = (
        CheckConstraint(enum_values_check("status", ContestStatus), name="status_known"),
        CheckConstraint(
            "outcome IS NULL OR " + enum_values_check("outcome", ContestOutcome),
            name="outcome_known",
        ),
        CheckConstraint(
            "claimed_status = 'held' OR claimed_status = 'retired'", name="claimed_status_known"
        ),
        CheckConstraint(
            "(status = 'open' AND outcome IS NULL AND resolved_at IS NULL) OR (status = 'resolved' "
            "AND outcome IS NOT NULL AND resolved_at IS NOT NULL AND evidence_sha256 IS NOT NULL)",
            name="resolution_complete",
        ),
        Index("ix_serial_contests_status", "status", "id"),
        IDS_NEVER_REUSED,  # the audit log names contests by id
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The claimant: the organisation whose block is contested.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("serial_blocks.id"), unique=True)
    #: What the block would have been without the contest ("held", or "retired" for a row a
    #: registry export shows retired), and becomes if the claimant keeps the units.
    claimed_status: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(254))
    outcome: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    evidence_filename: Mapped[str | None] = mapped_column(String(300))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Loaded only when asked for (:func:`neutrality.registry.contests.evidence_of`).
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(254))
