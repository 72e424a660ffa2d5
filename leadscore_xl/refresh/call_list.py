"""The Call List sheet: the leads routed to Sales, best first, for sales ops (pure).

Rebuilt on every refresh, like Model and Report; Leads is never touched. One row per
lead whose route is Sales, ordered by probability (highest first; leads without a
probability after those with one), then by score: a rank, the lead's identifier and
name columns, Score, Grade, Probability, the top reasons and, when the Leads have
one, the last activity date. Settings ``Call list size`` caps the length (default 50).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from leadscore_xl.errors import SettingsError
from leadscore_xl.refresh.report import Block, Placed, note_block, stack, table_block
from leadscore_xl.settings import Settings, parse_number_list
from leadscore_xl.sheet.table import Table, norm

__all__ = ["DEFAULT_SIZE", "SALES_ROUTE", "call_list_rows", "call_list_sheet", "call_list_size", "identity_columns"]

DEFAULT_SIZE = 50
SALES_ROUTE = "sales"
_WHO = frozenset({"company", "account", "email", "e-mail", "contact", "organisation", "organization"})
MAX_IDENTITY = 4


def call_list_size(settings: Settings) -> int:
    """Settings' "Call list size" (a whole number >= 1), else 50."""
    value = settings.get("call list size")
    if value is None:
        return DEFAULT_SIZE
    where = f"Settings row {settings.rows['call list size']}"
    size = parse_number_list(value, where, "Call list size", "50")[0]
    if size < 1 or size != int(size):
        raise SettingsError(f'{where}: "Call list size" is {value!r}; give a whole number of leads, such as 50')
    return int(size)


def identity_columns(headers: Sequence[str]) -> list[int]:
    """The Leads columns that say who a lead is: identifier, name, company, e-mail (at most
    four, in table order); the first column when none is named so."""
    picked = [i for i, h in enumerate(headers) if _names_the_lead(norm(h).replace("_", " "))]
    return picked[:MAX_IDENTITY] or [0]


def _names_the_lead(key: str) -> bool:
    """"Lead ID", "ID", "Name", "First name", "Company", "Company name", "Email" (not "Company Size")."""
    words = key.split()
    return bool(words) and (words[-1] in ("id", "name") or key in _WHO or key.removesuffix(" name") in _WHO)


def _last_activity(headers: Sequence[str]) -> int | None:
    return next((i for i, h in enumerate(headers) if "last activity" in norm(h)), None)


def call_list_rows(leads: Table, score: Sequence[Any], grade: Sequence[Any], route: Sequence[Any],
                   probability: Sequence[Any], reasons: Sequence[Any], size: int) -> tuple[list[list[Any]], int]:  # fmt: skip
    """Header + up to ``size`` rows of Sales-routed leads, by probability then score, and
    how many leads are routed to Sales in all."""
    filled = leads.filled
    ids = identity_columns(leads.headers)
    last = _last_activity(leads.headers)
    header = ["Rank", *(leads.headers[i] for i in ids), "Score", "Grade", "Probability", "Top reasons"]
    if last is not None:
        header.append(leads.headers[last])
    sales = [i for i in range(filled) if isinstance(route[i], str) and norm(route[i]) == SALES_ROUTE]
    p = np.array([_number(probability[i]) for i in sales], dtype=float)
    s = np.array([_number(score[i]) for i in sales], dtype=float)
    order = np.lexsort((-np.nan_to_num(s, nan=-np.inf), np.isnan(s), -np.nan_to_num(p, nan=-np.inf), np.isnan(p)))
    picked = [sales[k] for k in order[:size].tolist()]
    rows = [header]
    for rank, i in enumerate(picked, start=1):
        lead = leads.rows[i]
        row = [rank, *(_cell(lead, j) for j in ids), score[i], grade[i], probability[i], reasons[i]]
        if last is not None:
            row.append(_cell(lead, last))
        rows.append(row)
    return rows, len(sales)


def _cell(row: Sequence[Any], j: int) -> Any:
    return row[j] if j < len(row) else None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float("nan")


def call_list_sheet(rows: Sequence[Sequence[Any]], total: int) -> list[Block]:
    """The Call List: its table at A1 (an Excel Table "CallList") and a line below it when
    more leads are routed to Sales than it lists; a note when none is."""
    if len(rows) < 2:
        note = note_block("call-list-note", "No leads for sales",
                          "no open lead is routed to Sales; the Call List fills when a lead scores into a Sales band")  # fmt: skip
        return stack([Placed("call-list", (tuple(rows[0]), (None,) * len(rows[0])), None, "CallList"), note])[0]
    shown = len(rows) - 1
    title = (f"The {shown:,} leads routed to Sales with the highest probability, then score"
             + (f' ({total - shown:,} more are routed to Sales; Settings "Call list size" sets how many are listed)'
                if total > shown else ""))  # fmt: skip
    return stack([table_block("call-list", rows, None, "CallList")])[0] + [Block("call-list-note", len(rows) + 3, 1, (), title)]
