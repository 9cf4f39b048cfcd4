"""The one place that reads the clock, so tests can freeze it and services stay explicit."""

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return utcnow().date()
