"""Excel-shaped values -> typed columns.

The input is exactly what xlwings hands a function for a range: a header row plus
rows (or a 1-D list, or a scalar, for a one-row or one-cell range) holding ``None``
for blanks, floats for numbers, bools, strings with stray spaces, datetimes (classic
xlwings) or date serials (Lite/Server), and error cells as ``None`` or strings such
as ``"#N/A"``.

A :class:`Table` converts a column (see :mod:`leadscore_xl.sheet.column`) only when it is
first asked for, and keeps it: scoring reads just the columns its rules use.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any

import numpy as np

from leadscore_xl.sheet.column import (
    ERROR_VALUES,
    Column,
    Kind,
    canonical_text,
    cell_parts,
    convert_column,
    float_or_nan,
    infinite,
    text_number,
    is_blank,
    levels,
    no_gc,
    norm,
    truth,
)
from leadscore_xl.errors import InputError, TableError, row_list

__all__ = [
    "ERROR_VALUES",
    "Column",
    "Kind",
    "Table",
    "as_rows",
    "canonical_text",
    "column_letters",
    "cell_parts",
    "convert_column",
    "float_or_nan",
    "infinite",
    "text_number",
    "header_text",
    "is_blank",
    "levels",
    "no_gc",
    "norm",
    "not_a_column",
    "read_table",
    "suggest",
    "truth",
]

@dataclass(frozen=True, eq=False)
class Table:
    """A header row and data rows, with lazily typed columns."""

    name: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Any]]
    header_row: int = 1
    _cache: dict[int, Column] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {norm(h): i for i, h in enumerate(self.headers)}

    def find(self, name: str) -> int | None:
        """Position of a column, matched trimmed and case-insensitively, or None."""
        return self._index.get(norm(name))

    def index(self, name: str, role: str | None = None) -> int:
        """Position of a column; a TableError with a did-you-mean when absent."""
        i = self.find(name)
        if i is None:
            raise TableError(self.missing_message(name, role))
        return i

    def missing_message(self, name: str, role: str | None = None) -> str:
        return not_a_column(name, self.headers, self.name, role)

    def column(self, key: str | int) -> Column:
        """The typed column for a header name or position (converted once, cached)."""
        i = key if isinstance(key, int) else self.index(key)
        col = self._cache.get(i)
        if col is None:
            with no_gc():
                values = list(map(itemgetter(i), self.rows))
                col = convert_column(self.headers[i], values)
            rows, words = infinite(col.num)
            if rows.size:
                where = row_list([self.row_number(int(r)) for r in rows])
                raise InputError(f'{self.name} column "{col.name}" {where}: {words}')
            self._cache[i] = col
        return col

    @cached_property
    def filled(self) -> int:
        """Rows up to the last one with any non-blank cell (a whole-column reference
        brings a million blank rows, which get blank outputs)."""
        end = len(self.rows)
        while end and all(map(is_blank, self.rows[end - 1])):
            end -= 1
        return end

    def row_number(self, i: int) -> int:
        """The sheet row of data row ``i`` (0-based), counting the header as row 1."""
        return self.header_row + 1 + i

    def select(self, keep: np.ndarray) -> Table:
        """A table of the rows where ``keep`` is True (same headers and header row)."""
        rows = [self.rows[i] for i in np.flatnonzero(keep)]
        return Table(self.name, self.headers, rows, self.header_row)


def column_letters(col: int) -> str:
    """Excel column letters of a 1-based column number: 28 -> "AB"."""
    out = ""
    while col:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out


def not_a_column(name: str, headers: Sequence[str], sheet: str, role: str | None = None) -> str:
    """``attribute "Job Titel" is not a Leads column; did you mean "Job Title"?``"""
    what = f'{role} "{name}"' if role else f'column "{name}"'
    guess = suggest(name, headers)
    hint = f'did you mean "{guess}"?' if guess else "the columns are " + ", ".join(f'"{h}"' for h in headers[:12])
    return f"{what} is not a {sheet} column; {hint}"


def suggest(name: str, choices: Sequence[str]) -> str | None:
    """The closest header to a misspelt name, compared trimmed and case-folded."""
    keys = {norm(c): c for c in choices}
    match = difflib.get_close_matches(norm(name), list(keys), n=1, cutoff=0.6)
    return keys[match[0]] if match else None


def as_rows(values: Any) -> list[list[Any]]:
    """A scalar or a 1-D list (one-cell or one-row range) as a 2-D list."""
    if isinstance(values, (list, tuple)):
        if not values:
            return []
        if isinstance(values[0], (list, tuple)):
            return values  # type: ignore[return-value]
        return [list(values)]
    return [[values]]


def read_table(values: Any, name: str = "Leads", header_row: int = 1) -> Table:
    """Read a range with its header row into a :class:`Table`.

    Trailing columns with a blank header and no data are ignored (a whole-row
    reference brings them). Every other header must be unique and non-blank; matching
    is trimmed and case-insensitive. Rows are kept as given, so that results line up
    with the input; :attr:`Table.filled` tells where the trailing blank rows start.
    """
    rows = as_rows(values)
    if not rows:
        raise TableError(f"The {name} range is empty; select the table with its header row")
    lengths = set(map(len, rows))
    width = max(lengths)
    if len(lengths) > 1:
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    body = rows[1:]
    headers = _headers(rows[0], body, name)
    if len(headers) < width:
        body = [r[: len(headers)] for r in body]
    return Table(name, headers, body, header_row)


def header_text(value: object) -> str:
    """A header (or any label) cell as text: trimmed, numbers without ".0", dates as ISO."""
    if isinstance(value, float):
        return canonical_text(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return "" if value is None else " ".join(str(value).split())


def _headers(raw: Sequence[Any], body: Sequence[Sequence[Any]], name: str) -> tuple[str, ...]:
    headers = [header_text(v) for v in raw]
    while headers and not headers[-1] and all(r[len(headers) - 1] is None for r in body):
        headers.pop()
    if not headers:
        raise TableError(f"The {name} range has no header row; include the headers in the range")
    seen: dict[str, int] = {}
    for i, h in enumerate(headers, start=1):
        if not h:
            raise TableError(
                f"{name} column {i} has an empty header; type a column name in it "
                "or leave the column out of the range"
            )
        key = norm(h)
        if key in seen:
            raise TableError(
                f'{name} columns {seen[key]} and {i} are both headed "{h}" (headers are '
                "matched ignoring case and spaces); rename one of them"
            )
        seen[key] = i
    return tuple(headers)
