"""The Analysis sheet: the analyst's live formulas over the Leads, Rules, Deals and Settings.

Every spilled function is a legacy CSE array formula (see build_template's docstring
for why). Its range is sized by calling the very Excel function once, at build time, on
the values Excel will hand it, so the array neither truncates nor pads with ``#N/A``.

Layout: the scores of every lead in A:E (one ``LEADSCORES`` call), and to their right,
stacked in column G on: a grade summary in native formulas (COUNTIF / AVERAGE over the
spilled scores), one lead scored and explained (``LEADSCORE``, ``LEADGRADE``,
``LEADMATRIX``, ``LEADEXPLAIN``), the regression (``LOGITFIT``, ``LOGITSTATS``) and the
close rates (``CLOSERATES``) on the Deals sheet, where those functions are available.

Without Python (LibreOffice, or Excel without the xlwings add-in) our functions are
unknown names (``#NAME?``), and LibreOffice recalculates every array formula on load,
so a cached result would not survive. Every call of ours is therefore written as
``IFERROR(LEADSCORES(...), 'Analysis values'!B5:E2504)``: the hidden sheet
:data:`VALUES_SHEET` holds, at the same addresses, what the core computed at build
time. With the add-in the live function wins; without it the sheet shows the build's
numbers instead of errors, and the native formulas (COUNTIF, AVERAGE) calculate from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import leadscore_udfs
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from leadscore_xl.model.formula import excel_text  # text literals within Excel's 255 characters
from leadscore_xl.rules import api
from leadscore_xl.settings import read_settings

__all__ = ["Inputs", "RULE_HEADROOM", "SETTINGS_HEADROOM", "VALUES_SHEET", "capacity", "write"]

VALUES_SHEET = "Analysis values"

RULE_HEADROOM = 20  # blank rows the Rules range reaches past the starter rules
SETTINGS_HEADROOM = 10
SIDE = 7  # column G: where the side blocks start
SCORE_OUTPUTS = ("Score", "Grade", "Route", "Matrix")
MODEL_FEATURES = "Job Title; Company Size; Lead Source; Pricing Page Visits; Emails Clicked; Demo Requested; Free Trial"
CLOSE_RATE_COLUMNS = "Job Title; Company Size; Industry; Lead Source; Demo Requested"
TITLE = Font(bold=True, size=13)
HEAD = Font(bold=True)
NOTE = Font(italic=True, color="808080")


@dataclass(frozen=True)
class Inputs:
    """The sheet values (header row first) the formulas read, as Excel hands them over."""

    leads: list[list[Any]]
    deals: list[list[Any]]
    rules: list[list[Any]]
    settings: list[list[Any]]
    capacity: int
    as_of_row: int


@dataclass(frozen=True)
class Refs:
    """A1 references of the ranges the formulas read, with the values behind them."""

    leads: str
    headers: str
    rules: str
    settings: str
    as_of: str
    deals: str


def capacity(n_leads: int) -> int:
    """Rows the Leads formulas cover: the leads plus room for a quarter more."""
    return n_leads + max(10, n_leads // 4)


def write(ws: Worksheet, inp: Inputs) -> tuple[str, str]:
    """Fill the sheet and the hidden :data:`VALUES_SHEET` (what our functions give at build
    time); return the grade and route ranges for conditional formatting."""
    saved = ws.parent.create_sheet(VALUES_SHEET)
    saved.sheet_state = "hidden"
    saved["A1"] = "What the Analysis sheet's functions gave when the workbook was built, shown where Python is absent."
    refs = _refs(inp)
    ws["A1"] = "Analysis: live LeadScore XL formulas"
    ws["A1"].font = TITLE
    ws["A2"] = ("Array formulas over fixed ranges; the refresh never changes this sheet. Live with the xlwings add-in "
                "(UDF Modules = leadscore_udfs, see the README); without it, the values saved when the workbook was built.")  # fmt: skip
    ws["A2"].font = NOTE
    last = 4 + inp.capacity
    _headers(ws, 4, 1, ["Lead ID", *SCORE_OUTPUTS])
    ids = f"Leads!$A$2:$A${inp.capacity + 1}"
    ws["A5"] = ArrayFormula(f"A5:A{last}", f'=IF({ids}="","",{ids})')
    outputs = "; ".join(SCORE_OUTPUTS)
    values = _values(inp)
    scores = leadscore_udfs.LEADSCORES(values["leads"], values["rules"], values["settings"], values["as_of"], outputs)
    _array(ws, 5, 2, scores[: inp.capacity],
           f'=LEADSCORES({refs.leads},{refs.rules},{refs.settings},{refs.as_of},"{outputs}")')
    for (cell,) in ws.iter_rows(min_row=5, max_row=last, min_col=2, max_col=2):
        cell.number_format = "0.0"
    for col, width in zip("ABCDEFGHIJKLMNOPQRS", (11, 8, 12, 18, 8, 3, 24, 14, 28, 14, 10, 10, 10, 12)):
        ws.column_dimensions[col].width = width
    row = _grade_summary(ws, 4, inp, last)
    row = _one_lead(ws, row + 2, inp, refs)
    for block in (_model_block, _close_rate_block):
        row = block(ws, row + 2, inp, refs)
    return f"C5:C{last}", f"D5:D{last}"


def _refs(inp: Inputs) -> Refs:
    width = get_column_letter(len(inp.leads[0]))
    deal_width = get_column_letter(len(inp.deals[0]))
    return Refs(
        leads=f"Leads!$A$1:${width}${inp.capacity + 1}",
        headers=f"Leads!$A$1:${width}$1",
        rules=f"Rules!$A$1:${get_column_letter(len(inp.rules[0]))}${len(inp.rules) + RULE_HEADROOM}",
        settings=f"Settings!$A$1:$B${len(inp.settings) + SETTINGS_HEADROOM}",
        as_of=f"Settings!$B${inp.as_of_row}",
        deals=f"Deals!$A$1:${deal_width}${len(inp.deals)}",
    )


def _values(inp: Inputs) -> dict[str, Any]:
    """What Excel hands each function for the references in :func:`_refs`."""
    width = len(inp.leads[0])
    blank_leads = [[None] * width for _ in range(inp.capacity + 1 - len(inp.leads))]
    blank_rules = [[None] * len(inp.rules[0]) for _ in range(RULE_HEADROOM)]
    return {
        "leads": inp.leads + blank_leads,
        "rules": inp.rules + blank_rules,
        "settings": inp.settings + [[None, None]] * SETTINGS_HEADROOM,
        "as_of": inp.settings[inp.as_of_row - 1][1],
        "deals": inp.deals,
    }


def _headers(ws: Worksheet, row: int, col: int, names: list[str]) -> None:
    for j, name in enumerate(names):
        ws.cell(row, col + j, name).font = HEAD


def _title(ws: Worksheet, row: int, text: str, note: str = "") -> None:
    ws.cell(row, SIDE, text).font = HEAD
    if note:
        ws.cell(row, SIDE + 2, note).font = NOTE


def _grade_summary(ws: Worksheet, row: int, inp: Inputs, last: int) -> int:
    """Leads per grade with native COUNTIF formulas over the spilled grades."""
    grades = [band.grade for band in read_settings(inp.settings).scoring.bands] + ["Unscored"]
    _headers(ws, row, SIDE, ["Grade", "Leads", "Share"])
    first = row + 1
    end = row + len(grades)
    for i, grade in enumerate(grades):
        r = first + i
        ws.cell(r, SIDE, grade)
        ws.cell(r, SIDE + 1, f'=COUNTIF($C$5:$C${last},G{r})')
        ws.cell(r, SIDE + 2, f"=IF(SUM($H${first}:$H${end})=0,0,H{r}/SUM($H${first}:$H${end}))").number_format = "0.0%"
    ws.cell(end + 1, SIDE, "All leads").font = HEAD
    ws.cell(end + 1, SIDE + 1, f"=SUM(H{first}:H{end})")
    ws.cell(end + 2, SIDE, "Disqualified")
    ws.cell(end + 2, SIDE + 1, f'=COUNTIF($D$5:$D${last},"Disqualified")')
    ws.cell(end + 3, SIDE, "Average score")
    ws.cell(end + 3, SIDE + 1, f"=AVERAGE($B$5:$B${last})").number_format = "0.0"
    return end + 3


def _pick_lead(inp: Inputs, values: dict[str, Any]) -> int:
    """The sheet row of the first lead whose explanation shows several rules."""
    header = [inp.leads[0]]
    for i, lead in enumerate(inp.leads[1:], start=2):
        explanation = api.explain_lead([lead], header, values["rules"], values["settings"], values["as_of"])
        if len(explanation.items) >= 5 and not explanation.disqualified:
            return i
    return 2


def _one_lead(ws: Worksheet, row: int, inp: Inputs, refs: Refs) -> int:
    """LEADSCORE, LEADGRADE, LEADMATRIX and the spilled LEADEXPLAIN for one lead."""
    values = _values(inp)
    r = _pick_lead(inp, values)
    width = get_column_letter(len(inp.leads[0]))
    lead = f"Leads!$A${r}:${width}${r}"
    args = f"{lead},{refs.headers},{refs.rules},{refs.settings},{refs.as_of}"
    _title(ws, row, "One lead, explained", f"Leads row {r}: change the row in these formulas to explain another lead")
    cells = (("Lead ID", f"=Leads!$A${r}"), ("Score", f"=LEADSCORE({args})"),
             ("Grade / route", f'=LEADGRADE(H{row + 2},{refs.settings},"both")'),
             ("Matrix", f"=LEADMATRIX({args})"))  # fmt: skip
    lead_values = [inp.leads[r - 1]], [inp.leads[0]], values["rules"], values["settings"], values["as_of"]
    score = leadscore_udfs.LEADSCORE(*lead_values)
    results = (None, score, leadscore_udfs.LEADGRADE(score, values["settings"], "both"),
               leadscore_udfs.LEADMATRIX(*lead_values))  # fmt: skip
    for i, (label, formula) in enumerate(cells, start=1):
        ws.cell(row + i, SIDE, label)
        if results[i - 1] is None:
            ws.cell(row + i, SIDE + 1, formula)
        else:
            _array(ws, row + i, SIDE + 1, [[results[i - 1]]], formula)
    ws.cell(row + 2, SIDE + 1).number_format = "0.0"  # the score
    return _spill(ws, row + 6, leadscore_udfs.LEADEXPLAIN, lead_values, f"=LEADEXPLAIN({args})")


def _spill(ws: Worksheet, row: int, func: Callable[..., Any], args: tuple[Any, ...], formula: str) -> int:
    """An array formula at (row, SIDE) sized to what ``func(*args)`` returns."""
    result = func(*args)
    if not isinstance(result, list) or not result or not isinstance(result[0], list):
        raise RuntimeError(f"{formula} gives {result!r} on the sample data, not a table; fix the template")
    _array(ws, row, SIDE, result, formula)
    return row + len(result) - 1


def _array(ws: Worksheet, row: int, col: int, result: list[list[Any]], formula: str) -> None:
    """``formula`` at (row, col) over the size of ``result``, falling back to ``result``
    saved at the same cells of the values sheet when the function is unknown (no Python).
    One cell is a plain formula; more are a legacy array formula."""
    saved = ws.parent[VALUES_SHEET]
    height, width = len(result), max(len(r) for r in result)
    top = f"{get_column_letter(col)}{row}"
    bottom = f"{get_column_letter(col + width - 1)}{row + height - 1}"
    for i, values in enumerate(result):
        for j, value in enumerate(values):
            saved.cell(row + i, col + j, value)
    fallback = f"'{VALUES_SHEET}'!{top}" + (f":{bottom}" if (height, width) != (1, 1) else "")
    wrapped = f"=IFERROR({formula[1:]},{fallback})"
    if (height, width) == (1, 1):
        ws[top] = wrapped
    else:
        ws[top] = ArrayFormula(f"{top}:{bottom}", wrapped)


def _available(*names: str) -> bool:
    return all(name in getattr(leadscore_udfs, "__all__", ()) for name in names)


def _model_block(ws: Worksheet, row: int, inp: Inputs, refs: Refs) -> int:
    """LOGITFIT and LOGITSTATS on the Deals sheet, when those functions exist."""
    if not _available("LOGITFIT", "LOGITSTATS"):
        return row - 2
    values = _values(inp)
    _title(ws, row, "Logistic regression on the Deals", f"features: {MODEL_FEATURES}")
    fit = f'=LOGITFIT({refs.deals},"Won",{excel_text(MODEL_FEATURES)})'
    row = _spill(ws, row + 1, leadscore_udfs.LOGITFIT, (values["deals"], "Won", MODEL_FEATURES), fit)
    stats = f'=LOGITSTATS({refs.deals},"Won",{excel_text(MODEL_FEATURES)})'
    return _spill(ws, row + 2, leadscore_udfs.LOGITSTATS, (values["deals"], "Won", MODEL_FEATURES), stats)


def _close_rate_block(ws: Worksheet, row: int, inp: Inputs, refs: Refs) -> int:
    """CLOSERATES on the Deals sheet, when that function exists."""
    if not _available("CLOSERATES"):
        return row - 2
    values = _values(inp)
    _title(ws, row, "Close rates by attribute value", f"attributes: {CLOSE_RATE_COLUMNS}")
    formula = f'=CLOSERATES({refs.deals},"Won",{excel_text(CLOSE_RATE_COLUMNS)})'
    return _spill(ws, row + 1, leadscore_udfs.CLOSERATES, (values["deals"], "Won", CLOSE_RATE_COLUMNS), formula)
