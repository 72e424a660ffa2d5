"""Shared by the SQL tests: generated Rules, Settings, models and typed Leads, the core's
outputs (LEADSCORES' Scores and LEADPROBS' Probabilities) and the comparison.

Every lead value is one a warehouse column can hold: text (with stray spaces, tabs,
error strings and numbers held as text), numbers, yes/no, timestamps, dates and date
serials. The core is handed exactly those values, so both sides see the same cells.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from leadscore_xl.model.coefficients import CoefModel, read_model
from leadscore_xl.model.design import Variable
from leadscore_xl.rules.table import RuleSet, parse_rules
from leadscore_xl.settings import Settings, read_settings
from leadscore_xl.sheet.dates import to_serial
from leadscore_xl.sheet.table import read_table
from leadscore_xl.sql.schema import Schema, SqlType

SAMPLE = Path(__file__).resolve().parent.parent / "workbook" / "LeadScoring.xlsx"
AS_OF = dt.datetime(2026, 6, 30)
AS_OF_SERIAL = to_serial(AS_OF)
SCHEMA = Schema((
    ("Job Title", SqlType.TEXT), ("Size", SqlType.NUMBER), ("Flag", SqlType.BOOL), ("When", SqlType.TIMESTAMP),
    ("Day", SqlType.DATE), ("Serial", SqlType.NUMBER), ("Code", SqlType.TEXT),
))  # fmt: skip
TITLES = ["VP Sales", " vp  sales ", "VP\tSales", "Director", "analyst", "Analyst", "", "   ", "#N/A", "#DIV/0!",
          None, "500", "12.5", "drop table leads", "Chief Executive", "'; DROP TABLE leads; --"]  # fmt: skip
CODES = ["5", "10", "abc", None, "7.5", "1e2", " 10 ", "-3"]
GROUPS = ["Fit", "Engagement", "Other"]
RULE_HEADER = ["Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)", "Date attribute"]


def _when(days: int, minutes: int) -> dt.datetime:
    return AS_OF - dt.timedelta(days=days) + dt.timedelta(minutes=minutes)


lead = st.tuples(
    st.sampled_from(TITLES),
    st.one_of(st.none(), st.integers(0, 1000).map(float), st.sampled_from([0.5, 99.5, 250.25])),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.builds(_when, st.integers(-5, 400), st.integers(0, 1439))),
    st.one_of(st.none(), st.integers(-5, 400).map(lambda d: (AS_OF - dt.timedelta(days=d)).date())),
    st.one_of(st.none(), st.integers(-5, 400).map(lambda d: AS_OF_SERIAL - d + 0.25)),
    st.sampled_from(CODES),
).map(list)

_specs = st.one_of(
    st.tuples(st.just("Job Title"), st.sampled_from(["=", "<>"]), st.sampled_from(["VP Sales", "director", "500", 500.0])),
    st.tuples(st.just("Job Title"), st.sampled_from(["in", "not in"]), st.sampled_from(["VP Sales; Analyst", "'; DROP TABLE leads; --"])),
    st.tuples(st.just("Job Title"), st.just("contains"), st.sampled_from(["vp; sales", "an", "'"])),
    st.tuples(st.just("Job Title"), st.sampled_from([">", "between"]), st.sampled_from(["100", "10; 600"])),
    st.tuples(st.just("Size"), st.sampled_from([">", ">=", "<", "<=", "=", "<>"]), st.integers(0, 1000).map(float)),
    st.tuples(st.just("Size"), st.sampled_from(["between", "in", "not in"]), st.sampled_from(["100; 500", "5; 0.5; 500"])),
    st.tuples(st.just("Flag"), st.sampled_from(["=", "<>"]), st.sampled_from([True, False, "Yes", "no"])),
    st.tuples(st.sampled_from(["When", "Day", "Serial"]), st.just("within"), st.integers(0, 90).map(float)),
    st.tuples(st.sampled_from(["When", "Day"]), st.sampled_from(["=", ">", "<=", "between"]),
              st.sampled_from(["2026-06-01", "2026-03-01; 2026-06-15", dt.datetime(2026, 6, 1, 12, 0)])),
    st.tuples(st.just("Serial"), st.sampled_from([">", "<"]), st.just(AS_OF_SERIAL - 30.0)),
    st.tuples(st.just("Code"), st.sampled_from(["=", ">", "contains", "in"]), st.sampled_from(["10", "5", "1"])),
    st.tuples(st.sampled_from(SCHEMA.names), st.sampled_from(["is blank", "is not blank"]), st.none()),
    st.tuples(st.just(""), st.just("always"), st.none()),
)


def _rule(parts: tuple[Any, ...]) -> list[Any] | None:
    (attribute, op, value), group, points, decay = parts
    n_parts = len(value.split(";")) if isinstance(value, str) else 1
    if op in ("between", ">", ">=", "<", "<=", "=", "<>") and n_parts > 1:
        op = "between" if n_parts == 2 and op != "<>" else "not in" if op == "<>" else "in"
    elif op == "between":
        op = ">="
    half_life, date_attribute = None, None
    if decay is not None and points != "Disqualify":
        half_life, date_attribute = decay
        if date_attribute is None and attribute not in ("When", "Day", "Serial"):
            date_attribute = "When"
    return [f"r {attribute} {op}", group, attribute, op, value, points, half_life, date_attribute]


rule_rows = st.lists(
    st.tuples(_specs, st.sampled_from(GROUPS),
              st.one_of(st.integers(-30, 30).map(float), st.just(12.5), st.just("Disqualify")),
              st.one_of(st.none(), st.tuples(st.sampled_from([7.0, 30.0, 45.5]), st.sampled_from([None, "When", "Day", "Serial"])))),
    min_size=1, max_size=12,
).map(lambda rows: [_rule(r) for r in rows])  # fmt: skip

_cap = st.one_of(st.none(), st.sampled_from(["40", "-10; 30", "5;", "-5; 20"]))
settings_rows = st.builds(
    lambda caps, low, high, bands, dq: [["Setting", "Value"]] + [[f"Cap {g}", c] for g, c in zip(GROUPS, caps) if c]
    + [["Score min", low], ["Score max", high], ["Disqualified route", dq]] + bands,
    st.tuples(_cap, _cap, _cap), st.sampled_from([0.0, -20.0, 5.0]), st.sampled_from([100.0, 50.0, 30.0]),
    st.sampled_from([[], [["Band hot", "40; Hot; Sales"], ["Band warm", "10; Warm; SDR"], ["Band cold", "0; Cold; Nurture"]]]),
    st.sampled_from(["Disqualified", "Bin"]),
)  # fmt: skip


#: The model has missing-value terms (Variable.fill, a "(blank)" indicator per number or
#: date variable, blank text as a level): then the generated models use them too.
HAS_FILL = "fill" in {f.name for f in dataclasses.fields(Variable)}
N_COEFS = 14 if HAS_FILL else 11


def model_rows(coefs: list[float], blanks: bool = HAS_FILL) -> tuple[list[list[Any]], list[list[Any]]]:
    """A coefficient table and its Variables block over SCHEMA's columns (11 numbers, 14
    with ``blanks``: the missing-value terms)."""
    c = iter(coefs)
    rows: list[list[Any]] = [["Term", "Variable", "Level", "Coef"], ["Intercept", "Intercept", None, next(c)]]
    for level in ("VP Sales", "Director", "500", "Other"):
        rows.append([f"Job Title: {level}", "Job Title", level, next(c)])
    rows += [["Size", "Size", None, next(c) / 100], ["Flag", "Flag", None, next(c)], ["When", "When", None, next(c) / 50],
             ["Day", "Day", None, next(c) / 1e6]]  # fmt: skip
    for level in ("10", "5"):
        rows.append([f"Code: {level}", "Code", level, next(c)])
    block = [["Variable", "Type", "Reference level", "Pooled into Other", "Counted as reference"],
             ["Job Title", "categories", "Analyst", "Chief Executive; drop table leads", None],
             ["Size", "number", None, None, None], ["Flag", "yes/no", None, None, None],
             ["When", "date (age in days)", None, None, None], ["Day", "number", None, None, None],
             ["Code", "categories", "abc", None, "-3"]]  # fmt: skip
    if blanks:
        rows += [["Job Title: (blank)", "Job Title", "(blank)", next(c)], ["Size (blank)", "Size", "(blank)", next(c)],
                 ["When (blank)", "When", "(blank)", next(c)]]  # fmt: skip
        fills = {"Size": 250.0, "When": 30.0}
        block = [r + [fills.get(r[0]) if i else "Blank filled with"] for i, r in enumerate(block)]
    return rows, block


models = st.lists(st.floats(-2, 2, allow_nan=False).map(lambda x: round(x, 6)), min_size=N_COEFS, max_size=N_COEFS).map(
    lambda coefs: read_model(*_with_block(model_rows(coefs))))


def _with_block(parts: tuple[list[list[Any]], list[list[Any]]]) -> tuple[Any, None, Any]:
    return parts[0], None, parts[1]


def frame(schema: Schema, rows: list[list[Any]]) -> pd.DataFrame:
    """The leads as a typed DataFrame (None -> NULL in every engine)."""
    out = {}
    for i, (name, kind) in enumerate(schema.columns):
        values = [r[i] for r in rows]
        if kind is SqlType.NUMBER:
            out[name] = pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
        elif kind is SqlType.BOOL:
            out[name] = pd.Series(values, dtype="boolean")
        elif kind is SqlType.TIMESTAMP:
            out[name] = pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[us]")
        elif kind is SqlType.DATE:
            out[name] = pd.Series(values, dtype=object)
        else:
            out[name] = pd.Series([None if v is None else str(v) for v in values], dtype=object)
    return pd.DataFrame(out)


def core_outputs(ruleset: RuleSet, settings: Settings, schema: Schema, rows: list[list[Any]], as_of: float,
                 model: CoefModel | None) -> dict[str, list[Any]]:  # fmt: skip
    """What LEADSCORES (Score, Grade, Route, Matrix) and LEADPROBS (Probability) give; None for UNSCORED."""
    table = read_table([list(schema.names)] + [list(r) for r in rows], "Leads")
    scores = ruleset.bind(table.headers).score_table(table, settings.scoring, as_of)
    out = {name: scores.column(name) for name in ("Score", "Grade", "Route", "Matrix")}
    out["Score"] = [None if v == "UNSCORED" else v for v in out["Score"]]
    if model is not None:
        probs = model.score(table, as_of).to_rows(["Probability"])
        out["Probability"] = [None if r[0] in ("UNSCORED", None) else r[0] for r in probs]
    return out


def assert_parity(core: dict[str, list[Any]], engine: dict[str, list[Any]], tol: float = 1e-12) -> None:
    """Scores and probabilities within ``tol``, text exactly, NULL exactly where the core has none."""
    for name, expected in core.items():
        got = engine[name]
        assert len(got) == len(expected), name
        for i, (e, g) in enumerate(zip(expected, got)):
            g = None if g is None or (isinstance(g, float) and math.isnan(g)) else g
            if name in ("Score", "Probability"):
                assert (e is None) == (g is None), (name, i, e, g)
                assert e is None or abs(float(e) - float(g)) <= tol, (name, i, e, g)
            else:
                assert e == g, (name, i, e, g)


def parse_inputs(rules: list[list[Any]], settings: list[list[Any]]) -> tuple[RuleSet, Settings]:
    return parse_rules([RULE_HEADER] + rules), read_settings(settings)


@lru_cache(maxsize=1)
def sample_inputs() -> tuple[Any, Schema, list[list[Any]]]:
    """The sample workbook's inputs, its Leads schema and rows (read once per session)."""
    from leadscore_xl.sql.workbook import read_book

    book = read_book(SAMPLE)
    return book, Schema.from_table(book.leads), [list(r) for r in book.leads.rows]
