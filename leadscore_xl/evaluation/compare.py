"""A/B comparison of two scores on the same deals: rules v1 vs v2, or rules vs model.

Only deals with an outcome and both scores are compared. For each variant: the AUC,
and at the chosen threshold (the top ``work_share`` of leads by that variant's score, or
an explicit cut-off per variant) the leads worked, the won deals caught and the close
rate of the worked leads.

The uncertainty of each difference (A - B) is a paired bootstrap: ``resamples``
resamples of the deals with a seeded ``numpy.random.default_rng(seed)``, both scores
judged on the same resample (cut-offs held fixed), 2.5 % and 97.5 % percentiles. The
AUC difference also gets the DeLong test for correlated AUCs (DeLong et al. 1988).
A variant wins only when the bootstrap interval of the difference excludes 0; two
identical scores give differences of exactly 0 and never a winner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from leadscore_xl.evaluation.discrimination import complete, delong_placements, excluded_warning, note_rows
from leadscore_xl.errors import DataQualityWarning, InputError, LeadScoreWarning, ModelError

__all__ = ["COMPARE_HEADER", "MAX_RESAMPLES", "Comparison", "Measure", "compare_scores", "delong_test",
           "top_share_cutoff"]  # fmt: skip

COMPARE_HEADER = ["Measure", "A", "B", "Difference (A - B)", "CI 2.5 % (paired bootstrap)",
                  "CI 97.5 % (paired bootstrap)", "p-value (DeLong)", "Winner"]  # fmt: skip
NO_WINNER = "no winner (CI covers 0)"
MAX_RESAMPLES = 100_000  # about a second per 10,000 on 10,000 deals: more would freeze Excel


def delong_test(y: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(AUC(a) - AUC(b), two-sided p-value) by DeLong's test for correlated AUCs."""
    n1 = int(np.count_nonzero(y == 1.0))
    n0 = y.size - n1
    (v10a, v01a), (v10b, v01b) = delong_placements(y, a), delong_placements(y, b)
    diff = float(v10a.mean() - v10b.mean())
    var = np.var(v10a - v10b, ddof=1) / n1 + np.var(v01a - v01b, ddof=1) / n0
    if not var > 1e-300:
        return diff, 1.0 if diff == 0.0 else 0.0
    return diff, float(2.0 * stats.norm.sf(abs(diff) / np.sqrt(var)))


def top_share_cutoff(s: np.ndarray, share: float) -> float:
    """The score of the last lead in the top ``share`` (at least one lead); ties join in."""
    k = min(s.size, max(1, int(round(share * s.size))))
    return float(np.sort(s)[::-1][k - 1])


@dataclass(frozen=True)
class Measure:
    """One compared measure: values, difference, bootstrap CI, p-value and the winner."""

    name: str
    a: float
    b: float
    ci_low: float
    ci_high: float
    pvalue: float | None
    winner: str

    @property
    def difference(self) -> float:
        return self.a - self.b

    def row(self) -> list[Any]:
        return [self.name, self.a, self.b, self.difference, self.ci_low, self.ci_high, self.pvalue, self.winner]


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two scoring variants side by side; ``winner`` is by AUC, or None."""

    names: tuple[str, str]
    measures: tuple[Measure, ...]
    cutoffs: tuple[float, float]
    worked: tuple[int, int]
    won_caught: tuple[int, int]
    n_won: int
    n_lost: int
    resamples: int
    seed: int
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()

    @property
    def winner(self) -> str | None:
        w = self.measures[0].winner
        return None if w == NO_WINNER else w

    @property
    def winner_at_threshold(self) -> str | None:
        w = self.measures[1].winner
        return None if w == NO_WINNER else w

    def to_rows(self) -> list[list[Any]]:
        a, b = self.names
        header = list(COMPARE_HEADER)
        header[1:3] = [a, b]
        rows = [header] + [m.row() for m in self.measures]
        rows += [
            ["Leads worked", self.worked[0], self.worked[1], self.worked[0] - self.worked[1], None, None, None, ""],
            ["Won caught", self.won_caught[0], self.won_caught[1], self.won_caught[0] - self.won_caught[1],
             None, None, None, ""],
            ["Cut-off (score >=)", self.cutoffs[0], self.cutoffs[1], None, None, None, None, ""],
            ["Leads compared", self.n_won + self.n_lost, None, None, None, None, None,
             f"{self.n_won} won; {self.n_excluded} left out (a blank outcome or score)"],
            ["Method", None, None, None, None, None, None,
             f"paired bootstrap, {self.resamples} resamples, seed {self.seed}; p-value: DeLong test"],
        ]  # fmt: skip
        return rows + [[n[0], None, None, None, None, None, None, n[1]] for n in note_rows(self.warnings)]


def _weighted_auc(group: np.ndarray, n_groups: int, y: np.ndarray, w: np.ndarray) -> float:
    """Mann-Whitney AUC with row weights; ``group`` ranks the distinct scores ascending."""
    pos = np.bincount(group, weights=w * y, minlength=n_groups)
    neg = np.bincount(group, weights=w * (1.0 - y), minlength=n_groups)
    below = np.cumsum(neg) - neg
    w1, w0 = pos.sum(), neg.sum()
    if w1 == 0 or w0 == 0:
        return float("nan")
    return float(pos @ (below + 0.5 * neg) / (w1 * w0))


def _bootstrap(y: np.ndarray, a: np.ndarray, b: np.ndarray, worked: tuple[np.ndarray, np.ndarray],
               resamples: int, seed: int) -> np.ndarray:  # fmt: skip
    """Per resample: (AUC diff, close-rate diff); NaN where a resample lacks a class."""
    rng = np.random.default_rng(seed)
    ga, gb = np.unique(a, return_inverse=True)[1], np.unique(b, return_inverse=True)[1]
    na, nb = int(ga.max()) + 1, int(gb.max()) + 1
    out = np.full((resamples, 2), np.nan)
    for r in range(resamples):
        w = np.bincount(rng.integers(0, y.size, y.size), minlength=y.size).astype(np.float64)
        out[r, 0] = _weighted_auc(ga, na, y, w) - _weighted_auc(gb, nb, y, w)
        wa, wb = (w * worked[0]).sum(), (w * worked[1]).sum()
        if wa > 0 and wb > 0:
            out[r, 1] = (w * y * worked[0]).sum() / wa - (w * y * worked[1]).sum() / wb
    return out


def _measure(name: str, a: float, b: float, diffs: np.ndarray, names: tuple[str, str],
             pvalue: float | None = None) -> Measure:  # fmt: skip
    kept = diffs[~np.isnan(diffs)]
    low, high = (np.percentile(kept, [2.5, 97.5]).tolist() if kept.size else [np.nan, np.nan])
    if kept.size == 0 or a == b or low <= 0.0 <= high:
        winner = NO_WINNER
    else:
        winner = names[0] if a > b else names[1]
    return Measure(name, a, b, float(low), float(high), pvalue, winner)


def compare_scores(y: np.ndarray, a: np.ndarray, b: np.ndarray, work_share: float = 0.2,
                   cutoffs: tuple[float, float] | None = None, resamples: int = 1000, seed: int = 0,
                   names: tuple[str, str] = ("A", "B")) -> Comparison:  # fmt: skip
    """Compare two scores of the same deals (see the module docstring)."""
    if not 0.0 < work_share <= 1.0:
        raise InputError(f"The share of leads worked must be above 0 and at most 1 (e.g. 0.2 for the top 20 %), not {work_share:g}")
    if resamples < 100:
        raise InputError(f"Use at least 100 bootstrap resamples (1000 is usual), not {resamples}")
    if resamples > MAX_RESAMPLES:
        raise InputError(
            f"Use at most {MAX_RESAMPLES:,} bootstrap resamples (1000 is usual, 10,000 steadier), not {resamples:,}; "
            "more would keep Excel busy for minutes"
        )
    mask, excluded = complete(y, a, b)
    y, a, b = y[mask], a[mask], b[mask]
    n_won = int(np.count_nonzero(y == 1.0))
    if n_won < 2 or y.size - n_won < 2:
        raise ModelError(f"A comparison needs at least 2 won and 2 lost deals with both scores ({n_won} won of {y.size})")
    if names[0] == names[1]:
        names = (f"{names[0]} (A)", f"{names[1]} (B)")
    cuts = cutoffs or (top_share_cutoff(a, work_share), top_share_cutoff(b, work_share))
    worked = (a >= cuts[0], b >= cuts[1])
    counts = tuple(int(np.count_nonzero(w)) for w in worked)
    caught = tuple(int(np.count_nonzero(w & (y == 1.0))) for w in worked)
    if 0 in counts:
        raise InputError(f"No lead reaches the cut-off of {names[counts.index(0)]}; lower the cut-off")
    diffs = _bootstrap(y, a, b, worked, resamples, seed)
    auc_a = float(delong_placements(y, a)[0].mean())
    auc_b = float(delong_placements(y, b)[0].mean())
    _, pvalue = delong_test(y, a, b)
    label = f"Close rate of worked leads (top {work_share:.0%})" if cutoffs is None else "Close rate of worked leads"
    measures = (
        _measure("AUC", auc_a, auc_b, diffs[:, 0], names, pvalue),
        _measure(label, caught[0] / counts[0], caught[1] / counts[1], diffs[:, 1], names),
    )
    warnings = list(excluded_warning(excluded, "outcome or score"))
    skipped = int(np.count_nonzero(np.isnan(diffs[:, 0])))
    if skipped:
        warnings.append(DataQualityWarning(f"{skipped} bootstrap resamples held one outcome only and were skipped"))
    return Comparison(names, measures, (float(cuts[0]), float(cuts[1])), counts, caught,  # type: ignore[arg-type]
                      n_won, y.size - n_won, resamples, seed, excluded, tuple(warnings))  # fmt: skip
