"""Statuses of inventories, completeness entries and verifications.

Pure: no Flask, no database.
"""

from enum import StrEnum


class InventoryStatus(StrEnum):
    DRAFT = "draft"
    VERIFIED = "verified"  # frozen: changes make a new version
    SUPERSEDED = "superseded"  # an older version, kept for the record


class InventoryOrigin(StrEnum):
    CALCULATED = "calculated"  # from activity data and factors here
    EXTERNAL = "external"  # totals of an inventory made with another tool


class CompletenessStatus(StrEnum):
    INCLUDED = "included"
    EXCLUDED_IMMATERIAL = "excluded_immaterial"  # below the materiality threshold, with a reason
    NOT_APPLICABLE = "not_applicable"  # e.g. no sold products for category 11
    ESTIMATED = "estimated"  # data unavailable: proxy or industry average, never excluded


class AssuranceLevel(StrEnum):
    LIMITED = "limited"
    REASONABLE = "reasonable"


class BatchKind(StrEnum):
    FILE = "file"  # a CSV or XLSX file, known by its SHA-256
    API = "api"  # records sent as JSON (or added one by one)
