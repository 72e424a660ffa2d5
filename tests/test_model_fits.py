"""The fit itself: standardised columns reported on the original scale, the cross-validation
that fits what the model fits, values a spreadsheet cannot hold, and values too large to fit.

References: statsmodels' ``Logit`` on the unscaled design (maximum likelihood) and this
package's own unscaled ``firth_logit`` (Firth), each to 1e-8."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import statsmodels.api as sm

import leadscore_udfs
import xlharness
from leadscore_xl import cli
from leadscore_xl.errors import ModelError, NonConvergenceWarning
from leadscore_xl.evaluation.discrimination import auc
from leadscore_xl.sheet.outcome import outcome_vector
from leadscore_xl.model.estimate import estimate, firth_logit, fit_predictor, standardise
from leadscore_xl.model.fit import fit_logit, logit_design, model_options
from leadscore_xl.refresh.run import fit_model
from leadscore_xl.settings import read_settings
from leadscore_xl.sheet.dates import resolve_as_of
from leadscore_xl.sheet.table import Table, read_table
from test_refresh_support import DEAL_HEADER, build_workbook, deal_rows, save

SAMPLE = Path(__file__).resolve().parents[1] / "workbook" / "LeadScoring.xlsx"


@pytest.fixture(scope="module")
def sample() -> tuple[Table, Any, float, tuple[str, ...]]:
    """The bundled workbook's Deals, Settings, as-of date and Leads headers."""
    wb = openpyxl.load_workbook(SAMPLE, read_only=True)
    sheet = {name: [list(r) for r in wb[name].iter_rows(values_only=True)] for name in ("Deals", "Settings", "Leads")}
    settings = read_settings(sheet["Settings"])
    as_of = settings.scoring.as_of or resolve_as_of(None)
    return read_table(sheet["Deals"], "Deals"), settings, as_of, tuple(sheet["Leads"][0])


@pytest.fixture(scope="module")
def sample_fit(sample):
    deals, settings, as_of, lead_headers = sample
    return fit_model(deals, settings, as_of, lead_headers, dt.datetime(2026, 3, 31))


# ---- issue 10 §1: the cross-validation block ------------------------------------------------
def test_the_cv_block_in_sample_auc_is_the_models_and_every_fold_fit_converges(sample, sample_fit) -> None:
    """Before: refresh passed the design with its Intercept to a fitter that added another
    column of ones, and "Fold 2: the fit stopped before converging" (the fold is quasi-
    separated: no won deal with a competitor's domain). Now the folds use the model's
    estimator, with its Firth fallback."""
    deals, settings, _, _ = sample
    cv = sample_fit.cross_validation
    y, _ = outcome_vector(deals, "Won")
    assert cv is not None and sample_fit.result is not None
    assert cv.in_sample_auc == pytest.approx(auc(y, sample_fit.deals_p).auc, abs=1e-12)
    assert not [w for w in cv.warnings if isinstance(w, NonConvergenceWarning)], cv.warnings
    assert cv.n_won + cv.n_lost == sample_fit.result.n_used
    assert 0.5 < cv.cv_auc <= cv.in_sample_auc


def test_the_cv_fitter_is_the_models_estimator_on_the_design_as_given(sample, sample_fit) -> None:
    deals, settings, as_of, _ = sample
    result = sample_fit.result
    opts = model_options("Won", [t.variable for t in result.terms[1:]], None, None, None, None, settings)
    design, _ = logit_design(deals, opts, as_of)
    assert [t.name for t in design.terms] == [t.name for t in result.terms]
    predict, notes = fit_predictor(design.X, design.y)
    np.testing.assert_allclose(predict(design.X), design.X @ result.params, rtol=0, atol=1e-12)
    assert notes == ()


def test_a_fold_without_a_level_gets_coefficient_zero_for_it() -> None:
    rng = np.random.default_rng(4)
    X = np.column_stack([np.ones(200), rng.normal(size=200), np.zeros(200)])
    y = (rng.random(200) < 1 / (1 + np.exp(-X[:, 1]))).astype(float)
    predict, _ = fit_predictor(X, y)
    ref = sm.Logit(y, X[:, :2]).fit(disp=0)
    X_test = np.column_stack([np.ones(3), [0.0, 1.0, 2.0], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(predict(X_test), X_test[:, :2] @ ref.params, rtol=1e-8)


# ---- standardised columns, results on the original scale -------------------------------------
def dollars(n: int = 3000, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Annual revenue around 1e9 dollars, a budget around 1e5, a z-score and a 0/1 flag."""
    rng = np.random.default_rng(seed)
    revenue = 1e9 * np.exp(rng.normal(0.0, 0.5, n))
    budget = 1e5 * rng.gamma(2.0, 1.0, n)
    z, flag = rng.normal(size=n), rng.integers(0, 2, n).astype(float)
    eta = -1.0 + 0.8 * (revenue / 1e9 - 1.0) + 0.3 * budget / 1e5 + 0.5 * z - 0.4 * flag
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    return np.column_stack([np.ones(n), revenue, budget, z, flag]), y


def test_estimates_on_the_original_scale_equal_statsmodels_on_the_unscaled_design() -> None:
    X, y = dollars()
    ours = estimate(X, y, ["Intercept", "Revenue", "Budget", "z", "flag"])
    ref = sm.Logit(y, X).fit(disp=0, maxiter=100)
    assert ours.method == "Newton" and ours.converged and ref.mle_retvals["converged"]
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(ours.cov)), ref.bse, rtol=1e-8)
    np.testing.assert_allclose(ours.cov, ref.cov_params(), rtol=1e-8, atol=1e-8 * np.outer(ref.bse, ref.bse).max())
    assert ours.llf == pytest.approx(ref.llf, rel=1e-10)


def test_the_fit_runs_on_standardised_columns() -> None:
    X, _ = dollars()
    Z, _ = standardise(X)
    assert np.all(Z[:, 0] == 1.0)
    np.testing.assert_allclose(Z[:, 1:].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, 1:].std(axis=0), 1.0, rtol=1e-12)
    Z2, _ = standardise(X[:, 1:])  # no intercept: scaled, not centred (a linear map)
    np.testing.assert_allclose(Z2 * np.sqrt(np.mean(X[:, 1:] ** 2, axis=0)), X[:, 1:], rtol=1e-12)


def test_firth_on_standardised_columns_equals_firth_on_the_unscaled_design() -> None:
    """Separated data with a dollar column: the fallback's estimates, covariance and penalised
    log-likelihood are those of Firth on the design as given."""
    rng = np.random.default_rng(8)
    n = 120
    flag = (rng.random(n) < 0.3).astype(float)
    revenue = 1e6 * np.exp(rng.normal(0.0, 0.4, n))
    y = np.where(flag == 1.0, 1.0, (rng.random(n) < 0.3).astype(float))  # flag = 1: always won
    X = np.column_stack([np.ones(n), flag, revenue])
    ours = estimate(X, y, ["Intercept", "Flag", "Revenue"])
    ref = firth_logit(X, y, max_iter=200)
    assert ours.method == "Firth" and ours.converged
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-8)
    np.testing.assert_allclose(ours.cov, ref.cov, rtol=1e-8, atol=1e-8 * np.abs(ref.cov).max())
    assert ours.penalized[0] == pytest.approx(ref.penalized_llf, rel=1e-10)


# ---- issue 10 §5: values a CSV can hold but a spreadsheet cannot -------------------------------
def deals_with(value: float, row: int = 4) -> list[list[Any]]:
    """Deals (header + 300 rows) with ``value`` in Company Size of data row ``row`` (sheet row row + 2)."""
    rows = deal_rows()
    rows[row][2] = value
    return [DEAL_HEADER] + rows


def lead_column(rows: list[list[Any]], j: int) -> list[list[Any]]:
    return [[r[j]] for r in rows]


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
@pytest.mark.parametrize("name", ["LOGITFIT", "LOGITSTATS", "LOGITCOV", "CLOSERATES", "SUGGESTRULES", "ICP"])
def test_inf_in_deals_is_named_with_column_and_row(name: str, value: float) -> None:
    out = xlharness.call(getattr(leadscore_udfs, name), deals_with(value), "Won")
    shown = "inf" if value > 0 else "-inf"
    assert out == [[f'Deals column "Company Size" row 6: {shown} is not a number a spreadsheet can hold; '
                    "enter a number or leave the cell blank"]]  # fmt: skip


def test_inf_reaches_no_other_deal_function_as_a_traceback() -> None:
    rows = deals_with(float("inf"))
    model = xlharness.call(leadscore_udfs.LOGITFIT, deals_with(250.0), "Won")
    expected = 'Deals column "Company Size" row 6: inf is not a number a spreadsheet can hold'
    assert xlharness.call(leadscore_udfs.SCORECARD, model[:9], rows)[0][0].startswith(expected)
    column_msg = 'Column "Company Size" row 6: inf is not a number a spreadsheet can hold'
    won, size = lead_column(rows, 7), lead_column(rows, 2)
    for name in ("LEADAUC", "LIFTTABLE", "ROCPOINTS", "THRESHOLD"):
        out = xlharness.call(getattr(leadscore_udfs, name), won, size)
        assert out[0][0].startswith(column_msg), (name, out)
    assert xlharness.call(leadscore_udfs.CALIBRATION, won, size)[0][0].startswith(column_msg)
    features = xlharness.call(leadscore_udfs.CVAUC, size, won)
    assert features[0][0].startswith('Features column "Company Size" row 6: inf is not a number')


# ---- issue 17 §6: a fit whose numbers overflow is not "fitted" ----------------------------------
@pytest.mark.parametrize("value", [1e308, -1e308])
def test_values_too_large_to_fit_are_named_with_rows_and_a_unit(value: float) -> None:
    rows = deals_with(value)
    rows[9][2] = value
    message = ('Deals column "Company Size" holds values too large to fit (up to 1e+308, in rows 6, 10); '
               "enter it in a larger unit (e.g. thousands or millions), correct those cells, or leave the column "
               "out of the Features")  # fmt: skip
    with pytest.raises(ModelError) as caught:
        fit_logit(rows, "Won")
    assert str(caught.value) == message
    for name in ("LOGITFIT", "LOGITSTATS", "LOGITCOV"):
        assert xlharness.call(getattr(leadscore_udfs, name), rows, "Won") == [[message]]
    assert xlharness.call(leadscore_udfs.CVAUC, lead_column(rows, 2), lead_column(rows, 7))[0][0].startswith(
        '"Company Size" holds values too large to fit (up to 1e+308)')


def test_refresh_with_values_too_large_says_so_on_the_model_sheet_and_the_cli(tmp_path: Path, capsys) -> None:
    deals = deal_rows()
    deals[3][2] = 1e308
    deals[7][2] = -1e308
    src = save(build_workbook(deals=deals), tmp_path / "book.xlsx")
    assert cli.main(["refresh", str(src), "--output", str(tmp_path / "out.xlsx")]) == 0
    err = capsys.readouterr().err
    words = 'Deals column "Company Size" holds values too large to fit (up to 1e+308, in rows 5, 9); enter it in a larger unit'
    assert words in err and "have no Probability" not in err
    model = openpyxl.load_workbook(tmp_path / "out.xlsx")["Model"]
    text = " ".join(str(c) for row in model.iter_rows(values_only=True) for c in row if c is not None)
    assert "Model not fitted" in text and words in text


def test_estimates_that_are_not_finite_are_never_a_fitted_model() -> None:
    from leadscore_xl.model.magnitude import check_estimates

    table = read_table(deals_with(3e140), "Deals")
    design, _ = logit_design(table, model_options("Won", "Company Size"), resolve_as_of(None))
    with pytest.raises(ModelError, match=r'"Company Size" holds values too large to fit \(up to 3e\+140, in rows'):
        check_estimates(np.array([0.1, np.nan]), np.eye(2), design, table)
    check_estimates(np.array([0.1, 0.2]), np.eye(2), design, table)  # finite: no error
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning on the way
        assert fit_logit(deals_with(3e140), "Won", features="Company Size").n_used == 300


# ---- issue 10 §7: BLAS threads ---------------------------------------------------------------------
def test_fits_run_with_the_blas_pools_limited_and_restored_after() -> None:
    from threadpoolctl import threadpool_info

    from leadscore_xl.model.threads import FIT_THREADS, limited_threads

    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    assert before, "numpy's BLAS is visible to threadpoolctl"
    with limited_threads():
        inside = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        X, y = dollars(500)
        estimate(X, y, ["Intercept", "Revenue", "Budget", "z", "flag"])
    assert FIT_THREADS == 1 and set(inside) == {1}
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before
