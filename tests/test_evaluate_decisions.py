"""Thresholds, A/B comparison, monitoring tables and chart specs (array cores)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from leadscore_xl.evaluation.compare import compare_scores, delong_test, top_share_cutoff
from leadscore_xl.errors import InputError, ModelError
from leadscore_xl.evaluation.charts import report_charts
from leadscore_xl.evaluation.monitoring import Groups, band_labels, channel_report, conversion_by_band, disagreements, hot_and_cold
from leadscore_xl.settings import ScoringConfig
from leadscore_xl.evaluation.thresholds import recommend_threshold

# 10 deals, 4 won; cut-off ">= 5" catches all 4 wins with 6 leads (F1 0.8, Youden 2/3)
S10 = np.array([10.0, 9, 8, 7, 6, 5, 4, 3, 2, 1])
Y10 = np.array([1.0, 1, 0, 1, 0, 1, 0, 0, 0, 0])


def test_thresholds_by_hand() -> None:
    result = recommend_threshold(Y10, S10, capacity=3, weekly_leads=10, amounts=100.0, cost_per_lead=30.0)
    cap = result.get("Capacity")
    assert (cap.cutoff, cap.worked, cap.won) == (8.0, 3, 2)  # 3 a week of 10 = 30 % of leads
    assert cap.leads_per_week == pytest.approx(3.0) and cap.wins_per_week == pytest.approx(2.0)
    f1 = result.get("Best F1")
    assert (f1.cutoff, f1.worked, f1.won) == (5.0, 6, 4)
    assert f1.f1 == pytest.approx(0.8) and f1.precision == pytest.approx(4 / 6) and f1.recall == 1.0
    youden = result.get("Best Youden")
    assert youden.cutoff == 5.0 and youden.youden == pytest.approx(1 - 2 / 6)
    value = result.get("Expected value")
    assert value.cutoff == 5.0 and value.value == pytest.approx(4 * 100 - 6 * 30)
    assert value.value_per_week == pytest.approx(220 * 10 / 10)
    assert result.to_rows()[0][1] == "Cut-off (score >=)" and len(result.to_rows()) == 5


def test_thresholds_period_amount_column_and_notes() -> None:
    amounts = np.array([1000.0, np.nan, 5, 10, 5, 20, 5, 5, 5, 5])  # won deal 2 has no amount
    result = recommend_threshold(Y10, S10, capacity=1, period_weeks=5, amounts=amounts, cost_per_lead=50.0)
    value = result.get("Expected value")
    fill = (1000 + 10 + 20) / 3
    assert value.cutoff == 9.0 and value.value == pytest.approx(1000 + fill - 100)
    assert result.weekly_leads == pytest.approx(2.0)
    cap = result.get("Capacity")  # 1 a week of 2 -> half the leads
    assert cap.worked == 5 and cap.wins_per_week == pytest.approx(3 * 2 / 10)
    ties = recommend_threshold(np.array([1.0, 0, 1, 0]), np.array([5.0, 5, 5, 1]), capacity=1, weekly_leads=4)
    assert ties.get("Capacity").worked == 3 and "more than capacity" in ties.get("Capacity").note
    loss = recommend_threshold(Y10, S10, amounts=10.0, cost_per_lead=20.0)
    assert "no cut-off pays" in loss.get("Expected value").note


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [({"capacity": 5.0}, InputError, "needs the weekly lead volume"),
     ({"capacity": -1.0, "weekly_leads": 5.0}, InputError, "Capacity must be a number of leads a week above 0"),
     ({"weekly_leads": 0.0}, InputError, "Weekly leads must be a number above 0"),
     ({"cost_per_lead": 5.0}, InputError, "A cost per lead needs a deal value"),
     ({"amounts": np.full(10, np.nan)}, InputError, "No won deal has a deal amount")],
)  # fmt: skip
def test_threshold_errors(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        recommend_threshold(Y10, S10, **kwargs)


def test_threshold_needs_both_outcomes() -> None:
    with pytest.raises(ModelError, match=r"won and lost deals with scores \(0 won of 10\)"):
        recommend_threshold(np.zeros(10), S10)


def brute_force_paired_delong(y: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p of DeLong et al. (1988) from the pairwise structural components."""
    comps = []
    for s in (a, b):
        pos, neg = s[y == 1], s[y == 0]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        comps.append((psi.mean(), psi.mean(axis=1), psi.mean(axis=0)))
    s10 = np.cov(np.vstack([comps[0][1], comps[1][1]]))
    s01 = np.cov(np.vstack([comps[0][2], comps[1][2]]))
    n1, n0 = int(y.sum()), int((1 - y).sum())
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / n1 + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n0
    return float(2 * stats.norm.sf(abs(comps[0][0] - comps[1][0]) / np.sqrt(var)))


def synthetic(n: int = 300, seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(float)
    good = np.round(10 * (y + rng.normal(0, 0.8, n)))  # rounded: ties
    poor = np.round(10 * (y + rng.normal(0, 3.0, n)))
    return y, good, poor


def test_comparison_detects_the_known_better_score() -> None:
    y, good, poor = synthetic()
    result = compare_scores(y, good, poor, resamples=300, seed=1, names=("v2", "v1"))
    auc = result.measures[0]
    assert auc.a > auc.b and auc.ci_low > 0
    assert result.winner == "v2" and result.winner_at_threshold == "v2"
    assert auc.pvalue == pytest.approx(brute_force_paired_delong(y, good, poor), rel=1e-8)
    assert auc.pvalue < 0.001
    swapped = compare_scores(y, poor, good, resamples=300, seed=1, names=("v1", "v2"))
    assert swapped.winner == "v2" and swapped.measures[0].ci_high < 0
    again = compare_scores(y, good, poor, resamples=300, seed=1, names=("v2", "v1"))
    assert again.measures[0].ci_low == auc.ci_low and again.measures[1].ci_high == result.measures[1].ci_high


def test_comparison_calls_no_winner_between_identical_or_equivalent_scores() -> None:
    y, good, _ = synthetic()
    same = compare_scores(y, good, good.copy(), resamples=200, seed=3)
    assert same.winner is None and same.winner_at_threshold is None
    assert (same.measures[0].ci_low, same.measures[0].ci_high, same.measures[0].pvalue) == (0.0, 0.0, 1.0)
    monotone = compare_scores(y, good, 1 / (1 + np.exp(-good / 10)), resamples=200, seed=3)
    assert monotone.winner is None and monotone.measures[0].difference == 0.0
    noisy = compare_scores(y, good, good + np.random.default_rng(0).normal(0, 0.01, y.size), resamples=200)
    assert noisy.winner is None  # a tiny perturbation is not a better variant
    rows = same.to_rows()
    assert rows[0][:3] == ["Measure", "A", "B"] and rows[1][7] == "no winner (CI covers 0)"
    assert rows[-1][7].startswith("paired bootstrap, 200 resamples, seed 3")


def test_comparison_threshold_cutoffs_and_errors() -> None:
    y, good, poor = synthetic(120)
    assert top_share_cutoff(np.array([5.0, 4, 3, 2, 1]), 0.4) == 4.0
    fixed = compare_scores(y, good, poor, cutoffs=(10.0, 10.0), resamples=100)
    assert fixed.cutoffs == (10.0, 10.0) and fixed.worked == (int((good >= 10).sum()), int((poor >= 10).sum()))
    assert fixed.won_caught[0] == int(((good >= 10) & (y == 1)).sum())
    with pytest.raises(InputError, match="above 0 and at most 1"):
        compare_scores(y, good, poor, work_share=1.5)
    with pytest.raises(InputError, match="at least 100 bootstrap resamples"):
        compare_scores(y, good, poor, resamples=10)
    with pytest.raises(InputError, match="No lead reaches the cut-off of B"):
        compare_scores(y, good, poor, cutoffs=(0.0, 1e9), resamples=100)
    with pytest.raises(ModelError, match="at least 2 won and 2 lost"):
        compare_scores(np.array([1.0, 0, 0]), np.arange(3.0), np.arange(3.0))
    diff, p = delong_test(y, good, good)
    assert (diff, p) == (0.0, 1.0)


def test_band_labels_and_conversion_by_band() -> None:
    cfg = ScoringConfig()  # bands 65 High value, 50 MQL, 20 Nurture, else Cold
    scores = np.array([80.0, 65, 64.9, 50, 30, np.nan, 5, 70, 55, 20])
    y = np.array([1.0, 1, 0, 1, 0, 0, 0, 0, 1, np.nan])
    groups, starts = band_labels(scores, cfg)
    assert [groups.labels[c] for c in groups.codes] == [
        "High value", "High value", "MQL", "MQL", "Nurture", "Unscored", "Cold", "High value", "MQL", "Nurture"]
    conv = conversion_by_band(y, groups, cfg, starts)
    assert conv.bands == ("High value", "MQL", "Nurture", "Cold", "Unscored")
    assert conv.leads.tolist() == [3, 3, 1, 1, 1] and conv.won.tolist() == [2, 2, 0, 0, 0]
    assert conv.qualified == ("High value", "MQL") and conv.qualified_rate() == pytest.approx(4 / 6)
    assert conv.n_excluded == 1
    rows = conv.to_rows()
    assert rows[1][:5] == ["High value", 65.0, 3, 2, pytest.approx(2 / 3)]
    assert rows[-2][:5] == ["Qualified: High value, MQL", None, 6, 4, pytest.approx(4 / 6)]
    assert rows[-1][:5] == ["All", None, 9, 4, pytest.approx(4 / 9)]
    only_hv = conversion_by_band(y, groups, cfg, starts, qualified=["high VALUE"])
    assert only_hv.qualified_rate() == pytest.approx(2 / 3)
    with pytest.raises(InputError, match='Qualified band "Hot" is not among the bands'):
        conversion_by_band(y, groups, cfg, starts, qualified=["Hot"])


def test_channel_report_by_hand() -> None:
    sources = Groups(np.array([0, 1, 0, -1, 1, 0]), ("Web", "Event"))
    y = np.array([1.0, 0, 0, 1, 1, np.nan])
    scores = np.array([80.0, 40, 60, 10, np.nan, 99])
    probs = np.array([0.5, 0.1, 0.3, 0.2, 0.4, 0.9])
    rows = channel_report(y, sources, scores, probs).to_rows()
    assert rows[0] == ["Source", "Leads", "Won", "Close rate", "Lift", "Mean score", "Mean probability"]
    assert rows[1] == ["Event", 2, 1, 0.5, pytest.approx(0.5 / 0.6), 40.0, pytest.approx(0.25)]
    assert rows[2] == ["Web", 2, 1, 0.5, pytest.approx(0.5 / 0.6), 70.0, pytest.approx(0.4)]
    assert rows[3][:3] == ["(blank)", 1, 1]
    assert rows[4][:4] == ["All", 5, 3, 0.6] and rows[4][5] == pytest.approx(47.5)
    assert np.isnan(channel_report(y, sources).to_rows()[1][5])


def test_disagreements() -> None:
    hot, cold = hot_and_cold(ScoringConfig())
    assert hot == ("High value", "MQL", "Sales") and cold == ("Cold",)
    grades = ["High value", "Cold", "MQL", "Cold", None, "Nurture"]
    p = np.array([0.01, 0.7, 0.2, 0.5, 0.01, 0.99])
    flagged = disagreements(grades, p, [2, 3, 4, 5, 6, 7], ["a", "b", "c", "d", "e", "f"], hot, cold)
    assert [r[:4] for r in flagged.rows] == [(2, "a", "High value", 0.01), (3, "b", "Cold", 0.7)]
    assert flagged.rows[0][4] == "grade High value but probability 1.0% is below 5%"
    none = disagreements(grades, p, list(range(6)), hot=hot, cold=cold, low=0.001, high=0.8)
    assert none.to_rows()[1][4] == "no disagreements at 0% / 80%"
    with pytest.raises(InputError, match="0 <= low < high <= 1"):
        disagreements(grades, p, list(range(6)), low=0.6, high=0.5)


def test_report_charts_are_consistent_tables() -> None:
    y, good, _ = synthetic(200)
    probs = 1 / (1 + np.exp(-(good - 5) / 5))
    specs = {spec.key: spec for spec in report_charts(y, good * 5, probs, max_roc_points=50)}
    assert list(specs) == ["roc", "gains", "lift", "bands", "calibration"]
    for spec in specs.values():
        width = len(spec.rows[0])
        assert all(len(r) == width for r in spec.rows) and max(spec.ys) < width and spec.kind in ("scatter", "bar")
    roc = specs["roc"].rows
    assert roc[1][:2] == (0.0, 0.0) and roc[-1][:2] == (1.0, 1.0) and len(roc) <= 51
    gains = specs["gains"].rows
    assert gains[1][:2] == (0.0, 0.0) and gains[-1][1] == pytest.approx(1.0)
    assert specs["calibration"].rows[0] == ("Mean predicted", "Observed rate", "Perfect calibration")
