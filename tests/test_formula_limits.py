"""Every formula the project writes stays within Excel's limits (issue 17, point 2).

Excel refuses a formula longer than 8,192 characters, or with a text value over 255
characters ("Text values in formulas are limited to 255 characters"), and "repairs" such
a file by removing the formulas. A 300-character Industry level became a 300-character
literal in every Probability formula. Checked here on everything written as a formula:
cells (array formulas included), conditional formats, data validations and defined
names, of a refreshed workbook with long levels and of the template; the ``formulas``
engine computes the split formulas to the values the core predicts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from leadscore_xl.model.formula import MAX_FORMULA, MAX_LITERAL, excel_text
from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.refresh.run import RefreshOptions, refresh
from test_refresh import NOW
from test_refresh_support import SOURCES, build_workbook, column, deal_rows, lead_rows, save

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workbook"))
import build_template  # noqa: E402

LONG = {  # a level of 300 characters (with quotes in it) and one of 600: two and three pieces
    "Referral": 'Referral partner "Tier 1" ' + "programme for resellers in the EMEA region; " * 6,
    "Webinar": "Webinar series " + "x" * 585,
}


def literals(formula: str) -> Iterator[str]:
    """The text literals of a formula, as written (doubled quotes kept); quoted sheet names
    ('My sheet'!A1) are skipped."""
    i = 0
    while i < len(formula):
        ch = formula[i]
        if ch in "\"'":
            j = i + 1
            while j < len(formula):
                if formula[j] == ch and formula[j + 1 : j + 2] == ch:
                    j += 2
                elif formula[j] == ch:
                    break
                else:
                    j += 1
            if ch == '"':
                yield formula[i + 1 : j]
            i = j + 1
        else:
            i += 1


def written_formulas(path: Path) -> Iterator[tuple[str, str]]:
    """(where, formula) for every formula in the file: cells, array formulas, conditional
    formats, data validations and defined names."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = getattr(cell.value, "text", cell.value)  # an ArrayFormula has .text
                if cell.data_type == "f" or (isinstance(value, str) and cell.data_type != "s" and value.startswith("=")):
                    yield f"{ws.title}!{cell.coordinate}", value
        for rng in ws.conditional_formatting:
            for rule in rng.rules:
                for f in rule.formula or ():
                    yield f"{ws.title} conditional format {rng.sqref}", f
        for dv in ws.data_validations.dataValidation:
            for f in (dv.formula1, dv.formula2):
                if f:
                    yield f"{ws.title} validation {dv.sqref}", f
        for name, defined in ws.defined_names.items():
            yield f"{ws.title} name {name}", defined.attr_text
    for name, defined in wb.defined_names.items():
        yield f"name {name}", defined.attr_text


def over_the_limits(path: Path) -> list[str]:
    found = list(written_formulas(path))
    assert found, f"{path.name} holds no formula: nothing was checked"
    bad = [f"{where}: formula of {len(f)} characters" for where, f in found if len(f) > MAX_FORMULA]
    bad += [f"{where}: text of {len(t)} characters" for where, f in found for t in literals(f) if len(t) > MAX_LITERAL]
    return bad


@pytest.mark.parametrize(("text", "written"), [
    ("Referral", '"Referral"'),
    ('say "hi"', '"say ""hi"""'),
    ("", '""'),
    ("a" * 255, '"' + "a" * 255 + '"'),
    ("a" * 256, '("' + "a" * 255 + '"&"a")'),
    ('"' * 128, '("' + '"' * 254 + '"&"' + '""' + '")'),  # a doubled quote is never cut in two
])  # fmt: skip
def test_excel_text_splits_long_literals_into_pieces_of_255(text: str, written: str) -> None:
    assert excel_text(text) == written
    assert all(len(t) <= MAX_LITERAL for t in literals(written))


def _long_levels(rows: list[list[Any]], col: int) -> list[list[Any]]:
    for row in rows:
        row[col] = LONG.get(row[col], row[col])
    return rows


def test_probability_formulas_with_long_levels_stay_within_excels_limits(tmp_path: Path) -> None:
    """Lead Source levels of 300 and 600 characters: today each becomes one literal of that
    length in every Probability formula. Split with &, the engine computes the same values."""
    formulas = pytest.importorskip("formulas")
    assert set(LONG) <= set(SOURCES)
    leads = _long_levels(lead_rows(12), 4)
    deals = _long_levels(deal_rows(300), 3)
    src = save(build_workbook(leads, deals), tmp_path / "book.xlsx")
    values = refresh(open_book(src, tmp_path / "values.xlsx"), RefreshOptions(now=NOW))
    result = refresh(open_book(src, tmp_path / "formulas.xlsx"), RefreshOptions(now=NOW, formulas=True))
    assert values.model_fitted and result.formulas and not result.notes
    ws = openpyxl.load_workbook(tmp_path / "formulas.xlsx")["Leads"]
    assert over_the_limits(tmp_path / "formulas.xlsx") == []
    assert any(len(t) == MAX_LITERAL for t in literals(ws["L2"].value))  # the long levels are in it, in pieces
    solution = formulas.ExcelModel().loads(str(tmp_path / "formulas.xlsx")).finish().calculate()
    computed = {k.split("!")[1]: v.value[0][0] for k, v in solution.items() if "]LEADS'!L" in k.upper()}
    expected = column(tmp_path / "values.xlsx", "Leads", "Probability")
    assert [computed[f"L{r}"] for r in range(2, 14)] == pytest.approx(expected, rel=1e-9)


def test_the_template_and_its_refresh_stay_within_excels_limits(tmp_path: Path) -> None:
    """The template's own formulas (Analysis sheet, conditional formats, names) and the
    Probability formulas a refresh writes into it."""
    path = build_template.build(tmp_path / "LeadScoring.xlsx", 40, 300)
    assert over_the_limits(path) == []
    result = refresh(open_book(path, tmp_path / "refreshed.xlsx"), RefreshOptions(now=NOW, formulas=True))
    assert result.formulas
    assert over_the_limits(tmp_path / "refreshed.xlsx") == []


def test_logitformula_with_long_levels_stays_within_excels_limits() -> None:
    """LOGITFORMULA's formula (coefficients written in, structured references) with the
    same long levels: every text within 255 characters, and the pieces rebuild each level."""
    from leadscore_xl.model.fit import fit_logit
    from leadscore_xl.model.formula import excel_formula
    from test_refresh_support import DEAL_HEADER

    deals = _long_levels(deal_rows(300), 3)
    result = fit_logit([DEAL_HEADER] + deals, "Won", features="Lead Source; Demo Requested")
    formula = excel_formula(result.model)
    texts = list(literals(formula))
    assert texts and max(len(t) for t in texts) <= MAX_LITERAL and len(formula) <= MAX_FORMULA
    long_terms = [t.level for t in result.model.terms if t.level and len(t.level) > MAX_LITERAL]
    assert long_terms  # one long level is the reference (no term), the other has one
    for level in long_terms:
        assert excel_text(level) in formula


def test_a_formula_over_8192_characters_is_written_as_values_with_a_note(tmp_path: Path) -> None:
    """40 rare 250-character sources are pooled into Other, whose test names each of them:
    the formula would pass Excel's 8,192 characters, so Probability is written as values."""
    deals = deal_rows(300)
    for k, row in enumerate(deals[:40]):
        row[3] = f"Partner {k:02d} " + "p" * 239
    src = save(build_workbook(deals=deals), tmp_path / "book.xlsx")
    values = refresh(open_book(src, tmp_path / "values.xlsx"), RefreshOptions(now=NOW))
    result = refresh(open_book(src, tmp_path / "formulas.xlsx"), RefreshOptions(now=NOW, formulas=True))
    assert values.model_fitted and not result.formulas
    assert [n for n in result.notes if n.startswith("Probability written as values, not formulas: The model's Excel "
                                                   "formula would be ")] != []  # fmt: skip
    assert list(written_formulas(tmp_path / "formulas.xlsx")) == []
    assert column(tmp_path / "formulas.xlsx", "Leads", "Probability") == pytest.approx(
        column(tmp_path / "values.xlsx", "Leads", "Probability"), rel=1e-12)
