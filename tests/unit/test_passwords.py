"""Argon2id password hashing and verification."""

from __future__ import annotations

import pytest

from neutrality.access.passwords import hash_password, verify_password

PASSWORD = "correct horse battery staple"
# The password of the dummy hash verified against for unknown e-mail addresses.
DUMMY_PASSWORD = "not-a-real-password"


def test_a_hash_verifies_against_its_own_password() -> None:
    assert verify_password(hash_password(PASSWORD), PASSWORD) is True


def test_a_hash_does_not_verify_a_wrong_password() -> None:
    hashed = hash_password(PASSWORD)
    assert verify_password(hashed, "correct horse battery stapler") is False
    assert verify_password(hashed, PASSWORD.upper()) is False
    assert verify_password(hashed, "") is False


def test_hashes_are_argon2id_and_do_not_contain_the_password() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed


def test_hashing_the_same_password_twice_gives_different_salted_hashes() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert verify_password(first, PASSWORD) and verify_password(second, PASSWORD)


def test_a_non_ascii_password_round_trips() -> None:
    password = "零碳工厂-密码-ß"
    assert verify_password(hash_password(password), password) is True
    assert verify_password(hash_password(password), "零碳工厂-密码-ss") is False


@pytest.mark.parametrize("password", [PASSWORD, "", DUMMY_PASSWORD])
def test_a_missing_hash_never_verifies_not_even_the_dummy_password(password: str) -> None:
    # None stands for an unknown account: nothing may sign in, including the password of the
    # dummy hash used to keep timing equal.
    assert verify_password(None, password) is False


@pytest.mark.parametrize("bad_hash", ["not-a-hash", "$argon2id$v=19$m=1,t=1,p=1$garbage"])
def test_a_malformed_hash_does_not_verify_and_does_not_raise(bad_hash: str) -> None:
    assert verify_password(bad_hash, PASSWORD) is False


def test_an_empty_hash_never_verifies_not_even_the_dummy_password() -> None:
    assert verify_password("", DUMMY_PASSWORD) is False
