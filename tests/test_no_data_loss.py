"""No data loss: a macro workbook full of user content survives an in-place refresh.

The fixture starts from xlwings' own Excel-made quickstart.xlsm (a real VBA project) and
adds the contract sheets plus what users put in workbooks: extra columns, formulas,
styles, number formats, data validation, conditional formats, comments, defined names
(workbook and sheet scope), frozen panes, column widths, merged cells and a second,
unrelated sheet. After the refresh, every cell (value, type, style) and every part
outside our outputs (the Leads output columns, the Model and Report sheets) is compared.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.refresh.run import OUTPUTS, RefreshOptions, refresh
from test_refresh import NOW
from test_refresh_support import LEAD_HEADER, build_workbook, cells, lead_rows, part_bytes

QUICKSTART = Path(xlwings.__file__).parent / "quickstart.xlsm"
OURS = ("Model", "Report", "Call List")


def user_workbook(path: Path) -> Path:
    base = openpyxl.load_workbook(QUICKSTART, keep_vba=True)
    header = LEAD_HEADER + ["Seats x2", "Owner notes"]
    leads = [r + [f"=D{i + 2}*2", f"call back #{i}"] for i, r in enumerate(lead_rows(10))]
    wb = build_workbook(leads, lead_header=header, base=base)
    ws = wb["Leads"]
    ws["A1"].font = Font(bold=True, color="FFFFFFFF")
    ws["A1"].fill = PatternFill("solid", fgColor="FF1F4E79")
    for r in range(2, 12):
        ws.cell(r, 4).number_format = "#,##0"
    ws["B3"].font = Font(italic=True, color="FFC00000")
    ws["B4"].comment = Comment("Key account", "Analyst")
    rule = DataValidation(type="list", formula1='"Referral,Paid Search,Purchased List,Webinar"', allow_blank=True)
    ws.add_data_validation(rule)
    rule.add("E2:E11")
    ws.conditional_formatting.add("D2:D11", CellIsRule(operator="greaterThan", formula=["500"], fill=PatternFill("solid", fgColor="FFFFEB9C")))
    ws.freeze_panes = "B2"
    ws.column_dimensions["B"].width = 31
    wb.defined_names["BigSize"] = DefinedName("BigSize", attr_text="Leads!$D$2:$D$11")
    ws.defined_names["LocalOwner"] = DefinedName("LocalOwner", attr_text="Leads!$J$2")
    notes = wb.create_sheet("Pipeline notes")
    notes.append(["Quarter", "Target", "Booked", "Gap"])
    notes.append(["Q1", 100000, 62000, "=B2-C2"])
    notes.append(["Q2", 120000, None, "=B3-C3"])
    notes.merge_cells("A5:D5")
    notes["A5"] = "Targets agreed with finance"
    notes["A5"].font = Font(bold=True)
    wb.save(path)
    return path


def test_an_in_place_refresh_keeps_everything_outside_its_outputs(tmp_path: Path) -> None:
    path = user_workbook(tmp_path / "book.xlsm")
    original = tmp_path / "original.xlsm"
    shutil.copyfile(path, original)
    refresh(open_book(path), RefreshOptions(now=NOW))

    before, after = openpyxl.load_workbook(original, keep_vba=True), openpyxl.load_workbook(path, keep_vba=True)
    assert after.sheetnames == before.sheetnames + ["Call List"]  # created by the refresh, like Model and Report
    for name in before.sheetnames:
        if name in OURS:
            continue
        old, new = cells(original, name), cells(path, name)
        if name == "Leads":
            ours = {c.column_letter for c in after["Leads"][1] if c.value in OUTPUTS}
            assert ours == {"K", "L", "M", "N", "O", "P"}  # appended after the two user columns
            new = {k: v for k, v in new.items() if k.rstrip("0123456789") not in ours}
        assert new == old, name
        _same_sheet_features(before[name], after[name], ours if name == "Leads" else set())
    assert dict(after.defined_names.items()).keys() == dict(before.defined_names.items()).keys()
    assert after.defined_names["BigSize"].attr_text == "Leads!$D$2:$D$11"
    assert after["Leads"].defined_names["LocalOwner"].attr_text == "Leads!$J$2"
    _same_parts(original, path)


def _same_sheet_features(old: openpyxl.worksheet.worksheet.Worksheet, new: openpyxl.worksheet.worksheet.Worksheet,
                         ours: set[str]) -> None:  # fmt: skip
    """The same sheet features; only ``ours`` (output columns) may have been sized to their values."""
    assert [(d.type, d.formula1, str(d.sqref)) for d in new.data_validations.dataValidation] == \
        [(d.type, d.formula1, str(d.sqref)) for d in old.data_validations.dataValidation]  # fmt: skip
    assert [(str(r.sqref), [x.formula for x in r.rules]) for r in new.conditional_formatting] == \
        [(str(r.sqref), [x.formula for x in r.rules]) for r in old.conditional_formatting]  # fmt: skip
    assert sorted(map(str, new.merged_cells.ranges)) == sorted(map(str, old.merged_cells.ranges))
    assert new.freeze_panes == old.freeze_panes
    assert {k: d.width for k, d in new.column_dimensions.items() if k not in ours} == \
        {k: d.width for k, d in old.column_dimensions.items() if k not in ours}  # fmt: skip
    comments = [(c.coordinate, c.comment.text) for row in new.iter_rows() for c in row if c.comment]
    assert comments == [(c.coordinate, c.comment.text) for row in old.iter_rows() for c in row if c.comment]
    if old.title == "Leads":
        table = new.tables["Leads"]
        assert table.ref == "A1:P11" and old.tables["Leads"].ref == "A1:J11"


def _same_parts(original: Path, refreshed: Path) -> None:
    old, new = part_bytes(original), part_bytes(refreshed)
    assert new["xl/vbaProject.bin"] == old["xl/vbaProject.bin"]  # the VBA project, byte for byte
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in new["[Content_Types].xml"]
    sheets = openpyxl.load_workbook(original).sheetnames
    untouched = [f"xl/worksheets/sheet{sheets.index(s) + 1}.xml" for s in sheets if s not in OURS + ("Leads",)]
    for part in untouched:  # Rules, Deals, Settings, quickstart's sheets and the user's own sheet
        assert new[part] == old[part], part
    ours = {f"xl/worksheets/sheet{sheets.index(s) + 1}.xml" for s in OURS if s in sheets}
    for part in old:
        if part in ours or part.startswith(("xl/worksheets/_rels/", "xl/tables/", "docProps/")):
            continue
        assert part in new, f"{part} was lost"
    with zipfile.ZipFile(refreshed) as z:
        assert z.testzip() is None


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_the_refreshed_file_opens_again_and_refreshes_again(tmp_path: Path, suffix: str) -> None:
    path = user_workbook(tmp_path / "book.xlsm")
    if suffix == ".xlsx":  # the same content without macros
        wb = openpyxl.load_workbook(path)
        path = tmp_path / "book.xlsx"
        wb.save(path)
    refresh(open_book(path), RefreshOptions(now=NOW))
    refresh(open_book(path), RefreshOptions(now=NOW))
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["Leads"][1]][-6:] == list(OUTPUTS)
    assert wb["Leads"]["I2"].value == "=D2*2" and wb["Leads"]["J2"].value == "call back #0"
