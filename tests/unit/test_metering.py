"""Meter readings take precedence over invoices. Expectations by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from neutrality.inventory.metering import Reading, reconcile

D = Decimal
_ids = iter(range(1, 1_000_000))


def reading(start: str, end: str, quantity: str, unit: str = "MWh", **kw) -> Reading:
    fields = {"site_id": 1, "activity_type": "electricity", "factor_key": None, "gas": None, **kw}
    return Reading(record_id=next(_ids), quantity=D(quantity), unit=unit,
                   start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end), **fields)


def test_an_invoice_whose_days_are_all_metered_is_superseded_and_compared_in_its_unit():
    invoice = reading("2024-01-01", "2024-01-31", "1000")
    first_half = reading("2024-01-01", "2024-01-15", "480000", unit="kWh")  # = 480 MWh
    second_half = reading("2024-01-16", "2024-01-31", "530")
    [result] = reconcile([invoice], [second_half, first_half])
    assert result.superseded and result.unmetered_days == 0
    assert result.meter_ids == (first_half.record_id, second_half.record_id)
    # 480 + 530 = 1,010 MWh metered; the invoice says 1,000: −10 MWh, −10/1,010 = −0.990 %
    assert result.metered_quantity == D(1010)
    assert result.difference == D(-10)
    assert str(result.difference_percent).startswith("-0.990099")
    assert result.within_tolerance is True


def test_meters_on_other_billing_days_are_shared_out_by_days():
    # Invoice 5 Jan – 4 Feb (31 days). January's meter: 310 MWh over 31 days, 27 of them in the
    # invoice → 270. February 2024 (29 days): 290 MWh, 4 days in the invoice → 40. Sum 310.
    invoice = reading("2024-01-05", "2024-02-04", "310")
    january = reading("2024-01-01", "2024-01-31", "310")
    february = reading("2024-02-01", "2024-02-29", "290")
    [result] = reconcile([invoice], [january, february])
    assert result.superseded
    assert result.metered_quantity == D(310)
    assert result.difference == 0 and result.difference_percent == 0


def test_an_invoice_metered_in_part_stays_counted_and_says_how_many_days_are_missing():
    # the meter was installed on 16 January: days 1–15 have no reading
    invoice = reading("2024-01-01", "2024-01-31", "1000")
    meter = reading("2024-01-16", "2024-01-31", "520")
    [result] = reconcile([invoice], [meter])
    assert not result.superseded
    assert result.unmetered_days == 15
    assert result.difference_percent is None and result.within_tolerance is None
    assert "15 of 31 days are not metered" in result.finding


def test_a_gap_between_meter_readings_leaves_the_invoice_counted():
    invoice = reading("2024-01-01", "2024-01-31", "1000")
    meters = [reading("2024-01-01", "2024-01-10", "300"), reading("2024-01-21", "2024-01-31", "350")]
    [result] = reconcile([invoice], meters)
    assert result.unmetered_days == 10  # 11–20 January


def test_a_difference_beyond_the_tolerance_is_flagged():
    invoice = reading("2024-03-01", "2024-03-31", "1100")
    meter = reading("2024-03-01", "2024-03-31", "1000")
    [result] = reconcile([invoice], [meter], tolerance_percent=D(5))
    # (1,100 − 1,000) / 1,000 = +10 % > 5 %
    assert result.difference_percent == D(10)
    assert result.within_tolerance is False
    assert "10.00 %" in result.finding and "5 %" in result.finding


def test_meters_of_another_stream_do_not_touch_the_invoice():
    invoice = reading("2024-01-01", "2024-01-31", "100", activity_type="fuel",
                      factor_key="ipcc2006:natural_gas:stationary", unit="m3")
    others = [
        reading("2024-01-01", "2024-01-31", "100", activity_type="fuel",
                factor_key="ipcc2006:diesel:stationary", unit="m3"),  # another fuel
        reading("2024-01-01", "2024-01-31", "100", activity_type="fuel",
                factor_key="ipcc2006:natural_gas:stationary", unit="m3", site_id=2),  # another site
        reading("2024-01-01", "2024-01-31", "100", activity_type="fuel",
                factor_key="ipcc2006:natural_gas:stationary", unit="GJ"),  # energy, not volume
    ]
    assert reconcile([invoice], others) == []


def test_meters_that_do_not_overlap_the_invoice_leave_it_alone():
    invoice = reading("2024-01-01", "2024-01-31", "100")
    assert reconcile([invoice], [reading("2024-02-01", "2024-02-29", "90")]) == []


_day = st.integers(min_value=0, max_value=60)


@given(
    invoice=st.tuples(_day, _day).map(sorted),
    meters=st.lists(st.tuples(_day, _day).map(sorted), min_size=1, max_size=6),
)
def test_unmetered_days_are_the_invoice_days_no_meter_covers(invoice, meters):
    base = dt.date(2024, 1, 1)
    day = lambda n: (base + dt.timedelta(days=n)).isoformat()  # noqa: E731
    inv = reading(day(invoice[0]), day(invoice[1]), "10")
    readings = [reading(day(a), day(b), "1") for a, b in meters]
    # brute force: each day of the invoice, covered or not
    covered = {d for a, b in meters for d in range(a, b + 1)}
    uncovered = sum(1 for d in range(invoice[0], invoice[1] + 1) if d not in covered)
    overlapping = [m for m in meters if m[0] <= invoice[1] and m[1] >= invoice[0]]
    results = reconcile([inv], readings)
    if not overlapping:
        assert results == []
    else:
        assert results[0].unmetered_days == uncovered
        assert results[0].superseded == (uncovered == 0)
