"""Honest model quality: cross-validated AUC next to the in-sample AUC.

Stratified k-fold: the won and the lost deals are each shuffled with a seeded
``numpy.random.default_rng(seed)`` and dealt to the folds in turn, so every fold holds
about the same share of won deals and a fixed seed gives the same folds every time.
Each fold's model is fitted on the other folds and scores the held-out fold; the
cross-validated AUC is the AUC of all held-out scores pooled (the mean of the fold AUCs
and their spread are reported too). The in-sample AUC fits on every deal and scores the
same deals; the gap between the two is the optimism that finance should see.

The fit is injected: ``fit(X_train, y_train)`` returns ``(predict, warnings)``, where
``predict(X_test)`` gives scores and ``warnings`` are LeadScore warnings about that fit.
``X`` is the design matrix exactly as the fitter takes it (with its intercept column when
the fitter's model has one): cross-validation only selects its rows, never adds columns.
The refresh and CVAUC pass the model's own estimator (``leadscore_xl.model.estimate.
fit_predictor``: the same start values and Firth fallback as LOGITFIT), so that the
in-sample AUC here is the model's in-sample AUC.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from leadscore_xl.evaluation.discrimination import complete, excluded_warning, note_rows, rank_auc
from leadscore_xl.errors import InputError, LeadScoreWarning, ModelError

__all__ = ["CrossValidation", "Fitter", "Predictor", "cross_validated_auc", "stratified_folds"]

Predictor = Callable[[np.ndarray], np.ndarray]
Fitter = Callable[[np.ndarray, np.ndarray], tuple[Predictor, Sequence[LeadScoreWarning]]]


def stratified_folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0 .. k-1) per row, dealt in turn within each shuffled class."""
    rng = np.random.default_rng(seed)
    folds = np.empty(y.size, dtype=np.int64)
    offset = 0
    for cls in (1.0, 0.0):
        members = rng.permutation(np.flatnonzero(y == cls))
        folds[members] = (np.arange(members.size) + offset) % k
        offset += members.size
    return folds


@dataclass(frozen=True, eq=False)
class CrossValidation:
    """In-sample and cross-validated AUC of one fitting procedure."""

    in_sample_auc: float
    cv_auc: float
    fold_aucs: tuple[float, ...]
    k: int
    seed: int
    n_won: int
    n_lost: int
    n_excluded: int
    warnings: tuple[LeadScoreWarning, ...] = ()

    @property
    def optimism(self) -> float:
        return self.in_sample_auc - self.cv_auc

    def to_rows(self) -> list[list[Any]]:
        folds = np.array(self.fold_aucs)
        rows: list[list[Any]] = [
            ["Statistic", "Value"],
            ["In-sample AUC", self.in_sample_auc],
            ["Cross-validated AUC (pooled held-out scores)", self.cv_auc],
            ["Optimism (in-sample - cross-validated)", self.optimism],
            ["Mean fold AUC", float(np.nanmean(folds))],
            ["Fold AUC std. dev.", float(np.nanstd(folds, ddof=1))],
            ["Folds (stratified)", self.k],
            ["Seed", self.seed],
            ["Leads", self.n_won + self.n_lost],
            ["Won", self.n_won],
            ["Left out (blank cells)", self.n_excluded],
        ]
        rows += [[f"Fold {i} AUC", a] for i, a in enumerate(self.fold_aucs, start=1)]
        return rows + note_rows(self.warnings)


def _fit_noting(fit: Fitter, X: np.ndarray, y: np.ndarray, where: str, out: list[LeadScoreWarning]) -> Predictor:
    """Run ``fit`` and keep its warnings, each prefixed with the fit it is about."""
    predict, notes = fit(X, y)
    out.extend(type(w)(f"{where}: {w}") for w in notes)
    return predict


def _check(X: np.ndarray, y: np.ndarray, k: int) -> tuple[int, int]:
    if X.ndim != 2 or X.shape[0] != y.size:
        raise InputError(f"The features have {X.shape[0]} rows but the outcomes {y.size}; select the same rows")
    n_won = int(np.count_nonzero(y == 1.0))
    n_lost = int(y.size - n_won)
    if n_won == 0 or n_lost == 0:
        raise ModelError(f"Cross-validation needs won and lost deals ({n_won} won, {n_lost} lost); add deals with both outcomes")
    if k < 2 or k > min(n_won, n_lost):
        raise InputError(
            f"Folds must be a whole number from 2 to {min(n_won, n_lost)} (the count of the rarer outcome, "
            f"{n_won} won and {n_lost} lost), not {k}; 5 or 10 is usual"
        )
    return n_won, n_lost


def cross_validated_auc(X: np.ndarray, y: np.ndarray, fit: Fitter, k: int = 5, seed: int = 0) -> CrossValidation:
    """Stratified k-fold AUC of ``fit`` on the design ``X`` next to the in-sample AUC."""
    X = np.asarray(X, dtype=np.float64)
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    y = np.asarray(y, dtype=np.float64)
    mask, excluded = complete(y, *X.T)
    X, y = X[mask], y[mask]
    n_won, n_lost = _check(X, y, k)
    found: list[LeadScoreWarning] = list(excluded_warning(excluded, "outcome or feature"))
    in_sample = rank_auc(y, np.asarray(_fit_noting(fit, X, y, "In-sample fit", found)(X), dtype=np.float64))
    folds = stratified_folds(y, k, seed)
    held_out = np.empty(y.size)
    fold_aucs = []
    for f in range(k):
        test = folds == f
        predict = _fit_noting(fit, X[~test], y[~test], f"Fold {f + 1}", found)
        held_out[test] = np.asarray(predict(X[test]), dtype=np.float64)
        fold_aucs.append(rank_auc(y[test], held_out[test]))
    return CrossValidation(in_sample, rank_auc(y, held_out), tuple(fold_aucs), k, seed,
                           n_won, n_lost, excluded, tuple(found))  # fmt: skip
