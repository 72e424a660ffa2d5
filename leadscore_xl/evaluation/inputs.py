"""Column ranges -> aligned numpy arrays for the evaluation functions.

The evaluation functions take single-column ranges (``Deals[Outcome]``, ``Deals[Score]``)
rather than a whole table. Every range of one call must be selected the same way: all
with their header row (``Deals[[#All],[Outcome]]``) or all without. The header is
decided from all the columns passed together: a first cell holding text that is not an
outcome (for outcomes) or not a number and not ``UNSCORED`` (for scores) is a header,
and so is any text above a column of numbers (or TRUE/FALSE): "Score" above scores,
"Won" above 1/0. Then every column has its header. An outcome column titled with an
outcome word ("Won") above Won/Lost text, or a text label above text labels, follows
the other columns. Trailing rows blank in every column (a whole-column reference) are ignored.
Row numbers in messages count the range's first cell as row 1, so for a table whose
header sits in sheet row 1 and whose ranges include it they are the sheet's rows.

Outcomes are Won/Lost, Yes/No, TRUE/FALSE, 1/0 or Converted/Not converted in any case.
Blank outcomes, blank or ``UNSCORED`` scores and error cells become NaN: the core leaves
those rows out and counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from leadscore_xl.errors import InputError, OutcomeError, quote, row_list
from leadscore_xl.sheet.outcome import OUTCOME_WORDS, bad_outcomes, outcome_values
from leadscore_xl.settings import UNSCORED
from leadscore_xl.sheet.table import Column, as_rows, convert_column, infinite, is_blank, norm

__all__ = ["Inputs", "Spec", "one_column", "parse_numbers", "parse_outcomes", "read_inputs"]

_UNSCORED = norm(UNSCORED)


@dataclass(frozen=True)
class Spec:
    """One range argument: its role (e.g. "scores"), kind ("outcome", "number",
    "probability" or "label") and raw value (None = argument left out)."""

    role: str
    kind: str
    raw: Any


@dataclass(frozen=True, eq=False)
class Inputs:
    """Aligned columns of one call: float arrays (NaN = left out) and label columns.

    ``length`` counts the data rows up to the last non-blank one; ``rows_given`` all the
    rows selected below the header."""

    header: bool
    names: dict[str, str]
    arrays: dict[str, np.ndarray]
    labels: dict[str, Column]
    length: int
    rows_given: int = 0

    def row(self, i: int) -> int:
        """The range row of data row ``i`` (0-based), counting the first cell as row 1."""
        return i + 1 + int(self.header)

    def name(self, role: str, default: str) -> str:
        return self.names.get(role) or default


def one_column(raw: Any, role: str) -> list[Any]:
    """The cells of a one-column (or one-row) range as a flat list."""
    rows = as_rows(raw)
    if not rows:
        return []
    width = max(len(r) for r in rows)
    if width == 1:
        return [r[0] if r else None for r in rows]
    if len(rows) == 1:
        return list(rows[0])
    raise InputError(
        f"The {role} range has {width} columns; select a single column, e.g. Deals[Outcome] or Deals[Score]"
    )


def _header_vote(column: list[Any], kind: str) -> bool | None:
    """True if the first cell must be a header cell, False if it is data, None if unknown."""
    first = column[0]
    if not isinstance(first, str) or is_blank(first):
        return None if kind == "label" else False
    if _text_above_numbers(column, kind == "outcome"):
        return True
    if kind == "label":
        return None
    key = norm(first)
    if kind == "outcome":  # a header titled "Won" or "Converted" is left to the other columns
        return None if key in OUTCOME_WORDS else True
    if key == _UNSCORED:
        return False
    try:
        float(first)
    except ValueError:
        return True
    return False


def _text_above_numbers(column: list[Any], outcome: bool) -> bool:
    """A text first cell (not a number written as text) above cells that are all numbers,
    TRUE/FALSE or blank, at least one of them filled (for outcomes: all 1/0 or TRUE/FALSE)."""
    if norm(column[0]) == _UNSCORED:
        return False
    try:
        float(column[0])
        return False
    except ValueError:
        pass
    rest = [c for c in column[1:] if not is_blank(c)]
    if outcome:
        return bool(rest) and all(isinstance(c, (int, float)) and c in (0, 1) for c in rest)
    return bool(rest) and all(isinstance(c, (int, float)) for c in rest)


def _decide_header(cells: dict[str, list[Any]], specs: Sequence[Spec]) -> bool:
    votes = {s.role: _header_vote(cells[s.role], s.kind) for s in specs if cells[s.role]}
    decided = {role: v for role, v in votes.items() if v is not None}
    if len(set(decided.values())) > 1:
        with_h = [r for r, v in decided.items() if v]
        without = [r for r, v in decided.items() if not v]
        raise InputError(
            f"The {', '.join(with_h)} range starts with a header ({quote(cells[with_h[0]][0])}) but the "
            f"{', '.join(without)} range does not; select every range with its header row or every range without"
        )
    return any(decided.values())


def read_inputs(specs: Sequence[Spec], header: bool | None = None) -> Inputs:
    """Read the given ranges (``raw`` None = argument left out) into aligned columns;
    ``header`` None recognises the header row, True/False says whether there is one."""
    given = [s for s in specs if s.raw is not None]
    cells = {s.role: one_column(s.raw, s.role) for s in given}
    if header is None:
        header = _decide_header(cells, given)
    names: dict[str, str] = {}
    if header:
        for s in given:
            first = cells[s.role][0] if cells[s.role] else None
            names[s.role] = "" if is_blank(first) else " ".join(str(first).split())
            cells[s.role] = cells[s.role][1:]
    lengths = {s.role: len(cells[s.role]) for s in given}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{role} {n}" for role, n in lengths.items())
        raise InputError(f"The ranges must have the same number of rows, but they have {shown}; select the same rows of each column")
    length = _filled(cells)
    if length == 0:
        raise InputError("The ranges hold no data rows; select the columns with their rows, e.g. Deals[Outcome]")
    inputs = Inputs(header, names, {}, {}, length, next(iter(lengths.values())))
    for s in given:
        column = convert_column(names.get(s.role) or s.role, cells[s.role][:length])
        if s.kind == "label":
            inputs.labels[s.role] = column
        elif s.kind == "outcome":
            inputs.arrays[s.role] = parse_outcomes(column, inputs, s.role)
        else:
            inputs.arrays[s.role] = parse_numbers(column, inputs, s.role, s.kind == "probability")
    return inputs


def _filled(cells: dict[str, list[Any]]) -> int:
    """Rows up to the last one with any non-blank cell: a whole-column reference brings
    a million blank rows, which are neither data nor rows left out."""
    end = max((len(c) for c in cells.values()), default=0)
    while end and all(is_blank(c[end - 1]) for c in cells.values()):
        end -= 1
    return end


def _where(inputs: Inputs, role: str, rows: list[int]) -> str:
    name = inputs.names.get(role)
    label = f'Column "{name}"' if name else f"The {role} range"
    return f"{label} {row_list([inputs.row(i) for i in rows])}"


def _bad_values(column: Column, bad: np.ndarray, singular: str, plural: str) -> str:
    """The distinct bad values (at most 3 shown) with the verb that fits their number:
    '"x" is not a number' or '"x", "y" are not numbers'."""
    shown = list(dict.fromkeys(quote(column.value(i)) for i in np.flatnonzero(bad)[:50]))
    text = ", ".join(shown[:3]) + (" ..." if len(shown) > 3 else "")
    return f"{text} is not {singular}" if len(shown) == 1 else f"{text} are not {plural}"


def parse_outcomes(column: Column, inputs: Inputs, role: str = "outcomes") -> np.ndarray:
    """1.0 for won, 0.0 for lost, NaN for blank; an OutcomeError naming the bad rows."""
    y, bad = outcome_values(column)
    if bad.any():
        raise OutcomeError(f"{_where(inputs, role, np.flatnonzero(bad).tolist())}: {bad_outcomes(column, bad, name_column=False)}")
    return y


def parse_numbers(column: Column, inputs: Inputs, role: str, probability: bool = False) -> np.ndarray:
    """Numbers as float64; blank, error and UNSCORED cells as NaN; other text is an error."""
    x = column.numbers.copy()
    rows, words = infinite(column.num)
    if rows.size:
        raise InputError(f"{_where(inputs, role, rows.tolist())}: {words}")
    if column.codes is not None:
        text = column.codes >= 0
        unscored = np.array([k == _UNSCORED for k in column.keys] + [False])[column.codes]
        bad = text & ~unscored
        if bad.any():
            rows = np.flatnonzero(bad).tolist()
            raise InputError(
                f"{_where(inputs, role, rows)}: {_bad_values(column, bad, 'a number', 'numbers')}; "
                f"pass the {role} column (blank and {UNSCORED} cells are left out)"
            )
        x[text] = np.nan
    if probability:
        outside = ~np.isnan(x) & ((x < 0.0) | (x > 1.0))
        if outside.any():
            rows = np.flatnonzero(outside).tolist()
            raise InputError(
                f"{_where(inputs, role, rows)}: "
                f"{_bad_values(column, outside, 'a probability between 0 and 1', 'probabilities between 0 and 1')}; "
                "pass conversion probabilities (e.g. from LEADPROBS), not scores"
            )
    return x
