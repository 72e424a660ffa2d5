"""The Refresh Scores button of xlwings Lite, run in CPython against xlwings' own remote Book.

The workbook is handed over as the JSON payload the add-in sends (values from A1 to the
last used cell, "" for blanks, dates as ISO text, each table's addresses), the book is
``xw.Book(json=...)`` on xlwings' remote engine, and the script is called through
``xlwings.server.custom_scripts_call`` as Lite calls it (xlwings' free "noncommercial"
key, tests only: tests/xlharness.py). The actions it records are replayed into cells and
compared with a file refresh of the same workbook.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from openpyxl.utils import range_boundaries

import xlharness
from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.refresh.run import OUTPUTS, refresh
from test_refresh_support import build_workbook, save


def _json_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    return value


def _table(t: Any) -> dict[str, Any]:
    left, top, right, bottom = range_boundaries(t.ref)
    header = f"{openpyxl.utils.get_column_letter(left)}{top}:{openpyxl.utils.get_column_letter(right)}{top}"
    body = f"{openpyxl.utils.get_column_letter(left)}{top + 1}:{openpyxl.utils.get_column_letter(right)}{bottom}"
    return {"name": t.displayName, "range_address": t.ref.replace(":", ":"), "header_row_range_address": header,
            "data_body_range_address": body, "total_row_range_address": None, "show_headers": True,
            "show_totals": False, "table_style": "TableStyleMedium2", "show_autofilter": True}  # fmt: skip


def payload(path: Path) -> dict[str, Any]:
    """The JSON xlwings Lite sends for a workbook (xlwings' getBookData, Office.js client)."""
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        values = [[_json_value(c) for c in row] for row in ws.iter_rows(values_only=True)] or [[]]
        sheets.append({"name": ws.title, "values": values, "tables": [_table(t) for t in ws.tables.values()],
                       "pictures": [], "shapes": [], "charts": [], "notes": [], "pivot_tables": [],
                       "visibility": "Visible", "show_gridlines": True, "print_area": None,
                       "used_range_address": ws.dimensions})  # fmt: skip
    return {"client": "Office.js", "version": xw.__version__, "names": [], "sheets": sheets,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}}  # fmt: skip


def run_script(path: Path) -> tuple[Any, list[dict[str, Any]]]:
    """Refresh Scores as Lite runs it; the Book and the actions it recorded."""
    from xlwings.server import custom_scripts_call

    book = xw.Book(json=payload(path))
    module = xlharness.lite_udfs().lite
    asyncio.run(custom_scripts_call(module, "refresh_scores", typehint_to_value={xw.Book: book}))
    return book, book.json()["actions"]


def replay(actions: list[dict[str, Any]], sheet: int) -> dict[tuple[int, int], Any]:
    """The cells the setValues actions of one sheet leave, 1-based (row, column)."""
    cells: dict[tuple[int, int], Any] = {}
    for a in actions:
        if a["func"] == "setValues" and a["sheet_position"] == sheet:
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    cells[a["start_row"] + 1 + i, a["start_column"] + 1 + j] = v
    return cells


def _shown(value: Any) -> Any:
    """A written value as the cell shows it: text without Excel's text prefix, "" blank."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return None if value == "" else value


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("lite")
    path = save(build_workbook(), folder / "book.xlsx")
    book, actions = run_script(path)
    out = folder / "file.xlsx"
    result = refresh(open_book(path, out))
    return {"book": book, "actions": actions, "file": openpyxl.load_workbook(out), "result": result, "path": path}


def test_each_output_column_equals_a_file_refresh(refreshed: dict[str, Any]) -> None:
    ws = refreshed["file"]["Leads"]
    heads = [c.value for c in ws[1]]
    written = replay(refreshed["actions"], 0)
    checked = 0
    for name in OUTPUTS:
        j = heads.index(name) + 1
        assert _shown(written[1, j]) == name
        lite = [_shown(written[r, j]) for r in range(2, ws.max_row + 1)]
        file = [ws.cell(r, j).value for r in range(2, ws.max_row + 1)]
        if name == "Scored At":  # a timestamp: the time of each run
            assert all(isinstance(v, str) and v[:4].isdigit() for v in lite) and all(file)
            continue
        numbers = all(isinstance(v, (int, float)) or v is None for v in file)
        assert lite == (pytest.approx(file, rel=1e-9, abs=1e-12) if numbers else file), (name, lite, file)
        checked += 1
    assert checked == len(OUTPUTS) - 1


def test_model_and_report_are_rebuilt_with_tables_formats_and_charts(refreshed: dict[str, Any]) -> None:
    actions, file = refreshed["actions"], refreshed["file"]
    names = [s["name"] for s in refreshed["book"].api["sheets"]]
    model, report = names.index("Model"), names.index("Report")
    cells = replay(actions, model)
    ws = file["Model"]
    expected = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    got = {k: _shown(v) for k, v in cells.items() if _shown(v) is not None}
    timestamps = {k for k, v in expected.items() if isinstance(v, dt.datetime)}
    assert {k: v for k, v in got.items() if k not in timestamps} == pytest.approx(
        {k: v for k, v in expected.items() if k not in timestamps})
    funcs = [a["func"] for a in actions]
    assert funcs.count("addChart") == len(file["Report"]._charts) > 0
    assert sum(a["func"] == "addTable" and a["sheet_position"] in (model, report) for a in actions) >= 2
    assert "setNumberFormat" in funcs and "setFontProperty" in funcs


def test_leads_are_written_after_the_model_so_formulas_find_their_coefficients(refreshed: dict[str, Any]) -> None:
    actions = refreshed["actions"]
    last_model = max(i for i, a in enumerate(actions) if a["sheet_position"] not in (0, None))  # None: an alert
    first_leads = min(i for i, a in enumerate(actions) if a["sheet_position"] == 0 and a["func"] == "setValues")
    assert first_leads > last_model


def test_bad_rules_record_no_action_and_raise_an_alert(tmp_path: Path) -> None:
    wb = build_workbook(rules=[["Rule", "Attribute", "Operator", "Value", "Points"], ["x", "Job Titel", "=", "VP", 5]])
    book, actions = run_script(save(wb, tmp_path / "bad.xlsx"))
    assert [a["func"] for a in actions] == ["alert"]
    assert 'attribute "Job Titel" is not a Leads column' in actions[0]["args"][0]


def test_probability_formulas_are_written_as_the_file_refresh_writes_them(tmp_path: Path) -> None:
    from test_refresh_support import SETTINGS

    wb = build_workbook()
    wb["Settings"].append(["Probability formulas", "Yes"])
    wb["Settings"].tables["Settings"].ref = f"A1:B{len(SETTINGS) + 1}"
    path = save(wb, tmp_path / "formulas.xlsx")
    _, actions = run_script(path)
    refresh(open_book(path, tmp_path / "file.xlsx"))
    ws = openpyxl.load_workbook(tmp_path / "file.xlsx")["Leads"]
    j = [c.value for c in ws[1]].index("Probability") + 1
    written = replay(actions, 0)
    lite = [_shown(written[r, j]) for r in range(2, ws.max_row + 1)]
    file = [ws.cell(r, j).value for r in range(2, ws.max_row + 1)]
    assert lite == file and all(isinstance(v, str) and v.startswith("=") and "Model!" in v for v in lite)
