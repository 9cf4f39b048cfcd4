"""The shared schema fields: decimals that fit NUMERIC(38, 12), ids that fit INTEGER, and text a
database can store. No app, no database."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from marshmallow import ValidationError, validate

from neutrality.schemas import (
    Id,
    Quantity,
    StrictSchema,
    Text,
    decimal_places,
    json_text,
    unstorable_text,
)
from neutrality.units import tidy


@pytest.mark.parametrize(
    ("number", "places"),
    [("1.50", 1), ("1E-30", 30), ("1E+250", 0), ("0E-30", 0), ("-0.000000000001", 12), ("120", 0)],
)
def test_decimal_places_count_the_digits_that_matter_after_the_point(number, places) -> None:
    assert decimal_places(Decimal(number)) == places


def test_decimal_places_of_a_number_with_a_huge_exponent_are_counted_without_writing_it_out() -> (
    None
):
    assert decimal_places(Decimal("1E-999999999")) == 999_999_999


class _Reading(StrictSchema):
    value = Quantity(validate=validate.Range(min=0, max=100))
    anything = Quantity()


def test_a_quantity_loads_the_canonical_number_it_will_be_read_back_as() -> None:
    assert _Reading().load({"value": "2.50", "anything": "1E+3"}) == {
        "value": Decimal("2.5"),
        "anything": Decimal("1000"),
    }


def test_a_quantity_without_a_range_of_its_own_is_held_to_the_column() -> None:
    with pytest.raises(ValidationError) as refused:
        _Reading().load({"anything": "1E+26"})
    largest = "9" * 26 + "." + "9" * 12  # NUMERIC(38, 12): 26 digits before the point, 12 after
    assert refused.value.messages == {
        "anything": [
            f"Must be greater than or equal to -{largest} and less than or equal to {largest}."
        ]
    }
    assert _Reading().load({"anything": largest}) == {"anything": Decimal(largest)}


def test_a_quantity_range_must_have_both_bounds_inside_the_column() -> None:
    with pytest.raises(ValueError, match="both bounds"):
        Quantity(validate=validate.Range(min=0))
    with pytest.raises(ValueError, match="both bounds"):
        Quantity(validate=validate.Range(min=0, max=10**26))


def test_an_id_fits_an_integer_column() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 2147483647"):
        Id().deserialize(2**31)
    assert Id().deserialize("2147483647") == 2**31 - 1


def test_unstorable_text_is_found_wherever_it_sits() -> None:
    nul = "The text contains a NUL character (U+0000), which cannot be stored."
    assert unstorable_text({"a": ["ok", "b\x00"], "c": {"d": "\x00"}, "e": 1}) == {
        "a": {1: [nul]},
        "c": {"d": [nul]},
    }
    assert unstorable_text({"k\x00": "v"}) == [nul]
    assert unstorable_text({"fine": ["text", 3, None]}) == {}


def test_a_strict_schema_refuses_unstorable_text_in_a_field_it_would_otherwise_trim() -> None:
    class Named(StrictSchema):
        name = Text(20)

    with pytest.raises(ValidationError) as refused:
        Named().load({"name": " a\x00b "})
    assert refused.value.messages == {
        "name": ["The text contains a NUL character (U+0000), which cannot be stored."]
    }


def test_json_text_refuses_what_a_json_body_refuses() -> None:
    with pytest.raises(ValidationError, match="NaN is not a JSON number"):
        json_text('{"CO2": NaN}')
    with pytest.raises(ValidationError, match="a number in it has more than 4300 digits"):
        json_text('{"CO2": 1' + "0" * 5000 + "}")
    with pytest.raises(ValidationError) as refused:
        json_text(json.dumps({"CO2": "1\x00"}))
    assert refused.value.messages == {
        "CO2": ["The text contains a NUL character (U+0000), which cannot be stored."]
    }


def test_tidy_keeps_a_number_too_long_to_write_out_in_exponent_form() -> None:
    # Rows stored before the schemas bounded numbers must still be read.
    assert str(tidy(Decimal("1E+250"))) == "1E+250"
    assert str(tidy(Decimal("7.50E+5"))) == "750000"


def test_a_quantity_may_be_bounded_by_the_column_itself() -> None:
    largest = Decimal("9" * 26 + "." + "9" * 12)
    field = Quantity(validate=validate.Range(min=largest.copy_negate(), max=largest))
    assert field.deserialize(str(largest)) == largest
