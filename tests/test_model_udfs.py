"""LOGITFIT, LOGITSTATS, LEADPROB, LEADPROBS and LOGITFORMULA through xlwings' real conversion."""

from __future__ import annotations

import datetime as dt

import formulas
import numpy as np
import pytest
import statsmodels.api as sm

import leadscore_udfs
import xlharness
from leadscore_xl.model.fit import fit_logit, read_model
from test_model_design import deals

pytestmark = pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite

MISSING = xlharness.MISSING


def scalar(out: object) -> object:
    """A single value as Excel receives it from xlwings: a 1 x 1 array."""
    assert isinstance(out, list) and len(out) == 1 and len(out[0]) == 1, out
    return out[0][0]


@pytest.fixture(scope="module")
def fitted() -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    """Deals, the LOGITFIT spill (as Excel returns it) and the covariance block."""
    rows = deals(300, seed=11)
    sheet = xlharness.call(leadscore_udfs.LOGITFIT, rows, "Outcome", "Industry; Employees; Partner")
    cov = fit_logit(rows, "Outcome", features="Industry; Employees; Partner").covariance_rows()
    return rows, sheet, cov


def test_logitfit_spills_the_coefficient_table_then_the_variables_block(fitted) -> None:
    rows, sheet, _ = fitted
    result = fit_logit(rows, "Outcome", features="Industry; Employees; Partner")
    table = result.coef_rows()
    assert sheet[: len(table)] == [["" if v is None else v for v in r] for r in table]
    assert sheet[len(table)] == [""] * 12
    assert sheet[len(table) + 1][:5] == ["Variable", "Type", "Reference level", "Pooled into Other",
                                         "Counted as reference"]  # fmt: skip


def test_logitstats_spills_statistic_value_rows() -> None:
    out = xlharness.call(leadscore_udfs.LOGITSTATS, deals(300, seed=11), "Outcome", MISSING, MISSING, MISSING,
                         [["Setting", "Value"], ["Features", "Industry; Employees"]])  # fmt: skip
    stats = dict(map(tuple, out[1:]))
    assert out[0] == ["Statistic", "Value"]
    assert stats["N used"] == 300 and stats["Converged"] is True and stats["Method"].startswith("Newton")
    assert stats["Coefficients"] == 5 and 0 < stats["LR p-value"] < 1


def test_leadprobs_round_trip_with_ci_notes_and_unscored_leads(fitted) -> None:
    rows, sheet, cov = fitted
    leads = [["Lead ID", "Industry", "Employees", "Partner"],
             ["A", "Software", 50.0, True], ["B", " retail ", 40.0, False], ["C", "Mining", 50.0, True],
             ["D", "Finance", None, False], ["E", "Health", "#N/A", True], [None, None, None, None]]  # fmt: skip
    out = xlharness.call(leadscore_udfs.LEADPROBS, sheet, leads, cov, "Probability; CI low; CI high; Note")
    model = read_model(sheet, cov)
    p, low, high = model.predict_with_ci(leads)
    assert out[0][0] == pytest.approx(p[0], abs=1e-15) and out[1][1] == pytest.approx(low[1], abs=1e-15)
    assert out[0][1] < out[0][0] < out[0][2] and out[0][3] == ""
    assert out[1][3] == ""  # " retail " matches Retail, trimmed and case-insensitively
    assert out[2][0] == pytest.approx(p[0], abs=1e-15)  # unseen Mining counts as the reference Software
    assert out[2][3] == '"Industry" level not in the model, counted as "Software"'
    assert out[3] == ["UNSCORED", "UNSCORED", "UNSCORED", 'UNSCORED: "Employees" is blank or not a number']
    assert out[4][0] == "UNSCORED"  # an error cell is a blank
    assert out[5] == ["", "", "", ""]  # trailing blank row of a whole-table reference


def test_leadprob_scores_one_lead_like_leadprobs(fitted) -> None:
    rows, sheet, cov = fitted
    headers = [["Partner", "Employees", "Industry", "Owner"]]
    lead = [[False, 61.5, "Finance", "Ann"]]
    one = scalar(xlharness.call(leadscore_udfs.LEADPROB, sheet, headers, lead))
    many = xlharness.call(leadscore_udfs.LEADPROBS, sheet, headers + lead)
    assert isinstance(one, float) and one == many[0][0]
    row = xlharness.call(leadscore_udfs.LEADPROB, sheet, headers, lead, cov, "Probability; CI high")
    assert row[0][0] == one and row[0][1] > one


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s, c: xlharness.call(leadscore_udfs.LOGITFIT, [["Outcome", "x"], ["Won", 1.0], ["Maybe", 2.0],
                                                               ["Lost", 3.0]], "Outcome"),  # fmt: skip
         'Deals row 3: outcome "Maybe" in column "Outcome" is not an outcome; use Won/Lost'),
        (lambda s, c: xlharness.call(leadscore_udfs.LEADPROBS, s, [["Industry"], ["Retail"]], c, "CI low"),
         'model variable "Employees" is not a Leads column'),
        (lambda s, c: xlharness.call(leadscore_udfs.LEADPROBS, s, [["Industry", "Employees", "Partner"]], MISSING,
                                     "CI low"),  # fmt: skip
         "Confidence intervals need the covariance block"),
        (lambda s, c: xlharness.call(leadscore_udfs.LEADPROBS, [r if r[0] != "Employees" else r[:3] + ["x"] + r[4:]
                                                                for r in s], [["Industry"]]),  # fmt: skip
         'Model row 6 ("Employees"): Coef "x" is not a number; type a number'),
        (lambda s, c: xlharness.call(leadscore_udfs.LEADPROBS, s, [["Industry"]], MISSING, "Score"),
         'Output "Score" is not known; use any of Probability, CI low, CI high, Note'),
        (lambda s, c: xlharness.call(leadscore_udfs.LEADPROB, s, [["a"], ["b"]], [[1.0]]),
         "Pass one lead row and its one header row"),
        (lambda s, c: xlharness.call(leadscore_udfs.LEADPROBS, [["Term", "Coef"], ["Intercept", 1.0]], [["a"]]),
         'The model range has no "Variable" column'),
        (lambda s, c: xlharness.call(leadscore_udfs.LEADPROB, s, [["Industry", "Employees"]], [["Retail", 40.0, True]]),
         "The lead has 3 cells but the headers have 2; pass one row of the Leads table with its header row, "
         "e.g. Leads[@] and Leads[#Headers]"),
        (lambda s, c: xlharness.call(leadscore_udfs.LEADPROB, s, [["Industry", "Employees", "Partner", "Owner"]],
                                     [["Retail", 40.0, True]]),  # fmt: skip
         "The lead has 3 cells but the headers have 4; pass one row of the Leads table with its header row"),
    ],
    ids=["bad outcome", "missing lead column", "ci without covariance", "coef not a number", "bad output",
         "two header rows", "not a coefficient table", "lead longer than headers", "headers longer than lead"],  # fmt: skip
)
def test_errors_come_back_as_one_line_in_the_cell(fitted, call, message: str) -> None:
    _, sheet, cov = fitted
    out = scalar(call(sheet, cov))
    assert isinstance(out, str) and message in out and "Traceback" not in out and "\n" not in out


def pooled_deals(n: int = 400, seed: int = 5) -> list[list[object]]:
    """Industry with a rare level (Mining, 2 %) that LOGITFIT pools into "Other", Employees, Outcome."""
    rng = np.random.default_rng(seed)
    industries = ["Software", "Retail", "Finance", "Health"]
    rows: list[list[object]] = [["Industry", "Employees", "Outcome"]]
    for i in range(n):
        industry = "Mining" if i % 50 == 0 else industries[int(rng.integers(0, 4))]
        rows.append([industry, float(rng.integers(1, 500)), "Won" if rng.random() < 0.4 else "Lost"])
    return rows


def formula_and_model(sheet: list[list[object]], headers: list[list[object]]) -> tuple[str, object, object]:
    text = scalar(xlharness.call(leadscore_udfs.LOGITFORMULA, sheet, headers, "A2"))
    return text, formulas.Parser().ast(text)[1].compile(), read_model(sheet)


def test_logitformula_evaluated_by_the_formulas_engine_equals_leadprobs(fitted) -> None:
    """The native =1/(1+EXP(-(...))) formula, calculated by an independent engine (formulas)."""
    rows, sheet, _ = fitted
    headers = [["Industry", "Employees", "Partner"]]
    text, func, model = formula_and_model(sheet, headers)
    assert text.startswith('=IF(OR(TRIM(A2&"")="",B2="",C2=""),"",1/(1+EXP(-(') and 'TRIM(A2&"")="Finance"' in text
    assert list(func.inputs) == ["A2", "B2", "C2"]
    for industry, employees, partner in [("Software", 50.0, True), ("retail", 31.0, False), ("Health", 77.0, 1.0)]:
        want = model.predict(headers + [[industry, employees, partner]])[0]
        got = float(np.asarray(func(industry, employees, partner)).ravel()[0])
        assert got == pytest.approx(want, abs=1e-12)


def test_logitformula_scores_pooled_levels_as_other_and_blank_text_as_unscored() -> None:
    """Mining is pooled into Other (Variables block): the formula tests it; a blank Industry gives ""
    where LEADPROBS says UNSCORED, both evaluated independently (formulas engine vs the core)."""
    sheet = xlharness.call(leadscore_udfs.LOGITFIT, pooled_deals(), "Outcome")
    block = sheet[[r[0] for r in sheet].index("Variable") + 1]
    assert block[:4] == ["Industry", "categories", "Health", "Mining"]  # the premise: Mining is pooled
    headers = [["Industry", "Employees"]]
    text, func, model = formula_and_model(sheet, headers)
    assert 'OR(TRIM(A2&"")="Other",TRIM(A2&"")="Mining")' in text
    for industry in ["Mining", " mining ", "Other", "Software", "Health", "Quarrying"]:
        want = model.predict(headers + [[industry, 120.0]])[0]
        got = float(np.asarray(func(industry, 120.0)).ravel()[0])
        assert got == pytest.approx(want, abs=1e-12), industry
    other = model.predict(headers + [["Other", 120.0]])[0]
    assert model.predict(headers + [["Mining", 120.0]])[0] == other != model.predict(headers + [["Health", 120.0]])[0]
    for blank in ["", "   "]:
        assert xlharness.call(leadscore_udfs.LEADPROBS, sheet, headers + [[blank, 120.0]]) == [["UNSCORED"]]
        assert np.asarray(func(blank, 120.0)).ravel()[0] == ""


def test_logitformula_scores_a_blank_that_is_a_level() -> None:
    """When "(blank)" is a level of the model, a blank cell is scored by that level, not left empty."""
    sheet = [["Term", "Variable", "Level", "Coef"], ["Intercept", "Intercept", None, -1.0],
             ["Source: (blank)", "Source", "(blank)", 0.5], ["Source: Web", "Source", "Web", 1.5]]  # fmt: skip
    text, func, model = formula_and_model(sheet, [["Source"]])
    assert text == '=1/(1+EXP(-(-1.0+0.5*(TRIM(A2&"")="")+1.5*(TRIM(A2&"")="Web"))))'
    for source in ["", "Web", "Event"]:
        want = model.predict([["Source"], [source or None]])[0]
        assert float(np.asarray(func(source)).ravel()[0]) == pytest.approx(want, abs=1e-15)


def test_logitformula_refers_to_coef_cells_and_handles_dates() -> None:
    as_of = dt.datetime(2026, 3, 31)
    rows = [["Created", "Outcome"]] + [[as_of - dt.timedelta(days=d), d % 3 != 0 and d < 40] for d in range(60)]
    sheet = fit_logit(rows, "Outcome", as_of=as_of).model_rows()
    text = scalar(xlharness.call(leadscore_udfs.LOGITFORMULA, sheet, MISSING, MISSING, "Model!$D$2", "Settings!$B$3"))
    assert text == '=IF(OR([@[Created]]=""),"",1/(1+EXP(-(Model!$D$2+Model!$D$3*(Settings!$B$3-[@[Created]])))))'


def test_logitcov_round_trip_gives_statsmodels_prediction_intervals() -> None:
    """LOGITFIT + LOGITCOV -> LEADPROBS CI, against statsmodels Logit(...).get_prediction(...).conf_int()
    (Wald interval on the linear predictor, transformed to the probability scale)."""
    rows = deals(300, seed=11)
    args = (rows, "Outcome", "Industry; Employees; Partner")
    sheet = xlharness.call(leadscore_udfs.LOGITFIT, *args)
    cov = xlharness.call(leadscore_udfs.LOGITCOV, *args)
    terms = cov[0][1:]
    assert cov[0][0] == "Covariance" and [r[0] for r in cov[1:]] == terms
    assert terms == [r[0] for r in sheet[1:len(terms) + 1]]  # the same terms, in the coefficient table's order

    def design(data: list[list[object]]) -> np.ndarray:
        head = data[0]
        cols = []
        for term in terms:
            variable, _, level = term.partition(": ")
            values = [1.0] * (len(data) - 1) if term == "Intercept" else [r[head.index(variable)] for r in data[1:]]
            cols.append([float(v == level) for v in values] if level else [float(v) for v in values])
        return np.array(cols).T

    y = np.array([r[-1] == "Won" for r in rows[1:]], dtype=float)
    reference = sm.Logit(y, design(rows)).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    np.testing.assert_allclose(np.array([r[1:] for r in cov[1:]], dtype=float), reference.cov_params(),
                               rtol=1e-6, atol=1e-12)  # fmt: skip
    leads = [["Industry", "Employees", "Partner"], ["Retail", 40.0, True], ["Health", 75.5, False],
             ["Software", 12.0, False], ["Finance", 50.0, True]]  # fmt: skip
    out = xlharness.call(leadscore_udfs.LEADPROBS, sheet, leads, cov, "Probability; CI low; CI high")
    prediction = reference.get_prediction(design(leads))
    want = np.column_stack([prediction.predicted, prediction.conf_int(alpha=0.05)])
    np.testing.assert_allclose(np.array(out, dtype=float), want, rtol=1e-6)
