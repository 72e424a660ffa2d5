"""Typing the columns of a CRM export, once per column.

A column's kind is decided from all its non-blank cells, then every cell is converted:

* **bool**: every value is TRUE/FALSE, Yes/No, Y/N (any case);
* **number**: ``1234``, ``1,234.5``, ``1.234,5`` (decimal comma, decided per column),
  ``12%`` (0.12), a currency sign (``$``, ``€``, ``£``, ``USD``), ``1000+`` (a CRM's open
  range, read as its lower bound); a text code with a leading zero (``02134``) or more than
  15 digits stays text. A column with at most 5 % of other values is still a number
  column, those cells keep their text, and a note names the column;
* **date**: ISO 8601 (``2026-03-31``, ``2026-03-31 14:05``, ``2026-03-31T14:05:00Z``), the CRM
  forms ``03/31/2026``, ``31/03/2026``, ``31.03.2026``, ``3/31/2026 2:05 PM``, ``Mar 31, 2026``,
  ``31 Mar 2026``. Slashes are month-first unless a day above 12 shows that they are
  day-first, or ``day_first`` says so; a column that could be read both ways gets a note.
  A date without a time is a ``date``, with one a ``datetime`` (time zones dropped: Excel has none);
* **text**: everything else, trimmed.

Blank cells (empty or whitespace only) are ``None``. Values already typed (from .xlsx or
Parquet) are kept; only their text cells are typed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["TypedColumn", "parse_number", "type_column"]

MIXED_SHARE = 0.05
_BOOLS = {"true": True, "false": False, "yes": True, "no": False, "y": True, "n": False}
_CURRENCY = re.compile(r"^(?:[$€£¥]|USD|EUR|GBP)\s*|\s*(?:[$€£¥]|USD|EUR|GBP)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_EURO = re.compile(r"^[-+]?\d{1,3}(?:[. \u00a0\u202f]\d{3})*(?:,\d+)?$")
_EURO_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:\.\d{3})+$")
_PLAIN = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_NAMED_DATE = re.compile(
    r"^(?:([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?|(\d{1,2})[ -]([A-Za-z]{3})[a-z]*\.?[ ,-]?)\s*(\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)


@dataclass(frozen=True)
class TypedColumn:
    """One column's values (None for blank) and what it holds."""

    values: list[Any]
    kind: str  # "bool", "number", "date", "text", "empty"; "mixed" for typed cells of several kinds
    note: str = ""


def type_column(name: str, values: Sequence[Any], day_first: bool | None = None) -> TypedColumn:
    """Decide the column's kind from its non-blank text cells and convert every cell."""
    text = [v.strip() if type(v) is str else _plain_value(v) for v in values]
    text = [None if v == "" else v for v in text]
    strings = {v for v in text if type(v) is str}
    if not strings:
        return TypedColumn(text, _kind_of({type(v) for v in text if v is not None}))
    bools = _all_bools(strings)
    if bools:
        return TypedColumn([_BOOLS[v.casefold()] if type(v) is str else v for v in text], "bool")
    numbers = _number_parser(strings)
    if numbers is not None:
        return _numbers(name, text, numbers, strings)
    dates = _date_parser(strings, day_first)
    if dates is not None:
        parse, note = dates
        return TypedColumn([parse(v) if type(v) is str else v for v in text], "date", note.format(name=name))
    return TypedColumn(text, "text")


def _kind_of(types: set[type]) -> str:
    """The kind of a column of typed cells (from .xlsx or Parquet)."""
    if not types:
        return "empty"
    if types == {bool}:
        return "bool"
    if types <= {int, float}:
        return "number"
    if all(issubclass(t, dt.date) for t in types):
        return "date"
    return "mixed"


def _plain_value(value: Any) -> Any:
    """A typed cell as Excel can hold it: time zones dropped (as UTC), decimals as floats."""
    if value is None or type(value) in (float, int, bool):
        return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _all_bools(strings: set[str]) -> bool:
    return all(s.casefold() in _BOOLS for s in strings)


# ---- numbers --------------------------------------------------------------------------
def parse_number(text: str, decimal_comma: bool = False) -> float | None:
    """A number cell as a float, or None when it is not a number (see the module doc)."""
    s = text
    if not decimal_comma and _PLAIN.match(s):
        return _plain(s)
    s = _CURRENCY.sub("", s).strip()
    scale = 1.0
    if s.endswith("%"):
        s, scale = s[:-1].rstrip(), 0.01
    elif s.endswith("+"):
        s = s[:-1].rstrip()
    if decimal_comma and ("," in s or _EURO_THOUSANDS.match(s)):
        value = _separated(s, True)
    elif _PLAIN.match(s):
        value = _plain(s)
    else:
        value = _separated(s, decimal_comma)
    return None if value is None else value * scale


def _plain(s: str) -> float | None:
    digits = s.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        return None  # a code such as a ZIP or phone number
    if len(digits) > 15 and digits.isdigit():
        return None  # an ID longer than Excel keeps exactly
    return float(s)


def _separated(s: str, decimal_comma: bool) -> float | None:
    if not decimal_comma and _THOUSANDS.match(s):
        return float(s.replace(",", ""))
    if decimal_comma and _EURO.match(s):
        return float(re.sub(r"[. \u00a0\u202f]", "", s).replace(",", "."))
    return None


def _number_parser(strings: set[str]) -> Callable[[str], float | None] | None:
    """A parser for the column's numbers (decimal comma or point, decided once), or None
    when more than MIXED_SHARE of its distinct values are not numbers."""
    comma = any(re.search(r"\d,\d{1,2}$|\d,\d{4,}$|\d\.\d{3},", s) for s in strings if "," in s)
    parse = (lambda s: parse_number(s, True)) if comma else parse_number
    failed = sum(1 for s in strings if parse(s) is None)
    if failed == len(strings) or failed > MIXED_SHARE * len(strings):
        return None
    return parse


def _numbers(name: str, text: list[Any], parse: Callable[[str], float | None], strings: set[str]) -> TypedColumn:
    memo: dict[str, Any] = {}
    for s in strings:
        value = parse(s)
        memo[s] = s if value is None or not math.isfinite(value) else value
    out = [memo[v] if type(v) is str else v for v in text]
    odd = sorted(s for s, v in memo.items() if type(v) is str)
    note = ""
    if odd:
        shown = ", ".join(f'"{s}"' for s in odd[:3]) + (f" and {len(odd) - 3} more" if len(odd) > 3 else "")
        note = f'column "{name}" holds numbers and also {shown}, kept as text (rules on numbers skip them)'
    return TypedColumn(out, "number", note)


# ---- dates ----------------------------------------------------------------------------
def _date_parser(strings: set[str], day_first: bool | None) -> tuple[Callable[[str], Any], str] | None:
    """A parser for the column's dates and a note template, or None when some value is no date."""
    firsts, seconds, dots = False, False, False
    for s in strings:
        if _iso(s) is not None:
            continue
        m = _NUMERIC_DATE.match(s)
        if m:
            a, b = int(m.group(1)), int(m.group(3))
            firsts |= a > 12
            seconds |= b > 12
            dots |= m.group(2) == "."
            continue
        if _named(s) is None:
            return None
    if firsts and seconds:
        return None
    note = ""
    if firsts or dots:
        first = True
    elif seconds:
        first = False
    else:
        first = bool(day_first)
        ambiguous = any(_NUMERIC_DATE.match(s) for s in strings)
        if ambiguous and day_first is None:
            note = ('column "{name}": dates such as 03/04/2026 could be day-first or month-first; they were read '
                    "month-first (April 3 is 04/03): give --day-first if they are day-first")  # fmt: skip
    if day_first is not None and (firsts or seconds) and first != day_first:
        note = ('column "{name}": the dates are ' + ("day-first" if first else "month-first")
                + " (a day above 12 shows it), so they were read that way whatever the option says")  # fmt: skip
    memo: dict[str, Any] = {}

    def parse(s: str) -> Any:
        value = memo.get(s)
        if value is None:
            value = memo[s] = _iso(s) or _numeric(s, first) or _named(s) or s
        return value

    return parse, note


def _iso(s: str) -> dt.date | None:
    if len(s) < 10 or s[4] != "-" or not s[:4].isdigit():
        return None
    try:
        if len(s) == 10:
            return dt.date.fromisoformat(s)
        value = dt.datetime.fromisoformat(s.replace(" UTC", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=None)


def _clock(hour: str | None, minute: str | None, second: str | None, ampm: str | None) -> tuple[int, int, int] | None:
    if hour is None:
        return None
    h = int(hour)
    if ampm:
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    return h, int(minute or 0), int(second or 0)


def _make(year: int, month: int, day: int, clock: tuple[int, int, int] | None) -> dt.date | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return dt.date(year, month, day) if clock is None else dt.datetime(year, month, day, *clock)
    except ValueError:
        return None


def _numeric(s: str, day_first: bool) -> dt.date | None:
    m = _NUMERIC_DATE.match(s)
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(3))
    day, month = (a, b) if day_first else (b, a)
    return _make(int(m.group(4)), month, day, _clock(*m.group(5, 6, 7, 8)))


def _named(s: str) -> dt.date | None:
    m = _NAMED_DATE.match(s)
    if not m:
        return None
    month = _MONTHS.get((m.group(1) or m.group(4) or "").casefold())
    if month is None:
        return None
    day = int(m.group(2) or m.group(3))
    return _make(int(m.group(5)), month, day, _clock(*m.group(6, 7, 8, 9)))
