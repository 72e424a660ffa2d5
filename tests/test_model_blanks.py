"""Blank cells in the model (issue 10 §3): the missing-indicator method for numbers, yes/no and
dates, a blank text cell as its own level, and every consumer of the coefficient table
(LOGITCOV, LEADPROB/LEADPROBS with CIs, LOGITFORMULA, SCORECARD, the refresh's Probability
column) agreeing on these terms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import formulas
import numpy as np
import openpyxl
import pytest
import statsmodels.api as sm

import leadscore_udfs
import xlharness
from leadscore_xl.errors import DataQualityWarning
from leadscore_xl.model.coefficients import read_model
from leadscore_xl.model.fit import fit_logit
from leadscore_xl.model.scorecard import scorecard
from leadscore_xl.refresh.book_file import open_book
from leadscore_xl.refresh.run import RefreshOptions, refresh

AS_OF = dt.datetime(2026, 3, 31)
HEADER = ["Deal ID", "Industry", "Employees", "Partner", "Created", "Outcome"]
FEATURES = "Industry; Employees; Partner; Created"


def deals(n: int = 400, seed: int = 5) -> list[list[object]]:
    """Deals whose Industry, Employees, Partner and Created are blank in some rows; blanks
    carry signal of their own (a blank Employees lowers the odds)."""
    rng = np.random.default_rng(seed)
    industries = ["Software", "Retail", "Finance"]
    rows: list[list[object]] = [list(HEADER)]
    for i in range(n):
        ind = industries[int(rng.integers(3))] if rng.random() > 0.12 else None
        emp = float(np.round(rng.normal(60, 20), 1)) if rng.random() > 0.2 else None
        partner = bool(rng.random() < 0.35) if rng.random() > 0.1 else None
        age = int(rng.integers(1, 300))
        created = AS_OF - dt.timedelta(days=age) if rng.random() > 0.15 else None
        eta = (-0.5 + 0.7 * (ind == "Retail") - 0.4 * (ind is None) + (0.02 * (emp - 60) if emp is not None else -0.8)
               + 0.6 * bool(partner) - 0.003 * age)  # fmt: skip
        won = rng.random() < 1 / (1 + np.exp(-eta))
        rows.append([f"D{i:04d}", ind, emp, partner, created, "Won" if won else "Lost"])
    return rows


def explicit_design(rows: list[list[object]], fills: dict[str, float]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The design written out by hand: dummies (reference Software, "(blank)" a level), each
    number filled with the given value plus a 0/1 blank indicator; dates as age in days."""
    body = rows[1:]
    cols: dict[str, list[float]] = {"Intercept": [1.0] * len(body)}
    for level, name in [("Finance", "Industry: Finance"), ("Retail", "Industry: Retail"), (None, "Industry (blank)")]:
        cols[name] = [float(r[1] == level) for r in body]
    for j, name in [(2, "Employees"), (3, "Partner"), (4, "Created")]:
        values = [r[j] for r in body]
        if name == "Created":
            values = [None if v is None else float((AS_OF - v).days) for v in values]  # type: ignore[operator]
        cols[name] = [fills[name] if v is None else float(v) for v in values]  # type: ignore[arg-type]
        cols[f"{name} (blank)"] = [float(v is None) for v in values]
    y = np.array([r[-1] == "Won" for r in body], dtype=float)
    return np.column_stack(list(cols.values())), y, list(cols)


def medians(rows: list[list[object]]) -> dict[str, float]:
    body = rows[1:]
    ages = [float((AS_OF - r[4]).days) for r in body if r[4] is not None]  # type: ignore[operator]
    return {"Employees": float(np.median([r[2] for r in body if r[2] is not None])),
            "Partner": float(np.median([float(r[3]) for r in body if r[3] is not None])),  # type: ignore[arg-type]
            "Created": float(np.median(ages))}  # fmt: skip


@pytest.fixture(scope="module")
def fitted():
    rows = deals()
    result = fit_logit(rows, "Outcome", features=FEATURES, reference="Industry=Software", as_of=AS_OF)
    return rows, result


def test_blanks_are_filled_with_the_median_and_get_an_indicator_like_statsmodels_on_the_explicit_design(fitted) -> None:
    rows, result = fitted
    X, y, names = explicit_design(rows, medians(rows))
    reference = sm.Logit(y, X).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    order = [t.name for t in result.terms]
    assert sorted(order) == sorted(names) and "Employees (blank)" in order and "Created (blank)" in order
    pick = [names.index(n) for n in order]
    np.testing.assert_allclose(result.params, reference.params[pick], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(result.estimate.cov, reference.cov_params()[np.ix_(pick, pick)], rtol=1e-6, atol=1e-12)
    assert result.n_used == 400 and result.n_dropped == 0
    fills = {v.name: v.fill for v in result.variables}
    assert fills == {"Industry": None, **medians(rows)}
    block = {r[0]: r for r in result.variable_rows()}
    assert block["Employees"][5] == medians(rows)["Employees"] and block["Industry"][5] is None


def test_switched_off_in_settings_rows_are_dropped_and_counted() -> None:
    rows = deals()
    settings = [["Setting", "Value"], ["Missing indicator", "No"], ["Blank as level", "No"]]
    result = fit_logit(rows, "Outcome", features=FEATURES, as_of=AS_OF, settings=settings)
    complete = [r for r in rows[1:] if all(c is not None for c in r)]
    assert result.n_used == len(complete) and result.n_dropped == 400 - len(complete)
    assert not any(t.level == "(blank)" for t in result.terms)
    note = next(str(w) for w in result.warnings if isinstance(w, DataQualityWarning))
    assert note.startswith(f"{400 - len(complete)} of 400 Deals rows were left out:")


LEADS = [["Lead", "Industry", "Employees", "Partner", "Created"],
         ["A", "Retail", 70.0, True, AS_OF - dt.timedelta(days=30)],
         ["B", None, None, None, None],
         ["C", "Finance", None, False, AS_OF - dt.timedelta(days=200)],
         ["D", "  ", 40.0, None, AS_OF - dt.timedelta(days=3)],
         ["E", "Software", 55.5, True, None]]  # fmt: skip


def test_every_consumer_of_the_table_agrees_on_blank_terms(fitted) -> None:
    """LEADPROBS (values and CIs) = LEADPROB = LOGITFORMULA (formulas engine) = the explicit
    design's x'b and x'Vx, to 1e-12, for leads with blanks in every kind of column."""
    rows, result = fitted
    args = (rows, "Outcome", FEATURES, xlharness.MISSING, "Industry=Software", xlharness.MISSING, AS_OF)
    sheet = xlharness.call(leadscore_udfs.LOGITFIT, *args)
    cov = xlharness.call(leadscore_udfs.LOGITCOV, *args)
    assert [r[0] for r in cov[1:]] == [t.name for t in result.terms]
    out = np.array(xlharness.call(leadscore_udfs.LEADPROBS, sheet, LEADS, cov, "Probability; CI low; CI high", AS_OF),
                   dtype=float)  # fmt: skip
    fills = {v.name: v.fill for v in result.variables if v.fill is not None}
    lead_rows = [[r[0], r[1] if r[1] is None or r[1].strip() else None, *r[2:], None] for r in LEADS[1:]]
    X, _, names = explicit_design([HEADER, *lead_rows], fills)
    order = [names.index(t.name) for t in result.terms]
    Xm = X[:, order]
    V = np.array([r[1:] for r in cov[1:]], dtype=float)
    eta, se = Xm @ result.params, np.sqrt(np.einsum("ij,jk,ik->i", Xm, V, Xm))
    want = 1 / (1 + np.exp(-np.column_stack([eta, eta - 1.959963984540054 * se, eta + 1.959963984540054 * se])))
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.predict(LEADS), want[:, 0], rtol=1e-12)
    for i in range(1, len(LEADS)):
        one = xlharness.call(leadscore_udfs.LEADPROB, sheet, [LEADS[0]], [LEADS[i]], cov, "Probability", AS_OF)
        assert one == [[pytest.approx(want[i - 1, 0], rel=1e-12)]]
    text = xlharness.call(leadscore_udfs.LOGITFORMULA, sheet, [LEADS[0]], "A2", xlharness.MISSING, "46112")
    text = text[0][0]
    assert 'IF(TRIM(C2&"")="",' in text and '*(TRIM(C2&"")="")' in text and not text.startswith("=IF(OR(")
    func = formulas.Parser().ast(text)[1].compile()
    serial = {None: None}
    for i, lead in enumerate(LEADS[1:]):
        created = lead[4]
        serial[created] = None if created is None else float((created - dt.datetime(1899, 12, 30)).days)
        cells = {"A2": lead[0], "B2": lead[1] or "", "C2": lead[2] if lead[2] is not None else "",
                 "D2": lead[3] if lead[3] is not None else "", "E2": serial[created] if created else ""}  # fmt: skip
        got = float(np.asarray(func(*[cells[k] for k in func.inputs])).ravel()[0])
        assert got == pytest.approx(want[i, 0], rel=1e-12), lead


def test_scorecard_gives_a_blank_rule_worth_the_filled_value_and_the_indicator(fitted) -> None:
    rows, result = fitted
    cm = read_model(result.model_rows())
    card = scorecard(cm, rows, decimals=12, as_of=AS_OF)
    rules = {(r[2], r[3]): r[5] for r in card.rows}
    coef = dict(zip((t.name for t in result.terms), result.params))
    fills = {v.name: v.fill for v in result.variables}
    for name in ("Employees", "Partner", "Created"):
        logit = coef[name] * fills[name] + coef[f"{name} (blank)"]
        assert rules[(name, "is blank")] == pytest.approx(card.factor * logit, abs=1e-9)
    assert rules[("Industry", "is blank")] == pytest.approx(card.factor * coef["Industry (blank)"], abs=1e-9)
    without_block = result.coef_rows()  # the coefficient table alone does not say what a blank is filled with
    with pytest.raises(Exception, match='"Employees" has a "\\(blank\\)" term but no "Blank filled with" value'):
        scorecard(without_block, rows, as_of=AS_OF)


def test_a_table_without_the_variables_block_leaves_blank_numbers_unscored(fitted) -> None:
    _, result = fitted
    out = xlharness.call(leadscore_udfs.LEADPROBS, result.coef_rows(), LEADS[:3], xlharness.MISSING, "Probability; Note",
                         AS_OF)  # fmt: skip
    assert isinstance(out[0][0], float) and out[1][0] == "UNSCORED"
    assert 'include the Variables block' in out[1][1]


# ---- the refresh of a small build of the sample -----------------------------------------------------
@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    from workbook.build_template import build

    folder = tmp_path_factory.mktemp("sample")
    src = build(folder / "sample.xlsx", n_leads=200, n_deals=1000, refreshed=False)
    out = folder / "refreshed.xlsx"
    result = refresh(open_book(src, out), RefreshOptions(now=dt.datetime(2026, 4, 1, 9, 0)))
    return out, result


def _column(ws, header: str) -> list[object]:
    head = [c.value for c in ws[1]]
    j = head.index(header)
    return [r[j] for r in ws.iter_rows(min_row=2, values_only=True) if r[0] is not None]


def test_after_a_refresh_of_the_sample_every_lead_has_a_probability(sample) -> None:
    out, result = sample
    wb = openpyxl.load_workbook(out)
    budget, p = _column(wb["Leads"], "Budget"), _column(wb["Leads"], "Probability")
    assert sum(b is None for b in budget) > 10  # the premise: blank budgets among the leads
    assert len(p) == 200 and all(isinstance(v, float) and 0 < v < 1 for v in p)
    facts = {r[0]: r[1] for r in wb["Report"].iter_rows(min_row=2, max_row=30, max_col=2, values_only=True) if r[0]}
    assert facts["Leads without a probability"] == 0
    stats = {r[0]: r[1] for r in wb["Model"].iter_rows(values_only=True) if r[0]}  # the statistics sit below the coefficients
    assert stats["N used"] == 1000 and stats["N dropped"] == 0
    assert not [n for n in result.notes if "no Probability" in n]  # type: ignore[attr-defined]
    terms = [r[0] for r in wb["Model"].iter_rows(min_row=2, max_col=1, values_only=True)]
    assert "Budget (blank)" in terms


def test_the_refreshs_native_formulas_score_blank_budgets_like_the_values(tmp_path: Path, sample) -> None:
    """Each lead's Probability formula, compiled by an independent engine (formulas) and fed the
    workbook's own cells, equals the value the refresh writes without formulas. (Fed directly:
    the engine's workbook loader keeps only 15 decimals of a cell, which tiny coefficients such
    as Annual Revenue's 1e-10 need more of.)"""
    values_book, _ = sample
    wb = openpyxl.load_workbook(values_book)
    keep = 40
    wb["Leads"].delete_rows(keep + 2, wb["Leads"].max_row)
    del wb["Analysis"]
    src = tmp_path / "small.xlsx"
    wb.save(src)
    out = tmp_path / "formulas.xlsx"
    result = refresh(open_book(src, out), RefreshOptions(now=dt.datetime(2026, 4, 1, 9, 0), formulas=True))
    assert result.formulas
    book = openpyxl.load_workbook(out)
    leads = book["Leads"]
    texts, budget = _column(leads, "Probability"), _column(leads, "Budget")
    assert len(texts) == keep and sum(b is None for b in budget) >= 2  # blank budgets among them
    expected = _column(openpyxl.load_workbook(values_book)["Leads"], "Probability")[:keep]

    def value(ref: str, row: int) -> object:
        sheet, _, cell = ref.upper().replace("$", "").rpartition("!")
        v = book[{"MODEL": "Model", "SETTINGS": "Settings", "": "Leads"}[sheet]][cell].value
        if isinstance(v, dt.datetime):
            return float((v - dt.datetime(1899, 12, 30)).days)
        return "" if v is None else v

    blank_rows = [i for i, b in enumerate(budget) if b is None][:4]
    for i in sorted(set(range(4)) | set(blank_rows)):  # compiling a formula takes the engine a while
        row, text, want = i + 2, texts[i], expected[i]
        func = formulas.Parser().ast(text)[1].compile()
        got = float(np.asarray(func(*[value(k, row) for k in func.inputs])).ravel()[0])
        assert got == pytest.approx(want, rel=1e-12), (row, budget[row - 2])
