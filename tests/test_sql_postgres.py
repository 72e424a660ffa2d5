"""The SQL compiler on a real PostgreSQL server: parity with the core on the sample
workbook and on a smaller generated corpus.

The server is named by ``LEADSCORE_PG_DSN`` (``.ci/run`` starts one and sets it; then a
server that cannot be reached fails the tests). Without the variable, a server on the
default local socket is tried, and the tests are skipped when there is none."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from sqlparity import AS_OF_SERIAL, sample_inputs, SCHEMA, assert_parity, core_outputs, lead, models, parse_inputs, rule_rows, settings_rows
from leadscore_xl.sql.query import compile_query
from leadscore_xl.sql.schema import Schema, SqlType, identifier

psycopg = pytest.importorskip("psycopg")

_TYPES = {SqlType.TEXT: "TEXT", SqlType.NUMBER: "DOUBLE", SqlType.BOOL: "BOOLEAN", SqlType.DATE: "DATE",
          SqlType.TIMESTAMP: "TIMESTAMP"}  # fmt: skip


@pytest.fixture(scope="module")
def pg() -> Any:
    dsn = os.environ.get("LEADSCORE_PG_DSN")
    try:
        con = psycopg.connect(dsn or "host=/var/run/postgresql user=postgres dbname=postgres", autocommit=True,
                              connect_timeout=3)  # fmt: skip
    except psycopg.OperationalError as exc:
        if dsn:
            raise  # CI asked for a server: not reaching it is a failure
        pytest.skip(f"no PostgreSQL server reachable ({exc})")
    yield con
    con.close()


def load(con: Any, schema: Schema, rows: list[list[Any]], table: str = "leads") -> None:
    """A fresh table with the schema's column types, filled by COPY."""
    columns = [exp.ColumnDef(this=identifier(n), kind=exp.DataType.build(_TYPES[k])) for n, k in schema.columns]
    create = exp.Create(this=exp.Schema(this=exp.to_table(table), expressions=columns), kind="TABLE")
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(create.sql("postgres"))
    with con.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def run_pg(con: Any, query: Any) -> dict[str, list[Any]]:
    with con.cursor() as cur:
        cur.execute(query.sql("postgres"))
        names = [d.name for d in cur.description]
        values = cur.fetchall()
    by_key = dict(zip([n.lower() for n in names], map(list, zip(*values))))
    return {name: by_key[name.lower()] for name in query.columns}


def test_sample_workbook_on_postgres(pg: Any) -> None:
    book, schema, rows = sample_inputs()
    load(pg, schema, rows)
    query = compile_query(book.ruleset, book.settings.scoring, schema, book.model, as_of=book.as_of)
    expected = core_outputs(book.ruleset, book.settings, schema, rows, book.as_of, book.model)  # type: ignore[arg-type]
    assert_parity(expected, run_pg(pg, query))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rules=rule_rows, config=settings_rows, leads=st.lists(lead, min_size=1, max_size=20), model=models)
def test_generated_corpus_on_postgres(pg: Any, rules: Any, config: Any, leads: Any, model: Any) -> None:
    ruleset, parsed = parse_inputs(rules, config)
    load(pg, SCHEMA, leads)
    query = compile_query(ruleset, parsed.scoring, SCHEMA, model, as_of=AS_OF_SERIAL)
    assert_parity(core_outputs(ruleset, parsed, SCHEMA, leads, AS_OF_SERIAL, model), run_pg(pg, query))
