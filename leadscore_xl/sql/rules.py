"""The Rules as SQL: one condition per rule, points per group, caps, clamp, grade.

Exactly :mod:`leadscore_xl.rules.predicates` and :mod:`leadscore_xl.rules.scoring`:

* a blank or error cell fires only ``is blank``; ``<>`` and ``not in`` skip blanks;
* text is compared as keys (trimmed, case-insensitive); ``>`` ... ``between`` also read
  numbers held as text; a Value that is a date without a time compares whole days;
* ``within N days`` fires when ``0 <= floor(as-of) - floor(date) <= N``;
* a decaying rule gives ``points * 0.5 ^ (age / half-life)`` for an age of whole days
  ``>= 0``, else nothing;
* points are added in rule order within a group, each group is held within its cap,
  the groups are added in order and the total is clamped to the score range;
* a lead is scored when a column of a rule that gives points (or disqualifies) is filled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlglot import exp

from leadscore_xl.errors import RuleError
from leadscore_xl.rules.scoring import ALWAYS, CompiledRules, _not_dates
from leadscore_xl.rules.table import Rule
from leadscore_xl.settings import UNSCORED, ScoringConfig
from leadscore_xl.sheet.table import norm
from leadscore_xl.sql.cells import cell_value as _value
from leadscore_xl.sql.cells import age_name, number_name
from leadscore_xl.sql.schema import Schema, SqlType, any_of, arith, boolean, bounded, column, number, text

__all__ = ["DISQUALIFIED", "SCORE", "SCORED", "RuleColumns", "age_columns", "capped_columns", "capped_name", "group_name",
           "label_columns", "rule_columns", "score_column"]

SCORED, DISQUALIFIED, SCORE = "_ls_scored", "_ls_dq", "_ls_score"
_COMPARE = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE}


def group_name(g: int) -> str:
    return f"_ls_g{g}"


def capped_name(g: int) -> str:
    return f"_ls_c{g}"


@dataclass(frozen=True)
class RuleColumns:
    """The group sums, the scored flag and the disqualified flag, as named expressions."""

    sums: tuple[exp.Expression, ...]
    scored: exp.Expression
    disqualified: exp.Expression


def rule_columns(compiled: CompiledRules, schema: Schema) -> RuleColumns:
    """Per group the sum of the points its rules give, in rule order (the ages of dates
    are the columns :func:`age_columns` adds beneath)."""
    terms: list[list[exp.Expression]] = [[] for _ in compiled.groups]
    dq: list[exp.Expression] = []
    for j, rule in enumerate(compiled.rules):
        if not (rule.points or rule.disqualify):
            continue
        fires = condition(rule, compiled.positions[j], schema)
        if rule.disqualify:
            dq.append(fires)
            continue
        given = number(rule.points)
        if rule.half_life is not None:
            fires, given = _decay(rule, compiled.date_positions[j], schema, fires)
        terms[compiled.group_of[j]].append(exp.Case(ifs=[exp.If(this=fires, true=given)], default=number(0.0)))
    sums = tuple(_added(t) for t in terms)
    scored = any_of([_present(p, schema) for p in compiled.counted])
    return RuleColumns(sums, scored, any_of(dq))


def _added(terms: list[exp.Expression]) -> exp.Expression:
    if not terms:
        return number(0.0)
    total = terms[0]
    for term in terms[1:]:
        total = arith(exp.Add, total, term)
    return total


def _blank(position: int, schema: Schema) -> exp.Expression:
    key, num = _value(position, schema)
    return exp.Is(this=key if key is not None else num, expression=exp.Null())


def _present(position: int, schema: Schema) -> exp.Expression:
    return exp.Not(this=_blank(position, schema))


def condition(rule: Rule, position: int, schema: Schema) -> exp.Expression:
    """Where the rule fires (never NULL where it matters: a NULL counts as not firing)."""
    if position == ALWAYS or rule.op == "always":
        return boolean(True)
    if rule.op == "is blank":
        return _blank(position, schema)
    if rule.op == "is not blank":
        return _present(position, schema)
    key, num = _value(position, schema)
    if key is not None:
        return _text_condition(rule, key, num)
    return _number_condition(rule, num, position, schema.type_of(position))


def _text_condition(rule: Rule, key: exp.Expression, num: exp.Expression) -> exp.Expression:
    keys = [text(k) for k in sorted(rule.operand.keys)]
    if rule.op in ("=", "in"):
        return exp.In(this=key, expressions=keys) if keys else boolean(False)
    if rule.op in ("<>", "not in"):
        present = exp.Not(this=exp.Is(this=key, expression=exp.Null()))
        return exp.and_(present, exp.Not(this=exp.In(this=key.copy(), expressions=keys))) if keys else present
    if rule.op == "contains":
        return any_of([exp.GT(this=exp.StrPosition(this=key.copy(), substr=text(s)), expression=exp.Literal.number(0))
                       for s in rule.operand.subs])  # fmt: skip
    if rule.op in _COMPARE or rule.op == "between":
        return _compare(rule, _days(rule, num))
    return boolean(False)  # "within" on text never fires


def _number_condition(rule: Rule, num: exp.Expression, position: int, kind: SqlType) -> exp.Expression:
    nums = [number(x) for x in rule.operand.numbers]
    if rule.op == "within":
        age = column(age_name(position))
        return exp.and_(exp.GTE(this=age, expression=number(0.0)), exp.LTE(this=age.copy(), expression=nums[0]))
    x = _days(rule, num) if kind is not SqlType.DATE else num
    if rule.op in ("=", "in"):
        return exp.In(this=x, expressions=nums) if nums else boolean(False)
    if rule.op in ("<>", "not in"):
        present = exp.Not(this=exp.Is(this=x, expression=exp.Null()))
        return exp.and_(present, exp.Not(this=exp.In(this=x.copy(), expressions=nums))) if nums else present
    if rule.op in _COMPARE or rule.op == "between":
        return _compare(rule, x)
    return boolean(False)  # "contains" on a number never fires


def _compare(rule: Rule, x: exp.Expression) -> exp.Expression:
    nums = [number(v) for v in rule.operand.numbers]
    if rule.op == "between":
        return exp.and_(exp.GTE(this=x, expression=nums[0]), exp.LTE(this=x.copy(), expression=nums[1]))
    return _COMPARE[rule.op](this=x, expression=nums[0])


def _days(rule: Rule, x: exp.Expression) -> exp.Expression:
    """A date Value without a time compares the cells' days."""
    return exp.Floor(this=x) if rule.operand.whole_days else x


def age_columns(compiled: CompiledRules, schema: Schema, as_of: exp.Expression) -> list[tuple[str, exp.Expression]]:
    """The age in whole days, ``floor(as-of) - floor(date)``, of each number or date column
    that a ``within`` or decaying rule reads: computed once, read by every such rule."""
    positions: set[int] = set()
    for j, rule in enumerate(compiled.rules):
        if not (rule.points or rule.disqualify):
            continue
        if rule.op == "within" and compiled.positions[j] != ALWAYS:
            positions.add(compiled.positions[j])
        if rule.half_life is not None and compiled.date_positions[j] is not None:
            positions.add(compiled.date_positions[j])  # type: ignore[arg-type]
    out = []
    for p in sorted(positions):
        kind = schema.type_of(p)
        if kind is not SqlType.TEXT:
            num = column(number_name(p))
            day = num if kind is SqlType.DATE else exp.Floor(this=num)
            out.append((age_name(p), arith(exp.Sub, exp.Floor(this=as_of.copy()), day)))
    return out


def _decay(rule: Rule, position: int | None, schema: Schema, fires: exp.Expression) -> tuple[exp.Expression, exp.Expression]:
    assert position is not None and rule.half_life is not None
    if schema.type_of(position) is SqlType.TEXT:
        raise RuleError(_not_dates(rule))
    age = column(age_name(position))
    live = exp.and_(fires, exp.GTE(this=age, expression=number(0.0)))
    factor = exp.Pow(this=number(0.5), expression=arith(exp.Div, age.copy(), number(rule.half_life)))
    return live, arith(exp.Mul, number(rule.points), factor)


def capped_columns(compiled: CompiledRules, config: ScoringConfig) -> list[exp.Expression]:
    """Each group's sum held within its cap."""
    out = []
    for g, name in enumerate(compiled.groups):
        low, high = config.cap(name)
        value = bounded(column(group_name(g)), low if low > -math.inf else None, high if high < math.inf else None)
        out.append(value)
    return out


def score_column(compiled: CompiledRules, config: ScoringConfig) -> exp.Expression:
    """The groups added in order and clamped to the score range; NULL when UNSCORED."""
    total = _added([column(capped_name(g)) for g in range(len(compiled.groups))])
    clamped = bounded(total, config.score_min, config.score_max)
    return exp.Case(ifs=[exp.If(this=column(SCORED), true=clamped)])


def label_columns(compiled: CompiledRules, config: ScoringConfig) -> dict[str, exp.Expression]:
    """Grade, Route and Matrix from the score, the capped groups and the flags."""
    unscored = exp.Not(this=column(SCORED))
    grade = _bands(config, "grade", [exp.If(this=unscored.copy(), true=text("Unscored"))])
    route = _bands(config, "route", [exp.If(this=column(DISQUALIFIED), true=text(config.disqualified_route)),
                                     exp.If(this=unscored.copy(), true=text("Review"))])  # fmt: skip
    fit = _cell_letter(compiled, config.fit_group, config.fit_cuts, "ABCD")
    engagement = _cell_letter(compiled, config.engagement_group, config.engagement_cuts, "1234")
    matrix = exp.Case(ifs=[exp.If(this=unscored.copy(), true=text(UNSCORED))],
                      default=exp.Concat(expressions=[fit, engagement]))  # fmt: skip
    return {"Grade": grade, "Route": route, "Matrix": matrix}


def _bands(config: ScoringConfig, part: str, first: list[exp.If]) -> exp.Expression:
    score = column(SCORE)
    ifs = list(first)
    for band in config.bands[:-1]:
        ifs.append(exp.If(this=exp.GTE(this=score.copy(), expression=number(band.min_score)), true=text(getattr(band, part))))
    return exp.Case(ifs=ifs, default=text(getattr(config.bands[-1], part)))


def _cell_letter(compiled: CompiledRules, group: str, cuts: tuple[float, ...], letters: str) -> exp.Expression:
    keys = [norm(g) for g in compiled.groups]
    points = column(capped_name(keys.index(norm(group)))) if norm(group) in keys else number(0.0)
    ifs = [exp.If(this=exp.GTE(this=points.copy(), expression=number(cut)), true=text(letter))
           for letter, cut in zip(letters, cuts)]  # fmt: skip
    return exp.Case(ifs=ifs, default=text(letters[3]))
