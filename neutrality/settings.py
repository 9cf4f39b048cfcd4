"""Application settings: defaults, then ``NEUTRALITY_*`` environment variables, then overrides.

Pure: no Flask, no database.

Settings are a frozen value validated once at start-up, so a typo in the environment stops the
application instead of surfacing later as a strange behaviour.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from neutrality.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
ENV_PREFIX = "NEUTRALITY_"


@dataclass(frozen=True)
class Settings:
    #: SQLAlchemy URL; SQLite file in the instance folder unless told otherwise.
    database_url: str = ""
    #: Folder for the SQLite file, the generated secret key and uploaded evidence.
    instance_path: str = str(DEFAULT_INSTANCE)
    #: Key that signs session cookies and CSRF tokens. Generated into the instance folder if empty.
    secret_key: str = ""
    #: Largest request body accepted, in bytes (uploads included).
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Send cookies over HTTPS only; switch on behind TLS.
    secure_cookies: bool = False
    #: Language used when the browser states no preference.
    default_locale: str = "en"
    #: Testing mode: exceptions propagate to the test instead of becoming 500 pages.
    testing: bool = False
    #: Largest page size the API hands out.
    max_page_size: int = 200
    extra: Mapping[str, Any] = field(default_factory=dict)

    def validate(self) -> Settings:
        problems = []
        if self.max_upload_bytes <= 0:
            problems.append("max_upload_bytes must be positive")
        if self.default_locale not in SUPPORTED_LOCALES:
            problems.append(f"default_locale must be one of {', '.join(SUPPORTED_LOCALES)}")
        if not 1 <= self.max_page_size <= 10_000:
            problems.append("max_page_size must be between 1 and 10000")
        if self.database_url and "://" not in self.database_url:
            problems.append("database_url must be an SQLAlchemy URL such as sqlite:///path.db")
        if problems:
            raise SettingsError("; ".join(problems))
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.instance_path) / 'neutrality.db'}"


SUPPORTED_LOCALES = ("en", "zh_Hans", "zh_Hant")

#: NEUTRALITY_* variables that are not settings of the application (read by the test suite).
NON_SETTING_VARIABLES = frozenset({"NEUTRALITY_TEST_DATABASE_URL"})


def _coerce(name: str, raw: str, target: Any) -> Any:
    if target is bool or target == "bool":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be true or false, not {raw!r}")
    if target is int or target == "int":
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be a whole number, not {raw!r}") from None
    return raw


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build settings from defaults, the environment and explicit overrides (in that order)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(Settings) if f.name != "extra"}
    expected = {ENV_PREFIX + name.upper() for name in known} | NON_SETTING_VARIABLES
    for key in environ:
        if key.startswith(ENV_PREFIX) and key not in expected:
            guess = difflib.get_close_matches(key, sorted(expected), n=1)
            hint = f" (did you mean {guess[0]}?)" if guess else ""
            raise SettingsError(f"unknown environment variable {key}{hint}")
    for name, f in known.items():
        key = ENV_PREFIX + name.upper()
        if key in environ:
            values[name] = _coerce(name, environ[key], f.type)
    for name, value in (overrides or {}).items():
        if name not in known:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = value
    return dataclasses.replace(Settings(), **values).validate()
