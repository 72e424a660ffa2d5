"""The SQL compiler on PySpark in local mode: parity with the core on the sample workbook
and on 100,000 generated leads, read from Parquet files that DuckDB wrote.

One Spark session serves the whole module (start-up takes seconds). Skipped when
PySpark or Java is missing; ``.ci/run`` installs both."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sqlparity import N_COEFS, AS_OF_SERIAL, sample_inputs, CODES, SCHEMA, TITLES, assert_parity, core_outputs, frame, model_rows, parse_inputs
from leadscore_xl.model.coefficients import read_model
from leadscore_xl.sql.query import OUTPUT_COLUMNS as OUTPUTS
from leadscore_xl.sql.query import compile_query
from leadscore_xl.sql.schema import Schema

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (java is not on PATH)", allow_module_level=True)

RULES = [
    ["Title VP", "Fit", "Job Title", "in", "VP Sales; Director", 20, None, None],
    ["Not analyst", "Fit", "Job Title", "not in", "Analyst; '; DROP TABLE leads; --", 4, None, None],
    ["Sales title", "Fit", "Job Title", "contains", "sales", 6, None, None],
    ["Numeric title", "Fit", "Job Title", "between", "100; 600", 3, None, None],
    ["Big", "Fit", "Size", ">=", 500, 15, None, None],
    ["Mid", "Fit", "Size", "between", "100; 499.5", 8, None, None],
    ["Not five", "Other", "Size", "<>", 5, 1, None, None],
    ["Flagged", "Engagement", "Flag", "=", "Yes", 10, None, None],
    ["Recent", "Engagement", "When", "within 30 days", None, 25, 14, None],
    ["Day match", "Engagement", "Day", "=", "2026-06-01", 5, None, None],
    ["Day range", "Engagement", "Day", "between", "2026-03-01; 2026-06-15", 4, 30, None],
    ["Serial recent", "Engagement", "Serial", "within 60 days", None, 7, None, None],
    ["Code ten", "Other", "Code", "=", "10", 3, None, None],
    ["Code big", "Other", "Code", ">", 6, 2, None, None],
    ["No title", "Fit", "Job Title", "is blank", None, -10, None, None],
    ["Has size", "Other", "Size", "is not blank", None, 1, 45.5, "Day"],
    ["Base", "Other", "", "always", None, 2, None, None],
    ["Competitor", "Fit", "Code", "=", "abc", "Disqualify", None, None],
]
SETTINGS = [["Setting", "Value"], ["Cap Fit", "-5; 40"], ["Cap Engagement", "30"], ["Score min", 0], ["Score max", 90]]


@pytest.fixture(scope="module")
def spark() -> Any:
    from leadscore_xl.sql.engines import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def generated_leads(n: int, seed: int = 7) -> list[list[Any]]:
    import datetime as dt

    from sqlparity import AS_OF

    rng = random.Random(seed)

    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.15 else value

    return [[rng.choice(TITLES), maybe(float(rng.randint(0, 1000))), maybe(rng.random() < 0.5),
             maybe(AS_OF - dt.timedelta(days=rng.randint(-5, 400), minutes=rng.randint(0, 1439))),
             maybe((AS_OF - dt.timedelta(days=rng.randint(-5, 400))).date()),
             maybe(AS_OF_SERIAL - rng.randint(-5, 400) + 0.25), rng.choice(CODES)] for _ in range(n)]  # fmt: skip


def spark_outputs(spark: Any, schema: Schema, rows: list[list[Any]], query: Any, folder: Path) -> dict[str, list[Any]]:
    """Write the leads to Parquet with DuckDB, score them with Spark, collect in row order."""
    con = duckdb.connect()
    df = frame(schema, rows)
    df.insert(0, "_row", range(len(df)))
    con.register("df", df)
    path = folder / "leads.parquet"
    con.sql("SELECT * FROM df").write_parquet(str(path))
    spark.read.parquet(str(path)).createOrReplaceTempView("leads")
    outputs = [c for c in query.columns if c in OUTPUTS]
    result = sorted(spark.sql(query.sql("spark")).select("_row", *outputs).collect(), key=lambda r: r[0])
    return {c: [r[i + 1] for r in result] for i, c in enumerate(outputs)}


def _with_row(schema: Schema) -> Schema:
    from leadscore_xl.sql.schema import SqlType

    return Schema((("_row", SqlType.NUMBER), *schema.columns))


def test_sample_workbook_on_spark(spark: Any, tmp_path: Path) -> None:
    book, schema, rows = sample_inputs()
    query = compile_query(book.ruleset, book.settings.scoring, _with_row(schema), book.model, as_of=book.as_of)
    expected = core_outputs(book.ruleset, book.settings, schema, rows, book.as_of, book.model)  # type: ignore[arg-type]
    assert_parity(expected, spark_outputs(spark, schema, rows, query, tmp_path))


def test_100000_generated_leads_on_spark(spark: Any, tmp_path: Path) -> None:
    ruleset, parsed = parse_inputs(RULES, SETTINGS)
    coef_rows, block = model_rows([-1.0, 0.8, 0.3, -0.4, 0.2, 0.5, 0.7, -0.6, 0.01, 0.9, -0.2, 0.3, -0.5, 0.4][:N_COEFS])
    model = read_model(coef_rows, None, block)
    leads = generated_leads(100_000)
    query = compile_query(ruleset, parsed.scoring, _with_row(SCHEMA), model, as_of=AS_OF_SERIAL)
    expected = core_outputs(ruleset, parsed, SCHEMA, leads, AS_OF_SERIAL, model)
    got = spark_outputs(spark, SCHEMA, leads, query, tmp_path)
    assert_parity(expected, got)
    assert len({g for g in got["Grade"]}) >= 3 and sum(r == "Disqualified" for r in got["Route"]) > 1000
    assert sum(p is not None for p in got["Probability"]) > 10_000
