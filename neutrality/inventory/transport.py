"""Which scope and category a transport or storage leg belongs to.

Pure: no Flask, no database.

Two questions decide it (seed 002 D2; GHG Protocol Scope 3 Technical Guidance, Category 4
description and Table 4.1): who controls the vehicle or facility (Scope 1/2 against Scope 3),
and, for a third party's service, who pays for it (Category 4 against Category 9). The checks
run in this order; the first that matches wins:

1. owned or controlled by the reporting company → Scope 1 (fuel) or Scope 2 (electricity);
2. leased and operated by it, outside its Scope 1/2 under its consolidation approach → Cat 8;
3. a third party's service bought by the reporting company — inbound, outbound or between its
   own sites — → Cat 4 ("upstream because they are a purchased service");
4. purchased goods delivered by a tier-1 supplier in vehicles the company does not own, even
   if the supplier paid → Cat 4; transport further upstream (tier 2 → tier 1) → Cat 1;
5. sold goods moved or stored in vehicles and facilities the company does not own, paid by
   someone else (customer, retailer…) → Cat 9, retail and storage included.

A customer paying never takes a leg out of the inventory (D2 L3, L8: 「這種觀點是不正確的」);
exclusions are decided per category, as immaterial or not applicable, with a disclosed reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from neutrality.errors import InvalidInput
from neutrality.inventory.model import IsoCategory, Scope, Scope1Subtype, default_iso_category
from neutrality.messages import Msg


class LegKind(StrEnum):
    TRANSPORT = "transport"
    STORAGE = "storage"  # warehouses, distribution centres, retail storage


class Control(StrEnum):
    OWNED = "owned"  # owned or controlled (operated) by the reporting company
    LEASED = "leased"  # leased and operated, not in Scope 1/2 under the consolidation approach
    THIRD_PARTY = "third_party"  # a carrier's or a warehouse operator's


class Payer(StrEnum):
    REPORTER = "reporter"  # the reporting company pays the freight invoice
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    OTHER = "other"  # a downstream party: distributor, retailer…


class Goods(StrEnum):
    PURCHASED = "purchased"  # bought goods, delivered by the tier-1 supplier to the company
    SUPPLIER_UPSTREAM = "supplier_upstream"  # moved between tier-2 and tier-1 suppliers
    SOLD = "sold"  # the company's sold products, on their way to the end consumer
    OWN = "own"  # the company's own goods between its own sites


class Direction(StrEnum):
    """Which way a transport leg moves goods, as a ledger says it (入厂/出厂): the goods it
    describes, for :class:`Goods`."""

    INBOUND = "inbound"  # purchased goods delivered to the company (by its tier-1 supplier)
    OUTBOUND = "outbound"  # sold goods on their way to the customer
    INTERNAL = "internal"  # the company's own goods between its own sites

    @property
    def goods(self) -> Goods:
        return {
            Direction.INBOUND: Goods.PURCHASED,
            Direction.OUTBOUND: Goods.SOLD,
            Direction.INTERNAL: Goods.OWN,
        }[self]


class Energy(StrEnum):
    FUEL = "fuel"
    ELECTRICITY = "electricity"


class Exclusion(StrEnum):
    """Why someone wants a leg left out; only the first is ever asked, and it is always refused."""

    CUSTOMER_PAID = "customer_paid"


@dataclass(frozen=True)
class Leg:
    """One transport or storage leg as the user describes it."""

    kind: LegKind
    control: Control
    goods: Goods
    payer: Payer | None = None  # None: not known (yet)
    energy: Energy | None = None  # for owned vehicles and facilities: what they run on
    description: str = ""
    exclusion: Exclusion | None = None


@dataclass(frozen=True)
class LegClassification:
    scope: Scope
    scope3_category: int | None
    iso_category: IsoCategory
    scope1_subtype: Scope1Subtype | None
    rule: str  # stable identifier of the rule that matched (for tests, filters and translation)
    reason: str  # English, for the audit trail


def _classification(scope: Scope, category: int | None, rule: str, reason: str,
                    subtype: Scope1Subtype | None = None) -> LegClassification:
    return LegClassification(scope, category, default_iso_category(scope, category), subtype, rule, reason)


def classify_leg(leg: Leg) -> LegClassification:
    """The scope and category of a leg, with the reason; :class:`InvalidInput` when it cannot be
    decided from what is given (never a guess) or when the leg is asked to be excluded."""
    if leg.exclusion is Exclusion.CUSTOMER_PAID:
        raise InvalidInput(
            Msg("a leg is never excluded because the customer paid for it: emissions caused by the "
                "company's sales belong in its inventory (Scope 3 category 9 when a third party moves "
                "or stores sold goods at someone else's expense)"),
            {"exclusion": ["customer payment does not exclude a leg"]},
        )
    what = Msg("storage") if leg.kind is LegKind.STORAGE else Msg("transport")
    vehicle = Msg("facility") if leg.kind is LegKind.STORAGE else Msg("vehicle")

    if leg.control is Control.OWNED:
        if leg.energy is None:
            raise InvalidInput(
                Msg("an owned or controlled {vehicle} is Scope 1 or Scope 2 depending on what it runs "
                    "on: say whether it burns fuel or uses purchased electricity", vehicle=vehicle),
                {"energy": ["required for owned or controlled vehicles and facilities"]},
            )
        if leg.energy is Energy.FUEL:
            subtype = (Scope1Subtype.STATIONARY_COMBUSTION if leg.kind is LegKind.STORAGE
                       else Scope1Subtype.MOBILE_COMBUSTION)
            return _classification(
                Scope.SCOPE_1, None, "owned-fuel",
                Msg("the company owns or controls the {vehicle}, so the fuel it burns is a direct "
                    "({subtype}) emission: Scope 1", vehicle=vehicle, subtype=subtype.value.replace("_", " ")),
                subtype,
            )
        return _classification(
            Scope.SCOPE_2, None, "owned-electricity",
            Msg("the company owns or controls the {vehicle} and buys the electricity it uses: Scope 2", vehicle=vehicle),
        )

    if leg.control is Control.LEASED:
        return _classification(
            Scope.SCOPE_3, 8, "leased-operated",
            Msg("the company leases and operates the {vehicle}, which its consolidation approach "
                "leaves outside Scopes 1 and 2: Scope 3 category 8 (upstream leased assets)", vehicle=vehicle),
        )

    if leg.payer is Payer.REPORTER:
        return _classification(
            Scope.SCOPE_3, 4, "reporter-pays",
            Msg("a third party's {what} service bought by the company is upstream because it is a "
                "purchased service, whichever way the goods go: Scope 3 category 4", what=what),
        )
    if leg.goods is Goods.PURCHASED:
        return _classification(
            Scope.SCOPE_3, 4, "tier1-inbound",
            Msg("{what} of purchased goods from a tier-1 supplier to the company in a {vehicle} it "
                "does not own is category 4 even when the supplier pays: Scope 3 category 4",
                what=what, vehicle=vehicle),
        )
    if leg.payer is None:
        raise InvalidInput(
            Msg("say who pays for this {what} of {goods} goods by a third party: the "
                "company (Scope 3 category 4) or someone else; the leg cannot be left out",
                what=what, goods=leg.goods.value),
            {"payer": ["required for a third party's service"]},
        )
    if leg.goods is Goods.SUPPLIER_UPSTREAM:
        return _classification(
            Scope.SCOPE_3, 1, "upstream-of-tier1",
            Msg("{what} between the company's suppliers (upstream of tier 1) belongs to the "
                "cradle-to-gate emissions of the purchased goods: Scope 3 category 1", what=what),
        )
    if leg.goods is Goods.SOLD:
        return _classification(
            Scope.SCOPE_3, 9, "sold-not-paid",
            Msg("{what} of sold products in a {vehicle} the company does not own or control, paid "
                "by the {payer}, is caused by its sales and stays in its inventory: "
                "Scope 3 category 9", what=what, vehicle=vehicle, payer=leg.payer.value),
        )
    raise InvalidInput(
        Msg("a third party's {what} of the company's own goods between its own sites paid by the "
            "{payer} does not fit the GHG Protocol categories; check who pays", what=what, payer=leg.payer.value),
        {"payer": [f"unexpected for {leg.goods.value} goods"]},
    )
