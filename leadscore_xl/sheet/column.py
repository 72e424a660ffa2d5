"""One typed column of sheet values: what a cell holds, decided once per column.

A :class:`Column` holds

* ``num``   float64 values (numbers, bools as 1/0, dates as Excel serials), NaN elsewhere;
* ``codes`` int32 indexes into ``labels`` for text cells, -1 elsewhere;

so that a rule on text is evaluated once per distinct label and broadcast with
``codes``. Blank cells, whitespace-only strings and error values are blanks.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from functools import cached_property, partial
from operator import is_not
from typing import Any

import numpy as np

from leadscore_xl.sheet.dates import to_serial

__all__ = [
    "ERROR_VALUES",
    "Column",
    "Kind",
    "canonical_text",
    "cell_parts",
    "convert_column",
    "is_blank",
    "float_or_nan",
    "infinite",
    "text_number",
    "levels",
    "no_gc",
    "norm",
    "truth",
]

ERROR_VALUES = frozenset(
    "#N/A #DIV/0! #NAME? #NULL! #NUM! #REF! #VALUE! #SPILL! #CALC! #FIELD! #BUSY! "
    "#BLOCKED! #CONNECT! #UNKNOWN! #PYTHON! #GETTING_DATA #N/A WAITING...".split(" ")
)
_NONE = type(None)
_NUMBER_TYPES = {float, int}
_MERGING_TYPES = {float, int, bool}  # 1 == 1.0 == True: one dict key
_not_none = partial(is_not, None)
_NAN = float("nan")


class Kind(str, Enum):
    """What a column holds, decided from its non-blank cells."""

    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    TEXT = "text"
    MIXED = "mixed"
    EMPTY = "empty"


def norm(text: str) -> str:
    """The matching key of a header or text value: trimmed and case-folded."""
    return " ".join(text.split()).casefold()


def canonical_text(value: float) -> str:
    """A number as text for text comparisons: 5.0 -> "5", 2.5 -> "2.5"."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


_TEXT_PARTS: dict[str, tuple[float, str | None]] = {}  # memos: lead data repeats itself
_DATE_PARTS: dict[dt.date, tuple[float, None]] = {}


def cell_parts(value: object) -> tuple[float, str | None]:
    """One raw cell as (number or NaN, text key or None); blanks give (NaN, None)."""
    kind = type(value)
    if kind is float:
        return value, None  # type: ignore[return-value]
    if kind is str:
        parts = _TEXT_PARTS.get(value)  # type: ignore[arg-type]
        if parts is None:
            parts = _text_parts(value)  # type: ignore[arg-type]
        return parts
    if value is None:
        return _NAN, None
    if kind is int:
        return float(value), None  # type: ignore[arg-type]
    if kind is bool:
        return (1.0 if value else 0.0), None
    if isinstance(value, (dt.datetime, dt.date)):
        parts = _DATE_PARTS.get(value)  # type: ignore[call-overload]
        if parts is None:
            if len(_DATE_PARTS) > 100_000:
                _DATE_PARTS.clear()
            parts = _DATE_PARTS[value] = (to_serial(value), None)
        return parts
    return _NAN, norm(str(value))


def _text_parts(value: str) -> tuple[float, str | None]:
    text = value.strip()
    parts = (_NAN, None) if not text or text.upper() in ERROR_VALUES else (_NAN, norm(text))
    if len(_TEXT_PARTS) > 100_000:  # lead data repeats its texts; bound the memo anyway
        _TEXT_PARTS.clear()
    _TEXT_PARTS[value] = parts
    return parts


_YES = frozenset({"true", "yes", "y", "on", "1"})
_NO = frozenset({"false", "no", "n", "off", "0"})


def truth(value: object) -> bool | None:
    """A yes/no cell as a bool: TRUE/FALSE, 1/0, or the words true, yes, y, on / false,
    no, n, off; None for a blank or anything else (the caller says what it expected)."""
    if isinstance(value, bool):
        return value
    number, key = cell_parts(value)
    if key is None:
        return True if number == 1.0 else False if number == 0.0 else None
    return True if key in _YES else False if key in _NO else None


def float_or_nan(text: str) -> float:
    """The number a text holds ("1e3" -> 1000.0), NaN for other text."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def infinite(num: np.ndarray | None) -> tuple[np.ndarray, str]:
    """Rows holding inf or -inf (which a CSV can hold but no spreadsheet cell can), and the
    words for them: '-inf is not a number a spreadsheet can hold; ...'."""
    if num is None:
        return np.zeros(0, dtype=np.int64), ""
    rows = np.flatnonzero(np.isinf(num))
    shown = " and ".join(dict.fromkeys("inf" if num[i] > 0 else "-inf" for i in rows[:50]))
    verb = "are not numbers" if " and " in shown else "is not a number"
    return rows, f"{shown} {verb} a spreadsheet can hold; enter a number or leave the cell blank"


_TEXT_NUMBERS: dict[str, float] = {}


def text_number(key: str) -> float:
    """The number in a text cell ("500" -> 500.0), NaN for other text; remembered."""
    number = _TEXT_NUMBERS.get(key)
    if number is None:
        number = float_or_nan(key)
        if len(_TEXT_NUMBERS) > 100_000:
            _TEXT_NUMBERS.clear()
        _TEXT_NUMBERS[key] = number
    return number


def is_blank(value: object) -> bool:
    """True for None, whitespace-only text and Excel error values."""
    if value is None:
        return True
    if type(value) is str:
        text = value.strip()
        return not text or text.upper() in ERROR_VALUES
    return type(value) is float and value != value  # NaN


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small objects are made."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, eq=False)
class Column:
    """One typed column. ``num`` or ``codes`` is None when no cell is of that kind."""

    name: str
    kind: Kind
    length: int
    num: np.ndarray | None = None
    codes: np.ndarray | None = None
    labels: tuple[str, ...] = ()
    errors: int = 0

    def __len__(self) -> int:
        return self.length

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """The matching key of each label (trimmed, case-folded)."""
        return tuple(norm(label) for label in self.labels)

    @cached_property
    def present(self) -> np.ndarray:
        """True where the cell is not blank."""
        mask = np.zeros(self.length, dtype=bool)
        if self.num is not None:
            mask |= ~np.isnan(self.num)
        if self.codes is not None:
            mask |= self.codes >= 0
        return mask

    @cached_property
    def numbers(self) -> np.ndarray:
        """``num``, or all-NaN when the column holds no numbers."""
        return self.num if self.num is not None else np.full(self.length, np.nan)

    def value(self, i: int) -> object:
        """The display value of row ``i`` (0-based): a number, text or None."""
        if self.codes is not None and self.codes[i] >= 0:
            return self.labels[self.codes[i]]
        if self.num is not None and not np.isnan(self.num[i]):
            return float(self.num[i])
        return None


def levels(col: Column) -> tuple[np.ndarray, tuple[str | float, ...]]:
    """A column as categories: int64 codes per row (-1 where blank) and each level's value.

    Text is merged trimmed and case-insensitively, keeping the first spelling; numbers
    are levels of their own, shown as numbers but matched as text, so 2 and "2" are one
    level. Levels are numbered text first, then numbers in ascending order."""
    first: dict[str, int] = {}
    values: list[str | float] = []

    def level(key: str, value: str | float) -> int:
        if key not in first:
            first[key] = len(values)
            values.append(value)
        return first[key]

    codes = np.full(len(col), -1, dtype=np.int64)
    if col.codes is not None:
        lookup = [level(key, label) for key, label in zip(col.keys, col.labels)]
        codes = np.array(lookup + [-1], dtype=np.int64)[col.codes]
    if col.num is not None:
        numeric = (codes < 0) & ~np.isnan(col.num)
        if numeric.any():
            uniques, inverse = np.unique(col.num[numeric], return_inverse=True)
            lookup = [level(canonical_text(u), u) for u in uniques.tolist()]
            codes[numeric] = np.array(lookup, dtype=np.int64)[inverse]
    return codes, tuple(values)


def convert_column(name: str, values: list[Any]) -> Column:
    """Type one column of raw cell values (the hot path: few C-speed passes, no per-cell Python).

    The first non-blank cell picks the route. Text or a date: factorise (the cell types are
    read off the distinct values). A number: one ``sum`` checks that every cell is a float or
    int (bools pass too and are 1/0 either way; a blank, text or a date stops it), and numpy
    converts. Otherwise, or when the check fails, the set of cell types decides."""
    n = len(values)
    first = values[0] if n and values[0] is not None else next(filter(_not_none, values), None)
    if first is None:
        return Column(name, Kind.EMPTY, n)
    if type(first) is str or isinstance(first, dt.date):
        return _convert_general(name, values, None)
    if type(first) in _NUMBER_TYPES and _all_numbers(values):
        return Column(name, Kind.NUMBER, n, num=np.fromiter(values, dtype=np.float64, count=n))
    types = set(map(type, values))
    types.discard(_NONE)
    if types <= _NUMBER_TYPES:
        return Column(name, Kind.NUMBER, n, num=np.array(values, dtype=np.float64))
    if types == {bool}:
        return Column(name, Kind.BOOL, n, num=np.array(values, dtype=np.float64))
    return _convert_general(name, values, types)


def _all_numbers(values: list[Any]) -> bool:
    """True when every cell is a float or an int (or a bool), in one C loop: ``sum`` adds
    floats and ints without a call per cell and raises at the first blank, text or date; a
    numpy scalar makes the total a numpy float."""
    try:
        return type(sum(values, 0.0)) is float
    except (TypeError, ArithmeticError):
        return False


def _convert_general(name: str, values: list[Any], types: set[type] | None) -> Column:
    """Factorise the column, type each distinct value once, broadcast with the codes.

    ``types`` (the cell types, blanks left out) is read off the distinct values when not
    given, except when a number or bool is among them: 1, 1.0 and True are one dict key, so
    then every cell is looked at."""
    uniques = dict.fromkeys(values)
    if types is None:
        types = set(map(type, uniques))
        if not types.isdisjoint(_MERGING_TYPES):
            types = set(map(type, values))
        types.discard(_NONE)
    n_unique = len(uniques)
    u_num = np.full(n_unique + 1, np.nan)
    u_text = np.full(n_unique + 1, -1, dtype=np.int32)
    u_error = np.zeros(n_unique + 1, dtype=bool)
    labels: dict[str, int] = {}
    for i, v in enumerate(uniques):
        if type(v) is str:
            text = " ".join(v.split())
            if text.upper() in ERROR_VALUES:
                u_error[i] = True
            elif text:
                u_text[i] = labels.setdefault(text, len(labels))
        elif v is not None:
            number, key = cell_parts(v)
            u_num[i] = number
            if key is not None:
                u_text[i] = labels.setdefault(str(v).strip(), len(labels))
    position = {v: i for i, v in enumerate(uniques)}
    codes = np.fromiter(map(position.__getitem__, values), dtype=np.int32, count=len(values))
    has_num = bool(np.any(~np.isnan(u_num)))
    kind = _kind(types, bool(labels), has_num)
    return Column(
        name,
        kind,
        len(values),
        num=u_num[codes] if has_num else None,
        codes=u_text[codes] if labels else None,
        labels=tuple(labels),
        errors=int(np.count_nonzero(u_error[codes])) if u_error.any() else 0,
    )


def _kind(types: set[type], has_text: bool, has_num: bool) -> Kind:
    if has_text:
        return Kind.MIXED if has_num else Kind.TEXT
    if not has_num:
        return Kind.EMPTY
    non_text = {t for t in types if t is not str}
    if non_text == {bool}:
        return Kind.BOOL
    if any(issubclass(t, dt.date) for t in non_text) and bool not in non_text:
        return Kind.DATE  # dates, possibly with some cells given as serials
    return Kind.NUMBER
