"""The whole workbook as one SELECT: every Leads column plus Score, Grade, Route, Matrix
and Probability, built as a sqlglot syntax tree and rendered per dialect.

The query nests SELECTs, each adding columns (named ``_ls_...``) to the one inside, so
that every value is computed once per row and the layers above read it by name:

1. the text cells the rules and the model read, trimmed (once per column);
2. those cells as keys and numbers (:mod:`.cells`); 3. the age in days of each date a
   ``within`` or decaying rule reads (once per column, however many rules read it);
4. each group's points, whether the lead is scored or disqualified, the model's eta;
5. the capped groups; 6. the clamped score; 7. the output columns, in the Leads order,
   Grade, Route, Matrix and Probability reading the score, the capped groups and eta.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from leadscore_xl.model.coefficients import CoefModel
from leadscore_xl.rules.table import RuleSet
from leadscore_xl.settings import ScoringConfig
from leadscore_xl.sheet.table import norm
from leadscore_xl.sql import rules as sql_rules
from leadscore_xl.sql.cells import cell_key, cell_number, cell_text, cell_value, key_name, number_name, text_name
from leadscore_xl.sql.model import linear_predictor, probability
from leadscore_xl.sql.schema import Schema, SqlType, check_dialect, column, identifier, number, text

__all__ = ["OUTPUT_COLUMNS", "Query", "compile_query", "render"]

OUTPUT_COLUMNS = ("Score", "Grade", "Route", "Matrix", "Probability")
ETA = "_ls_eta"


@dataclass(frozen=True)
class Query:
    """The compiled SELECT and the names of the columns it gives, in order."""

    select: exp.Select
    columns: tuple[str, ...]

    def sql(self, dialect: str = "duckdb", view: str | None = None, pretty: bool = True) -> str:
        return render(self, dialect, view, pretty)


def compile_query(ruleset: RuleSet, config: ScoringConfig, schema: Schema, model: CoefModel | None = None,
                  table: str = "leads", as_of: float | None = None) -> Query:  # fmt: skip
    """The SELECT over ``table`` (a name, optionally ``schema.table``). ``as_of`` is a
    date serial; None scores as of the engine's CURRENT_DATE, like a sheet that
    recalculates today. Rules naming columns the schema lacks raise the Rules' own error."""
    compiled = ruleset.bind(schema.names)
    when = number(as_of) if as_of is not None else _today()
    inputs = [name for name in schema.names if norm(name) not in {norm(o) for o in OUTPUT_COLUMNS}]
    value = lambda p: cell_value(p, schema)  # noqa: E731
    eta = linear_predictor(model, schema, value, when) if model is not None else None
    needed = sorted(_read_positions(compiled, schema, model))
    texts = [p for p in needed if schema.type_of(p) is SqlType.TEXT]
    layer = _layer(_source(table), [(text_name(p), cell_text(schema.names[p])) for p in texts])
    layer = _layer(layer, [(name, expr) for p in needed for name, expr in _cells(p, schema)])
    layer = _layer(layer, sql_rules.age_columns(compiled, schema, when))
    parts = sql_rules.rule_columns(compiled, schema)
    points = [(sql_rules.group_name(g), s) for g, s in enumerate(parts.sums)]
    points += [(sql_rules.SCORED, parts.scored), (sql_rules.DISQUALIFIED, parts.disqualified)]
    layer = _layer(layer, points + ([(ETA, eta)] if eta is not None else []))
    capped = sql_rules.capped_columns(compiled, config)
    layer = _layer(layer, [(sql_rules.capped_name(g), c) for g, c in enumerate(capped)])
    layer = _layer(layer, [(sql_rules.SCORE, sql_rules.score_column(compiled, config))])
    outputs: dict[str, exp.Expression] = {"Score": column(sql_rules.SCORE), **sql_rules.label_columns(compiled, config)}
    if eta is not None:
        outputs["Probability"] = exp.Case(ifs=[exp.If(this=exp.Not(this=exp.Is(this=column(ETA), expression=exp.Null())),
                                                     true=probability(column(ETA)))])  # fmt: skip
    select = exp.select(*[column(n) for n in inputs], *[exp.alias_(e, identifier(n)) for n, e in outputs.items()])
    return Query(select.from_(layer), (*inputs, *outputs))


def render(query: Query, dialect: str = "duckdb", view: str | None = None, pretty: bool = True) -> str:
    """The query as SQL text for one dialect; a CREATE OR REPLACE VIEW when ``view`` is given."""
    tree: exp.Expression = query.select
    if view is not None:
        tree = exp.Create(this=_table(view), kind="VIEW", replace=True, expression=query.select)
    return tree.sql(dialect=check_dialect(dialect), pretty=pretty)


def _read_positions(compiled, schema: Schema, model: CoefModel | None) -> set[int]:  # type: ignore[no-untyped-def]
    read = set(compiled.used) | {p for p in compiled.date_positions if p is not None}
    if model is not None:
        index = {norm(n): i for i, n in enumerate(schema.names)}
        read |= {index[norm(v.name)] for v in model.variables if norm(v.name) in index}
    return read


def _cells(position: int, schema: Schema) -> list[tuple[str, exp.Expression]]:
    name, kind = schema.columns[position]
    if kind is SqlType.TEXT:
        return [(key_name(position), cell_key(column(text_name(position))))]
    return [(number_name(position), cell_number(name, kind))]  # type: ignore[list-item]


def _layer(inner: exp.Expression, columns: Sequence[tuple[str, exp.Expression]]) -> exp.Expression:
    """``SELECT *, <columns> FROM inner`` as the next subquery (``inner`` itself when there
    are no columns to add)."""
    if not columns:
        return inner
    select = exp.select(exp.Star(), *[exp.alias_(e, identifier(n)) for n, e in columns]).from_(inner)
    return select.subquery(f"_ls_{_layer_count(inner)}")


def _layer_count(inner: exp.Expression) -> int:
    return 1 + (int(inner.alias.removeprefix("_ls_")) if isinstance(inner, exp.Subquery) else 0)


def _source(table: str) -> exp.Table:
    return _table(table)


def _table(name: str) -> exp.Table:
    """``db.table`` or ``table``, each part an identifier (quoted when it must be)."""
    parts = [p.strip() for p in name.split(".")]
    ids = [identifier(p) for p in parts]
    return exp.Table(this=ids[-1], db=ids[-2] if len(ids) > 1 else None, catalog=ids[-3] if len(ids) > 2 else None)


def _today() -> exp.Expression:
    """Today's date serial in the engine (CURRENT_DATE, days since 30 December 1899)."""
    days = exp.DateDiff(this=exp.CurrentDate(), expression=exp.Cast(this=text("1899-12-30"), to=exp.DataType.build("DATE")),
                        unit=exp.var("DAY"))  # fmt: skip
    return exp.Cast(this=days, to=exp.DataType.build("DOUBLE"))
