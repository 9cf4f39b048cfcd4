"""The facts a rule is checked against: a period with its claim, and its retirements.

Pure: no database, no clock; plain values, built by the services from the database (or by a test by hand), so that
every check is a function of what it is given and nothing else. Figures are exact ``Decimal``s,
dates are dates; what is not known is ``None`` (a check then answers "not applicable" or fails,
as its rule says), never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: A verification's states (:attr:`PeriodFacts.verification_state`).
VERIFICATION_CLAIMED = "claimed"
VERIFICATION_CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Instrument:
    """A block of credits or certificates, as a rule sees it."""

    scheme: str  # VCU, GS_VER, CCER, CER, ACC, GEC, IREC
    kind: str  # "carbon_credit" (tCO2e) or "eac" (MWh)
    quantity: int
    serial: str  # the registry's serial (range) as written
    #: vintage of a credit; production period of a certificate (a GEC: its production month)
    vintage_start: dt.date | None
    vintage_end: dt.date | None
    registry: str = ""  # the registry that issued and holds it
    project_id: str = ""  # the registry's project id
    project_name: str = ""
    country: str | None = None  # host country of the project (ISO 3166 alpha-2)
    region: str = ""  # province or region of the project
    technology: str = ""  # wind_onshore, wind_offshore, solar_pv, csp, hydro, biomass…
    project_type: str = ""
    methodology: str = ""
    commissioning_date: dt.date | None = None
    repowering_date: dt.date | None = None
    subsidised: bool | None = None  # feed-in tariff or other production subsidy
    gec_project_code: str | None = None  # 建档立卡编码 of a Chinese renewable project
    #: quality labels of the project or issuance: ccp (ICVCM), corsia, corresponding_adjustment,
    #: article6_authorized… (True, False or absent when not known)
    labels: Mapping[str, Any] = field(default_factory=dict)
    block_id: int | None = None
    #: when the registry issued the units (a credit is issued only after its vintage ends)
    issued_on: dt.date | None = None

    def of_block(
        self, *, scheme: str, kind: str, quantity: int, serial: str, vintage_start: dt.date | None,
        vintage_end: dt.date | None, block_id: int | None,
    ) -> Instrument:
        """Another block of this instrument's project: its fields copied, the block's own given.
        Without ``__init__``: a period's 10,000 retirements of a few projects read in a quarter
        of the time."""
        block = object.__new__(Instrument)
        block.__dict__.update(
            self.__dict__, scheme=scheme, kind=kind, quantity=quantity, serial=serial,
            vintage_start=vintage_start, vintage_end=vintage_end, block_id=block_id,
        )
        return block


@dataclass(frozen=True)
class Retirement:
    """One retirement for the period (or a candidate: what retiring a held block would be)."""

    instrument: Instrument
    retired_on: dt.date
    beneficiary: str  # as the registry records it
    purpose: str = ""  # the retirement's stated purpose / reason in the registry
    market: str | None = None  # for a certificate: the market whose electricity it covers
    registry_reference: str = ""
    id: int | None = None  # None for a candidate
    #: how the electricity a certificate covers was procured: unbundled_eac, green_tariff,
    #: direct_procurement (a PPA), self_generation; "" when not recorded
    procurement: str = ""
    #: the day the procurement contract was signed, when known (RE100 grandfathers contracts
    #: signed before its 15-year limit applied)
    contract_signed_on: dt.date | None = None

    @property
    def subject(self) -> str:
        if self.id is not None:
            return f"retirement:{self.id}"
        return f"block:{self.instrument.block_id}"


@dataclass(frozen=True)
class Claimant:
    """The organisation a claim is made for, by every name a registry may record it under."""

    legal_name: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None


@dataclass(frozen=True)
class ReductionTarget:
    scopes: str  # "1+2", "3", "1+2+3"
    kind: str  # "absolute" or "intensity"
    base_year: int
    target_year: int
    reduction_percent: Decimal
    #: share of the scopes' emissions the target covers, when stated
    coverage_percent: Decimal | None = None
    set_on: dt.date | None = None  # when the target was set (submitted)
    #: the target's scopes' emissions in its base year, tCO2e (Scope 2 as the target counts it),
    #: from which its path to the target year is drawn
    base_year_emissions: Decimal | None = None
    #: "near_term" or "long_term" (a net-zero commitment's long-term target)
    term: str = "near_term"
    #: cumulative change to the base-year emissions from recalculation triggers (structural or
    #: boundary changes, method changes, errors found), percent of the base year, when assessed
    base_year_change_percent: Decimal | None = None
    base_year_recalculated: bool = False  # the base year (and the target) was recalculated for it


@dataclass(frozen=True)
class Emissions:
    """A period's inventory figures, tCO2e (Scope 2 both ways)."""

    scope1: Decimal
    scope2_location: Decimal
    scope2_market: Decimal
    scope3: Decimal
    #: an intensity denominator (units produced, revenue…) for intensity comparisons, if known
    output: Decimal | None = None

    @property
    def location_total(self) -> Decimal:
        return self.scope1 + self.scope2_location + self.scope3

    @property
    def market_total(self) -> Decimal:
        return self.scope1 + self.scope2_market + self.scope3


@dataclass(frozen=True)
class PeriodFacts:
    """An application period under a claim: everything the period's rules read."""

    period_id: int
    sequence: int  # 1 for the commitment's first period
    start: dt.date
    end: dt.date
    as_of: dt.date  # the day of the evaluation (deadlines "passed" are judged against it)
    claimant: Claimant
    subject_name: str
    standard: str  # the claim's standard: iso_14068_1_2023, pas_2060_2014
    zero_carbon_factory: bool = False
    intended_credit_types: tuple[str, ...] = ()
    #: the markets (countries) of the subject's sites, where its electricity is consumed
    markets: tuple[str, ...] = ()
    declaration_date: dt.date | None = None
    inventory_verified: bool = False
    #: third-party verification of the inventory: body, accreditation, assurance level, opinion
    verification: Mapping[str, str] = field(default_factory=dict)
    #: the verification's state: "confirmed" once the appointed verifier gave its opinion on it,
    #: "claimed" while only the organisation recorded it; None without a verification
    verification_state: str | None = None
    emissions: Emissions | None = None  # None without an inventory
    #: the earlier periods' figures, oldest first (reductions after the first period)
    earlier: tuple[Emissions, ...] = ()
    residual_tco2e: Decimal | None = None
    credits_retired_tco2e: Decimal = Decimal(0)
    #: purchased grid electricity, and what certificates cover, MWh by market
    electricity_mwh_by_market: Mapping[str, Decimal] = field(default_factory=dict)
    eac_mwh_by_market: Mapping[str, Decimal] = field(default_factory=dict)
    #: estimated share of emissions left out of the boundary (exclusions), percent
    excluded_share_percent: Decimal = Decimal(0)
    targets: tuple[ReductionTarget, ...] = ()
    #: retirements counted for the period (those judged by retirement rules are passed apart)
    retirements: Sequence[Retirement] = ()
    #: the company's SBTi category under the Corporate Net-Zero Standard 2.0 ("A" or "B"), if known
    sbti_category: str | None = None
    #: instruments the organisation holds and has not retired (a GEC held for the generation a
    #: retired CCER also stands for is a double count all the same)
    holdings: Sequence[Instrument] = ()
