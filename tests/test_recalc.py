"""Headless recalculation of the template with an independent formula engine.

A small build of the template (same sheets, same formulas, few rows: the ``formulas``
package scales badly) is loaded with ``formulas.ExcelModel``. Our Excel functions are
registered under their Excel names and their ``_xludf.`` names; each call goes through
the xlwings harness (xlwings' own Windows argument conversion), so the engine plays
Excel. Every formula is calculated, and

* no cell anywhere holds an Excel error (``#NAME?``, ``#VALUE!`` ...);
* every cell of our functions equals what the core (:mod:`leadscore_xl.rules.api` and the
  other core modules) computes from the same ranges read independently with openpyxl;
* the native formulas over the spilled scores (COUNTIF, SUM, AVERAGE) agree with them.
"""

from __future__ import annotations

import collections
import datetime as dt
import math
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from openpyxl.utils import range_boundaries

formulas = pytest.importorskip("formulas")
import schedula as sh  # noqa: E402  (a dependency of formulas)
from formulas.tokens.operand import XlError  # noqa: E402

import leadscore_udfs  # noqa: E402
import xlharness  # noqa: E402
from leadscore_xl.rules import api
from leadscore_xl.closerates import rates as closerates
from leadscore_xl.model import fit as model  # noqa: E402
from leadscore_xl.sheet.dates import to_serial  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workbook"))
import build_template  # noqa: E402

N_LEADS, N_DEALS = 20, 60
CALL = re.compile(r"^=([A-Z_.]+)\((.*)\)$", re.S)


def _cell(value: Any) -> Any:
    """One value from the engine as COM would hand it to xlwings."""
    if value is sh.EMPTY or value is None:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _argument(arg: Any) -> Any:
    """A range arrives as a 2-D tuple (one cell as a scalar); constants as they are."""
    value = arg.value if hasattr(arg, "value") else arg
    if isinstance(value, np.ndarray):
        rows = [[_cell(v) for v in row] for row in value.tolist()]
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows
    return _cell(value)


def _excel_function(func: Any) -> Any:
    """Wrap an Excel function for the engine: never raise, return an Excel error instead."""

    def call(*args: Any) -> Any:
        try:
            result = xlharness.call(func, *map(_argument, args))
        except Exception:  # noqa: BLE001 - the engine drops cells whose function raises
            return np.asarray([[XlError("#VALUE!")]], object)
        if isinstance(result, list):
            rows = [r if isinstance(r, list) else [r] for r in result]
            return np.asarray(rows, dtype=object)
        return result

    return call


@pytest.fixture(scope="module")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recalc") / "small.xlsx"
    return build_template.build(path, N_LEADS, N_DEALS)


@pytest.fixture(scope="module")
def solution(small_book: Path) -> dict[str, Any]:
    functions = formulas.get_functions()
    saved = dict(functions)
    for name in leadscore_udfs.__all__:
        wrapped = _excel_function(getattr(leadscore_udfs, name))
        functions[name] = functions[f"_XLUDF.{name}"] = wrapped
    try:
        model = formulas.ExcelModel().loads(str(small_book)).finish()
        calculated = model.calculate()
    finally:
        functions.clear()
        functions.update(saved)
    cells: dict[str, Any] = {}
    for key, ranges in calculated.items():
        match = re.match(r"^'\[[^]]+\](.+)'!(.+)$", key)
        if match and hasattr(ranges, "value"):
            cells[f"{match.group(1)}!{match.group(2)}"] = np.asarray(ranges.value, dtype=object)
    return cells


@pytest.fixture(scope="module")
def book(small_book: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(small_book)


def _formula_cells(book: openpyxl.Workbook) -> list[tuple[str, str, str]]:
    """(sheet, range, formula) for every formula in the workbook, top to bottom; a call
    of ours wrapped as ``IFERROR(CALL(...), 'Analysis values'!...)`` (the values shown
    without Python) is given as the call itself."""
    out = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if hasattr(c.value, "text"):
                    out.append((ws.title, c.value.ref, _unwrap(c.value.text)))
                elif isinstance(c.value, str) and c.value.startswith("="):
                    out.append((ws.title, c.coordinate, _unwrap(c.value)))
    return out


def _unwrap(formula: str) -> str:
    if not formula.startswith("=IFERROR("):
        return formula
    call, fallback = _split_args(formula[len("=IFERROR("):-1])
    assert fallback.startswith("'Analysis values'!"), formula
    return "=" + call


def test_no_error_value_anywhere(solution: dict[str, Any], book: openpyxl.Workbook) -> None:
    errors = {k: str(v) for k, a in solution.items() for v in a.ravel() if isinstance(v, XlError)}
    assert errors == {}
    missing = [f"{s}!{r}" for s, r, _ in _formula_cells(book) if f"{s.upper()}!{r}" not in solution]
    assert missing == []


def _used(book: openpyxl.Workbook) -> set[str]:
    return {m.group(1) for _, _, f in _formula_cells(book) if (m := CALL.match(f))}


def test_the_template_uses_our_main_functions(book: openpyxl.Workbook) -> None:
    exported = set(leadscore_udfs.__all__)
    assert _used(book) & set(CORE) == REQUIRED & exported
    assert {"LEADSCORES", "LEADSCORE", "LEADGRADE", "LEADEXPLAIN", "LOGITFIT"} <= _used(book)


# ----------------------------------------------------------------- the core, independently
def _split_args(text: str) -> list[str]:
    args, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        quoted ^= ch == '"'
        depth += 0 if quoted else (ch == "(") - (ch == ")")
        if ch == "," and not quoted and depth == 0:
            args.append(text[start:i])
            start = i + 1
    return [*args, text[start:]]


def _resolve(arg: str, sheet: str, book: openpyxl.Workbook, done: dict[str, Any]) -> Any:
    """A formula argument as Excel hands it over: a range's values, a string, a cell."""
    if arg.startswith('"'):
        return arg[1:-1]
    where, _, ref = arg.rpartition("!")
    ref = ref.replace("$", "")
    if not where and f"{sheet}!{ref}" in done:
        return done[f"{sheet}!{ref}"][0][0]
    ws = book[where or sheet]
    lo_c, lo_r, hi_c, hi_r = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=lo_r, max_row=hi_r, min_col=lo_c, max_col=hi_c)]
    return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows


CORE = {
    "LEADSCORES": lambda leads, rules, settings, as_of, outputs: api.score_leads(leads, rules, settings, as_of)
    .to_rows(api.parse_outputs(outputs)),
    "LEADSCORE": lambda *a: [[api.lead_score(*a)]],
    "LEADGRADE": lambda *a: [[api.grade_score(*a)]],
    "LEADMATRIX": lambda *a: [[api.lead_matrix(*a)]],
    "LEADEXPLAIN": lambda *a: api.explain_lead(*a).to_rows(),
    "LOGITFIT": lambda deals, outcome, features: model.fit_logit(deals, outcome, features=features).model_rows(),
    "LOGITSTATS": lambda deals, outcome, features: model.fit_logit(deals, outcome, features=features).stats_rows(),
    "CLOSERATES": lambda deals, outcome, attributes: closerates.close_rates(deals, outcome, attributes).to_rows(),
}
REQUIRED = {"LEADSCORES", "LEADSCORE", "LEADGRADE", "LEADEXPLAIN", "LEADMATRIX", "LOGITFIT", "LOGITSTATS", "CLOSERATES"}


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, (dt.datetime, dt.date)):
        expected = to_serial(expected)
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        expected = ""
    got = "" if got is None or got is sh.EMPTY else got
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(got, (int, float)):
        return math.isclose(expected, got, rel_tol=1e-12, abs_tol=1e-12)
    return expected == got


def test_our_functions_equal_the_core(solution: dict[str, Any], book: openpyxl.Workbook) -> None:
    done: dict[str, Any] = {}
    checked = collections.Counter()
    for sheet, ref, formula in _formula_cells(book):
        match = CALL.match(formula)
        if not match or match.group(1) not in CORE:
            continue
        name = match.group(1)
        args = [_resolve(a, sheet, book, done) for a in _split_args(match.group(2))]
        expected = CORE[name](*args)
        got = solution[f"{sheet.upper()}!{ref}"]
        assert got.shape == (len(expected), len(expected[0])), f"{name} at {sheet}!{ref}"
        bad = [(i, j, e, got[i][j]) for i, row in enumerate(expected) for j, e in enumerate(row)
               if not _same(e, got[i][j])]  # fmt: skip
        assert bad == [], f"{name} at {sheet}!{ref}"
        done[f"{sheet}!{ref}"] = expected
        checked[name] += 1
    assert set(checked) == _used(book) & set(CORE)


def test_every_call_of_ours_falls_back_to_the_values_the_core_gave(book: openpyxl.Workbook) -> None:
    """Without Python (LibreOffice, Excel without the add-in) each call shows the value
    saved beside it on the hidden sheet, which is what the core computed at build time."""
    saved = book["Analysis values"]
    assert saved.sheet_state == "hidden"
    done: dict[str, Any] = {}
    checked = 0
    for sheet, ref, formula in _formula_cells(book):
        match = CALL.match(formula)
        if not match or match.group(1) not in CORE:
            continue
        args = [_resolve(a, sheet, book, done) for a in _split_args(match.group(2))]
        expected = CORE[match.group(1)](*args)
        lo_c, lo_r, _, _ = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
        got = [[_serial(saved.cell(lo_r + i, lo_c + j).value) for j in range(len(row))] for i, row in enumerate(expected)]
        assert all(_same(e, g) for e_row, g_row in zip(expected, got) for e, g in zip(e_row, g_row)), ref
        done[f"{sheet}!{ref}"] = expected
        checked += 1
    assert checked >= len(REQUIRED)


def _serial(value: Any) -> Any:
    return to_serial(value) if isinstance(value, (dt.datetime, dt.date)) else value


def test_native_formulas_over_the_spilled_scores_agree(solution: dict[str, Any], book: openpyxl.Workbook) -> None:
    ws = book["Analysis"]
    scores = solution[f"ANALYSIS!{ws['B5'].value.ref}"]
    grades = collections.Counter(scores[:N_LEADS, 1].tolist())
    labels = {ws.cell(r, 7).value: r for r in range(5, 20) if ws.cell(r, 7).value}
    for grade in ("High value", "MQL", "Nurture", "Cold", "Unscored"):
        assert solution[f"ANALYSIS!H{labels[grade]}"][0][0] == grades.get(grade, 0), grade
    assert solution[f"ANALYSIS!H{labels['All leads']}"][0][0] == N_LEADS
    assert solution[f"ANALYSIS!H{labels['Disqualified']}"][0][0] == scores[:, 2].tolist().count("Disqualified")
    numbers = [s for s in scores[:, 0].tolist() if isinstance(s, float)]
    average = solution[f"ANALYSIS!H{labels['Average score']}"][0][0]
    assert average == pytest.approx(sum(numbers) / len(numbers), rel=1e-12)
    ids = solution[f"ANALYSIS!{ws['A5'].value.ref}"][:, 0].tolist()
    assert ids[:N_LEADS] == [f"L-{i:05d}" for i in range(1, N_LEADS + 1)]
    assert set(ids[N_LEADS:]) == {""}
    assert all(row == ["", "", "", ""] for row in scores[N_LEADS:].tolist())
