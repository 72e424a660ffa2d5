"""The refresh through the file port: Leads outputs, reasons, idempotence, degraded parts.

Reference values are computed by hand from the fixture rules (tests/test_refresh_support.py)
or by the scoring core itself (``api.score_leads``), which has its own tests.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from leadscore_xl.rules import api
from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.errors import BookError, RuleError
from leadscore_xl.refresh.run import OUTPUTS, RefreshOptions, refresh
from test_refresh_support import (
    AS_OF, LEAD_HEADER, RULES, SETTINGS, build_workbook, cells, column, deal_rows, lead_rows, save,
)  # fmt: skip

NOW = dt.datetime(2026, 4, 1, 9, 30, 0)


def run(path: Path, output: Path | None = None, **options: object):
    book = open_book(path, output)
    return refresh(book, RefreshOptions(now=NOW, **options)), book  # type: ignore[arg-type]


def test_leads_outputs_equal_the_scoring_core(tmp_path: Path) -> None:
    leads = lead_rows(12)
    src = save(build_workbook(leads), tmp_path / "book.xlsx")
    result, _ = run(src, tmp_path / "out.xlsx")
    out = tmp_path / "out.xlsx"
    expected = api.score_leads([LEAD_HEADER] + leads, RULES, SETTINGS)
    assert column(out, "Leads", "Score") == pytest.approx(expected.column("Score"))
    assert column(out, "Leads", "Grade") == expected.column("Grade")
    assert column(out, "Leads", "Route") == expected.column("Route")
    assert column(out, "Leads", "Scored At") == [NOW] * 12
    assert result.leads == 12 and result.scored == 12
    # Lead 1 by hand: VP +20, size 1200 +15, Referral +10, demo +25, pricing page seen
    # 30 days before the as-of date with a 30-day half-life: 16 x 0.5 = +8 -> 78.
    assert column(out, "Leads", "Score")[0] == pytest.approx(78.0)
    assert column(out, "Leads", "Reasons")[0] == "Demo requested +25; VP title +20; Big company +15"


def test_outputs_are_appended_after_the_table_and_extend_it(tmp_path: Path) -> None:
    src = save(build_workbook(lead_rows(5)), tmp_path / "book.xlsx")
    run(src, tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Leads"]
    assert [c.value for c in ws[1]] == LEAD_HEADER + list(OUTPUTS)
    table = ws.tables["Leads"]
    assert table.ref == "A1:N6"
    assert [c.name for c in table.tableColumns] == LEAD_HEADER + list(OUTPUTS)
    assert ws["I2"].number_format == "0.0" and ws["L2"].number_format == "0.0%"


def test_existing_output_columns_are_overwritten_by_header_ignoring_case(tmp_path: Path) -> None:
    header = LEAD_HEADER[:3] + ["score", " REASONS "] + LEAD_HEADER[3:]
    leads = [r[:3] + [-1, "stale"] + r[3:] for r in lead_rows(4)]
    src = save(build_workbook(leads, lead_header=header), tmp_path / "book.xlsx")
    run(src, tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Leads"]
    heads = [c.value for c in ws[1]]
    assert heads == header + ["Grade", "Route", "Probability", "Scored At"]
    assert ws["D2"].value == pytest.approx(78.0)
    assert ws["E2"].value == "Demo requested +25; VP title +20; Big company +15"


@pytest.mark.parametrize(
    ("lead", "score", "route", "reasons"),
    [
        # VP +20, Purchased list -30, demo +25: the largest three, listed from the most positive.
        (["VP Marketing", 10, "Purchased List", True, 0], 15.0, "Marketing", "Demo requested +25; VP title +20; Purchased list -30"),
        # A fired Disqualify rule comes first; the score itself still counts the points.
        (["Student", 10, "Webinar", True, 0], 25.0, "Disqualified", "Student: disqualifies; Demo requested +25"),
        # Nothing fires: a score of 0 and a blank Reasons cell.
        (["Analyst", 10, "Webinar", False, 0], 0.0, "Marketing", None),
    ],
)  # fmt: skip
def test_reasons_are_the_top_three_contributions(tmp_path: Path, lead: list, score: float, route: str,
                                                reasons: str | None) -> None:  # fmt: skip
    row = ["L-1", "Acme"] + lead + [AS_OF]
    src = save(build_workbook([row]), tmp_path / "book.xlsx")
    run(src, tmp_path / "out.xlsx")
    out = tmp_path / "out.xlsx"
    assert column(out, "Leads", "Score") == [score]
    assert column(out, "Leads", "Route") == [route]
    assert column(out, "Leads", "Reasons") == [reasons]


def test_unscored_lead_gets_unscored_and_no_reasons(tmp_path: Path) -> None:
    row = ["L-1", "Blank Co", None, None, None, None, None, None]
    src = save(build_workbook([row, lead_rows(1)[0]]), tmp_path / "book.xlsx")
    run(src, tmp_path / "out.xlsx")
    out = tmp_path / "out.xlsx"
    assert column(out, "Leads", "Score")[0] == "UNSCORED"
    assert column(out, "Leads", "Grade")[0] == "Unscored"
    assert column(out, "Leads", "Reasons")[0] is None


def test_blank_rows_at_the_end_of_the_table_get_blank_outputs(tmp_path: Path) -> None:
    wb = build_workbook(lead_rows(3))
    wb["Leads"].tables["Leads"].ref = "A1:H6"  # two empty rows inside the table
    src = save(wb, tmp_path / "book.xlsx")
    result, _ = run(src, tmp_path / "out.xlsx")
    assert result.leads == 3
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Leads"]
    assert ws.tables["Leads"].ref == "A1:N6"
    for col in range(9, 15):  # Score ... Scored At
        assert [ws.cell(r, col).value for r in (5, 6)] == [None, None]
        assert ws.cell(4, col).value is not None


def _differences(a: Path, b: Path, sheets: list[str]) -> list[tuple[str, str, object, object]]:
    diffs = []
    for sheet in sheets:
        ca, cb = cells(a, sheet), cells(b, sheet)
        for key in sorted(set(ca) | set(cb)):
            if ca.get(key) != cb.get(key):
                diffs.append((sheet, key, ca.get(key), cb.get(key)))
    return diffs


def test_refreshing_twice_gives_the_same_workbook_apart_from_timestamps(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    refresh(open_book(src, first), RefreshOptions(now=NOW))
    later = NOW + dt.timedelta(hours=5)
    refresh(open_book(first, second), RefreshOptions(now=later))
    sheets = openpyxl.load_workbook(first).sheetnames
    diffs = _differences(first, second, sheets)
    assert diffs, "the timestamps must differ"
    for sheet, key, old, new in diffs:
        assert old[0] in (NOW, NOW.isoformat(sep=" ")) and new[0] in (later, later.isoformat(sep=" ")), (sheet, key, old, new)
    # In place, with the same clock: every cell, table and chart is identical.
    refresh(open_book(second), RefreshOptions(now=later))
    assert _differences(first, second, sheets) == diffs
    wa, wb = openpyxl.load_workbook(first), openpyxl.load_workbook(second)
    for name in sheets:
        assert dict(wa[name].tables.items()) == dict(wb[name].tables.items())
        assert len(wa[name]._charts) == len(wb[name]._charts)


def test_report_sheet_has_native_charts_and_its_table_at_a1(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    run(src, tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    report = wb["Report"]
    assert report.tables["Report"].ref.startswith("A1:B")
    titles = {c.title.tx.rich.p[0].r[0].t for c in report._charts}
    roc = next(t for t in titles if t.startswith("ROC curve"))
    assert titles == {"Open leads by rules-score band", "Cumulative gains of the rules score", "Lift by rules score decile",
                      "Close rate by band of the rules score", "Calibration of the model probability (in-sample)", roc}
    assert roc.startswith("ROC curve of the rules score (area ")  # every chart says which score it is for
    lift = next(c for c in report._charts if c.title.tx.rich.p[0].r[0].t.startswith("Lift"))
    column = lift.series[1].yVal.numRef.f.split("!")[1].split(":")[0].replace("$", "")
    assert report[column].value == 1.0  # the reference line at 1.0
    assert report.cell(report[column].row - 1, report[column].column).value == "No lift (1.0)"
    assert wb.sheetnames == ["Leads", "Rules", "Deals", "Model", "Report", "Settings", "Call List"]
    facts = {r[0]: r[1] for r in report.iter_rows(min_row=2, max_row=20, max_col=2, values_only=True) if r[0]}
    assert facts["Open leads"] == 12 and facts["Deals with an outcome"] == 300


def test_evaluation_that_cannot_run_leaves_a_note(tmp_path: Path) -> None:
    wb = build_workbook()
    wb["Deals"].cell(1, 7, "Seen")  # the decaying rule's date attribute is missing from Deals
    src = save(wb, tmp_path / "book.xlsx")
    result, _ = run(src, tmp_path / "out.xlsx")
    note = ('Evaluation on past deals not available: Rules row 7: date attribute "Last Activity Date" is not a')
    assert any(n.startswith(note) for n in result.notes)
    report = openpyxl.load_workbook(tmp_path / "out.xlsx")["Report"]
    assert any(isinstance(v, str) and v.startswith(note) for row in report.iter_rows(values_only=True) for v in row)
    assert column(tmp_path / "out.xlsx", "Leads", "Score")[0] == pytest.approx(78.0)


def test_model_failure_leaves_a_note_and_blank_probabilities(tmp_path: Path) -> None:
    deals = [r[:-1] + ["Lost"] for r in deal_rows(40)]  # one outcome class: no model is possible
    src = save(build_workbook(deals=deals), tmp_path / "book.xlsx")
    result, _ = run(src, tmp_path / "out.xlsx")
    out = tmp_path / "out.xlsx"
    assert not result.model_fitted
    assert any(n.startswith("Model not") for n in result.notes)
    assert column(out, "Leads", "Probability") == [None] * 12
    model = openpyxl.load_workbook(out)["Model"]
    texts = [v for row in model.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any(t.startswith("Model not") for t in texts)
    assert model.tables["Model"].ref.startswith("A1:")


def test_progress_is_reported_in_order_up_to_done(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    seen: list[tuple[str, float]] = []
    refresh(open_book(src, tmp_path / "out.xlsx", lambda m, f: seen.append((m, f))), RefreshOptions(now=NOW))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and seen[-1] == ("Done", 1.0)
    assert "Scoring 12 leads" in [m for m, _ in seen]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda wb: wb.remove(wb["Leads"]), BookError, "The workbook has no Leads sheet; add a sheet named Leads"),
        (lambda wb: wb.remove(wb["Rules"]), BookError, "The workbook has no Rules sheet"),
        (lambda wb: wb["Rules"].cell(2, 3, "Job Titel"), RuleError, 'Rules row 2: attribute "Job Titel" is not a Leads column; did you mean "Job Title"?'),
    ],
)  # fmt: skip
def test_unusable_workbooks_stop_with_a_message(tmp_path: Path, change, error, message: str) -> None:
    wb = build_workbook()
    change(wb)
    src = save(wb, tmp_path / "book.xlsx")
    before = src.read_bytes()
    with pytest.raises(error) as info:
        run(src)
    assert message in str(info.value)
    assert src.read_bytes() == before


def test_as_of_option_overrides_the_settings(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    result, _ = run(src, tmp_path / "out.xlsx", as_of="2026-04-30")
    # 60 days after the visit, a 30-day half-life leaves 16 x 0.25 = 4 points: 74.
    assert column(tmp_path / "out.xlsx", "Leads", "Score")[0] == pytest.approx(74.0)
    assert result.as_of == 46142.0  # Excel serial of 2026-04-30


def test_probability_formulas_rescore_without_python(tmp_path: Path) -> None:
    """--formulas writes native formulas over the Model sheet's Coef cells; an independent
    engine (the ``formulas`` package) computes them to the values the core predicts."""
    formulas = pytest.importorskip("formulas")
    src = save(build_workbook(), tmp_path / "book.xlsx")
    values, _ = run(src, tmp_path / "values.xlsx")
    result, _ = run(src, tmp_path / "formulas.xlsx", formulas=True)
    assert values.model_fitted and result.formulas and not result.notes
    ws = openpyxl.load_workbook(tmp_path / "formulas.xlsx")["Leads"]
    first = ws["L2"].value
    assert first.startswith("=IF(OR(") and '),"",1/(1+EXP(-(Model!$D$2+Model!$D$3*' in first  # blank inputs: ""
    assert "(Settings!$B$2-H2)" in first  # dates are aged to the Settings as-of cell
    assert ws["L3"].value == re.sub(r"(?<=[A-Z])2(?!\d)", "3", first)  # the same formula, one row down
    solution = formulas.ExcelModel().loads(str(tmp_path / "formulas.xlsx")).finish().calculate()
    computed = {k.split("!")[1]: v.value[0][0] for k, v in solution.items() if "]LEADS'!L" in k.upper()}
    expected = column(tmp_path / "values.xlsx", "Leads", "Probability")
    assert [computed[f"L{r}"] for r in range(2, 14)] == pytest.approx(expected, rel=1e-9)


def test_probability_formulas_follow_the_settings_key(tmp_path: Path) -> None:
    wb = build_workbook()
    wb["Settings"].append(["Probability formulas", "Yes"])
    wb["Settings"].tables["Settings"].ref = "A1:B5"
    src = save(wb, tmp_path / "book.xlsx")
    result, _ = run(src, tmp_path / "out.xlsx")
    assert result.formulas
    assert openpyxl.load_workbook(tmp_path / "out.xlsx")["Leads"]["L2"].value.startswith("=IF(")
    result, _ = run(src, tmp_path / "out2.xlsx", formulas=False)  # the option wins over the Setting
    assert not result.formulas and isinstance(column(tmp_path / "out2.xlsx", "Leads", "Probability")[0], float)


def test_model_sheet_holds_the_model_that_scored_the_leads(tmp_path: Path) -> None:
    """The coefficient table at A1 with its Variables block below, read back from the sheet
    as LEADPROBS would read it, gives the Probability column the refresh wrote."""
    from leadscore_xl.model.coefficients import COEF_HEADER, read_model

    src = save(build_workbook(), tmp_path / "book.xlsx")
    run(src, tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    ws = wb["Model"]
    table = ws.tables["Model"]
    rows = [list(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=13, values_only=True)]
    assert rows[0] == COEF_HEADER[:9] + ["Per"] + COEF_HEADER[9:] and rows[1][0] == "Intercept"
    assert table.ref == f"A1:M{rows.index([None] * 13)}"  # the table ends at the blank row
    below = {r[0]: r[1] for r in ws.iter_rows(min_col=1, max_col=2, values_only=True) if r[0]}
    assert {"Model statistics", "Diagnostics", "Audit"} <= set(below)  # below the Variables block: one page wide
    assert below["Fitted at"] == NOW and below["N used"] == 300 and below["Method"].startswith("Newton")
    assert ws["O1"].value.startswith("Covariance of the coefficients")
    covariance = [list(r) for r in ws.iter_rows(min_row=2, min_col=15, max_col=15 + table_width(ws), values_only=True)]
    assert ws.print_area == f"'Model'!$A$1:$M${max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value)}"
    model = read_model(rows, covariance_rows=[r for r in covariance if r[0] is not None])
    leads = [[c.value for c in r][:8] for r in wb["Leads"].iter_rows(max_row=13)]
    assert model.predict(leads, AS_OF).tolist() == pytest.approx(column(tmp_path / "out.xlsx", "Leads", "Probability"), rel=1e-12)


def table_width(ws: openpyxl.worksheet.worksheet.Worksheet) -> int:
    return int(ws.tables["Model"].ref.split(":")[1][1:]) - 1  # one covariance column per term


def test_report_puts_the_cross_validated_auc_next_to_the_in_sample_one(tmp_path: Path) -> None:
    """Finance sees over-fitting: the model's 5-fold AUC (stratified, seeded) beside its in-sample AUC."""
    src = save(build_workbook(), tmp_path / "book.xlsx")
    run(src, tmp_path / "a.xlsx")
    run(src, tmp_path / "b.xlsx")
    facts = []
    for name in ("a.xlsx", "b.xlsx"):
        report = openpyxl.load_workbook(tmp_path / name)["Report"]
        facts.append({r[0]: r[1] for r in report.iter_rows(min_row=2, max_row=30, max_col=2, values_only=True) if r[0]})
    in_sample = facts[0]["AUC of the model on deals (in-sample)"]
    cross = facts[0]["AUC of the model on deals (5-fold cross-validated)"]
    assert 0.5 < cross <= in_sample + 0.02  # held-out deals are no easier than the ones fitted
    assert cross == facts[1]["AUC of the model on deals (5-fold cross-validated)"]  # seeded: reproducible


def test_settings_rows_that_do_nothing_are_named(tmp_path: Path) -> None:
    from leadscore_xl.settings import read_settings, settings_notes

    settings = read_settings([["Setting", "Value"], ["Cap Fitt", 50.0], ["Outcome colum", "Won"], ["Cap Fit", 60.0],
                              ["Band High value", "65; High value; Sales"], ["Fit group", "Firmographic"]])  # fmt: skip
    notes = settings_notes(settings, ("Fit", "Engagement"))
    assert notes == (
        'Settings row 2: "cap fitt" caps a group the Rules table does not have (groups: Fit, Engagement)',
        'Settings row 3: "outcome colum" is not a setting LeadScore XL reads, so it does nothing; did you mean "outcome column"?',
        'Settings: Fit group "Firmographic" is not a group of the Rules table (groups: Fit, Engagement), '
        "so the fit x engagement matrix counts it as 0 points",
    )
    src = save(build_workbook(), tmp_path / "book.xlsx")
    result, _ = run(src, tmp_path / "out.xlsx")
    assert not [n for n in result.notes if n.startswith("Settings")]  # the fixture's own settings are all used


def test_report_recommends_score_cut_offs(tmp_path: Path) -> None:
    src = save(build_workbook(), tmp_path / "book.xlsx")
    run(src, tmp_path / "out.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "out.xlsx")["Report"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Score cut-offs for the rules score"))
    criteria = [r[0] for r in rows[start + 2:start + 6] if r[0]]
    assert criteria[:2] == ["Best F1", "Best Youden J"]
