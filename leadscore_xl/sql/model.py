"""The coefficient table as SQL: the linear predictor and the probability, exactly as
:meth:`leadscore_xl.model.coefficients.CoefModel.score` computes them.

It is read off the model's own structures, ``CoefModel.variables`` and ``terms``:

* ``categories``: one coefficient per level; a level pooled into "Other" takes Other's
  coefficient; the reference level, a merged level and a level the model never saw add
  0 (they count as the reference); a blank cell makes the probability NULL, unless the
  model has a ``(blank)`` level, whose coefficient it then takes. Text is matched as a
  key (trimmed, case-insensitive); a number matches the level written as that number
  ("2" is the level of 2.0);
* ``number`` / ``yes/no`` / ``auto``: the value times its coefficient, a date column's
  value being its age in days at the as-of date (``as-of - serial``); ``date``: the age
  always. A blank (or a text cell, which is no number) makes the probability NULL,
  unless the model has missing-value terms: then a blank enters the slope as the
  variable's ``fill`` (the Variables block's "Blank filled with") and adds the
  coefficient of the indicator term ``Term(column, "(blank)")``.

The terms are added in the model's variable order after the intercept, as the core adds
them, and ``p = 1 / (1 + exp(-eta))``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sqlglot import exp

from leadscore_xl.errors import TableError
from leadscore_xl.model.coefficients import CoefModel
from leadscore_xl.model.design import BLANK_LEVEL, OTHER_LEVEL, Variable
from leadscore_xl.sheet.column import canonical_text, float_or_nan
from leadscore_xl.sheet.table import norm, not_a_column
from leadscore_xl.sql.schema import Schema, SqlType, arith, number, text

__all__ = ["linear_predictor", "probability"]

Value = Callable[[int], tuple[exp.Expression | None, exp.Expression]]


def linear_predictor(model: CoefModel, schema: Schema, value: Value, as_of: exp.Expression) -> exp.Expression:
    """The intercept plus each variable's term; NULL where a value the model needs is blank.
    ``value(position)`` gives the (key or None, number) columns of a Leads column."""
    coef = _coefficients(model)
    eta: exp.Expression = number(coef[("intercept", None)])
    index = {norm(n): i for i, n in enumerate(schema.names)}
    for var in model.variables:
        position = index.get(norm(var.name))
        if position is None:
            raise TableError(not_a_column(var.name, schema.names, "Leads", "model variable"))
        key, num = value(position)
        kind = schema.type_of(position)
        terms = [_categories(var, coef, key, num)] if var.kind == "categories" else _numeric(var, coef, key, num, kind, as_of)
        for term in terms:  # added one at a time, in the core's order
            eta = arith(exp.Add, eta, term)
    return eta


def probability(eta: exp.Expression) -> exp.Expression:
    """``1 / (1 + exp(-eta))``."""
    return arith(exp.Div, number(1.0), arith(exp.Add, number(1.0), exp.Exp(this=exp.Neg(this=exp.Paren(this=eta)))))


def _coefficients(model: CoefModel) -> dict[tuple[str, str | None], float]:
    return {(norm(t.variable), None if t.level is None else norm(t.level)): float(c)
            for t, c in zip(model.terms, model.coef.tolist())}  # fmt: skip


def _numeric(var: Variable, coef: dict[tuple[str, str | None], float], key: exp.Expression | None,
             num: exp.Expression, kind: SqlType, as_of: exp.Expression) -> list[exp.Expression]:  # fmt: skip
    """slope x value, then the blank indicator's coefficient where the cell is blank (the
    missing-value terms: a blank enters the slope as the Variables block's fill)."""
    name = norm(var.name)
    slope, indicator = coef.get((name, None)), coef.get((name, norm(BLANK_LEVEL)))
    fill = getattr(var, "fill", None)
    blank = exp.Is(this=(key if key is not None else num).copy(), expression=exp.Null())
    value: exp.Expression = exp.Null() if key is not None else num  # a text cell holds no number
    if key is None and (var.kind == "date" or (var.kind == "auto" and kind.is_date)):
        value = arith(exp.Sub, as_of.copy(), num)
    if fill is not None:
        value = exp.Case(ifs=[exp.If(this=blank.copy(), true=number(fill))], default=value)
    elif slope is None:
        value = exp.Case(ifs=[exp.If(this=blank.copy(), true=number(0.0))], default=value)
    terms: list[exp.Expression] = [arith(exp.Mul, value, number(slope if slope is not None else 0.0))]
    if indicator is not None:
        terms.append(exp.Case(ifs=[exp.If(this=blank, true=number(indicator))], default=number(0.0)))
    return terms


def _categories(var: Variable, coef: dict[tuple[str, str | None], float], key: exp.Expression | None,
                num: exp.Expression) -> exp.Expression:  # fmt: skip
    """CASE over the levels: each level (and each pooled level) gives its coefficient."""
    name = norm(var.name)
    dummies = {norm(lv): coef[(name, norm(lv))] for lv in var.levels}
    other = dummies.get(norm(OTHER_LEVEL))
    if other is not None:
        for lv in var.pooled:
            dummies.setdefault(norm(lv), other)
    blank = dummies.pop(norm(BLANK_LEVEL), None)
    known = {norm(lv) for lv in (*var.levels, *var.pooled, *var.merged)} | ({norm(var.reference)} if var.reference else set())
    subject = key if key is not None else num
    blank_value = number(blank) if blank is not None else number(0.0) if norm(BLANK_LEVEL) in known else exp.Null()
    ifs = [exp.If(this=exp.Is(this=subject.copy(), expression=exp.Null()), true=blank_value)]
    by_coef: dict[float, list[exp.Expression]] = {}
    for level, c in dummies.items():
        literal = text(level) if key is not None else _level_number(level)
        if literal is not None and c != 0.0:
            by_coef.setdefault(c, []).append(literal)
    for c, literals in by_coef.items():
        ifs.append(exp.If(this=exp.In(this=subject.copy(), expressions=literals), true=number(c)))
    return exp.Case(ifs=ifs, default=number(0.0))


def _level_number(level: str) -> exp.Expression | None:
    """The number whose text is this level ("2" -> 2.0), or None when no number is
    written so (the core matches a number's canonical text: 2.0 is "2", never "2.0")."""
    value = float_or_nan(level)
    if math.isnan(value) or math.isinf(value) or norm(canonical_text(value)) != level:
        return None
    return number(value)
