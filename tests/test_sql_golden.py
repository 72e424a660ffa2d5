"""Snowflake and BigQuery cannot run here: the SQL rendered for them is compared with
reviewed golden files, so that a change of the compiler or of sqlglot shows up as a diff.
To accept a deliberate change, delete the file and run the test once (it writes it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlparity import AS_OF_SERIAL, model_rows
from leadscore_xl.model.coefficients import read_model
from leadscore_xl.rules.table import parse_rules
from leadscore_xl.settings import read_settings
from leadscore_xl.sql.query import compile_query
from leadscore_xl.sql.schema import Schema, SqlType

GOLDEN = Path(__file__).parent / "golden"
RULES = [
    ["Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)", "Date attribute"],
    ["Exec", "Fit", "Job Title", "in", "VP Sales; Director", 20, None, None],
    ["Sales", "Fit", "Job Title", "contains", "sales", 5, None, None],
    ["Big", "Fit", "Size", "between", "100; 500", 10, None, None],
    ["Flag", "Engagement", "Flag", "=", "Yes", 10, None, None],
    ["Recent", "Engagement", "When", "within 30 days", None, 25, 14, None],
    ["Day", "Engagement", "Day", ">=", "2026-06-01", 5, None, None],
    ["Code", "Other", "Code", ">", 6, 2, None, None],
    ["Blank", "Fit", "Job Title", "is blank", None, -10, None, None],
    ["Base", "Other", "", "always", None, 2, None, None],
    ["Injection", "Fit", "Code", "in", "'; DROP TABLE leads; --", "Disqualify", None, None],
]
SCHEMA = Schema((("Job Title", SqlType.TEXT), ("Size", SqlType.NUMBER), ("Flag", SqlType.BOOL),
                 ("When", SqlType.TIMESTAMP), ("Day", SqlType.DATE), ("Serial", SqlType.NUMBER), ("Code", SqlType.TEXT)))  # fmt: skip


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery"])
def test_rendered_sql_matches_the_golden_file(dialect: str) -> None:
    coef_rows, block = model_rows([-1.0, 0.8, 0.3, -0.4, 0.2, 0.5, 0.7, -0.6, 0.01, 0.9, -0.2], blanks=False)
    query = compile_query(parse_rules(RULES), read_settings([["Cap Fit", "-5; 40"], ["Score max", 90]]).scoring,
                          SCHEMA, read_model(coef_rows, None, block), "crm.leads", AS_OF_SERIAL)  # fmt: skip
    text = query.sql(dialect, view="analytics.scored_leads") + "\n"
    path = GOLDEN / f"scored_leads.{dialect}.sql"
    if not path.exists():
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"wrote {path.name}; review it and commit it")
    assert text == path.read_text(encoding="utf-8")
