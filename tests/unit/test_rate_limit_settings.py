"""The settings of the rate limits and of printed links: defaults, the environment, and values
refused at start-up with the setting named."""

from __future__ import annotations

import pytest

from neutrality.errors import SettingsError
from neutrality.settings import load_settings


def test_limits_default_to_five_failed_sign_ins_a_minute_per_account_in_memory() -> None:
    settings = load_settings(environ={})
    assert settings.ratelimit_storage_url == ""  # each process's memory
    assert settings.sign_in_limit_per_account == "5 per minute; 20 per hour"
    assert settings.sign_in_limit_per_address == "20 per minute; 100 per hour"
    assert settings.token_limit_per_account == "600 per minute"
    assert settings.token_limit_per_address == "1200 per minute"
    assert settings.public_url == "http://127.0.0.1:5000"


def test_limits_and_their_storage_come_from_the_environment() -> None:
    settings = load_settings(environ={
        "NEUTRALITY_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
        "NEUTRALITY_SIGN_IN_LIMIT_PER_ACCOUNT": "3 per minute",
        "NEUTRALITY_TOKEN_LIMIT_PER_ADDRESS": "10/second",
    })
    assert settings.ratelimit_storage_url == "redis://127.0.0.1:6379/0"
    assert settings.sign_in_limit_per_account == "3 per minute"
    assert settings.token_limit_per_address == "10/second"


@pytest.mark.parametrize("value", ["", "lots", "5 per fortnight", "per minute"])
def test_a_limit_that_is_not_a_rate_stops_the_app_naming_the_setting(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(environ={"NEUTRALITY_SIGN_IN_LIMIT_PER_ADDRESS": value})
    assert refused.value.message == (
        "sign_in_limit_per_address must be rate limits such as '5 per minute; 20 per hour'")


def test_a_storage_that_is_not_a_url_stops_the_app() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(environ={"NEUTRALITY_RATELIMIT_STORAGE_URL": "127.0.0.1:6379"})
    assert refused.value.message == (
        "ratelimit_storage_url must be a URL such as redis://127.0.0.1:6379/0")


def test_a_public_url_without_http_stops_the_app() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(environ={"NEUTRALITY_PUBLIC_URL": "neutrality.example.com"})
    assert refused.value.message == "public_url must start with http:// or https://"
