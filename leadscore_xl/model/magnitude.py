"""Numbers too large to fit.

A CSV can hold 1e308 where a spreadsheet user meant a blank or a smaller unit. The fit
squares its columns (the information matrix ``X'WX``, the standardisation), and squares
above about 1.8e308 overflow to inf, so a column whose values pass ``LIMIT`` cannot be
fitted at all: the fit would give blank coefficients and call itself fitted. Such a
column is named, with its rows as the user sees them, before the fit; an estimate that
is not finite for any other reason is reported the same way, naming the column of the
largest values.
"""

from __future__ import annotations

import numpy as np

from leadscore_xl.errors import ModelError, row_list
from leadscore_xl.model.design import Design
from leadscore_xl.model.estimate import TOO_LARGE as LIMIT
from leadscore_xl.sheet.table import Table

__all__ = ["LIMIT", "check_estimates", "check_magnitudes"]


def _numeric(design: Design, table: Table) -> list[tuple[str, np.ndarray]]:
    """(column name, its values on the Deals rows) of each numeric term of the design."""
    out = []
    for term in design.terms[1:]:
        if term.level is None:
            col = table.column(term.variable)
            out.append((col.name, np.abs(np.nan_to_num(col.numbers, nan=0.0))))
    return out


def _message(table: Table, name: str, size: np.ndarray, rows: np.ndarray) -> str:
    where = row_list([table.row_number(int(i)) for i in rows])
    return (
        f'{table.name} column "{name}" holds values too large to fit (up to {float(size.max()):.3g}, in {where}); '
        "enter it in a larger unit (e.g. thousands or millions), correct those cells, or leave the column out "
        "of the Features"
    )


def check_magnitudes(design: Design, table: Table) -> None:
    """A ModelError naming the first numeric column with values beyond ``LIMIT`` and their rows."""
    for name, size in _numeric(design, table):
        rows = np.flatnonzero(size > LIMIT)
        if rows.size:
            raise ModelError(_message(table, name, size, rows))


def check_estimates(params: np.ndarray, cov: np.ndarray, design: Design, table: Table) -> None:
    """A ModelError when a coefficient or its covariance is not a finite number, naming the
    numeric column with the largest values (and the rows of its 5 largest)."""
    if np.all(np.isfinite(params)) and np.all(np.isfinite(cov)):
        return
    numeric = _numeric(design, table)
    if not numeric:
        raise ModelError(
            "The fit gave coefficients that are not finite numbers; check the Deals for extreme or "
            "inconsistent values, or use fewer features"
        )
    name, size = max(numeric, key=lambda pair: float(pair[1].max()))
    raise ModelError(_message(table, name, size, np.sort(np.argsort(-size, kind="stable")[:5])))
