"""``leadscore sql``, ``leadscore score`` and ``leadscore fit`` on real files, and the
one-line messages for bad input (no traceback ever)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot

from sqlparity import SAMPLE, assert_parity, core_outputs, frame, sample_inputs
from leadscore_xl.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample Leads as Parquet, CSV and a partitioned folder; the sample Deals as Parquet."""
    from leadscore_xl.refresh.book_file import open_book
    from leadscore_xl.sheet.table import read_table
    from leadscore_xl.sql.schema import Schema

    folder = tmp_path_factory.mktemp("sqlcli")
    _, schema, rows = sample_inputs()
    con = duckdb.connect()
    con.register("leads", frame(schema, rows))
    out = {"parquet": folder / "leads.parquet", "csv": folder / "leads.csv", "parts": folder / "parts"}
    con.sql("SELECT * FROM leads").write_parquet(str(out["parquet"]))
    con.sql("SELECT * FROM leads").write_csv(str(out["csv"]), header=True)
    con.sql("SELECT * FROM leads").write_parquet(str(out["parts"]), partition_by=["Region"])
    con.sql('SELECT * RENAME ("Job Title" AS "Job Titel") FROM leads').write_parquet(str(folder / "renamed.parquet"))
    out["renamed"] = folder / "renamed.parquet"
    deal_rows, _ = open_book(SAMPLE, folder / "scratch.xlsx").read_table("Deals")
    deals = read_table(deal_rows, "Deals")
    con.register("deals", frame(Schema.from_table(deals), [list(r) for r in deals.rows]))
    out["deals"] = folder / "deals.parquet"
    con.sql("SELECT * FROM deals").write_parquet(str(out["deals"]))
    ragged = folder / "ragged.csv"
    ragged.write_text("Job Title,Size,Region\nVP,10,EMEA\nCEO,20,APAC,extra\nCTO,5,LATAM\n", encoding="utf-8")
    out["ragged"] = ragged
    return out


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_sql_prints_a_view_for_the_warehouse(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", str(SAMPLE), "--dialect", "postgres", "--table", "crm.leads", "--view", "scored_leads"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("CREATE OR REPLACE VIEW scored_leads AS") and "FROM crm.leads" in text
    assert len(sqlglot.parse(text, read="postgres")) == 1
    assert '"Job Title"' in text and "AS Probability" in text


def test_score_parquet_csv_and_a_partitioned_folder(files: dict[str, Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from leadscore_xl.sql.engines import score_files

    book, schema, rows = sample_inputs()
    expected = core_outputs(book.ruleset, book.settings, schema, rows, book.as_of, book.model)
    by_id = {r[0]: i for i, r in enumerate(rows)}
    assert main(["score", str(files["parquet"]), "--book", str(SAMPLE), "--out", str(tmp_path / "a.parquet"), "-q"]) == 0
    assert "Scored 2,000 leads with duckdb" in capsys.readouterr().out
    for source, name in ((files["csv"], "b.csv"), (files["parts"], "c.parquet")):
        assert score_files(source, book, tmp_path / name).rows == 2000
    for name in ("a.parquet", "b.csv", "c.parquet"):
        reader = duckdb.read_parquet if name.endswith(".parquet") else duckdb.read_csv
        result = reader(str(tmp_path / name))
        got = dict(zip(result.columns, map(list, zip(*result.fetchall()))))
        order = [by_id[i] for i in got["Lead ID"]]
        assert_parity({k: [v[i] for i in order] for k, v in expected.items()}, got, tol=1e-12 if name != "b.csv" else 1e-9)


def test_fit_writes_the_model_sheet_from_a_deals_file(files: dict[str, Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    import datetime as dt

    from leadscore_xl.refresh.book_file import open_book
    from leadscore_xl.refresh.run import fit_model
    from leadscore_xl.rules.api import as_of_for
    from leadscore_xl.sheet.table import read_table
    from leadscore_xl.sql.workbook import read_book

    target = tmp_path / "book.xlsx"
    assert main(["fit", str(files["deals"]), "--book", str(SAMPLE), "--output", str(target)]) == 0
    assert "Fitted the model on 5,000 deals" in capsys.readouterr().out
    fitted = read_book(target).model
    book, schema, _ = sample_inputs()  # the reference: the same fit on the Deals sheet as a refresh reads it
    deal_rows, _ = open_book(SAMPLE, tmp_path / "scratch.xlsx").read_table("Deals")
    as_of = as_of_for(None, book.settings)
    reference = fit_model(read_table(deal_rows, "Deals"), book.settings, as_of, schema.names, dt.datetime(2026, 1, 1))
    assert reference.result is not None
    original = reference.result.model
    assert [t.name for t in fitted.terms] == [t.name for t in original.terms]
    assert abs(fitted.coef - original.coef).max() < 1e-6


@pytest.mark.parametrize("argv, message", [
    (["sql", str(SAMPLE), "--dialect", "oracle"],
     'leadscore: SQL dialect "oracle" is not supported; use one of duckdb, spark, postgres, snowflake, bigquery'),
    (["score", "missing/leads.parquet", "--book", str(SAMPLE), "--out", "x.parquet"],
     "leadscore: missing/leads.parquet does not exist; give a CSV or Parquet file, or a folder of them"),
    (["sql", "missing.xlsx"], "leadscore: missing.xlsx does not exist; give the path of an .xlsx or .xlsm workbook"),
])  # fmt: skip
def test_bad_command_lines_give_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert one_line_error(capsys, argv) == message


def test_parquet_columns_that_do_not_match_the_rules(files: dict[str, Path], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    err = one_line_error(capsys, ["score", str(files["renamed"]), "--book", str(SAMPLE), "--out", str(tmp_path / "o.parquet")])
    assert err.startswith('leadscore: Rules row 2: attribute "Job Title" is not a Leads column; did you mean "Job Titel"?')
    assert str(files["renamed"]) in err


def test_a_ragged_csv_names_its_line(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_error(capsys, ["score", str(files["ragged"]), "--book", str(SAMPLE), "--out", str(tmp_path / "o.csv")])
    assert err == ("leadscore: ragged.csv line 3 has 4 fields but the header has 3; fix that row "
                   "(a value holding the delimiter needs quotes) and run again")  # fmt: skip


def test_fit_from_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = one_line_error(capsys, ["fit", str(tmp_path / "deals.csv"), "--book", str(SAMPLE)])
    assert err.endswith("deals.csv does not exist; give a CSV or Parquet file, or a folder of them")
