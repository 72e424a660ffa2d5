"""Excel-shaped values -> typed columns.

The input is exactly what xlwings hands a function for a range: a header row plus
rows (or a 1-D list, or a scalar, for a one-row or one-cell range) holding ``None``
for blanks, floats for numbers, bools, strings with stray spaces, datetimes (classic
xlwings) or date serials (Lite/Server), and error cells as ``None`` or strings such
as ``"#N/A"``.

A :class:`Table` converts a column only when it is first asked for, and keeps it:
scoring reads just the columns its rules use. A :class:`Column` holds

* ``num``   float64 values (numbers, bools as 1/0, dates as Excel serials), NaN elsewhere;
* ``codes`` int32 indexes into ``labels`` for text cells, -1 elsewhere;

so that a rule on text is evaluated once per distinct label and broadcast with
``codes``. Blank cells, whitespace-only strings and error values are blanks.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from operator import itemgetter
from typing import Any

import numpy as np

from .dates import to_serial
from .errors import TableError

__all__ = [
    "ERROR_VALUES",
    "Column",
    "Kind",
    "Table",
    "as_rows",
    "canonical_text",
    "cell_parts",
    "is_blank",
    "levels",
    "no_gc",
    "norm",
    "read_table",
]

ERROR_VALUES = frozenset(
    "#N/A #DIV/0! #NAME? #NULL! #NUM! #REF! #VALUE! #SPILL! #CALC! #FIELD! #BUSY! "
    "#BLOCKED! #CONNECT! #UNKNOWN! #PYTHON! #GETTING_DATA #N/A WAITING...".split(" ")
)
_NONE = type(None)
_NUMBER_TYPES = {float, int}
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


@dataclass(frozen=True, eq=False)
class Table:
    """A header row and data rows, with lazily typed columns."""

    name: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Any]]
    header_row: int = 1
    _cache: dict[int, Column] = field(default_factory=dict, repr=False)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {norm(h): i for i, h in enumerate(self.headers)}

    def find(self, name: str) -> int | None:
        """Position of a column, matched trimmed and case-insensitively, or None."""
        return self._index.get(norm(name))

    def index(self, name: str, role: str | None = None) -> int:
        """Position of a column; a TableError with a did-you-mean when absent."""
        i = self.find(name)
        if i is None:
            raise TableError(self.missing_message(name, role))
        return i

    def missing_message(self, name: str, role: str | None = None) -> str:
        what = f'{role} "{name}"' if role else f'column "{name}"'
        guess = suggest(name, self.headers)
        hint = f'did you mean "{guess}"?' if guess else "the columns are " + ", ".join(
            f'"{h}"' for h in self.headers[:12]
        )
        return f"{what} is not a {self.name} column; {hint}"

    def column(self, key: str | int) -> Column:
        """The typed column for a header name or position (converted once, cached)."""
        i = key if isinstance(key, int) else self.index(key)
        col = self._cache.get(i)
        if col is None:
            with no_gc():
                values = list(map(itemgetter(i), self.rows))
                col = convert_column(self.headers[i], values)
            self._cache[i] = col
        return col

    @cached_property
    def filled(self) -> int:
        """Rows up to the last one with any non-blank cell (a whole-column reference
        brings a million blank rows, which get blank outputs)."""
        end = len(self.rows)
        while end and all(map(is_blank, self.rows[end - 1])):
            end -= 1
        return end

    def row_number(self, i: int) -> int:
        """The sheet row of data row ``i`` (0-based), counting the header as row 1."""
        return self.header_row + 1 + i

    def select(self, keep: np.ndarray) -> Table:
        """A table of the rows where ``keep`` is True (same headers and header row)."""
        rows = [self.rows[i] for i in np.flatnonzero(keep)]
        return Table(self.name, self.headers, rows, self.header_row)


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


def suggest(name: str, choices: Sequence[str]) -> str | None:
    """The closest header to a misspelt name, compared trimmed and case-folded."""
    keys = {norm(c): c for c in choices}
    match = difflib.get_close_matches(norm(name), list(keys), n=1, cutoff=0.6)
    return keys[match[0]] if match else None


def as_rows(values: Any) -> list[list[Any]]:
    """A scalar or a 1-D list (one-cell or one-row range) as a 2-D list."""
    if isinstance(values, (list, tuple)):
        if not values:
            return []
        if isinstance(values[0], (list, tuple)):
            return values  # type: ignore[return-value]
        return [list(values)]
    return [[values]]


def read_table(values: Any, name: str = "Leads", header_row: int = 1) -> Table:
    """Read a range with its header row into a :class:`Table`.

    Trailing columns with a blank header and no data are ignored (a whole-row
    reference brings them). Every other header must be unique and non-blank; matching
    is trimmed and case-insensitive. Rows are kept as given, so that results line up
    with the input; :attr:`Table.filled` tells where the trailing blank rows start.
    """
    rows = as_rows(values)
    if not rows:
        raise TableError(f"The {name} range is empty; select the table with its header row")
    lengths = set(map(len, rows))
    width = max(lengths)
    if len(lengths) > 1:
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    body = rows[1:]
    headers = _headers(rows[0], body, name)
    if len(headers) < width:
        body = [r[: len(headers)] for r in body]
    return Table(name, headers, body, header_row)


def _header_text(value: object) -> str:
    if isinstance(value, float):
        return canonical_text(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return "" if value is None else " ".join(str(value).split())


def _headers(raw: Sequence[Any], body: Sequence[Sequence[Any]], name: str) -> tuple[str, ...]:
    headers = [_header_text(v) for v in raw]
    while headers and not headers[-1] and all(r[len(headers) - 1] is None for r in body):
        headers.pop()
    if not headers:
        raise TableError(f"The {name} range has no header row; include the headers in the range")
    seen: dict[str, int] = {}
    for i, h in enumerate(headers, start=1):
        if not h:
            raise TableError(
                f"{name} column {i} has an empty header; type a column name in it "
                "or leave the column out of the range"
            )
        key = norm(h)
        if key in seen:
            raise TableError(
                f'{name} columns {seen[key]} and {i} are both headed "{h}" (headers are '
                "matched ignoring case and spaces); rename one of them"
            )
        seen[key] = i
    return tuple(headers)


def convert_column(name: str, values: list[Any]) -> Column:
    """Type one column of raw cell values (the hot path: one C-speed pass per step)."""
    n = len(values)
    types = set(map(type, values))
    types.discard(_NONE)
    if not types:
        return Column(name, Kind.EMPTY, n)
    if types <= _NUMBER_TYPES:
        return Column(name, Kind.NUMBER, n, num=np.array(values, dtype=np.float64))
    if types == {bool}:
        return Column(name, Kind.BOOL, n, num=np.array(values, dtype=np.float64))
    return _convert_general(name, values, types)


def _convert_general(name: str, values: list[Any], types: set[type]) -> Column:
    """Factorise the column, type each distinct value once, broadcast with the codes."""
    uniques = dict.fromkeys(values)
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
