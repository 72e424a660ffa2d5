"""Number formats of the refresh's own sheets, chosen from headers and values (pure).

A block has one format per column (:func:`percent_formats`, from its header); two
of them depend on the value in each cell, so that what finance reads is never a
misleading ``0.0000``:

* :data:`DECIMALS` (coefficients, standard errors, p-values, odds ratios): four
  decimals, but a non-zero value under 0.001 in magnitude (Annual Revenue's
  coefficient of 2e-10) in scientific notation, ``2.00E-10``;
* :data:`BY_VALUE` (the Value column of Statistic | Value blocks): whole numbers
  as they are, other numbers as above, a date at midnight as ``yyyy-mm-dd`` and a
  timestamp as ``yyyy-mm-dd hh:mm``; text and booleans keep Excel's General.

:func:`format_runs` turns a block into runs of equal formats down each column,
so the live adapter sets a format on a range, not on each cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from leadscore_xl.sheet.table import norm

__all__ = ["BY_VALUE", "DATE", "DECIMALS", "SCIENTIFIC", "TIMESTAMP", "cell_format", "format_runs", "percent_formats"]

DECIMALS = "0.0000"
SCIENTIFIC = "0.00E+00"
DATE = "yyyy-mm-dd"
TIMESTAMP = "yyyy-mm-dd hh:mm"
BY_VALUE = "by value"  # not a number format: the marker of a column formatted cell by cell
SMALL = 0.001

_PERCENT_WORDS = ("rate", "share", "probability", "predicted", "chance", "perfect calibration")
_FOUR_DECIMALS = frozenset({"coef", "std. err.", "z", "p>|z|", "ci 2.5 %", "ci 97.5 %", "odds ratio",
                            "or ci low", "or ci high", "woe", "iv"})  # fmt: skip


def percent_formats(header: Sequence[Any]) -> tuple[str | None, ...]:
    """Number formats from header names: rates, shares and probabilities as percentages,
    model statistics with four decimals, a Value column by value."""
    out: list[str | None] = []
    for h in header:
        key = norm(str(h)) if h is not None else ""
        if any(word in key for word in _PERCENT_WORDS):
            out.append("0.0%")
        elif key in ("lift", "mean score"):
            out.append("0.00")
        elif key in _FOUR_DECIMALS:
            out.append(DECIMALS)
        elif key == "value":
            out.append(BY_VALUE)
        else:
            out.append(None)
    return tuple(out)


def cell_format(column_format: str | None, value: Any) -> str | None:
    """The number format of one cell of a column formatted ``column_format`` (None: General)."""
    if column_format is None or value is None or isinstance(value, (str, bool)):
        return None
    if column_format == BY_VALUE:
        if isinstance(value, dt.datetime):
            return DATE if value.time() == dt.time(0) else TIMESTAMP
        if isinstance(value, dt.date):
            return DATE
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
            return None
        column_format = DECIMALS
    if column_format == DECIMALS and isinstance(value, (int, float)) and value and abs(value) < SMALL:
        return SCIENTIFIC
    return column_format


def format_runs(rows: Sequence[Sequence[Any]], formats: Sequence[str | None]) -> list[tuple[int, int, int, str]]:
    """(first row, last row, column, format) for each run of equal formats down a column,
    over the data rows (``rows[0]`` is the header, never formatted). Indexes are 0-based
    into ``rows``; cells without a format are left out."""
    runs: list[tuple[int, int, int, str]] = []
    for j, column_format in enumerate(formats):
        if column_format is None:
            continue
        start, current = 0, None
        for i in range(1, len(rows) + 1):
            fmt = cell_format(column_format, rows[i][j] if j < len(rows[i]) else None) if i < len(rows) else None
            if fmt != current:
                if current is not None:
                    runs.append((start, i - 1, j, current))
                start, current = i, fmt
    return runs
