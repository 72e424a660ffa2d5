"""The review's findings on the headless and live refresh, one test (or more) each:
which table is read, no partial writes, live charts and ranges, the outcome default,
leads without a probability, the --output note, the button's workbook, number
formats, Ctrl-C and read-only files."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings
from openpyxl.worksheet.table import Table, TableStyleInfo

from leadscore_xl import cli
from leadscore_xl.refresh import book_live
from leadscore_xl.refresh.book_file import FileBook, open_book
from leadscore_xl.refresh.book_parts import choose_table
from leadscore_xl.errors import BookError, RuleError
from leadscore_xl.refresh.formats import (BY_VALUE, COUNT, DATE, PERCENT, PVALUE, SIG4, STATISTIC, TIMESTAMP, cell_format,
                                          format_runs)
from leadscore_xl.refresh.run import RefreshOptions, refresh
from leadscore_xl.refresh.report import Chart
from test_book_file import PNG
from test_refresh import NOW
from test_refresh_support import (
    DEAL_HEADER, LEAD_HEADER, RULES, SETTINGS, add_table, build_workbook, column, deal_rows, lead_rows, save,
)  # fmt: skip


def _facts(path: Path) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)["Report"]
    return {r[0]: r[1] for r in ws.iter_rows(min_row=2, max_row=30, max_col=2, values_only=True) if r[0]}


# ---- 1. the table named like the sheet ------------------------------------------------------
@pytest.mark.parametrize(
    ("tables", "chosen"),
    [
        ([("Owners", 1, 1), ("Leads", 1, 5)], 1),  # the name wins over A1
        ([("owners", 1, 1), ("LEADS", 6, 1)], 1),  # ignoring case
        ([("Owners", 1, 5), ("Data", 1, 1)], 1),  # no name match: the one at A1
        ([("Owners", 3, 5), ("Data", 2, 9)], 1),  # neither: the first from the top left
        ([], None),
    ],
)  # fmt: skip
def test_the_table_is_chosen_by_name_then_a1_then_position(tables: list, chosen: int | None) -> None:
    assert choose_table("Leads", tables) == chosen


def _leads_beside_a_small_table(leads_name: str) -> openpyxl.Workbook:
    """Leads sheet: a small "Owners" table at A1:B3, the leads in a table at E1."""
    wb = build_workbook()
    index = wb.sheetnames.index("Leads")
    wb.remove(wb["Leads"])
    ws = wb.create_sheet("Leads", index)
    for r, row in enumerate([["Owner", "Region"], ["Ann", "EU"], ["Bo", "US"]], start=1):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    rows = [LEAD_HEADER] + lead_rows()
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=5):
            ws.cell(r, c, value)
    for name, ref in (("Owners", "A1:B3"), (leads_name, f"E1:L{len(rows)}")):
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2")
        ws.add_table(table)
    return wb


def test_the_leads_table_is_read_even_when_a_small_table_stands_at_a1(tmp_path: Path) -> None:
    src = save(_leads_beside_a_small_table("Leads"), tmp_path / "book.xlsx")
    refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Leads"]
    assert ws["M1"].value == "Score" and ws["M2"].value == pytest.approx(78.0)
    assert ws.tables["Leads"].ref == "E1:R13" and ws.tables["Owners"].ref == "A1:B3"
    assert [ws.cell(1, c).value for c in range(1, 4)] == ["Owner", "Region", None]


def test_a_missing_column_names_the_table_that_was_read(tmp_path: Path) -> None:
    src = save(_leads_beside_a_small_table("LeadData"), tmp_path / "book.xlsx")
    with pytest.raises(RuleError) as info:
        refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    assert str(info.value).startswith('Rules row 2: attribute "Job Title" is not a Leads column')
    assert str(info.value).endswith('(read from the Leads sheet\'s table "Owners" (A1:B3))')


# ---- 2. no partial writes ---------------------------------------------------------------------
def test_a_blocked_output_column_is_found_before_anything_is_written(tmp_path: Path) -> None:
    wb = build_workbook()
    wb["Leads"]["K1"] = "Owner"  # Score and Grade (I, J) are free; Route (K) is not
    src = save(wb, tmp_path / "book.xlsx")
    book = open_book(src)
    with pytest.raises(BookError) as info:
        refresh(book, RefreshOptions(now=NOW))
    assert str(info.value) == ('Leads cell K1 is not empty, but the refresh needs column K for "Route"; nothing was '
                               'changed. Move that data, or add a "Route" column to the table')  # fmt: skip
    ws = book.wb["Leads"]  # the workbook in memory, not only the file, is as it was
    assert [ws.cell(r, c).value for r in (1, 2) for c in (9, 10)] == [None] * 4
    assert ws.tables["Leads"].ref == "A1:H13" and len(ws.tables["Leads"].tableColumns) == 8


def test_live_blocked_cells_are_found_in_one_read() -> None:
    assert book_live.first_filled([[None, None], [None, ""], [None, "x"]]) == (2, 1)
    assert book_live.first_filled([[None, None]]) is None


# ---- 3 and 4. live charts and the live table range -------------------------------------------
def test_live_charts_take_y_columns_as_series_and_x_values_apart() -> None:
    spec = Chart("scatter", "ROC", "roc", 0, (1, 2))
    ys, x = book_live.chart_columns(spec, first_row=5, last_row=15, left=3)
    assert ys == [(5, 15, 4), (5, 15, 5)]  # with their headers: the series names
    assert x == (6, 15, 3)  # without the header
    assert callable(getattr(xlwings.Chart, "set_x_axis_values", None))  # xlwings 0.37.8 has it
    source = inspect.getsource(book_live.LiveBook._chart)
    assert "set_x_axis_values" in source and 'plot_by="columns"' in source


def test_the_live_table_range_leaves_the_totals_row_out() -> None:
    # header row E1:Y1 (21 columns), 300 data rows, and a totals row in 302 that is not read
    assert book_live.table_span((1, 5, 21), 300) == (1, 5, 301, 25)
    assert book_live.table_span((6, 1, 3), 0) == (6, 1, 6, 3)
    assert "data_body_range" in inspect.getsource(book_live.LiveBook._box)
    assert "table.range\n" not in inspect.getsource(book_live.LiveBook)


# ---- 5. one outcome default -----------------------------------------------------------------
def _with_settings(rows: list[list[Any]], deals_header: list[str] | None = None) -> openpyxl.Workbook:
    wb = build_workbook()
    for name, table_rows in (("Settings", rows), ("Deals", [deals_header or DEAL_HEADER] + deal_rows())):
        index = wb.sheetnames.index(name)
        wb.remove(wb[name])
        add_table(wb.create_sheet(name, index), name, table_rows)
    return wb


def test_without_an_outcome_setting_a_won_column_is_used_by_model_and_report(tmp_path: Path) -> None:
    src = save(_with_settings([r for r in SETTINGS if r[0] != "Outcome column"]), tmp_path / "book.xlsx")
    result = refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    assert result.model_fitted and not [n for n in result.notes if "outcome" in n.lower()]
    assert _facts(tmp_path / "out.xlsx")["Deals with an outcome"] == 300


def test_without_an_outcome_setting_or_won_column_both_say_how_to_set_it(tmp_path: Path) -> None:
    header = DEAL_HEADER[:-1] + ["Outcome"]
    src = save(_with_settings([r for r in SETTINGS if r[0] != "Outcome column"], header), tmp_path / "book.xlsx")
    result = refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    why = ('the Settings give no "Outcome column" and Deals has no "Won" column; set "Outcome column" in Settings '
           "to the Deals column with Won/Lost (or Yes/No, TRUE/FALSE, 1/0) outcomes")  # fmt: skip
    assert not result.model_fitted
    assert f"Model not fitted: {why}" in result.notes
    assert f"Evaluation on past deals not available: {why}" in result.notes


# ---- 6. leads without a probability --------------------------------------------------------------
def test_leads_without_a_probability_are_counted_and_explained(tmp_path: Path) -> None:
    leads = lead_rows()
    for row in leads[3:6]:
        row[3] = None  # Company Size, a column the model uses
    src = save(build_workbook(leads), tmp_path / "book.xlsx")
    result = refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    out = tmp_path / "out.xlsx"
    assert [p is None for p in column(out, "Leads", "Probability")] == [i in (3, 4, 5) for i in range(12)]
    facts = _facts(out)
    assert facts["Leads without a probability"] == 3
    assert facts["Why no probability"] == 'a column the model uses is blank: "Company Size" is blank or not a number in 3'
    assert ('3 of 12 leads have no Probability because a column the model uses is blank: "Company Size" is blank '
            "or not a number in 3; fill those cells to give them one") in result.notes  # fmt: skip


def test_all_leads_with_a_probability_say_zero(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    result = refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    facts = _facts(tmp_path / "out.xlsx")
    assert facts["Leads without a probability"] == 0 and "Why no probability" not in facts
    assert not [n for n in result.notes if "no Probability" in n]


# ---- 7. what --output keeps of charts and images ------------------------------------------------
def _xlsxwriter_book(path: Path) -> Path:
    """The contract sheets and a user sheet "Dash" with a native chart and a picture, written
    by XlsxWriter (as Excel would write them: not openpyxl's own parts)."""
    xlsxwriter = pytest.importorskip("xlsxwriter")
    wb = xlsxwriter.Workbook(str(path), {"default_date_format": "yyyy-mm-dd", "strings_to_formulas": False})
    contract = [("Leads", [LEAD_HEADER] + lead_rows()), ("Rules", RULES),
                ("Deals", [DEAL_HEADER] + deal_rows()), ("Settings", SETTINGS)]  # fmt: skip
    for name, rows in contract:
        ws = wb.add_worksheet(name)
        ws.add_table(0, 0, len(rows) - 1, len(rows[0]) - 1,
                     {"name": name, "data": rows[1:], "columns": [{"header": h} for h in rows[0]]})  # fmt: skip
    dash = wb.add_worksheet("Dash")
    dash.write_column(0, 0, ["Stage", "Open", "Won"])
    dash.write_column(0, 1, ["Deals", 5, 2])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "=Dash!$B$1", "categories": "=Dash!$A$2:$A$3", "values": "=Dash!$B$2:$B$3"})
    dash.insert_chart("D2", chart)
    dash.insert_image("L2", "logo.png", {"image_data": io.BytesIO(PNG)})
    wb.close()
    return path


def test_output_keeps_charts_and_images_byte_for_byte_without_a_note(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    src = _xlsxwriter_book(tmp_path / "book.xlsx")
    out = tmp_path / "out.xlsx"
    assert cli.main(["refresh", str(src), "-q", "-o", str(out)]) == 0
    assert "note:" not in capsys.readouterr().err.replace("note: Settings", "")
    with zipfile.ZipFile(src) as before, zipfile.ZipFile(out) as after:
        theirs = [n for n in before.namelist() if n.startswith(("xl/charts/", "xl/drawings/", "xl/media/"))]
        assert len(theirs) >= 3 and all(after.read(n) == before.read(n) for n in theirs)
    dash = openpyxl.load_workbook(out)["Dash"]
    assert len(dash._charts) == 1 and dash._charts[0].series[0].val.numRef.f == "Dash!$B$2:$B$3"


# ---- 8. the workbook the button was pressed in ------------------------------------------------
@pytest.mark.parametrize(("name", "addin"), [("leadscore_xl.addin.xlam", True), ("OLD.XLA", True),
                                             ("Leads.xlsx", False), ("Book1", False), ("x.xlsm", False)])  # fmt: skip
def test_an_add_in_caller_means_the_active_workbook(name: str, addin: bool) -> None:
    assert book_live.is_addin(name) is addin


def test_the_button_refreshes_the_caller_of_its_own_excel_instance() -> None:
    source = inspect.getsource(book_live._target_book) + inspect.getsource(book_live.refresh_active)
    assert "xw.Book.caller()" in source and "caller.app" in source
    assert "apps.active" not in inspect.getsource(book_live)  # never "whichever Excel is active"
    assert "No workbook is open" in source


# ---- 9. number formats -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column_format", "value", "label", "expected"),
    [
        (SIG4, 0.7512, None, "0.0000"),  # four significant digits
        (SIG4, 0.0751, None, "0.00000"),
        (SIG4, -2.9816, None, "0.000"),
        (SIG4, 13.5, None, "0.00"),
        (SIG4, 1228.6, None, "#,##0"),
        (SIG4, 2e-10, None, "0.000E+00"),  # Annual Revenue's coefficient: not 0.0000
        (SIG4, -3e-5, None, "0.000E+00"),
        (SIG4, 0.0, None, "0"),
        (BY_VALUE, 0.8123456, "AUC", STATISTIC),
        (BY_VALUE, 0.8123456, "Brier score", STATISTIC),
        (BY_VALUE, 1e-40, "LR p-value", PVALUE),
        (BY_VALUE, 0.84, "Hosmer-Lemeshow p-value", PVALUE),
        (BY_VALUE, 13.5, "Events per variable", "0.0"),
        (BY_VALUE, 300, "N used", COUNT),
        (BY_VALUE, 0.25, "Close rate of worked", PERCENT),
        (BY_VALUE, True, "Converged", None),
        (BY_VALUE, "Newton-Raphson", "Method", None),
        (BY_VALUE, dt.datetime(2026, 3, 31), "As-of date", DATE),
        (BY_VALUE, dt.datetime(2026, 4, 1, 9, 30), "Fitted at", TIMESTAMP),
        (BY_VALUE, dt.date(2026, 3, 31), "As-of date", DATE),
        ("0.0%", 0.25, None, "0.0%"),
        (None, 0.25, None, None),
    ],
)  # fmt: skip
def test_cell_formats(column_format: str | None, value: Any, label: Any, expected: str | None) -> None:
    assert cell_format(column_format, value, label) == expected


def test_a_p_value_format_shows_four_decimals_or_less_than():
    assert PVALUE == '[<0.0001]"<0.0001";0.0000'  # as statsmodels' summary and Stata print them


def test_format_runs_group_equal_formats_down_a_column() -> None:
    rows = [("Term", "Coef"), ("Intercept", -1.2), ("Size", 0.0008), ("Demo", 1.5), ("Visits", 0.3)]
    assert format_runs(rows, (None, SIG4)) == [(1, 1, 1, "0.000"), (2, 2, 1, "0.000E+00"), (3, 3, 1, "0.000"),
                                               (4, 4, 1, "0.0000")]  # fmt: skip


def test_model_and_report_cells_are_formatted_for_reading(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    out = tmp_path / "out.xlsx"
    refresh(open_book(src, out), RefreshOptions(now=NOW))
    wb = openpyxl.load_workbook(out)
    model = wb["Model"]
    row = {model.cell(r, 1).value: r for r in range(2, 14)}
    age = model.cell(row["Last Activity Date"], 4)  # about -0.0004 per day of age: "-4.010E-04"
    assert -0.001 < age.value < 0 and age.number_format == "0.000E+00"
    assert model.cell(row["Intercept"], 7).number_format == PVALUE
    side = {r[0].value: r[1] for r in model.iter_rows(min_col=1, max_col=2) if r[0].value}
    assert side["As-of date"].number_format == DATE and side["Fitted at"].number_format == TIMESTAMP
    assert side["Log-likelihood"].number_format == STATISTIC and side["N used"].number_format == COUNT
    report = {r[0].value: r[1] for r in wb["Report"].iter_rows(min_row=2, max_row=20, max_col=2) if r[0].value}
    assert report["Refreshed at"].number_format == TIMESTAMP and report["As-of date"].number_format == DATE
    assert report["AUC of the rules score on deals"].number_format == STATISTIC
    leads = wb["Leads"]
    assert leads["N2"].value == NOW and leads["N2"].number_format == "yyyy-mm-dd hh:mm"  # Scored At


def test_a_users_own_format_of_an_output_column_is_kept(tmp_path: Path) -> None:
    header = LEAD_HEADER + ["Scored At"]
    wb = build_workbook([r + [None] for r in lead_rows()], lead_header=header)
    for r in range(2, 14):
        wb["Leads"].cell(r, 9).number_format = "dd.mm.yyyy"
    src = save(wb, tmp_path / "book.xlsx")
    refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    assert openpyxl.load_workbook(tmp_path / "out.xlsx")["Leads"]["I2"].number_format == "dd.mm.yyyy"


# ---- 10. Ctrl-C and read-only files ----------------------------------------------------------------
def test_ctrl_c_exits_130_and_leaves_the_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    src = save(build_workbook(), tmp_path / "book.xlsx")
    before = src.read_bytes()
    real = FileBook.status

    def status(self: FileBook, message: str, fraction: float) -> None:
        if message.startswith("Rebuilding the Model"):
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C in the middle of the refresh
        real(self, message, fraction)

    monkeypatch.setattr(FileBook, "status", status)
    assert cli.main(["refresh", str(src), "-q"]) == 130
    err = capsys.readouterr().err
    assert err.endswith(f"leadscore: interrupted; {src} was not changed\n") and "Traceback" not in err
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_a_read_only_workbook_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    before = src.read_bytes()
    os.chmod(src, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # chmod 444
    try:
        assert cli.main(["refresh", str(src), "-q"]) == 1
        assert capsys.readouterr().err == (
            "leadscore: book.xlsx is read-only, so the refresh will not replace it; make it writable, or write "
            "the refreshed workbook to a new file with --output book-refreshed.xlsx\n"
        )
        assert src.read_bytes() == before and stat.S_IMODE(src.stat().st_mode) == 0o444
        assert cli.main(["refresh", str(src), "-q", "-o", str(tmp_path / "out.xlsx")]) == 0  # reading is fine
    finally:
        os.chmod(src, 0o644)
