"""The workbook a person reads (issue 14): formats, widths, alignment and page setup of
every sheet the refresh writes, the Call List, the Model's "Per" column, and file hygiene.
The office-suite check of the rendered sample is in test_office.py."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from leadscore_xl import __version__, cli
from leadscore_xl.errors import BookError, SettingsError
from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.refresh.call_list import call_list_size, identity_columns
from leadscore_xl.refresh.formats import PVALUE, display_text, header_lines, significant
from leadscore_xl.refresh.run import RefreshOptions, refresh
from leadscore_xl.refresh.steps import per_step, with_per_column
from leadscore_xl.settings import read_settings
from test_refresh import NOW
from test_refresh_support import SETTINGS, build_workbook, deal_rows, lead_rows, save

NUMBER = re.compile(r"^(#,##0|0)(\.0+)?(%|E\+00)?$")


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("legible")
    book = build_workbook(lead_rows(40, seed=3), deal_rows(400))
    deals = book["Deals"]
    deals.cell(1, 9, "Deal Amount")
    for r in range(2, 402):
        deals.cell(r, 9, 1000 * (r % 37) + 20_000)
    deals.tables["Deals"].ref = "A1:I401"
    src = save(book, folder / "book.xlsx")
    out = folder / "out.xlsx"
    refresh(open_book(src, out), RefreshOptions(now=NOW))
    return out


@pytest.fixture(scope="module")
def wb(refreshed: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(refreshed)


# ---- number formats ------------------------------------------------------------------------------
def test_every_number_on_model_and_report_has_a_format_chosen_for_it(wb: openpyxl.Workbook) -> None:
    for sheet in ("Model", "Report", "Call List"):
        general = [c.coordinate for row in wb[sheet].iter_rows() for c in row
                   if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) and c.number_format == "General"]  # fmt: skip
        assert general == [], sheet
        formats = {c.number_format for row in wb[sheet].iter_rows() for c in row
                   if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)}  # fmt: skip
        assert all(NUMBER.match(f) or f in (PVALUE, "yyyy-mm-dd", "yyyy-mm-dd hh:mm") for f in formats), formats


def _block(ws: Any, header_start: str) -> tuple[dict[str, int], int]:
    """Columns by header and the header row of the block whose first header is ``header_start``."""
    row = next(c.row for c in ws["A"] if c.value == header_start)
    return {ws.cell(row, j).value: j for j in range(1, ws.max_column + 1) if ws.cell(row, j).value}, row


def test_report_numbers_are_formatted_as_what_they_are(wb: openpyxl.Workbook) -> None:
    ws = wb["Report"]
    lift_table = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "Decile" and ws.cell(r, 2).value == "Score from")
    lift = {ws.cell(lift_table, j).value: j for j in range(1, 14) if ws.cell(lift_table, j).value}
    first = lift_table + 1
    assert ws.cell(first, lift["Score from"]).number_format == "0.0"  # not 55.8179788678803
    assert ws.cell(first, lift["Leads"]).number_format == "#,##0"
    assert ws.cell(first, lift["Close rate"]).number_format == "0.0%"
    assert ws.cell(first, lift["Lift"]).number_format == "0.00"
    cuts, row = _block(ws, "Criterion")
    assert ws.cell(row + 1, cuts["F1"]).number_format == "0.000" and ws.cell(row + 1, cuts["Youden J"]).number_format == "0.000"
    assert ws.cell(row + 1, cuts["Cut-off (score >=)"]).number_format == "0.0"
    value_row = next(r for r in range(row, row + 6) if ws.cell(r, 1).value == "Expected value")
    assert ws.cell(value_row, cuts["Expected value"]).number_format == "#,##0"  # 38,356,000
    assert "Cost per lead" in ws.cell(value_row, cuts["Note"]).value  # no Cost per lead set: said so
    stats = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, str)}
    assert stats["Brier score"].number_format == "0.000" and stats["Log loss"].number_format == "0.000"
    assert stats["Hosmer-Lemeshow p-value"].number_format == PVALUE
    assert stats["Open leads"].number_format == "#,##0"


def test_model_numbers_keep_four_significant_digits_and_p_values_four_decimals(wb: openpyxl.Workbook) -> None:
    ws = wb["Model"]
    head = {ws.cell(1, j).value: j for j in range(1, 14)}
    for r in range(2, int(ws.tables["Model"].ref.split(":")[1][1:]) + 1):
        coef = ws.cell(r, head["Coef"])
        assert coef.number_format == significant(coef.value)
        assert ws.cell(r, head["P>|z|"]).number_format == PVALUE
    stats = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, str)}
    assert stats["Events per variable"].number_format == "0.0"  # not 13.5000
    assert stats["N used"].number_format == "#,##0" and stats["LR p-value"].number_format == PVALUE
    covariance = ws["P3"]
    assert isinstance(covariance.value, float) and covariance.number_format == significant(covariance.value)


@pytest.mark.parametrize(("fmt", "value", "shown"), [
    ("#,##0", 38356000, "38,356,000"), ("0.0%", 0.474, "47.4%"), (PVALUE, 3e-31, "<0.0001"), ("0.0", 55.8179, "55.8"),
    ("0.000E+00", 2.2094e-10, "2.209E-10"), (None, "Marketing nurture", "Marketing nurture"),
])  # fmt: skip
def test_displayed_text_sizes_the_columns(fmt: str | None, value: Any, shown: str) -> None:
    assert display_text(fmt, value) == shown


def test_headers_wrap_onto_two_balanced_lines() -> None:
    assert max(map(len, header_lines("Expected value per week").split("\n"))) == len("value per week")
    assert header_lines("Leads") == "Leads"


# ---- widths, alignment, page setup -----------------------------------------------------------------
def test_headers_are_aligned_like_their_values(wb: openpyxl.Workbook) -> None:
    ws = wb["Report"]
    channels, row = _block(ws, "Source")
    assert ws.cell(row, channels["Leads"]).alignment.horizontal == "right"  # over right-aligned numbers
    assert ws.cell(row, channels["Source"]).alignment.horizontal in (None, "general", "left")
    row = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "Band" and ws.cell(r, 2).value == "From score")
    bands = {ws.cell(row, j).value: j for j in range(1, 12) if ws.cell(row, j).value}
    qualified = ws.cell(row + 1, bands["Qualified"])
    assert qualified.value == "yes" or qualified.value == "no"
    assert qualified.alignment.indent == 1  # "47.4%  yes", not "47.4%yes"


def test_columns_fit_their_headers_and_values(wb: openpyxl.Workbook) -> None:
    leads = wb["Leads"]
    head = {c.value: c.column_letter for c in leads[1]}
    assert leads.column_dimensions[head["Scored At"]].width >= len("2026-04-01 09:30") + 2  # not ###
    reasons = [c.value for c in leads[head["Reasons"]][1:] if c.value]
    assert leads.column_dimensions[head["Reasons"]].width >= min(50, max(map(len, reasons)) + 2)
    assert leads.column_dimensions[head["Route"]].width >= len("Marketing nurture") + 2
    report = wb["Report"]
    assert report.column_dimensions["A"].width <= 52  # sized to the labels, not to the longest title


@pytest.mark.parametrize(("sheet", "freeze"), [("Leads", "A2"), ("Model", None), ("Report", None), ("Call List", "A2")])
def test_sheets_print_landscape_one_page_wide_with_their_header(wb: openpyxl.Workbook, sheet: str, freeze: str | None) -> None:
    ws = wb[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area
    if sheet != "Report":  # the Report's blocks carry their own headers
        assert ws.print_title_rows == "$1:$1"
    if freeze:
        assert ws.freeze_panes == freeze


def test_the_model_prints_its_tables_but_not_the_covariance(wb: openpyxl.Workbook) -> None:
    ws = wb["Model"]
    area = ws.print_area.split("!")[1].replace("$", "")
    assert area.startswith("A1:M")  # the coefficient table, variables, statistics, diagnostics, audit
    assert ws["O1"].value.startswith("Covariance")


# ---- the Model's Per column ----------------------------------------------------------------------
def test_a_per_step_is_one_for_small_ranges_else_the_power_of_ten_nearest_one_sd() -> None:
    assert per_step(np.array([0.0, 3.0, 20.0, 7.0])) == 1.0
    rng = np.random.default_rng(0)
    assert per_step(rng.normal(60_000, 20_000, 5000)) == 10_000.0  # log10(20,000) = 4.3: nearest 10^4
    assert per_step(rng.normal(60_000, 40_000, 5000)) == 100_000.0  # log10(40,000) = 4.6: nearest 10^5
    revenue = np.random.default_rng(0).normal(2e8, 1.5e8, 500)
    assert per_step(revenue) == 1e8


def test_odds_ratios_are_for_the_step_and_the_coefficient_stays_per_unit() -> None:
    rows = [["Term", "Variable", "Level", "Coef", "Std. Err.", "z", "P>|z|", "CI 2.5 %", "CI 97.5 %", "Odds ratio",
             "OR CI low", "OR CI high"],
            ["Intercept", "Intercept", None, -3.0, 0.2, -15.0, 0.0, -3.4, -2.6, math.exp(-3.0), math.exp(-3.4), math.exp(-2.6)],
            ["Budget", "Budget", None, 2e-6, 1e-6, 2.0, 0.05, 0.0, 4e-6, 1.000002, 1.0, 1.000004],
            ["Title: VP", "Title", "VP", 0.5, 0.1, 5.0, 1e-6, 0.3, 0.7, math.exp(0.5), math.exp(0.3), math.exp(0.7)]]  # fmt: skip
    out = with_per_column(rows, {"budget": 100_000.0})
    assert out[0][9] == "Per" and out[0][3] == "Coef"
    budget = dict(zip(out[0], out[2]))
    assert budget["Coef"] == 2e-6 and budget["Per"] == 100_000.0
    assert budget["Odds ratio"] == pytest.approx(math.exp(0.2)) and budget["OR CI high"] == pytest.approx(math.exp(0.4))
    assert dict(zip(out[0], out[3]))["Per"] is None and dict(zip(out[0], out[3]))["Odds ratio"] == math.exp(0.5)


def test_the_model_sheet_with_its_per_column_still_scores_like_the_refresh(wb: openpyxl.Workbook) -> None:
    from leadscore_xl.model.coefficients import read_model

    ws = wb["Model"]
    end = int(ws.tables["Model"].ref.split(":")[1][1:])
    rows = [list(r) for r in ws.iter_rows(min_row=1, max_row=end, max_col=13, values_only=True)]
    leads = [[c.value for c in r] for r in wb["Leads"].iter_rows()]
    p = read_model(rows).predict([row[:8] for row in leads], dt.datetime(2026, 3, 31))
    written = [row[[h for h in leads[0]].index("Probability")] for row in leads[1:]]
    assert p.tolist() == pytest.approx([float("nan") if v is None else v for v in written], rel=1e-9, nan_ok=True)


# ---- the Call List -------------------------------------------------------------------------------
def _leads(wb: openpyxl.Workbook) -> list[dict[str, Any]]:
    rows = [[c.value for c in r] for r in wb["Leads"].iter_rows()]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _call_list(wb: openpyxl.Workbook) -> list[dict[str, Any]]:
    ws = wb["Call List"]
    end = int(ws.tables["CallList"].ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    rows = [[c.value for c in r] for r in ws.iter_rows(max_row=end)]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_the_call_list_holds_exactly_the_sales_leads_by_probability(wb: openpyxl.Workbook) -> None:
    leads, calls = _leads(wb), _call_list(wb)
    sales = [lead for lead in leads if lead["Route"] == "Sales"]
    assert 0 < len(sales) <= 50
    assert sorted(c["Lead ID"] for c in calls) == sorted(lead["Lead ID"] for lead in sales)
    keys = [(-(c["Probability"] if c["Probability"] is not None else -1), -c["Score"]) for c in calls]
    assert keys == sorted(keys)  # by probability, then score
    assert [c["Rank"] for c in calls] == list(range(1, len(calls) + 1))
    assert list(calls[0]) == ["Rank", "Lead ID", "Company", "Score", "Grade", "Probability", "Top reasons",
                              "Last Activity Date"]  # fmt: skip
    by_id = {lead["Lead ID"]: lead for lead in leads}
    for c in calls:
        lead = by_id[c["Lead ID"]]
        # openpyxl writes the Call List's numbers with 16 significant digits, Leads has all 17
        assert c["Score"] == pytest.approx(lead["Score"], rel=1e-15)
        assert (c["Grade"], c["Top reasons"], c["Last Activity Date"]) == \
            (lead["Grade"], lead["Reasons"], lead["Last Activity Date"])  # fmt: skip


def test_the_call_list_length_follows_the_setting(tmp_path: Path) -> None:
    book = build_workbook(lead_rows(40, seed=3), deal_rows(400))
    book["Settings"].append(["Call list size", 3])
    book["Settings"].tables["Settings"].ref = f"A1:B{len(SETTINGS) + 1}"
    src = save(book, tmp_path / "book.xlsx")
    before = [[c.value for c in r] for r in openpyxl.load_workbook(src)["Leads"].iter_rows(max_col=8)]
    refresh(open_book(src), RefreshOptions(now=NOW))
    out = openpyxl.load_workbook(src)
    calls = _call_list(out)
    assert len(calls) == 3
    assert "more are routed to Sales" in out["Call List"].cell(6, 1).value  # and how to list more
    assert [[c.value for c in r] for r in out["Leads"].iter_rows(max_col=8)] == before  # Leads' own cells untouched
    refresh(open_book(src), RefreshOptions(now=NOW))  # rebuilt, not appended, on every refresh
    assert len(_call_list(openpyxl.load_workbook(src))) == 3


@pytest.mark.parametrize("value", [0, 2.5, "many"])
def test_a_bad_call_list_size_says_what_to_type(value: Any) -> None:
    settings = read_settings([["Setting", "Value"], ["Call list size", value]])
    with pytest.raises(SettingsError, match="Call list size"):
        call_list_size(settings)


def test_the_call_list_names_the_lead_by_its_identifier_and_name_columns() -> None:
    headers = ["Lead ID", "Company", "Email", "Company Size", "First name", "Job Title", "Account Name"]
    assert identity_columns(headers) == [0, 1, 2, 4]
    assert identity_columns(["Title", "Size"]) == [0]


def test_a_disqualified_lead_says_which_rule_disqualified_it(wb: openpyxl.Workbook) -> None:
    disqualified = [lead for lead in _leads(wb) if lead["Route"] == "Disqualified"]
    assert disqualified
    assert all(lead["Reasons"].startswith("Student: disqualifies") for lead in disqualified)


# ---- file hygiene --------------------------------------------------------------------------------
def test_an_output_file_gets_the_permissions_of_a_new_file(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    mask = os.umask(0o022)
    try:
        refresh(open_book(src, tmp_path / "out.xlsx"), RefreshOptions(now=NOW))
    finally:
        os.umask(mask)
    assert (tmp_path / "out.xlsx").stat().st_mode & 0o777 == 0o644  # not 0600
    os.chmod(src, 0o640)
    refresh(open_book(src), RefreshOptions(now=NOW))
    assert src.stat().st_mode & 0o777 == 0o640  # in place: the file keeps its own


def test_a_workbook_open_in_excel_is_not_overwritten_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = save(build_workbook(), tmp_path / "Leads 2026.xlsx")
    (tmp_path / "~$Leads 2026.xlsx").write_bytes(b"owner")
    before = src.read_bytes()
    with pytest.raises(BookError, match=r"open in Excel .*--output \"?Leads 2026-refreshed.xlsx"):
        open_book(src)
    assert cli.main(["refresh", str(src), "-q"]) == 1
    assert "is open in Excel" in capsys.readouterr().err and src.read_bytes() == before
    refresh(open_book(src, tmp_path / "copy.xlsx"), RefreshOptions(now=NOW))  # a new file is fine


def test_the_command_prints_its_version() -> None:
    script = shutil.which("leadscore")
    command = [script] if script else [sys.executable, "-m", "leadscore_xl.cli"]
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"leadscore {__version__}"
