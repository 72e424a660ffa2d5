"""Reference values for the logit: Greene's Spector & Mazzeo, UCLA admissions, Firth vs logistf,
and the round trip coefficient table -> sheet -> LEADPROBS == statsmodels' predict."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from arch.data import binary
from scipy.special import expit

import leadscore_udfs
import xlharness
from leadscore_xl.errors import SeparationWarning
from leadscore_xl.model.estimate import detect_separation, firth_logit
from leadscore_xl.model.fit import fit_logit, read_model

# Heinze & Schemper (2002) endometrial cancer data (NV PI EH HG), as published with
# Agresti (2015), file Endometrial.dat in github.com/alanagresti/categorical-data.
ENDOMETRIAL = """
0 13 1.64 0|0 16 2.26 0|0 8 3.14 0|0 34 2.68 0|0 20 1.28 0|0 5 2.31 0|0 17 1.80 0|0 10 1.68 0|0 26 1.56 0
0 17 2.31 0|0 8 2.01 0|0 7 1.89 0|0 20 3.15 0|0 10 1.23 0|0 18 1.27 0|0 16 1.76 0|0 18 2.00 0|0 8 2.64 1
0 29 0.88 1|0 12 1.27 1|0 20 1.37 1|1 38 0.97 1|1 22 1.14 1|1 7 0.88 1|1 25 0.91 1|1 15 0.58 1|0 7 0.97 1
0 28 1.50 0|0 11 1.33 0|0 19 2.37 0|0 10 1.82 0|0 10 3.13 0|0 18 1.31 0|0 14 1.92 0|0 21 1.64 0|0 11 2.01 0
0 17 1.88 0|0 25 1.93 0|0 16 2.11 0|0 19 1.29 0|0 15 1.72 0|0 33 0.75 0|0 24 1.92 0|0 48 1.84 1|0 12 1.11 1
0 19 1.61 1|0 2 1.18 1|1 22 1.44 1|1 40 1.18 1|1 5 0.93 1|1 0 1.17 1|0 21 1.19 1|0 15 1.06 1|0 29 2.02 0
0 15 2.29 0|0 12 2.33 0|0 3 2.90 0|0 20 1.70 0|0 23 1.41 0|0 12 2.25 0|0 22 1.54 0|0 42 1.97 0|0 15 1.75 0
0 13 2.16 0|0 14 2.57 0|0 19 1.37 0|0 12 3.61 0|0 13 2.04 0|0 10 2.17 0|0 12 1.69 1|1 49 0.27 1|0 6 1.84 1
0 5 1.30 1|0 17 0.96 1|1 11 1.01 1|1 21 0.98 1|0 5 0.35 1|1 19 1.02 1|0 33 0.85 1"""


def endometrial_rows() -> list[list[object]]:
    data = [[float(v) for v in r.split()] for r in ENDOMETRIAL.replace("\n", "|").split("|") if r.strip()]
    assert len(data) == 79
    return [["NV", "PI", "EH", "HG"]] + [[nv, pi, eh, "Won" if hg else "Lost"] for nv, pi, eh, hg in data]


def spector_rows() -> list[list[object]]:
    d = sm.datasets.spector.load_pandas().data
    return [list(d.columns)] + d.values.tolist()


def ucla_rows() -> list[list[object]]:
    df = binary.load()
    return [list(df.columns)] + df.values.tolist()


def coefs(rows: list[list[object]]) -> dict[str, float]:
    return {r[0]: r[3] for r in rows[1:] if r[0] and r[3] is not None and not isinstance(r[3], str)}


def test_spector_matches_greene() -> None:
    """Greene, Econometric Analysis (Spector & Mazzeo logit), data statsmodels.datasets.spector.
    Printed values (6 decimals) to their precision; full-precision Stata 11 values (statsmodels'
    discrete/tests/results/results_discrete.py, Spector.logit) to rtol 1e-6."""
    result = fit_logit(spector_rows(), "GRADE", features="GPA; TUCE; PSI")
    table = {r[0]: r for r in result.coef_rows()[1:]}
    printed = {"Intercept": (-13.021347, 4.931325), "GPA": (2.826113, 1.262941),
               "TUCE": (0.095158, 0.141554), "PSI": (2.378688, 1.064564)}  # fmt: skip
    for term, (coef, se) in printed.items():
        assert table[term][3] == pytest.approx(coef, abs=5e-7)
        assert table[term][4] == pytest.approx(se, abs=1e-6)  # Greene prints 4.931325; the MLE gives 4.9313242
    stata = {"Intercept": -13.0213483201, "GPA": 2.82611297201, "TUCE": 0.0951576702557, "PSI": 2.37868772835}
    stata_var = {"GPA": 1.59502033639, "TUCE": 0.0200375937069, "PSI": 1.13329715236}
    for term, coef in stata.items():
        assert table[term][3] == pytest.approx(coef, rel=1e-6)
    for term, var in stata_var.items():
        assert table[term][4] == pytest.approx(var**0.5, rel=1e-6)
    stats = dict(result.stats_rows()[1:])
    assert stats["Log-likelihood"] == pytest.approx(-12.889634, abs=1e-6)
    assert stats["Method"].startswith("Newton") and stats["Converged"] is True
    assert stats["N used"] == 32 and stats["Events (won)"] == 11
    # statsmodels' own summary statistics for the same fit
    ref = sm.Logit(sm.datasets.spector.load_pandas().endog,
                   sm.add_constant(sm.datasets.spector.load_pandas().exog)).fit(disp=0)  # fmt: skip
    assert stats["Null log-likelihood"] == pytest.approx(ref.llnull, rel=1e-12)
    assert stats["LR chi2"] == pytest.approx(ref.llr, rel=1e-9)
    assert stats["LR p-value"] == pytest.approx(ref.llr_pvalue, rel=1e-7)
    assert stats["McFadden pseudo R2"] == pytest.approx(ref.prsquared, rel=1e-9)
    assert stats["AIC"] == pytest.approx(ref.aic, rel=1e-9) and stats["BIC"] == pytest.approx(ref.bic, rel=1e-9)
    assert any("per variable" in str(w) for w in result.warnings)  # 11 events / 3 coefficients


UCLA = {"Intercept": -3.989979, "gre": 0.002264, "gpa": 0.804038,
        "rank: 2": -0.675443, "rank: 3": -1.340204, "rank: 4": -1.551464}  # fmt: skip


@pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite
def test_ucla_admissions_through_logitfit() -> None:
    """UCLA IDRE logit example (admit ~ gre + gpa + rank), data from arch.data.binary; printed precision."""
    out = xlharness.call(leadscore_udfs.LOGITFIT, ucla_rows(), "admit", xlharness.MISSING, "rank", "rank=1")
    got = coefs(out)
    assert set(UCLA) <= set(got)
    for term, value in UCLA.items():
        assert round(got[term], 6) == value, term
    assert out[0][:4] == ["Term", "Variable", "Level", "Coef"]
    assert [r[:3] for r in out[4:7]] == [["rank: 2", "rank", "2"], ["rank: 3", "rank", "3"], ["rank: 4", "rank", "4"]]
    start = out.index(next(r for r in out if r[0] == "Variable"))
    block = out[start:next(i for i in range(start, len(out)) if out[i][0] == "")]
    diagnostics = out[out.index(next(r for r in out if r[0] == "Diagnostic")):]
    assert diagnostics[0][:2] == ["Diagnostic", "Message"] and len(diagnostics) >= 2  # trouble shows beside the table
    assert block[-1][:3] == ["rank", "categories", "1"]


def test_ucla_options_from_settings_give_the_same_model() -> None:
    settings = [["Setting", "Value"], ["Outcome column", "admit"], ["Categorical columns", "rank"],
                ["Reference rank", 1.0]]  # fmt: skip
    result = fit_logit(ucla_rows(), settings=settings)
    for term, value in UCLA.items():
        assert round(coefs(result.coef_rows())[term], 6) == value


def test_endometrial_falls_back_to_firth_and_matches_published_values() -> None:
    """Heinze & Schemper (2002): NV quasi-completely separates HG. Firth estimates (logistf / brglm2
    AS_mean, printed to 3 d.p. in github.com/tommasorigon/logistic-bias-reduction ENDOMETRIAL/endometrial.md):
    (Intercept) 3.775, NV 2.929, PI -0.035, EH -2.604."""
    result = fit_logit(endometrial_rows(), "HG")
    assert result.method == "Firth"
    sep = [w for w in result.warnings if isinstance(w, SeparationWarning)]
    assert len(sep) == 1 and "Quasi-complete separation" in str(sep[0]) and '"NV"' in str(sep[0])
    assert "fallback used" in str(sep[0])
    got = coefs(result.coef_rows())
    for term, value in {"Intercept": 3.775, "NV": 2.929, "PI": -0.035, "EH": -2.604}.items():
        assert round(got[term], 3) == value, term
    stats = dict(result.stats_rows()[1:])
    assert stats["Method"].startswith("Firth") and stats["Converged"] is True
    assert "Penalised log-likelihood" in stats and "LR chi2 (penalised)" in stats


def logistf_separation_data() -> tuple[np.ndarray, np.ndarray]:
    """The quasi-separated data set of firthmodels' test suite (tests/conftest.py, make_separation_data)."""
    rng = np.random.default_rng(42)
    n = 100
    separator = rng.choice([0, 1], n, p=[0.8, 0.2])
    x1, x2, x3 = rng.standard_normal(n), rng.uniform(-1, 1, n), rng.exponential(scale=2.0, size=n)
    y = rng.binomial(1, expit(-0.5 + 0.8 * x1 - 0.6 * x2 + 0.3 * x3))
    y[separator == 1] = 1
    return np.column_stack([np.ones(n), separator, x1, x2, x3]), y.astype(float)


# R logistf values for that data, as asserted in github.com/jzluo/firthmodels tests/test_logistic.py
# (test_matches_logistf_with_separation); order: intercept, separator, x1, x2, x3.
LOGISTF_COEF = [-0.4434562830, 3.6577140153, 0.6759781501, -0.8633119501, 0.3385788510]
LOGISTF_SE = [0.3452906671, 1.4822786334, 0.2687886213, 0.3874453554, 0.1370778814]


def test_firth_matches_logistf_coefficients_and_standard_errors() -> None:
    X, y = logistf_separation_data()
    fit = firth_logit(X, y)
    assert fit.converged
    np.testing.assert_allclose(fit.params, LOGISTF_COEF, rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov)), LOGISTF_SE, rtol=1e-5)
    sep = detect_separation(X, y)
    assert sep is not None and sep.kind == "quasi-complete" and sep.columns == (1,)


def test_logistf_data_through_fit_logit_uses_the_firth_fallback() -> None:
    X, y = logistf_separation_data()
    rows = [["Partner", "x1", "x2", "x3", "Outcome"]] + [
        [bool(r[1]), float(r[2]), float(r[3]), float(r[4]), "Converted" if v else "Not converted"] for r, v in zip(X, y)
    ]
    result = fit_logit(rows, "Outcome")
    assert result.method == "Firth"
    np.testing.assert_allclose(result.params, LOGISTF_COEF, rtol=1e-6)
    np.testing.assert_allclose(result.bse, LOGISTF_SE, rtol=1e-5)
    assert result.variables[0].kind == "yes/no"


def test_complete_separation_is_detected_as_complete() -> None:
    rows = [["Visits", "Outcome"]] + [[float(v), "Won" if v > 5 else "Lost"] for v in range(1, 11)]
    result = fit_logit(rows, "Outcome")
    assert result.method == "Firth"
    assert "Complete separation" in str(result.warnings[-1])
    assert result.params[1] > 0 and np.isfinite(result.bse).all()


@pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite
def test_round_trip_leadprobs_equals_statsmodels_predict() -> None:
    """Coefficient table -> sheet values -> read back -> LEADPROBS == statsmodels' predict to 1e-12."""
    df = binary.load()
    rows = ucla_rows()
    result = fit_logit(rows, "admit", categorical="rank", reference={"rank": 1})
    ref = smf.logit("admit ~ gre + gpa + C(rank)", df).fit(disp=0)
    order = ["Intercept", "gre", "gpa", "rank: 2", "rank: 3", "rank: 4"]
    names = ["Intercept", "gre", "gpa", "C(rank)[T.2.0]", "C(rank)[T.3.0]", "C(rank)[T.4.0]"]
    np.testing.assert_allclose([coefs(result.coef_rows())[t] for t in order], ref.params[names], rtol=1e-6)
    leads = [["Lead", "gpa", "gre", "rank"]] + [[f"L{i}", r[2], r[1], r[3]] for i, r in enumerate(rows[1:])]
    sheet = xlharness.call(leadscore_udfs.LOGITFIT, rows, "admit", None, "rank", "rank=1")
    probs = xlharness.call(leadscore_udfs.LEADPROBS, sheet, leads)
    params = ref.params.copy()
    params[names] = [coefs(result.coef_rows())[t] for t in order]
    expected = ref.model.predict(params.values, exog=ref.model.exog)
    np.testing.assert_allclose([p[0] for p in probs], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(read_model(result.coef_rows()).predict(leads), expected, rtol=0, atol=1e-12)


def test_confidence_intervals_match_statsmodels_linear_prediction() -> None:
    df = binary.load()
    rows = ucla_rows()
    result = fit_logit(rows, "admit", categorical="rank", reference="rank=1")
    model = read_model(result.model_rows(), result.covariance_rows())
    p, low, high = model.predict_with_ci(rows)
    ref = smf.logit("admit ~ gre + gpa + C(rank)", df).fit(disp=0)
    ci = ref.get_prediction(df, which="linear").conf_int()
    np.testing.assert_allclose(low, expit(ci[:, 0]), rtol=1e-6)
    np.testing.assert_allclose(high, expit(ci[:, 1]), rtol=1e-6)
    assert np.all((low < p) & (p < high))


def test_editing_a_coefficient_on_the_sheet_changes_the_scores() -> None:
    rows = spector_rows()
    result = fit_logit(rows, "GRADE")
    sheet = result.coef_rows()
    before = read_model(sheet).predict(rows)
    psi = next(r for r in sheet if r[0] == "PSI")
    psi[3] += 1.0
    after = read_model(sheet).predict(rows)
    eta = np.log(before / (1 - before)) + np.array([r[2] for r in rows[1:]])
    np.testing.assert_allclose(after, expit(eta), atol=1e-12)


def test_dates_enter_as_age_in_days_at_the_as_of_date() -> None:
    as_of = dt.datetime(2026, 3, 31)
    rng = np.random.default_rng(7)
    ages = rng.integers(0, 200, 300)
    won = rng.random(300) < expit(1.0 - ages / 80)
    rows = [["Created", "Outcome"]] + [[as_of - dt.timedelta(days=int(a)), bool(w)] for a, w in zip(ages, won)]
    result = fit_logit(rows, "Outcome", as_of=as_of)
    ref = sm.Logit(won.astype(float), sm.add_constant(ages.astype(float))).fit(disp=0)
    np.testing.assert_allclose(result.params, ref.params, rtol=1e-7)
    assert result.variables[0].kind == "date"
    leads = [["Created"], [as_of - dt.timedelta(days=10)]]
    assert result.predict(leads)[0] == pytest.approx(expit(ref.params[0] + 10 * ref.params[1]), abs=1e-12)
