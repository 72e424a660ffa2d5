"""Reading a Deals table for close rates: the outcome column and the attribute columns.

By default every column but the outcome is an attribute, except empty columns and those
that look like identifiers: text with a different value on most rows (more than 10
distinct values covering more than half of the filled rows: IDs, e-mails) and number
columns headed "ID". Named attributes are always used.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from leadscore_xl.sheet.outcome import outcome_vector
from leadscore_xl.errors import InputError, quote
from leadscore_xl.sheet.table import Column, Kind, Table, as_rows, is_blank, norm

__all__ = ["pick_attributes", "read_outcomes", "whole_number"]


def whole_number(value: Any, what: str, default: int, minimum: int = 1) -> int:
    """An optional whole-number argument (blank -> ``default``)."""
    if is_blank(value):
        return default
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            pass
    if not (math.isfinite(number) and number == int(number) and number >= minimum):
        raise InputError(f"{what} {quote(value)} is not a whole number of at least {minimum}; type e.g. 10")
    return int(number)


def _name(value: Any, what: str) -> str:
    rows = as_rows(value)
    cell = rows[0][0] if rows and rows[0] else None
    if is_blank(cell):
        raise InputError(f'The {what} is blank; give the Deals column that holds Won/Lost, e.g. "Outcome"')
    return " ".join(str(cell).split())


def read_outcomes(table: Table, outcome: Any) -> tuple[int, np.ndarray]:
    """The outcome column's position and 1.0 (won) / 0.0 (lost) / NaN (blank) per row,
    parsed as the logit parses it (:func:`leadscore_xl.sheet.outcome.outcome_vector`)."""
    index = table.index(_name(outcome, "outcome column"), "outcome column")
    return index, outcome_vector(table, table.headers[index])[0]


def _attribute_list(value: Any) -> list[str]:
    names: list[str] = []
    for row in as_rows(value):
        for cell in row:
            if not is_blank(cell):
                names += [p.strip() for p in str(cell).split(";") if p.strip()]
    return names


def _identifier_like(col: Column) -> bool:
    """A different value on most rows (IDs, e-mails), or a number column headed ID."""
    if col.kind == Kind.NUMBER:
        key = norm(col.name)
        return key == "id" or key.endswith((" id", "_id"))
    if col.kind not in (Kind.TEXT, Kind.MIXED):
        return False
    distinct = len(set(col.keys))
    return distinct > 10 and distinct > 0.5 * int(np.count_nonzero(col.present))


def pick_attributes(table: Table, outcome_index: int, attributes: Any) -> tuple[list[int], list[str]]:
    """Columns to profile, and the names of those skipped by default."""
    names = _attribute_list(attributes)
    if names:
        picked = [table.index(n, "attribute") for n in names]
        if outcome_index in picked:
            raise InputError(f'Attributes: "{table.headers[outcome_index]}" is the outcome column; leave it out of the attributes')
        return list(dict.fromkeys(picked)), []
    picked, skipped = [], []
    for i in range(len(table.headers)):
        if i == outcome_index or table.column(i).kind == Kind.EMPTY:
            continue
        (skipped if _identifier_like(table.column(i)) else picked).append(i)
    return picked, [table.headers[i] for i in skipped]
