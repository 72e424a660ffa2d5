"""Excel date serials, the way Excel counts them.

Classic xlwings hands a date cell to Python as a ``datetime``; xlwings Lite/Server and
number-formatted cells hand over the serial number. LeadScore XL works in serials
internally, so both give identical scores.

Excel's 1900 date system counts 1 January 1900 as serial 1 and believes 1900 was a leap
year: serial 60 is the non-existent 29 February 1900, and from 1 March 1900 (serial 61)
on, ``serial = days since 30 December 1899``. Before that the offset is one day less.
"""

from __future__ import annotations

import datetime as dt
import math

from leadscore_xl.errors import InputError, quote

__all__ = ["from_serial", "parse_date_text", "resolve_as_of", "to_serial", "today"]

_EPOCH = dt.datetime(1899, 12, 30)
_MARCH_1900 = dt.datetime(1900, 3, 1)
_DAY = 86400.0


def to_serial(value: dt.datetime | dt.date) -> float:
    """Excel serial of a date or datetime (time of day as the fraction)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    value = value.replace(tzinfo=None)
    delta = value - _EPOCH
    serial = delta.days + delta.seconds / _DAY + delta.microseconds / (_DAY * 1e6)
    if value < _MARCH_1900:
        serial -= 1.0
    return serial


def from_serial(serial: float) -> dt.datetime:
    """The datetime Excel shows for a serial; serial 60 (29 Feb 1900) shows as 28 Feb."""
    if serial < 61:
        serial += 1.0
        if serial >= 61:  # Excel's phantom 29 February 1900
            serial = 60.0
    return _EPOCH + dt.timedelta(days=serial)


def parse_date_text(text: str) -> float | None:
    """The serial of an ISO date typed as text (``2026-03-31``), else None."""
    try:
        return to_serial(dt.datetime.fromisoformat(text.strip()))
    except ValueError:
        return None


def today() -> dt.date:
    """Today's date (one place, so that tests can move the clock)."""
    return dt.date.today()


def resolve_as_of(value: object) -> float:
    """The as-of date as a serial: a datetime, a serial, ISO text, or blank for today."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return to_serial(today())
    if isinstance(value, (dt.datetime, dt.date)):
        return to_serial(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        serial = parse_date_text(value)
        if serial is not None:
            return serial
    raise InputError(
        f"As-of date {quote(value)} is not a date; give a date cell, a date serial, "
        "or text like 2026-03-31 (leave it blank for today)"
    )
