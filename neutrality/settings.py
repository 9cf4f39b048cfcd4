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

from limits import parse_many

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
    #: Key that signs session cookies and CSRF tokens: required, at least 32 characters, outside
    #: the demo and the tests; the demo generates one into the instance folder if it is empty.
    secret_key: str = ""
    #: The demo (bin/up sets NEUTRALITY_DEMO=1): runs without a secret key of its own.
    demo: bool = False
    #: Largest request body accepted, in bytes (uploads included).
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Spreadsheets (activity files; registry exports) are read within these limits, checked
    #: before anything is allocated; the command line holds the files it reads to them, not to
    #: max_upload_bytes. Rows count below a file's first row; cells are rows × columns.
    activity_file_max_rows: int = 1_000_000
    activity_file_max_columns: int = 200
    activity_file_max_cells: int = 30_000_000
    registry_file_max_rows: int = 2_000_000
    registry_file_max_columns: int = 200
    registry_file_max_cells: int = 40_000_000
    #: A CSV file's size, or an XLSX workbook's parts once unzipped, in bytes (1 GiB).
    spreadsheet_max_uncompressed_bytes: int = 1 << 30
    #: How long reading one spreadsheet may take, in seconds.
    spreadsheet_max_read_seconds: int = 120
    #: Send cookies over HTTPS only; switch on behind TLS.
    secure_cookies: bool = False
    #: Language used when the browser states no preference.
    default_locale: str = "en"
    #: Testing mode: exceptions propagate to the test instead of becoming 500 pages.
    testing: bool = False
    #: The address people open the application at, for links the command line prints
    #: (invitations).
    public_url: str = "http://127.0.0.1:5000"
    #: Where rate limits count attempts: empty for this process's memory, or a Redis URL
    #: (redis://127.0.0.1:6379/0) so that every worker process shares one count.
    ratelimit_storage_url: str = ""
    #: Failed sign-ins allowed per account (e-mail address), written as the limits library
    #: reads them ("5 per minute; 20 per hour").
    sign_in_limit_per_account: str = "5 per minute; 20 per hour"
    #: Failed sign-ins and refused API tokens allowed per client address.
    sign_in_limit_per_address: str = "20 per minute; 100 per hour"
    #: Requests made with API tokens allowed per account.
    token_limit_per_account: str = "600 per minute"  # noqa: S105 - a rate, not a secret
    #: Requests made with API tokens allowed per client address.
    token_limit_per_address: str = "1200 per minute"  # noqa: S105 - a rate, not a secret
    #: Reverse proxies in front that append to X-Forwarded-For/-Proto/-Host (0: none, the
    #: client's own address is the connection's). Only that many hops are trusted, so a client
    #: cannot choose the address the per-address rate limits count.
    proxy_hops: int = 0
    #: How long, in milliseconds, a process serves a public declaration page it rendered without
    #: asking the database whether it was withdrawn or superseded meanwhile (0: it asks on every
    #: request). Each worker asks at most once per page and language in this time.
    public_page_fresh_ms: int = 1000
    extra: Mapping[str, Any] = field(default_factory=dict)

    def validate(self) -> Settings:
        problems = []
        if self.max_upload_bytes <= 0:
            problems.append("max_upload_bytes must be positive")
        problems.extend(_spreadsheet_limit_problems(self))
        if self.default_locale not in SUPPORTED_LOCALES:
            problems.append(f"default_locale must be one of {', '.join(SUPPORTED_LOCALES)}")
        if self.database_url and "://" not in self.database_url:
            problems.append("database_url must be an SQLAlchemy URL such as sqlite:///path.db")
        if not self.public_url.startswith(("http://", "https://")):
            problems.append("public_url must start with http:// or https://")
        if self.ratelimit_storage_url and "://" not in self.ratelimit_storage_url:
            problems.append("ratelimit_storage_url must be a URL such as redis://127.0.0.1:6379/0")
        problems.extend(_rate_limit_problems(self))
        if not 0 <= self.public_page_fresh_ms <= 60_000:
            problems.append("public_page_fresh_ms must be between 0 and 60000")
        if not 0 <= self.proxy_hops <= 5:
            problems.append("proxy_hops must be between 0 and 5")
        if problems:
            raise SettingsError("; ".join(problems))
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.instance_path) / 'neutrality.db'}"


SUPPORTED_LOCALES = ("en", "zh_Hans", "zh_Hant")

RATE_LIMIT_SETTINGS = (
    "sign_in_limit_per_account",
    "sign_in_limit_per_address",
    "token_limit_per_account",
    "token_limit_per_address",
)


def _rate_limit_problems(settings: Settings) -> list[str]:
    problems = []
    for name in RATE_LIMIT_SETTINGS:
        try:
            if not parse_many(getattr(settings, name)):
                raise ValueError(name)
        except ValueError:
            problems.append(f"{name} must be rate limits such as '5 per minute; 20 per hour'")
    return problems

SPREADSHEET_LIMIT_SETTINGS = (
    "activity_file_max_rows",
    "activity_file_max_columns",
    "activity_file_max_cells",
    "registry_file_max_rows",
    "registry_file_max_columns",
    "registry_file_max_cells",
    "spreadsheet_max_uncompressed_bytes",
    "spreadsheet_max_read_seconds",
)


def _spreadsheet_limit_problems(settings: Settings) -> list[str]:
    return [
        f"{name} must be a positive whole number"
        for name in SPREADSHEET_LIMIT_SETTINGS
        if isinstance(getattr(settings, name), bool)
        or not isinstance(getattr(settings, name), int)
        or getattr(settings, name) <= 0
    ]


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
