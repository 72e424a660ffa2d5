"""The Rules table: parse and validate once, cache by content.

Columns (matched trimmed and case-insensitively):

=================  ========  ==========================================================
Column             Needed    Holds
=================  ========  ==========================================================
Rule               no        a name shown in explanations (default "Row N")
Group              no        e.g. Fit, Engagement; caps apply per group (default General)
Attribute          yes       a Leads column header (none for ``always``: base points)
Operator           yes       see :data:`OPERATORS`
Value              per op    the operand; lists are separated with ``;``
Points             yes       a number (may be negative) or ``Disqualify``
Half-life (days)   no        time decay of the points (see :mod:`leadscore_xl.rules.scoring`)
Date attribute     no        the Leads date column a decaying rule takes its age from
Active             no        FALSE / No / 0 switches a rule off
=================  ========  ==========================================================

Row numbers in messages count the header as row 1, so for a table that starts in
row 1 they are the sheet's own row numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from leadscore_xl.sheet.cache import ContentCache
from leadscore_xl.sheet.dates import parse_date_text, to_serial
from leadscore_xl.errors import RuleError, TableError, quote
from leadscore_xl.sheet.table import as_rows, canonical_text, cell_parts, float_or_nan, is_blank, norm, read_table, truth
from leadscore_xl.sheet.table import header_text as _text
from leadscore_xl.rules.rule import NO_VALUE_OPS, Operand, Rule
from leadscore_xl.rules.ruleset import RuleSet

__all__ = ["OPERATORS", "Operand", "Rule", "RuleSet", "parse_rules"]

OPERATORS = (
    "=", "<>", ">", ">=", "<", "<=", "between", "in", "not in", "contains",
    "is blank", "is not blank", "within N days", "always",
)  # fmt: skip
_OPERATOR_LIST = ", ".join(OPERATORS)
_NUMERIC_OPS = frozenset({">", ">=", "<", "<=", "between", "within"})
_LIST_OPS = frozenset({"=", "<>", "in", "not in"})
_WITHIN = re.compile(r"^within(?:\s+(\d+(?:\.\d+)?))?(?:\s+days?)?$")
_DISQUALIFY = frozenset({"disqualify", "disqualified", "dq"})
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})
_REQUIRED = ("Attribute", "Operator", "Points")
MAX_POINTS = 1_000_000.0
_ALIASES = {"Half-life (days)": ("Half-life", "Half life", "Half life (days)", "Halflife"),
            "Date attribute": ("Date column", "Event date")}  # fmt: skip
COLUMNS = ("Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)",
           "Date attribute", "Active")  # fmt: skip


def parse_rules(values: Any, header_row: int = 1) -> RuleSet:
    """Parse a Rules range with its header row; cached by the range's content.

    10,000 LEADSCORE cells hand over the same Rules content 10,000 times, so the last
    few ranges are first compared cell by cell (C-level ``==``); Python's ``==`` takes
    TRUE for 1, so the cells holding 0, 1, TRUE or FALSE must also match in type."""
    if isinstance(values, RuleSet):
        return values
    rows = as_rows(values)
    for snapshot, row, sensitive, ruleset in _RECENT:
        if row == header_row and rows == snapshot and all(type(rows[i][j]) is t for i, j, t in sensitive):
            return ruleset
    ruleset = _PARSED.get(rows, header_row)
    _RECENT.insert(0, ([list(r) for r in rows], header_row, _bool_like(rows), ruleset))
    del _RECENT[4:]
    return ruleset


def _bool_like(rows: Sequence[Sequence[Any]]) -> tuple[tuple[int, int, type], ...]:
    """Where a cell equals 0 or 1 (or is TRUE/FALSE), with its type."""
    return tuple((i, j, type(v)) for i, row in enumerate(rows) for j, v in enumerate(row)
                 if isinstance(v, (bool, int, float)) and v in (0, 1))  # fmt: skip


_RECENT: list[tuple[list[list[Any]], int, tuple[tuple[int, int, type], ...], RuleSet]] = []


def _parse(rows: Sequence[Sequence[Any]], header_row: int) -> RuleSet:
    table = read_table(rows, "Rules", header_row)
    for name in _REQUIRED:
        if table.find(name) is None:
            raise TableError(
                f'The Rules table has no "{name}" column; it needs the columns '
                + ", ".join(COLUMNS[:6])
                + " (Half-life (days), Date attribute and Active are optional); is its header row in the range?"
            )
    cols = {n: next((j for a in (n, *_ALIASES.get(n, ())) if (j := table.find(a)) is not None), None)
            for n in COLUMNS}  # fmt: skip
    rules = []
    for i, row in enumerate(table.rows):
        if all(map(is_blank, row)):
            continue
        cell = {n: (row[j] if j is not None else None) for n, j in cols.items()}
        rule = _parse_row(cell, table.row_number(i))
        if rule is not None:
            rules.append(rule)
    if not rules:
        raise RuleError("The Rules table has no rules; add at least one row under its header row")
    return RuleSet(_one_spelling_per_group(rules))


def _one_spelling_per_group(rules: list[Rule]) -> tuple[Rule, ...]:
    """Groups are matched ignoring case and spaces, so "fit" joins "Fit" (first spelling kept)."""
    spelling: dict[str, str] = {}
    return tuple(
        rule if spelling.setdefault(norm(rule.group), rule.group) == rule.group
        else replace(rule, group=spelling[norm(rule.group)])
        for rule in rules
    )  # fmt: skip


_PARSED: ContentCache[RuleSet] = ContentCache(_parse)


def _parse_row(cell: dict[str, Any], row: int) -> Rule | None:
    where = f"Rules row {row}"
    if not is_blank(cell["Active"]):
        active = truth(cell["Active"])
        if active is None:
            raise RuleError(f"{where}: Active {quote(cell['Active'])} is not TRUE or FALSE; type TRUE, FALSE, "
                            "Yes or No (blank keeps the rule on)")  # fmt: skip
        if not active:
            return None
    attribute = _text(cell["Attribute"])
    op, within_days = _operator(cell["Operator"], where)
    if not attribute and op != "always":
        raise RuleError(f"{where}: Attribute is blank; type the Leads column the rule tests")
    points, disqualify = _points(cell["Points"], where)
    operand = _operand(op, cell["Value"], within_days, where)
    half_life = _half_life(cell["Half-life (days)"], where)
    return Rule(
        row=row,
        name=_text(cell["Rule"]) or f"Row {row}",
        group=_text(cell["Group"]) or "General",
        attribute=attribute,
        op=op,
        value=cell["Value"],
        points=points,
        operand=operand,
        disqualify=disqualify,
        half_life=half_life,
        date_attribute=_text(cell["Date attribute"]) or None,
    )


def _operator(value: object, where: str) -> tuple[str, float | None]:
    op = norm(_text(value))
    if op == "within n days":  # the operator as the README and the messages name it
        return "within", None
    if op.startswith("within"):
        match = _WITHIN.match(op)
        if match:
            return "within", float(match.group(1)) if match.group(1) else None
    if op in OPERATORS:
        return op, None
    if not op:
        raise RuleError(f"{where}: Operator is blank; use one of {_OPERATOR_LIST}")
    raise RuleError(f"{where}: operator {quote(_text(value))} is not recognised; use one of {_OPERATOR_LIST}")


def _points(value: object, where: str) -> tuple[float, bool]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= MAX_POINTS:
        return float(value), False
    text = _text(value)
    if norm(text) in _DISQUALIFY:
        return 0.0, True
    try:
        number = float(text.replace(" ", ""))
    except ValueError:
        number = None
    if number is not None and abs(number) <= MAX_POINTS:
        return number, False
    if number is not None:
        raise RuleError(f"{where}: Points {quote(text)} is out of range; use points between "
                        f"-{MAX_POINTS:,.0f} and {MAX_POINTS:,.0f}")  # fmt: skip
    if not text or is_blank(value):
        raise RuleError(f"{where}: Points is blank or an error value; type a number such as 10 or -5, or Disqualify")
    raise RuleError(f"{where}: Points {quote(text)} is not a number; type a number such as 10 or -5, or Disqualify")


def _half_life(value: object, where: str) -> float | None:
    if is_blank(value):
        return None
    number, _ = cell_parts(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = math.nan
    if not (number > 0 and math.isfinite(number)) or isinstance(value, bool):
        raise RuleError(
            f"{where}: Half-life (days) {quote(value)} is not a positive number of days; "
            "type e.g. 30, or leave it blank for no decay"
        )
    return number


def _operand(op: str, value: object, within_days: float | None, where: str) -> Operand:
    if op in NO_VALUE_OPS:
        return Operand()
    if op == "within":
        return _within_operand(value, within_days, where)
    parts = _split(value)
    if not parts:
        raise RuleError(f'{where}: Value is blank but "{op}" needs one; type what to compare with')
    if op == "contains":
        return Operand(subs=tuple(norm(_text(p)) for p in parts))
    if op in _NUMERIC_OPS:
        return _numeric_operand(op, value, parts, where)
    if op in ("=", "<>") and len(parts) > 1:
        raise RuleError(
            f'{where}: Value {quote(value)} is a list but "{op}" compares with one value; '
            f'use "{"in" if op == "=" else "not in"}" for a list'
        )
    keys: set[str] = set()
    numbers: list[float] = []
    for part in parts:
        _add_match(part, keys, numbers)
    return Operand(keys=frozenset(keys), numbers=tuple(numbers), whole_days=bool(numbers) and all(map(_is_day, parts)))


def _is_day(part: object) -> bool:
    """A date without a time of day: a date cell, or text such as 2026-03-31."""
    if isinstance(part, dt.datetime):
        return part.time() == dt.time(0)
    if isinstance(part, dt.date):
        return True
    if isinstance(part, str):
        serial = parse_date_text(part)
        return serial is not None and serial.is_integer() and math.isnan(float_or_nan(part))
    return False


def _split(value: object) -> list[object]:
    if is_blank(value):
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    return [value]


def _add_match(part: object, keys: set[str], numbers: list[float]) -> None:
    """What one list item matches: its text, its number, a date, or a yes/no."""
    number, key = cell_parts(part)
    if isinstance(part, bool):
        keys.update(_TRUE if part else _FALSE)
    if key is not None:
        keys.add(key)
        if key in _TRUE or key in _FALSE:
            number = 1.0 if key in _TRUE else 0.0
            keys.update(_TRUE if key in _TRUE else _FALSE)
        else:
            number = _as_number(key)
    elif not math.isnan(number) and not hasattr(part, "isoformat"):
        keys.add(canonical_text(number))
    if not math.isnan(number):
        numbers.append(number)


def _as_number(text: str) -> float:
    number = float_or_nan(text)
    if math.isnan(number):
        serial = parse_date_text(text)
        return math.nan if serial is None else serial
    return number


def _numeric_operand(op: str, value: object, parts: list[object], where: str) -> Operand:
    wanted = 2 if op == "between" else 1
    if len(parts) != wanted:
        example = '"10; 50"' if op == "between" else '"10"'
        raise RuleError(
            f'{where}: "{op}" needs {"two numbers" if wanted == 2 else "one number"} in Value, '
            f"e.g. {example}; got {quote(_text(value))}"
        )
    numbers = []
    for part in parts:
        number = cell_parts(part)[0] if not isinstance(part, str) else _as_number(part)
        if hasattr(part, "isoformat"):
            number = to_serial(part)  # type: ignore[arg-type]
        if math.isnan(number) or isinstance(part, bool):
            raise RuleError(
                f'{where}: Value {quote(_text(value))} is not a number, but "{op}" compares '
                "numbers or dates; type a number, a date, or use = / contains for text"
            )
        numbers.append(number)
    ordered = tuple(sorted(numbers)) if op == "between" else tuple(numbers)
    return Operand(numbers=ordered, whole_days=all(map(_is_day, parts)))


def _within_operand(value: object, days: float | None, where: str) -> Operand:
    if days is None:
        parts = _split(value)
        number = _as_number(str(parts[0])) if len(parts) == 1 else math.nan
        if len(parts) == 1 and not isinstance(parts[0], str):
            number = cell_parts(parts[0])[0]
        if not number >= 0:
            raise RuleError(
                f"{where}: \"within N days\" needs the number of days, in Value (e.g. 30) "
                f'or in the operator ("within 30 days"); got {quote(_text(value))}'
            )
        days = number
    return Operand(numbers=(days,))
