"""Discrimination, calibration and cross-validation cores (numpy arrays in, results out)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.diagnostic_gen import test_chisquare_binning as sm_chisquare_binning

from leadscore_xl.evaluation.calibration import calibration
from leadscore_xl.evaluation.crossval import cross_validated_auc as cross_validated_design, stratified_folds
from leadscore_xl.evaluation.discrimination import auc, lift_table, rank_auc, roc_points
from leadscore_xl.errors import DataQualityWarning, InputError, ModelError, SeparationWarning
from leadscore_xl.model.estimate import fit_predictor

# Hanley & McNeil (1982), Radiology 143:29-36, Table 1: CT ratings 1 (definitely normal)
# to 5 (definitely abnormal) of 58 normal and 51 abnormal cases; published area 0.893, SE 0.032.
HM_NORMAL = np.repeat([1.0, 2, 3, 4, 5], [33, 6, 6, 11, 2])
HM_ABNORMAL = np.repeat([1.0, 2, 3, 4, 5], [3, 2, 2, 11, 33])


def hanley_mcneil() -> tuple[np.ndarray, np.ndarray]:
    return np.r_[np.zeros(58), np.ones(51)], np.r_[HM_NORMAL, HM_ABNORMAL]


def brute_force_delong(y: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """AUC and DeLong SE from the textbook definition: psi(x, z) = 1, 1/2, 0 over all pairs."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return float(psi.mean()), float(np.sqrt(v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size))


def test_auc_matches_hanley_mcneil_published_area() -> None:
    y, s = hanley_mcneil()
    result = auc(y, s)
    assert result.auc == pytest.approx(0.893, abs=5e-4)  # published, 3 decimals
    # DeLong's SE differs a little from Hanley-McNeil's exponential approximation (0.032)
    assert result.se == pytest.approx(0.032, abs=0.002)
    assert (result.n_won, result.n_lost, result.n_excluded) == (51, 58, 0)


def test_delong_se_and_ci_equal_the_pairwise_definition() -> None:
    y, s = hanley_mcneil()
    result = auc(y, s)
    ref_auc, ref_se = brute_force_delong(y, s)
    assert result.auc == pytest.approx(ref_auc, abs=1e-12)
    assert result.se == pytest.approx(ref_se, rel=1e-10)
    assert result.ci_low == pytest.approx(ref_auc - stats.norm.ppf(0.975) * ref_se, rel=1e-10)
    assert result.ci_high == pytest.approx(ref_auc + 1.959963984540054 * ref_se, rel=1e-10)
    assert result.to_rows()[2][0] == "Std. err. (DeLong)"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(-5, 5)), min_size=2, max_size=60))
def test_auc_rank_formula_with_ties_and_negation(pairs: list[tuple[bool, int]]) -> None:
    y = np.array([float(w) for w, _ in pairs])
    s = np.array([float(v) for _, v in pairs])
    if y.min() == y.max():
        with pytest.raises(ModelError):
            auc(y, s)
        return
    value = auc(y, s).auc
    u = stats.mannwhitneyu(s[y == 1], s[y == 0]).statistic  # U of the won deals, ties count 1/2
    assert value == pytest.approx(u / (np.sum(y) * np.sum(1 - y)), abs=1e-12)
    assert auc(y, -s).auc == pytest.approx(1.0 - value, abs=1e-12)
    assert roc_points(y, s).area() == pytest.approx(value, abs=1e-12)


def test_auc_leaves_out_nan_rows_and_counts_them() -> None:
    y = np.array([1.0, 0.0, np.nan, 1.0, 0.0, 1.0])
    s = np.array([3.0, 1.0, 5.0, np.nan, 2.0, 2.0])
    result = auc(y, s)
    assert result.auc == pytest.approx(rank_auc(np.array([1.0, 0, 0, 1]), np.array([3.0, 1, 2, 2])))
    assert result.auc == pytest.approx((1 + 1 + 1 + 0.5) / 4)
    assert result.n_excluded == 2
    assert isinstance(result.warnings[0], DataQualityWarning)


def test_auc_with_one_won_deal_has_no_interval() -> None:
    result = auc(np.array([1.0, 0, 0]), np.array([3.0, 1, 2]))
    assert result.auc == 1.0 and np.isnan(result.se) and np.isnan(result.ci_low) and np.isnan(result.ci_high)
    assert "at least 2 won and 2 lost" in str(result.warnings[-1])
    assert result.to_rows()[-1] == ["Note", "The confidence interval needs at least 2 won and 2 lost deals"]


@pytest.mark.parametrize(
    ("y", "message"),
    [([1.0, 1.0, np.nan], "no deal with a score is lost (2 won, 0 lost)"),
     ([0.0, 0.0, 0.0], "no deal with a score is won (0 won, 3 lost)")],
)  # fmt: skip
def test_auc_needs_both_outcomes(y: list[float], message: str) -> None:
    with pytest.raises(ModelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        auc(np.array(y), np.array([1.0, 2.0, 3.0]))


def test_roc_points_by_hand() -> None:
    y = np.array([1.0, 0, 1, 0, 1])
    s = np.array([9.0, 8, 8, 2, 1])
    roc = roc_points(y, s)
    assert roc.cutoff.tolist() == [np.inf, 9.0, 8.0, 2.0, 1.0]
    assert roc.tpr.tolist() == pytest.approx([0, 1 / 3, 2 / 3, 2 / 3, 1])
    assert roc.fpr.tolist() == pytest.approx([0, 0, 0.5, 1, 1])
    assert roc.worked.tolist() == [0, 1, 3, 4, 5]
    assert roc.to_rows()[1] == [None, 0.0, 0.0, 0]
    thin = roc_points(y, s, max_points=3)
    assert thin.cutoff.size == 3 and thin.tpr[0] == 0 and thin.tpr[-1] == 1


def test_lift_table_by_hand_keeps_ties_together() -> None:
    # 10 leads in 5 groups of 2 positions; a run of equal scores joins the group where it starts
    s = np.array([9.0, 9, 9, 9, 9, 5, 4, 3, 2, 1])
    y = np.array([1.0, 1, 0, 1, 0, 0, 1, 0, 0, 0])
    lift = lift_table(y, s, bins=5)
    assert lift.group.tolist() == [1, 3, 4, 5]  # the five 9s cover groups 1-2 (and half of 3)
    assert lift.leads.tolist() == [5, 1, 2, 2]
    assert lift.won.tolist() == [3, 0, 1, 0]
    assert lift.score_from.tolist() == [9, 5, 3, 1] and lift.score_to.tolist() == [9, 5, 4, 2]
    assert lift.lift[0] == pytest.approx((3 / 5) / 0.4)
    assert lift_table(y, np.arange(10.0, 0, -1), bins=5).leads.tolist() == [2, 2, 2, 2, 2]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 20)), min_size=1, max_size=80), st.integers(2, 12))
def test_lift_table_identities(pairs: list[tuple[bool, int]], bins: int) -> None:
    y = np.array([float(w) for w, _ in pairs])
    s = np.array([float(v) for _, v in pairs])
    if not y.any():
        return
    lift = lift_table(y, s, bins)
    assert lift.cum_share_of_won[-1] == pytest.approx(1.0)
    assert lift.cum_share_of_leads[-1] == pytest.approx(1.0)
    assert lift.lift * lift.overall_rate == pytest.approx(lift.close_rate)
    assert lift.leads.sum() == len(pairs) and lift.won.sum() == y.sum()
    assert np.all(np.diff(lift.score_to) < 0)  # groups do not share a score
    rows = lift.to_rows()
    assert rows[-1][10] == pytest.approx(1.0) and rows[-1][11] == pytest.approx(1.0)


def test_lift_table_needs_a_won_deal_and_two_groups() -> None:
    with pytest.raises(ModelError, match="at least one won deal"):
        lift_table(np.zeros(4), np.arange(4.0))
    with pytest.raises(ModelError, match="2 or more groups"):
        lift_table(np.ones(4), np.arange(4.0), bins=1)


def test_hosmer_lemeshow_by_hand_small_case() -> None:
    # groups of 2 by sorted p: E = 0.3, 0.7, 1.4; O = 0, 1, 2; chi2 = sum (O-E)^2 / (E (1 - E/n))
    p = np.array([0.8, 0.1, 0.4, 0.2, 0.6, 0.3])
    y = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    cal = calibration(y, p, bins=3)
    chi2 = 0.09 / (0.3 * 0.85) + 0.09 / (0.7 * 0.65) + 0.36 / (1.4 * 0.3)
    assert cal.hl_chi2 == pytest.approx(chi2, rel=1e-12)
    assert cal.hl_df == 1
    assert cal.hl_pvalue == pytest.approx(stats.chi2.sf(chi2, 1), rel=1e-12)
    assert cal.won.tolist() == [0, 1, 2] and cal.expected.tolist() == pytest.approx([0.3, 0.7, 1.4])
    assert cal.brier == pytest.approx(np.mean((p - y) ** 2))
    assert cal.log_loss == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@pytest.mark.parametrize(("n", "bins", "seed"), [(200, 10, 1), (157, 10, 2), (90, 7, 3), (400, 12, 4)])
def test_hosmer_lemeshow_equals_statsmodels_test_chisquare_binning(n: int, bins: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = np.round(rng.uniform(0.02, 0.95, n), 2)  # rounded: ties, split by the stable order
    y = (rng.random(n) < p ** 1.3).astype(float)
    cal = calibration(y, p, bins)
    ref = sm_chisquare_binning(np.column_stack([y, 1 - y]), np.column_stack([p, 1 - p]), sort_var=p,
                               bins=bins, sort_method="stable")  # fmt: skip
    assert cal.hl_chi2 == pytest.approx(ref.statistic, rel=1e-10)
    assert cal.hl_df == ref.df == bins - 2
    assert cal.hl_pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    assert cal.won.tolist() == pytest.approx(ref.freqs[:, 0].tolist())
    assert cal.expected.tolist() == pytest.approx(ref.probs[:, 0].tolist())


def test_calibration_table_rows_and_undefined_hl() -> None:
    cal = calibration(np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.0, 1.0, 0.5, 0.5]), bins=2)
    assert np.isnan(cal.hl_chi2)  # fewer than 3 groups
    assert "Hosmer-Lemeshow is not defined" in str(cal.warnings[0])
    rows = cal.to_rows()
    assert rows[0][:3] == ["Bin", "Leads", "Predicted from"]
    assert rows[3] == [None] * 8 and rows[4][:2] == ["Statistic", "Value"]
    assert rows[-1][0] == "Note" and rows[-1][1].startswith("Hosmer-Lemeshow is not defined")
    with pytest.raises(ModelError, match="between 0 and 1"):
        calibration(np.array([0.0, 1.0]), np.array([0.2, 55.0]))


def with_intercept(X: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(X)), X])


def cross_validated_auc(X: np.ndarray, y: np.ndarray, k: int = 5, seed: int = 0, fit=fit_predictor):
    """Cross-validation of the model's estimator on feature columns (the design adds the intercept)."""
    return cross_validated_design(with_intercept(X), y, fit, k, seed)


def noise(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, k)), (rng.random(n) < 0.3).astype(float)


def test_cross_validation_is_reproducible_and_honest_on_noise() -> None:
    X, y = noise(240, 10, 7)
    first = cross_validated_auc(X, y, k=5, seed=11)
    again = cross_validated_auc(X, y, k=5, seed=11)
    assert first.cv_auc == again.cv_auc and first.fold_aucs == again.fold_aucs
    assert cross_validated_auc(X, y, k=5, seed=12).fold_aucs != first.fold_aucs
    assert abs(first.cv_auc - 0.5) < 0.08  # pure noise: nothing to find
    assert first.in_sample_auc > first.cv_auc + 0.05  # in-sample sees its own noise
    assert first.optimism == pytest.approx(first.in_sample_auc - first.cv_auc)


def test_cross_validation_finds_real_signal_and_takes_a_pluggable_fit() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2))
    y = (rng.random(300) < 1 / (1 + np.exp(-2 * X[:, 0]))).astype(float)
    cv = cross_validated_auc(X, y, k=4, seed=0)
    assert cv.cv_auc > 0.8 and abs(cv.optimism) < 0.03
    first_column = cross_validated_auc(X, y, k=4, seed=0, fit=lambda Xt, yt: ((lambda Xs: Xs[:, 1]), ()))
    assert first_column.cv_auc == pytest.approx(rank_auc(y, X[:, 0]))
    assert first_column.in_sample_auc == pytest.approx(rank_auc(y, X[:, 0]))


def test_stratified_folds_balance_the_outcome() -> None:
    y = np.r_[np.ones(23), np.zeros(77)]
    folds = stratified_folds(y, 5, seed=1)
    won = np.bincount(folds[y == 1], minlength=5)
    sizes = np.bincount(folds, minlength=5)
    assert won.max() - won.min() <= 1 and sizes.max() - sizes.min() <= 1
    assert (stratified_folds(y, 5, seed=1) == folds).all()


def test_cross_validation_diagnostics_and_errors() -> None:
    X = np.r_[np.arange(10.0), np.nan].reshape(-1, 1)
    y = np.r_[np.zeros(5), np.ones(5), 1.0]
    cv = cross_validated_auc(X, y, k=2, seed=0)
    assert cv.n_excluded == 1
    assert any(isinstance(w, SeparationWarning) for w in cv.warnings)
    notes = [r[1] for r in cv.to_rows() if r[0] == "Note"]
    assert any(n.startswith('In-sample fit: Complete separation: "feature 1" perfectly predict') for n in notes), notes
    assert not any("left out" in n for n in notes)
    with pytest.raises(InputError, match="Folds must be a whole number from 2 to 5"):
        cross_validated_auc(X, y, k=6)
    with pytest.raises(ModelError, match="won and lost deals"):
        cross_validated_auc(X[:5], y[:5])
