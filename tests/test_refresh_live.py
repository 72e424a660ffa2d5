"""The live-Excel port (xlwings). Excel is not available here, so these tests check what
can be checked honestly: the module imports with the real xlwings, its pure helpers do
what the COM calls rely on, and it offers the same port as the file adapter. Nothing
here pretends to be Excel."""

from __future__ import annotations

import datetime as dt
import inspect

import numpy as np
import pytest

from leadscore_xl.refresh import book_file
from leadscore_xl.refresh import book_live
from leadscore_xl.refresh import run as refresh
from leadscore_xl.errors import RuleError
from leadscore_xl.refresh.report import Block, Formula


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Formula("=1/(1+EXP(-Model!$D$2))"), "=1/(1+EXP(-Model!$D$2))"),  # the one way to write a formula
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),  # text behind Excel's text prefix
        ("+SUM(1)", "'+SUM(1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("1-49", "'1-49"),  # Excel would turn it into a date
        ("00123", "'00123"),  # ... or a number
        ("'quoted", "''quoted"),  # Excel eats one leading apostrophe
        ("", None),
        (float("nan"), None),
        (np.float64(0.25), 0.25),
        (np.int64(7), 7),
        (True, True),
        (dt.datetime(2026, 3, 31), dt.datetime(2026, 3, 31)),
        (None, None),
    ],
)  # fmt: skip
def test_values_are_prepared_for_range_value(value: object, expected: object) -> None:
    got = book_live.live_value(value)
    assert got == expected and type(got) is type(expected)


def test_output_columns_are_dropped_by_header() -> None:
    rows = [["Lead ID", " score ", "Company", "Scored At"], ["L1", 5, "Acme", None]]
    assert book_live.drop_columns(rows, refresh.OUTPUTS) == [["Lead ID", "Company"], ["L1", "Acme"]]
    assert book_live.drop_columns(rows, ()) is rows


def test_errors_become_one_sentence() -> None:
    error = RuleError('Rules row 4: operator "is about"\n is not known; use one of =, <>')
    assert book_live.one_sentence(error) == 'Rules row 4: operator "is about" is not known; use one of =, <>.'
    assert book_live.one_sentence(KeyError("Leads")) == (
        "The refresh stopped on an unexpected error (KeyError: 'Leads'); please report it."
    )


def test_blocks_are_written_as_one_rectangle() -> None:
    block = Block("stats", 2, 14, (("Statistic", "Value"), ("AUC", 0.75), ("Note",)), "Model statistics")
    assert book_live.block_cells(block) == [["'Statistic", "'Value"], ["'AUC", 0.75], ["'Note", None]]


def test_both_ports_offer_the_refresh_port() -> None:
    protocol = {n: inspect.signature(f) for n, f in vars(refresh.Book).items() if not n.startswith("_") and callable(f)}
    assert set(protocol) == {"sheet_names", "read_table", "table_label", "header_cells", "write_columns", "replace_sheet",
                             "status", "save"}  # fmt: skip
    for port in (book_live.LiveBook, book_file.FileBook):
        for name, signature in protocol.items():
            assert list(inspect.signature(getattr(port, name)).parameters) == list(signature.parameters), (port, name)


def test_the_button_entry_point_is_wired() -> None:
    assert book_live.main.__doc__ and callable(book_live.refresh_active)
    source = inspect.getsource(book_live._target_book)
    assert "Book.caller" in source and "app.books.active" in source  # the active book only when an add-in calls
