"""load_settings: defaults, then NEUTRALITY_* variables, then overrides, then validation.

Every call passes ``environ`` explicitly so the real environment never leaks in.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import neutrality
from neutrality.errors import SettingsError
from neutrality.settings import Settings, load_settings

# The package lives in <project>/neutrality, so the instance folder is <project>/instance.
PROJECT_ROOT = Path(neutrality.__file__).resolve().parent.parent


def test_defaults_apply_when_the_environment_sets_nothing() -> None:
    settings = load_settings(environ={})
    assert settings.database_url == ""
    assert settings.instance_path == str(PROJECT_ROOT / "instance")
    assert settings.secret_key == ""
    assert settings.max_upload_bytes == 20 * 1024 * 1024  # 20 MiB = 20 971 520 bytes
    assert settings.secure_cookies is False
    assert settings.default_locale == "en"
    assert settings.testing is False
    assert settings.activity_file_max_rows == 1_000_000


def test_without_a_database_url_the_database_is_an_sqlite_file_in_the_instance_folder() -> None:
    settings = load_settings({"instance_path": "/srv/neutrality"}, environ={})
    assert settings.resolved_database_url == "sqlite:////srv/neutrality/neutrality.db"


def test_a_database_url_from_the_environment_is_used_as_given() -> None:
    url = "postgresql+psycopg://app@db/neutrality"
    settings = load_settings(environ={"NEUTRALITY_DATABASE_URL": url})
    assert settings.database_url == url
    assert settings.resolved_database_url == url


def test_the_real_environment_is_ignored_when_an_environment_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEUTRALITY_TESTING", "true")
    monkeypatch.setenv("NEUTRALITY_ACTIVITY_FILE_MAX_ROWS", "5")
    settings = load_settings(environ={})
    assert settings.testing is False
    assert settings.activity_file_max_rows == 1_000_000


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "True", "yes", "on", " on ", "Yes"])
def test_reads_true_booleans_from_the_environment(raw: str) -> None:
    assert load_settings(environ={"NEUTRALITY_SECURE_COOKIES": raw}).secure_cookies is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off", "", "  "])
def test_reads_false_booleans_from_the_environment(raw: str) -> None:
    settings = load_settings(environ={"NEUTRALITY_TESTING": raw})
    assert settings.testing is False


def test_a_false_value_in_the_environment_turns_a_switch_off() -> None:
    # False is also the default, so prove it through an override-free round trip: "true" then
    # "off" for the same key give different results.
    assert load_settings(environ={"NEUTRALITY_TESTING": "true"}).testing is True
    assert load_settings(environ={"NEUTRALITY_TESTING": "off"}).testing is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "enabled"])
def test_rejects_a_boolean_that_is_neither_true_nor_false(raw: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={"NEUTRALITY_SECURE_COOKIES": raw})
    assert info.value.message == f"NEUTRALITY_SECURE_COOKIES must be true or false, not {raw!r}"


def test_reads_whole_numbers_from_the_environment() -> None:
    settings = load_settings(
        environ={"NEUTRALITY_ACTIVITY_FILE_MAX_ROWS": "50", "NEUTRALITY_MAX_UPLOAD_BYTES": "1048576"}
    )
    assert settings.activity_file_max_rows == 50
    assert settings.max_upload_bytes == 1_048_576
    assert isinstance(settings.activity_file_max_rows, int)


@pytest.mark.parametrize("raw", ["fifty", "12.5", "", "1e3"])
def test_rejects_a_number_that_is_not_a_whole_number(raw: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={"NEUTRALITY_ACTIVITY_FILE_MAX_ROWS": raw})
    assert info.value.message == f"NEUTRALITY_ACTIVITY_FILE_MAX_ROWS must be a whole number, not {raw!r}"


def test_reads_text_settings_from_the_environment_unchanged() -> None:
    settings = load_settings(
        environ={"NEUTRALITY_DEFAULT_LOCALE": "zh_Hant", "NEUTRALITY_SECRET_KEY": " s3cret "}
    )
    assert settings.default_locale == "zh_Hant"
    assert settings.secret_key == " s3cret "


def test_ignores_variables_without_the_neutrality_prefix() -> None:
    settings = load_settings(environ={"DATABASE_URL": "sqlite:///other.db", "TESTING": "1"})
    assert settings.database_url == ""
    assert settings.testing is False


def test_overrides_win_over_the_environment() -> None:
    settings = load_settings(
        {"activity_file_max_rows": 75, "testing": False},
        environ={"NEUTRALITY_ACTIVITY_FILE_MAX_ROWS": "50", "NEUTRALITY_TESTING": "true"},
    )
    assert settings.activity_file_max_rows == 75
    assert settings.testing is False


def test_the_environment_wins_over_defaults_for_settings_not_overridden() -> None:
    settings = load_settings({"testing": True}, environ={"NEUTRALITY_ACTIVITY_FILE_MAX_ROWS": "50"})
    assert settings.activity_file_max_rows == 50
    assert settings.testing is True


def test_rejects_an_unknown_override_naming_it() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"max_page": 10}, environ={})
    assert info.value.message == "unknown setting 'max_page'"
    assert info.value.code == "invalid_settings"


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, -1])
def test_rejects_a_maximum_upload_size_that_is_not_positive(size: int) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"max_upload_bytes": size}, environ={})
    assert info.value.message == "max_upload_bytes must be positive"


def test_validates_values_that_come_from_the_environment() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={"NEUTRALITY_MAX_UPLOAD_BYTES": "-5"})
    assert info.value.message == "max_upload_bytes must be positive"


@pytest.mark.parametrize("locale", ["fr", "zh", "zh_CN", "EN"])
def test_rejects_an_unsupported_default_locale_listing_the_supported_ones(locale: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"default_locale": locale}, environ={})
    assert info.value.message == "default_locale must be one of en, zh_Hans, zh_Hant"


@pytest.mark.parametrize("locale", ["en", "zh_Hans", "zh_Hant"])
def test_accepts_each_supported_locale(locale: str) -> None:
    assert load_settings({"default_locale": locale}, environ={}).default_locale == locale


def test_rejects_a_database_url_that_is_a_bare_path() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={"NEUTRALITY_DATABASE_URL": "instance/neutrality.db"})
    assert "database_url must be an SQLAlchemy URL" in info.value.message


def test_reports_every_invalid_setting_in_one_message() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(
            {"max_upload_bytes": 0, "default_locale": "fr", "activity_file_max_rows": 0}, environ={}
        )
    assert info.value.message == (
        "max_upload_bytes must be positive; "
        "activity_file_max_rows must be a positive whole number; "
        "default_locale must be one of en, zh_Hans, zh_Hant"
    )


def test_settings_are_frozen() -> None:
    settings = load_settings(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.testing = True  # type: ignore[misc]


def test_a_settings_error_is_a_server_error() -> None:
    assert SettingsError.http_status == 500
    assert isinstance(Settings().validate(), Settings)


def test_a_misspelt_variable_stops_start_up_and_suggests_the_right_name() -> None:
    # A typo would otherwise silently leave the default (here: cookies over plain HTTP).
    with pytest.raises(SettingsError) as info:
        load_settings(environ={"NEUTRALITY_SECURE_COOKIE": "true"})
    assert str(info.value) == (
        "unknown environment variable NEUTRALITY_SECURE_COOKIE (did you mean NEUTRALITY_SECURE_COOKIES?)"
    )


def test_the_test_database_variable_is_not_mistaken_for_a_typo() -> None:
    settings = load_settings(environ={"NEUTRALITY_TEST_DATABASE_URL": "postgresql+psycopg://x/y"})
    assert settings.database_url == ""
