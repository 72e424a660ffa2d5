"""Split a Deals column into the values and bins that close rates are counted for.

Every level carries the Rules-table condition (Operator, Value) that selects exactly
its rows, so a rule suggested from a level fires where that level was counted:

* **text**: one level per distinct value, compared trimmed and case-insensitively as the
  rules engine does (``=``); numbers in a mixed column count as their text;
* **booleans**: TRUE and FALSE (``=``);
* **numbers**: quantile bins (5 by default) or the edges the user gives. A bin holds
  ``edge <= x < next edge``; the first bin is ``< e1``, the last ``>= ek`` and the others
  ``between lo; hi`` with ``hi`` = the next edge less the data's resolution (1 for whole
  numbers, 0.01 for cents ...), so the ``between`` rules neither overlap nor leave gaps
  at the data's precision. Quantile edges are rounded to two significant digits (a
  salesperson reads "50 to 199", not "47.25 to 213.8"); bins left empty by rounding are
  merged. A number column with no more distinct values than bins gets one level per
  value (``=``);
* **dates**: age in whole days at the as-of date, binned like numbers (user edges are in
  days). Their rules compare dates at that as-of date (``>=``, ``between``, ``<`` on ISO
  dates), so rules suggested from dates are pinned to the as-of date they were made at.

Blank cells and error values belong to no level (code -1): the Missing row, ``is blank``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from leadscore_xl.sheet.dates import from_serial
from leadscore_xl.errors import InputError, quote
from leadscore_xl.sheet.table import Column, Kind, as_rows, cell_parts, is_blank, levels, norm

__all__ = ["MISSING", "Binning", "Level", "Split", "parse_bins", "resolution", "split_column"]

MAX_BINS = 20


@dataclass(frozen=True)
class Level:
    """One value or bin: what the Value column shows and the rule that selects it.

    ``center`` is the number a scorecard multiplies a coefficient by: the value itself,
    or the median of the deals in a bin (the age in days for dates).
    """

    label: Any
    op: str
    value: Any
    center: float = math.nan


MISSING = Level("Missing", "is blank", None)


@dataclass(frozen=True, eq=False)
class Split:
    """A column's levels and each row's level (``codes``: index into levels, -1 blank)."""

    name: str
    kind: Kind
    levels: tuple[Level, ...]
    codes: np.ndarray


@dataclass(frozen=True)
class Binning:
    """How numbers and dates are binned: a quantile count, and edges per attribute."""

    count: int = 5
    edges: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    dates: frozenset[str] = frozenset()  # number columns that hold dates (xlwings Lite sends serials)

    def edges_for(self, name: str) -> tuple[float, ...] | None:
        return self.edges.get(norm(name))


def parse_bins(value: Any) -> Binning:
    """The bins argument: blank (5 quantile bins), a count (2-20), a two-column range of
    Attribute and Edges, or text such as ``"Employees: 10; 50; 200 | Age: 30; 90"``."""
    if is_blank(value):
        return Binning()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Binning(count=_count(value))
    rows = as_rows(value)
    if len(rows) == 1 and len(rows[0]) == 1:
        cell = rows[0][0]
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return Binning(count=_count(cell))
        rows = [_text_pair(part) for part in str(cell).split("|") if part.strip()]
    edges: dict[str, tuple[float, ...]] = {}
    names: dict[str, str] = {}
    dates: set[str] = set()
    for row in rows:
        if all(map(is_blank, row)):
            continue
        if len(row) < 2:
            raise InputError(_BINS_HINT)
        name, cells = str(row[0]).strip(), row[1:]
        if name and [norm(str(c)) for c in cells if not is_blank(c)] in (["dates"], ["date"]):
            dates.add(norm(name))
            continue
        if norm(name) in ("attribute", "column") and _edge_numbers(cells) is None:
            continue  # a header row
        numbers = _edge_numbers(cells)
        if not name or not numbers:
            raise InputError(f"Bins for {quote(name or None)}: {quote(cells[0])} is not a list of edges; {_BINS_HINT}")
        edges[norm(name)] = tuple(sorted(set(numbers)))
        names[norm(name)] = name
    return Binning(edges=edges, names=names, dates=frozenset(dates))


_BINS_HINT = (
    'give a number of quantile bins (e.g. 5), text such as "Employees: 10; 50; 200 | Age: 30; 90" '
    '("Created: dates" bins a column of date serial numbers by age), or a two-column range of Attribute and Edges'
)


def _count(value: float) -> int:
    if not (value == int(value) and 2 <= value <= MAX_BINS):
        raise InputError(f"Bins {quote(value)} is not a whole number from 2 to {MAX_BINS}; {_BINS_HINT}")
    return int(value)


def _text_pair(part: str) -> list[Any]:
    name, sep, rest = part.partition(":")
    if not sep:
        raise InputError(f"Bins {quote(part.strip())} has no colon; {_BINS_HINT}")
    return [name.strip(), rest]


def _edge_numbers(cells: list[Any]) -> list[float] | None:
    numbers: list[float] = []
    for cell in cells:
        if is_blank(cell):
            continue
        if isinstance(cell, str):
            try:
                numbers += [float(part) for part in cell.split(";") if part.strip()]
            except ValueError:
                return None
            continue
        number = cell_parts(cell)[0]
        if math.isnan(number) or isinstance(cell, bool):
            return None
        numbers.append(number)
    return [n for n in numbers if math.isfinite(n)] or None


# ---- splitting ------------------------------------------------------------------------
def split_column(col: Column, binning: Binning, as_of: float) -> Split:
    """The levels of one column (see the module docstring for each kind)."""
    if col.kind == Kind.NUMBER and norm(col.name) in binning.dates:
        col = replace(col, kind=Kind.DATE)  # serial numbers, binned by age like dates
    edges = binning.edges_for(col.name)
    if edges is not None and col.kind not in (Kind.NUMBER, Kind.DATE):
        raise InputError(
            f'Bins for "{col.name}": the column holds {col.kind.value} values, but edges apply '
            "only to number and date columns; remove it from the bins"
        )
    if col.kind == Kind.BOOL:
        return _bool_split(col)
    if col.kind == Kind.NUMBER:
        return _number_split(col, binning.count, edges)
    if col.kind == Kind.DATE:
        return _date_split(col, binning.count, edges, as_of)
    return _text_split(col)


def _ordered(split_codes: np.ndarray, n_levels: int) -> np.ndarray:
    """Level order: most rows first, ties by first appearance."""
    counts = np.bincount(split_codes[split_codes >= 0], minlength=n_levels)
    return np.argsort(-counts, kind="stable")


def _text_split(col: Column) -> Split:
    merged, values = levels(col)
    order = _ordered(merged, len(values))
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1
    ordered = tuple(Level(values[i], "=", values[i]) for i in order)
    return Split(col.name, col.kind, ordered, rank[merged])


def _bool_split(col: Column) -> Split:
    x = col.numbers
    levels = tuple(Level(v, "=", v, float(v)) for v in (True, False) if np.any(x == float(v)))
    codes = np.full(len(x), -1)
    for i, level in enumerate(levels):
        codes[x == level.center] = i
    return Split(col.name, col.kind, levels, codes)


def _number_split(col: Column, count: int, edges: tuple[float, ...] | None) -> Split:
    x = col.numbers
    present = ~np.isnan(x)
    values = x[present]
    if edges is None:
        distinct = np.unique(values)
        if len(distinct) <= count:
            codes = np.full(len(x), -1)
            codes[present] = np.searchsorted(distinct, values)
            levels = tuple(Level(float(v), "=", float(v), float(v)) for v in distinct)
            return Split(col.name, col.kind, levels, codes)
        step = resolution(values)
        edges = quantile_edges(values, count, step)
    else:
        step = resolution(np.concatenate([values, np.asarray(edges)]))
    codes = _bin_codes(x, present, edges)
    levels = tuple(
        Level(label, op, value, center)
        for (label, op, value), center in zip(_number_bounds(edges, step), _centers(x, codes, len(edges) + 1))
    )
    return Split(col.name, col.kind, levels, codes)


def _date_split(col: Column, count: int, edges: tuple[float, ...] | None, as_of: float) -> Split:
    x = col.numbers
    present = ~np.isnan(x)
    day = math.floor(as_of)
    age = day - np.floor(x)
    if edges is None:
        edges = quantile_edges(age[present], count, 1.0)
    else:
        edges = tuple(sorted({float(math.ceil(e)) for e in edges}))
    codes = _bin_codes(age, present, edges)
    with_time = bool(np.any(x[present] != np.floor(x[present])))
    centers = _centers(age, codes, len(edges) + 1)
    levels = tuple(Level(*bounds, center) for bounds, center in zip(_date_bounds(edges, day, with_time), centers))
    return Split(col.name, col.kind, levels, codes)


def _bin_codes(x: np.ndarray, present: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    codes = np.searchsorted(np.asarray(edges, dtype=float), x, side="right")
    codes[~present] = -1
    return codes


def _centers(x: np.ndarray, codes: np.ndarray, n_bins: int) -> list[float]:
    """The median of each bin (NaN for an empty bin)."""
    out = []
    for b in range(n_bins):
        inside = x[codes == b]
        out.append(float(np.median(inside)) if inside.size else math.nan)
    return out


def resolution(values: np.ndarray) -> float:
    """The data's precision: 1 for whole numbers, 0.01 for cents ... down to 1e-6; for
    finer data 1/10,000 of the power of ten of its range."""
    v = values[np.isfinite(values)]
    for decimals in range(7):
        scaled = v * 10.0**decimals
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return 10.0**-decimals
    span = float(np.ptp(v)) if v.size else 0.0
    return 10.0 ** (math.floor(math.log10(span)) - 4) if span > 0 else 1e-6


def quantile_edges(values: np.ndarray, count: int, step: float) -> tuple[float, ...]:
    """Quantile edges rounded to two significant digits (and to the data's resolution),
    each leaving a non-empty bin on both sides."""
    if values.size == 0:
        return ()
    low, high = float(values.min()), float(values.max())
    span = high - low
    edges = set()
    for q in np.quantile(values, np.arange(1, count) / count):
        edges.add(_round_edge(float(q), span, step))
    ordered = sorted(e for e in edges if low < e <= high)
    xs = np.sort(values)
    while ordered:
        bounds = np.searchsorted(xs, ordered, side="left")
        counts = np.diff(np.concatenate([[0], bounds, [xs.size]]))
        empty = np.flatnonzero(counts == 0)
        if not empty.size:
            break
        del ordered[max(int(empty[0]) - 1, 0)]
    return tuple(ordered)


def _round_edge(q: float, span: float, step: float) -> float:
    sizes = [10.0 ** (math.floor(math.log10(abs(v))) - 1) for v in (q, span) if v != 0]
    unit = max(min(sizes) if sizes else step, step)
    rounded = round(q / unit) * unit
    return round(round(rounded / step) * step, _decimals(step))


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


def fmt(x: float, step: float) -> str:
    """A bound at the data's resolution: 199, 0.25, 1200000.5."""
    text = f"{x:.{_decimals(step)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _number_bounds(edges: tuple[float, ...], step: float) -> list[tuple[str, str, Any]]:
    """(label, operator, value) of each bin of ``edges``."""
    if not edges:
        return [("all values", "is not blank", None)]
    out = [(f"< {fmt(edges[0], step)}", "<", edges[0])]
    for lo, hi in zip(edges, edges[1:]):
        top = round(hi - step, _decimals(step))
        label = fmt(lo, step) if top == lo else f"{fmt(lo, step)} to {fmt(top, step)}"
        out.append((label, "between", f"{fmt(lo, step)}; {fmt(top, step)}"))
    out.append((f">= {fmt(edges[-1], step)}", ">=", edges[-1]))
    return out


def _iso(serial: float) -> str:
    return from_serial(serial).date().isoformat()


def _date_bounds(edges: tuple[float, ...], day: int, with_time: bool) -> list[tuple[str, str, Any]]:
    """(label, operator, value) of each age bin, as dates at the as-of ``day``."""
    if not edges:
        return [("all dates", "is not blank", None)]
    end = " 23:59:59" if with_time else ""
    first, last = int(edges[0]), int(edges[-1])
    out = [(f"< {first} days old", ">=", _iso(day - first + 1))]
    for lo, hi in zip(edges, edges[1:]):
        lo_i, top = int(lo), int(hi) - 1
        label = f"{lo_i} days old" if top == lo_i else f"{lo_i} to {top} days old"
        out.append((label, "between", f"{_iso(day - top)}; {_iso(day - lo_i)}{end}"))
    out.append((f">= {last} days old", "<", _iso(day - last + 1)))
    return out
