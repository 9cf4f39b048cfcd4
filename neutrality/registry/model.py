"""Instruments as values: schemes, parsed serial numbers, serial blocks and their statuses.

Carbon credits (1 tCO2e each) and energy attribute certificates (1 MWh each) are held as
**blocks**: a contiguous range ``start..end`` of serial numbers of one issuance. Two blocks can
only ever share units when they are of the same scheme and the same issuance (the
``issuance_key``: the serial's fields other than the range and, for Verra, the block id that
changes at every split); within it, units are numbered by integers, so overlaps, splits and
merges are integer-interval arithmetic (:mod:`neutrality.registry.blocks`).

Pure: no Flask, no database. The schemes themselves are data (``registry/data/schemes.csv``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from neutrality.errors import Conflict
from neutrality.messages import Msg


class InstrumentKind(StrEnum):
    CARBON_CREDIT = "carbon_credit"  # acts on residual tCO2e
    EAC = "eac"  # energy attribute certificate: acts on MWh of electricity, never an offset


#: The unit of one instrument of each kind (DOMAIN: 1 credit = 1 tCO2e, 1 EAC = 1 MWh).
KIND_UNITS = {InstrumentKind.CARBON_CREDIT: "tCO2e", InstrumentKind.EAC: "MWh"}


class MitigationType(StrEnum):
    """What a credit's tonne is: the quality rules treat removals and avoidance differently."""

    REMOVAL = "removal"
    AVOIDANCE = "avoidance"  # reduction or avoided emissions
    MIXED = "mixed"
    UNKNOWN = "unknown"


class BlockStatus(StrEnum):
    HELD = "held"
    RESERVED = "reserved"  # set aside by a retirement plan
    RETIRED = "retired"
    CANCELLED = "cancelled"  # cancelled in the registry, not for a claim (expired or voided GECs, transfers)
    TRANSFERRED_OUT = "transferred_out"  # left our accounts (sold, moved)
    #: entered while another organisation held the units (:data:`CLAIMS`): never retired,
    #: reserved or planned until a site administrator resolves the contest
    CONTESTED = "contested"
    #: lost a contest: a site administrator found that another organisation holds the units
    VOID = "void"


#: Statuses a user sets directly; "retired" comes only from a retirement (the ledger), "contested"
#: and "void" only from a contest.
SETTABLE_STATUSES = (BlockStatus.HELD, BlockStatus.RESERVED, BlockStatus.CANCELLED, BlockStatus.TRANSFERRED_OUT)

#: The statuses in which an organisation holds units without dispute. Across the whole
#: installation no two blocks in these statuses share a unit: a block entered on units another
#: organisation holds so is contested instead (a contest resolved leaves one side holding them).
CLAIMS = (BlockStatus.HELD, BlockStatus.RESERVED, BlockStatus.RETIRED)


class SerialsContested(Conflict):
    """Units in an open contest. The words are the same whoever holds the units elsewhere, and
    whether they hold or retired them, so that a lead learns nothing of another organisation
    (not even whether some serials are retired anywhere)."""

    code = "contested"

    _DOING = {"be retired": Msg("be retired"), "be reserved": Msg("be reserved"),
              "change status": Msg("change status")}

    def __init__(self, doing: str):
        super().__init__(
            Msg("these serials cannot {doing}: they are contested; a site administrator will review "
                "the evidence", doing=self._DOING.get(doing, doing)),
            {"block_id": ["contested"]},
        )


class ContestOutcome(StrEnum):
    """Who keeps the units of a contest, as a site administrator decided."""

    CLAIMANT = "claimant"  # the organisation whose block was contested; the holders' units void
    HOLDERS = "holders"  # the organisations that held them first; the contested block void


class ContestStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Scheme:
    """A crediting programme or certificate scheme, as shipped in ``schemes.csv``."""

    code: str  # "VCU", "GS_VER", "CCER", "CER", "ACC", "GEC", "IREC", "GO", "REC"
    name: str
    kind: InstrumentKind
    registry: str  # who keeps the serials ("Verra Registry", "GS Impact Registry", …)
    serial_format: str  # the parser that reads its serials: "verra", "gold_standard", "gec", "range"
    #: True while the serial format is inferred from public examples, not a published spec.
    unconfirmed: bool = False

    @property
    def unit(self) -> str:
        return KIND_UNITS[self.kind]


@dataclass(frozen=True)
class ParsedSerial:
    """A serial block as a registry writes it, decoded.

    ``issuance_key`` identifies the numbering the range belongs to: two blocks can overlap only
    when their scheme and issuance key are equal. ``fields`` keeps every decoded part of the
    serial under a stable name (e.g. ``block_id``, ``issuance``, ``sectoral_scope``,
    ``production_month``), for display and for the rule checks.
    """

    scheme: str
    raw: str
    issuance_key: str
    start: int
    end: int
    project_id: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    vintage_start: dt.date | None = None
    vintage_end: dt.date | None = None
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class Block:
    """Units ``start..end`` (both included) of one issuance of one scheme."""

    scheme: str
    issuance_key: str
    start: int
    end: int

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1
