"""Number formats, widths and alignment of the refresh's own sheets, chosen from headers
and values (pure).

A block has one format per column (:func:`column_formats`, from its header), chosen for
what the column holds:

=====================================  ==============================================
counts (Leads, Won, Decile ...)        ``#,##0``
money (Expected value)                 ``#,##0``
rates, shares, probabilities           ``0.0%``
scores (Mean score, Score from ...)    ``0.0``
lift                                   ``0.00``
AUC, Brier, F1 and similar statistics  ``0.000``
p-values                               ``0.0000``, and ``<0.0001`` below that (:data:`PVALUE`)
coefficients, standard errors, CIs     four significant digits (:data:`SIG4`, by value)
=====================================  ==============================================

Two markers choose the format cell by cell: :data:`SIG4` (``0.8261`` -> ``0.8261``,
``2.2e-10`` -> ``2.209E-10``, ``1228.6`` -> ``1,229``) and :data:`BY_VALUE`, the Value
column of Statistic | Value blocks, whose format follows the row's label (a p-value,
an AUC, a count) and the value (a date, a timestamp). Text and booleans keep General.

:func:`format_runs` turns a block into runs of equal formats down each column, so the
live adapter sets a format on a range, not on each cell. :func:`column_widths` sizes
columns to their header and their values as displayed (capped; longer text wraps), and
:func:`numeric_columns` says which headers to right-align over their numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from leadscore_xl.sheet.table import norm

__all__ = ["BY_VALUE", "COUNT", "DATE", "MONEY", "PERCENT", "PVALUE", "SCORE", "SIG4", "STATISTIC", "TIMESTAMP",
           "WIDTH_CAP", "PageSetup", "block_texts", "cell_format", "header_lines", "text_lines", "column_formats", "column_widths", "display_text", "format_runs",
           "numeric_columns", "percent_formats"]  # fmt: skip

COUNT = MONEY = "#,##0"
PERCENT = "0.0%"
SCORE = "0.0"
LIFT = "0.00"
STATISTIC = "0.000"
PVALUE = '[<0.0001]"<0.0001";0.0000'
PER_WEEK = "#,##0.0"
DATE = "yyyy-mm-dd"
TIMESTAMP = "yyyy-mm-dd hh:mm"
SIG4 = "4 significant digits"  # markers, not number formats: formatted cell by cell
BY_VALUE = "by value"
WIDTH_CAP = 50  # characters; longer text wraps
MIN_WIDTH = 8

_PERCENT_WORDS = ("rate", "share", "probability", "predicted", "chance", "perfect calibration")
_BY_HEADER = {
    **dict.fromkeys(("leads", "won", "decile", "bin", "cum. leads", "cum. won", "leads worked", "won caught", "lost",
                     "n", "total", "1", "2", "3", "4", "unscored", "per", "events", "left out"), COUNT),
    **dict.fromkeys(("expected value", "expected value per week", "amount"), MONEY),
    **dict.fromkeys(("leads per week", "wins per week", "expected won"), PER_WEEK),
    **dict.fromkeys(("lift", "cum. lift", "no lift (1.0)", "over-representation"), LIFT),
    **dict.fromkeys(("mean score", "score", "score from", "score to", "from score", "from", "to",
                     "cut-off (score >=)", "cut-off"), SCORE),
    **dict.fromkeys(("f1", "youden j", "woe", "iv", "attribute iv", "auc", "z"), STATISTIC),
    **dict.fromkeys(("coef", "std. err.", "ci 2.5 %", "ci 97.5 %", "odds ratio", "or ci low", "or ci high",
                     "points", "points by lift"), SIG4),
    "p>|z|": PVALUE,
    "value": BY_VALUE,
}  # fmt: skip
_P_WORDS = ("p-value", "p value", "p>|z|")
_STAT_WORDS = frozenset({"auc", "brier", "loss", "r2", "gini", "err", "ci", "optimism", "difference", "f1", "youden",
                         "chi2", "likelihood", "aic", "bic", "mcfadden"})  # fmt: skip


def column_formats(header: Sequence[Any]) -> tuple[str | None, ...]:
    """One format (or marker) per column from its header name (None: General)."""
    out: list[str | None] = []
    for h in header:
        key = norm(str(h)) if h is not None else ""
        fmt = _BY_HEADER.get(key)
        if fmt is None and any(word in key for word in _PERCENT_WORDS):
            fmt = PERCENT
        elif fmt is None and (key.endswith(("date", " at")) or key == "rank"):
            fmt = BY_VALUE
        out.append(fmt)
    return tuple(out)


percent_formats = column_formats  # the former name


def _label_format(label: Any, value: float) -> str:
    """The format of a Value cell from its row's label: a p-value, a statistic, a count."""
    key = norm(str(label)) if label is not None else ""
    if any(word in key for word in _P_WORDS):
        return PVALUE
    if any(word in key for word in ("rate", "share")):
        return PERCENT
    if "per variable" in key:
        return SCORE
    if _STAT_WORDS & set(re.split(r"[^a-z0-9]+", key)):  # whole words: "ci" is not in "coefficients"
        return STATISTIC
    if float(value).is_integer() and abs(value) < 1e15:
        return COUNT
    return STATISTIC


def significant(value: float, digits: int = 4) -> str:
    """A number format showing ``value`` to ``digits`` significant digits."""
    if value == 0 or not math.isfinite(value):
        return "0"
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    if decimals > digits + 2:  # under 0.001: scientific, 2.209E-10
        return "0." + "0" * (digits - 1) + "E+00"
    return COUNT if decimals <= 0 else "0." + "0" * decimals


def cell_format(column_format: str | None, value: Any, label: Any = None) -> str | None:
    """The number format of one cell of a column formatted ``column_format`` (None: General);
    ``label`` is the row's first cell (the statistic a Value cell holds)."""
    if column_format is None or value is None or isinstance(value, (str, bool)):
        return None
    if column_format == BY_VALUE:
        if isinstance(value, dt.datetime):
            return DATE if value.time() == dt.time(0) else TIMESTAMP
        if isinstance(value, dt.date):
            return DATE
        if not isinstance(value, (int, float)):
            return None
        return _label_format(label, value)
    if column_format == SIG4:
        return significant(float(value)) if isinstance(value, (int, float)) else None
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
            fmt = None
            if i < len(rows) and j < len(rows[i]):
                fmt = cell_format(column_format, rows[i][j], rows[i][0] if rows[i] else None)
            if fmt != current:
                if current is not None:
                    runs.append((start, i - 1, j, current))
                start, current = i, fmt
    return runs


def display_text(fmt: str | None, value: Any) -> str:
    """About what a cell shows with this number format: for sizing its column."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return "2026-03-31 00:00" if fmt != DATE else "2026-03-31"
    if isinstance(value, dt.date):
        return "2026-03-31"
    if not isinstance(value, (int, float)) or isinstance(value, str):
        return str(value)
    if not math.isfinite(value):
        return ""
    if fmt is None:
        return f"{value:.10g}"
    if fmt == PVALUE:
        return "<0.0001"
    if fmt == PERCENT:
        return f"{value:.1%}"
    if "E+" in fmt:
        return f"{value:.3E}"
    decimals = len(fmt.split(".")[1]) if "." in fmt else 0
    return f"{value:,.{decimals}f}" if "," in fmt else f"{value:.{decimals}f}"


def text_lines(text: str, width: float) -> int:
    """About how many lines ``text`` wraps onto in a column ``width`` characters wide."""
    usable = max(int(width) - 2, 1)
    return sum(max(1, math.ceil(len(line) / usable)) for line in text.split("\n"))


def column_widths(cells: Iterable[tuple[int, str]]) -> dict[int, float]:
    """Width per column from (column, displayed text) pairs: the longest text plus a
    margin, at least :data:`MIN_WIDTH`, at most :data:`WIDTH_CAP` (longer text wraps)."""
    widths: dict[int, float] = {}
    for col, text in cells:
        longest = max((len(line) for line in text.split("\n")), default=0)
        widths[col] = max(widths.get(col, MIN_WIDTH), min(longest + 2, WIDTH_CAP))
    return widths


def header_lines(text: str) -> str:
    """A header as it wraps onto at most two lines in a column sized to its values."""
    words = text.split()
    if len(text) <= 12 or len(words) < 2:
        return text
    best = min(range(1, len(words)), key=lambda k: max(len(" ".join(words[:k])), len(" ".join(words[k:]))))
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


def block_texts(rows: Sequence[Sequence[Any]], formats: Sequence[str | None], col: int = 1) -> list[tuple[int, str]]:
    """(sheet column, displayed text) of every cell of a block whose first column is ``col``;
    headers count as wrapped onto two lines."""
    out: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if not i:
                out.append((col + j, header_lines("" if value is None else str(value))))
                continue
            fmt = cell_format(formats[j], value, row[0] if row else None) if j < len(formats) else None
            out.append((col + j, display_text(fmt, value)))
    return out


def numeric_columns(rows: Sequence[Sequence[Any]]) -> list[bool]:
    """Per column, whether most of its filled data cells are numbers (its header is then
    right-aligned, as Excel aligns the numbers under it)."""
    width = max((len(r) for r in rows), default=0)
    out = []
    for j in range(width):
        values = [r[j] for r in rows[1:] if j < len(r) and r[j] is not None]
        numbers = sum(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        out.append(bool(values) and numbers * 2 > len(values))
    return out


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: landscape, one page wide, ``title_rows`` (e.g. ``"1:1"``)
    repeated on every page, the ``area`` (e.g. ``"A1:M45"``) and panes frozen at ``freeze``
    (e.g. ``"A2"``: under the header row), each None to leave it as it is."""

    area: str | None
    title_rows: str | None = None
    freeze: str | None = None
