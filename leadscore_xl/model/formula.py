"""A coefficient table as a native Excel formula ``=IF(<blank inputs>,"",1/(1+EXP(-(...))))``.

The formula agrees with :meth:`CoefModel.score` (LEADPROBS) lead for lead:

* a text variable's level test is ``TRIM(cell&"")="Level"`` (Excel's ``=`` ignores case,
  as the model's matching does); the "Other" term also tests each level that the
  Variables block lists as pooled into Other;
* a number, yes/no or date variable with a "Blank filled with" value (the
  missing-indicator method) enters as ``IF(TRIM(cell&"")="",fill,value)`` and its
  "(blank)" term as ``coef*(TRIM(cell&"")="")``;
* a blank cell of any other numeric variable, or of a text variable whose blank is not
  a level, makes the formula return "" (LEADPROBS says UNSCORED there).
"""

from __future__ import annotations

import re
from typing import Any

from leadscore_xl.model.coefficients import CoefModel, read_model
from leadscore_xl.model.design import BLANK_LEVEL, OTHER_LEVEL, Variable
from leadscore_xl.errors import ModelTableError, quote
from leadscore_xl.sheet.table import as_rows, column_letters, is_blank, norm

__all__ = ["MAX_FORMULA", "excel_formula"]

MAX_FORMULA = 8192
_CELL = re.compile(r"^(?:(?P<sheet>.+)!)?\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>\d+)$")


def excel_formula(model: Any, *, headers: Any = None, first_cell: str | None = None,
                  coef_cell: str | None = None, as_of: str | None = None) -> str:  # fmt: skip
    """The model as a native formula ``=IF(<blank inputs>,"",1/(1+EXP(-(...))))``.

    ``headers`` + ``first_cell`` (e.g. the Leads header row and "A2") place each variable's
    cell; without them the formula uses structured references ``[@[Column]]`` for a
    formula inside the Leads table. ``coef_cell`` is the address of the first Coef cell
    (the Intercept's, e.g. "Model!$D$2"); each term then refers to its own Coef cell, so
    an edited coefficient changes the score. Without it the coefficients are written in.
    ``as_of`` is the cell or expression for date ages (default ``TODAY()``).
    """
    cm = model if isinstance(model, CoefModel) else read_model(model)
    ref = _cell_refs(cm, headers, first_cell)
    coef = _coef_refs(cm, coef_cell)
    today = as_of or "TODAY()"
    variables = {norm(v.name): v for v in cm.variables}
    parts: list[str] = []
    guards: list[str] = []
    for i, term in enumerate(cm.terms):
        if norm(term.variable) == "intercept":
            parts.append(coef[i])
            continue
        var = variables[norm(term.variable)]
        cell = ref[norm(var.name)]
        if term.level is None:
            value = f"({today}-{cell})" if var.kind == "date" else cell
            if var.fill is None:
                guards.append(f'{cell}=""')
            else:
                value = f'IF(TRIM({cell}&"")="",{var.fill!r},{value})'
            parts.append(f"{coef[i]}*{value}")
        else:
            parts.append(f"{coef[i]}*{_level_test(cell, var, term.level)}")
            if var.kind == "categories" and not _blank_is_level(var):
                guards.append(f'TRIM({cell}&"")=""')
    eta = "+".join(parts).replace("+-", "-")
    body = f"1/(1+EXP(-({eta})))"
    formula = f'=IF(OR({",".join(dict.fromkeys(guards))}),"",{body})' if guards else f"={body}"
    if len(formula) > MAX_FORMULA:
        raise ModelTableError(
            f"The model's Excel formula would be {len(formula)} characters, over Excel's {MAX_FORMULA}; "
            "use LEADPROBS instead, or pass coef_cell so that coefficients are cell references"
        )
    return formula


def _level_test(cell: str, var: Variable, level: str) -> str:
    """``(TRIM(cell&"")="Level")``; for "Other", OR over it and every level pooled into it."""
    levels = [level] + (list(var.pooled) if norm(level) == norm(OTHER_LEVEL) else [])
    tests = [f'TRIM({cell}&"")="{_target(lv)}"' for lv in dict.fromkeys(levels)]
    return f"({tests[0]})" if len(tests) == 1 else f"OR({','.join(tests)})"


def _target(level: str) -> str:
    return "" if norm(level) == norm(BLANK_LEVEL) else level.replace('"', '""')


def _blank_is_level(var: Variable) -> bool:
    """True when a blank cell has a meaning (a level, pooled, merged or the reference)."""
    named = (*var.levels, *var.pooled, *var.merged, *((var.reference,) if var.reference else ()))
    return norm(BLANK_LEVEL) in {norm(n) for n in named}


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cell_parts(ref: str, what: str) -> tuple[str, int, int]:
    m = _CELL.match(ref.strip())
    if not m:
        raise ModelTableError(f'{what} {quote(ref)} is not a cell address; write e.g. "Model!$D$2" or "A2"')
    sheet = f"{m['sheet']}!" if m["sheet"] else ""
    return sheet, _column_number(m["col"]), int(m["row"])


def _cell_refs(cm: CoefModel, headers: Any, first_cell: str | None) -> dict[str, str]:
    if headers is None or is_blank(headers):
        return {norm(v.name): "[@[" + re.sub(r"([\[\]#'])", r"'\1", v.name) + "]]" for v in cm.variables}
    names = [norm(str(h)) for h in as_rows(headers)[0]]
    sheet, col, row = _cell_parts(first_cell or "A2", "First cell")
    out = {}
    for v in cm.variables:
        if norm(v.name) not in names:
            raise ModelTableError(f'The headers have no column "{v.name}", which the model uses; pass the Leads header row')
        out[norm(v.name)] = f"{sheet}{column_letters(col + names.index(norm(v.name)))}{row}"
    return out


def _coef_refs(cm: CoefModel, coef_cell: str | None) -> list[str]:
    if not coef_cell:
        return [repr(float(c)) for c in cm.coef]
    sheet, col, row = _cell_parts(coef_cell, "Coef cell")
    letters = column_letters(col)
    return [f"{sheet}${letters}${row + i}" for i in range(len(cm.terms))]
