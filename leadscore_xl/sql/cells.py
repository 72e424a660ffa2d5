"""One Leads cell as the core reads it (``cell_parts``), as SQL expressions.

* **key**: the text of a text cell, trimmed, runs of white space made one space and
  lower-cased; NULL for a blank, white-space-only or error cell (``#N/A`` ...).
* **number**: a number, a yes/no as 1/0, a date or timestamp as its Excel serial
  (days since 30 December 1899 plus the time of day, one day less before 1 March 1900,
  as Excel counts); for a text cell, the number it holds as text ("500"), which the
  comparisons ``>`` ... ``between`` read.

Both are computed once per row, in the innermost SELECT, and the rules read them by name.
"""

from __future__ import annotations

from sqlglot import exp

from leadscore_xl.sheet.column import ERROR_VALUES
from leadscore_xl.sql.schema import Schema, SqlType, any_of, arith, column, number, text

__all__ = ["age_name", "cell_key", "cell_text", "cell_value", "text_name", "cell_number", "key_name", "number_name", "text_number"]

_NUMBER_TEXT = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]+)?$"
_EPOCH = "1899-12-30"
_MARCH_1900 = "1900-03-01"
_ERROR_FIRSTS = sorted({e[0] for e in ERROR_VALUES} | {e[0].lower() for e in ERROR_VALUES})


def text_name(position: int) -> str:
    return f"_ls_t{position}"


def key_name(position: int) -> str:
    return f"_ls_k{position}"


def number_name(position: int) -> str:
    return f"_ls_n{position}"


def age_name(position: int) -> str:
    return f"_ls_a{position}"


def cell_value(position: int, schema: Schema) -> tuple[exp.Expression | None, exp.Expression]:
    """(key or None, number) of a Leads column, as the outer SELECTs read them: a text
    column's number is the number its key holds."""
    if schema.type_of(position) is SqlType.TEXT:
        key = column(key_name(position))
        return key, text_number(key)
    return None, column(number_name(position))


def cell_text(name: str) -> exp.Expression:
    """A text cell trimmed, with runs of white space made one space (the regular
    expression runs only on the few cells that hold a tab, a newline or two spaces)."""
    raw = exp.Cast(this=column(name), to=exp.DataType.build("VARCHAR"))
    odd = any_of([exp.GT(this=exp.StrPosition(this=raw.copy(), substr=text(s)), expression=exp.Literal.number(0))
                  for s in ("  ", "\t", "\n", "\r", "\x0b", "\x0c")])  # fmt: skip
    collapsed = exp.RegexpReplace(this=raw.copy(), expression=text(r"\s+"), replacement=text(" "))  # sqlglot adds 'g'
    return exp.Trim(this=exp.Case(ifs=[exp.If(this=odd, true=collapsed)], default=raw.copy()))


def cell_key(cell: exp.Expression) -> exp.Expression:
    """The matching key of a cleaned text cell (:func:`cell_text`); NULL where the core
    sees a blank (an empty text or an error value such as #N/A). The error values are
    looked for only in cells whose first character can begin one ('#', 'W' or 'w': no
    other character upper-cases to those), so most cells are lower-cased and nothing else."""
    errors = [text(e) for e in sorted(ERROR_VALUES)]
    first = exp.Substring(this=cell.copy(), start=exp.Literal.number(1), length=exp.Literal.number(1))
    lower = exp.Lower(this=cell.copy())
    maybe_error = exp.Case(ifs=[exp.If(this=exp.In(this=exp.Upper(this=cell.copy()), expressions=errors), true=exp.Null())],
                           default=lower.copy())  # fmt: skip
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=cell.copy(), expression=text("")), true=exp.Null()),
                         exp.If(this=exp.In(this=first, expressions=[text(c) for c in _ERROR_FIRSTS]), true=maybe_error)],
                    default=lower)  # fmt: skip


def text_number(key: exp.Expression) -> exp.Expression:
    """The number a text key holds ("500", "-2.5e3"), else NULL."""
    matches = exp.RegexpLike(this=key.copy(), expression=text(_NUMBER_TEXT))
    return exp.Case(ifs=[exp.If(this=matches, true=exp.Cast(this=key.copy(), to=exp.DataType.build("DOUBLE")))])


def cell_number(name: str, kind: SqlType) -> exp.Expression | None:
    """The number of a cell of a number, yes/no or date column (None for text)."""
    col = column(name)
    if kind is SqlType.NUMBER:
        return exp.Cast(this=col, to=exp.DataType.build("DOUBLE"))
    if kind is SqlType.BOOL:
        return exp.Case(ifs=[exp.If(this=col, true=number(1.0)), exp.If(this=exp.Not(this=col.copy()), true=number(0.0))])
    if kind.is_date:
        return _serial(col, kind)
    return None


def _serial(col: exp.Expression, kind: SqlType) -> exp.Expression:
    day = exp.Cast(this=col, to=exp.DataType.build("DATE"))
    days: exp.Expression = exp.Cast(this=exp.DateDiff(this=day, expression=_date(_EPOCH), unit=exp.var("DAY")),
                                    to=exp.DataType.build("DOUBLE"))  # fmt: skip
    if kind is SqlType.TIMESTAMP:
        seconds = arith(exp.Add, arith(exp.Add, arith(exp.Mul, _extract("HOUR", col), number(3600.0)),
                                       arith(exp.Mul, _extract("MINUTE", col), number(60.0))),
                        exp.Floor(this=_extract("SECOND", col)))  # fmt: skip
        days = arith(exp.Add, days, arith(exp.Div, seconds, number(86400.0)))
    early = exp.LT(this=day.copy(), expression=_date(_MARCH_1900))
    return exp.Case(ifs=[exp.If(this=early, true=arith(exp.Sub, days.copy(), number(1.0)))], default=days)


def _extract(part: str, col: exp.Expression) -> exp.Expression:
    return exp.Cast(this=exp.Extract(this=exp.var(part), expression=col.copy()), to=exp.DataType.build("DOUBLE"))


def _date(iso: str) -> exp.Expression:
    return exp.Cast(this=text(iso), to=exp.DataType.build("DATE"))
