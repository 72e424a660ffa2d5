"""The SQL compiler on DuckDB: parity with LEADSCORES and LEADPROBS on the sample workbook
and on generated Rules, Settings, models and Leads; literals that stay literals; quoting.

The reference is the core itself (rules/scoring.py, model/coefficients.py), handed the
same typed values DuckDB holds."""

from __future__ import annotations


import duckdb
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from sqlparity import AS_OF_SERIAL, sample_inputs, SCHEMA, assert_parity, core_outputs, frame, models, parse_inputs, rule_rows, lead, settings_rows
from leadscore_xl.errors import RuleError
from leadscore_xl.rules.table import parse_rules
from leadscore_xl.settings import read_settings
from leadscore_xl.sql.query import compile_query
from leadscore_xl.sql.schema import Schema, SqlType



def run_duckdb(query, df) -> dict[str, list]:  # type: ignore[no-untyped-def]
    con = duckdb.connect()
    con.register("leads", df)
    result = con.sql(query.sql("duckdb"))
    return dict(zip(result.columns, map(list, zip(*result.fetchall()))))


def test_sample_workbook_matches_leadscores_and_leadprobs() -> None:
    book, schema, rows = sample_inputs()
    assert book.model is not None and book.as_of is not None
    query = compile_query(book.ruleset, book.settings.scoring, schema, book.model, as_of=book.as_of)
    got = run_duckdb(query, frame(schema, rows))
    expected = core_outputs(book.ruleset, book.settings, schema, rows, book.as_of, book.model)
    assert_parity(expected, got)
    assert sum(p is not None for p in got["Probability"]) > 1500
    assert set(got["Grade"]) >= {"High value", "MQL", "Nurture", "Cold"}
    assert list(got)[: len(schema.names)] == [n for n in schema.names]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rules=rule_rows, config=settings_rows, leads=st.lists(lead, min_size=1, max_size=30), model=models)
def test_generated_rules_settings_and_leads_match_the_core(rules, config, leads, model) -> None:  # type: ignore[no-untyped-def]
    ruleset, parsed = parse_inputs(rules, config)
    query = compile_query(ruleset, parsed.scoring, SCHEMA, model, as_of=AS_OF_SERIAL)
    expected = core_outputs(ruleset, parsed, SCHEMA, leads, AS_OF_SERIAL, model)
    assert_parity(expected, run_duckdb(query, frame(SCHEMA, leads)))


def test_a_rules_value_stays_a_literal() -> None:
    hostile = "'; DROP TABLE leads; --"
    rules = parse_rules([["Attribute", "Operator", "Value", "Points"], ["Job Title", "in", hostile, 10],
                         ["Job Title", "contains", hostile.replace(";", ""), 5]])  # fmt: skip
    query = compile_query(rules, read_settings(None).scoring, Schema((("Job Title", SqlType.TEXT),)), as_of=46000.0)
    text = query.sql("duckdb")
    assert len(sqlglot.parse(text, read="duckdb")) == 1  # one statement: nothing was smuggled in
    literals = {lit.this for lit in query.select.find_all(exp.Literal) if lit.is_string}
    assert {"'", "drop table leads", "--", "' drop table leads --"} <= literals
    con = duckdb.connect()
    con.execute("CREATE TABLE leads AS SELECT * FROM (VALUES ('DROP TABLE leads'), ('x'), (NULL)) AS t(\"Job Title\")")
    scores = [r[1] for r in con.sql(text).fetchall()]
    assert scores == [10.0, 0.0, None]
    assert con.sql("SELECT count(*) FROM leads").fetchall() == [(3,)]  # the table is still there


def test_names_are_quoted_only_where_they_must_be() -> None:
    rules = parse_rules([["Attribute", "Operator", "Value", "Points"], ["Job Title", "=", "VP", 10],
                         ["Visits", ">", 3, 5]])  # fmt: skip
    schema = Schema((("Job Title", SqlType.TEXT), ("Visits", SqlType.NUMBER)))
    query = compile_query(rules, read_settings(None).scoring, schema, as_of=46000.0)
    duck, spark = query.sql("duckdb"), query.sql("spark")
    assert '"Job Title"' in duck and "`Job Title`" in spark
    assert "CAST(Visits AS DOUBLE)" in duck and '"Visits"' not in duck
    assert "CAST(3.0 AS DOUBLE)" in spark and "`Visits`" not in spark


def test_contains_uses_strpos_or_position() -> None:
    rules = parse_rules([["Attribute", "Operator", "Value", "Points"], ["Title", "contains", "vp", 10]])
    query = compile_query(rules, read_settings(None).scoring, Schema((("Title", SqlType.TEXT),)), as_of=46000.0)
    assert "STRPOS(_ls_k0, 'vp')" in query.sql("duckdb")
    assert "POSITION('vp' IN _ls_k0)" in query.sql("postgres")
    assert "CONTAINS" not in query.sql("duckdb").upper()


def test_rules_naming_a_missing_column_give_the_rules_message() -> None:
    rules = parse_rules([["Attribute", "Operator", "Value", "Points"], ["Job Titel", "=", "VP", 10]])
    with pytest.raises(RuleError, match=r'Rules row 2: attribute "Job Titel" is not a Leads column; did you mean "Job Title"\?'):
        compile_query(rules, read_settings(None).scoring, Schema((("Job Title", SqlType.TEXT),)))


def test_decay_on_a_text_column_is_refused_with_the_cores_message() -> None:
    rules = parse_rules([["Attribute", "Operator", "Value", "Points", "Half-life (days)"], ["Title", "=", "VP", 10, 30]])
    with pytest.raises(RuleError, match='"Title" holds text, not dates'):
        compile_query(rules, read_settings(None).scoring, Schema((("Title", SqlType.TEXT),)))


def test_without_an_as_of_date_the_engine_scores_as_of_today() -> None:
    import datetime as dt

    from leadscore_xl.sheet.dates import to_serial

    rules = parse_rules([["Attribute", "Operator", "Value", "Points"], ["When", "within 3 days", None, 10]])
    query = compile_query(rules, read_settings(None).scoring, Schema((("When", SqlType.DATE),)))
    today = dt.date.today()
    con = duckdb.connect()
    con.execute("CREATE TABLE leads (\"When\" DATE)")
    con.executemany("INSERT INTO leads VALUES (?)", [[today], [today - dt.timedelta(days=4)]])
    assert [r[1] for r in con.sql(query.sql()).fetchall()] == [10.0, 0.0]
    assert to_serial(today) > 0


def test_error_values_are_blanks_whatever_their_case_and_only_they() -> None:
    """Error values are looked for only in cells beginning with '#', 'W' or 'w' (the only
    characters that begin one, upper-cased): those, in any case, count as blank."""
    rules = parse_rules([["Attribute", "Operator", "Value", "Points"], ["Title", "is blank", None, 10],
                         ["Title", "is not blank", None, 1]])  # fmt: skip
    schema = Schema((("Title", SqlType.TEXT),))
    cells = ["waiting...", " #n/a ", "WAITING...", "#Div/0!", "Wow", "#hashtag", "w", "#", "x", None]
    query = compile_query(rules, read_settings(None).scoring, schema, as_of=AS_OF_SERIAL)
    got = run_duckdb(query, frame(schema, [[c] for c in cells]))
    expected = core_outputs(rules, read_settings(None), schema, [[c] for c in cells], AS_OF_SERIAL, None)
    assert_parity(expected, got)
    assert got["Score"] == [None] * 4 + [1.0] * 5 + [None]  # a lead whose only cell is blank is UNSCORED
    assert got["Grade"][:4] == ["Unscored"] * 4


def test_a_dates_age_is_computed_once_however_many_rules_read_it() -> None:
    rules = parse_rules([["Attribute", "Operator", "Value", "Points", "Half-life (days)"],
                         ["When", "within 30 days", None, 5, None], ["When", "within 90 days", None, 3, None],
                         ["When", "is not blank", None, 10, 14], ["When", "is not blank", None, 4, 60]])  # fmt: skip
    schema = Schema((("When", SqlType.TIMESTAMP),))
    query = compile_query(rules, read_settings(None).scoring, schema, as_of=AS_OF_SERIAL)
    floors = [f for f in query.select.find_all(exp.Floor) if isinstance(f.this, exp.Column) and f.this.name == "_ls_n0"]
    assert len(floors) == 1  # one age column, _ls_a0, read by all four rules
    assert query.sql("duckdb").count("_ls_a0") == 1 + 2 * 2 + 2 * 2  # defined once; read twice by each rule
