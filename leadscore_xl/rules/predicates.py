"""When a rule fires: one predicate per rule, on a whole column or on one cell.

The column form works on a :class:`~leadscore_xl.sheet.table.Column`: numbers with numpy,
text once per distinct label, broadcast with the column's codes. The cell form works
on ``cell_parts(value)`` for the per-row ``LEADSCORE`` path. Both implement the same
rules, and the property tests check that they agree:

* a blank cell (or an error value) fires only ``is blank``;
* text is compared trimmed and case-insensitively, numbers numerically;
* ``<>`` and ``not in`` fire on every non-blank cell that does not match;
* ``>``, ``>=``, ``<``, ``<=`` and ``between`` also read numbers stored as text ("500");
* a Value that is a date without a time compares the cells' days, so 14:30 on
  20 March is ``= 20 March`` and ``<= 20 March``;
* dates are Excel serials; ``within N days`` fires when ``0 <= as-of - day <= N``,
  counting whole days.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from functools import partial

import numpy as np

from leadscore_xl.rules.rule import Rule
from leadscore_xl.sheet.table import Column, cell_parts, text_number

__all__ = ["cell_test", "column_mask", "row_parts", "unary_test", "whole_days"]

_COMPARISONS = frozenset({">", ">=", "<", "<=", "between"})

CellTest = Callable[[float, "str | None", float], bool]


def whole_days(as_of: float, day: np.ndarray | float) -> np.ndarray | float:
    """Age in whole days of an event (a serial) at the as-of date."""
    return math.floor(as_of) - np.floor(day)


def _text_test(rule: Rule) -> Callable[[str], bool] | None:
    keys, subs = rule.operand.keys, rule.operand.subs
    if rule.op in ("=", "in"):
        return keys.__contains__
    if rule.op in ("<>", "not in"):
        return lambda k: k not in keys
    if rule.op == "contains":
        return lambda k: any(s in k for s in subs)
    return None


def _number_mask(rule: Rule, x: np.ndarray, as_of: float) -> np.ndarray | None:
    nums = rule.operand.numbers
    op = rule.op
    if rule.operand.whole_days and op != "within":
        x = np.floor(x)  # a date Value compares days: 14:30 on 20 March is "= 20 March"
    with np.errstate(invalid="ignore"):
        if op in ("=", "in"):
            return (x == nums[0]) if len(nums) == 1 else np.isin(x, nums) if nums else None
        if op in ("<>", "not in"):
            present = ~np.isnan(x)
            return present & ~np.isin(x, nums) if nums else present
        if op == ">":
            return x > nums[0]
        if op == ">=":
            return x >= nums[0]
        if op == "<":
            return x < nums[0]
        if op == "<=":
            return x <= nums[0]
        if op == "between":
            return (x >= nums[0]) & (x <= nums[1])
        if op == "within":
            age = whole_days(as_of, x)
            return (age >= 0) & (age <= nums[0])
    return None


def column_mask(rule: Rule, col: Column, as_of: float) -> np.ndarray:
    """Where the rule fires on a whole column."""
    if rule.op == "is blank":
        return ~col.present
    if rule.op == "is not blank":
        return col.present
    mask = None
    if col.num is not None:
        mask = _number_mask(rule, col.num, as_of)
    test = _text_test(rule)
    if col.codes is not None and test is not None:
        per_label = np.fromiter(map(test, col.keys), dtype=bool, count=len(col.keys))
    elif col.codes is not None and rule.op in _COMPARISONS:  # numbers stored as text
        per_label = _number_mask(rule, np.array([text_number(k) for k in col.keys]), as_of)
    else:
        per_label = None
    if per_label is not None:
        text_mask = np.append(per_label, False)[col.codes]  # code -1 -> the False at the end
        mask = text_mask if mask is None else mask | text_mask
    return np.zeros(len(col), dtype=bool) if mask is None else mask


def cell_test(rule: Rule) -> CellTest:
    """A function ``(number, text key, as_of) -> fires`` for one cell (one call per rule:
    this is the per-row ``LEADSCORE`` path). The number of a text cell is the number it
    holds as text, or NaN (see :func:`row_parts`)."""
    test = _cell_test(rule)
    if rule.operand.whole_days and rule.op != "within":
        return lambda x, k, a: test(math.floor(x) if x == x else x, k, a)
    return test


def _cell_test(rule: Rule) -> CellTest:
    op, nums = rule.op, rule.operand.numbers
    keys, subs = rule.operand.keys, rule.operand.subs
    wanted = frozenset(nums)
    if op == "is blank":
        return lambda x, k, a: k is None and x != x
    if op == "is not blank":
        return lambda x, k, a: k is not None or x == x
    if op == "always":
        return lambda x, k, a: True
    if op in ("=", "in"):
        return lambda x, k, a: (k in keys) if k is not None else (x in wanted)
    if op in ("<>", "not in"):
        return lambda x, k, a: (k not in keys) if k is not None else (x == x and x not in wanted)
    if op == "contains":
        return lambda x, k, a: k is not None and any(s in k for s in subs)
    if op == "within":
        days = nums[0]
        return lambda x, k, a: k is None and x == x and 0 <= math.floor(a) - math.floor(x) <= days
    low = nums[0]
    if op == "between":
        high = nums[1]
        return lambda x, k, a: low <= x <= high
    unary = _unary(op, low)
    return lambda x, k, a: unary(x)


def unary_test(rule: Rule) -> Callable[[float], bool] | None:
    """For ``>``, ``>=``, ``<`` and ``<=`` on plain numbers, a C-level test of the number
    alone (the per-row path calls it without a Python frame); None for other rules."""
    if rule.op in (">", ">=", "<", "<=") and not rule.operand.whole_days:
        return _unary(rule.op, rule.operand.numbers[0])
    return None


def _unary(op: str, low: float) -> Callable[[float], bool]:
    # partial(lt, low)(x) is lt(low, x), i.e. x > low; NaN compares False either way
    return partial({">": operator.lt, ">=": operator.le, "<": operator.gt, "<=": operator.ge}[op], low)


_ROW_PARTS: dict[str, tuple[float, str | None]] = {}


def row_parts(value: object) -> tuple[float, str | None]:
    """``cell_parts`` for the per-row path, where a text cell also carries the number it
    holds as text ("500" -> (500.0, "500")), so comparisons need not look at the text."""
    if type(value) is float:
        return value, None  # type: ignore[return-value]
    if type(value) is str:
        parts = _ROW_PARTS.get(value)  # type: ignore[arg-type]
        if parts is None:
            number, key = cell_parts(value)
            parts = (number if key is None else text_number(key), key)
            if len(_ROW_PARTS) > 100_000:
                _ROW_PARTS.clear()
            _ROW_PARTS[value] = parts  # type: ignore[index]
        return parts
    return cell_parts(value)


