"""The Model sheet's "Per" column: effects of per-unit variables in a step a reviewer can read (pure).

Annual Revenue's coefficient is per dollar, so its odds ratio is ``1.0000`` to four
decimals. The Model sheet keeps the coefficient per unit (the table is still the model:
``LEADPROBS`` and the Probability formulas read Coef) and adds a **Per** column: 1 for a
variable whose values span at most :data:`SMALL_RANGE`, else the power of ten nearest
one standard deviation (Budget: 100,000). Odds ratio and its CI are then for that step,
``exp(coef x per)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from leadscore_xl.sheet.table import Kind, Table, norm

__all__ = ["SMALL_RANGE", "per_step", "steps", "with_per_column"]

SMALL_RANGE = 100.0
_AFTER = "ci 97.5 %"
_ODDS = ("odds ratio", "or ci low", "or ci high")
_FROM = {"odds ratio": "coef", "or ci low": "ci 2.5 %", "or ci high": "ci 97.5 %"}


def per_step(values: np.ndarray) -> float:
    """1 for a small range, else the power of ten nearest the standard deviation."""
    values = values[~np.isnan(values)]
    if values.size < 2 or float(values.max() - values.min()) <= SMALL_RANGE:
        return 1.0
    sd = float(values.std(ddof=1))
    return 1.0 if sd <= 0 else float(10.0 ** round(math.log10(sd)))


def steps(deals: Table, variables: Sequence[Any], as_of: float) -> dict[str, float]:
    """The step of each numeric (or date-age) model variable, from the Deals it was fitted on."""
    out: dict[str, float] = {}
    for var in variables:
        if var.kind == "categories":
            continue
        i = deals.find(var.name)
        if i is None:
            continue
        col = deals.column(i)
        values = col.numbers
        if var.kind == "date" or (var.kind == "auto" and col.kind is Kind.DATE):
            values = as_of - values
        out[norm(var.name)] = per_step(values)
    return out


def with_per_column(rows: Sequence[Sequence[Any]], per: Mapping[str, float]) -> list[list[Any]]:
    """The coefficient table with "Per" after the CI, and odds ratios for that step."""
    header = [str(h) for h in rows[0]]
    keys = [norm(h) for h in header]
    if _AFTER not in keys:
        return [list(r) for r in rows]
    at = keys.index(_AFTER) + 1
    index = {k: j for j, k in enumerate(keys)}
    out = [header[:at] + ["Per"] + header[at:]]
    for row in rows[1:]:
        row = list(row)
        level = row[index["level"]] if "level" in index else None
        variable = norm(str(row[index["variable"]])) if "variable" in index else ""
        step = per.get(variable, 1.0) if level in (None, "") and variable != "intercept" else None
        if step not in (None, 1.0):
            for name in _ODDS:
                if name in index and isinstance(row[index[_FROM[name]]], (int, float)):
                    row[index[name]] = float(np.exp(row[index[_FROM[name]]] * step))
        out.append(row[:at] + [step] + row[at:])
    return out
