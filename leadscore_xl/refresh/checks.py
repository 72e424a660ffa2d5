"""Notes that protect a real user's refresh: Deals that are still the bundled sample, and
an As-of date pinned long ago."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from leadscore_xl.sheet.dates import from_serial
from leadscore_xl.sheet.table import Table, header_text, is_blank

__all__ = ["SAMPLE_DEALS_FINGERPRINT", "as_of_notes", "STALE_DAYS", "deals_fingerprint", "sample_deals_note", "stale_as_of_note"]

# deals_fingerprint of workbook/LeadScoring.xlsx's Deals (workbook/sample_data.py; a test checks it)
SAMPLE_DEALS_FINGERPRINT = "175b411fa57faeb0"
FINGERPRINT_ROWS = 50
STALE_DAYS = 90


def deals_fingerprint(deals: Table) -> str:
    """A hash of the Deals headers and first FINGERPRINT_ROWS rows, as text, and the row count."""
    digest = hashlib.sha256()
    digest.update("|".join(deals.headers).encode())
    digest.update(str(deals.filled).encode())
    for row in deals.rows[:FINGERPRINT_ROWS]:
        digest.update(("\n" + "|".join(header_text(v) for v in row)).encode())
    return digest.hexdigest()[:16]


def sample_deals_note(deals: Table | None) -> str | None:
    """A note when the Deals are the bundled sample's synthetic deals."""
    if deals is None or deals_fingerprint(deals) != SAMPLE_DEALS_FINGERPRINT:
        return None
    return (f"The Deals sheet holds the bundled sample's {deals.filled:,} synthetic deals, not yours: the model and "
            "the Report describe made-up data. Replace them with your past deals and their outcome "
            "(leadscore new BOOK.xlsx --leads LEADS.csv --deals DEALS.csv builds a workbook from your exports)")  # fmt: skip


def as_of_notes(pinned: float | None, today: dt.date, option: Any) -> tuple[str, ...]:
    """The stale As-of note, unless the refresh was given its own as-of date."""
    note = stale_as_of_note(pinned, today) if is_blank(option) else None
    return (note,) if note else ()


def stale_as_of_note(pinned: float | None, today: dt.date) -> str | None:
    """A note when Settings pin the As-of date more than STALE_DAYS before ``today``."""
    if pinned is None:
        return None
    day = from_serial(pinned)
    day = day.date() if isinstance(day, dt.datetime) else day
    age = (today - day).days
    if age <= STALE_DAYS:
        return None
    return (f"Settings pin the As-of date to {day.isoformat()}, {age:,} days before today: recency and decay rules "
            "count from that day, not from today; clear the As-of date in Settings to score as of today")  # fmt: skip
