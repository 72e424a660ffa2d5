"""Build the sample workbook ``workbook/LeadScoring.xlsx`` (one command, deterministic).

Usage::

    python workbook/build_template.py [--leads 2000] [--deals 5000] [--output PATH]

Sheets (each data sheet holds one Excel Table named like the sheet, header in row 1
from A1 - the contract :mod:`leadscore_xl.refresh.run` reads against):

==============  ================================================================
Leads           the open leads (sample_data.LEAD_COLUMNS), then the output columns
                Score, Grade, Route, Probability, Reasons, Scored At (filled by the
                build's refresh)
Rules           a starter rule sheet: explicit fit rules, behavioural engagement
                rules with half-lives on the last activity, a within-30-days rule,
                negative points, a Disqualify rule
Deals           the past deals with Won and Deal Amount
Model, Report   filled by one refresh at build time (coefficients, statistics,
                evaluation tables and native charts); every refresh rebuilds them
Settings        Setting | Value: caps Fit 60 / Engagement 40, bands at 65 / 50 / 20,
                the pinned as-of date, Outcome column = Won
Analysis        the analyst's live formulas (see :mod:`analysis_sheet`)
xlwings.conf    UDF Modules = leadscore_udfs
==============  ================================================================

Formula storage, chosen deliberately
------------------------------------
Spilled functions (``LEADSCORES``, ``LEADEXPLAIN``, ``LOGITFIT`` ...) are stored as
**legacy CSE array formulas over fixed ranges** (openpyxl ``ArrayFormula``), not as
dynamic-array formulas:

* openpyxl keeps them on a load/save round trip, so a headless refresh of this file
  (which goes through openpyxl) neither damages them nor has to refuse the file;
  openpyxl drops the ``metadata.xml`` that dynamic arrays need;
* LibreOffice and the ``formulas`` engine evaluate them, which the recalculation and
  office-suite tests rely on;
* Excel 365 shows them as ``{=LEADSCORES(...)}`` and computes them like any array formula.

The price: an array formula cannot grow. Each range is sized by running the function
once at build time, and the leads/rules/settings ranges it reads reach past the tables
(blank rows are ignored and give blank outputs), so a few more leads or rules need no
re-entry. The formulas live on their own Analysis sheet, which the refresh never touches.

Determinism: the data come from a fixed seed, the document properties and every zip
entry carry fixed timestamps, so two builds are byte-identical.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table
from openpyxl.worksheet.worksheet import Worksheet

sys.path.insert(0, str(Path(__file__).resolve().parent))

import analysis_sheet  # noqa: E402
from leadscore_xl.intake.layout import FORMATS, OUTPUT_COLUMNS, RULE_COLUMNS, settings_rows  # noqa: E402
from leadscore_xl.intake.xlsx import STYLE, conf_sheet, grade_formats  # noqa: E402
from leadscore_xl.refresh.book_file import open_book  # noqa: E402
from leadscore_xl.refresh.file_layout import Styles, align_block, page_setup  # noqa: E402
from leadscore_xl.refresh.report import Block  # noqa: E402
from leadscore_xl.refresh.formats import PageSetup, column_widths, display_text  # noqa: E402
from leadscore_xl.refresh.run import RefreshOptions, refresh  # noqa: E402
from sample_data import AS_OF, SampleData, make_sample  # noqa: E402

__all__ = ["COEF_HEADER", "OUTPUT_COLUMNS", "RULE_COLUMNS", "SETTINGS", "STARTER_RULES", "build", "main"]

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "LeadScoring.xlsx"
FIXED_TIME = dt.datetime(2026, 3, 31, 0, 0, 0)
COEF_HEADER = ("Term", "Variable", "Level", "Coef", "Std. Err.", "z", "P>|z|", "CI 2.5 %",
               "CI 97.5 %", "Odds ratio", "OR CI low", "OR CI high")  # fmt: skip
LAST = "Last Activity Date"
STARTER_RULES: tuple[tuple[Any, ...], ...] = (
    ("Decision maker", "Fit", "Job Title", "in", "CEO; CFO; CTO; VP Sales; VP Marketing", 20, None, None, True),
    ("Director", "Fit", "Job Title", "=", "Director", 15, None, None, True),
    ("Manager", "Fit", "Job Title", "=", "Manager", 8, None, None, True),
    ("Student", "Fit", "Job Title", "=", "Student", "Disqualify", None, None, True),
    ("Core company size", "Fit", "Company Size", "in", "200-999; 1000-4999", 15, None, None, True),
    ("Adjacent company size", "Fit", "Company Size", "in", "50-199; 5000+", 8, None, None, True),
    ("Target industry", "Fit", "Industry", "in", "Software; Financial Services", 10, None, None, True),
    ("Budget 50k+", "Fit", "Budget", ">=", 50000, 10, None, None, True),
    ("Revenue 5M-500M", "Fit", "Annual Revenue", "between", "5000000; 500000000", 5, None, None, True),
    ("Warm source", "Fit", "Lead Source", "in", "Referral; Partner", 8, None, None, True),
    ("Purchased list", "Fit", "Lead Source", "=", "Purchased List", -10, None, None, True),
    ("Competitor domain", "Fit", "Competitor Domain", "=", True, -50, None, None, True),
    ("Pricing page", "Engagement", "Pricing Page Visits", ">=", 1, 15, 30, LAST, True),
    ("Demo requested", "Engagement", "Demo Requested", "=", True, 20, 45, LAST, True),
    ("Free trial", "Engagement", "Free Trial", "=", True, 15, 60, LAST, True),
    ("Clicked 3+ emails", "Engagement", "Emails Clicked", ">=", 3, 8, None, None, True),
    ("Opened 5+ emails", "Engagement", "Emails Opened", ">=", 5, 4, None, None, True),
    ("Whitepaper", "Engagement", "Whitepaper Downloads", ">=", 1, 5, 90, LAST, True),
    ("Webinar", "Engagement", "Webinar Attended", "=", True, 6, 90, LAST, True),
    ("Active in last 30 days", "Engagement", LAST, "within 30 days", None, 10, None, None, True),
    ("Unsubscribed", "Engagement", "Unsubscribed", "=", True, -15, None, None, True),
)  # fmt: skip
SETTINGS = settings_rows(AS_OF, "Won", "Deal Amount", cost_per_lead=25)
ALIGN = Styles(right=Alignment(horizontal="right"), head=Alignment(), head_indent=Alignment(horizontal="left", indent=1),
               wrap=Alignment(wrap_text=True, vertical="top"),
               wrap_indent=Alignment(horizontal="left", wrap_text=True, vertical="top", indent=1),
               indent=Alignment(horizontal="left", indent=1))  # fmt: skip


def build(output: Path | str = DEFAULT_OUTPUT, n_leads: int = 2000, n_deals: int = 5000,
          refreshed: bool = True) -> Path:  # fmt: skip
    """Build the workbook at ``output`` and return its path.

    With ``refreshed`` (the default) the built file is then refreshed once, as the
    Refresh Scores button would, with the clock pinned to FIXED_TIME: the sample opens
    with its scores, the Model sheet and the Report charts already there."""
    data = make_sample(n_leads, n_deals)
    wb = Workbook()
    leads = wb.active
    leads.title = "Leads"
    _data_sheet(leads, [data.leads[0] + list(OUTPUT_COLUMNS)] + [r + [None] * 6 for r in data.leads[1:]])
    wb.create_sheet("Call List")  # filled by the refresh, right of Leads
    _data_sheet(wb.create_sheet("Rules"), [list(RULE_COLUMNS), *map(list, STARTER_RULES)])
    _data_sheet(wb.create_sheet("Deals"), data.deals)
    _data_sheet(wb.create_sheet("Model"), [list(COEF_HEADER), [None] * len(COEF_HEADER)])
    _data_sheet(wb.create_sheet("Report"), [["Metric", "Value"], [None, None]])
    settings = wb.create_sheet("Settings")
    _data_sheet(settings, [["Setting", "Value"], *([k, v] for k, v, _ in SETTINGS)])
    for row, (key, value, note) in enumerate(SETTINGS, start=2):
        settings.cell(row, 4, note).font = Font(italic=True, color="808080")
        if isinstance(value, dt.datetime):
            settings.cell(row, 2).number_format = "yyyy-mm-dd"
    settings.column_dimensions["C"].width = 2
    settings.column_dimensions["D"].width = max(len(note) for _, _, note in SETTINGS) + 2
    page_setup(settings, PageSetup("A1:D" + str(len(SETTINGS) + 1), "1:1", "A2"))
    capacity = analysis_sheet.capacity(n_leads)
    _grade_formats(leads, len(data.leads[0]) + 1, capacity)
    analysis = wb.create_sheet("Analysis")
    grade_cells = analysis_sheet.write(analysis, _inputs(data, capacity))
    grade_formats(analysis, grade_cells)
    saved = wb[analysis_sheet.VALUES_SHEET]  # an array formula's cells other than its first exist there only
    right, bottom = max(analysis.max_column, saved.max_column), max(analysis.max_row, saved.max_row)
    page_setup(analysis, PageSetup(f"A1:{get_column_letter(right)}{bottom}", "4:4", "A5"))
    conf = wb.create_sheet("xlwings.conf")
    conf_sheet(conf)
    page_setup(conf, PageSetup("A1:B3"))
    path = _save(wb, Path(output))
    if refreshed:
        refresh(open_book(path), RefreshOptions(now=FIXED_TIME))
        path.write_bytes(_fixed_zip(path.read_bytes()))
    return path


def _inputs(data: SampleData, capacity: int) -> analysis_sheet.Inputs:
    settings = [["Setting", "Value"], *([k, v] for k, v, _ in SETTINGS)]
    return analysis_sheet.Inputs(
        leads=data.leads, deals=data.deals, rules=[list(RULE_COLUMNS), *map(list, STARTER_RULES)],
        settings=settings, capacity=capacity, as_of_row=1 + [k for k, _, _ in SETTINGS].index("As-of date") + 1,
    )  # fmt: skip


def _data_sheet(ws: Worksheet, rows: list[list[Any]]) -> None:
    """Rows from A1, an Excel Table named like the sheet, formats and widths."""
    header = rows[0]
    for row in rows:
        ws.append(row)
    ref = f"A1:{get_column_letter(len(header))}{max(len(rows), 2)}"
    table = Table(displayName=ws.title, ref=ref)
    table.tableStyleInfo = STYLE
    ws.add_table(table)
    for j, name in enumerate(header, start=1):
        fmt = FORMATS.get(str(name))
        texts = [(j, str(name) + "    ")] + [(j, display_text(fmt, row[j - 1])) for row in rows[1:] if j - 1 < len(row)]
        ws.column_dimensions[get_column_letter(j)].width = column_widths(texts)[j]
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=len(rows), min_col=j, max_col=j):
                cell.number_format = fmt
    align_block(ws, Block(ws.title, 1, 1, tuple(map(tuple, rows))), ALIGN)  # headers over numbers to the right
    page_setup(ws, PageSetup(ref, "1:1", "A2"))


def _grade_formats(ws: Worksheet, first_output_col: int, capacity: int) -> None:
    """Colour the Grade and Route output columns the refresh fills."""
    grade = get_column_letter(first_output_col + OUTPUT_COLUMNS.index("Grade"))
    route = get_column_letter(first_output_col + OUTPUT_COLUMNS.index("Route"))
    grade_formats(ws, (f"{grade}2:{grade}{capacity + 1}", f"{route}2:{route}{capacity + 1}"))


def _save(wb: Workbook, path: Path) -> Path:
    """Save with fixed properties and zip timestamps, so two builds are byte-identical."""
    wb.properties.creator = "LeadScore XL"
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buffer.getvalue()))
    return path


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed entry timestamps and modification date."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), body)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the LeadScore XL sample workbook.")
    parser.add_argument("--leads", type=int, default=2000, help="open leads (default 2000)")
    parser.add_argument("--deals", type=int, default=5000, help="past deals (default 5000)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the .xlsx")
    args = parser.parse_args(argv)
    if args.leads < 1 or args.deals < 10:
        parser.error("need at least 1 lead and 10 deals")
    path = build(args.output, args.leads, args.deals)
    print(f"wrote {path} ({args.leads} leads, {args.deals} deals)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
