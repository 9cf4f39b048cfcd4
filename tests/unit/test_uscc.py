"""The unified social credit code's check character (统一社会信用代码, GB 32100-2015).

The 18th character is computed from the first 17: each character's value in the 31-character
alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY (A = 10 … Y = 30; no I, O, S, V, Z) times its
position's weight 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 (3^(i−1) mod
31); the check value is 31 − (sum mod 31), and 31 is written 0. The sums below are worked by
hand.
"""

from __future__ import annotations

import pytest

from neutrality.errors import InvalidInput
from neutrality.organisations.model import (
    USCC_ALPHABET,
    USCC_WEIGHTS,
    check_credit_code,
    credit_code_check_character,
)

# 91350100M000100Y4|3 — 9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + M(21)·20 + 0·29
#   + 0·25 + 0·13 + 1·8 + 0·24 + 0·10 + Y(30)·30 + 4·28
#   = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 = 52·31 + 28; 31 − 28 = 3
FUJIAN = "91350100M000100Y43"
# 91320900MA1XY40A3|B — 9·1 + 1·3 + 3·9 + 2·27 + 0·19 + 9·26 + 0·16 + 0·17 + M(21)·20 + A(10)·29
#   + 1·25 + X(29)·13 + Y(30)·8 + 4·24 + 0·10 + A(10)·30 + 3·28
#   = 9 + 3 + 27 + 54 + 234 + 420 + 290 + 25 + 377 + 240 + 96 + 300 + 84 = 2159;
#   2159 = 69·31 + 20; 31 − 20 = 11 = B
YANCHENG = "91320900MA1XY40A3B"
# 91440300192203821|6 — 9·1 + 1·3 + 4·9 + 4·27 + 0·19 + 3·26 + 0·16 + 0·17 + 1·20 + 9·29 + 2·25
#   + 2·13 + 0·8 + 3·24 + 8·10 + 2·30 + 1·28
#   = 9 + 3 + 36 + 108 + 78 + 20 + 261 + 50 + 26 + 72 + 80 + 60 + 28 = 831;
#   831 = 26·31 + 25; 31 − 25 = 6
SHENZHEN = "914403001922038216"
# 9144030019220382Y|0 — as SHENZHEN up to the 16th character (831 − 28 = 803), then Y(30)·28 = 840:
#   803 + 840 = 1643 = 53·31 + 0; 31 − 0 = 31, written 0
CHECK_ZERO = "9144030019220382Y0"


def test_the_alphabet_and_the_weights_are_those_of_the_standard():
    assert len(USCC_ALPHABET) == 31 and not set("IOSVZ") & set(USCC_ALPHABET)
    assert USCC_WEIGHTS == tuple(3**i % 31 for i in range(17))


@pytest.mark.parametrize(
    ("code", "check"), [(FUJIAN, "3"), (YANCHENG, "B"), (SHENZHEN, "6"), (CHECK_ZERO, "0")]
)
def test_the_check_character_is_computed_from_the_first_seventeen(code, check):
    assert credit_code_check_character(code[:17]) == check
    check_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # FUJIAN with a wrong last character
        "91350100M000100Y4A",
        "914403001922038217",  # SHENZHEN + 1
        "914403001922038261",  # the last two swapped: 831 + (6 − 1)·28 = 971 → check M, not 1
        "91320900MA1XY40A8B",  # YANCHENG, 17th typed 8: 2159 + 5·28 = 2299 → check T
        "9144030019220382YY",  # CHECK_ZERO with 31 written Y (30) instead of 0
    ],
)
def test_rejects_a_code_whose_check_character_does_not_match(code):
    with pytest.raises(InvalidInput) as info:
        check_credit_code(code)
    assert info.value.message == (
        "the unified social credit code's last character is its check character "
        "(GB 32100-2015) and does not match the first 17: check the code for a typing error"
    )
    assert info.value.details == {"unified_social_credit_code": ["wrong check character"]}


def test_a_malformed_code_is_refused_as_malformed_before_its_check_character():
    with pytest.raises(InvalidInput) as info:
        check_credit_code("91350100M000100Y4")  # 17 characters
    assert info.value.details == {"unified_social_credit_code": ["malformed code"]}
