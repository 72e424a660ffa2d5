"""Typing CRM export columns, the recognised CRM names, and the notes protecting a real user."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from leadscore_xl.intake.values import parse_number, type_column
from leadscore_xl.refresh.checks import stale_as_of_note
from leadscore_xl.sheet.crm_names import CRM_COLUMNS, ID_COLUMNS, OUTCOME_COLUMNS
from leadscore_xl.sheet.outcome import outcome_values
from leadscore_xl.sheet.table import not_a_column, read_table, suggest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text, comma, value", [
    ("1234", False, 1234.0), ("1,234", False, 1234.0), ("1,234,567.25", False, 1234567.25), ("12%", False, 0.12),
    ("12.5 %", False, 0.125), ("$1,200", False, 1200.0), ("USD 5,000.00", False, 5000.0), ("1000+", False, 1000.0),
    ("-3.5", False, -3.5), ("1e3", False, 1000.0), ("1.234,5", True, 1234.5), ("12,5", True, 12.5),
    ("1.234", True, 1234.0), ("1 234,5", True, 1234.5),
    ("02134", False, None), ("12345678901234567", False, None), ("abc", False, None), ("1,23,4", False, None),
    ("nan", False, None), ("inf", False, None),
])  # fmt: skip
def test_parse_number(text: str, comma: bool, value: float | None) -> None:
    assert parse_number(text, comma) == value


def test_type_column_kinds() -> None:
    assert type_column("n", ["1,000", " 2 ", "", "1000+", None]).values == [1000.0, 2.0, None, 1000.0, None]
    assert type_column("n", ["12,5", "3", "1.234,5"]).values == [12.5, 3.0, 1234.5]
    assert type_column("b", ["Yes", "no", "TRUE", "false", " "]).values == [True, False, True, False, None]
    assert type_column("t", ["02134", "10001"]).kind == "text"
    assert type_column("e", ["", None, "  "]).kind == "empty"
    mixed = type_column("m", [str(i) for i in range(40)] + ["n/a"])
    assert mixed.kind == "number" and mixed.values[-1] == "n/a" and '"n/a", kept as text' in mixed.note
    assert type_column("t", [str(i) for i in range(10)] + ["n/a"]).kind == "text"


def test_type_column_dates() -> None:
    iso = type_column("d", ["2026-03-31", "2026-03-31 14:05", "2026-03-31T14:05:00Z", "Mar 31, 2026", "31 Mar 2026"])
    assert iso.kind == "date" and iso.values == [dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 14, 5),
                                                 dt.datetime(2026, 3, 31, 14, 5), dt.date(2026, 3, 31), dt.date(2026, 3, 31)]
    us = type_column("d", ["3/31/2026", "4/1/2026 2:05 PM"])
    assert us.values == [dt.date(2026, 3, 31), dt.datetime(2026, 4, 1, 14, 5)] and not us.note
    eu = type_column("d", ["31/03/2026", "01/04/2026"])
    assert eu.values == [dt.date(2026, 3, 31), dt.date(2026, 4, 1)]
    assert type_column("d", ["31.03.2026", "01.04.2026"]).values == [dt.date(2026, 3, 31), dt.date(2026, 4, 1)]
    ambiguous = type_column("Created", ["03/04/2026", "05/06/2026"])
    assert ambiguous.values == [dt.date(2026, 3, 4), dt.date(2026, 5, 6)] and "--day-first" in ambiguous.note
    assert type_column("d", ["03/04/2026", "05/06/2026"], day_first=True).values == [dt.date(2026, 4, 3), dt.date(2026, 6, 5)]
    assert type_column("d", ["13/04/2026", "04/13/2026"]).kind == "text"  # both orders: not dates


def test_did_you_mean_uses_crm_synonyms_and_lists_every_column() -> None:
    headers = ["Record ID", "Company Name", "Number of Employees", "Job Title"]
    assert suggest("Company Size", headers) == "Number of Employees"
    assert suggest("Title", headers) == "Job Title"
    assert suggest("Job Titel", headers) == "Job Title"
    many = [f"Column {c}" for c in "ABCDEFGHIJKLMNOP"]
    assert not_a_column("Zzz", many, "Leads").endswith('"Column L" and 4 more')
    assert not_a_column("Zzz", many[:5], "Leads").endswith('"Column D", "Column E"')


@pytest.mark.parametrize("values, expected", [
    (["Closed Won", "Closed Lost", "closedwon", "closedlost"], [1.0, 0.0, 1.0, 0.0]),
    (["Customer", "Lead", "Subscriber", "Marketing Qualified Lead", "opportunity"], [1.0, 0.0, 0.0, 0.0, 0.0]),
    (["Closed Won", "Contract Sent", "Prospecting", "Negotiation/Review"], [1.0, np.nan, np.nan, np.nan]),
])  # fmt: skip
def test_crm_outcome_values(values: list[str], expected: list[float]) -> None:
    y, bad = outcome_values(read_table([["Stage"], *([v] for v in values)], "Deals").column(0))
    np.testing.assert_array_equal(y, expected)
    assert not bad.any()


def test_stale_as_of_note() -> None:
    serial = 46112.0  # 2026-03-31
    assert stale_as_of_note(serial, dt.date(2026, 6, 29)) is None  # 90 days
    note = stale_as_of_note(serial, dt.date(2026, 6, 30))
    assert note is not None and note.startswith("Settings pin the As-of date to 2026-03-31, 91 days before today")
    assert stale_as_of_note(None, dt.date(2030, 1, 1)) is None


def test_sample_fingerprint_matches_the_generator() -> None:
    sys.path.insert(0, str(ROOT / "workbook"))
    from sample_data import make_sample

    from leadscore_xl.refresh.checks import SAMPLE_DEALS_FINGERPRINT, deals_fingerprint, sample_deals_note

    deals = read_table(make_sample(2000, 5000).deals, "Deals")
    assert deals_fingerprint(deals) == SAMPLE_DEALS_FINGERPRINT
    assert "bundled sample's 5,000 synthetic deals" in (sample_deals_note(deals) or "")
    changed = read_table([deals.headers, *deals.rows[1:]], "Deals")
    assert sample_deals_note(changed) is None


def test_readme_lists_the_recognised_names() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Score your own leads"):]
    section = section[: section.index("\n## ", 5)] if "\n## " in section[5:] else section
    for names in (*CRM_COLUMNS.values(), ID_COLUMNS, OUTCOME_COLUMNS):
        for name in names:
            assert re.search(rf"`{re.escape(name)}`", section), name
