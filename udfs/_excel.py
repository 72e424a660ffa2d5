"""The thin Excel edge shared by every function: errors in, one-line messages out.

Nothing here knows lead scoring: it converts the core's results to what a cell can
hold and turns any exception into one line of text, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

import xlwings as xw

from leadscore_xl.errors import LeadScoreError

__all__ = ["ARGS", "CATEGORY", "cell", "excel_args", "excel_function", "grid", "spill"]

CATEGORY = "LeadScore XL"  # the function wizard's category for every function

#: The arguments many functions share: name -> (is a range, function-wizard help).
ARGS: dict[str, tuple[bool, str]] = {
    "lead": (True, "One lead row, e.g. Leads[@]"),
    "headers": (True, "The Leads header row, e.g. Leads[#Headers]"),
    "leads": (True, "The Leads table with its header row, e.g. Leads[#All]"),
    "rules": (True, "The Rules table with its header row, e.g. Rules[#All]"),
    "settings": (True, "Optional Settings table (bands, caps, score range, as-of date)"),
    "as_of": (False, "Optional as-of date for decay and recency rules (default: Settings, then today)"),
}

F = TypeVar("F", bound=Callable[..., Any])


def excel_args(*names: str, docs: dict[str, tuple[bool, str]] | None = None) -> Callable[[F], F]:
    """Apply ``@xw.arg`` with the range setting and help text of each name, looked up in
    ``docs`` and then in the shared :data:`ARGS`."""
    table = {**ARGS, **(docs or {})}

    def decorate(f: F) -> F:
        for name in names:
            is_range, doc = table[name]
            f = xw.arg(name, ndim=2, doc=doc)(f) if is_range else xw.arg(name, doc=doc)(f)
        return f

    return decorate


def excel_function(f: F) -> F:
    """Catch every exception and return it as one line of text for the cell."""

    @functools.wraps(f)
    def wrapper(*args: Any) -> Any:
        try:
            return f(*args)
        except LeadScoreError as error:
            return _one_line(str(error))
        except Exception as error:  # noqa: BLE001 - a cell must never show a traceback
            return _one_line(
                f"LeadScore XL could not compute {f.__name__} ({type(error).__name__}: {error}); "
                "please report this with the workbook"
            )

    return wrapper  # type: ignore[return-value]


def _one_line(text: str) -> str:
    return " ".join(text.split())[:1000]


def cell(value: Any) -> Any:
    """One value as a cell can hold it: NaN and None become empty text."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if hasattr(value, "item") and not isinstance(value, (str, dt.date)):
        return cell(value.item())
    return value


def grid(rows: list[list[Any]]) -> list[list[Any]]:
    """A 2-D list with every value made cell-safe (see :func:`cell`); one empty cell
    for no rows (Excel shows an empty array as #CALC!)."""
    return spill([[cell(v) for v in row] for row in rows])


def spill(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows already cell-safe, or one empty cell when there are none."""
    return rows if rows else [[""]]
