"""Excel-shaped values -> typed columns (leadscore_xl.sheet.table)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscore_xl.sheet.dates import to_serial
from leadscore_xl.errors import TableError
from leadscore_xl.sheet.table import Kind, as_rows, cell_parts, convert_column, read_table


def test_shapes_scalar_row_and_table() -> None:
    assert as_rows(5.0) == [[5.0]]
    assert as_rows(["a", "b"]) == [["a", "b"]]
    assert as_rows([["a"], [1.0]]) == [["a"], [1.0]]
    table = read_table(["Title", "Size"])  # a one-row range: headers only
    assert table.headers == ("Title", "Size") and len(table) == 0
    assert read_table("Title").headers == ("Title",)


def test_typed_columns_from_raw_cells() -> None:
    when = dt.datetime(2026, 3, 31, 12, 0)
    table = read_table([
        [" Job Title ", "Size", "Active", "Created", "Mixed", "Blank"],
        ["  VP Sales ", 500.0, True, when, 3.0, None],
        ["#N/A", None, False, 46000.0, "n/a text", "   "],
        [None, 7, None, None, "#DIV/0!", None],
    ])  # fmt: skip
    assert table.headers == ("Job Title", "Size", "Active", "Created", "Mixed", "Blank")
    title = table.column("job title")
    assert title.kind is Kind.TEXT and title.labels == ("VP Sales",) and title.errors == 1
    assert title.codes.tolist() == [0, -1, -1] and title.present.tolist() == [True, False, False]
    size = table.column("SIZE")
    assert size.kind is Kind.NUMBER and size.num[0] == 500.0 and math.isnan(size.num[1]) and size.num[2] == 7.0
    assert table.column("active").kind is Kind.BOOL
    assert table.column("active").num[:2].tolist() == [1.0, 0.0]
    created = table.column("Created")
    assert created.kind is Kind.DATE
    assert created.num[0] == pytest.approx(to_serial(when)) and created.num[1] == 46000.0
    mixed = table.column("Mixed")
    assert mixed.kind is Kind.MIXED and mixed.num[0] == 3.0 and mixed.labels == ("n/a text",) and mixed.errors == 1
    assert table.column("Blank").kind is Kind.EMPTY and not table.column("Blank").present.any()


def test_date_column_from_datetimes() -> None:
    days = [dt.datetime(2026, 1, d) for d in (1, 2, 1)] + [None]
    col = convert_column("Created", days)
    assert col.kind is Kind.DATE
    assert col.num[:3].tolist() == [46023.0, 46024.0, 46023.0]  # Excel: =DATE(2026,1,1) is 46023


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([["Email", "email "], [1, 2]], 'Leads columns 1 and 2 are both headed "email"'),
        ([["Email", None, "Size"], [1, 2, 3]], "Leads column 2 has an empty header"),
        ([], "The Leads range is empty"),
    ],
)
def test_header_errors(values: list, message: str) -> None:
    with pytest.raises(TableError, match=message):
        read_table(values)


def test_trailing_blank_header_column_is_ignored_and_missing_column_suggests() -> None:
    table = read_table([["Job Title", None], ["VP", None]])
    assert table.headers == ("Job Title",)
    with pytest.raises(TableError, match='column "Job Titel" is not a Leads column; did you mean "Job Title"'):
        table.index("Job Titel")


def test_filled_marks_trailing_blank_rows() -> None:
    table = read_table([["a"], [1.0], [None], ["  "], [None]])
    assert len(table) == 4 and table.filled == 1


cells = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(-1000, 1000),
    st.booleans(),
    st.sampled_from(["VP", " vp ", "Director", "", "  ", "#N/A", "Retail", "5"]),
    st.datetimes(min_value=dt.datetime(1899, 12, 31), max_value=dt.datetime(2100, 1, 1)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(cells, min_size=1, max_size=30))
def test_column_agrees_with_cell_parts(values: list) -> None:
    """The vectorised column holds, cell by cell, what cell_parts says of that cell."""
    col = convert_column("x", values)
    for i, v in enumerate(values):
        number, key = cell_parts(v)
        got_num = col.num[i] if col.num is not None else math.nan
        got_key = col.keys[col.codes[i]] if col.codes is not None and col.codes[i] >= 0 else None
        assert got_key == key
        assert (math.isnan(got_num) and math.isnan(number)) or got_num == number
    assert col.present.tolist() == [cell_parts(v) != (cell_parts(None)[0], None) and not (
        math.isnan(cell_parts(v)[0]) and cell_parts(v)[1] is None) for v in values]
    assert np.count_nonzero(col.present) + sum(
        1 for v in values if math.isnan(cell_parts(v)[0]) and cell_parts(v)[1] is None
    ) == len(values)


def test_levels_merge_case_and_numbers_as_text() -> None:
    from leadscore_xl.sheet.table import levels

    col = convert_column("Rank", [" Retail", "retail ", 2.0, "2", None, "#N/A", 1.0, "RETAIL"])
    codes, values = levels(col)
    assert values == ("Retail", "2", 1.0)
    assert codes.tolist() == [0, 0, 1, 1, -1, -1, 2, 0]
