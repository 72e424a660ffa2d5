"""``leadscore new`` and ``leadscore refresh --leads`` on generated HubSpot and Salesforce exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from crm_fixtures import hubspot_contacts, salesforce_leads, write_csv
from leadscore_xl.cli import main
from leadscore_xl.errors import InputError
from leadscore_xl.intake.files import read_export
from leadscore_xl.intake.layout import OUTPUT_COLUMNS
from leadscore_xl.intake.new import NewOptions, new_book

N_LEADS, N_DEALS = 300, 1200


def _sheet(path: Path, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    try:
        ws = wb[name]
        top, bottom = ws.tables[name].ref.split(":")
        rows = list(ws.iter_rows(min_row=1, max_row=int("".join(c for c in bottom if c.isdigit())), values_only=True))
        return [r[: len(ws.tables[name].tableColumns)] for r in rows]
    finally:
        wb.close()


def _settings(path: Path) -> dict:
    return {r[0]: r[1] for r in _sheet(path, "Settings")[1:]}


def _model_stat(path: Path, label: str):
    wb = openpyxl.load_workbook(path)
    ws = wb["Model"]
    for row in ws.iter_rows(values_only=True):
        for j, v in enumerate(row):
            if v == label:
                return row[j + 1]
    return None


def _check_scored(path: Path, n: int, id_column: str, ids: list[str]) -> None:
    leads = _sheet(path, "Leads")
    header = list(leads[0])
    assert header[-len(OUTPUT_COLUMNS):] == list(OUTPUT_COLUMNS)
    assert len(leads) == n + 1  # no sample row, no blank row
    score = header.index("Score")
    assert all(isinstance(r[score], (int, float)) for r in leads[1:]), "every lead is scored"
    got = [str(r[header.index(id_column)]) for r in leads[1:]]
    assert got == ids
    assert _settings(path)["As-of date"] is None


@pytest.mark.parametrize("dates", ["iso", "day_first"])
def test_hubspot_contacts_without_deals(tmp_path: Path, dates: str) -> None:
    rows = hubspot_contacts(N_LEADS, dates=dates)
    leads = write_csv(tmp_path / "contacts.csv", rows)
    made = new_book(tmp_path / "book.xlsx", leads, options=NewOptions(day_first=dates == "day_first"))
    assert made.rules_from == "column names" and made.refreshed.scored == N_LEADS
    _check_scored(made.path, N_LEADS, "Record ID", [r[0] for r in rows[1:]])
    rules = _sheet(made.path, "Rules")[1:]
    lead_columns = set(rows[0])
    assert all(r[2] in lead_columns for r in rules), "every starter rule names an existing column"
    assert {r[2] for r in rules} >= {"Job Title", "Number of Employees", "Last Activity Date", "Number of Pageviews",
                                     "Unsubscribed from all email", "Lifecycle Stage", "Number of Form Submissions"}
    assert _sheet(made.path, "Deals")[1:] == [(None,) * (len(rows[0]) + 1)]  # an empty Deals table to fill
    assert any("Deals table has no deals yet" in n for n in made.notes)
    sheets = openpyxl.load_workbook(made.path, read_only=True).sheetnames
    assert set(sheets) >= {"Leads", "Rules", "Deals", "Model", "Report", "Settings", "Call List"}  # as the template, once refreshed
    # the dates were read as dates (day-first ones too), the employees as numbers ("1000+" -> 1000)
    leads_sheet = _sheet(made.path, "Leads")
    header = list(leads_sheet[0])
    last = [r[header.index("Last Activity Date")] for r in leads_sheet[1:]]
    assert all(v is None or isinstance(v, dt.datetime) for v in last) and sum(v is not None for v in last) > 200
    employees = {r[header.index("Number of Employees")] for r in leads_sheet[1:]}
    assert 1000 in employees and all(v is None or isinstance(v, (int, float)) for v in employees)


def test_hubspot_with_lifecycle_deals_fits_on_user_deals_only(tmp_path: Path) -> None:
    leads = write_csv(tmp_path / "contacts.csv", hubspot_contacts(N_LEADS))
    deal_rows = hubspot_contacts(N_DEALS, seed=5, customers=True)
    deals = write_csv(tmp_path / "customers.csv", deal_rows)
    made = new_book(tmp_path / "book.xlsx", leads, deals)
    assert made.rules_from == "deals" and made.refreshed.model_fitted and made.refreshed.scored == N_LEADS
    assert _settings(made.path)["Outcome column"] == "Lifecycle Stage"
    assert len(_sheet(made.path, "Deals")) == N_DEALS + 1
    used = _model_stat(made.path, "N used") or _model_stat(made.path, "Observations used")
    assert used is not None and 0 < used <= N_DEALS
    assert not any("bundled sample" in n for n in made.notes)
    rules = _sheet(made.path, "Rules")[1:]
    assert rules[0][3] == "always" and all(r[2] in set(deal_rows[0]) for r in rules[1:])


def test_salesforce_leads_report(tmp_path: Path) -> None:
    rows = salesforce_leads(N_LEADS)
    leads = write_csv(tmp_path / "leads.csv", rows)
    made = new_book(tmp_path / "sf.xlsx", leads)
    _check_scored(made.path, N_LEADS, "Lead ID", [r[0] for r in rows[1:]])
    assert {r[2] for r in _sheet(made.path, "Rules")[1:]} >= {"Title", "No. of Employees", "Email Opt Out", "Last Activity"}
    deals = write_csv(tmp_path / "converted.csv", salesforce_leads(N_DEALS, seed=7, converted=True))
    made = new_book(tmp_path / "sf2.xlsx", leads, deals)
    assert made.refreshed.model_fitted and _settings(made.path)["Outcome column"] == "Converted"
    _check_scored(made.path, N_LEADS, "Lead ID", [r[0] for r in rows[1:]])


def test_outcome_column_asked_for_with_candidates(tmp_path: Path) -> None:
    leads = write_csv(tmp_path / "leads.csv", salesforce_leads(50))
    deals = write_csv(tmp_path / "deals.csv", salesforce_leads(60, seed=3))  # no outcome column
    with pytest.raises(InputError, match=r'deals\.csv: no column holds the deals\' outcome .* --outcome COLUMN; '
                                         r'columns with only a few values: .*"Lead Source"'):  # fmt: skip
        new_book(tmp_path / "x.xlsx", leads, deals)
    with pytest.raises(InputError, match=r'outcome column "Rating " is not|outcome column "Ratng" is not a Deals column; did you mean "Rating"'):
        new_book(tmp_path / "x.xlsx", leads, deals, NewOptions(outcome="Ratng"))
    assert not (tmp_path / "x.xlsx").exists()


def test_new_never_overwrites(tmp_path: Path) -> None:
    leads = write_csv(tmp_path / "leads.csv", salesforce_leads(20))
    (tmp_path / "book.xlsx").write_bytes(b"mine")
    with pytest.raises(Exception, match="already exists"):
        new_book(tmp_path / "book.xlsx", leads)
    assert (tmp_path / "book.xlsx").read_bytes() == b"mine"


# ---- CSV edge cases ------------------------------------------------------------------
HEADER = "Record ID,Job Title,Number of Employees,Last Activity Date,Company Name"
ROWS = ["1,CEO,500,2026-11-01,Acme", "2,Manager,40,2026-10-01,Zeta", "3,Student,,2026-09-01,Beta"]
EDGE = {
    "bom": ("\ufeff" + "\r\n".join([HEADER, *ROWS]) + "\r\n").encode("utf-8"),
    "semicolon": "\n".join([HEADER.replace(",", ";"), *(r.replace(",", ";") for r in ROWS)]).encode(),
    "cp1252": "\r\n".join([HEADER, *ROWS, "4,Directeur général,12,2026-11-02,Société Générale"]).encode("cp1252"),
    "quoted newline": "\n".join([HEADER, *ROWS, '5,"VP\nSales",30,2026-11-03,"Line one\nline two, with comma"']).encode(),
    "trailing blank line": ("\n".join([HEADER, *ROWS]) + "\n\n\n").encode(),
    "blank column": "\n".join([HEADER + ",Fax", *(r + "," for r in ROWS)]).encode(),
    "short row": "\n".join([HEADER, *ROWS, "6,CEO"]).encode(),
}


@pytest.mark.parametrize("case", sorted(EDGE))
def test_csv_edge_cases_give_a_scored_workbook(tmp_path: Path, case: str) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(EDGE[case])
    made = new_book(tmp_path / "book.xlsx", path)
    assert made.refreshed.scored == made.leads == made.refreshed.leads
    leads = _sheet(made.path, "Leads")
    assert leads[0][:5] == tuple(HEADER.split(","))
    if case == "cp1252":
        assert leads[-1][1] == "Directeur général" and leads[-1][4] == "Société Générale"
    if case == "quoted newline":
        assert leads[-1][1] == "VP\nSales" and leads[-1][4] == "Line one\nline two, with comma"
    if case == "blank column":
        assert leads[0][5] == "Fax" and all(r[5] is None for r in leads[1:])


@pytest.mark.parametrize("body, message", [
    ("\n".join([HEADER, ROWS[0], '2,"Manager, Sales",40,2026-10-01,Zeta,extra', ROWS[2]]),
     r'^leads\.csv line 3, column 6: the row has 6 fields but the header has 5 columns .*"extra" has no column'),
    ("\n".join([HEADER, '1,"VP\nSales",1,2026-01-01,A', '2,CEO,2,2026-01-01,B,C']),
     r"^leads\.csv line 4, column 6: "),
    (HEADER + "\n", r"^leads\.csv line 2: the file has a header row but no rows below it"),
    ("", r"^leads\.csv line 1: the file is empty"),
    ("Record ID,,Job Title\n1,x,CEO\n", r"^leads\.csv line 1, column 2: the header is blank but line 2 has a value"),
    ("Email,email\na@b.c,d@e.f\n", r'^leads\.csv line 1, columns 1 and 2: both are headed "email"'),
])  # fmt: skip
def test_csv_errors_name_file_line_and_column(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        new_book(tmp_path / "book.xlsx", path)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "book.xlsx").exists()


def test_cli_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    assert main(["new", str(tmp_path / "b.xlsx"), "--leads", str(path), "-q"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("leadscore: leads.csv line 2:") and "\n" not in err


# ---- new leads as they arrive -----------------------------------------------------------
def test_append_twice_keeps_each_lead_once_and_other_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = hubspot_contacts(120)
    book = tmp_path / "book.xlsx"
    assert main(["new", str(book), "--leads", str(write_csv(tmp_path / "a.csv", first[:81])), "-q"]) == 0
    wb = openpyxl.load_workbook(book)
    wb["Leads"]["B2"] = "Edited by hand"  # a user's edit on a lead the next export has too
    wb["Leads"]["Z1"] = "my notes"  # a cell outside the table
    wb.save(book)
    before = _sheet(book, "Leads")
    export = write_csv(tmp_path / "b.csv", [first[0], *first[41:]])  # leads 40-79 known, 80-119 new
    for _ in range(2):
        assert main(["refresh", str(book), "--leads", str(export), "--mode", "append", "-q"]) == 0
    out = capsys.readouterr()
    assert "b.csv: 40 leads added, 40 updated" in out.err and "b.csv: 0 leads added, 80 updated" in out.err
    after = _sheet(book, "Leads")
    header = list(after[0])
    ids = [r[0] for r in after[1:]]
    assert len(ids) == len(set(ids)) == 120
    keep = [j for j, h in enumerate(header) if h not in OUTPUT_COLUMNS]
    for old, new in zip(before[1:41], after[1:41], strict=True):  # leads 0-39, not in the new export: untouched
        assert [old[j] for j in keep] == [new[j] for j in keep]
    assert after[1][1] == "Edited by hand"
    assert all(isinstance(r[header.index("Score")], (int, float)) for r in after[1:])
    assert openpyxl.load_workbook(book)["Leads"]["Z1"].value == "my notes"


def test_replace_mode_and_id_column_errors(tmp_path: Path) -> None:
    rows = salesforce_leads(60)
    book = new_book(tmp_path / "book.xlsx", write_csv(tmp_path / "a.csv", rows)).path
    assert main(["refresh", str(book), "--leads", str(write_csv(tmp_path / "b.csv", rows[:11])), "--mode", "replace", "-q"]) == 0
    assert [r[0] for r in _sheet(book, "Leads")[1:]] == [r[0] for r in rows[1:11]]
    no_id = write_csv(tmp_path / "c.csv", [r[1:5] for r in rows[:5]])  # First Name .. Company: no ID, no Email
    assert main(["refresh", str(book), "--leads", str(no_id), "-q"]) == 1
    assert main(["refresh", str(book), "--leads", str(no_id), "--id-column", "Last Name", "-q"]) == 0
    assert len(_sheet(book, "Leads")) == 11


def test_export_reads_xlsx(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for row in [["Lead ID", "Title", "No. of Employees"], ["a1", "CEO", "1,200"], ["a2", "Intern", 15]]:
        wb.active.append(row)
    wb.save(tmp_path / "leads.xlsx")
    export = read_export(tmp_path / "leads.xlsx")
    assert export.columns[2].values == [1200.0, 15]


def test_export_reads_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")  # a test dependency (pyproject [test])
    import pyarrow.parquet as pq

    when = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone.utc)
    table = pa.table({"Lead ID": ["a1", "a2"], "Title": ["CEO", None], "No. of Employees": [1200, 15],
                      "Last Activity": [when, None], "Email Opt Out": [False, True]})  # fmt: skip
    pq.write_table(table, tmp_path / "leads.parquet")
    made = new_book(tmp_path / "book.xlsx", tmp_path / "leads.parquet")
    assert made.refreshed.scored == 2
    leads = _sheet(made.path, "Leads")
    assert leads[1][:5] == ("a1", "CEO", 1200, dt.datetime(2026, 11, 2, 9, 30), False)


def test_sample_deals_warn_on_the_model_sheet_and_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = Path(__file__).resolve().parent.parent / "workbook" / "LeadScoring.xlsx"
    out = tmp_path / "out.xlsx"
    assert main(["refresh", str(template), "--output", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert "note: The Deals sheet holds the bundled sample's 5,000 synthetic deals, not yours" in err
    assert "note: Settings pin the As-of date to 2026-03-31" in err
    wb = openpyxl.load_workbook(out)
    texts = [v for row in wb["Model"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any(t.startswith("The Deals sheet holds the bundled sample's") for t in texts)


def test_salesforce_opportunity_stages_as_outcome(tmp_path: Path) -> None:
    rows = salesforce_leads(N_DEALS, seed=9, converted=True)
    stages = {"1": "Closed Won", "0": "Closed Lost"}
    deals = [rows[0][:-1] + ["Stage"]] + [r[:-1] + [stages[r[-1]] if i % 10 else "Prospecting"] for i, r in enumerate(rows[1:])]
    made = new_book(tmp_path / "b.xlsx", write_csv(tmp_path / "l.csv", salesforce_leads(40)),
                    write_csv(tmp_path / "opportunities.csv", deals))  # fmt: skip
    assert _settings(made.path)["Outcome column"] == "Stage" and made.refreshed.model_fitted
    assert made.refreshed.scored == 40
