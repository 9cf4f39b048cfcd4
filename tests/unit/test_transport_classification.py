"""Scope and category of transport and storage legs (seed 002 D2; GHG Protocol Scope 3
Technical Guidance, Category 4 description and Table 4.1).

The expectations follow seed 002 §3.1 (five-leg export from Taiwan to a French retailer) and
§3.2 (own truck against a third-party carrier), with the seed's scenario 2 split by payer as
its §7 issue 1 asks.
"""

from __future__ import annotations

import pytest

from neutrality.errors import InvalidInput
from neutrality.inventory.model import IsoCategory, Scope, Scope1Subtype
from neutrality.inventory.transport import (
    Control,
    Energy,
    Exclusion,
    Goods,
    Leg,
    LegKind,
    Payer,
    classify_leg,
)

T, S = LegKind.TRANSPORT, LegKind.STORAGE


def third_party(goods: Goods, payer: Payer | None, kind: LegKind = T, **extra) -> Leg:
    return Leg(kind, Control.THIRD_PARTY, goods, payer, **extra)


# --- seed 002 five-leg export example -----------------------------------------------------------


def test_leg1_inland_haulage_to_the_port_paid_by_the_reporter_is_category_4():
    # D2 L14: 「台灣至港口的陸運(企業支付)…屬於 Scope 3, Category 4」.
    c = classify_leg(third_party(Goods.SOLD, Payer.REPORTER, description="Taiwan factory → Keelung port"))
    assert (c.scope, c.scope3_category, c.rule) == (Scope.SCOPE_3, 4, "reporter-pays")
    assert "purchased service" in c.reason
    assert c.iso_category is IsoCategory.TRANSPORTATION


@pytest.mark.parametrize(
    ("leg", "payer"),
    [
        ("2: ocean freight to France", Payer.CUSTOMER),
        ("3: French port → retailer", Payer.CUSTOMER),
        ("5: retailer → consumer (last mile)", Payer.OTHER),
    ],
)
def test_customer_paid_legs_2_3_and_5_are_category_9(leg, payer):
    # D2 L15, L16, L18, L19: customer-paid, still calculated, in Category 9.
    c = classify_leg(third_party(Goods.SOLD, payer, description=leg))
    assert (c.scope, c.scope3_category, c.rule) == (Scope.SCOPE_3, 9, "sold-not-paid")
    assert c.iso_category is IsoCategory.TRANSPORTATION
    assert "stays in its inventory" in c.reason


def test_leg4_storage_in_france_without_a_payer_is_refused_not_dropped():
    # D2 L17 assigns no category; the payer decides (Cat 4 if the reporter buys the storage).
    with pytest.raises(InvalidInput, match="who pays") as caught:
        classify_leg(third_party(Goods.SOLD, None, S, description="warehouse in France"))
    assert "payer" in caught.value.details


@pytest.mark.parametrize(("payer", "category"), [(Payer.REPORTER, 4), (Payer.CUSTOMER, 9)])
def test_leg4_storage_follows_the_payer_once_known(payer, category):
    # GHG Protocol: Cat 9 includes "retail and storage"; a storage service the reporter buys is Cat 4.
    assert classify_leg(third_party(Goods.SOLD, payer, S)).scope3_category == category


@pytest.mark.parametrize("payer", [Payer.CUSTOMER, Payer.OTHER, Payer.REPORTER])
def test_excluding_a_leg_because_the_customer_paid_is_refused(payer):
    # D2 L3, L8: the belief that customer-paid freight can be excluded is 「不正確的」.
    with pytest.raises(InvalidInput, match="never excluded because the customer paid"):
        classify_leg(third_party(Goods.SOLD, payer, exclusion=Exclusion.CUSTOMER_PAID))


# --- seed 002 own truck vs third-party carrier --------------------------------------------------


def test_own_diesel_truck_is_scope_1_mobile_combustion():
    # D2 L42: the company's own truck is a direct mobile-combustion source.
    c = classify_leg(Leg(T, Control.OWNED, Goods.SOLD, energy=Energy.FUEL))
    assert (c.scope, c.scope3_category, c.scope1_subtype) == (Scope.SCOPE_1, None, Scope1Subtype.MOBILE_COMBUSTION)
    assert c.iso_category is IsoCategory.DIRECT


def test_own_truck_is_scope_1_whoever_pays_for_the_goods():
    for payer in Payer:
        assert classify_leg(Leg(T, Control.OWNED, Goods.SOLD, payer, Energy.FUEL)).scope is Scope.SCOPE_1


def test_third_party_carrier_paid_by_the_reporter_is_category_4():
    # Scenario 2a (seed 002 §3.2, derived from the Technical Guidance): commissioned and paid.
    assert classify_leg(third_party(Goods.SOLD, Payer.REPORTER)).scope3_category == 4


def test_third_party_carrier_paid_by_the_customer_is_category_9():
    # Scenario 2b, and D2 L43: not controlled, caused by the sale.
    assert classify_leg(third_party(Goods.SOLD, Payer.CUSTOMER)).scope3_category == 9


def test_an_owned_vehicle_without_its_energy_is_refused():
    with pytest.raises(InvalidInput, match="fuel or uses purchased electricity"):
        classify_leg(Leg(T, Control.OWNED, Goods.SOLD))


# --- the other rows of the procedure ----------------------------------------------------------


def test_owned_electric_vehicles_and_owned_warehouses_on_grid_power_are_scope_2():
    for kind in (T, S):
        c = classify_leg(Leg(kind, Control.OWNED, Goods.SOLD, energy=Energy.ELECTRICITY))
        assert (c.scope, c.iso_category) == (Scope.SCOPE_2, IsoCategory.IMPORTED_ENERGY)


def test_an_owned_warehouse_burning_fuel_is_stationary_combustion():
    c = classify_leg(Leg(S, Control.OWNED, Goods.SOLD, energy=Energy.FUEL))
    assert c.scope1_subtype is Scope1Subtype.STATIONARY_COMBUSTION


def test_leased_and_operated_vehicles_are_category_8():
    c = classify_leg(Leg(T, Control.LEASED, Goods.OWN, Payer.REPORTER))
    assert (c.scope, c.scope3_category) == (Scope.SCOPE_3, 8)
    assert c.iso_category is IsoCategory.PRODUCTS_USED_BY_ORGANISATION


@pytest.mark.parametrize("payer", [Payer.SUPPLIER, None])
def test_inbound_purchased_goods_from_a_tier1_supplier_are_category_4_even_when_the_supplier_pays(payer):
    c = classify_leg(third_party(Goods.PURCHASED, payer))
    assert (c.scope3_category, c.rule) == (4, "tier1-inbound")


def test_inbound_freight_the_reporter_pays_is_category_4():
    assert classify_leg(third_party(Goods.PURCHASED, Payer.REPORTER)).rule == "reporter-pays"


def test_transport_between_suppliers_is_part_of_purchased_goods():
    c = classify_leg(third_party(Goods.SUPPLIER_UPSTREAM, Payer.SUPPLIER))
    assert c.scope3_category == 1


def test_transport_between_suppliers_that_the_reporter_pays_is_category_4():
    assert classify_leg(third_party(Goods.SUPPLIER_UPSTREAM, Payer.REPORTER)).scope3_category == 4


def test_transport_between_suppliers_needs_a_payer():
    with pytest.raises(InvalidInput, match="who pays"):
        classify_leg(third_party(Goods.SUPPLIER_UPSTREAM, None))


def test_transfers_between_own_sites_by_a_carrier_the_company_pays_are_category_4():
    assert classify_leg(third_party(Goods.OWN, Payer.REPORTER)).scope3_category == 4


def test_transfers_between_own_sites_paid_by_someone_else_are_not_guessed():
    with pytest.raises(InvalidInput, match="check who pays"):
        classify_leg(third_party(Goods.OWN, Payer.CUSTOMER))
