"""Outcome values of past deals: Won/Lost, Yes/No, TRUE/FALSE, 1/0, Converted/Not converted.

The one place that knows which cell values are outcomes. Callers name the location
(sheet and rows as the analyst sees them) in their own messages.
"""

from __future__ import annotations

import numpy as np

from leadscore_xl.errors import OutcomeError, quote, row_list
from leadscore_xl.sheet.table import Column, Table, norm

__all__ = ["OUTCOME_HINT", "OUTCOME_WORDS", "bad_outcomes", "outcome_values", "outcome_vector"]

OUTCOME_WORDS: dict[str, float] = {
    "won": 1.0, "lost": 0.0, "yes": 1.0, "no": 0.0, "true": 1.0, "false": 0.0,
    "converted": 1.0, "not converted": 0.0, "1": 1.0, "0": 0.0,
}  # fmt: skip
OUTCOME_HINT = "use Won/Lost, Yes/No, TRUE/FALSE, 1/0 or Converted/Not converted"


def outcome_values(column: Column) -> tuple[np.ndarray, np.ndarray]:
    """(1.0 for won, 0.0 for lost, NaN for blank) and a mask of cells that are no outcome.

    Text is matched trimmed and case-insensitively; TRUE/FALSE cells count as 1/0."""
    y = np.full(len(column), np.nan)
    bad = np.zeros(len(column), dtype=bool)
    if column.num is not None:
        has = ~np.isnan(column.num)
        ok = has & ((column.num == 0.0) | (column.num == 1.0))
        y[ok] = column.num[ok]
        bad |= has & ~ok
    if column.codes is not None:
        lookup = np.array([OUTCOME_WORDS.get(k, -1.0) for k in column.keys] + [np.nan])
        mapped = lookup[column.codes]
        text = column.codes >= 0
        y[text] = mapped[text]
        bad |= mapped == -1.0
        y[bad] = np.nan
    return y, bad


def bad_outcomes(column: Column, bad: np.ndarray, name_column: bool = True) -> str:
    """``outcome "Maybe", "Perhaps" and "2" in column "Won" are not outcomes; use ...``."""
    values_by_key: dict[str, str] = {}
    for i in np.flatnonzero(bad)[:200]:
        values_by_key.setdefault(norm(str(column.value(i))), quote(column.value(i)))
    shown = list(values_by_key.values())
    if len(shown) == 1:
        values = shown[0]
    elif len(shown) <= 3:
        values = ", ".join(shown[:-1]) + " and " + shown[-1]
    else:
        values = ", ".join(shown[:3]) + " and others"
    verb = "is not an outcome" if len(shown) == 1 else "are not outcomes"
    where = f' in column "{column.name}"' if name_column else ""
    return f"outcome {values}{where} {verb}; {OUTCOME_HINT}"


def outcome_vector(table: Table, name: str) -> tuple[np.ndarray, str]:
    """The outcome as 1.0/0.0, NaN where blank; an OutcomeError naming rows of bad values."""
    col = table.column(table.index(name, "outcome column"))
    y, bad = outcome_values(col)
    if bad.any():
        rows = [table.row_number(i) for i in np.flatnonzero(bad)]
        raise OutcomeError(f"{table.name} {row_list(rows)}: {bad_outcomes(col, bad)} (leave open deals blank)")
    return y, col.name
